"""Issue 13, access: rate limits on the public reads, as a scraper or a flood meets them. The real
app over ASGI (httpx), the clock driven by hand, SQLite and PostgreSQL.

- ``/api/v1/*`` (and the old ``/api/changes``): over the limit, 429 with ``Retry-After`` and
  the API's Norwegian JSON error, documented in the OpenAPI schema of every public route.
- ``/endringer.atom``: the same, in its own scope.
- ``/endringer?q=`` (full-text search): a Norwegian page (bokmål and nynorsk) with 429 and
  ``Retry-After``; browsing without a search is not limited; a search through the API or a
  feed counts as a search too.
- Per client: another address is not affected; IPv6 addresses count by their /64.
- A conditional GET (304) counts; the limit resets when the window ends.
- Cheap: on SQLite nothing is written per request; on PostgreSQL two web processes (two apps,
  each with its own counts) share the limit through the database in chunks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlmodel import Session, func, select

from notifier.context import Context
from notifier.web import create_app, ratelimit
from notifier.web.ratelimit import API, FEED, SEARCH, Limit, RateLimits
from subscribers.models import RateEvent
from tests.conftest import Clock
from tests.support.api import add_change

#: where the database plays no part, SQLite only (the folder's time budget is two minutes)
SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
SMALL = {API: Limit(5), FEED: Limit(4), SEARCH: Limit(3)}
ONE = ("203.0.113.10", 40000)
OTHER = ("198.51.100.20", 40000)


def small_app(ctx: Context, limits: dict[str, Limit] | None = None) -> FastAPI:
    app = create_app(ctx)
    app.state.rate_limits = RateLimits(ctx, limits or SMALL)
    return app


@asynccontextmanager
async def client_of(
    app: FastAPI, client: tuple[str, int] = ONE
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=client)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        yield c


def rate_rows(ctx: Context) -> int:
    with Session(ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(RateEvent)).one())


def assert_json_429(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text[:300]
    error = response.json()["error"]
    assert error["code"] == "rate_limited"
    assert "For mange forespørsler" in error["message"]
    assert "førespurnader" in error["message_nn"]
    assert response.headers["cache-control"] == "no-store"
    retry = int(response.headers["retry-after"])
    assert 1 <= retry <= 60
    return retry


# --- the API -------------------------------------------------------------------------------


@SQLITE
@pytest.mark.parametrize(
    "path",
    ["/api/v1/changes", "/api/v1/sources", "/api/v1/subtopics", "/api/v1/regions",
     "/api/v1/changes/1", "/api/v1/openapi.json", "/api/changes"],
)  # fmt: skip
async def test_one_client_over_the_api_limit_gets_429_with_retry_after(
    ctx: Context, path: str
) -> None:
    add_change(ctx, "En endring")
    app = small_app(ctx)
    async with client_of(app) as client:
        for _ in range(5):
            assert (await client.get(path)).status_code == 200
        assert_json_429(await client.get(path))
        # every public API route is one scope: the limit is the client's, not the route's
        assert_json_429(await client.get("/api/v1/sources"))
    async with client_of(app, OTHER) as other:
        assert (await other.get(path)).status_code == 200


@SQLITE
async def test_the_limit_resets_when_the_window_ends(ctx: Context, clock: Clock) -> None:
    app = small_app(ctx)
    async with client_of(app) as client:
        for _ in range(5):
            assert (await client.get("/api/v1/subtopics")).status_code == 200
        retry = assert_json_429(await client.get("/api/v1/subtopics"))
        clock.advance(seconds=retry - 1)
        assert_json_429(await client.get("/api/v1/subtopics"))
        clock.advance(seconds=1)
        assert (await client.get("/api/v1/subtopics")).status_code == 200


@SQLITE
async def test_conditional_gets_count_too(ctx: Context) -> None:
    app = small_app(ctx)
    async with client_of(app) as client:
        first = await client.get("/api/v1/subtopics")
        tag = {"If-None-Match": first.headers["etag"]}
        for _ in range(4):
            assert (await client.get("/api/v1/subtopics", headers=tag)).status_code == 304
        assert_json_429(await client.get("/api/v1/subtopics", headers=tag))


@SQLITE
async def test_the_default_limit_is_on_without_any_setting(ctx: Context) -> None:
    assert ctx.settings.api_limit_per_minute == 120
    app = create_app(ctx)
    async with client_of(app) as client:
        for _ in range(120):
            assert (await client.get("/api/v1/subtopics")).status_code == 200
        assert_json_429(await client.get("/api/v1/subtopics"))


@SQLITE
async def test_a_limit_set_to_0_is_off_and_the_others_hold(ctx: Context) -> None:
    ctx.settings = ctx.settings.model_copy(
        update={"api_limit_per_minute": 0, "feed_limit_per_minute": 2}
    )
    app = create_app(ctx)
    async with client_of(app) as client:
        for _ in range(200):
            assert (await client.get("/api/v1/subtopics")).status_code == 200
        for _ in range(2):
            assert (await client.get("/endringer.atom")).status_code == 200
        assert_json_429(await client.get("/endringer.atom"))


async def test_the_openapi_schema_documents_429_on_every_public_route(ctx: Context) -> None:
    async with client_of(create_app(ctx)) as client:
        schema = (await client.get("/api/v1/openapi.json")).json()
    public = {
        path: methods for path, methods in schema["paths"].items()
        if not path.startswith("/api/v1/staff")
    }  # fmt: skip
    assert len(public) >= 5
    for path, methods in public.items():
        answer = methods["get"]["responses"].get("429")
        assert answer is not None, path
        assert "Retry-After" in answer["headers"], path
        assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")


# --- the Atom feeds ------------------------------------------------------------------------


@SQLITE
async def test_one_client_over_the_feed_limit_gets_429(ctx: Context, clock: Clock) -> None:
    add_change(ctx, "En endring")
    app = small_app(ctx)
    async with client_of(app) as client:
        first = await client.get("/endringer.atom")
        assert first.status_code == 200
        tag = {"If-None-Match": first.headers["etag"]}
        for _ in range(3):
            assert (await client.get("/endringer.atom", headers=tag)).status_code == 304
        assert_json_429(await client.get("/endringer.atom?lang=nn"))
        # the feeds are a scope of their own: the API still answers
        assert (await client.get("/api/v1/subtopics")).status_code == 200
    async with client_of(app, OTHER) as other:
        assert (await other.get("/endringer.atom")).status_code == 200
    clock.advance(minutes=1)
    async with client_of(app) as client:
        assert (await client.get("/endringer.atom")).status_code == 200


# --- the change log's search ----------------------------------------------------------------


@SQLITE
async def test_too_many_searches_get_a_norwegian_page_with_429(ctx: Context, clock: Clock) -> None:
    add_change(ctx, "Vaksine for barn")
    app = small_app(ctx)
    async with client_of(app) as client:
        for _ in range(3):
            assert (await client.get("/endringer", params={"q": "vaksine"})).status_code == 200
        page = await client.get("/endringer", params={"q": "vaksine"})
        assert page.status_code == 429
        assert page.headers["content-type"].startswith("text/html")
        assert 1 <= int(page.headers["retry-after"]) <= 60
        assert "For mange søk" in page.text and "sekunder" in page.text
        nynorsk = await client.get("/endringer", params={"q": "vaksine", "lang": "nn"})
        assert nynorsk.status_code == 429 and "gonger" in nynorsk.text
        # browsing without a search is not limited
        for _ in range(10):
            assert (await client.get("/endringer")).status_code == 200
        assert (await client.get("/endringer", params={"q": "  "})).status_code == 200
    async with client_of(app, OTHER) as other:
        assert (await other.get("/endringer", params={"q": "vaksine"})).status_code == 200
    clock.advance(minutes=1)
    async with client_of(app) as client:
        assert (await client.get("/endringer", params={"q": "vaksine"})).status_code == 200


@SQLITE
async def test_a_search_through_the_api_or_a_feed_counts_as_a_search(ctx: Context) -> None:
    app = small_app(ctx)
    async with client_of(app) as client:
        assert (await client.get("/api/v1/changes", params={"q": "a"})).status_code == 200
        assert (await client.get("/endringer.atom", params={"q": "b"})).status_code == 200
        assert (await client.get("/endringer", params={"q": "c"})).status_code == 200
        assert_json_429(await client.get("/api/v1/changes", params={"q": "d"}))
        assert (await client.get("/endringer", params={"q": "e"})).status_code == 429
        # without a search the API still answers
        assert (await client.get("/api/v1/changes")).status_code == 200


# --- who a client is ------------------------------------------------------------------------


@SQLITE
async def test_ipv6_clients_count_by_their_64_and_mapped_v4_as_v4(ctx: Context) -> None:
    app = small_app(ctx, {API: Limit(2), FEED: Limit(2), SEARCH: Limit(2)})
    for host in ("2001:db8:1:1::1", "2001:db8:1:1::2"):
        async with client_of(app, (host, 1)) as client:
            assert (await client.get("/api/v1/subtopics")).status_code == 200
    async with client_of(app, ("2001:db8:1:1:ffff::9", 1)) as same_64:
        assert_json_429(await same_64.get("/api/v1/subtopics"))
    async with client_of(app, ("2001:db8:1:2::1", 1)) as next_64:
        assert (await next_64.get("/api/v1/subtopics")).status_code == 200
    async with client_of(app, ("192.0.2.5", 1)) as v4:
        for _ in range(2):
            assert (await v4.get("/api/v1/subtopics")).status_code == 200
    async with client_of(app, ("::ffff:192.0.2.5", 1)) as mapped:
        assert_json_429(await mapped.get("/api/v1/subtopics"))


@SQLITE
def test_the_count_table_is_bounded_per_window(
    ctx: Context, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "MAX_CLIENTS", 3)
    limits = RateLimits(ctx, {API: Limit(2)})
    for n in range(3):
        assert limits.hit(API, f"192.0.2.{n}") is None
    # past the bound, new clients share one bucket
    assert limits.hit(API, "192.0.2.100") is None
    assert limits.hit(API, "192.0.2.101") is None
    assert limits.hit(API, "192.0.2.102") is not None
    assert limits.hit(API, "192.0.2.0") is None  # a known client keeps its own count
    clock.advance(minutes=1)
    assert limits.hit(API, "192.0.2.102") is None  # a new window starts empty


def test_a_full_table_limits_new_clients_by_their_network_not_everyone(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whoever fills the table with fresh addresses (a large IPv6 allocation, a botnet in
    one network) shares a bucket with new clients of his own wide prefix only."""
    monkeypatch.setattr(ratelimit, "MAX_CLIENTS", 3)
    limits = RateLimits(ctx, {API: Limit(2)})
    for n in range(3):  # the table fills with the attacker's /64s
        assert limits.hit(API, f"2001:db8:0:{n}::/64") is None
    for n in range(3, 6):
        limits.hit(API, f"2001:db8:0:{n}::/64")
    assert limits.hit(API, "2001:db8:0:99::/64") is not None  # his network's bucket is spent
    assert limits.hit(API, "198.51.100.7") is None  # a new client elsewhere is not
    assert limits.hit(API, "2001:db9::/64") is None
    assert ratelimit.overflow("not an address") == ratelimit.OVERFLOW


