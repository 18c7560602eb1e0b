"""The quiet sources' writes (a round where most sources answer 304): the health update and the
per-hour history write what they wrote before their conversions were shared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from feeds.catalogue import SourceSpec
from feeds.store.models import Source, SourceCheckHour, UTCDateTime, utcnow
from feeds.store.sources import (
    apply_fields,
    count_checks,
    load_targets,
    select_sources,
    spec_of,
    upsert_sources,
)
from notifier.context import Context

NOW = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)


DIALECTS: list[sa.Dialect] = [sqlite.dialect(), postgresql.dialect()]  # type: ignore[no-untyped-call]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_time_bound_again_is_written_as_it_is_alone(dialect: sa.Dialect) -> None:
    # the health update and the history bind ``UTCDateTime`` itself: a time written again (a
    # quiet check's last check and last success, a round's hour) is written as it is alone
    ours = Source.__table__.c.last_checked_at.type.bind_processor(dialect)  # type: ignore[attr-defined]
    theirs = UTCDateTime().bind_processor(dialect)
    assert ours is not None and theirs is not None
    oslo = timezone(timedelta(hours=2))
    equal = NOW.replace()  # equal, another object
    values = [NOW, NOW, None, None, equal, NOW, NOW.astimezone(oslo), NOW + timedelta(hours=1)]
    assert [ours(v) for v in values] == [theirs(v) for v in values]
    with pytest.raises(ValueError, match="naive datetime"):
        ours(NOW.replace(tzinfo=None))
    assert ours(NOW) == theirs(NOW)  # a refusal remembers nothing


def test_a_round_of_history_stores_its_hour_for_every_source(ctx: Context) -> None:
    specs = [SourceSpec(key=f"k{i}", kind="page", url=f"https://x.no/{i}", authority="fhi")
             for i in range(5)]  # fmt: skip
    with Session(ctx.engine) as session:
        upsert_sources(session, specs)
        session.commit()
        ids = [s.id for s in select_sources(session, utcnow(), everything=True)]
        assert all(i is not None for i in ids)
        count_checks(session, [(i, i == ids[0], 0.5) for i in ids if i is not None], NOW)
        count_checks(session, [(i, False, 0.25) for i in ids if i is not None], NOW)
        count_checks(session, [(ids[1], False, 1.0)], NOW + timedelta(hours=1))  # type: ignore[list-item]
        session.commit()
        table = SourceCheckHour.__table__  # type: ignore[attr-defined]
        rows = session.connection().execute(sa.select(table).order_by(table.c.hour)).all()
    hour = NOW.replace(minute=0, second=0, microsecond=0)
    got = sorted((r.source_id, r.hour, r.checks, r.errors, r.fetch_seconds) for r in rows)
    want = sorted(
        [(i, hour, 2, int(i == ids[0]), 0.75) for i in ids]
        + [(ids[1], hour + timedelta(hours=1), 1, 0, 1.0)]
    )
    assert got == want


def test_health_rows_with_their_keys_in_another_order_are_written_alike(ctx: Context) -> None:
    """``apply_fields`` groups rows by their keys in the row's order: the same keys in two
    orders are two statements, both written."""
    specs = [SourceSpec(key=f"k{i}", kind="page", url=f"https://x.no/{i}", authority="fhi")
             for i in range(2)]  # fmt: skip
    later = NOW + timedelta(minutes=60)
    with Session(ctx.engine) as session:
        upsert_sources(session, specs)
        session.commit()
        a, b = (s.id for s in select_sources(session, utcnow(), everything=True))
        apply_fields(
            session,
            [
                {"id": a, "etag": '"a"', "last_checked_at": NOW, "last_success_at": NOW},
                {"last_success_at": later, "last_checked_at": later, "etag": '"b"', "id": b},
            ],
        )
        session.commit()
        ta, tb = load_targets(session, [a, b])  # type: ignore[list-item]
        stored = {s.id: s for s in select_sources(session, utcnow(), everything=True)}
    assert (ta.etag, tb.etag) == ('"a"', '"b"')
    assert (stored[a].last_checked_at, stored[a].last_success_at) == (NOW, NOW)
    assert (stored[b].last_checked_at, stored[b].last_success_at) == (later, later)


def test_targets_read_their_lists_as_the_orm_reads_them(ctx: Context) -> None:
    """``load_targets`` reads the lists stored as JSON as text and decodes each distinct text
    once: the same specs as the ORM's ``StringList`` reads (shared, empty, non-ASCII lists)."""
    drops: list[tuple[str, ...]] = [(), ("main",), (".a", "#b"), ("div.æøå",), ("main",)]
    noises: list[tuple[str, ...]] = [(), ("^Sist endret",), ('"q"\\n', "ÆØÅ «x»"), ()]
    specs = [
        SourceSpec(
            key=f"k{i}", kind="page", url=f"https://x.no/{i}", authority="fhi",
            drop=drops[i % 5], noise=noises[i % 4], subtopics=("vaksinasjon",) * (i % 2),
        )
        for i in range(12)
    ]  # fmt: skip
    with Session(ctx.engine) as session:
        upsert_sources(session, specs)
        session.commit()
        sources = select_sources(session, utcnow(), everything=True)
        ids = [s.id for s in sources if s.id is not None]
        session.expire_all()
        targets = load_targets(session, ids)
        orm = {s.id: spec_of(s) for s in select_sources(session, utcnow(), everything=True)}
    assert [t.spec for t in targets] == [orm[i] for i in ids]
    assert {t.spec.key: t.spec.drop for t in targets} == {s.key: s.drop for s in specs}
