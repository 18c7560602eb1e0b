"""Red team, the push sign-up: the endpoint a browser posts is text from outside. A URL that
``urllib.parse.urlsplit`` cannot read (an unclosed IPv6 bracket, ``https://[x``) or whose port
is no port (``https://push.example.org:99999999/``) must be refused like any other bad
endpoint (400), never end the request in an error or
be stored for the sender to trip over. The route answers push.js in JSON, with its Norwegian
message. Through the real preferences link and form (the app
over ASGI), SQLite and PostgreSQL.
"""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from notifier.context import Context
from notifier.web import create_app
from subscribers import tokens
from subscribers.models import PushEndpoint
from subscribers.service import add_subscriber
from subscribers.tokens import MANAGE

#: a valid key pair as a browser sends it (65-byte P-256 point, 16-byte secret)
P256DH = "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U"
AUTH = "tBHItJI5svbpez7KI4CCXg"
BROKEN = [
    "https://[x",
    "https://[::1",
    "json://[",
    "https://push.example.org:99999999/send",
    "https://push.example.org:-1/send",
    "https://push.example.org:abc/send",
]


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


@pytest.mark.parametrize("endpoint", BROKEN)
async def test_an_endpoint_urlsplit_cannot_read_is_refused(
    ctx: Context, app: FastAPI, endpoint: str
) -> None:
    with Session(ctx.engine) as session:
        person = add_subscriber(
            session, "kari@kommune.no", role="kommunelege", subtopics=["vaksinasjon"],
            cadence="daily", known_subtopics=ctx.taxonomy.slugs(),
        )  # fmt: skip
        session.commit()
        assert person.id is not None
        link = tokens.sign(app.state.links.secret, MANAGE, person.id, 0, ctx.clock())
    transport = httpx.ASGITransport(app=app, client=("198.51.100.85", 1))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        page = await client.get(f"/innstillinger/{link}")
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found is not None
        data = {"csrf": found.group(1), "endpoint": endpoint, "p256dh": P256DH, "auth": AUTH}
        answer = await client.post(f"/innstillinger/{link}/push", data=data)
    assert answer.status_code == 400, answer.status_code
    assert answer.json()["ok"] is False
    assert answer.json()["message"].startswith("Det gikk ikke")
    with Session(ctx.engine) as session:
        assert session.exec(select(PushEndpoint)).all() == []
