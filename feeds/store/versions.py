"""New versions in the store: each source's snapshot, changes and health in one transaction
(``record_versions``), confirmation's verdicts carried out, the last confirmed state read back
(``latest_stored``), superseded snapshots and candidates pruned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col

from feeds.detect.detection import DetectedChange, Detection
from feeds.detect.history import (
    DEFAULT_CONFIRM,
    NO_VERDICT,
    PENDING,
    ConfirmRules,
    Pending,
    Verdict,
    judge,
    mark_lasted,
    next_check,
)
from feeds.detect.processes import Tagged as Tagged  # a change with its classification
from feeds.detect.story import WINDOW as STORY_WINDOW
from feeds.detect.story import StoryRef, story_key
from feeds.store.models import Change, Snapshot
from feeds.store.snapshot import StoredState, state_to_blob, stored_state
from feeds.store.sources import CheckTarget, apply_fields, success_fields
from feeds.types import SnapshotState

#: snapshots kept whole per source (the newest first); older ones are pruned
KEEP_SNAPSHOTS = 3


# The statements a check runs per changed source, built once: building one (its columns and
# comparisons) cost more than running it (~0.3 ms per changed source, bench.check_round).
_LATEST_STORED = (
    sa_select(col(Snapshot.packed_state), col(Snapshot.state))
    .where(col(Snapshot.source_id) == bindparam("source_id"), col(Snapshot.candidate) == False)  # noqa: E712
    .order_by(col(Snapshot.id).desc())
    .limit(1)
)
_CANDIDATE_DIGEST = (
    sa_select(col(Snapshot.content_digest))
    .where(
        col(Snapshot.source_id) == bindparam("source_id"),
        col(Snapshot.candidate) == True,  # noqa: E712
        col(Snapshot.packed_state).is_not(None),
    )
    .order_by(col(Snapshot.id).desc())
    .limit(1)
)


def latest_state(db: Session | Connection, source_id: int) -> SnapshotState | None:
    """The last stored (confirmed) state of a source."""
    return stored_state(latest_stored(db, source_id))


def latest_stored(db: Session | Connection, source_id: int) -> StoredState:
    """The last confirmed state of a source as it is stored: its packed column, or (a row from
    before migration 0004) its JSON column; read with Core, no ORM entity. A candidate (a
    version whose changes wait for a re-check, feeds/detect/history.py) is not confirmed: detection
    compares with the version before it."""
    row = db.execute(_LATEST_STORED, {"source_id": source_id}).first()
    if row is None:
        return None
    packed, state = row
    return bytes(packed) if packed is not None else state or None


def candidate_digest(db: Session | Connection, source_id: int) -> str | None:
    """The content digest of the source's candidate (the version whose changes wait), if any:
    a collapse that a check accepted once is accepted again by its re-check."""
    return db.execute(_CANDIDATE_DIGEST, {"source_id": source_id}).scalar()


def _prune_statements() -> tuple[Any, Any]:
    """``prune_snapshots``' two statements, built once (the sources and the number kept bound
    as parameters): building them (a window, two subqueries) cost ~0.6 ms a batch stored,
    twice what running them costs."""
    table = Snapshot.__table__  # type: ignore[attr-defined]
    changes = Change.__table__  # type: ignore[attr-defined]
    source_ids: Any = bindparam("source_ids", expanding=True)
    newest_first = sa.func.row_number().over(
        partition_by=table.c.source_id, order_by=table.c.id.desc()
    )
    ranked = (
        sa_select(table.c.id, newest_first.label("rank"))
        .where(table.c.source_id.in_(source_ids), table.c.candidate == False)  # noqa: E712
        .subquery()
    )
    superseded = sa_select(ranked.c.id).where(ranked.c.rank > bindparam("keep"))
    referenced = sa_select(changes.c.snapshot_id).where(changes.c.source_id.in_(source_ids))
    return (
        delete(table).where(table.c.id.in_(superseded), table.c.id.not_in(referenced)),
        update(table)
        .where(table.c.id.in_(superseded), table.c.packed_state.is_not(None))
        .values(packed_state=None, state={}),
    )


_PRUNE_DELETE, _PRUNE_EMPTY = _prune_statements()


def prune_snapshots(
    session: Session, source_ids: Sequence[int], keep: int = KEEP_SNAPSHOTS
) -> None:
    """Superseded snapshots of these sources, beyond each one's newest ``keep``: deleted, or,
    when changes still point at them, emptied of their state (the row stays for the change's
    reference). Two statements for any number of sources. Candidates are not counted (nor
    touched): ``retire_candidates`` looks after them."""
    if not source_ids:
        return
    params = {"source_ids": list(source_ids), "keep": keep}
    conn = session.connection()
    conn.execute(_PRUNE_DELETE, params)
    conn.execute(_PRUNE_EMPTY, params)


def retire_candidates(
    session: Session, source_ids: Sequence[int], keep: Sequence[int] = ()
) -> None:
    """The candidates of these sources, but for the snapshot ids in ``keep``, are done with (a
    newer candidate or a confirmed version replaced them): deleted, or, when changes point at
    them, emptied of their state; they stay candidates, so none ever passes for a confirmed
    version. Two statements for any number of sources."""
    if not source_ids:
        return
    table = Snapshot.__table__  # type: ignore[attr-defined]
    done = sa.and_(
        table.c.source_id.in_(source_ids),
        table.c.candidate == True,  # noqa: E712
        table.c.id.not_in(list(keep)),
    )
    referenced = sa_select(col(Change.snapshot_id)).where(col(Change.source_id).in_(source_ids))
    conn = session.connection()
    conn.execute(delete(table).where(done, table.c.id.not_in(referenced)))
    conn.execute(
        update(table)
        .where(done, table.c.packed_state.is_not(None))
        .values(packed_state=None, state={})
    )


# The statements of a batch stored, built once (as ``_LATEST_STORED``)
_KNOWN_FINGERPRINTS = sa_select(col(Change.fingerprint)).where(
    col(Change.fingerprint).in_(bindparam("fingerprints", expanding=True))
)
_INSERT_SNAPSHOTS = insert(Snapshot.__table__).returning(  # type: ignore[attr-defined]
    Snapshot.__table__.c.id,  # type: ignore[attr-defined]
    sort_by_parameter_order=True,
)
_INSERT_CHANGES = insert(Change.__table__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class NewVersion:
    """A check that found a new version of a source (a baseline, or changes), to be stored;
    or one of a source whose changes wait for confirmation (feeds/detect/history.py), which is
    stored whatever it found: ``same_as_last`` when the source answered with the version
    fetched last (a 304, the same body; ``detection`` then holds no state), ``body_hash`` the
    hash of the body fetched."""

    target: CheckTarget
    detection: Detection
    tags: Sequence[Tagged]
    validators: tuple[str | None, str | None]
    at: datetime
    full_fetch: bool = False
    same_as_last: bool = False
    body_hash: str | None = None


@dataclass(frozen=True)
class Recorded:
    """What storing one version did: the verb of the check, the changes stored (``pending``
    of them wait for a re-check), and the confirmation's verdict on those that waited."""

    outcome: str
    stored: int
    pending: int = 0
    verdict: Verdict = NO_VERDICT


