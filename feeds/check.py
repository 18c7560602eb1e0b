"""The check orchestrator: source -> fetch -> extract/diff (detect) -> classify -> store.

``check_sources`` runs one round. The sources' state is read in one query; they are fetched
concurrently (the fetcher enforces the per-host limits). The sources that show a new version
(a baseline, or changes) are stored after the fetches, up to ``STORE_BATCH`` of them per
transaction (fewer when their pages are long: ``STORE_BATCH_CHARS``); each source's snapshot,
changes and health are always in one transaction together (a batch that fails is stored again
source by source). The quiet outcomes (unchanged, error) are written in one bulk update at the
end of the round. Losing either to a crash only means those sources are checked again (their
body hash was not updated). A failure of one source is recorded on that source and never
stops the round.

The changes found are classified in the same batches, just before they are stored, not inside
each check: one classifier call after another keeps its tables (the model's weights, the
vocabulary's indexes, the word memos) in the CPU caches, where calls between fetches and
parses found them evicted (a call cost ~1.1 ms in a round against ~0.6 ms alone). With
detection processes and the chain's classifier (its ``portable`` stand-in,
``notifier.pipeline.classifier_for``), a page's changes are classified in the detection
process that found them, and come back tagged: the checking process only fetches and stores.
A failing classifier is a failure of that source's check only (a change it failed on in a
detection process is classified again here).

Detection (parsing a feed or a page, diffing) of a large body runs in a worker thread
(``INLINE_DETECT_BYTES``), so it never holds up the event loop for long.

Page changes wait for a re-check before anyone is told (feeds/detect/history.py): a source whose
changes wait is stored whatever its check found (the verdict on what waited is written with
it), except when it answered with the version fetched last before the wait is over, which is
a quiet outcome due again when the wait ends.

Documents and pages with ``follow_pdfs`` also fetch their linked parts (feeds/fetch/parts.py,
feeds/read/document.py) through the same Fetcher, on every check and without validators; a
part that fails is a problem of that part only (shown as the source's last error), never a
removal.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from feeds.catalogue import SourceSpec
from feeds.classify import Classification
from feeds.detect.detection import (
    DEFAULT_RULES,
    DetectedChange,
    Detection,
    HoldRules,
    detect,
    hold_after_outage,
    known_parts,
)
from feeds.detect.history import DEFAULT_CONFIRM, ConfirmRules, early_check, report_words
from feeds.detect.processes import DetectProcesses, tagged
from feeds.errors import ContentCollapse
from feeds.fetch.client import Fetcher, needs_full_fetch
from feeds.fetch.parts import fetch_linked
from feeds.read import reader_for
from feeds.store.snapshot import stored_state
from feeds.store.sources import (
    CheckTarget,
    apply_fields,
    count_checks,
    error_fields,
    health_times,
    load_targets,
    release_claims,
    success_fields,
)
from feeds.store.versions import (
    NewVersion,
    Recorded,
    Tagged,
    candidate_digest,
    latest_stored,
    record_versions,
)
from feeds.types import RECHECK_MARK, FetchResult, Linked, SnapshotState, Validators

log = logging.getLogger(__name__)

#: classifies one detected change of one source
Classifier = Callable[[SourceSpec, DetectedChange], Classification]
#: sources whose new versions are stored in one transaction at most
STORE_BATCH = 50
#: ... and the new versions held unstored are stored as soon as their page text passes this
#: many characters: a new 100 KB page's state holds ~0.4 MB until it is stored, so 50 of them
#: (a first round, a re-baseline) raised a worker's peak RSS by ~20 MB; at ~20 pages a batch
#: the transactions stay few (bench.scale)
STORE_BATCH_CHARS = 2_000_000
#: Detection (parsing and diffing) of more than this many bytes (the body and its linked
#: parts) runs in a worker thread, so the event loop that every fetch and the service share
#: never waits seconds for it (a 10 MB feed is ~10 s of feedparser); a smaller one runs on the
#: loop, where it costs milliseconds (~7 ms for a 100 KB page parsed afresh, ~0.2 s for 256 KB
#: of the slowest well-formed feed markup) and no thread hand-off: with every page in a
#: thread, bench.check_round took 7-15 % more wall time and ~15 % more CPU per page.
INLINE_DETECT_BYTES = 256 * 1024
#: Two threads, so one very large document does not hold up the others; more would only
#: contend for the GIL, which parsing holds most of the time.
DETECT_WORKERS = 2
#: fetched bodies waiting to be read, in bytes, past which no new fetch starts (``_Round.room``)
BACKLOG_BYTES = 8 * 1024 * 1024
_DETECT_POOL = ThreadPoolExecutor(max_workers=DETECT_WORKERS, thread_name_prefix="detect")


@dataclass(frozen=True)
class CheckReport:
    key: str
    outcome: str  # new | changed | unchanged | error
    changes: int = 0
    detail: str = ""


class _Ticket:
    """Stands for a report until the new version it belongs to is stored (hashed by
    identity); the new version itself is dropped once stored, so a round never holds more
    than ``STORE_BATCH`` page states."""


@dataclass
class _Round:
    engine: Engine
    fetcher: Fetcher
    classifier: Classifier
    now: Callable[[], datetime]
    rules: HoldRules = DEFAULT_RULES
    confirm: ConfirmRules = DEFAULT_CONFIRM
    #: the detection processes (feeds/detect/processes.py); None: detection in this process
    processes: DetectProcesses | None = None
    #: the classifier that runs in a detection process in ``classifier``'s stead (its
    #: ``portable`` attribute); None: changes are classified here
    portable: Classifier | None = None
    quiet: list[dict[str, Any]] = field(default_factory=list)
    #: new versions found and not stored yet; stored ``STORE_BATCH`` at a time (or sooner,
    #: ``STORE_BATCH_CHARS``)
    found: list[tuple[_Ticket, NewVersion]] = field(default_factory=list)
    #: characters of page text in ``found``
    held_chars: int = 0
    stored: dict[_Ticket, CheckReport] = field(default_factory=dict)
    #: seconds each source's fetch took (its parts included), by source id
    fetch_seconds: dict[int, float] = field(default_factory=dict)
    #: bytes of fetched bodies not read yet (waiting for, or in, detection)
    backlog: int = 0
    _drained: asyncio.Condition | None = None

    async def room(self) -> None:
        """Wait before a request (inside its host's slot, ``Fetcher.fetch``'s ``ready``)
        while the bodies fetched and not read yet pass ``BACKLOG_BYTES``: fetching outruns
        detection in processes, and a round of 1,000 sources would otherwise hold every body
        it fetched (~100 MB in bench.check_round). Only detections in processes count: they
        fetch nothing, so the wait always ends (a document's parts are fetched inside its
        detection in this process, never waiting here)."""
        if self.backlog <= BACKLOG_BYTES:
            return
        if self._drained is None:
            self._drained = asyncio.Condition()
        async with self._drained:
            await self._drained.wait_for(lambda: self.backlog <= BACKLOG_BYTES)

    @contextlib.asynccontextmanager
    async def waiting(self, result: FetchResult) -> AsyncIterator[None]:
        """A fetched body in the backlog while it is read."""
        self.backlog += len(result.body)
        try:
            yield
        finally:
            self.backlog -= len(result.body)
            if self._drained is not None:
                async with self._drained:
                    self._drained.notify_all()

    def add(self, found: NewVersion) -> _Ticket:
        ticket = _Ticket()
        self.found.append((ticket, found))
        state = found.detection.state
        if state is not None and state.page is not None:
            self.held_chars += state.page.text_length
        if len(self.found) >= STORE_BATCH or self.held_chars >= STORE_BATCH_CHARS:
            self.flush()
        return ticket

    def flush(self) -> None:
        batch, self.found, self.held_chars = self.found, [], 0
        ready: list[tuple[_Ticket, NewVersion]] = []
        for ticket, found in batch:
            if _all_tagged(found):  # classified in its detection process
                ready.append((ticket, found))
                continue
            try:
                spec, changes = found.target.spec, found.detection.changes
                tags = [tagged(self.classifier, spec, c) for c in changes]
            except Exception as exc:  # noqa: BLE001 - the orchestrator records every failure
                self.stored[ticket] = _failed(self, found.target, exc)
                continue
            ready.append((ticket, replace(found, tags=tags)))
        reports = _store_found(self, [f for _, f in ready])
        self.stored.update(zip((t for t, _ in ready), reports, strict=True))


async def check_sources(
    engine: Engine,
    fetcher: Fetcher,
    source_ids: Sequence[int],
    classifier: Classifier,
    now: Callable[[], datetime],
    rules: HoldRules = DEFAULT_RULES,
    confirm: ConfirmRules = DEFAULT_CONFIRM,
    claim: str | None = None,
    processes: DetectProcesses | None = None,
) -> list[CheckReport]:
    """Check these sources once; one report per source, in the order given. ``rules`` are
    the review rules: which new versions are stored held for staff review; ``confirm`` says
    whether page changes wait for a re-check, and how long. ``claim``: the worker that
    claimed the sources (``claim_due``); its claims are released with the round's last
    write, when every source's next check time is stored. ``processes``: where detection
    runs (feeds/detect/processes.py); None: in this process."""
    if processes is not None:
        # started before the round's fetches, and off the event loop: the first start waits
        # for the fork server to import the readers and the classifier (~1 s, more on a busy
        # machine); started at the round's first detection, on the loop, it held up every fetch
        # in flight past its timeout. A start that fails is each detection's problem, as before.
        with contextlib.suppress(Exception):
            await asyncio.to_thread(processes.start)
    with Session(engine) as session:
        targets = load_targets(session, source_ids)
    portable = getattr(classifier, "portable", None) if processes is not None else None
    round_ = _Round(engine, fetcher, classifier, now, rules, confirm, processes, portable)
    outcomes = await asyncio.gather(*(_check(round_, t) for t in targets))
    round_.flush()
    reports = [o if isinstance(o, CheckReport) else round_.stored[o] for o in outcomes]
    seconds = [round_.fetch_seconds.get(t.id, 0.0) for t in targets]
    with Session(engine) as session:
        apply_fields(session, round_.quiet)
        history = [
            (t.id, rep.outcome == "error", s)
            for t, rep, s in zip(targets, reports, seconds, strict=True)
        ]
        count_checks(session, history, now())
        if claim is not None:
            release_claims(session, source_ids, claim)
        session.commit()
    for rep, s in zip(reports, seconds, strict=True):
        _log_check(rep, s)
    return reports


def _log_check(report: CheckReport, seconds: float) -> None:
    """One line per check (issue 12): the source, its outcome, the changes found and the
    fetch time; as JSON fields when ``NOTIFIER_LOG_FORMAT=json``. No personal data."""
    failed = report.outcome == "error"
    if not log.isEnabledFor(logging.WARNING if failed else logging.INFO):
        return  # as log.info would, before the fields are made (a round logs every source)
    fields: dict[str, object] = {
        "source": report.key,
        "outcome": report.outcome,
        "changes": report.changes,
        "fetch_seconds": round(seconds, 4),
    }
    if failed:  # the reason, once: _failed does not log it again
        log.warning("check failed: %s", report.detail, extra=fields)
    else:
        log.info("checked", extra=fields)


#: what a check found when the body is the one stored (frozen: one for every such check)
_NOT_MODIFIED = Detection("unchanged", None, note="not modified")


async def _check(r: _Round, target: CheckTarget) -> CheckReport | _Ticket:
    spec = target.spec
    known = target.body_hash
    # Documents and pages with PDF attachments check their parts on every check (each part
    # conditionally): a chapter may change while its table of contents stays the same. A
    # page with attachments is fetched whole (its own sections come from its body).
    reader = reader_for(spec)
    multi = reader.follows_links(spec)
    # a feed version with a withdrawal to confirm is read whole at the next check, whatever
    # the server would answer to a conditional request (``marked_for_recheck``)
    recheck = known is not None and known.startswith(RECHECK_MARK)
    conditional = bool(known) and not recheck and reader.conditional(spec)
    force_full = needs_full_fetch(
        target.last_full_fetch_at, r.now(), r.fetcher.policy.full_fetch_every
    )
    started = time.perf_counter()
    try:
        result = await r.fetcher.fetch(
            spec.url,
            Validators(target.etag, target.last_modified) if conditional else None,
            force_full=force_full,
            ready=r.room if r.processes is not None else None,
        )
        r.fetch_seconds[target.id] = time.perf_counter() - started
        raw = result.body_hash if not result.not_modified else known
        same = not multi and not recheck and (result.not_modified or raw == known)
        tags: Sequence[Tagged] = ()
        if same:
            detection = _NOT_MODIFIED
        else:
            detection, tags = await _detect(r, target, result, force_full)
    except Exception as exc:  # noqa: BLE001 - the orchestrator records every failure
        return _failed(r, target, exc)
    answered = result.validators  # a property: a new Validators each time it is read
    validators = (answered.etag, answered.last_modified)
    now = r.now()
    waiting = target.pending_since is not None
    if waiting and same and (due := early_check(target.pending_since, now, r.confirm)):
        # the version whose changes wait, seen again before the wait is over: due again then
        fields = success_fields(
            target, "changed", validators, raw, now, (), _full(result), next_check_at=due
        )
        r.quiet.append(target.changed(fields))
        return CheckReport(spec.key, "changed", 0, "pending confirmation")
    if not waiting and (
        detection.state is None
        or not (detection.changes or detection.baseline or detection.refresh)
    ):
        fields = success_fields(
            target, "unchanged", validators, raw, now, detection.problems, _full(result)
        )
        r.quiet.append(target.changed(fields))
        return CheckReport(spec.key, "unchanged", 0, _detail(detection))
    # its changes are classified with the rest of its batch, when stored (``_Round.flush``)
    return r.add(NewVersion(target, detection, tags, validators, now, _full(result), same, raw))


def _failed(r: _Round, target: CheckTarget, exc: Exception) -> CheckReport:
    pending = exc.digest if isinstance(exc, ContentCollapse) else None
    r.quiet.append(target.changed(error_fields(target, exc, r.now(), pending)))
    return CheckReport(target.spec.key, "error", 0, f"{type(exc).__name__}: {exc}")


def _store_found(r: _Round, found: Sequence[NewVersion]) -> list[CheckReport]:
    """Store the new versions of the round: snapshot, changes and health of each source
    together. Up to ``STORE_BATCH`` sources share a transaction and its statements (one
    insert of snapshots, one of changes, one health update, for the whole batch); when a
    batch fails, its sources are stored one transaction each, so one bad source costs only
    its own check."""
    reports: list[CheckReport] = []
    for start in range(0, len(found), STORE_BATCH):
        batch = found[start : start + STORE_BATCH]
        try:
            with Session(r.engine) as session:
                counts = record_versions(session, batch, confirm=r.confirm)
                session.commit()
        except Exception:  # noqa: BLE001 - retried source by source below
            log.warning("storing %d sources in one transaction failed; one by one", len(batch))
            reports.extend(_store_one_by_one(r, batch))
            continue
        reports.extend(_stored_report(f, n) for f, n in zip(batch, counts, strict=True))
    return reports


def _store_one_by_one(r: _Round, batch: Sequence[NewVersion]) -> list[CheckReport]:
    reports: list[CheckReport] = []
    for f in batch:
        try:
            with Session(r.engine) as session:
                [n] = record_versions(session, [f], confirm=r.confirm)
                session.commit()
        except Exception as exc:  # noqa: BLE001 - the orchestrator records every failure
            reports.append(_failed(r, f.target, exc))
            continue
        reports.append(_stored_report(f, n))
    return reports


def _stored_report(f: NewVersion, recorded: Recorded) -> CheckReport:
    words = report_words(recorded.verdict, recorded.pending)
    detail = "; ".join(w for w in (_detail(f.detection), *words) if w)
    return CheckReport(f.target.spec.key, recorded.outcome, recorded.stored, detail)


async def _detect(
    r: _Round, target: CheckTarget, result: FetchResult, force_full: bool
) -> tuple[Detection, Sequence[Tagged]]:
    """A body we have not seen (or a document's parts): load the last snapshot and compare.
    The parts are fetched conditionally with what the last snapshot knows of them. A source
    that failed its last check is asked for its health times too (the rule that holds the
    first changes after a long outage). With the changes, their classification when a
    detection process made it (``_Round.portable``; else none: classified when stored)."""
    spec = target.spec
    times = None
    accept = target.pending_digest
    with r.engine.connect() as conn:
        stored = latest_stored(conn, target.id)
        if target.consecutive_errors > 0:
            times = health_times(conn, target.id)
        if accept is None and target.pending_since is not None:
            # a collapse accepted once (its changes wait) is accepted by its re-check too
            accept = candidate_digest(conn, target.id)
    tags: Sequence[Tagged] = ()
    if r.processes is not None and not reader_for(spec).follows_links(spec):
        # unpacked and compared in a detection process; nothing else here needs the state
        async with r.waiting(result):
            detection, found = await r.processes.detect_tagged(
                spec, result, stored, accept, r.rules, r.portable
            )
        tags = found or ()
    else:
        detection = await _detect_here(r, spec, result, stored_state(stored), accept, force_full)
    if times is not None:
        # the same changes (held or not): their classification stands
        detection = hold_after_outage(detection, *times, target.consecutive_errors, r.rules)
    return detection, tags


async def _detect_here(
    r: _Round,
    spec: SourceSpec,
    result: FetchResult,
    previous: SnapshotState | None,
    accept: str | None,
    force_full: bool,
) -> Detection:
    """Detection in this process: the linked parts fetched first (a document's chapters,
    a page's PDF attachments), a large body read in a worker thread."""
    linked: list[Linked] = []
    if reader_for(spec).follows_links(spec):
        known = known_parts(previous)
        if result.not_modified and not known:
            # a table of contents not modified, but no parts on record (a snapshot from
            # before parts were kept): read it again to find them
            result = await r.fetcher.fetch(spec.url, None)
        linked = await fetch_linked(r.fetcher, spec, result, known, force_full)
    work = functools.partial(detect, spec, result, previous, accept, linked, r.rules)
    if detect_bytes(result, linked) <= INLINE_DETECT_BYTES:
        return work()
    return await asyncio.get_running_loop().run_in_executor(_DETECT_POOL, work)


def detect_bytes(result: FetchResult, linked: Sequence[Linked]) -> int:
    """What a detection parses: the body and the bodies of the linked parts."""
    parts = (part.result.body for part in linked if part.result is not None)
    return len(result.body) + sum(len(body) for body in parts)


def _full(result: FetchResult) -> bool:
    """An unconditional 200: the answer a wrong 304 could have hidden."""
    return result.status == 200 and not result.conditional


def _detail(detection: Detection) -> str:
    detail = detection.note  # says why when the version is held for review
    if detection.problems:
        detail += "; problems: " + "; ".join(detection.problems)
    return detail


def _all_tagged(found: NewVersion) -> bool:
    """Whether every change of the version came back classified from its detection process
    (the same change objects, in order); a version without changes needs no classifier."""
    changes, tags = found.detection.changes, found.tags
    return len(tags) == len(changes) and all(t[0] is c for t, c in zip(tags, changes, strict=True))
