"""The query layer of published changes: filters, keyset paging, full-text search in bokmål
and nynorsk (æøå), on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlmodel import Session

from feeds.store.models import Change
from notifier.context import Context
from notifier.db import MIGRATIONS
from notifier.public_changes import (
    ChangeQuery,
    ensure_search_index,
    find_changes,
    get_change,
    latest_by_subtopic,
    story_of,
)
from tests.support.changelog import add

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def titles(ctx: Context, query: ChangeQuery, **kw: int | None) -> list[str]:
    with Session(ctx.engine) as session:
        return [c.title for c in find_changes(session, query, **kw)]  # type: ignore[arg-type]


def seed(ctx: Context) -> dict[str, int]:
    e = ctx.engine
    return {
        "vaksine": add(e, "Nye råd om vaksine mot influensa", T0, subtopics=["vaksinasjon"],
                       regions=["46", "4601"], summary="Gjeld for alle over 65 år."),
        "smitte": add(e, "Smittevernloven endret", T0 + timedelta(days=1), authority="regjeringen",
                      subtopics=["forskrifter_regelverk", "smittevern"], urgent=True,
                      kind="changed", after="Legane skal melde utbrot straks."),
        "fjernet": add(e, "Veileder trukket tilbake", T0 + timedelta(days=2), kind="removed",
                       authority="helsedirektoratet", before="Rettleiar for kommunelegar i Øst"),
        "holdt": add(e, "Holdt tilbake: vaksine", T0 + timedelta(days=3), status="held",
                     subtopics=["vaksinasjon"]),
        "stoppet": add(e, "Stoppet vaksine", T0 + timedelta(days=3), status="suppressed"),
    }  # fmt: skip


def test_only_published_newest_first(ctx: Context) -> None:
    ids = seed(ctx)
    assert titles(ctx, ChangeQuery()) == [
        "Veileder trukket tilbake", "Smittevernloven endret", "Nye råd om vaksine mot influensa",
    ]  # fmt: skip
    with Session(ctx.engine) as session:
        assert get_change(session, ids["vaksine"]) is not None
        assert get_change(session, ids["holdt"]) is None
        assert get_change(session, ids["stoppet"]) is None
        assert get_change(session, 999_999) is None


def test_filters_on_json_lists_and_columns(ctx: Context) -> None:
    seed(ctx)
    assert titles(ctx, ChangeQuery(subtopic="vaksinasjon")) == ["Nye råd om vaksine mot influensa"]
    assert titles(ctx, ChangeQuery(subtopic="smittevern")) == ["Smittevernloven endret"]
    assert titles(ctx, ChangeQuery(subtopic="vaksin")) == []  # whole slugs, not substrings
    assert titles(ctx, ChangeQuery(region="4601")) == ["Nye råd om vaksine mot influensa"]
    assert titles(ctx, ChangeQuery(region="460")) == []
    assert titles(ctx, ChangeQuery(authority="regjeringen")) == ["Smittevernloven endret"]
    assert titles(ctx, ChangeQuery(kind="removed")) == ["Veileder trukket tilbake"]
    assert titles(ctx, ChangeQuery(urgent=True)) == ["Smittevernloven endret"]
    assert len(titles(ctx, ChangeQuery(urgent=False))) == 2
    both = ChangeQuery(subtopic="smittevern", authority="fhi")
    assert titles(ctx, both) == []


def test_date_range_is_oslo_local_and_inclusive(ctx: Context) -> None:
    e = ctx.engine
    # 23:30 UTC on 30 Nov is 00:30 on 1 Dec in Oslo
    add(e, "Sein kveld", datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    add(e, "Morgon", datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    add(e, "Neste dag", datetime(2026, 12, 1, 22, 59, tzinfo=UTC))
    day = date(2026, 12, 1)
    assert titles(ctx, ChangeQuery(since=day, until=day)) == ["Neste dag", "Sein kveld"]
    assert titles(ctx, ChangeQuery(until=date(2026, 11, 30))) == ["Morgon"]
    assert titles(ctx, ChangeQuery(since=date(2026, 12, 2))) == []


def test_keyset_paging(ctx: Context) -> None:
    for i in range(7):
        add(ctx.engine, f"Endring {i}", T0 + timedelta(hours=i))
    with Session(ctx.engine) as session:
        first = find_changes(session, ChangeQuery(), limit=3)
        assert [c.title for c in first] == ["Endring 6", "Endring 5", "Endring 4"]
        second = find_changes(session, ChangeQuery(), before_id=first[-1].id, limit=3)
        assert [c.title for c in second] == ["Endring 3", "Endring 2", "Endring 1"]
        third = find_changes(session, ChangeQuery(), before_id=second[-1].id, limit=3)
        assert [c.title for c in third] == ["Endring 0"]


def test_search_titles_and_texts_with_norwegian_letters(ctx: Context) -> None:
    seed(ctx)
    assert titles(ctx, ChangeQuery(text="råd")) == ["Nye råd om vaksine mot influensa"]
    assert titles(ctx, ChangeQuery(text="RÅD")) == ["Nye råd om vaksine mot influensa"]
    assert titles(ctx, ChangeQuery(text="rad")) == []  # å is a letter, not an a
    assert titles(ctx, ChangeQuery(text="øst")) == ["Veileder trukket tilbake"]  # the old text
    # nynorsk words in texts, found by prefix: "legane" (nn) from "lega", "utbrot"
    assert titles(ctx, ChangeQuery(text="lega utbrot")) == ["Smittevernloven endret"]
    assert titles(ctx, ChangeQuery(text="rettleiar kommunelegar")) == ["Veileder trukket tilbake"]
    assert titles(ctx, ChangeQuery(text="vaksin")) == ["Nye råd om vaksine mot influensa"]
    assert titles(ctx, ChangeQuery(text="gjeld 65")) == ["Nye råd om vaksine mot influensa"]
    # every word must occur; held and suppressed changes are never found
    assert titles(ctx, ChangeQuery(text="vaksine smittevernloven")) == []
    assert titles(ctx, ChangeQuery(text="holdt")) == []
    assert titles(ctx, ChangeQuery(text="stoppet")) == []
    # search with filters; punctuation and FTS syntax are only separators
    assert titles(ctx, ChangeQuery(text="vaksine", urgent=True)) == []
    assert titles(ctx, ChangeQuery(text='"smitte*" OR (NEAR')) == []
    assert titles(ctx, ChangeQuery(text='smitte-"vern')) == []
    assert titles(ctx, ChangeQuery(text="smitte*")) == ["Smittevernloven endret"]
    assert len(titles(ctx, ChangeQuery(text=" ... "))) == 0
    decomposed = "ra\u030ad"  # "råd" typed as a + combining ring
    assert titles(ctx, ChangeQuery(text=decomposed)) == ["Nye råd om vaksine mot influensa"]
    for odd in ("_", "___ råd:*", "x&y|z!", "'", '"', "*", "\u0301", "ﬁ"):
        expected = ["Nye råd om vaksine mot influensa"] if "råd" in odd else []
        assert titles(ctx, ChangeQuery(text=odd)) == expected, odd


def test_search_follows_edits_and_status(ctx: Context) -> None:
    ids = seed(ctx)
    with Session(ctx.engine) as session:
        change = session.get(Change, ids["vaksine"])
        assert change is not None
        change.title = "Oppdaterte tilrådingar om influensavaksine"
        session.commit()
        held = session.get(Change, ids["holdt"])
        assert held is not None
        held.status = "published"
        session.commit()
    assert titles(ctx, ChangeQuery(text="nye råd")) == []
    assert titles(ctx, ChangeQuery(text="tilrådingar")) == [
        "Oppdaterte tilrådingar om influensavaksine"
    ]
    assert titles(ctx, ChangeQuery(text="holdt")) == ["Holdt tilbake: vaksine"]
    with Session(ctx.engine) as session:
        session.delete(session.get(Change, ids["holdt"]))
        session.commit()
    assert titles(ctx, ChangeQuery(text="holdt")) == []


def test_story_across_sources(ctx: Context) -> None:
    a = add(ctx.engine, "Ny vaksineplan (FHI)", T0, story_key="k1")
    add(ctx.engine, "Ny vaksineplan (regjeringen)", T0, story_key="k1", authority="regjeringen")
    add(ctx.engine, "Ny vaksineplan (holdt)", T0, story_key="k1", status="held")
    alone = add(ctx.engine, "Alene", T0)
    with Session(ctx.engine) as session:
        first = session.get(Change, a)
        assert first is not None
        assert [c.title for c in story_of(session, first)] == ["Ny vaksineplan (regjeringen)"]
        single = session.get(Change, alone)
        assert single is not None and story_of(session, single) == []


def test_sqlite_index_rebuilt_when_a_batch_copy_dropped_the_triggers(ctx: Context) -> None:
    if ctx.engine.dialect.name != "sqlite":
        return
    seed(ctx)
    with ctx.engine.begin() as conn:
        conn.execute(sa.text("DROP TRIGGER change_fts_insert"))
    late = add(ctx.engine, "Kom etter kopien", T0 + timedelta(days=5))
    ensure_search_index.__globals__["_healthy"].discard(ctx.engine)
    assert titles(ctx, ChangeQuery(text="kopien")) == ["Kom etter kopien"]
    with Session(ctx.engine) as session:
        assert get_change(session, late) is not None
    add(ctx.engine, "Og enda en", T0 + timedelta(days=6))
    assert titles(ctx, ChangeQuery(text="enda")) == ["Og enda en"]


def test_postgres_search_uses_the_expression_indexes(ctx: Context) -> None:
    if ctx.engine.dialect.name != "postgresql":
        return
    seed(ctx)
    query = ChangeQuery(text="vaksine")
    with Session(ctx.engine) as session:
        from notifier.public_changes import conditions

        session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        stmt = sa.select(Change.id).where(*conditions(session, query))  # type: ignore[call-overload]
        compiled = stmt.compile(ctx.engine, compile_kwargs={"literal_binds": True})
        plan = "\n".join(r[0] for r in session.execute(sa.text(f"EXPLAIN {compiled}")))
    assert "ix_change_fts_simple" in plan and "ix_change_fts_norwegian" in plan
    with Session(ctx.engine) as session:
        session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        query = ChangeQuery(subtopic="vaksinasjon", region="46")
        stmt = sa.select(Change.id).where(*conditions(session, query))  # type: ignore[call-overload]
        compiled = stmt.compile(ctx.engine, compile_kwargs={"literal_binds": True})
        plan = "\n".join(r[0] for r in session.execute(sa.text(f"EXPLAIN {compiled}")))
    assert "ix_change_subtopics_jsonb" in plan or "ix_change_regions_jsonb" in plan


def test_migration_0011_goes_down_and_up_again(ctx: Context) -> None:
    seed(ctx)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0010_delivery")
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    ensure_search_index.__globals__["_healthy"].discard(ctx.engine)
    assert titles(ctx, ChangeQuery(text="influensa")) == ["Nye råd om vaksine mot influensa"]


def test_staff_review_is_reflected_at_once(ctx: Context) -> None:
    """The review paths staff use (notifier.review): approve, edit, re-tag and suppress; the
    query layer (filters and search) follows each without any index work of its own."""
    from notifier import review
    from notifier.review import Labels

    ids = seed(ctx)
    now = T0 + timedelta(days=10)
    known = {"known_subtopics": ctx.taxonomy.slugs(), "known_regions": ["46", "4601", "11"]}
    held, shown = ids["holdt"], ids["vaksine"]
    assert titles(ctx, ChangeQuery(text="holdt")) == []
    with Session(ctx.engine) as session:
        review.approve(session, held, None, now)
        session.commit()
    assert titles(ctx, ChangeQuery(text="holdt", subtopic="vaksinasjon")) == [
        "Holdt tilbake: vaksine"
    ]
    with Session(ctx.engine) as session:
        review.edit(session, held, None, now, title="Tilrådingar for vaksinering", summary="Ny")
        review.retag(session, held, None, now, Labels(("testing",), ("11",), True), **known)
        session.commit()
    assert titles(ctx, ChangeQuery(text="holdt")) == []
    assert titles(ctx, ChangeQuery(text="tilrådingar", subtopic="testing", region="11")) == [
        "Tilrådingar for vaksinering"
    ]
    assert titles(ctx, ChangeQuery(subtopic="vaksinasjon")) == ["Nye råd om vaksine mot influensa"]
    assert titles(ctx, ChangeQuery(urgent=True, text="vaksinering")) == [
        "Tilrådingar for vaksinering"
    ]
    with Session(ctx.engine) as session:
        review.suppress(session, shown, None, "Feil kilde", now)
        session.commit()
        assert get_change(session, shown) is None
    assert titles(ctx, ChangeQuery(text="influensa")) == []
    assert titles(ctx, ChangeQuery(region="4601")) == []


def test_latest_change_of_each_subtopic(ctx: Context) -> None:
    ids = seed(ctx)
    newer = add(ctx.engine, "Nyere om vaksine", T0 + timedelta(days=6), subtopics=["vaksinasjon"])
    for i in range(5):  # more than one chunk to read
        add(ctx.engine, f"Annet {i}", T0 + timedelta(days=7 + i), subtopics=["testing"])
    with Session(ctx.engine) as session:
        latest = latest_by_subtopic(
            session, ["vaksinasjon", "forskrifter_regelverk", "tisk", "testing"], first=2
        )
        assert {slug: c.id for slug, c in latest.items()} == {
            "vaksinasjon": newer,  # not the held one, not the older one
            "forskrifter_regelverk": ids["smitte"],
            "testing": latest["testing"].id,
        }
        assert latest["testing"].title == "Annet 4"
        assert latest_by_subtopic(session, []) == {}


def test_a_change_with_a_megabyte_of_distinct_words_is_stored_and_found(ctx: Context) -> None:
    # PostgreSQL's tsvector holds at most 1 MB: a hostile page of distinct words made the
    # change's insert fail ("string is too long for tsvector"), so its source's check failed
    # every time. The index reads the first part of the text; the title always.
    words = " ".join(f"ord{i:06d}x" for i in range(100_000))  # 1.1 MB
    add(ctx.engine, "Ordliste uten ende", T0, after=words)
    add(ctx.engine, "Vanlig endring", T0 + timedelta(hours=1), after="ord000001x og mer")
    assert titles(ctx, ChangeQuery(text="ordliste")) == ["Ordliste uten ende"]
    assert titles(ctx, ChangeQuery(text="ord000001x")) == ["Vanlig endring", "Ordliste uten ende"]


def test_a_municipality_sees_its_own_changes_and_its_countys_as_a_whole(ctx: Context) -> None:
    # regions as the classifier gives them: a municipality with its county (guidelines R1)
    e = ctx.engine
    add(e, "Bergen: utbrudd på sykehjem", T0, regions=["46", "4601"])
    add(e, "Kinn: utbrudd på skole", T0 + timedelta(hours=1), regions=["46", "4602"])
    add(e, "Vestland: ny forskrift for hele fylket", T0 + timedelta(hours=2), regions=["46"])
    add(e, "Rogaland: ny forskrift", T0 + timedelta(hours=3), regions=["11"])
    add(e, "Nasjonal veileder", T0 + timedelta(hours=4))
    add(e, "Bergen og Stavanger", T0 + timedelta(hours=5), regions=["11", "1103", "46", "4601"])
    assert titles(ctx, ChangeQuery(region="4601")) == [
        "Bergen og Stavanger",
        "Vestland: ny forskrift for hele fylket",
        "Bergen: utbrudd på sykehjem",
    ]  # not Kinn's outbreak, not Rogaland's, not the national one (that is no region)
    assert titles(ctx, ChangeQuery(region="46")) == [
        "Bergen og Stavanger",
        "Vestland: ny forskrift for hele fylket",
        "Kinn: utbrudd på skole",
        "Bergen: utbrudd på sykehjem",
    ]
    assert titles(ctx, ChangeQuery(region="1106")) == ["Rogaland: ny forskrift"]
