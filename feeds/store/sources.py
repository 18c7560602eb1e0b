"""Sources in the store: the catalogue's sources inserted and updated, the due ones claimed by
a worker (a lease, docs/scaling.md), the round's targets loaded, and each source's health
written after its check (and counted per hour)."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam, delete, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, or_, select

from feeds.catalogue import SOURCE_FIELDS, SourceSpec, StringList
from feeds.errors import HostPaused, TransientFetchError
from feeds.store.models import Source, SourceCheckHour
from feeds.store.queue import picked

#: errors back off up to this long before the next try
MAX_ERROR_BACKOFF = timedelta(hours=6)


def upsert_sources(session: Session, specs: Sequence[SourceSpec]) -> tuple[int, int]:
    """Insert new sources and update existing ones by key (every catalogue field,
    ``SOURCE_FIELDS``); returns (added, updated)."""
    existing = {s.key: s for s in session.exec(select(Source))}
    added = updated = 0
    for spec in specs:
        values = {name: getattr(spec, name) for name in SOURCE_FIELDS if name != "key"}
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
    """A stored source's catalogue fields (checked when they were loaded, not again)."""
    return _spec([getattr(source, name) for name in SOURCE_FIELDS])


#: a field stored as NULL (a row from before its column existed) reads as its default
_DEFAULTS = tuple(SourceSpec.model_fields[name].default for name in SOURCE_FIELDS)


#: ``_spec`` may fill a spec's attributes itself (what ``model_construct`` does when every
#: field is given) while the spec has no aliases, no post-init hook and no extra fields
_PLAIN_SPEC = (
    SourceSpec.__pydantic_post_init__ is None
    and not SourceSpec.__pydantic_root_model__
    and SourceSpec.model_config.get("extra") != "allow"
    and tuple(SourceSpec.__pydantic_fields__) == SOURCE_FIELDS
    and all(
        f.alias is None and f.validation_alias is None
        for f in SourceSpec.__pydantic_fields__.values()
    )
)
_FIELD_NAMES = frozenset(SOURCE_FIELDS)
_set = object.__setattr__


def _spec(values: Sequence[Any]) -> SourceSpec:
    """A spec of stored values (``SOURCE_FIELDS`` in order), without validation: ~3x cheaper
    than validating, and a round builds one per source. The attributes are set as
    ``SourceSpec.model_construct`` sets them when it is given every field, without its walk
    over each field's aliases and defaults (~12 -> ~5 us a spec, a round builds one per
    source): the same spec (equal, the same fields set)."""
    fields = {
        name: default if value is None else value
        for name, value, default in zip(SOURCE_FIELDS, values, _DEFAULTS, strict=True)
    }
    if not _PLAIN_SPEC:
        return SourceSpec.model_construct(**fields)
    spec: SourceSpec = SourceSpec.__new__(SourceSpec)
    _set(spec, "__dict__", fields)
    _set(spec, "__pydantic_fields_set__", set(_FIELD_NAMES))
    _set(spec, "__pydantic_extra__", None)
    _set(spec, "__pydantic_private__", None)
    return spec


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


def _due(table: Any, now: datetime) -> Any:
    """Enabled, due, and claimed by no live lease."""
    return sa.and_(
        table.c.enabled == sa.true(),
        or_(table.c.next_check_at.is_(None), table.c.next_check_at <= now),
        or_(table.c.claimed_until.is_(None), table.c.claimed_until <= now),
    )


def claim_due(
    session: Session, now: datetime, worker: str, lease: timedelta, limit: int
) -> list[int]:
    """Claim up to ``limit`` due sources for ``worker`` until ``now + lease``, oldest due
    first; the caller commits at once. One statement (``queue.picked``): on PostgreSQL the
    candidates are locked with ``FOR UPDATE SKIP LOCKED`` (two workers never wait for, nor
    take, the same row); on SQLite the UPDATE holds the write lock while it reads. A claim
    whose lease has run out (its worker died) is due again."""
    table = Source.__table__  # type: ignore[attr-defined]
    candidates = (
        sa_select(table.c.id)
        .where(_due(table, now))
        .order_by(table.c.next_check_at.asc().nulls_first(), table.c.id)
        .limit(limit)
    )
    statement = (
        update(table)
        .where(picked(candidates, table.c.id, session.get_bind().dialect.name))
        .values(claimed_by=worker, claimed_until=now + lease)
        .returning(table.c.id)
    )
    return sorted(row[0] for row in session.connection().execute(statement))


