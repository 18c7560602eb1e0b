"""History: what a page's recent versions say about a change that looks new: debounce
(a section that returns to one of its recent versions is no news) and confirmation.

Debounce: each section's recent digests are kept with the snapshot (``section_history``); a
section whose new version (or absence) is among them is an A/B variant or a flip-back, not
news (``seen_before``).

Confirmation: a page change is told only when a re-check shows it again.

A page that flips to an A/B variant once, a CDN edge still serving the old text, an editor who
publishes and corrects a minute later: each shows a version that does not last. So a change of
a page's text (kinds page, document, hapi, and pages with PDF attachments: every version with
sections) is stored *pending* and told to nobody; the first check at least ``after`` later
that finds the same change again (the same fingerprint: the same section, from the same
confirmed text to the same new text) confirms it, and only then is it published (or held, when
a review rule applies) and dispatched. Item lists (feed, listing, changelog) are not delayed:
an item is news when it appears, and the feeds have their own guards (tombstones, the
``feed_replaced`` rule). docs/detection.md, "Confirmation".

Detection always compares with the last *confirmed* version (the baseline): a version seen
once is kept aside as the source's candidate, and its changes wait. At the re-check

- a pending change found again, ``after`` or more since it was first seen, is confirmed;
- one found again sooner stays pending (a check came early);
- one not found again is dropped: the page went back (a -> b -> a: nothing is told) or moved
  on (a -> b -> c: a -> c is a new candidate; b is never told);
- a change not seen before is a new candidate (b plus more: b is confirmed, the rest waits);
- a failed re-check changes nothing: the changes stay pending until a check succeeds.

When nothing is left pending, the version checked becomes the baseline; while something is,
the baseline stays, so the debounce history of the baseline (above) only ever holds
versions that lasted: a variant that did not persist cannot hide the next real change.

Pure: values in, values out; feeds/store/versions.py reads and writes what this module
decides.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from feeds.detect.diff import SectionChange, keyed_sections
from feeds.types import PageContent

#: ``Change.status`` of a change that waits for its confirmation: never dispatched, in no
#: digest and no public list
PENDING = "pending"
#: A source whose changes are pending is re-checked when the first of them can be confirmed,
#: instead of after its interval; at most this many checks in a row, so a page that changes
#: at every check (an unfiltered counter) is not fetched every minute: after that, its
#: interval applies again (its changes are then confirmed an interval later).
QUICK_RECHECKS = 3


@dataclass(frozen=True)
class ConfirmRules:
    """``NOTIFIER_CONFIRM_PAGE_CHANGES`` and ``NOTIFIER_CONFIRM_AFTER_SECONDS``, built by the
    settings: whether page changes wait for a re-check, and how long at least."""

    enabled: bool = True
    after: timedelta = timedelta(seconds=60)

    def due(self, seen_at: datetime, now: datetime) -> bool:
        """A change first seen at ``seen_at`` may be confirmed by a check at ``now``."""
        return not self.enabled or now >= seen_at + self.after


#: the rules as the settings have them by default
DEFAULT_CONFIRM = ConfirmRules()
#: no confirmation: every change is published as it is found
NO_CONFIRM = ConfirmRules(enabled=False)


@dataclass(frozen=True)
class Pending:
    """A stored change of the source that waits for its confirmation."""

    id: int
    fingerprint: str
    seen_at: datetime
    #: the review rule that applied when it was found (it is held when confirmed)
    held_reason: str | None = None


@dataclass(frozen=True)
class Verdict:
    """What one successful check of a source decides about its changes."""

    #: pending changes confirmed now (ids)
    confirmed: tuple[int, ...] = ()
    #: pending changes found again too soon: still pending (ids)
    kept: tuple[int, ...] = ()
    #: pending changes the page no longer shows: never told (ids)
    dropped: tuple[int, ...] = ()
    #: whether the changes found for the first time now are stored pending
    wait: bool = False
    #: the version checked is kept aside as the candidate (changes are left pending), not
    #: stored as the baseline
    candidate: bool = False
    #: when the oldest change still pending was first seen; None: nothing pending
    pending_since: datetime | None = None

    @property
    def resolved(self) -> bool:
        return bool(self.confirmed or self.dropped)


#: nothing waited, nothing to decide
NO_VERDICT = Verdict()


def waits(rules: ConfirmRules, page: bool) -> bool:
    """Whether the changes of a version wait for a re-check: page versions (they have
    sections), while confirmation is on."""
    return rules.enabled and page


def judge(
    pending: Sequence[Pending],
    found: Collection[str] | None,
    fresh: Collection[str],
    now: datetime,
    rules: ConfirmRules,
    page: bool,
) -> Verdict:
    """The verdict of a successful check on the source's ``pending`` changes.

    ``found`` are the fingerprints of the changes this check found against the baseline;
    None when the source answered with the version fetched last (a 304, the same body): then
    every pending change is found again. ``fresh`` are those of them never stored before (not
    pending, published, held nor suppressed); ``page``: the version has sections."""
    again = {p.fingerprint for p in pending} if found is None else set(found)
    confirmed = tuple(p.id for p in pending if p.fingerprint in again and rules.due(p.seen_at, now))
    kept = tuple(p.id for p in pending if p.fingerprint in again and not rules.due(p.seen_at, now))
    dropped = tuple(p.id for p in pending if p.fingerprint not in again)
    wait = waits(rules, page) and bool(fresh) and found is not None
    times = [p.seen_at for p in pending if p.id in kept]
    if wait:
        times.append(now)
    return Verdict(
        confirmed=confirmed,
        kept=kept,
        dropped=dropped,
        wait=wait,
        candidate=bool(times),
        pending_since=min(times) if times else None,
    )


def next_check(
    normal: datetime, verdict: Verdict, rules: ConfirmRules, quick_checks: int
) -> tuple[datetime, int]:
    """When to check the source next, and its count of checks in a row that left changes
    pending: when the oldest pending change can be confirmed (never later than ``normal``,
    the time its interval gives), unless ``QUICK_RECHECKS`` such checks came in a row."""
    if verdict.pending_since is None:
        return normal, 0
    streak = quick_checks + 1
    if streak > QUICK_RECHECKS:
        return normal, streak
    return min(normal, verdict.pending_since + rules.after), streak


def early_check(
    pending_since: datetime | None, now: datetime, rules: ConfirmRules
) -> datetime | None:
    """For a source whose page is the version fetched last (a 304, the same body): the time
    its pending changes can be confirmed, when that is still to come (the check came early
    and has nothing to store); None when there is nothing pending or the time has come."""
    if pending_since is None or rules.due(pending_since, now):
        return None
    return pending_since + rules.after


def report_words(verdict: Verdict, new_pending: int) -> list[str]:
    """What ``notifier check`` adds to a source's line about its confirmation."""
    words = []
    if verdict.confirmed:
        words.append(f"{len(verdict.confirmed)} change(s) confirmed")
    if verdict.dropped:
        words.append(f"{len(verdict.dropped)} change(s) not confirmed (gone at the re-check)")
    if new_pending or verdict.kept:
        words.append("pending confirmation")
    return words


