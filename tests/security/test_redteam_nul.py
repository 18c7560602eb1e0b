"""Red team, the NUL character: PostgreSQL text cannot hold U+0000, so a NUL that reaches a
query there ends the request with an error (psycopg's DataError): a 500 any visitor could
cause at will, and a stack trace in the log each time. SQLite stores it and shows it back.

Through the real app over ASGI (httpx), on SQLite and PostgreSQL, a NUL goes in every way a
request carries text: a query parameter (the console's subscriber search), a path parameter
(a source's key), a form field (the public sign-up's name, a subscriber's push and
preferences forms, the staff edit of a change, the reason for stopping one, the login form) and a JSON body (the API's reason for stopping a
change). Each is answered without a server error, in Norwegian, and nothing of the request
is stored; the held change stays held, nobody is signed up.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from feeds.store.models import Change
from notifier.context import Context
from notifier.web import create_app
from subscribers import tokens
from subscribers.models import Subscriber
from subscribers.service import add_subscriber
from subscribers.tokens import MANAGE
from tests.support.api import add_change, bearer, make_token
from tests.support.staff import fast_hasher, login, staff_client  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fast_hasher")

NUL = "Ola\x00Nordmann"
#: what a refusal page must not show (an exception's text, an English default)
LEAKS = ("Traceback", "DataError", "psycopg", "NUL (0x00)", "Internal Server Error", "detail")


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


@pytest.fixture
async def admin(ctx: Context, app: FastAPI) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    async with staff_client(ctx, app) as client:
        _, csrf = await login(client, ctx, role="admin")
        yield client, csrf


def assert_refused_in_norwegian(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert not any(leak in response.text for leak in LEAKS), response.text[:300]


def status_of(ctx: Context, change_id: int) -> tuple[str, str, str]:
    with Session(ctx.engine) as session:
        change = session.get(Change, change_id)
        assert change is not None
        return change.status, change.title, change.summary


async def test_a_nul_in_the_console_search_is_no_server_error(
    admin: tuple[httpx.AsyncClient, str],
) -> None:
    client, _ = admin
    for query in ({"q": NUL}, {"sted": NUL}, {"q": "\x00"}):
        page = await client.get("/staff/abonnenter", params=query)
        assert_refused_in_norwegian(page)
        assert 'lang="nb"' in page.text


async def test_a_nul_in_a_path_is_no_server_error(admin: tuple[httpx.AsyncClient, str]) -> None:
    client, csrf = admin
    page = await client.get("/staff/kilder/fhi%00nyheter")
    assert_refused_in_norwegian(page)
    assert page.status_code in (400, 404)
    for action in ("sjekk", "slaa-av", "slaa-paa"):
        done = await client.post(f"/staff/kilder/fhi%00x/{action}", data={"csrf_token": csrf})
        assert_refused_in_norwegian(done)
        assert done.status_code in (303, 400, 404), (action, done.status_code)


async def test_a_nul_in_the_sign_up_form_is_refused_and_stores_nothing(
    ctx: Context, app: FastAPI
) -> None:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 1))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        form = await client.get("/abonner")
        found = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert found is not None
        data = {
            "csrf": found.group(1),
            "email": "ola@kommune.no",
            "name": NUL,
            "role": "kommunelege",
            "language": "nb",
            "cadence_vaksinasjon": "daily",
        }
        page = await client.post("/abonner", data=data)
    assert_refused_in_norwegian(page)
    assert page.status_code == 400
    with Session(ctx.engine) as session:
        assert session.exec(select(Subscriber)).all() == []


async def test_a_nul_in_a_staff_edit_is_refused_and_the_change_kept(
    ctx: Context, admin: tuple[httpx.AsyncClient, str]
) -> None:
    client, csrf = admin
    held = add_change(ctx, "Holdt tittel", status="held", held_reason="most_replaced")
    before = status_of(ctx, held)
    edit = await client.post(
        f"/staff/endringer/{held}/rediger",
        data={"csrf_token": csrf, "title": "Ny\x00tittel", "summary": "Nytt\x00sammendrag"},
    )
    assert_refused_in_norwegian(edit)
    stop = await client.post(
        f"/staff/endringer/{held}/stans", data={"csrf_token": csrf, "reason": "feil\x00"}
    )
    assert_refused_in_norwegian(stop)
    assert status_of(ctx, held) == before


async def test_a_nul_in_the_login_form_is_no_server_error(ctx: Context, app: FastAPI) -> None:
    async with staff_client(ctx, app) as client:
        form = await client.get("/staff/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert csrf is not None
        page = await client.post(
            "/staff/login",
            data={"csrf_token": csrf.group(1), "email": "ola\x00@fhi.no", "password": "x\x00y"},
        )
    assert_refused_in_norwegian(page)


async def test_a_nul_in_the_api_reason_is_refused_in_json(ctx: Context, app: FastAPI) -> None:
    held = add_change(ctx, "Holdt", status="held", held_reason="most_replaced")
    token = make_token(ctx)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 1))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        answer = await client.post(
            f"/api/v1/staff/changes/{held}/suppress",
            headers=bearer(token),
            json={"reason": "feil\x00kilde"},
        )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "body_invalid"
    assert status_of(ctx, held)[0] == "held"


async def test_a_nul_in_a_subscriber_form_is_no_server_error(ctx: Context, app: FastAPI) -> None:
    with Session(ctx.engine) as session:
        person = add_subscriber(
            session, "kari@kommune.no", role="kommunelege", subtopics=["vaksinasjon"],
            cadence="daily", known_subtopics=ctx.taxonomy.slugs(),
        )  # fmt: skip
        session.commit()
        assert person.id is not None
        token = tokens.sign(app.state.links.secret, MANAGE, person.id, 0, ctx.clock())
    path = f"/innstillinger/{token}"
    transport = httpx.ASGITransport(app=app, client=("198.51.100.21", 1))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        page = await client.get(path)
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found is not None, page.status_code
        csrf = found.group(1)
        for action, data in (
            ("/push/av", {"endpoint": "https://push.example.org/a\x00b"}),
            ("/mal", {"url": "json://hook.example.org/\x00"}),
            ("", {"name": "Kari", "role": "kommunelege\x00", "cadence_vaksinasjon": "daily"}),
        ):
            answer = await client.post(path + action, data={"csrf": csrf, **data})
            assert_refused_in_norwegian(answer)
