"""Chosen hours on the pages and the command line: the sign-up form and the preferences page take the digest hour,
the weekday of the weekly digest and quiet hours for push, in bokmål and nynorsk, and refuse
what is out of range (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from notifier.cli import app
from notifier.context import Context
from notifier.web import create_app
from subscribers.models import Subscriber
from subscribers.selfservice import signing_secret
from subscribers.tokens import MANAGE, sign
from tests.conftest import Clock
from tests.test_selfservice import csrf, make_client, sign_up


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(create_app(ctx)) as c:
        yield c


def stored(ctx: Context, email: str) -> Subscriber:
    with Session(ctx.engine) as session:
        return session.exec(select(Subscriber).where(Subscriber.email == email)).one()


async def test_sign_up_with_an_hour_a_weekday_and_quiet_hours(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    page = await client.get("/abonner")
    assert "Når sammendragene kommer" in page.text and "Standard (kl. 07)" in page.text
    assert "Standard (mandag)" in page.text and "Stille timer for push-varsler" in page.text
    fields = {"digest_hour": "9", "digest_weekday": "4", "quiet_start": "22", "quiet_end": "6"}
    assert await sign_up(client, "lege@k.no", **fields) == 200
    sub = stored(ctx, "lege@k.no")
    assert (sub.digest_hour, sub.digest_weekday, sub.quiet_start, sub.quiet_end) == (9, 4, 22, 6)


async def test_the_defaults_are_stored_as_none(ctx: Context, client: httpx.AsyncClient) -> None:
    assert await sign_up(client, "lege@k.no", digest_hour="", quiet_start="") == 200
    sub = stored(ctx, "lege@k.no")
    assert (sub.digest_hour, sub.digest_weekday, sub.quiet_start, sub.quiet_end) == (None,) * 4


@pytest.mark.parametrize(
    "fields",
    [
        {"digest_hour": "24"},
        {"digest_hour": "x"},
        {"digest_weekday": "7"},
        {"quiet_start": "22"},
        {"quiet_start": "5", "quiet_end": "5"},
    ],
)
async def test_hours_out_of_range_are_refused(
    ctx: Context, client: httpx.AsyncClient, fields: dict[str, str]
) -> None:
    assert await sign_up(client, "lege@k.no", **fields) == 400
    with Session(ctx.engine) as session:
        assert session.exec(select(Subscriber)).first() is None


async def test_the_preferences_page_shows_and_changes_the_hours(
    ctx: Context, client: httpx.AsyncClient, clock: Clock
) -> None:
    with Session(ctx.engine) as session:
        sub = Subscriber(
            email="lege@k.no", email_key="lege@k.no", confirmed_at=clock(), digest_hour=6,
            language="nn",
        )  # fmt: skip
        session.add(sub)
        session.commit()
        assert sub.id is not None
        token = sign(signing_secret(session, ctx.settings.secret_key), MANAGE, sub.id, 0, clock())
    path = f"/innstillingar/{token}".replace("innstillingar", "innstillinger")
    page = await client.get(f"{path}?lang=nn")
    assert "Når samandraga kjem" in page.text and "Stille timar for push-varsel" in page.text
    assert '<option value="6" selected>kl. 06</option>' in page.text
    data = {
        "csrf": await csrf(client, path), "role": "kommunelege", "cadence_testing": "weekly",
        "digest_hour": "17", "digest_weekday": "6", "quiet_start": "", "quiet_end": "",
    }  # fmt: skip
    saved = await client.post(path, data=data)
    assert saved.status_code == 200, saved.text
    sub = stored(ctx, "lege@k.no")
    assert (sub.digest_hour, sub.digest_weekday, sub.quiet_start) == (17, 6, None)
    bad = await client.post(path, data=data | {"quiet_start": "23"})
    assert bad.status_code == 400 and 'href="#quiet_start"' in bad.text


def test_the_command_line_sets_the_hour_and_the_weekday(
    ctx: Context, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(tmp_path / "var"))
    runner = CliRunner()
    args = ["subscribers", "add", "lege@k.no", "--role", "kommunelege", "--subtopic",
            "vaksinasjon", "--digest-hour", "18", "--digest-weekday", "fredag"]  # fmt: skip
    result = runner.invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    sub = stored(ctx, "lege@k.no")
    assert (sub.digest_hour, sub.digest_weekday) == (18, 4)
    bad = runner.invoke(app, [*args[:-4], "--digest-hour", "24"])
    assert bad.exit_code == 2
