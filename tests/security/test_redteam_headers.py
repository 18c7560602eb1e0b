"""Red team, pages opened by a secret link: ``/bekreft/<token>``, ``/innstillinger/<token>``
(the person's address, name and choices), its ``data.json`` (everything stored about them),
``/innstillinger/<token>/slett`` and ``/u/<token>``. The link is the only key to them, so
their answers must not be kept by a browser's or a proxy's cache (``Cache-Control: no-store``:
the next user of a shared computer opens them from the history), must not hand the link on to
another site (``Referrer-Policy: no-referrer``), and may not be framed by another site (the
erase and unsubscribe buttons are one click; ``X-Frame-Options: DENY`` and CSP
``frame-ancestors 'none'``). Every route with a ``{token}`` in its path is walked from the
route table, with a valid link and with a forged one; the real app over ASGI on SQLite.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session

from notifier.context import Context
from notifier.web import create_app
from subscribers import tokens
from subscribers.service import add_subscriber
from subscribers.tokens import CONFIRM, MANAGE, UNSUBSCRIBE
from tests.security.test_staff_console import walk

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

#: the purpose of the link each public path takes
PURPOSE = {"/bekreft": CONFIRM, "/innstillinger": MANAGE, "/u": UNSUBSCRIBE}


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


def link_routes(app: FastAPI) -> list[str]:
    paths = sorted({path for method, path in walk(app.routes) if method == "GET"})
    found = [p for p in paths if "{token}" in p and not p.startswith("/staff")]
    assert len(found) >= 5, found
    return found


def assert_private(response: httpx.Response, path: str) -> None:
    headers = response.headers
    assert "no-store" in headers.get("cache-control", ""), (path, dict(headers))
    assert headers.get("referrer-policy") == "no-referrer", (path, dict(headers))
    assert headers.get("x-frame-options") == "DENY", (path, dict(headers))
    assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), path


async def test_pages_opened_by_a_link_are_not_cached_referred_or_framed(
    ctx: Context, app: FastAPI
) -> None:
    with Session(ctx.engine) as session:
        person = add_subscriber(
            session, "kari@kommune.no", role="kommunelege", subtopics=["vaksinasjon"],
            cadence="daily", known_subtopics=ctx.taxonomy.slugs(), confirmed=False,
        )  # fmt: skip
        session.commit()
        assert person.id is not None
        sid, version = person.id, person.token_version
    transport = httpx.ASGITransport(app=app, client=("198.51.100.70", 1))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        for route in link_routes(app):
            purpose = PURPOSE["/" + route.split("/")[1]]
            token = tokens.sign(app.state.links.secret, purpose, sid, version, ctx.clock())
            for value in (token, token[:-4] + "AAAA"):
                for method in ("GET", "HEAD"):
                    answer = await client.request(method, route.replace("{token}", value))
                    assert answer.status_code < 500, (route, answer.status_code)
                    assert_private(answer, f"{method} {route}")