def extend_claims(session: Session, ids: Sequence[int], worker: str, until: datetime) -> list[int]:
    """Renew ``worker``'s claims on these sources (a long round); the ones still held."""
    if not ids:
        return []
    table = Source.__table__  # type: ignore[attr-defined]
    statement = (
        update(table)
        .where(table.c.id.in_(ids), table.c.claimed_by == worker)
        .values(claimed_until=until)
        .returning(table.c.id)
    )
    return sorted(row[0] for row in session.connection().execute(statement))


def release_claims(session: Session, ids: Sequence[int], worker: str) -> None:
    """Give back ``worker``'s claims on these sources (their next check time is written)."""
    if not ids:
        return
    table = Source.__table__  # type: ignore[attr-defined]
    session.connection().execute(
        update(table)
        .where(table.c.id.in_(ids), table.c.claimed_by == worker)
        .values(claimed_by=None, claimed_until=None)
    )


@dataclass(frozen=True)
class CheckTarget:
    """What one check needs to know of a source, loaded for the whole round in one query."""

    id: int
    spec: SourceSpec
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    pending_digest: str | None
    consecutive_errors: int
    last_full_fetch_at: datetime | None = None
    last_outcome: str | None = None
    last_error: str | None = None
    #: confirmation (feeds/detect/history.py): when the oldest pending change was first seen,
    #: and the checks in a row that left changes pending
    pending_since: datetime | None = None
    confirm_checks: int = 0

    def changed(self, fields: dict[str, Any]) -> dict[str, Any]:
        """``fields`` without those that hold what the source has already: a round of 304s
        then writes only its times (fewer values bound and written per source)."""
        return {k: v for k, v in fields.items() if k not in _KNOWN or getattr(self, k) != v}


#: health fields a CheckTarget knows the stored value of (``CheckTarget.changed``)
_KNOWN = frozenset(
    {"etag", "last_modified", "body_hash", "pending_digest", "consecutive_errors",
     "last_full_fetch_at", "last_outcome", "last_error", "pending_since", "confirm_checks"}
)  # fmt: skip


#: the columns a check needs (the times it only writes are not read: each datetime read costs
#: a conversion, and a round reads every source)
_HEALTH_COLUMNS = (
    "etag", "last_modified", "body_hash", "pending_digest", "consecutive_errors",
    "last_full_fetch_at", "last_outcome", "last_error", "pending_since", "confirm_checks",
)  # fmt: skip
_TARGET_COLUMNS = ("id", *SOURCE_FIELDS, *_HEALTH_COLUMNS)
_SPEC_END = 1 + len(SOURCE_FIELDS)


def _target_column(name: str) -> Any:
    """A column of ``_TARGETS_QUERY``: a list stored as JSON (``StringList``) as its text,
    decoded by ``_string_list``."""
    column = Source.__table__.c[name]  # type: ignore[attr-defined]
    if isinstance(column.type, StringList):
        return sa.cast(column, sa.Text).label(name)
    return column


#: where the lists stored as JSON are in a row of ``_TARGET_COLUMNS``
_LISTS_AT = tuple(
    i
    for i, name in enumerate(_TARGET_COLUMNS)
    if isinstance(Source.__table__.c[name].type, StringList)  # type: ignore[attr-defined]
)


@functools.lru_cache(maxsize=1024)
def _string_list(text: str) -> tuple[str, ...]:
    """A stored list's JSON text as ``StringList`` reads it. Decoded once per distinct text:
    a catalogue's sources share few lists (mostly none), and each one decoded through the
    column type cost ~10,000 instructions, three a source every round (callgrind); a tuple
    of strings is immutable, so sources may share it."""
    return tuple(json.loads(text) or ())