# --- cheap, and shared between processes ----------------------------------------------------


@SQLITE
async def test_on_sqlite_nothing_is_written_per_request(ctx: Context) -> None:
    app = create_app(ctx)
    assert app.state.rate_limits.share is False
    before = rate_rows(ctx)
    async with client_of(app) as client:
        for _ in range(50):
            await client.get("/api/v1/subtopics")
            await client.get("/endringer", params={"q": "x"})
    assert rate_rows(ctx) == before


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_on_postgresql_two_web_processes_share_the_limit(ctx: Context) -> None:
    """Two apps, each with its own counts, as two ``notifier web`` processes would be: the
    client alternates between them and is refused near the limit of both together (each
    process may be up to ``chunk - 1`` behind the other), not at twice it."""
    limits = {API: Limit(40), FEED: Limit(40), SEARCH: Limit(40)}
    first, second = small_app(ctx, limits), small_app(ctx, limits)
    assert first.state.rate_limits.share is True
    chunk = first.state.rate_limits.chunk(API)
    served = 0
    async with client_of(first) as a, client_of(second) as b:
        for n in range(80):
            response = await (a if n % 2 else b).get("/api/v1/subtopics")
            if response.status_code == 429:
                break
            assert response.status_code == 200
            served += 1
    assert 40 - chunk <= served <= 40 + 2 * chunk, served
    # one row per chunk of requests, not one per request
    assert rate_rows(ctx) <= served // chunk + 2
    async with client_of(second, OTHER) as other:
        assert (await other.get("/api/v1/subtopics")).status_code == 200


