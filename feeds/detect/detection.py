"""Detection: one fetched response plus the last snapshot gives the verb and the changes.

Pure: ``detect`` takes values and returns values, so every case (baseline, 304, same body,
noise only, a real edit, a collapse) is tested without a server or a database.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from feeds.catalogue import SourceSpec
from feeds.detect.diff import (
    DiffSegment,
    ItemChange,
    SectionChange,
    diff_feed,
    diff_pages,
    match_items,
    new_teaser,
    quiet_reason,
    republished,
    subtrees_as_one,
    withdrawn,
    word_diff,
)
from feeds.detect.history import mark_lasted, section_history, seen_before
from feeds.errors import ContentCollapse, FeedEmptied, SourceProblem
from feeds.read import ItemReader, PageInput, PageReader, reader_for
from feeds.read.html import error_notice
from feeds.sites import SPAM_WORDS, host_of, lookalike, site_of
from feeds.types import (
    EXTRACTION_VERSION,
    GONE_ONCE,
    GONE_TOLD,
    RECHECK_MARK,
    FeedContent,
    FeedItem,
    FetchResult,
    Linked,
    PageContent,
    Parts,
    SeenItem,
    SnapshotState,
    fold,
    marked_for_recheck,
)

#: How many item identities a feed snapshot remembers (tombstones included).
SEEN_LIMIT = 5000
#: A page whose text falls below this share of the last version in one check is suspect ...
COLLAPSE_RATIO = 0.3
#: ... provided the last version was at least this long.
COLLAPSE_MIN_CHARS = 400
#: A feed that had at least this many items and answers with none is refused (``FeedEmptied``):
#: every feed we watch is a list of the newest items of an archive, which never empties on
#: purpose; one that does has lost its items (a CMS fault, a broken query), and silence would
#: hide it.
EMPTIED_MIN_ITEMS = 1
#: A feed whose every item known with a text (a description, a full text) answers with none,
#: at least this many of them, is refused (``_refuse_texts_lost``): a template fault (every
#: description "Les meir"), not as many edits
TEXTS_LOST_MIN_ITEMS = 3
#: the content digest of a feed version without items
EMPTY_FEED_DIGEST = hashlib.sha256(b"").hexdigest()[:32]
#: Review rules (docs/detection.md, "Review rules"): a page of fewer words than this is never
#: held as mostly replaced (a short status line is rewritten whole as a matter of course) ...
REPLACED_MIN_WORDS = 60
#: ... nor a feed of fewer items than this as mostly rewritten, its items' texts or teasers
#: edited at once (a few items edited are news as ever) ...
ITEMS_REWRITTEN_MIN_ITEMS = 5
#: ... nor a feed of fewer items than this as mostly replaced by new identities (a feed of the
#: latest two or three items turns over); 4 since blind round 35 (was 5: a 4-item feed turned
#: wholly into the English feed went out as four new items)
FEED_REPLACED_MIN_ITEMS = 4
#: why a change waits for staff review (``Change.held_reason``)
MASS_DELETION = "mass_deletion"
MOST_REPLACED = "most_replaced"
FEED_REPLACED = "feed_replaced"
AFTER_OUTAGE = "after_outage"
LANGUAGE_VARIANT = "language_variant"
OTHER_ARTICLE = "other_article"
OTHER_SITE = "other_site"
TEASERS_REWRITTEN = "teasers_rewritten"
ITEMS_REWRITTEN = "items_rewritten"
FOREIGN_LINK = "foreign_link"
EMPTY_ITEM = "empty_item"
#: a page is held as another article (``other_article``) only when its last version had at
#: least this many headings (its h1 and two below it): fewer tell no article from a rewrite
OTHER_ARTICLE_MIN_HEADINGS = 3
_NUMBERS = re.compile(r"\d+")
#: words only one written standard uses, common in any prose (bokmål, nynorsk): what tells a
#: page's standard (``written_standard``). The second lines are the pairs a short health
#: text uses in place of the function words ("hvis"/"dersom" is bokmål and nynorsk alike,
#: "hvis" bokmål only; "etter hvert"/"etter kvart", "vanlig"/"vanleg", "syk"/"sjuk")
_BOKMAL_WORDS = frozenset(
    "ikke et en fra være vært hvordan hva hvem noe mye bare hos sammen flere hele innen"
    " jevnlig disse deres også"
    " hvis hver hvert hvor noen mer uten begynner vanlig vanlige syk sykdom hjemme".split()
)
_NYNORSK_WORDS = frozenset(
    "ikkje eit ein dei frå vere vore korleis kva kven noko mykje berre hjå saman fleire heile"
    " innan jamleg desse deira òg"
    " kvar kvart kor nokon meir utan byrjar vanleg vanlege sjuk sjukdom heime".split()
)
#: words both written standards use in any prose, and few other languages ("og", "på",
#: "som", "er"): a page of Norwegian holds some of them in every paragraph
_NORWEGIAN_WORDS = frozenset(
    "og på med til som er av det har kan skal må bør eller ved etter dette den andre".split()
)
#: a page's text in another language: at least this many words, and of them no more than
#: this share ``_NORWEGIAN_WORDS`` (Norwegian prose: ~15-25 %)
_FOREIGN_MIN_WORDS = 40
_FOREIGN_SHARE = 0.01
#: a standard is told by at least this many of its words, and this many times the other's
_STANDARD_MIN_WORDS = 3
_STANDARD_MARGIN = 3
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class HoldRules:
    """The thresholds of the review rules (``NOTIFIER_HOLD_*``, built by the settings):
    ``replaced_share`` and ``feed_replaced_share`` hold a version that replaces more than that
    share of the last version's words or items (0 or 1: off); ``after_outage`` holds the first
    changes after a source failed for at least that long (zero: off)."""

    replaced_share: float = 0.7
    feed_replaced_share: float = 0.7
    after_outage: timedelta = timedelta(hours=24)


#: the rules as the settings have them by default
DEFAULT_RULES = HoldRules()


@dataclass(frozen=True)
class DetectedChange:
    fingerprint: str
    kind: str  # new | changed | added | removed | moved
    title: str
    url: str
    section: tuple[str, ...] = ()
    summary: str = ""
    before: str = ""
    after: str = ""
    segments: tuple[DiffSegment, ...] = ()
    published: datetime | None = None


@dataclass(frozen=True)
class Detection:
    outcome: str  # new | changed | unchanged
    state: SnapshotState | None  # None: nothing new to store
    changes: tuple[DetectedChange, ...] = ()
    baseline: bool = False
    #: store, but hold every change for staff review, and why (``MASS_DELETION``, ...)
    held_reason: str | None = None
    note: str = ""
    #: store ``state`` although nothing is reported (a flip-back, a new publisher date)
    refresh: bool = False
    #: problems of single parts (a chapter or an attachment that failed); the rest was checked
    problems: tuple[str, ...] = ()

    @property
    def held(self) -> bool:
        return self.held_reason is not None


def detect(
    spec: SourceSpec,
    result: FetchResult,
    previous: SnapshotState | None,
    accept_collapse: str | None = None,
    linked: Sequence[Linked] = (),
    rules: HoldRules = DEFAULT_RULES,
) -> Detection:
    """Compare a fetched response (and, for documents and PDF attachments, the linked parts
    fetched with it) with the last snapshot; ``rules`` says which versions are held for
    review. Raises SourceProblem."""
    reader = reader_for(spec)
    # A table of contents (a document's) may answer 304 while a chapter changed: its chapters
    # are checked all the same (``linked``, fetched from the parts of the last version).
    toc_304 = reader.contents and bool(known_parts(previous))
    if result.not_modified and not toc_304:
        return Detection("unchanged", None, note="304 not modified")
    _refuse_challenge(result)
    raw = previous.body_hash if result.not_modified and previous else result.body_hash
    if previous is not None and previous.body_hash == raw and not reader.follows_links(spec):
        return _same_body(previous)
    if isinstance(reader, ItemReader):  # a feed, or a page read as one: items
        feed = reader.read(spec, result)
        return _detect_feed(spec, feed, raw, previous, rules, reader.match_by_text)
    assert isinstance(reader, PageReader)
    _refuse_hijacked_refresh(spec, result)
    last = previous.page if previous else None
    current = previous is not None and previous.version == EXTRACTION_VERSION
    source = PageInput(spec, result, last, current, linked, known_parts(previous), accept_collapse)
    read = reader.read(source)
    detection = _detect_page(spec, read.page, raw, previous, accept_collapse, read.parts, rules)
    return replace(detection, problems=read.problems) if read.problems else detection


def _refuse_challenge(result: FetchResult) -> None:
    headers = {k.lower(): v for k, v in result.headers.items()}
    if headers.get("cf-mitigated"):
        raise SourceProblem("the site answered with a bot challenge (cf-mitigated)")


#: a meta refresh in a page's head: its delay and where it sends the browser
_META_REFRESH = re.compile(rb"<meta\b[^>]*?http-equiv\s*=\s*[\"']?refresh[^>]*>", re.I)
_REFRESH_CONTENT = re.compile(
    rb"content\s*=\s*[\"']?\s*(\d+)\s*[;,]?\s*(?:url\s*=\s*)?[\"']?([^\"'>\s]*)", re.I
)


def _refuse_hijacked_refresh(spec: SourceSpec, result: FetchResult) -> None:
    """A page whose head sends every browser at once (a meta refresh of no delay) to
    another registrable domain than the page's own is not the authority's page: the site
    looks hijacked, a source problem. A refresh to the page itself or another page of the
    site (a live page reloading), or after a delay, is read as before."""
    head = result.body[:65536]
    if b"efresh" not in head and b"EFRESH" not in head:
        return
    for tag in _META_REFRESH.finditer(head):
        found = _REFRESH_CONTENT.search(tag.group(0))
        if found is None or int(found.group(1)) > 1 or not found.group(2):
            continue
        target = found.group(2).decode("latin-1")
        host = host_of(target)
        own = {site_of(h) for h in (host_of(result.url), host_of(spec.url)) if h}
        if host and site_of(host) not in own:
            raise SourceProblem(
                f"the page sends every browser at once to another site ({host}, a meta "
                "refresh): the site looks hijacked"
            )


def known_parts(previous: SnapshotState | None) -> Parts:
    """The linked parts a check may ask for conditionally and keep when unchanged: those of
    the last version, when it was extracted by this same code (after an upgrade of the
    extraction every part is read again)."""
    if previous is None or previous.version != EXTRACTION_VERSION:
        return {}
    return previous.parts


#: how a check's note counts the items that are no edit (``quiet_reason``)
_QUIET_NOTES = {
    "recut": "teaser(s) cut at another length",
    "typography": "item(s) set in other typography",
    "relabelled": "row(s) relabelled",
    "notation": "item(s) in another notation",
    "reread": "card(s) read as heading and teaser",
    "spelling": "nynorsk spelling variant(s) only",
    "typo": "typo(s) fixed",
}


def _detect_feed(
    spec: SourceSpec,
    feed: FeedContent,
    raw: str,
    previous: SnapshotState | None,
    rules: HoldRules = DEFAULT_RULES,
    by_text: bool = False,
) -> Detection:
    same_kind = previous is not None and previous.kind == spec.kind
    if previous is not None and same_kind:
        _refuse_emptied(feed_items(previous), len(feed.items))
    seen = dict(previous.seen) if previous else {}
    _refuse_error_item(seen, feed)
    # items known by their text too when their identity changed, as the reader says (RSS and
    # Atom: yes; a listing's links have no text, a change log's rows repeat theirs by design)
    known = match_items(seen, feed, by_text=by_text)
    _refuse_texts_lost(seen, feed, known, by_text)
    item_changes = diff_feed(seen, feed, known)
    # a version stored with a withdrawal to confirm is marked so (``marked_for_recheck``)
    waited = previous is not None and previous.body_hash.startswith(RECHECK_MARK)
    known, item_changes, gone, confirmed = _withdrawals(
        seen, feed, known, item_changes, same_kind, waited, _fresher(previous, feed)
    )
    current = {
        i.item_id: SeenItem(
            i.digest,
            i.title,
            i.summary,
            i.content,
            i.date,
            i.anchor,
            i.gist,
            i.enclosures,
            i.teaser,
            i.link,
        )
        for i in feed.items
    }
    merged = _remembered(seen, current, gone, confirmed, set(known.values()))
    digest = hashlib.sha256("".join(sorted(current)).encode()).hexdigest()[:32]
    # a withdrawal to confirm: the next check reads the feed whole (not a 304, not "the same
    # body"), whatever it answers
    body_hash = marked_for_recheck(raw) if gone else raw
    state = SnapshotState(spec.kind, body_hash, digest, seen=merged, feed_updated=feed.updated)
    if previous is None:
        return Detection("new", state, baseline=True, note=f"baseline: {len(feed.items)} items")
    changes = tuple(_item_change(spec, c) for c in item_changes) + tuple(
        _withdrawn_change(spec, key, seen[key]) for key in confirmed
    )
    outcome = _outcome(changes)
    rekeyed = sum(1 for k, v in known.items() if k != v)
    # items that differ from what was remembered only where their teaser was cut, in
    # typography or in a change log row's label (``quiet_reason``): their texts are stored,
    # so the next edit is compared with what the feed shows now
    reported = {c.item.item_id for c in item_changes}
    quiet = Counter(
        quiet_reason(seen[known[i.item_id]], i)
        for i in feed.items
        if i.item_id in known
        and i.item_id not in reported
        and seen[known[i.item_id]].digest not in (i.digest, i.legacy_digest)
    )
    # known items remembered without the date they show now (a listing stored before its
    # items' dates were read): stored with it, so they can be known by it (``match_items``)
    undated = any(
        i.date and not seen[k].published
        for i in feed.items
        if (k := known.get(i.item_id)) is not None
    )
    # known items remembered without their enclosures (a snapshot stored before they were):
    # stored with them, so the next new file is seen (``diff_feed``)
    unfiled = any(
        seen[k].enclosures is None and (seen[k].title or seen[k].summary)
        for i in feed.items
        if (k := known.get(i.item_id)) is not None
    )
    # known items remembered with another teaser than they show, or none (a listing stored
    # before teasers were read; a teaser in another notation): stored with the one they
    # show, so the next edit is compared with it (``diff_feed``)
    retold = any(
        i.teaser is not None and seen[k].teaser != i.teaser and (seen[k].title or seen[k].summary)
        for i in feed.items
        if (k := known.get(i.item_id)) is not None
    )
    # known items remembered without their link (a snapshot stored before links were):
    # stored with it, so a withdrawal links to the item (``withdrawn``)
    unlinked = any(
        i.link and not seen[k].link and (seen[k].title or seen[k].summary)
        for i in feed.items
        if (k := known.get(i.item_id)) is not None
    )
    # unknown items not reported: older items a list shows more of (``backfill``), stored
    older = sum(1 for i in feed.items if i.item_id not in known and i.item_id not in reported)
    if not changes:
        # items known under another identity (canonical now, or re-keyed): their new
        # identities are stored, nothing is reported
        note = f"{rekeyed} item(s) under a new identity" if rekeyed else "0 item(s)"
        for reason, words in _QUIET_NOTES.items():
            if quiet[reason]:
                note += f"; {quiet[reason]} {words}"
        if older:
            note += f"; {older} older item(s) shown further down"
        if gone:
            note += f"; {len(gone)} item(s) gone, told if still gone at the next check"
        refresh = bool(
            rekeyed or quiet or undated or unfiled or retold or older or unlinked or gone or waited
        )
        return Detection(outcome, state, note=note, refresh=refresh)
    note = f"{len(changes)} item(s)" + (f"; {rekeyed} under a new identity" if rekeyed else "")
    if gone:
        note += f"; {len(gone)} item(s) gone, told if still gone at the next check"
    held = _new_item_hold(spec, feed, known, [c.item for c in item_changes if c.kind == "new"])
    if held is not None:
        note += f"; held for review: {held[0]} ({held[1]})"
        return Detection(outcome, state, changes, held_reason=held[0], note=note)
    if same_kind:
        assert previous is not None
        held = _version_hold(
            spec, previous, feed, known, item_changes, reported, rules.feed_replaced_share
        )
        if held is not None:
            note += f"; held for review: {held[0]} ({held[1]})"
            return Detection(outcome, state, changes, held_reason=held[0], note=note)
    return Detection(outcome, state, changes, note=note)


def _withdrawals(
    seen: Mapping[str, SeenItem],
    feed: FeedContent,
    known: dict[str, str],
    item_changes: list[ItemChange],
    same_kind: bool,
    waited: bool,
    fresher: bool = False,
) -> tuple[dict[str, str], list[ItemChange], list[str], list[str]]:
    """The feed's withdrawals: the items gone from between items that stay now
    (``withdrawn``), told if the next check finds them gone too (``GONE_ONCE``), as a page's
    change waits for its re-check; and those gone at the last check and still gone now, told
    now (``GONE_TOLD``). A withdrawn item back in its place under a new link, edited
    (``republished``), is the same item: ``known`` and the item changes come back with it
    known. ``waited``: the last version was stored with a withdrawal to confirm (its body
    hash marked), the only one that remembers one. ``fresher``: the feed says it was built
    after the last version (``_fresher``)."""
    gone = withdrawn(seen, feed, known, fresher) if same_kind else []
    if pairs := republished(seen, feed, known, gone):
        known = {**known, **pairs}
        item_changes = diff_feed(seen, feed, known)
        gone = [key for key in gone if key not in pairs.values()]
    stays = set(known.values())
    confirmed = (
        [k for k, v in seen.items() if v.withdrawn == GONE_ONCE and k not in stays]
        if waited
        else []
    )
    return known, item_changes, gone, confirmed


def _fresher(previous: SnapshotState | None, feed: FeedContent) -> bool:
    """Whether the feed says it was built after the last version was (its own time, RSS
    ``lastBuildDate`` or Atom's ``updated``, later than the one stored with that version):
    then it is no older copy of the feed served from a cache, and its newest item gone is
    taken down (blind round 242, ``withdrawn``). False where either gives no time."""
    if previous is None or not previous.feed_updated or not feed.updated:
        return False
    return feed.updated > previous.feed_updated  # both ISO in UTC, from ``extract_feed``


def _remembered(
    seen: Mapping[str, SeenItem],
    current: dict[str, SeenItem],
    gone: Sequence[str],
    confirmed: Sequence[str],
    stays: Set[str],
) -> dict[str, SeenItem]:
    """What the snapshot remembers of the items: the feed's items, and the items that left
    it as tombstones (digest, date, anchor and gist; newest last, up to ``SEEN_LIMIT``). One
    gone from between items that stay keeps its texts, to tell its withdrawal at the next
    check (``GONE_ONCE``); one whose withdrawal is told now is marked so (``GONE_TOLD``). A
    remembered item the feed shows under another identity now (``stays``: re-keyed, matched
    by its text) is no withdrawal any more: its mark goes."""
    told = set(confirmed)

    def mark(key: str, item: SeenItem) -> int:
        if key in told:
            return GONE_TOLD
        return 0 if key in stays else item.withdrawn

    merged = {
        k: replace(v, withdrawn=GONE_ONCE)
        if k in gone
        else SeenItem(
            v.digest, published=v.published, anchor=v.anchor, gist=v.gist, withdrawn=mark(k, v)
        )
        for k, v in seen.items()
        if k not in current
    }
    merged.update(current)
    if len(merged) > SEEN_LIMIT:
        merged = dict(list(merged.items())[-SEEN_LIMIT:])
    return merged


def _version_hold(
    spec: SourceSpec,
    previous: SnapshotState,
    feed: FeedContent,
    known: Mapping[str, str],
    item_changes: Sequence[ItemChange],
    reported: Set[str],
    share: float,
) -> tuple[str, str] | None:
    """The review rules for a feed's version as a whole, in order: most teasers rewritten
    (``teasers_rewritten``), most items edited (``items_rewritten``), most items replaced
    (``feed_replaced``); (reason, note) for the first that holds it, else None."""
    seen = previous.seen
    retold_items = teasers_rewritten(seen, feed, known, reported, share)
    if retold_items is not None:
        rewritten, shown = retold_items
        return TEASERS_REWRITTEN, f"{rewritten} of {shown} items' teasers rewritten"
    last = [k for k, v in seen.items() if v.live]
    edited = items_rewritten(last, item_changes, share)
    if edited is not None:
        return ITEMS_REWRITTEN, f"{edited} of {len(last)} items edited"
    new = [c.item.item_id for c in item_changes if c.kind == "new"]
    # the items of this version as the last version knew them
    order = [known.get(i.item_id, i.item_id) for i in feed.items]
    # new items that all link to sites the feed never linked to are another site's feed, even
    # when they came in on top as a busy day's would
    away = elsewhere(spec, feed, known, new)
    replaced = feed_replaced(last, order, new, share, through=not away)
    if replaced is not None:
        return FEED_REPLACED, f"{replaced} of {len(last)} items replaced" + (
            f" by items of {', '.join(away)}" if away else ""
        )
    return None


def elsewhere(
    spec: SourceSpec, feed: FeedContent, known: Mapping[str, str], new: Sequence[str]
) -> list[str]:
    """The sites of the ``new`` items (by identity) when every one of them links to a site
    (registrable domain) that neither the source's address nor an item of this version the
    feed carried before links to: the address serves another site's feed (a municipality's
    events where a ministry's news stood). [] when one new item links home, or has no link."""
    home = {site_of(h) for h in (host_of(spec.url),) if h} | {
        site_of(h) for i in feed.items if i.item_id in known and (h := host_of(i.link))
    }
    ids = set(new)
    sites: list[str] = []
    for item in feed.items:
        if item.item_id not in ids:
            continue
        host = host_of(item.link)
        site = site_of(host) if host else ""
        if not site or site in home:
            return []
        if site not in sites:
            sites.append(site)
    return sites


def _new_item_hold(
    spec: SourceSpec, feed: FeedContent, known: Mapping[str, str], new: Sequence[FeedItem]
) -> tuple[str, str] | None:
    """The review rules for the new items themselves: (reason, note) when one links to a
    lookalike of the source's site (``foreign_links``) or has neither title nor text (a
    title that was markup only, a <script>: nothing to tell, and no news to lose either)
    where the items it knows have them (a feed of bare links is told as ever)."""
    foreign = foreign_links(spec, feed, known, new)
    if foreign:
        return FOREIGN_LINK, ", ".join(foreign)
    if any(_empty(i) for i in new) and any(not _empty(i) for i in feed.items if i.item_id in known):
        return EMPTY_ITEM, "a new item without title or text"
    return None


def _empty(item: FeedItem) -> bool:
    return not (item.title or item.text or item.teaser)


def foreign_links(
    spec: SourceSpec, feed: FeedContent, known: Mapping[str, str], new: Sequence[FeedItem]
) -> list[str]:
    """The review rule for a new item that links away from the source's site to a host made
    to pass for it: the hosts of the ``new`` items' links that are of another registrable
    domain than the source's address and every link of the items the feed carried before
    (those of this version it knows, ``known``), and look like one of them
    (``feeds.sites.lookalike``: "fhi-no.info" in FHI's feed, punycode). A feed whose items
    link to several sites is held only for a host that imitates one; another authority's
    own site (regjeringen.no in a county governor's feed) is news as any item."""
    hosts = {host_of(spec.url)} | {
        host_of(i.link) for i in feed.items if i.item_id in known and i.link
    }
    hosts.discard("")
    found = []
    for item in new:
        host = host_of(item.link)
        if host and host not in found and lookalike(host, hosts):
            found.append(host)
    return found


def teasers_rewritten(
    seen: Mapping[str, SeenItem],
    feed: FeedContent,
    known: Mapping[str, str],
    reported: Set[str],
    share: float,
) -> tuple[int, int] | None:
    """The review rule for a listing's teasers: (items whose teaser was reported edited,
    items whose teaser is known before and now) when the first are at least
    ``ITEMS_REWRITTEN_MIN_ITEMS`` and more than ``share`` of the second; None: not held. A site
    that rewrites every intro at once (an author line added, another template) is one layout
    change for staff to look at, never an alert per item; an edit of one or a few teasers is
    news as ever. ``share`` 0 or 1 or more: the rule is off (as ``feed_replaced``)."""
    if not 0 < share < 1:
        return None
    shown = rewritten = 0
    for item in feed.items:
        key = known.get(item.item_id)
        if key is None or not item.teaser or not seen[key].teaser:
            continue
        shown += 1
        if item.item_id in reported and new_teaser(seen[key], item):
            rewritten += 1
    if rewritten < ITEMS_REWRITTEN_MIN_ITEMS or rewritten <= share * shown:
        return None
    return rewritten, shown


def items_rewritten(
    last: Sequence[str], item_changes: Sequence[ItemChange], share: float
) -> int | None:
    """The review rule for a feed whose items are edited all at once: how many of the last
    version's items (``last``: those with a title or text) were reported edited, when they
    are at least ``ITEMS_REWRITTEN_MIN_ITEMS`` and more than ``share`` of them; None: not held.
    Every item rewritten in one check is the feed's language edition or template changing
    (the site's English news served in the Norwegian feed, a new text template), one thing
    for staff to look at, never an alert per item; an edit of one or a few items is news as
    ever. ``share`` 0 or 1 or more: the rule is off (as ``feed_replaced``)."""
    if not 0 < share < 1 or len(last) < ITEMS_REWRITTEN_MIN_ITEMS:
        return None
    edited = sum(1 for c in item_changes if c.kind == "changed")
    if edited < ITEMS_REWRITTEN_MIN_ITEMS or edited <= share * len(last):
        return None
    return edited


def feed_replaced(
    last: Sequence[str],
    current: Sequence[str],
    new: Sequence[str],
    share: float,
    through: bool = True,
) -> int | None:
    """The review rule for feeds (and listings and change logs): how many items of the last
    version a new version replaced, when that is more than ``share`` of them; None: not held.

    ``last`` are the item identities of the last version in its order, ``current`` those of
    this one in the feed's order, ``new`` those never seen before. Replaced = min(items of the
    last version gone, new items): items that just leave, or new items that just arrive,
    replace nothing. Never held: a last version of fewer than ``FEED_REPLACED_MIN_ITEMS``
    items; new items added at one end of a feed that keeps its newest N items and pushes as
    many old ones out at the other end (news as ever): every new item stands above every item
    kept, and every item gone stood below every item kept in the last version (or the
    mirror image, for a feed listed oldest first). New items above the kept ones while items
    went from above them too is no busy day: the items were replaced (re-keyed, another feed);
    nor is it where ``through`` is False (the new items are another site's: ``elsewhere``).
    ``share`` 0 or 1 or more (the rule is off)."""
    if not 0 < share < 1 or len(last) < FEED_REPLACED_MIN_ITEMS or not new:
        return None
    now = set(current)
    gone = [k for k in last if k not in now]
    replaced = min(len(gone), len(new))
    if replaced <= share * len(last):
        return None
    kept = [k for k in last if k in now]
    if through and kept and _pushed_through(last, current, new, kept, gone):
        return None
    return replaced


def _pushed_through(
    last: Sequence[str],
    current: Sequence[str],
    new: Sequence[str],
    kept: Sequence[str],
    gone: Sequence[str],
) -> bool:
    """New items came in at one end and as many old ones left at the other."""
    now = {k: i for i, k in enumerate(current)}
    before = {k: i for i, k in enumerate(last)}
    new_at = [now[k] for k in new if k in now]
    kept_now = [now[k] for k in kept]
    kept_before = [before[k] for k in kept]
    gone_before = [before[k] for k in gone]
    on_top = max(new_at) < min(kept_now) and (
        not gone_before or min(gone_before) > max(kept_before)
    )
    at_bottom = min(new_at) > max(kept_now) and (
        not gone_before or max(gone_before) < min(kept_before)
    )
    return on_top or at_bottom


def feed_items(state: SnapshotState) -> int:
    """How many items a stored feed version had: its remembered items that are no bare
    tombstones (items that left the feed keep their digest only); at least one when its
    content digest is not that of an empty feed (items without title and text)."""
    live = sum(1 for s in state.seen.values() if s.live)
    return max(live, int(state.content_digest != EMPTY_FEED_DIGEST))


def _refuse_emptied(before: int, after: int) -> None:
    """A feed that lost every item in one check is a problem of the source, not news and not
    silence: the last version is kept (so nothing is new again when the items come back).
    Written on counts, so a drop to a small share can be refused here too."""
    if after == 0 and before >= EMPTIED_MIN_ITEMS:
        raise FeedEmptied(
            f"the feed had {before} item(s) and now has none: kept the last version; the "
            "source counts as failing until its items come back",
            before=before,
        )


def _refuse_error_item(seen: Mapping[str, SeenItem], feed: FeedContent) -> None:
    """A feed whose items were replaced by one item that is an error notice (its generator
    failed: "Feil ved henting av innhold ... Prøv igjen senere", blind round 213) is a problem
    of the source, as an emptied feed is: the last version is kept, nothing is told."""
    if len(feed.items) != 1 or feed.items[0].item_id in seen:
        return
    live = sum(1 for s in seen.values() if s.live)
    item = feed.items[0]
    if live >= ERROR_ITEM_MIN_BEFORE and error_notice(
        f"{item.title}. {item.summary} {item.content}"[:_ERROR_ITEM_CHARS]
    ):
        raise SourceProblem(
            f"the feed's only item is an error notice («{item.title[:80]}») where "
            f"{live} item(s) were: kept the last version"
        )


#: the fewest items a feed had before one error notice replaced them (``_refuse_error_item``),
#: and how much of that item is read
ERROR_ITEM_MIN_BEFORE = 2
_ERROR_ITEM_CHARS = 1_000


def _refuse_texts_lost(
    seen: Mapping[str, SeenItem], feed: FeedContent, known: Mapping[str, str], by_text: bool
) -> None:
    """A feed whose items all lost their text at once (every description replaced by a bare
    "Les meir" / "Read more", a label read as no text, or left out), at least
    ``TEXTS_LOST_MIN_ITEMS`` of them, is a problem of the source, as a feed that lost its
    items is (``_refuse_emptied``): the last version is kept, so nothing is announced again
    when the texts come back, and the source counts as failing meanwhile. Not a hold for
    review (``teasers_rewritten``): those texts were rewritten into other text, a template
    change staff may accept; these are gone. One or a few items losing their text among
    items that keep theirs are edits, reported as ever. Asked of the readers whose items
    carry a text of their own (``by_text``, ``ItemReader.match_by_text``: RSS and Atom), not
    of a listing's links or a change log's rows."""
    if not by_text:
        return
    had = lost = 0
    for item in feed.items:
        key = known.get(item.item_id)
        if key is None or not (seen[key].summary or seen[key].content):
            continue
        had += 1
        if item.summary or item.content:
            return
        lost += 1
    if lost >= TEXTS_LOST_MIN_ITEMS and lost == had:
        raise SourceProblem(
            f"every item of the feed lost its text ({lost} of {had}: a bare link label or "
            "none): kept the last version; the source counts as failing until the texts "
            "come back"
        )


def _item_change(spec: SourceSpec, change: ItemChange) -> DetectedChange:
    item = change.item
    # a listing's item: its teaser, which a change of it alone must tell apart
    teaser = (item.teaser,) if item.teaser else ()
    after_teaser = f"\n{item.teaser}" if item.teaser and change.kind == "new" else ""
    return DetectedChange(
        fingerprint=_fingerprint(
            spec.key,
            "item",
            item.item_id,
            change.kind,
            item.digest,
            *item.enclosures,
            *teaser,
            *(("returned",) if change.returned else ()),
        ),
        kind=change.kind,
        title=item.title or spec.name,
        url=item.link or spec.url,
        summary=item.summary or item.teaser or "",
        before=(
            f"{change.before_title}\n{change.before_text}{change.before_teaser}"
            f"{change.before_files}"
        ).strip(),
        after=(
            f"{item.title}\n{item.text}{change.after_teaser or after_teaser}{change.after_files}"
        ).strip(),
        segments=change.segments,
        published=item.updated or item.published,
    )


def _withdrawn_change(spec: SourceSpec, key: str, item: SeenItem) -> DetectedChange:
    """An item withdrawn from the feed (``withdrawn``, gone at two checks in a row): told as
    removed, with what it said and the link it had (the source's address where it had none,
    or was stored before links were remembered)."""
    said = f"{item.title}\n{item.text}".strip()
    return DetectedChange(
        fingerprint=_fingerprint(spec.key, "item", key, "removed", item.digest),
        kind="removed",
        title=item.title or spec.name,
        url=item.link or spec.url,
        summary=item.summary[:600],
        before=said,
        after="",
        segments=word_diff(said, ""),
        published=None,
    )


#: what a check found when the body is the one stored (and its sections' versions are
#: recorded as lasted already)
_SAME_BODY = Detection("unchanged", None, note="same body")


def _same_body(previous: SnapshotState) -> Detection:
    """A check that fetched the body stored last: nothing to store, unless the sections'
    versions are now seen in two checks in a row (``history.lasted``) for the first time;
    then the state is stored again with its history marked."""
    if previous.page is None or not previous.history:
        return _SAME_BODY
    marked = mark_lasted(previous.history)
    if marked == previous.history:
        return _SAME_BODY
    return Detection("unchanged", replace(previous, history=marked), note="same body", refresh=True)


def _detect_page(
    spec: SourceSpec,
    page: PageContent,
    raw: str,
    previous: SnapshotState | None,
    accept_collapse: str | None,
    parts: Parts,
    rules: HoldRules = DEFAULT_RULES,
) -> Detection:
    if previous is None or previous.page is None:
        history = section_history({}, page)
        state = SnapshotState(spec.kind, raw, page.digest, page=page, history=history, parts=parts)
        return Detection(
            "new", state, baseline=True, note=f"baseline: {len(page.sections)} sections"
        )
    history = section_history(previous.history, page, previous.page)
    state = SnapshotState(spec.kind, raw, page.digest, page=page, history=history, parts=parts)
    if previous.version != EXTRACTION_VERSION:
        note = f"re-baselined: extraction version {previous.version} -> {EXTRACTION_VERSION}"
        return Detection("unchanged", state, note=note, refresh=True)
    if previous.page.digest == page.digest:
        # Same text: a new publisher date alone is stored (it is a hint), never reported;
        # so are the parts' new validators (the next check asks with them).
        refresh = previous.page.updated != page.updated or previous.parts != parts
        # seen in two checks in a row: the version lasted (``history.lasted``)
        marked = mark_lasted(history)
        if marked != history:
            state = replace(state, history=marked)
            refresh = True
        return Detection(
            "unchanged", state, note="same content, other markup or noise", refresh=refresh
        )
    _refuse_other_language(previous.page, page)
    _refuse_takeover(previous.page, page)
    collapsed = _collapse_check(previous.page, page, accept_collapse)
    found = diff_pages(previous.page, page)
    fresh = [c for c in found if not seen_before(previous.history, c)]
    published = _signal_time(page.updated)
    changes = tuple(_section_change(spec, page, c, published) for c in subtrees_as_one(fresh))
    if not changes:
        note = (
            "sections reordered or set in other typography"
            if not found
            else "returned to a recent version"
        )
        return Detection("unchanged", state, note=note, refresh=True)
    note = f"{len(changes)} section(s)"
    if collapsed:
        note += f"; held for review: {MASS_DELETION} (confirmed on a second check)"
        return Detection("changed", state, changes, held_reason=MASS_DELETION, note=note)
    if language_variant(previous.page, page):
        note += f"; held for review: {LANGUAGE_VARIANT} (bokmål and nynorsk swapped)"
        return Detection("changed", state, changes, held_reason=LANGUAGE_VARIANT, note=note)
    measured = most_replaced(previous.page, page, fresh, rules.replaced_share)
    if measured is not None:
        replaced, words = measured
        share = f"{100 * replaced / words:.0f} % of {words} words replaced"
        note += f"; held for review: {MOST_REPLACED} ({share})"
        return Detection("changed", state, changes, held_reason=MOST_REPLACED, note=note)
    if other_article(previous.page, page):
        note += f"; held for review: {OTHER_ARTICLE} (no heading or section in common)"
        return Detection("changed", state, changes, held_reason=OTHER_ARTICLE, note=note)
    if (cases := other_case(previous.page, page)) is not None:
        number = f"the title and the case number {cases[0]} -> {cases[1]}"
        note += f"; held for review: {OTHER_ARTICLE} ({number})"
        return Detection("changed", state, changes, held_reason=OTHER_ARTICLE, note=note)
    if (sites := other_site(previous.page, page)) is not None:
        note += f"; held for review: {OTHER_SITE} (the title's site {sites[0]!r} -> {sites[1]!r})"
        return Detection("changed", state, changes, held_reason=OTHER_SITE, note=note)
    return Detection("changed", state, changes, note=note)


def _refuse_takeover(before: PageContent, after: PageContent) -> None:
    """A page taken over by advertising for casinos, pills or loans (blind round 226: the title
    and every section replaced by "Beste casino på nett 2026 …") is the hijacked site's, not a
    version of the page: a source problem, the last version kept, as a block of spam links
    is (``feeds.read.html._refuse_spam_links``). Only where every section was replaced, the
    new page's heads name such offers and its text names them at least ``_TAKEOVER_WORDS``
    times, and the last version named none: a page on gambling addiction keeps its title."""
    if not _every_section_replaced(before, after):
        return
    heads = " ".join([after.title, *(s.path[0] for s in after.sections if s.path)])
    if SPAM_WORDS.search(heads) is None:
        return
    said = sum(1 for s in after.sections for _ in SPAM_WORDS.finditer(s.text))
    was = " ".join([before.title, *(s.text for s in before.sections)])
    if said >= _TAKEOVER_WORDS and SPAM_WORDS.search(was) is None:
        raise SourceProblem(
            "the page's title and text advertise casino, pills or loans where the page had "
            "none of it: the site looks hijacked; kept the last version"
        )


#: how many times a taken-over page names the offers at least (``_refuse_takeover``)
_TAKEOVER_WORDS = 3


def _refuse_other_language(before: PageContent, after: PageContent) -> None:
    """A page written in Norwegian (``written_standard``) served in another language, every
    section replaced (blind rounds 178 and 204: a language negotiation gone wrong serves the
    English or the Polish translation at the Norwegian address) is no new version of it:
    a source problem, the last version kept, until the Norwegian page is back. A source
    that is in English from its first check is read as it is; bokmål served for nynorsk is
    held (``language_variant``)."""
    if not _every_section_replaced(before, after) or not written_standard(before):
        return  # the cheap test first: most changes keep a section
    words = list(_page_words(after))
    if len(words) < _FOREIGN_MIN_WORDS:
        return
    norwegian = sum(1 for w in words if w in _NORWEGIAN_WORDS)
    if norwegian <= _FOREIGN_SHARE * len(words):
        raise SourceProblem(
            "the page came in another language than Norwegian (a translation served at the "
            "Norwegian address?): kept the last version; the source counts as failing until "
            "the Norwegian page is back"
        )


def other_article(before: PageContent, after: PageContent) -> bool:
    """The review rule for an address that serves another article (a CMS's mix-up): every
    section replaced (none of the last version's stands unchanged) and not one heading in
    common, the h1 included (folded, ``fold``, their numbers left out: "Ukerapport uke 48"
    and "Ukerapport uke 49" are one heading of a weekly page), where the last version had
    at least ``OTHER_ARTICLE_MIN_HEADINGS`` and the new one two. A page too short for
    ``most_replaced`` (which holds a longer one first) is held too: a new h1 over new
    sections is no edit. A page whose h1 stays, or that keeps a section or a subheading,
    was rewritten, and is reported."""
    if not _every_section_replaced(before, after):
        return False
    old = {_NUMBERS.sub("", fold(h)) for s in before.sections for h in s.path}
    if len(old) < OTHER_ARTICLE_MIN_HEADINGS:
        return False
    new = {_NUMBERS.sub("", fold(h)) for s in after.sections for h in s.path}
    return len(new) >= 2 and old.isdisjoint(new)


def other_case(before: PageContent, after: PageContent) -> tuple[str, str] | None:
    """The review rule for an address that serves another document of the same kind (blind
    round 292: another consultation, "forskrift om fastlegeordning" as "pasientjournalloven",
    under the same subheadings and with the same list of consultation bodies): the h1
    another and the document's case number another ("Vår referanse: 26/412" -> "26/733").
    A consultation renamed keeps its case number; a case number corrected keeps its title.
    The two case numbers when held, else None."""
    old, new = _h1(before), _h1(after)
    if not old or not new or _NUMBERS.sub("", fold(old)) == _NUMBERS.sub("", fold(new)):
        return None
    was, now = _case_number(before), _case_number(after)
    if was is None or now is None or was == now:
        return None
    return was, now


#: a document's case number after its label ("Vår referanse: 26/412", "Saksnr.: 2026/1234-5",
#: "Vår ref. 26/733"), the label and the number on one line or two
_CASE_NUMBER = re.compile(
    r"\b(?:vår referanse|vår ref\.?|vårt saksnummer|saksnummer|saksnr\.?|sak nr\.?)"
    r"\s{0,3}:?\s{0,3}(\d{2,4}/\d{1,7}(?:-\d{1,4})?)(?!\d)",
    re.I,
)


def _case_number(page: PageContent) -> str | None:
    """The first case number a page states in its first sections, or None."""
    for section in page.sections[:_CASE_SECTIONS]:
        found = _CASE_NUMBER.search(section.text[:_CASE_CHARS])
        if found:
            return found[1]
    return None


#: where a page states its case number: in its first sections, near their start
_CASE_SECTIONS, _CASE_CHARS = 4, 2000


def _h1(page: PageContent) -> str:
    """A page's first heading, '' without one."""
    return next((s.path[0] for s in page.sections if s.path), "")


def other_site(before: PageContent, after: PageContent) -> tuple[str, str] | None:
    """The review rule for an address that serves the same page of another site (a CMS
    shared by several municipalities serving one's page at the other's address: "Legevakt -
    Voss herad" as "Legevakt - Ulvik herad", with Ulvik's numbers and address, blind round
    258): the title's page part the same and its site part (after the last " - ", " | ")
    another name, the old name said in the old text and gone from the new, and the new name
    in the new text and not in the old. A site renamed in its titles only, or a title whose
    last part is a date or a week, is not held. The two names when held, else None."""
    old, new = _title_site(before.title), _title_site(after.title)
    if old is None or new is None or old[0] != new[0] or old[1] == new[1]:
        return None
    was = fold(" ".join(s.text for s in before.sections))
    now = fold(" ".join(s.text for s in after.sections))
    if old[1] in was and old[1] not in now and new[1] in now and new[1] not in was:
        return old[1], new[1]
    return None


#: a title's last separator before the site's name ("Legevakt - Voss herad", "Vaksine | FHI")
_TITLE_SITE = re.compile(r"^(.{1,200}?)\s[-–—|·]\s(?!.*\s[-–—|·]\s)([^\d]{3,60})$")


#: the longest title read for its site's name (a page part and a name fit in it)
_TITLE_SITE_MAX = 300


def _title_site(title: str) -> tuple[str, str] | None:
    """A title's page part and its site's name, folded; None without both (or with a
    number in the site part: "Ukerapport - uke 48" names a week)."""
    if len(title) > _TITLE_SITE_MAX:
        return None
    found = _TITLE_SITE.match(title.strip())
    if found is None:
        return None
    return fold(found[1]), fold(found[2])


def _every_section_replaced(before: PageContent, after: PageContent) -> bool:
    """Whether none of the last version's sections stands unchanged in the new one."""
    kept = {s.digest for s in after.sections}
    return not any(s.digest in kept for s in before.sections)


def language_variant(before: PageContent, after: PageContent) -> bool:
    """The review rule for a page served in the other written standard: every section
    replaced (none of the last version's sections stands unchanged) and the page's text
    written in bokmål one version and in nynorsk the other (``written_standard``). A CMS's
    language fallback flipping serves a translation of the same notice; a program cannot
    tell a translation from a rewrite, so staff look before anyone is told."""
    if not _every_section_replaced(before, after):
        return False
    old, new = written_standard(before), written_standard(after)
    return bool(old and new) and old != new


def written_standard(page: PageContent) -> str:
    """ "nb" or "nn" when a page's text is told to be in bokmål or nynorsk by the words only
    one of them uses (at least ``_STANDARD_MIN_WORDS``, ``_STANDARD_MARGIN`` times the
    other's); '' when it is not (too little text, English, both)."""
    nb = nn = 0
    for word in _page_words(page):
        if word in _BOKMAL_WORDS:
            nb += 1
        elif word in _NYNORSK_WORDS:
            nn += 1
    if nb >= _STANDARD_MIN_WORDS and nb >= _STANDARD_MARGIN * nn:
        return "nb"
    if nn >= _STANDARD_MIN_WORDS and nn >= _STANDARD_MARGIN * nb:
        return "nn"
    return ""


def _page_words(page: PageContent) -> Iterator[str]:
    """The words of a page, lower-cased: each section's heading and text."""
    for section in page.sections:
        yield from _WORD.findall(f"{' '.join(section.path[-1:])} {section.text}".lower())


def most_replaced(
    before: PageContent, after: PageContent, changes: Sequence[SectionChange], share: float
) -> tuple[int, int] | None:
    """The review rule for pages: (words replaced, words of the last version) when the
    reported ``changes`` replace more than ``share`` of the last version's words; None: not
    held.

    Words are runs of non-space characters. Of the reported section changes' word diffs,
    removed = the words in their removed pieces (a removed section: all its words), added = the
    words in their added pieces; replaced = min(removed, added), so a pure deletion (the
    collapse rule's) or a pure addition replaces nothing; but all that was removed where what
    was added is at least ``1 - share`` of it (text swept away for less of another). The
    share is replaced / the words of every section text of the last version. Never held: a
    last version of fewer than ``REPLACED_MIN_WORDS`` words; ``share`` 0 or 1 or more (the
    rule is off).

    Cheap in the common case: the sections of the last version that did not come through
    unchanged are a lower bound of its words, and only when the replaced words exceed the
    share of that bound are the unchanged sections' texts read and counted."""
    if not 0 < share < 1:
        return None
    removed = added = 0
    for change in changes:
        for kind, text in change.segments:
            if kind == "-":
                removed += len(text.split())
            elif kind == "+":
                added += len(text.split())
    replaced = min(removed, added)
    if replaced == 0:
        return None
    if added < removed and added >= (1 - share) * removed:
        # the text swept away for less of another (blind round 102: a subsidy's page served
        # under the preparedness page's title, 216 words out and 141 in): all it removed was
        # replaced; a deletion with a short note in its place is no replacement
        replaced = removed
    kept = {s.digest for s in after.sections}
    other = [s for s in before.sections if s.digest not in kept]
    bound = sum(len(s.text.split()) for s in other)
    if replaced <= share * bound:
        return None
    words = bound + sum(len(s.text.split()) for s in before.sections if s.digest in kept)
    if words < REPLACED_MIN_WORDS or replaced <= share * words:
        return None
    return replaced, words


def hold_after_outage(
    detection: Detection,
    last_success_at: datetime | None,
    last_checked_at: datetime | None,
    consecutive_errors: int,
    rules: HoldRules,
) -> Detection:
    """The review rule for a recovered source: the changes of a check that succeeds after the
    source failed continuously for at least ``rules.after_outage`` are held (unless another
    rule holds them already). The source's health as stored before this check: it failed
    every check since its last success (``consecutive_errors`` at least 1), and its last
    failed check (``last_checked_at``) came that long or longer after its last success. A
    baseline (no changes), a zero ``after_outage`` or a source that never succeeded holds
    nothing."""
    down = outage(last_success_at, last_checked_at, consecutive_errors)
    limit = rules.after_outage
    if not detection.changes or detection.held or down is None or limit <= timedelta(0):
        return detection
    if down < limit:
        return detection
    hours = down / timedelta(hours=1)
    note = f"{detection.note}; held for review: {AFTER_OUTAGE} (failed for {hours:.0f} h)"
    return replace(detection, held_reason=AFTER_OUTAGE, note=note)


def outage(
    last_success_at: datetime | None, last_checked_at: datetime | None, consecutive_errors: int
) -> timedelta | None:
    """How long a source has been failing, from its stored health: from its last success to
    its last (failed) check; None when its last check succeeded or it never succeeded."""
    if consecutive_errors < 1 or last_success_at is None or last_checked_at is None:
        return None
    return max(last_checked_at - last_success_at, timedelta(0))


def _signal_time(updated: str | None) -> datetime | None:
    if not updated:
        return None
    try:
        return datetime.fromisoformat(updated).replace(tzinfo=UTC)
    except ValueError:
        return None


def _collapse_check(before: PageContent, after: PageContent, accept: str | None) -> bool:
    old, new = before.text_length, after.text_length
    if old < COLLAPSE_MIN_CHARS or new >= old * COLLAPSE_RATIO:
        return False
    if accept == after.digest:
        return True
    raise ContentCollapse(
        f"the main content fell from {old} to {new} characters in one check; "
        "kept the last version (if it persists it is held for staff review)",
        digest=after.digest,
    )


def section_title(page_title: str, path: Sequence[str]) -> str:
    """What a reader sees for a changed section: the heading path, led by the page title
    unless the first heading already names the page ("Smittevern i sykehjem - Helsedirektoratet"
    with the path "Smittevern i sykehjem › Testing" reads "Smittevern i sykehjem › Testing")."""
    where = " › ".join(path)
    if not where:
        return page_title
    if path[0].casefold() in page_title.casefold():
        return where
    return f"{page_title}: {where}"


def _section_change(
    spec: SourceSpec, page: PageContent, change: SectionChange, published: datetime | None
) -> DetectedChange:
    return DetectedChange(
        fingerprint=_fingerprint(
            spec.key, "section", *change.path, change.before_digest, change.after_digest
        ),
        kind=change.kind,
        title=section_title(page.title or spec.name, change.path),
        url=spec.url,
        section=change.path,
        summary=(change.after or change.before)[:600],
        before=change.before,
        after=change.after,
        segments=change.segments,
        published=published,
    )


def _outcome(changes: tuple[DetectedChange, ...]) -> str:
    if any(c.kind == "new" for c in changes):
        return "new"
    return "changed" if changes else "unchanged"


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
