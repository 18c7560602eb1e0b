"""Red team, round 7: clickjacking. Only the pages opened by a secret link (and the console)
said who may frame them; the front page, the sign-up form, the change log and its search, the
API's documents and every error page could be loaded in another site's invisible frame, with
its buttons under the visitor's clicks ("Abonner", a search that counts against the visitor's
limit), and none said ``nosniff``. Every route of the app is asked (GET, from the route
table, with a plausible value in each parameter) and so are the error pages (404, 405, 413):
each answer forbids framing by another site in ``X-Frame-Options`` and in CSP
``frame-ancestors`` alike (``DENY``/``'none'``; the console ``SAMEORIGIN``/``'self'``, for its
preview frame), and says ``nosniff``. The real app over ASGI (httpx) on SQLite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from notifier.context import Context
from notifier.web import create_app
from tests.security.test_staff_console import concrete, walk

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

FORM = "application/x-www-form-urlencoded"
#: X-Frame-Options and the CSP directives that say the same or less
SAME = {
    "DENY": ("frame-ancestors 'none'",),
    "SAMEORIGIN": ("frame-ancestors 'self'", "frame-ancestors 'none'"),
}


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


async def body() -> AsyncIterator[bytes]:
    yield b"x" * 10


def assert_not_framed(answer: httpx.Response, what: str) -> None:
    headers = answer.headers
    framing = headers.get("x-frame-options", "").upper()
    assert framing in SAME, (what, answer.status_code, dict(headers))
    policy = headers.get("content-security-policy", "")
    assert any(rule in policy for rule in SAME[framing]), (what, dict(headers))
    assert headers.get("x-content-type-options") == "nosniff", (what, dict(headers))


async def test_no_answer_of_the_app_may_be_framed_by_another_site(app: FastAPI) -> None:
    paths = sorted({concrete(path) for method, path in walk(app.routes) if method == "GET"})
    assert len(paths) > 30, paths
    extra = [
        ("GET", "/finnes-ikke"), ("GET", "/api/v1/finnes-ikke"), ("PUT", "/abonner"),
        ("DELETE", "/endringer"), ("GET", "/endringer?q=vaksine"), ("GET", "/abonner?lang=nn"),
    ]  # fmt: skip
    transport = httpx.ASGITransport(app=app, client=("198.51.100.71", 1))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        for method, path in [("GET", p) for p in paths] + extra:
            for verb in (method, "HEAD") if method == "GET" else (method,):
                answer = await client.request(verb, path)
                assert answer.status_code < 500, (verb, path, answer.status_code)
                assert_not_framed(answer, f"{verb} {path}")
        too_large = await client.post(
            "/abonner",
            content=body(),
            headers={"content-length": str(1 << 40), "content-type": FORM},
        )
        assert too_large.status_code == 413
        assert_not_framed(too_large, "413")


async def test_a_public_page_is_denied_and_a_console_page_keeps_its_own_origin(
    app: FastAPI,
) -> None:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.72", 1))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        sign_up = await client.get("/abonner")
        login = await client.get("/staff/login")
        docs = await client.get("/api/v1/docs")
    assert sign_up.headers["x-frame-options"] == "DENY"
    assert sign_up.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert login.headers["x-frame-options"] == "SAMEORIGIN"
    assert login.headers["content-security-policy"] == "frame-ancestors 'self'"
    # a route's own policy is kept whole, not replaced or doubled
    assert (
        docs.headers.get_list("content-security-policy")
        == [docs.headers["content-security-policy"]]
        and "default-src 'none'" in docs.headers["content-security-policy"]
    )
