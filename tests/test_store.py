"""Snapshot storage: packed states, reading rows from before migration 0004, pruning of
superseded snapshots, the round's batched writes, and the migration down and up again.
Runs on SQLite and on PostgreSQL (the ``ctx`` fixture)."""

from __future__ import annotations

import json
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlmodel import Session, col, select

from feeds.catalogue import SourceSpec
from feeds.check import _Round, _store_found
from feeds.detect.detection import Detection, detect
from feeds.detect.history import NO_CONFIRM, mark_lasted
from feeds.packing import deflate, inflate
from feeds.store.models import Change, Snapshot, Source, UTCDateTime
from feeds.store.snapshot import (
    PACKED_MARK,
    state_from_blob,
    state_from_json,
    state_to_blob,
    state_to_json,
)
from feeds.store.sources import (
    CheckTarget,
    apply_fields,
    load_targets,
    success_fields,
    upsert_sources,
)
from feeds.store.versions import (
    KEEP_SNAPSHOTS,
    NewVersion,
    Tagged,
    latest_state,
    prune_snapshots,
    record_versions,
)
from feeds.types import FetchResult, SnapshotState
from notifier.context import Context
from notifier.db import MIGRATIONS

SPEC = SourceSpec(
    key="veileder",
    kind="page",
    url="https://x.no/v",
    authority="fhi",
    name="Veileder",
    selector="main",
)
NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def page(version: int, extra: str = "") -> FetchResult:
    body = (
        "<h2>Testing</h2><p>Alle med symptomer bør teste seg, sier veilederen.</p>"
        f"<h2>Vaksiner</h2><p>Versjon {version} av anbefalingen om vaksiner gjelder nå.</p>"
        f"<ul><li>Første punkt</li><li>Andre punkt</li></ul>{extra}"
    )
    return FetchResult(SPEC.url, 200, f"<html><main>{body}</main></html>".encode())


def target(ctx: Context) -> CheckTarget:
    with Session(ctx.engine) as session:
        upsert_sources(session, [SPEC])
        session.commit()
        source = session.exec(select(Source)).one()
        assert source.id is not None
        return load_targets(session, [source.id])[0]


def store(ctx: Context, t: CheckTarget, detection: Detection) -> int:
    with Session(ctx.engine) as session:
        tags: list[Tagged] = [(c, [], [], False, []) for c in detection.changes]
        [n] = record_versions(
            session, [NewVersion(t, detection, tags, (None, None), NOW)], confirm=NO_CONFIRM
        )
        session.commit()
    return n.stored


def chain(ctx: Context, t: CheckTarget, versions: int) -> SnapshotState:
    state: SnapshotState | None = None
    for v in range(versions):
        detection = detect(SPEC, page(v), state)
        assert detection.state is not None
        store(ctx, t, detection)
        with ctx.engine.connect() as conn:
            state = latest_state(conn, t.id)
    assert state is not None
    return state


def test_a_packed_state_reads_back_equal(ctx: Context) -> None:
    t = target(ctx)
    first = detect(SPEC, page(0, "<h3>Under</h3><p>tekst</p>"), None)
    assert first.state is not None
    store(ctx, t, first)
    with Session(ctx.engine) as session:
        back = latest_state(session, t.id)
        row = session.exec(select(Snapshot)).one()
    assert back is not None and back.page is not None and first.state.page is not None
    assert back == first.state
    assert [s.digest for s in back.page.sections] == [s.digest for s in first.state.page.sections]
    assert back.page.digest == first.state.page.digest == row.content_digest
    assert row.state == {} and row.packed_state is not None
    assert len(row.packed_state) < len(str(state_to_json(first.state)))


def test_a_state_zlib_wrote_reads_back_and_zlib_reads_what_is_written_now() -> None:
    """Snapshots stored before ISA-L wrote them (zlib's own level 1) read back unchanged, and
    what is written now is the plain zlib format (no migration either way)."""
    state = detect(SPEC, page(0, "<h3>Under</h3><p>tekst æøå</p>"), None).state
    assert state is not None and state.page is not None
    head = state_to_json(state, texts=False)
    chunks = [zlib.compress(s.text.encode(), 1) for s in state.page.sections]
    head["sizes"] = [len(c) for c in chunks]
    packed_head = zlib.compress(json.dumps(head, ensure_ascii=False).encode(), 6)
    old = b"".join((PACKED_MARK, len(packed_head).to_bytes(4, "big"), packed_head, *chunks))
    assert state_from_blob(old) == state
    blob = state_to_blob(state)
    assert state_from_blob(blob) == state
    for section in state.page.sections:
        assert zlib.decompress(section.packed).decode() == section.text
    assert inflate(deflate(b"x" * 10_000)) == b"x" * 10_000
    with pytest.raises(zlib.error):
        inflate(blob[:-3] + b"\x00\x00\x00")


