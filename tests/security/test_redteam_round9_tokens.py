"""Red team, round 9: the two gaps round 8 left in the staff API token policy.

- A token never expired: one copied into a script, a CI variable or a chat message years ago
  still approved and suppressed changes. A token now has ``expires_at`` (chosen at creation:
  ``NOTIFIER_API_TOKEN_DAYS``, 90 by default, never more than 365); an expired token gets the
  same 401 as an unknown one, and counts against the client's refusal limit as one does.
  Tokens from before migration 0017 were given 90 days from the upgrade.
- Changing or resetting a password (what one does when a password or a laptop leaked) ended
  the person's other sessions but left their API tokens working. It now revokes them, each
  audited (``api_token_revoke``), and the ``password_set`` row says how many.
- The console showed no token at all; ``/staff/api-nokler`` lists them with their expiry, in
  Norwegian, and the audit log names the token actions in Norwegian (they were raw codes).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlmodel import Session, select
from typer.testing import CliRunner

from notifier import api_tokens, audit, staff
from notifier.cli import app as cli_app
from notifier.context import Context
from notifier.db import MIGRATIONS
from notifier.models import ApiToken, AuditEvent
from notifier.settings import Settings
from tests.support.api import api_client, bearer, make_token
from tests.support.staff import fast_hasher, login, staff_client  # noqa: F401 (fixture)

QUEUE = "/api/v1/staff/queue"
NEW_PASSWORD = "et helt annet langt passord"

pytestmark = pytest.mark.usefixtures("fast_hasher")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_token_is_refused_after_its_expiry_with_the_answer_of_an_unknown_one(
    ctx: Context,
) -> None:
    token = make_token(ctx, "skript@fhi.no")
    with Session(ctx.engine) as session:
        [row] = session.exec(select(ApiToken)).all()
        assert row.expires_at == ctx.clock() + timedelta(days=90)
    async with api_client(ctx) as client:
        assert (await client.get(QUEUE, headers=bearer(token))).status_code == 200
        ctx.clock.advance(days=90)  # type: ignore[attr-defined]
        expired = await client.get(QUEUE, headers=bearer(token))
        unknown = await client.get(QUEUE, headers=bearer("hv_999_" + "A" * 43))
    assert expired.status_code == unknown.status_code == 401
    assert expired.json() == unknown.json()
    assert expired.headers["www-authenticate"] == unknown.headers["www-authenticate"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_lifetime_is_chosen_at_creation_within_a_year(ctx: Context) -> None:
    with Session(ctx.engine) as session:
        staff.create_staff(session, "skript@fhi.no", "redaktor", ctx.clock())
        row, _ = api_tokens.create(session, "skript@fhi.no", "kort", ctx.clock(), days=7)
        assert row.expires_at == ctx.clock() + timedelta(days=7)
        longest, _ = api_tokens.create(session, "skript@fhi.no", "lang", ctx.clock(), days=365)
        assert longest.expires_at == ctx.clock() + timedelta(days=365)
        for days in (0, -1, 366, 100_000):
            with pytest.raises(staff.StaffError) as refused:
                api_tokens.create(session, "skript@fhi.no", "evig", ctx.clock(), days=days)
            assert refused.value.code == "days_invalid"
        [created] = session.exec(
            select(AuditEvent).where(AuditEvent.action == audit.API_TOKEN_CREATE).limit(1)
        ).all()
        assert created.after["expires_at"]
    assert Settings().api_token_days == 90
    with pytest.raises(ValueError):
        Settings(api_token_days=366)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_password_reset_revokes_the_persons_tokens_and_says_so(ctx: Context) -> None:
    token = make_token(ctx, "lekk@fhi.no")
    other = make_token(ctx, "annen@fhi.no")
    with Session(ctx.engine) as session:
        user = staff.get_staff(session, "lekk@fhi.no")
        staff.set_password(session, user, NEW_PASSWORD, ctx.clock())  # notifier staff set-password
        session.commit()
    async with api_client(ctx) as client:
        assert (await client.get(QUEUE, headers=bearer(token))).status_code == 401
        assert (await client.get(QUEUE, headers=bearer(other))).status_code == 200
    with Session(ctx.engine) as session:
        revoked = session.exec(
            select(AuditEvent).where(AuditEvent.action == audit.API_TOKEN_REVOKE)
        ).all()
        [password] = session.exec(
            select(AuditEvent).where(AuditEvent.action == audit.PASSWORD_SET)
        ).all()
    assert len(revoked) == 1 and revoked[0].actor == audit.CLI
    assert "1 API token(s) revoked" in password.detail


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_changing_ones_own_password_in_the_console_revokes_ones_tokens(
    ctx: Context,
) -> None:
    async with staff_client(ctx) as browser, staff_client(ctx) as laptop:
        user, csrf = await login(browser, ctx, "redaktor")
        await login(laptop, ctx, "redaktor")  # the stolen laptop's session
        token = make_token(ctx, user.email)
        changed = await browser.post(
            "/staff/passord",
            data={
                "csrf_token": csrf, "current_password": "korrekt hest batteri stift",
                "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD,
            },
        )  # fmt: skip
        assert changed.status_code == 303
        assert (await browser.get("/staff/passord")).status_code == 200  # this one stays
        assert (await laptop.get("/staff/passord")).status_code == 303  # the other ended
        async with api_client(ctx) as client:
            assert (await client.get(QUEUE, headers=bearer(token))).status_code == 401
        log = await browser.get("/staff/logg")
    assert "API-nøkkel trukket tilbake" in log.text
    assert "API-nøkler trukket tilbake" in log.text
    assert "api_token_revoke" not in log.text.split("<select", 1)[0]
    assert "revoked" not in log.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_console_lists_tokens_with_their_expiry_in_norwegian(ctx: Context) -> None:
    async with staff_client(ctx) as browser:
        await login(browser, ctx, "redaktor")  # sets a password first: tokens come after
        make_token(ctx, "redaktor@fhi.no")
        make_token(ctx, "annen@fhi.no")
        own = await browser.get("/staff/api-nokler")
        nynorsk = await browser.get("/staff/api-nokler?lang=nn")
    assert own.status_code == 200
    assert "Utløper" in own.text and "21.02.2027" in own.text and "gyldig" in own.text
    assert "annen@fhi.no" not in own.text  # a redaktor sees only their own tokens
    assert "Går ut" in nynorsk.text and "Eigar" in nynorsk.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_admin_sees_every_token_and_which_have_expired(ctx: Context) -> None:
    make_token(ctx, "gammel@fhi.no")
    ctx.clock.advance(days=91)  # type: ignore[attr-defined]
    make_token(ctx, "ny@fhi.no")
    async with staff_client(ctx) as browser:
        await login(browser, ctx, "admin", email="sjef@fhi.no")
        page = await browser.get("/staff/api-nokler")
    assert page.status_code == 200
    assert "gammel@fhi.no" in page.text and "ny@fhi.no" in page.text
    assert "utløpt" in page.text and "gyldig" in page.text
    for english in ("expired", "active", "revoked", "never", "None"):
        assert english not in page.text


def _config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def test_tokens_from_before_the_migration_get_ninety_days_from_the_upgrade(
    ctx: Context,
) -> None:
    with ctx.engine.begin() as connection:
        command.downgrade(_config(connection), "0016_search_cap")
    with ctx.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO staff_user (email, name, role, created_at) "
                "VALUES ('gammel@fhi.no', 'G', 'redaktor', :at)"
            ),
            {"at": datetime(2025, 1, 1)},
        )
        connection.execute(
            sa.text(
                "INSERT INTO api_token (staff_user_id, name, role, secret_hash, created_at) "
                "SELECT id, 'gammel', 'redaktor', :h, :at FROM staff_user"
            ),
            {"h": "0" * 64, "at": datetime(2025, 1, 1)},
        )
    before = datetime.now(UTC)
    with ctx.engine.begin() as connection:
        command.upgrade(_config(connection), "heads")
    after = datetime.now(UTC)
    with Session(ctx.engine) as session:
        [row] = session.exec(select(ApiToken)).all()
    assert before + timedelta(days=90, seconds=-1) <= row.expires_at
    assert row.expires_at <= after + timedelta(days=90, seconds=1)


def test_the_command_line_takes_the_lifetime_and_the_setting(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(ctx.settings.data_dir))
    monkeypatch.setenv("NOTIFIER_API_TOKEN_DAYS", "10")
    with Session(ctx.engine) as session:
        staff.create_staff(session, "ola@fhi.no", "admin", ctx.clock())
        session.commit()
    runner = CliRunner()
    base = ["api", "token-create", "--staff", "ola@fhi.no", "--name"]
    too_long = runner.invoke(cli_app, [*base, "evig", "--days", "366"])
    assert too_long.exit_code == 2 and "365" in too_long.output
    start = datetime.now(UTC)
    assert runner.invoke(cli_app, [*base, "standard"]).exit_code == 0
    assert runner.invoke(cli_app, [*base, "kort", "--days", "2"]).exit_code == 0
    listed = runner.invoke(cli_app, ["api", "token-list"]).stdout
    with Session(ctx.engine) as session:
        rows = {r.name: r for r in session.exec(select(ApiToken))}
    assert set(rows) == {"standard", "kort"}
    for name, days in (("standard", 10), ("kort", 2)):
        lifetime = rows[name].expires_at - start
        assert timedelta(days=days) <= lifetime <= timedelta(days=days, minutes=1)
    assert listed.count("active, expires ") == 2
