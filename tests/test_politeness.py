"""Politeness across the chain: a daily unconditional GET catches a server that wrongly
answers 304, and a host that asks us to wait is no failure of its sources."""

from __future__ import annotations

from sqlmodel import Session, select

from feeds.catalogue import SourceSpec
from feeds.fetch.client import Fetcher
from feeds.store.models import Source
from feeds.store.sources import upsert_sources
from notifier.context import Context
from notifier.pipeline import check
from tests.conftest import Clock
from tests.support.httpserver import FixtureServer

PAGE = "<html><body><main><h1>Veileder</h1><h2>Testing</h2><p>{}</p></main></body></html>"


def add_sources(ctx: Context, http: FixtureServer, *paths: str) -> None:
    specs = [
        SourceSpec(
            key=p.strip("/"),
            kind="page",
            url=http.url(p),
            authority="fhi",
            name=f"Side {p}",
            selector="main",
        )
        for p in paths
    ]
    with Session(ctx.engine) as session:
        upsert_sources(session, specs)
        session.commit()


def source(ctx: Context, key: str) -> Source:
    with Session(ctx.engine) as session:
        return session.exec(select(Source).where(Source.key == key)).one()


async def test_a_wrong_304_is_caught_by_the_daily_full_fetch(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    ctx.settings = ctx.settings.model_copy(update={"obey_robots": False})
    http.set("/v", PAGE.format("Alle med symptomer bør teste seg."), etag='"same"')
    add_sources(ctx, http, "/v")
    assert [r.outcome for r in await check(ctx, everything=True)] == ["new"]
    # The page changes but the server keeps its ETag and answers 304 to our validators.
    http.set("/v", PAGE.format("Alle med symptomer bør teste seg med PCR."), etag='"same"')
    clock.advance(hours=2)
    assert [r.outcome for r in await check(ctx, everything=True)] == ["unchanged"]
    assert http.requests[-1][1].get("If-None-Match") == '"same"'
    clock.advance(hours=23)
    assert [r.outcome for r in await check(ctx, everything=True)] == ["changed"]
    assert "If-None-Match" not in http.requests[-1][1]
    assert source(ctx, "v").last_full_fetch_at == clock()


async def test_a_host_that_asks_us_to_wait_pauses_without_counting_failures(
    ctx: Context, http: FixtureServer
) -> None:
    policy = ctx.settings.model_copy(
        update={"obey_robots": False, "per_host_concurrency": 1}
    ).fetch_policy()
    http.set("/a", "busy", status=429, headers={"Retry-After": "600"})
    http.set("/b", PAGE.format("b"))
    add_sources(ctx, http, "/a", "/b")
    async with Fetcher(policy) as fetcher:
        first = {r.key: r.outcome for r in await check(ctx, ["a"], fetcher=fetcher)}
        second = {r.key: r.outcome for r in await check(ctx, ["b"], fetcher=fetcher)}
    assert first == {"a": "error"} and second == {"b": "error"}
    assert source(ctx, "a").consecutive_errors == 1  # the 429 itself
    paused = source(ctx, "b")
    assert paused.consecutive_errors == 0  # only asked to wait: no failure, no operator mail
    assert "HostPaused" in (paused.last_error or "")
    assert [p for p, _ in http.requests] == ["/a"]  # nothing was sent to the paused host


def test_an_unreachable_robots_txt_counts_as_a_failure_of_the_source() -> None:
    from datetime import UTC, datetime

    from feeds.errors import HostPaused, RobotsUnavailable
    from feeds.store.sources import CheckTarget, error_fields

    spec = SourceSpec(key="s", kind="page", url="https://x.no/", authority="fhi", name="S")
    target = CheckTarget(1, spec, None, None, None, None, consecutive_errors=2)
    now = datetime(2026, 11, 24, tzinfo=UTC)
    down = error_fields(target, RobotsUnavailable("robots.txt could not be read"), now)
    paused = error_fields(target, HostPaused("the host asked us to wait"), now)
    assert down["consecutive_errors"] == 3
    assert paused["consecutive_errors"] == 2
