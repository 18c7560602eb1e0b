"""A host's Retry-After cannot talk us into hammering it (issue 8, class 7).

A 429 or 503 whose Retry-After is a date already past, or 0, asks for no wait at all; we back off
on our own instead, and the source's next check is not due at once either.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from feeds.fetch.client import Fetcher
from feeds.store.models import Source
from notifier.context import Context
from notifier.pipeline import check
from tests.conftest import Clock
from tests.support.httpserver import FixtureServer
from tests.test_politeness import PAGE, add_sources


@pytest.mark.parametrize(
    "retry_after", ["Wed, 21 Oct 2015 07:28:00 GMT", "0", "Thu, 01 Jan 1970 00:00:00 GMT"]
)
@pytest.mark.parametrize("status", [429, 503])
async def test_a_retry_after_in_the_past_still_pauses_the_host(
    ctx: Context, http: FixtureServer, clock: Clock, retry_after: str, status: int
) -> None:
    policy = ctx.settings.model_copy(
        update={"obey_robots": False, "per_host_concurrency": 1}
    ).fetch_policy()
    http.set("/a", "busy", status=status, headers={"Retry-After": retry_after})
    http.set("/b", PAGE.format("b"))
    add_sources(ctx, http, "/a", "/b")
    async with Fetcher(policy) as fetcher:
        first = {r.key: r.outcome for r in await check(ctx, ["a"], fetcher=fetcher)}
        second = {r.key: r.outcome for r in await check(ctx, ["a", "b"], fetcher=fetcher)}
    assert first == {"a": "error"} and second == {"a": "error", "b": "error"}
    assert [p for p, _ in http.requests] == ["/a"]  # nothing more was sent to the host
    with Session(ctx.engine) as session:
        a = session.exec(select(Source).where(Source.key == "a")).one()
    assert a.next_check_at is not None and a.next_check_at > clock()
