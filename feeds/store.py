"""Storage of the source side: sources from the catalogue, snapshots, changes, health."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, or_, select

from feeds.catalogue import SourceSpec
from feeds.detect import Detection, DetectedChange, SnapshotState, state_from_json, state_to_json
from feeds.errors import TransientFetchError
from feeds.models import Change, Snapshot, Source

#: errors back off up to this long before the next try
MAX_ERROR_BACKOFF = timedelta(hours=6)


def upsert_sources(session: Session, specs: Sequence[SourceSpec]) -> tuple[int, int]:
    """Insert new sources and update existing ones by key; returns (added, updated)."""
    existing = {s.key: s for s in session.exec(select(Source))}
    added = updated = 0
    for spec in specs:
        values: dict[str, Any] = {
            "kind": spec.kind,
            "url": spec.url,
            "authority": spec.authority,
            "name": spec.name,
            "interval_minutes": spec.interval_minutes,
            "selector": spec.selector,
            "drop": list(spec.drop),
            "subtopics": list(spec.subtopics),
            "enabled": spec.enabled,
        }
        source = existing.get(spec.key)
        if source is None:
            session.add(Source(key=spec.key, **values))
            added += 1
        elif any(getattr(source, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(source, k, v)
            session.add(source)
            updated += 1
    session.flush()
    return added, updated


def spec_of(source: Source) -> SourceSpec:
    return SourceSpec(
        key=source.key,
        kind=source.kind,
        url=source.url,
        authority=source.authority,
        name=source.name,
        interval_minutes=source.interval_minutes,
        selector=source.selector,
        drop=tuple(source.drop),
        subtopics=tuple(source.subtopics),
        enabled=source.enabled,
    )


def select_sources(
    session: Session, now: datetime, keys: Sequence[str] = (), everything: bool = False
) -> list[Source]:
    """The sources to check: these keys, all enabled ones, or those that are due."""
    query = select(Source).order_by(col(Source.key))
    if keys:
        query = query.where(col(Source.key).in_(keys))
    elif everything:
        query = query.where(Source.enabled == True)  # noqa: E712
    else:
        query = query.where(
            Source.enabled == True,  # noqa: E712
            or_(col(Source.next_check_at).is_(None), col(Source.next_check_at) <= now),
        )
    return list(session.exec(query).all())


def latest_state(session: Session, source_id: int) -> SnapshotState | None:
    snap = session.exec(
        select(Snapshot).where(Snapshot.source_id == source_id).order_by(col(Snapshot.id).desc())
    ).first()
    return state_from_json(snap.state) if snap else None


def record_detection(
    session: Session,
    source: Source,
    detection: Detection,
    tags: Sequence[tuple[DetectedChange, list[str], list[str], bool, list[str]]],
    validators: tuple[str | None, str | None],
    now: datetime,
) -> int:
    """Store a successful check: the new snapshot and its changes, in the caller's transaction.
    ``tags`` pairs each change with (subtopics, regions, urgent, reasons). Returns how many
    changes were new (a fingerprint seen before is not raised again)."""
    _mark_success(source, detection.outcome, validators, now)
    source.pending_digest = None
    session.add(source)
    if detection.state is None:
        return 0
    source.body_hash = detection.state.body_hash
    assert source.id is not None
    snapshot = Snapshot(
        source_id=source.id,
        taken_at=now,
        content_digest=detection.state.content_digest,
        state=state_to_json(detection.state),
    )
    session.add(snapshot)
    session.flush()
    assert snapshot.id is not None
    fingerprints = [c.fingerprint for c, *_ in tags]
    known = set(
        session.exec(select(Change.fingerprint).where(col(Change.fingerprint).in_(fingerprints)))
    ) if fingerprints else set()  # fmt: skip
    stored = 0
    for change, subtopics, regions, urgent, reasons in tags:
        if change.fingerprint in known:
            continue
        known.add(change.fingerprint)
        session.add(
            Change(
                source_id=source.id,
                snapshot_id=snapshot.id,
                fingerprint=change.fingerprint,
                kind=change.kind,
                title=change.title,
                url=change.url,
                section=list(change.section),
                summary=change.summary,
                before=change.before,
                after=change.after,
                diff=[list(seg) for seg in change.segments],
                detected_at=now,
                published_at=change.published,
                subtopics=subtopics,
                regions=regions,
                urgent=urgent,
                reasons=reasons,
                status="held" if detection.held else "published",
            )
        )
        stored += 1
    session.flush()
    return stored


def _mark_success(
    source: Source, outcome: str, validators: tuple[str | None, str | None], now: datetime
) -> None:
    source.last_checked_at = now
    source.last_success_at = now
    source.last_outcome = outcome
    source.last_error = None
    source.consecutive_errors = 0
    if validators != (None, None):
        source.etag, source.last_modified = validators
    source.next_check_at = now + timedelta(minutes=source.interval_minutes)


def record_error(
    session: Session,
    source: Source,
    error: Exception,
    now: datetime,
    pending_digest: str | None = None,
) -> None:
    """A failed check: keep the baseline, count the error, back off before the next try."""
    source.last_checked_at = now
    source.last_outcome = "error"
    source.last_error = f"{type(error).__name__}: {error}"[:2000]
    source.consecutive_errors += 1
    source.pending_digest = pending_digest
    base = timedelta(minutes=min(source.interval_minutes, 15))
    wait = min(MAX_ERROR_BACKOFF, base * 2 ** min(source.consecutive_errors - 1, 10))
    if isinstance(error, TransientFetchError) and error.retry_after:
        wait = max(wait, timedelta(seconds=min(error.retry_after, 86400)))
    source.next_check_at = now + wait
    session.add(source)