# --- no public read without its limit ---------------------------------------------------------


def _routes(routes: Any) -> Iterator[APIRoute]:
    """Every route, into included routers (FastAPI keeps them nested, as ``walk`` in
    ``test_staff_console`` does)."""
    for route in routes:
        sub = getattr(route, "original_router", None)
        if sub is not None:
            yield from _routes(sub.routes)
        elif isinstance(route, APIRoute):
            yield route


def _dependencies(route: APIRoute) -> set[object]:
    found: set[object] = set()
    stack = list(route.dependant.dependencies)
    while stack:
        dependant = stack.pop()
        found.add(dependant.call)
        stack.extend(dependant.dependencies)
    return found


@SQLITE
def test_every_public_read_route_carries_its_limit(ctx: Context) -> None:
    """Structural: a new public API route, feed or search page without the limit fails here."""
    expected = {"/endringer.atom": ratelimit.feed_limit, "/endringer": ratelimit.search_limit}
    checked = 0
    for route in _routes(create_app(ctx).routes):
        if "GET" not in route.methods:
            continue
        path = route.path
        if path.startswith("/api/") and not path.startswith("/api/v1/staff"):
            wanted = ratelimit.api_limit
        elif path in expected:
            wanted = expected[path]
        else:
            continue
        assert wanted in _dependencies(route), f"{path} has no rate limit"
        checked += 1
    assert checked >= 9  # 7 under /api/v1, /api/changes, the feed, the change log
