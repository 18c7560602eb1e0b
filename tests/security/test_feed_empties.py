"""Issue 8, class 11: a feed that empties is a source problem, never silence.

Through the real chain (HTTP fixture server, ``notifier.pipeline.check``, SQLite and
PostgreSQL): a feed with several items is checked, then answers with a valid feed without
items. That check fails (``FeedEmptied``), the source counts as failing and operators are told
once it keeps failing, and the stored version stays the last good one; when the items come
back nothing is announced again, and only an item that is really new is.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from feeds.catalogue import SourceSpec
from feeds.store.models import Change, Snapshot, Source
from feeds.store.snapshot import stored_state
from feeds.store.sources import upsert_sources
from feeds.store.versions import latest_stored
from notifier.context import Context
from notifier.outbox import Delivery
from notifier.pipeline import check
from tests.conftest import Clock
from tests.support.httpserver import FixtureServer

ITEM = (
    "<item><guid>{n}</guid><title>Nyhet {n} om smittevern</title>"
    "<link>https://www.fhi.no/nyheter/{n}</link><description>Tekst {n}</description></item>"
)
ENTRY = (
    "<entry><id>urn:fhi:{n}</id><title>Nyhet {n} om smittevern</title>"
    '<link href="https://www.fhi.no/nyheter/{n}"/><updated>2026-11-2{n}T08:00:00Z</updated>'
    "<summary>Tekst {n}</summary></entry>"
)


def rss(*numbers: int, extra: str = "") -> str:
    items = "".join(ITEM.format(n=n) for n in numbers)
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>FHI nyheter</title><link>https://www.fhi.no/</link>{extra}{items}"
        "</channel></rss>"
    )


def atom(*numbers: int, extra: str = "") -> str:
    entries = "".join(ENTRY.format(n=n) for n in numbers)
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>FHI nyheter</title><id>urn:fhi</id><updated>2026-11-23T08:00:00Z</updated>"
        f"{extra}{entries}</feed>"
    )


FORMATS = {"rss": rss, "atom": atom}
KEY = "fhi-nyheter"


@pytest.fixture
def feed(ctx: Context, http: FixtureServer) -> FixtureServer:
    ctx.settings = ctx.settings.model_copy(
        update={"obey_robots": False, "operator_email": "drift@varsel.example.no"}
    )
    spec = SourceSpec(
        key=KEY, kind="feed", url=http.url("/rss"), authority="fhi", name="FHI: nyheter"
    )
    with Session(ctx.engine) as session:
        upsert_sources(session, [spec])
        session.commit()
    return http


def serve(http: FixtureServer, body: str) -> None:
    http.set("/rss", body, headers={"Content-Type": "application/rss+xml; charset=utf-8"})


async def outcome(ctx: Context, clock: Clock) -> tuple[str, int, str]:
    clock.advance(hours=1)
    (report,) = await check(ctx, [KEY])
    return report.outcome, report.changes, report.detail


def source(ctx: Context) -> Source:
    with Session(ctx.engine) as session:
        return session.exec(select(Source).where(Source.key == KEY)).one()


def snapshot_ids(ctx: Context) -> list[int | None]:
    with Session(ctx.engine) as session:
        return [s.id for s in session.exec(select(Snapshot).order_by(col(Snapshot.id)))]


def remembered_items(ctx: Context) -> dict[str, str]:
    """The item titles of the stored version (tombstones have none)."""
    with Session(ctx.engine) as session:
        state = stored_state(latest_stored(session, source(ctx).id or 0))
    assert state is not None
    return {k: v.title for k, v in state.seen.items() if v.title}


def changes(ctx: Context) -> list[str]:
    with Session(ctx.engine) as session:
        return [c.title for c in session.exec(select(Change).order_by(col(Change.id)))]


def operator_mails(ctx: Context) -> list[Delivery]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Delivery).where(Delivery.kind == "operator")))


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_feed_that_empties_fails_keeps_its_version_and_announces_nothing_on_return(
    ctx: Context, feed: FixtureServer, clock: Clock, fmt: str
) -> None:
    make = FORMATS[fmt]
    serve(feed, make(1, 2, 3, 4, 5))
    assert (await outcome(ctx, clock))[0] == "new"
    kept, items = snapshot_ids(ctx), remembered_items(ctx)
    assert len(items) == 5

    serve(feed, make())  # valid, well-formed, and without a single item
    verb, count, detail = await outcome(ctx, clock)
    assert (verb, count) == ("error", 0)
    assert "FeedEmptied" in detail and "had 5 item(s)" in detail
    failing = source(ctx)
    assert failing.consecutive_errors == 1
    assert failing.last_outcome == "error"
    assert "now has none" in (failing.last_error or "")
    assert snapshot_ids(ctx) == kept
    assert remembered_items(ctx) == items

    # the same original body again: unchanged, nothing announced, the source healthy again
    serve(feed, make(1, 2, 3, 4, 5))
    assert await outcome(ctx, clock) == ("unchanged", 0, "not modified")
    assert source(ctx).consecutive_errors == 0
    # the items back in another body (one more channel element): compared against the kept
    # version, so still nothing is new
    serve(feed, make(5, 4, 3, 2, 1, extra="<generator>cms 2</generator>"))
    verb, count, _ = await outcome(ctx, clock)
    assert (verb, count) == ("unchanged", 0)
    assert changes(ctx) == []
    # and a really new item is announced, alone
    serve(feed, make(6, 1, 2, 3, 4, 5))
    assert (await outcome(ctx, clock))[:2] == ("new", 1)
    assert changes(ctx) == ["Nyhet 6 om smittevern"]


async def test_a_feed_that_stays_empty_keeps_failing_and_operators_are_told(
    ctx: Context, feed: FixtureServer, clock: Clock
) -> None:
    serve(feed, rss(1, 2, 3))
    assert (await outcome(ctx, clock))[0] == "new"
    kept = snapshot_ids(ctx)
    serve(feed, rss())
    threshold = ctx.settings.source_error_threshold
    for failures in range(1, threshold + 2):
        assert (await outcome(ctx, clock))[0] == "error"
        assert source(ctx).consecutive_errors == failures
    (mail,) = operator_mails(ctx)  # once per outage
    assert "FHI: nyheter" in mail.subject
    assert "now has none" in mail.body_text
    assert snapshot_ids(ctx) == kept
    assert changes(ctx) == []


async def test_a_feed_that_starts_empty_is_a_baseline_and_stays_quiet(
    ctx: Context, feed: FixtureServer, clock: Clock
) -> None:
    """Nothing was lost: a feed empty from its first check is no problem, and its first
    items are news."""
    serve(feed, rss())
    assert (await outcome(ctx, clock))[0] == "new"
    serve(feed, rss(extra="<generator>cms</generator>"))
    assert (await outcome(ctx, clock))[:2] == ("unchanged", 0)
    serve(feed, rss(1))
    assert (await outcome(ctx, clock))[:2] == ("new", 1)
    assert source(ctx).consecutive_errors == 0