def record_versions(
    session: Session,
    versions: Sequence[NewVersion],
    prune: bool = True,
    confirm: ConfirmRules = DEFAULT_CONFIRM,
) -> list[Recorded]:
    """Store new versions of sources: each one's snapshot, changes and health, in the
    caller's transaction, with one statement per kind of row for the whole batch (Core, no ORM
    entities). A fingerprint seen before (stored earlier, or earlier in the batch) is not
    raised again. Page changes wait for a re-check (``confirm``, feeds/detect/history.py): they are
    stored pending with their version as the source's candidate; what waited is confirmed
    (published, or held), kept or dropped in the same transaction, so a crash never loses a
    confirmed change nor lets an unconfirmed one out."""
    if not versions:
        return []
    waiting = _pending_of(session, [v.target.id for v in versions if v.target.pending_since])
    fingerprints = [c.fingerprint for v in versions for c, *_ in v.tags]
    known = set(
        session.execute(_KNOWN_FINGERPRINTS, {"fingerprints": fingerprints}).scalars()
    ) if fingerprints else set()  # fmt: skip
    plans: list[tuple[NewVersion, list[str], Verdict]] = []
    for v in versions:
        found = [c.fingerprint for c, *_ in v.tags]
        fresh = [f for f in dict.fromkeys(found) if f not in known]
        known.update(fresh)
        state = v.detection.state
        page = state is not None and state.page is not None
        pending = waiting.get(v.target.id, [])
        seen = None if v.same_as_last else found
        plans.append((v, fresh, judge(pending, seen, fresh, v.at, confirm, page)))
    conn = session.connection()
    # the versions whose state is stored (by position in ``plans``), and their snapshot ids
    stored = [i for i, (v, _, _) in enumerate(plans) if _keeps_state(v)]
    snapshot_ids = dict(
        zip(
            stored,
            conn.execute(
                _INSERT_SNAPSHOTS,
                [_snapshot_row(plans[i][0], plans[i][2]) for i in stored],
            ).scalars(),
            strict=True,
        )
    ) if stored else {}  # fmt: skip
    _resolve(session, plans, waiting, snapshot_ids)
    stories = _Stories(session, versions[0].at)
    rows: list[dict[str, Any]] = []
    results: list[Recorded] = []
    health: list[dict[str, Any]] = []
    for i, (v, fresh, verdict) in enumerate(plans):
        before = len(rows)
        held = v.detection.held_reason  # every change of a held version waits for review
        status = PENDING if verdict.wait else "held" if held else "published"
        new = set(fresh)
        for change, subtopics, regions, urgent, reasons in v.tags:
            if change.fingerprint not in new:
                continue
            new.discard(change.fingerprint)
            row = _change_row(change, subtopics, regions, urgent, reasons)
            row.update(
                source_id=v.target.id,
                snapshot_id=snapshot_ids[i],
                detected_at=v.at,
                status=status,
                held_reason=held,
                held_at=v.at if held and status != PENDING else None,
                story_key=stories.key_of(change, v.target.id, v.at),
            )
            rows.append(row)
        count = len(rows) - before
        result = Recorded(_outcome(v, count, verdict), count, count if verdict.wait else 0, verdict)
        results.append(result)
        health.append(_health(v, result, confirm))
    if rows:
        conn.execute(_INSERT_CHANGES, rows)
    apply_fields(session, health)
    if prune:
        prune_snapshots(session, [v.target.id for v in versions])
    return results