@pytest.mark.parametrize(
    "when",
    [
        datetime(2026, 12, 5, 13, 14, 15, 123456, tzinfo=UTC),
        datetime(2026, 12, 5, 13, 14, 15, tzinfo=UTC),  # no microseconds: still six digits
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(2026, 12, 5, 14, 0, tzinfo=timezone(timedelta(hours=1))),  # another zone
        datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=-9, minutes=-30))),
    ],
)
def test_utc_times_are_written_as_sqlalchemy_writes_them_on_sqlite(when: datetime) -> None:
    """``UTCDateTime``'s own SQLite writer (a UTC time's isoformat, cut) gives SQLAlchemy's
    text for the same instant, as naive UTC; a naive time is refused."""
    dialect = sa.create_engine("sqlite://").dialect
    ours = UTCDateTime().bind_processor(dialect)
    theirs = sa.DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert ours is not None and theirs is not None
    assert ours(when) == theirs(when.astimezone(UTC).replace(tzinfo=None))
    assert UTCDateTime().process_bind_param(when, dialect) == when.astimezone(UTC).replace(
        tzinfo=None
    )
    with pytest.raises(ValueError, match="naive"):
        ours(datetime(2026, 12, 5))


def test_a_row_from_before_the_migration_is_read_from_its_json(ctx: Context) -> None:
    t = target(ctx)
    first = detect(SPEC, page(0), None)
    assert first.state is not None
    with Session(ctx.engine) as session:
        session.add(Snapshot(source_id=t.id, content_digest="d", state=state_to_json(first.state)))
        session.commit()
        assert latest_state(session, t.id) == first.state
    # and it is diffed against as before: one changed section
    with ctx.engine.connect() as conn:
        previous = latest_state(conn, t.id)
    later = detect(SPEC, page(1), previous)
    assert [c.kind for c in later.changes] == ["changed"]


def test_superseded_snapshots_are_pruned_and_those_changes_point_at_are_emptied(
    ctx: Context,
) -> None:
    t = target(ctx)
    last = chain(ctx, t, KEEP_SNAPSHOTS + 4)
    with Session(ctx.engine) as session:
        rows = session.exec(select(Snapshot).order_by(col(Snapshot.id))).all()
        changes = session.exec(select(Change)).all()
        assert latest_state(session, t.id) == last
    referenced = {c.snapshot_id for c in changes}
    assert len(changes) == KEEP_SNAPSHOTS + 3  # one per version after the baseline
    whole = [r for r in rows if r.packed_state is not None]
    assert [r.id for r in whole] == [r.id for r in rows][-KEEP_SNAPSHOTS:]
    # the baseline (no change points at it) is gone; older rows of changes stay, emptied
    assert {r.id for r in rows} == referenced | {r.id for r in whole}
    assert all(r.state == {} for r in rows)


def test_a_failing_source_in_a_batch_does_not_lose_the_others(ctx: Context) -> None:
    t = target(ctx)
    ghost = CheckTarget(t.id + 1000, SPEC, None, None, None, None, 0)  # no such source
    found = [
        NewVersion(x, detect(SPEC, page(0), None), [], (None, None), NOW, False) for x in (ghost, t)
    ]
    round_ = _Round(ctx.engine, None, lambda s, c: None, lambda: NOW, confirm=NO_CONFIRM)  # type: ignore[arg-type]
    reports = _store_found(round_, found)
    assert [r.outcome for r in reports] == ["error", "new"]
    with Session(ctx.engine) as session:
        assert [s.source_id for s in session.exec(select(Snapshot))] == [t.id]


def test_the_migration_unpacks_states_on_the_way_down(ctx: Context) -> None:
    t = target(ctx)
    last = chain(ctx, t, 2)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003_merge_full_fetch")
    with ctx.engine.connect() as conn:
        state = conn.execute(sa.text("SELECT state FROM snapshot ORDER BY id DESC")).scalar()
    assert state_from_json(json.loads(state) if isinstance(state, str) else state) == last
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    with ctx.engine.connect() as conn:
        assert latest_state(conn, t.id) == last


