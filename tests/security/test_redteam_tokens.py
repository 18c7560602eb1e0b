"""Red team, secrets compared with non-ASCII text: ``hmac.compare_digest`` raises TypeError for
a ``str`` holding a character outside ASCII, so a signed link, a CSRF field or an import seal
whose forged value holds one ("é", a bidi mark) ended the request in an error (a 500 anyone
could cause) instead of the refusal a wrong value gets. Through the real app over ASGI
(httpx) on SQLite: every place a secret is compared answers a forged non-ASCII value as it
answers a forged ASCII one, in Norwegian, and nothing changes.
"""

from __future__ import annotations

import re

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
from tests.support.staff import csrf_of, fast_hasher, login, staff_client  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.usefixtures("fast_hasher"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
FORGED = ["é", "abcé", "\u202e" * 24, "ø" * 24]
PURPOSE = {"/bekreft": CONFIRM, "/innstillinger": MANAGE, "/u": UNSUBSCRIBE}


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


def subscriber_id(ctx: Context) -> int:
    with Session(ctx.engine) as session:
        person = add_subscriber(
            session, "kari@kommune.no", role="kommunelege", subtopics=["vaksinasjon"],
            cadence="daily", known_subtopics=ctx.taxonomy.slugs(), confirmed=False,
        )  # fmt: skip
        session.commit()
        assert person.id is not None
        return person.id


def client_of(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.80", 1))
    return httpx.AsyncClient(transport=transport, base_url="https://testserver")


async def test_a_link_with_a_non_ascii_signature_is_refused_like_any_forgery(
    ctx: Context, app: FastAPI
) -> None:
    sid = subscriber_id(ctx)
    routes = sorted(
        {(m, p) for m, p in walk(app.routes) if "{token}" in p and not p.startswith("/staff")}
    )
    async with client_of(app) as client:
        for method, route in routes:
            purpose = PURPOSE["/" + route.split("/")[1]]
            good = tokens.sign(app.state.links.secret, purpose, sid, 0, ctx.clock())
            body = good.rsplit(".", 1)[0]
            ascii_forged = await client.request(method, route.replace("{token}", body + ".x"))
            for sig in FORGED:
                answer = await client.request(method, route.replace("{token}", f"{body}.{sig}"))
                assert answer.status_code == ascii_forged.status_code, (method, route, sig)
                assert answer.status_code < 500


async def test_a_non_ascii_csrf_field_is_refused_like_a_wrong_one(
    ctx: Context, app: FastAPI
) -> None:
    async with client_of(app) as client:
        await client.get("/abonner")  # the CSRF cookie
        for value in FORGED:
            answer = await client.post(
                "/abonner",
                data={"csrf": value, "email": "ola@kommune.no", "role": "kommunelege",
                      "cadence_vaksinasjon": "daily"},
            )  # fmt: skip
            assert answer.status_code == 403, (value, answer.status_code)
    async with staff_client(ctx, app) as client:
        await client.get("/staff/login")
        for value in FORGED:
            answer = await client.post(
                "/staff/login",
                data={"csrf_token": value, "email": "ola@fhi.no", "password": "x" * 12},
            )
            assert answer.status_code == 403, (value, answer.status_code)
        await login(client, ctx, role="admin")
        for value in FORGED:
            answer = await client.post("/staff/passord", data={"csrf_token": value})
            assert answer.status_code == 403, (value, answer.status_code)


async def test_a_non_ascii_import_seal_is_refused_like_a_wrong_one(
    ctx: Context, app: FastAPI
) -> None:
    async with staff_client(ctx, app) as client:
        _, csrf = await login(client, ctx, role="admin")
        for field in ("sha256", "segl"):
            for value in FORGED:
                data = {
                    "csrf_token": csrf, "innhold": "eJwDAAAAAAE=", "plan": "p",
                    "utstedt": str(int(ctx.clock().timestamp())), "sha256": "a", "segl": "b",
                }  # fmt: skip
                data[field] = value
                if field == "segl":  # the file's own digest, so the seal is what is compared
                    data["sha256"] = (
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                    )
                answer = await client.post("/staff/abonnenter/import/bruk", data=data)
                assert answer.status_code == 400, (field, value, answer.status_code)
                assert re.search(r"<h1>[^<]+</h1>", answer.text)