def _keeps_state(v: NewVersion) -> bool:
    """Whether a version's state is stored: a baseline, changes, or a state to refresh."""
    d = v.detection
    return d.state is not None and (bool(d.changes) or d.baseline or d.refresh)


def _pending_of(session: Session, source_ids: Sequence[int]) -> dict[int, list[Pending]]:
    """The changes of these sources that wait for confirmation, oldest first."""
    if not source_ids:
        return {}
    query = (
        sa_select(
            col(Change.id), col(Change.source_id), col(Change.fingerprint),
            col(Change.detected_at), col(Change.held_reason),
        )
        .where(col(Change.source_id).in_(source_ids), col(Change.status) == PENDING)
        .order_by(col(Change.id))
    )  # fmt: skip
    out: dict[int, list[Pending]] = {}
    for id_, source_id, fingerprint, seen_at, held_reason in session.execute(query):
        out.setdefault(source_id, []).append(Pending(id_, fingerprint, seen_at, held_reason))
    return out


def _resolve(
    session: Session,
    plans: Sequence[tuple[NewVersion, list[str], Verdict]],
    waiting: dict[int, list[Pending]],
    snapshot_ids: dict[int, int],
) -> None:
    """Carry out the verdicts on what waited: confirmed changes published (or held: a review
    rule applied when they were found, or applies to the version that confirms them), dropped
    ones deleted (nothing was told of them; their fingerprint may come back), and the
    candidates that are done with retired: when a source's candidate was confirmed as it was
    (a 304, the same body), it becomes the confirmed version itself."""
    conn = session.connection()
    changes = Change.__table__  # type: ignore[attr-defined]
    confirmed: list[dict[str, Any]] = []
    dropped: list[int] = []
    promoted: list[int] = []
    retired: list[int] = []
    keep: list[int] = []
    for i, (v, _, verdict) in enumerate(plans):
        reasons = {p.id: p.held_reason for p in waiting.get(v.target.id, [])}
        for change_id in verdict.confirmed:
            held = reasons[change_id] or v.detection.held_reason
            confirmed.append({
                "change_id_": change_id, "status": "held" if held else "published",
                "held_reason": held, "held_at": v.at if held else None, "confirmed_at": v.at,
            })  # fmt: skip
        dropped.extend(verdict.dropped)
        if not v.target.pending_since:
            continue  # it had no candidate
        if i in snapshot_ids:  # a newer version was stored: the old candidate is done
            retired.append(v.target.id)
            keep.append(snapshot_ids[i])
        elif not verdict.candidate:
            retired.append(v.target.id)
            if v.same_as_last and verdict.confirmed:
                promoted.append(v.target.id)
    if confirmed:
        conn.execute(
            update(changes)
            .where(changes.c.id == bindparam("change_id_"))
            .values(
                {k: bindparam(k) for k in ("status", "held_reason", "held_at", "confirmed_at")}
            ),
            confirmed,
        )
    if dropped:
        conn.execute(delete(changes).where(changes.c.id.in_(dropped)))
    if promoted:
        _promote_candidates(session, promoted)
    retire_candidates(session, retired, keep)