def test_one_prune_covers_several_sources(ctx: Context) -> None:
    t = target(ctx)
    with Session(ctx.engine) as session:
        upsert_sources(
            session,
            [
                SourceSpec(
                    key="annen", kind="page", url="https://x.no/a", authority="fhi", name="Annen"
                )
            ],
        )
        session.commit()
        other = session.exec(select(Source).where(Source.key == "annen")).one()
        assert other.id is not None
        u = load_targets(session, [other.id])[0]
    state: dict[int, SnapshotState | None] = {t.id: None, u.id: None}
    for v in range(KEEP_SNAPSHOTS + 2):
        with Session(ctx.engine) as session:
            found = []
            for x in (t, u):
                d = detect(SPEC, page(v), state[x.id])
                found.append(NewVersion(x, d, [], (None, None), NOW))
                state[x.id] = d.state
            record_versions(session, found, prune=False, confirm=NO_CONFIRM)
            session.commit()
    with Session(ctx.engine) as session:
        assert len(session.exec(select(Snapshot)).all()) == 2 * (KEEP_SNAPSHOTS + 2)
        prune_snapshots(session, [t.id, u.id])
        session.commit()
        rows = session.exec(select(Snapshot).order_by(col(Snapshot.id))).all()
        for x in (t, u):
            mine = [r for r in rows if r.source_id == x.id]
            assert len(mine) == KEEP_SNAPSHOTS  # no change points at any of them
            # told at once (no confirmation), each version is stored as what readers were
            # last told: its sections' versions lasted (``history.lasted``)
            told = state[x.id]
            assert told is not None
            assert latest_state(session, x.id) == replace(told, history=mark_lasted(told.history))


def test_a_batch_stores_each_change_with_its_own_sources_snapshot(ctx: Context) -> None:
    """One insert of snapshots for the batch: each change must still point at the snapshot of
    its own source, and a change seen before (here: earlier in the same batch) is not stored
    twice."""
    t = target(ctx)
    with Session(ctx.engine) as session:
        specs = [
            SourceSpec(
                key=f"s{i}", kind="page", url=f"https://x.no/{i}", authority="fhi", name=f"S{i}"
            )
            for i in range(3)
        ]
        upsert_sources(session, specs)
        session.commit()
        ids = [
            s.id
            for s in session.exec(select(Source).where(col(Source.key).in_(["s0", "s1", "s2"])))
        ]
        others = load_targets(session, [i for i in ids if i is not None])
    targets = [t, *others]
    first = {x.id: detect(SPEC, page(0), None).state for x in targets}
    found = []
    for n, x in enumerate(targets):
        d = detect(SPEC, page(1, extra=f" tillegg {n}"), first[x.id])
        assert d.changes
        found.append(
            NewVersion(x, d, [(c, [], [], False, []) for c in d.changes], (None, None), NOW)
        )
    found.append(found[0])  # the same change again
    with Session(ctx.engine) as session:
        counts = [r.stored for r in record_versions(session, found, confirm=NO_CONFIRM)]
        session.commit()
        assert counts[:-1] == [len(f.detection.changes) for f in found[:-1]] and counts[-1] == 0
        snapshot_of = {s.id: s.source_id for s in session.exec(select(Snapshot))}
        stored = session.exec(select(Change)).all()
        assert len(stored) == sum(counts)
        assert all(snapshot_of[c.snapshot_id] == c.source_id for c in stored)
        assert {c.source_id for c in stored} == {x.id for x in targets}


def test_a_quiet_check_writes_only_what_changed_and_the_source_reads_back_right(
    ctx: Context,
) -> None:
    t = target(ctx)
    with Session(ctx.engine) as session:
        apply_fields(session, [success_fields(t, "changed", ('"e1"', None), "h1", NOW)])
        session.commit()
        [t] = load_targets(session, [t.id])
    assert (t.etag, t.body_hash, t.last_outcome) == ('"e1"', "h1", "changed")
    later = NOW + timedelta(hours=1)
    fields = t.changed(success_fields(t, "unchanged", ('"e1"', None), "h1", later))
    assert set(fields) == {"id", "last_checked_at", "last_success_at", "next_check_at",
                           "last_outcome"}  # fmt: skip
    with Session(ctx.engine) as session:
        apply_fields(session, [fields])
        session.commit()
        source = session.exec(select(Source)).one()
    assert (source.etag, source.body_hash, source.last_outcome) == ('"e1"', "h1", "unchanged")
    assert source.last_checked_at == later