# ----------------------------------------------------------------------------- debounce

#: How many recent versions of each section are remembered: a section that returns to one of
#: them (an A/B variant flipping back) is not reported again.
HISTORY = 5
#: Sections remembered in the history at most (the current ones come first).
HISTORY_PATHS = 2000
#: the digest recorded for "this section was absent"
ABSENT = "-"


def _section_key(path: Sequence[str]) -> str:
    return "\x1f".join(path)


def seen_before(history: Mapping[str, tuple[str, ...]], change: SectionChange) -> bool:
    """Debounce: a section whose new version (or absence) was seen among its last versions
    is an A/B variant or a flip-back, not news; unless the version it leaves had lasted
    (``lasted``): then the return is a change of what readers were last told (5 days -> 3
    days, told and standing, -> 5 days again)."""
    recent = history.get(_section_key(change.path), ())
    if change.kind == "removed":
        return ABSENT in recent and not lasted(recent, change.before_digest)
    if change.kind == "moved":
        return False
    if change.after_digest not in recent:
        return False
    left = ABSENT if change.kind == "added" else change.before_digest
    return not lasted(recent, left)


def lasted(recent: tuple[str, ...], digest: str) -> bool:
    """Whether a section's version ``digest`` (or ABSENT), its last in ``recent``, lasted:
    seen in two checks in a row, or confirmed; recorded as the digest twice at the end of
    its history (``mark_lasted``). A variant seen in one check (a flap, a CDN edge's old
    copy) is there once."""
    return len(recent) >= 2 and recent[-1] == digest and recent[-2] == digest


def mark_lasted(history: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """``history`` with each section's last version (or absence) recorded as lasted
    (``lasted``): for a check that finds the version stored last again, or a version stored
    to be confirmed (it becomes the baseline only when a re-check finds it again)."""
    out = dict(history)
    for key, digests in history.items():
        if digests and not lasted(digests, digests[-1]):
            out[key] = (*digests, digests[-1])[-HISTORY:]
    return out


def section_history(
    before: Mapping[str, tuple[str, ...]], page: PageContent, last: PageContent | None = None
) -> dict[str, tuple[str, ...]]:
    """Each section's recent digests with this version appended; sections that left the page
    get ABSENT appended once, and the oldest entries go first when the bound is reached."""
    out: dict[str, tuple[str, ...]] = {}
    known = keyed_sections(last.sections) if last is not None else None
    for key, section in keyed_sections(page.sections).items():
        recent = before.get(_section_key(key), ())
        if known is not None and key not in known and not recent:
            # a section new on the page: absent until now, so that it leaving again at the
            # next check is the page flipping back, not news (blind round 200)
            recent = (ABSENT,)
        out[_section_key(key)] = _push(recent, section.digest)
    if known is not None:
        for key in known:
            k = _section_key(key)
            if k not in out:
                out[k] = _push(before.get(k, ()), ABSENT)
    for k, digests in before.items():
        if len(out) >= HISTORY_PATHS:
            break
        out.setdefault(k, digests)
    return out


def _push(digests: tuple[str, ...], digest: str) -> tuple[str, ...]:
    if digests and digests[-1] == digest:
        return digests
    return (*digests, digest)[-HISTORY:]
