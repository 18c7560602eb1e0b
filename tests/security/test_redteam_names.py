"""Red team, the subscriber's name: the one free text a stranger may type into our forms.

- The confirmation mail goes to whatever address the form names; the name in that form was
  typed by whoever filled it in. Greeting with it would let anyone put 200 characters of their
  own ("Din konto er sperret, ring ...") into a mail from us to any address. Through the real
  sign-up form and delivery to a real SMTP server: the confirmation carries none of it.
- A name is one line of visible text: line breaks (CR/LF, NEL, U+2028), TAB, zero-width and
  bidi marks (U+202E shows "Ola" backwards in the console and the mails) are refused in
  Norwegian by the sign-up form, the preferences form, and the console's CSV import (its
  preview names the line and the reason; nothing is stored); ``notifier subscribers add``
  refuses them too.

The real app over ASGI (httpx), SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session, select
from typer.testing import CliRunner

from notifier.cli import app as cli_app
from notifier.context import Context
from notifier.web import create_app
from subscribers import tokens
from subscribers.models import Subscriber
from subscribers.tokens import MANAGE
from tests.support.outbox import deliver_via_smtp
from tests.support.smtpserver import Inbox
from tests.support.staff import fast_hasher, login, staff_client  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fast_hasher")

LURE = "Din konto er sperret. Ring 815 00 000 eller gå til sperret-konto.example"
HOSTILE_NAMES = [
    pytest.param("Ola\r\nBcc: x@example.org", id="crlf"),
    pytest.param("Ola\nNordmann", id="lf"),
    pytest.param("Ola\x85Nordmann", id="nel"),
    pytest.param("Ola\u2028Nordmann", id="line-separator"),
    pytest.param("Ola\tNordmann", id="tab"),
    pytest.param("Ola \u202ennamdroN", id="bidi-override"),
    pytest.param("O\u200bla", id="zero-width-space"),
    pytest.param("\u2066Ola\u2069", id="bidi-isolate"),
]
ERROR_NB = "Navnet kan bare ha vanlige tegn på én linje"


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.30", 1))
    async with httpx.AsyncClient(
        transport=transport, base_url="https://testserver", follow_redirects=False
    ) as client:
        yield client


async def csrf_of(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None, (path, page.status_code)
    return found.group(1)


async def sign_up(client: httpx.AsyncClient, email: str, name: str) -> httpx.Response:
    data = {
        "csrf": await csrf_of(client, "/abonner"),
        "email": email,
        "name": name,
        "role": "kommunelege",
        "language": "nb",
        "cadence_vaksinasjon": "daily",
    }
    return await client.post("/abonner", data=data)


def people(ctx: Context) -> list[Subscriber]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Subscriber)))


async def test_the_confirmation_mail_carries_no_name_a_stranger_typed(
    ctx: Context, browser: httpx.AsyncClient, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    page = await sign_up(browser, "offer@kommune.no", LURE)
    assert page.status_code == 200, page.text
    await deliver_via_smtp(ctx, port)
    (mail,) = inbox.to("offer@kommune.no")
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    markup = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    for part in (text, markup):
        assert "sperret" not in part and "815 00 000" not in part, part
        assert "Hei," in part
    assert "/bekreft/" in text  # it is the confirmation


@pytest.mark.parametrize("name", HOSTILE_NAMES)
async def test_the_sign_up_form_refuses_a_name_that_is_not_one_visible_line(
    ctx: Context, browser: httpx.AsyncClient, name: str
) -> None:
    page = await sign_up(browser, "ola@kommune.no", name)
    assert page.status_code == 400, page.status_code
    assert ERROR_NB in page.text
    assert people(ctx) == []


async def test_the_preferences_form_refuses_it_too(
    ctx: Context, app: FastAPI, browser: httpx.AsyncClient
) -> None:
    assert (await sign_up(browser, "kari@kommune.no", "Kari")).status_code == 200
    (person,) = people(ctx)
    assert person.id is not None
    token = tokens.sign(
        app.state.links.secret, MANAGE, person.id, person.token_version, ctx.clock()
    )
    path = f"/innstillinger/{token}"
    data = {
        "csrf": await csrf_of(browser, path),
        "name": "Kari \u202eNordmann",
        "role": "kommunelege",
        "language": "nb",
        "cadence_vaksinasjon": "daily",
    }
    page = await browser.post(path, data=data)
    assert page.status_code == 400, page.status_code
    assert ERROR_NB in page.text
    assert [p.name for p in people(ctx)] == ["Kari"]


async def test_the_console_import_refuses_such_a_line_in_norwegian(
    ctx: Context, app: FastAPI
) -> None:
    content = (
        "email,name,role,region,subtopics,cadence,office\n"
        "god@kommune.no,God Lege,kommunelege,,vaksinasjon,daily,\n"
        '"lure@kommune.no","Ola \u202eNordmann",kommunelege,,vaksinasjon,daily,\n'
        '"linje@kommune.no","Ola\nBcc: x@example.org",kommunelege,,vaksinasjon,daily,\n'
    ).encode()
    async with staff_client(ctx, app) as client:
        _, csrf = await login(client, ctx, role="admin")
        page = await client.post(
            "/staff/abonnenter/import",
            data={"csrf_token": csrf},
            files={"fil": ("liste.csv", content, "text/csv")},
        )
    assert page.status_code == 200, page.text
    assert page.text.count("har linjeskift eller usynlige tegn") == 2, page.text
    assert "\\u202E" in page.text  # the mark is shown as what it is
    assert people(ctx) == []  # a preview writes nothing


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_cli_refuses_it(ctx: Context, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("NOTIFIER_BASE_URL", ctx.settings.base_url)
    result = CliRunner().invoke(
        cli_app,
        ["subscribers", "add", "ola@kommune.no", "--role", "kommunelege",
         "--subtopic", "vaksinasjon", "--name", "Ola\u202eNordmann"],
    )  # fmt: skip
    assert result.exit_code != 0, result.output
    assert "U+202E" in result.output
    assert people(ctx) == []
