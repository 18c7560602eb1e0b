"""Self-service over HTTP, with the mails read from a real SMTP server: double opt-in,
preferences, one-click unsubscribe, export and erasure; forged, expired and revoked links,
rate limits and CSRF refused. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from notifier.channels import SmtpChannel
from notifier.cli import app
from notifier.context import Context
from notifier.deliver import deliver
from notifier.outbox import Delivery
from notifier.plan import compose_digests, dispatch
from notifier.web import create_app
from subscribers.models import Subscriber, Subscription, Suppression
from subscribers.selfservice import signing_secret
from subscribers.tokens import (
    CONFIRM,
    MANAGE,
    ExpiredToken,
    ForgedToken,
    check_csrf,
    csrf_token,
    email_hash,
    sign,
    verify,
)
from tests.conftest import Clock
from tests.support.smtpserver import Inbox
from tests.test_plan import add_change

BASE = "https://varsel.example.no"


def make_client(app: object) -> httpx.AsyncClient:
    """An HTTP client talking to the app in process (what a browser or mail client sends)."""
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(create_app(ctx)) as c:
        yield c


def other(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A second client of the same app without cookies (a mail client, a forger)."""
    return make_client(client._transport.app)  # type: ignore[attr-defined]


async def csrf(client: httpx.AsyncClient, path: str = "/abonner") -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


async def sign_up(client: httpx.AsyncClient, email: str, **fields: str) -> int:
    data = {"csrf": await csrf(client), "email": email, "role": "kommunelege", "language": "nb"}
    data |= {"cadence_vaksinasjon": "daily"} | fields
    return (await client.post("/abonner", data=data)).status_code


async def send(ctx: Context, port: int) -> None:
    channel = SmtpChannel("127.0.0.1", port, "Varsel <varsel@example.no>", timeout=5)
    try:
        await deliver(ctx, channel)
    finally:
        await channel.close()


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def link(message: EmailMessage, path: str) -> str:
    found = re.search(re.escape(BASE) + "(" + re.escape(path) + r"[^\s>]+)", text_of(message))
    assert found is not None, text_of(message)
    return found.group(1)


def subscriber(ctx: Context, email: str) -> Subscriber | None:
    with Session(ctx.engine) as session:
        return session.exec(select(Subscriber).where(Subscriber.email == email)).first()


def subscriptions(ctx: Context, email: str) -> dict[str, str]:
    with Session(ctx.engine) as session:
        found = session.exec(select(Subscriber).where(Subscriber.email == email)).one()
        rows = session.exec(select(Subscription).where(Subscription.subscriber_id == found.id))
        return {s.subtopic: s.cadence for s in rows}


async def confirm(
    ctx: Context, client: httpx.AsyncClient, inbox: Inbox, port: int, email: str
) -> None:
    assert await sign_up(client, email) == 200
    await send(ctx, port)
    path = link(inbox.to(email)[-1], "/bekreft/")
    await client.post(path, data={"csrf": await csrf(client, path)})


