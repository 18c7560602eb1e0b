"""Issue 13, abuse of the subscription flow, through the real sign-up form, a real check round
against a feed on 127.0.0.1, dispatch, and delivery to a real SMTP server (aiosmtpd); SQLite
and PostgreSQL.

- Mail bombing a victim: sign-ups of one address from many clients are refused past the
  per-address limit, and the victim's inbox gets one confirmation mail per window, however
  many sign-ups were accepted.
- Mass sign-ups from one client stop at the per-client limit; only that many mails go out.
- Nothing but the confirmation reaches an unconfirmed address: a check round finds new items
  on a feed the unconfirmed address asked for immediately (and daily), dispatch and delivery
  run (a day later too, for the digest): its inbox holds the confirmation only, while a
  confirmed reader of the same topics gets the alert (the test can fail).
- A stranger signing up a confirmed address changes nothing of that person's choices; the
  person gets a link to their own settings, nothing else.
- Erased people stay erased: after erasure through the real page, a staff CSV import of the
  address (preview and apply, through the console) keeps it suppressed, and a check round
  sends it nothing. Documented behaviour of a re-sign-up: the person may come back, so the
  form sends a confirmation mail (one, as for anyone), and until it is confirmed nothing else
  reaches the address.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from email.message import EmailMessage

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from feeds.catalogue import SourceSpec
from feeds.store.sources import upsert_sources
from notifier.context import Context
from notifier.pipeline import check
from notifier.plan import dispatch
from notifier.web import create_app
from subscribers.models import Subscriber, Subscription
from tests.conftest import Clock
from tests.support.httpserver import FixtureServer
from tests.support.outbox import deliver_via_smtp
from tests.support.smtpserver import Inbox
from tests.support.staff import fast_hasher, login, staff_client  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fast_hasher")

PREVIEW_COUNT = r"<li><strong>(\d+)</strong>([^<]+)</li>"
CONFIRM_SUBJECT = "Bekreft abonnementet ditt på Helsevarsel"
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


def client_for(app: FastAPI, ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="https://testserver")


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app, "198.51.100.20") as c:
        yield c


async def sign_up(
    client: httpx.AsyncClient, email: str, cadence: str = "immediate", **fields: str
) -> int:
    page = await client.get("/abonner")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    data = {"csrf": found.group(1), "email": email, "role": "kommunelege", "language": "nb"}
    data |= {"cadence_vaksinasjon": cadence} | fields
    return (await client.post("/abonner", data=data)).status_code


def to(inbox: Inbox, email: str) -> list[EmailMessage]:
    """The messages whose recipient is exactly ``email`` (any case)."""
    return [m for m in inbox.messages if m["To"].addresses[0].addr_spec.lower() == email]


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def link_in(inbox: Inbox, email: str, prefix: str) -> str:
    (mail,) = [m for m in to(inbox, email) if prefix in text_of(m)]
    text = text_of(mail)
    found = re.search(r"https://varsel\.example\.no(" + re.escape(prefix) + r"[^\s]+)", text)
    assert found is not None, text
    return found.group(1)


async def confirm(client: httpx.AsyncClient, path: str) -> None:
    page = await client.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None, page.text
    assert (await client.post(path, data={"csrf": found.group(1)})).status_code == 200


def rss(*titles: str) -> str:
    items = "".join(
        f"<item><guid>g{n}</guid><title>{t}</title><description>Om {t.lower()}.</description>"
        f"<link>https://x.no/nyheter/{n}</link></item>"
        for n, t in enumerate(titles)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Nyheter'
        f"</title>{items}</channel></rss>"
    )


async def a_round_that_finds_a_change(ctx: Context, http: FixtureServer, clock: Clock) -> None:
    """A feed about vaccination checked twice: the second round finds a new item."""
    ctx.settings = ctx.settings.model_copy(update={"obey_robots": False})
    http.set("/rss", rss("Nyhet om vaksiner", "Eldre nyhet om vaksiner"), headers=RSS)
    spec = SourceSpec(
        key="rss", kind="feed", url=http.url("/rss"), authority="fhi", name="Nyheter",
        subtopics=("vaksinasjon",),
    )  # fmt: skip
    with Session(ctx.engine) as session:
        upsert_sources(session, [spec])
        session.commit()
    assert [r.outcome for r in await check(ctx, ["rss"])] == ["new"]
    clock.advance(hours=1)
    http.set(
        "/rss", rss("Ny anbefaling om vaksiner", "Nyhet om vaksiner", "Eldre nyhet om vaksiner"),
        headers=RSS,
    )  # fmt: skip
    assert [r.outcome for r in await check(ctx, ["rss"])] == ["new"]


async def deliver_everything(ctx: Context, clock: Clock, port: int) -> None:
    """Dispatch and deliver now, and again a day and a week later (digests)."""
    for hours in (0, 25, 24 * 7):
        clock.advance(hours=hours)
        dispatch(ctx)
        await deliver_via_smtp(ctx, port)


# ----------------------------------------------------------------------------- mail bombing


async def test_sign_ups_of_one_address_from_many_clients(
    ctx: Context, app: FastAPI, smtp: tuple[Inbox, int], clock: Clock
) -> None:
    inbox, port = smtp
    limit = ctx.settings.signup_limit_per_address
    statuses = []
    for n in range(limit + 5):
        async with client_for(app, f"203.0.113.{n + 1}") as attacker:
            address = "offer@kommune.no" if n % 2 else " OFFER@Kommune.NO "  # one address
            statuses.append(await sign_up(attacker, address))
    assert statuses.count(200) == limit and set(statuses[limit:]) == {429}, statuses
    await deliver_via_smtp(ctx, port)
    assert [m["Subject"] for m in to(inbox, "offer@kommune.no")] == [CONFIRM_SUBJECT]
    assert [r.lower().strip() for r in inbox.rcpt_seen] == ["offer@kommune.no"]
    # a new window: one more confirmation, never more
    clock.advance(minutes=ctx.settings.signup_window_minutes + 1)
    async with client_for(app, "203.0.113.200") as attacker:
        assert await sign_up(attacker, "offer@kommune.no") == 200
        assert await sign_up(attacker, "offer@kommune.no") == 200
    await deliver_via_smtp(ctx, port)
    assert len(to(inbox, "offer@kommune.no")) == 2


async def test_mass_sign_ups_from_one_client_send_only_as_many_mails_as_the_limit(
    ctx: Context, app: FastAPI, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    limit = ctx.settings.signup_limit_per_ip
    async with client_for(app, "203.0.113.66") as attacker:
        statuses = [await sign_up(attacker, f"mottaker{n}@kommune.no") for n in range(limit + 10)]
    assert statuses.count(200) == limit and statuses.count(429) == 10
    await deliver_via_smtp(ctx, port)
    assert len(inbox.messages) == limit
    assert {m["Subject"] for m in inbox.messages} == {CONFIRM_SUBJECT}
    with Session(ctx.engine) as session:
        assert len(session.exec(select(Subscriber)).all()) == limit


# ----------------------------------------------------------------------------- unconfirmed


async def test_nothing_but_the_confirmation_reaches_an_unconfirmed_address(
    ctx: Context,
    app: FastAPI,
    client: httpx.AsyncClient,
    http: FixtureServer,
    smtp: tuple[Inbox, int],
    clock: Clock,
) -> None:
    inbox, port = smtp
    assert await sign_up(client, "ubekreftet@kommune.no", "immediate") == 200
    assert await sign_up(client, "dagleg@kommune.no", "daily") == 200
    assert await sign_up(client, "bekreftet@kommune.no", "immediate") == 200
    await deliver_via_smtp(ctx, port)
    await confirm(client, link_in(inbox, "bekreftet@kommune.no", "/bekreft/"))
    await a_round_that_finds_a_change(ctx, http, clock)
    await deliver_everything(ctx, clock, port)
    for unconfirmed in ("ubekreftet@kommune.no", "dagleg@kommune.no"):
        assert [m["Subject"] for m in to(inbox, unconfirmed)] == [CONFIRM_SUBJECT], unconfirmed
    alerts = [m for m in to(inbox, "bekreftet@kommune.no") if m["Subject"] != CONFIRM_SUBJECT]
    assert alerts and "Ny anbefaling om vaksiner" in str(alerts[0]["Subject"])


async def test_a_stranger_cannot_change_a_confirmed_persons_choices(
    ctx: Context, app: FastAPI, client: httpx.AsyncClient, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    assert await sign_up(client, "lege@kommune.no", "daily", name="Kari") == 200
    await deliver_via_smtp(ctx, port)
    await confirm(client, link_in(inbox, "lege@kommune.no", "/bekreft/"))
    with Session(ctx.engine) as session:
        before = sorted((s.subtopic, s.cadence) for s in session.exec(select(Subscription)).all())
        person = session.exec(select(Subscriber)).one()
        name, role = person.name, person.role
    other = next(slug for slug in ctx.taxonomy.slugs() if slug != "vaksinasjon")
    async with client_for(app, "203.0.113.77") as stranger:
        status = await sign_up(
            stranger, "lege@kommune.no", "immediate", name="Inntrenger", role="kommunikasjon",
            **{f"cadence_{other}": "immediate"},
        )  # fmt: skip
    assert status == 200  # the same answer as for a new address: nothing to learn
    await deliver_via_smtp(ctx, port)
    with Session(ctx.engine) as session:
        after = sorted((s.subtopic, s.cadence) for s in session.exec(select(Subscription)).all())
        person = session.exec(select(Subscriber)).one()
        assert (person.name, person.role) == (name, role)
    assert after == before
    last = to(inbox, "lege@kommune.no")[-1]
    assert "/innstillinger/" in text_of(last)


# ----------------------------------------------------------------------------- erased


async def erase(client: httpx.AsyncClient, manage_path: str) -> None:
    page = await client.get(f"{manage_path}/slett")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    assert (
        await client.post(f"{manage_path}/slett", data={"csrf": found.group(1)})
    ).status_code == 200


async def test_erased_people_stay_erased_through_a_staff_import_and_a_check_round(
    ctx: Context,
    app: FastAPI,
    client: httpx.AsyncClient,
    http: FixtureServer,
    smtp: tuple[Inbox, int],
    clock: Clock,
) -> None:
    inbox, port = smtp
    assert await sign_up(client, "slettet@kommune.no") == 200
    await deliver_via_smtp(ctx, port)
    await confirm(client, link_in(inbox, "slettet@kommune.no", "/bekreft/"))
    assert await sign_up(client, "slettet@kommune.no") == 200  # a link to the settings
    await deliver_via_smtp(ctx, port)
    await erase(client, link_in(inbox, "slettet@kommune.no", "/innstillinger/"))
    sent_before = len(to(inbox, "slettet@kommune.no"))
    # a staff member imports an old list that still holds the address
    csv = "email,name,role,region,subtopics,cadence\nSlettet@Kommune.no,Navn,kommunelege,,vaksinasjon,immediate\n"
    async with staff_client(ctx, app) as staff:
        _, csrf = await login(staff, ctx, role="admin")
        preview = await staff.post(
            "/staff/abonnenter/import",
            data={"csrf_token": csrf},
            files={"fil": ("liste.csv", csv.encode(), "text/csv")},
        )
        assert preview.status_code == 200, preview.text
        counts = dict((label, int(n)) for n, label in re.findall(PREVIEW_COUNT, preview.text))
        assert counts["Nye abonnenter"] == 0 and counts["Hoppet over (sperret)"] == 1, counts
        # nothing to apply: no form to do it; a forged apply of the same file adds no one
        assert 'action="/staff/abonnenter/import/bruk"' not in preview.text
        forged = await staff.post(
            "/staff/abonnenter/import/bruk", data={"csrf_token": csrf, "innhold": "", "plan": ""}
        )
        assert forged.status_code == 400
    with Session(ctx.engine) as session:  # erasure leaves a tombstone with no address
        emails = [s.email.lower() for s in session.exec(select(Subscriber)).all()]
        assert all("slettet" not in e and e.endswith("@invalid") for e in emails), emails
    await a_round_that_finds_a_change(ctx, http, clock)
    await deliver_everything(ctx, clock, port)
    assert len(to(inbox, "slettet@kommune.no")) == sent_before


async def test_a_re_sign_up_after_erasure_gets_a_confirmation_and_nothing_else(
    ctx: Context,
    app: FastAPI,
    client: httpx.AsyncClient,
    http: FixtureServer,
    smtp: tuple[Inbox, int],
    clock: Clock,
) -> None:
    inbox, port = smtp
    assert await sign_up(client, "tilbake@kommune.no") == 200
    await deliver_via_smtp(ctx, port)
    await confirm(client, link_in(inbox, "tilbake@kommune.no", "/bekreft/"))
    assert await sign_up(client, "tilbake@kommune.no") == 200
    await deliver_via_smtp(ctx, port)
    await erase(client, link_in(inbox, "tilbake@kommune.no", "/innstillinger/"))
    inbox.messages.clear()
    clock.advance(minutes=ctx.settings.signup_window_minutes + 1)
    async with client_for(app, "198.51.100.99") as again:
        assert await sign_up(again, "tilbake@kommune.no") == 200
    await a_round_that_finds_a_change(ctx, http, clock)
    await deliver_everything(ctx, clock, port)
    assert [m["Subject"] for m in to(inbox, "tilbake@kommune.no")] == [CONFIRM_SUBJECT]