def _promote_candidates(session: Session, source_ids: Sequence[int]) -> None:
    """The candidate of each of these sources becomes its confirmed version."""
    table = Snapshot.__table__  # type: ignore[attr-defined]
    newest = (
        sa_select(sa.func.max(table.c.id))
        .where(
            table.c.source_id.in_(source_ids),
            table.c.candidate == True,  # noqa: E712
            table.c.packed_state.is_not(None),
        )
        .group_by(table.c.source_id)
    )
    session.connection().execute(
        update(table).where(table.c.id.in_(newest)).values(candidate=False)
    )


def _outcome(v: NewVersion, stored: int, verdict: Verdict) -> str:
    """The verb of a stored check: a baseline is new; changes stored, confirmed or still
    waiting are news of the source (pending ones shown as such); anything else is
    unchanged."""
    d = v.detection
    if d.baseline:
        return d.outcome
    if stored or verdict.confirmed or verdict.kept:
        return d.outcome if d.outcome != "unchanged" else "changed"
    return "unchanged"


def _health(v: NewVersion, recorded: Recorded, confirm: ConfirmRules) -> dict[str, Any]:
    state = v.detection.state
    normal = v.at + timedelta(minutes=v.target.spec.interval_minutes)
    at, streak = next_check(normal, recorded.verdict, confirm, v.target.confirm_checks)
    fields = success_fields(
        v.target,
        recorded.outcome,
        v.validators,
        state.body_hash if state is not None else v.body_hash,
        v.at,
        v.detection.problems,
        v.full_fetch,
        next_check_at=at,
    )
    fields["pending_since"] = recorded.verdict.pending_since
    fields["confirm_checks"] = streak
    return fields


def _snapshot_row(v: NewVersion, verdict: Verdict) -> dict[str, Any]:
    state = v.detection.state
    assert state is not None
    # changes told at once (confirmation switched off, or none of them new) are what readers
    # were last told: a return to the text before them is news, as after a confirmation
    told_now = bool(v.detection.changes) and not verdict.wait
    if verdict.candidate or verdict.confirmed or told_now:
        state = _lasted_state(state)
    return {
        "source_id": v.target.id,
        "taken_at": v.at,
        "content_digest": state.content_digest,
        "state": {},
        "packed_state": state_to_blob(state),
        "candidate": verdict.candidate,
    }


def _lasted_state(state: SnapshotState) -> SnapshotState:
    """A version that confirms changes, one whose changes are told at once, or one kept as
    the candidate (it becomes the baseline only when a re-check confirms it): its sections'
    versions lasted, and a later return to an earlier one is news (``history.lasted``)."""
    if not state.history:
        return state
    return replace(state, history=mark_lasted(state.history))


def _change_row(
    change: DetectedChange,
    subtopics: list[str],
    regions: list[str],
    urgent: bool,
    reasons: list[str],
) -> dict[str, Any]:
    return {
        "fingerprint": change.fingerprint,
        "kind": change.kind,
        "title": change.title,
        "url": change.url,
        "section": list(change.section),
        "summary": change.summary,
        "before": change.before,
        "after": change.after,
        "diff": [list(seg) for seg in change.segments],
        "published_at": change.published,
        "subtopics": subtopics,
        "regions": regions,
        "urgent": urgent,
        "reasons": reasons,
        "dispatched_at": None,
    }


class _Stories:
    """Story keys for new items: the recent stored items of all sources are loaded once, on
    the first new item of a batch (page sections never join stories); the items of the batch
    join them as they are keyed, so two sources stored together can share a story too."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self.recent: list[StoryRef] | None = None

    def key_of(self, change: DetectedChange, source_id: int, now: datetime) -> str | None:
        if change.kind != "new":
            return None
        if self.recent is None:
            self.recent = self._load()
        at = change.published or now
        key = story_key(change.title, at, str(source_id), self.recent)
        self.recent.append(StoryRef(key, change.title, at, str(source_id)))
        return key

    def _load(self) -> list[StoryRef]:
        since = self.now - 2 * STORY_WINDOW
        query = (
            sa_select(
                col(Change.story_key), col(Change.title), col(Change.published_at),
                col(Change.detected_at), col(Change.source_id),
            )
            .where(col(Change.story_key).is_not(None), col(Change.detected_at) >= since)
            .limit(5000)
        )  # fmt: skip
        rows = self.session.execute(query).all()
        return [
            StoryRef(key, title, published or detected, str(source))
            for key, title, published, detected, source in rows
            if key is not None
        ]