#: one statement for every round: the ids bound as one expanding parameter
_TARGETS_QUERY = sa_select(*(_target_column(name) for name in _TARGET_COLUMNS)).where(
    col(Source.id).in_(bindparam("ids", expanding=True))
)


def load_targets(session: Session, ids: Sequence[int]) -> list[CheckTarget]:
    """The round's targets in one Core query (no ORM entities: ~3x cheaper per source). Not
    kept between rounds: a worker that claims 10,000 sources in turn held ~25 MB more with
    them kept (bench.scale), for ~10 ms a round of 1,000."""
    rows = session.connection().execute(_TARGETS_QUERY, {"ids": list(ids)}).all() if ids else []
    by_id = {row[0]: _target_of(tuple(row)) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def _target_of(row: tuple[Any, ...]) -> CheckTarget:
    """A row of ``_TARGET_COLUMNS``, unpacked by position (a Row's lookups by name cost more
    than the rest of a target, and a round reads every source); its lists as JSON text."""
    (
        etag, last_modified, body_hash, pending_digest, errors, last_full, last_outcome,
        last_error, pending_since, confirm_checks,
    ) = row[_SPEC_END:]  # fmt: skip
    values = list(row[1:_SPEC_END])
    for at in _LISTS_AT:
        text = row[at]
        values[at - 1] = () if text is None else _string_list(text)
    return CheckTarget(
        row[0], _spec(values), etag, last_modified, body_hash, pending_digest, errors,
        last_full, last_outcome, last_error, pending_since, confirm_checks or 0,
    )  # fmt: skip


_HEALTH_TIMES = sa_select(col(Source.last_success_at), col(Source.last_checked_at)).where(
    col(Source.id) == bindparam("source_id")
)


def health_times(
    db: Session | Connection, source_id: int
) -> tuple[datetime | None, datetime | None]:
    """(last_success_at, last_checked_at) of a source as stored; read only for a source whose
    last check failed (a round reads no other times: each costs a conversion per source)."""
    row = db.execute(_HEALTH_TIMES, {"source_id": source_id}).first()
    return (row[0], row[1]) if row is not None else (None, None)


def success_fields(
    target: CheckTarget,
    outcome: str,
    validators: tuple[str | None, str | None],
    body_hash: str | None,
    now: datetime,
    problems: Sequence[str] = (),
    full_fetch: bool = False,
    next_check_at: datetime | None = None,
) -> dict[str, Any]:
    """The source's new health after a successful check; ``problems`` of single parts (a
    chapter, an attachment) are shown as its last error while the rest is checked. The next
    check is due after the source's interval, or at ``next_check_at``."""
    etag, last_modified = validators
    if validators == (None, None):
        etag, last_modified = target.etag, target.last_modified
    return {
        "id": target.id,
        "last_checked_at": now,
        "last_success_at": now,
        "last_outcome": outcome,
        "last_error": "; ".join(problems)[:2000] if problems else None,
        "consecutive_errors": 0,
        "next_check_at": next_check_at or now + timedelta(minutes=target.spec.interval_minutes),
        "etag": etag,
        "last_modified": last_modified,
        "body_hash": body_hash or target.body_hash,
        "pending_digest": None,
        "last_full_fetch_at": now if full_fetch else target.last_full_fetch_at,
    }


def error_fields(
    target: CheckTarget, error: Exception, now: datetime, pending_digest: str | None = None
) -> dict[str, Any]:
    """The source's new health after a failed check: the baseline is kept, the error counted,
    the next try backed off (and never sooner than a Retry-After). A polite pause (the host
    itself asked us to wait, with a 429/503 to another request) is no failure of this source
    and is not counted. An unreadable robots.txt is counted: a site that cannot be reached
    must reach the operators."""
    polite = isinstance(error, HostPaused)
    errors = target.consecutive_errors + (0 if polite else 1)
    base = timedelta(minutes=min(target.spec.interval_minutes, 15))
    wait = min(MAX_ERROR_BACKOFF, base * 2 ** min(max(errors, 1) - 1, 10))
    if isinstance(error, TransientFetchError) and error.retry_after:
        wait = max(wait, timedelta(seconds=min(error.retry_after, 86400)))
    return {
        "id": target.id,
        "last_checked_at": now,
        "last_outcome": "error",
        "last_error": f"{type(error).__name__}: {error}"[:2000],
        "consecutive_errors": errors,
        "next_check_at": now + wait,
        "pending_digest": pending_digest,
    }


def apply_fields(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk-update sources by primary key; rows may differ in their keys. One Core
    ``executemany`` per set of keys: the ORM's bulk-update path costs ~1 ms per call more."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        # the keys in the row's order: the rows of one kind (``success_fields``,
        # ``error_fields``, filtered by ``CheckTarget.changed``) share it, and a set of keys
        # seen in two orders only costs a second statement
        groups.setdefault(tuple(row), []).append(row)
    for keys, group in groups.items():
        # "id" is not among the parameters: a parameter named after a column is written to it
        # (it was: SET id=? on every row, a third of a round's health update on SQLite)
        params = [_by_source_id(row) for row in group]
        session.connection().execute(_update_statement(keys), params)


def _by_source_id(row: dict[str, Any]) -> dict[str, Any]:
    """The row's parameters, its id bound as ``source_id_`` (one copy of the row)."""
    params = dict(row)
    params["source_id_"] = params.pop("id")
    return params


@functools.lru_cache(maxsize=64)
def _update_statement(keys: tuple[str, ...]) -> Any:
    """The UPDATE of these columns by id (``apply_fields``), built once per set of keys."""
    table = Source.__table__  # type: ignore[attr-defined]
    values: dict[str, Any] = {k: bindparam(k) for k in keys if k != "id"}
    return update(table).where(table.c.id == bindparam("source_id_")).values(values)


def count_checks(
    session: Session, outcomes: Sequence[tuple[int, bool] | tuple[int, bool, float]], now: datetime
) -> None:
    """Add a round's checks to the per-hour history: ``outcomes`` holds (source id, failed)
    or (source id, failed, fetch seconds) per check. One upsert per round, atomic on both
    engines, so several workers may add to the same hour at once."""
    if not outcomes:
        return
    hour = now.replace(minute=0, second=0, microsecond=0)
    totals: dict[int, list[float]] = {}
    for source_id, failed, *seconds in outcomes:
        counts = totals.setdefault(source_id, [0, 0, 0.0])
        counts[0] += 1
        counts[1] += int(failed)
        counts[2] += seconds[0] if seconds else 0.0
    rows = [
        {"source_id": sid, "hour": hour, "checks": int(c), "errors": int(e), "fetch_seconds": f}
        for sid, (c, e, f) in sorted(totals.items())
    ]
    session.connection().execute(_count_statement(session.get_bind().dialect.name), rows)


@functools.lru_cache(maxsize=4)
def _count_statement(dialect: str) -> Any:
    """The history upsert (``count_checks``) for this dialect, built once: one statement
    executed for many rows (not a VALUES list per round), compiled once and cached, where a
    1,000-row VALUES list cost ~0.1 ms per source to compile every round."""
    table = SourceCheckHour.__table__  # type: ignore[attr-defined]
    upsert: Any
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    statement = upsert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c.source_id, table.c.hour],
        set_={
            "checks": table.c.checks + statement.excluded.checks,
            "errors": table.c.errors + statement.excluded.errors,
            "fetch_seconds": table.c.fetch_seconds + statement.excluded.fetch_seconds,
        },
    )


def prune_check_history(session: Session, before: datetime) -> int:
    """Delete the check history older than ``before``; returns the rows deleted."""
    table = SourceCheckHour.__table__  # type: ignore[attr-defined]
    result = session.connection().execute(delete(table).where(table.c.hour < before))
    return int(result.rowcount or 0)