async def test_double_opt_in_then_digest_with_one_click_unsubscribe(
    ctx: Context, client: httpx.AsyncClient, smtp: tuple[Inbox, int], clock: Clock
) -> None:
    inbox, port = smtp
    assert await sign_up(client, "lege@kommune.no", name="Kari", region="1103") == 200
    add_change(ctx, "Vaksine før bekreftelse", ["vaksinasjon"], urgent=True)
    dispatch(ctx)
    await send(ctx, port)
    (mail,) = inbox.to("lege@kommune.no")  # nothing but the confirmation
    assert mail["Subject"] == "Bekreft abonnementet ditt på Helsevarsel"
    path = link(mail, "/bekreft/")
    page = await client.get(path)  # a GET (a link scanner) confirms nothing
    assert page.status_code == 200 and "<button" in page.text
    found = subscriber(ctx, "lege@kommune.no")
    assert found is not None and found.confirmed_at is None
    assert (await client.post(path, data={"csrf": await csrf(client, path)})).status_code == 200
    found = subscriber(ctx, "lege@kommune.no")
    assert found is not None and found.confirmed_at is not None and found.region == "1103"
    replayed = await client.post(path, data={"csrf": await csrf(client)})
    assert replayed.status_code == 400 and "allerede brukt" in replayed.text

    clock.advance(hours=1)
    add_change(ctx, "Ny vaksineanbefaling", ["vaksinasjon"])
    assert compose_digests(ctx, "daily") == 1
    await send(ctx, port)
    digest = inbox.to("lege@kommune.no")[-1]
    assert "Ny vaksineanbefaling" in text_of(digest)
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = str(digest["List-Unsubscribe"]).strip()
    assert header.startswith(f"<{BASE}/u/") and header.endswith(">")
    assert "/innstillinger/" in text_of(digest)
    unsub = header[1:-1].removeprefix(BASE)

    assert (await client.get(unsub)).status_code == 200  # shows a button, changes nothing
    assert subscriptions(ctx, "lege@kommune.no") == {"vaksinasjon": "daily"}
    one_click = other(client)  # a mail client: no cookies, no CSRF field
    for _ in range(2):  # idempotent
        response = await one_click.post(unsub, content=b"List-Unsubscribe=One-Click",
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert response.status_code == 200
    assert subscriptions(ctx, "lege@kommune.no") == {}


async def test_preferences_by_signed_link(
    ctx: Context, client: httpx.AsyncClient, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    await confirm(ctx, client, inbox, port, "lege@kommune.no")
    assert await sign_up(client, "lege@kommune.no") == 200  # known address: a link, not a change
    await send(ctx, port)
    path = link(inbox.to("lege@kommune.no")[-1], "/innstillinger/")
    page = await client.get(path)
    assert page.status_code == 200 and "lege@kommune.no" in page.text
    data = {"csrf": await csrf(client, path), "role": "statsforvalter", "office": "rogaland",
            "cadence_testing": "weekly", "cadence_vaksinasjon": "immediate", "language": "nn"}  # fmt: skip
    saved = await client.post(path, data=data)
    assert saved.status_code == 200 and "Innstillingene er lagret" in saved.text
    assert subscriptions(ctx, "lege@kommune.no") == {
        "testing": "weekly",
        "vaksinasjon": "immediate",
    }
    stop = await client.post(
        f"{path}/avslutt", data={"csrf": await csrf(client, path), "subtopic": "testing"}
    )
    assert stop.status_code == 200
    assert subscriptions(ctx, "lege@kommune.no") == {"vaksinasjon": "immediate"}
    found = subscriber(ctx, "lege@kommune.no")
    assert found is not None and (found.office, found.language) == ("rogaland", "nn")


async def test_export_and_erasure(
    ctx: Context, client: httpx.AsyncClient, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    await confirm(ctx, client, inbox, port, "lege@kommune.no")
    add_change(ctx, "Venter i utboksen", ["vaksinasjon"], urgent=True)
    dispatch(ctx)  # a pending alert in the outbox
    await sign_up(client, "lege@kommune.no")
    with Session(ctx.engine) as session:
        pending = session.exec(select(Delivery).where(Delivery.status == "pending")).all()
        assert pending
    await send(ctx, port)
    send_path = link(inbox.to("lege@kommune.no")[-1], "/innstillinger/")
    data = (await client.get(f"{send_path}/data.json")).json()
    assert (
        data["email"] == "lege@kommune.no" and data["subscriptions"][0]["subtopic"] == "vaksinasjon"
    )
    unsub = (
        str(inbox.to("lege@kommune.no")[-2]["List-Unsubscribe"]).strip()[1:-1].removeprefix(BASE)
    )
    assert (await client.get(f"{send_path}/slett")).status_code == 200
    erased = await client.post(
        f"{send_path}/slett", data={"csrf": await csrf(client, send_path + "/slett")}
    )
    assert erased.status_code == 200
    assert subscriber(ctx, "lege@kommune.no") is None
    with Session(ctx.engine) as session:
        for row in session.exec(select(Delivery)):
            assert "lege@kommune.no" not in row.to_address + row.body_text + row.body_html
            assert row.personal is None and row.body_id is None  # their links and name go
            assert row.status != "pending"
        assert session.exec(select(Suppression)).one().email_hash == email_hash("lege@kommune.no")
    # every earlier link is revoked
    assert (await client.get(send_path)).status_code == 400
    assert (await other(client).post(unsub)).status_code == 400


async def test_forged_expired_and_misused_tokens_are_refused(
    ctx: Context, client: httpx.AsyncClient, smtp: tuple[Inbox, int], clock: Clock
) -> None:
    inbox, port = smtp
    await sign_up(client, "lege@kommune.no")
    await send(ctx, port)
    path = link(inbox.to("lege@kommune.no")[-1], "/bekreft/")
    token = path.removeprefix("/bekreft/")
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert (await client.get(f"/bekreft/{forged}")).status_code == 400
    other_id = "2" + token[token.index(".") :]
    assert (await client.get(f"/bekreft/{other_id}")).status_code == 400
    assert (await client.get(f"/innstillinger/{token}")).status_code == 400  # wrong purpose
    assert (await client.post(f"/u/{token}")).status_code == 400
    clock.advance(days=9)
    expired = await client.get(path)
    assert expired.status_code == 400 and "utløpt" in expired.text


async def test_sign_up_is_rate_limited_and_sends_one_confirmation_per_window(
    ctx: Context, client: httpx.AsyncClient, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    assert [await sign_up(client, "lege@kommune.no") for _ in range(4)] == [200, 200, 200, 429]
    await send(ctx, port)
    assert len(inbox.to("lege@kommune.no")) == 1
    statuses = [await sign_up(client, f"x{i}@kommune.no") for i in range(20)]
    assert statuses[-1] == 429  # the client IP is limited as well (20 per hour by default)


async def test_forms_without_a_valid_csrf_token_are_refused(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    data = {"email": "a@kommune.no", "role": "kommunelege", "cadence_vaksinasjon": "daily"}
    assert (await client.post("/abonner", data=data)).status_code == 403
    token = await csrf(client)
    stranger = other(client)  # the field without its cookie
    assert (await stranger.post("/abonner", data=data | {"csrf": token})).status_code == 403
    assert subscriber(ctx, "a@kommune.no") is None


async def test_invalid_form_shows_an_error_summary(client: httpx.AsyncClient) -> None:
    page = await client.post(
        "/abonner", data={"csrf": await csrf(client), "email": "nei", "role": "kommunelege"}
    )
    assert page.status_code == 400
    assert 'class="error-summary"' in page.text and 'href="#email"' in page.text
    assert 'aria-invalid="true"' in page.text


async def test_nynorsk_by_query_and_cookie(client: httpx.AsyncClient) -> None:
    page = await client.get("/abonner?lang=nn")
    assert '<html lang="nn">' in page.text and "Abonner på varsel" in page.text
    assert "Heile landet" in (await client.get("/abonner")).text  # the cookie remembers
    assert '<html lang="nb">' in (await client.get("/abonner?lang=nb")).text


CSV = """email,name,role,region,subtopics,cadence,office
kari@stavanger.kommune.no,Kari Lege,kommunelege,1103,vaksinasjon;testing:immediate,daily,
ola@k.no,Ola,kommunelege,301,forskrifter,weekly,
sf@statsforvalteren.no,SF,statsforvalter,,brev_til_kommunene,immediate,rogaland
bad-address,X,kommunelege,,vaksinasjon,daily,
y@k.no,Y,kommunelege,9999,vaksinasjon,daily,
z@k.no,Z,kommunelege,,ukjent,daily,
erased@k.no,E,kommunelege,,vaksinasjon,daily,
"""


def test_cli_import_is_idempotent_respects_suppression_and_reports_lines(
    ctx: Context, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(tmp_path / "var"))
    with Session(ctx.engine) as session:
        session.add(Suppression(email_hash=email_hash("Erased@K.no")))
        session.commit()
    file = tmp_path / "leger.csv"
    file.write_text(CSV, encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(app, ["subscribers", "import", str(file)])
    assert first.exit_code == 1
    assert "3 imported, 1 suppressed (erased or bounced), 3 line(s) with errors" in first.stdout
    assert "line 5:" in first.stderr and "not a valid e-mail address" in first.stderr
    assert "line 6: unknown municipality or county number '9999'" in first.stderr
    assert "line 7: unknown subtopic 'ukjent'" in first.stderr
    assert "line 8: erased@k.no asked to be erased" in first.stderr
    exported = runner.invoke(app, ["subscribers", "export"]).stdout
    again = runner.invoke(app, ["subscribers", "import", str(file)])
    assert "3 imported" in again.stdout
    assert runner.invoke(app, ["subscribers", "export"]).stdout == exported
    lines = exported.splitlines()
    assert lines[0] == "email,name,role,region,subtopics,cadence,office,confirmed"
    assert (
        "kari@stavanger.kommune.no,Kari Lege,kommunelege,1103,vaksinasjon:daily;testing:immediate,,,yes"
        in lines
    )
    assert "ola@k.no,Ola,kommunelege,0301,forskrifter_regelverk:weekly,weekly,,yes" in lines
    assert subscriber(ctx, "erased@k.no") is None
    found = subscriber(ctx, "sf@statsforvalteren.no")
    assert found is not None and found.office == "rogaland" and found.confirmed_at is not None
    help_text = runner.invoke(app, ["subscribers", "import", "--help"]).stdout
    assert "Idempotent" in help_text and "slug:cadence" in help_text


def test_tokens_are_bound_to_key_purpose_and_time() -> None:
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    token = sign(b"k1", CONFIRM, 42, 3, now)
    claims = verify(b"k1", CONFIRM, token, now + timedelta(days=6))
    assert (claims.subscriber_id, claims.version) == (42, 3)
    for secret, purpose, value in [(b"k2", CONFIRM, token), (b"k1", MANAGE, token),
                                   (b"k1", CONFIRM, token.replace("42.", "43.", 1)),
                                   (b"k1", CONFIRM, "x"), (b"k1", CONFIRM, "")]:  # fmt: skip
        with pytest.raises(ForgedToken):
            verify(secret, purpose, value, now)
    with pytest.raises(ExpiredToken):
        verify(b"k1", CONFIRM, token, now + timedelta(days=9))
    assert check_csrf(b"k1", "nonce", csrf_token(b"k1", "nonce"))
    assert not check_csrf(b"k1", "other", csrf_token(b"k1", "nonce"))
    assert not check_csrf(b"k1", None, csrf_token(b"k1", "nonce"))


def test_signing_key_is_generated_once_and_the_setting_overrides_it(ctx: Context) -> None:
    with Session(ctx.engine) as session:
        first = signing_secret(session)
        session.commit()
    with Session(ctx.engine) as session:
        assert signing_secret(session) == first and len(first) >= 48
        assert signing_secret(session, "from-the-environment") == b"from-the-environment"


async def test_a_row_stored_before_the_validator_can_still_manage_its_preferences(
    ctx: Context, client: httpx.AsyncClient, clock: Clock
) -> None:
    """Its address is not an input of the preferences page, so it is not judged there."""
    with Session(ctx.engine) as session:
        old = Subscriber(email="Gammel@k..no", confirmed_at=clock())
        session.add(old)
        session.commit()
        assert old.id is not None
        token = sign(signing_secret(session, ctx.settings.secret_key), MANAGE, old.id, 0, clock())
    path = f"/innstillinger/{token}"
    data = {"csrf": await csrf(client, path), "role": "kommunelege", "cadence_testing": "weekly"}
    saved = await client.post(path, data=data)
    assert saved.status_code == 200 and "Innstillingene er lagret" in saved.text
    assert subscriptions(ctx, "Gammel@k..no") == {"testing": "weekly"}


#: schedule values CSV import refuses, as the form's selects would post them (a tampered
#: form): field of the form -> its value, and the CSV cells refusing the same
REFUSED_BOTH = [
    ({"digest_hour": "24"}, {"digest_hour": "24"}),
    ({"digest_hour": "8:30"}, {"digest_hour": "8:30"}),
    ({"digest_hour": "123"}, {"digest_hour": "123"}),
    ({"digest_hour": "-1"}, {"digest_hour": "-1"}),
    ({"digest_weekday": "7"}, {"digest_weekday": "8"}),  # the form's 0 = Monday, CSV's 1
    ({"digest_weekday": "x"}, {"digest_weekday": "x"}),
    ({"quiet_start": "22"}, {"quiet_start": "22"}),
    ({"quiet_end": "7"}, {"quiet_end": "7"}),
    ({"quiet_start": "7", "quiet_end": "7"}, {"quiet_start": "7", "quiet_end": "7"}),
    ({"quiet_start": "22", "quiet_end": "24"}, {"quiet_start": "22", "quiet_end": "24"}),
]


@pytest.mark.parametrize(("posted", "cells"), REFUSED_BOTH)
async def test_the_form_refuses_what_csv_import_refuses(
    ctx: Context, client: httpx.AsyncClient, posted: dict[str, str], cells: dict[str, str]
) -> None:
    from subscribers.importer import parse_schedule
    from subscribers.validate import ScheduleError

    with pytest.raises(ScheduleError) as refused:
        parse_schedule(cells)
    field = {"hour_invalid": "digest_hour", "weekday_invalid": "digest_weekday"}
    anchor = field.get(refused.value.code, "quiet_start")
    page = await client.post(
        "/abonner",
        data={"csrf": await csrf(client), "email": "a@kommune.no", "role": "kommunelege",
              "cadence_vaksinasjon": "daily", **posted},
    )  # fmt: skip
    assert page.status_code == 400  # the same field, named by the same code:
    assert f'href="#{anchor}"' in page.text
    assert subscriber(ctx, "a@kommune.no") is None


@pytest.mark.parametrize(
    "posted",
    [{"digest_hour": "0"}, {"digest_hour": "23"}, {"digest_hour": "08"},
     {"digest_weekday": "0"}, {"digest_weekday": "6"},
     {"quiet_start": "22", "quiet_end": "7"}, {"quiet_start": "0", "quiet_end": "23"}],
)  # fmt: skip
async def test_the_form_accepts_the_edges_csv_import_accepts(
    ctx: Context, client: httpx.AsyncClient, posted: dict[str, str]
) -> None:
    from subscribers.importer import parse_schedule

    cells = dict(posted)
    if "digest_weekday" in cells:  # the form's 0 = Monday is CSV's 1
        cells["digest_weekday"] = str(int(cells["digest_weekday"]) + 1)
    parse_schedule(cells)  # CSV import accepts it
    assert await sign_up(client, "a@kommune.no", **posted) == 200
    assert subscriber(ctx, "a@kommune.no") is not None
