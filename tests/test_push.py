"""Web Push end to end: a local push service (tests/support/pushservice.py) checks the VAPID
signature and decrypts every message with the browser's keys; the alert about a change found
by ``notifier check`` reaches it; 404/410 remove the endpoint, 429 and 5xx retry (after
Retry-After), the payload stays under the limit, and one change reaches a device once.
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select
from typer.testing import CliRunner

from feeds.fetch.netguard import OutboundGate
from notifier.channels.webpush import (
    MAX_PAYLOAD,
    MAX_RECORD,
    WebPushChannel,
    load_vapid_keys,
    payload,
    vapid_keys,
)
from notifier.cli import app
from notifier.context import Context
from notifier.db import make_engine
from notifier.deliver import deliver
from notifier.message import OutgoingMessage
from notifier.outbox import Delivery
from notifier.plan import dispatch
from subscribers import push
from subscribers.models import PushEndpoint, PushReceipt, Subscriber
from tests.conftest import Clock
from tests.support.httpserver import FixtureServer
from tests.support.pushservice import Browser, PushService, push_service
from tests.support.smtpserver import Inbox
from tests.test_plan import add_change, subscribe

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Regjeringen</title><link>https://www.regjeringen.no/</link>
{items}
</channel></rss>"""
OLD = """<item><title>Årsrapport for helseforetakene</title><guid>r1</guid>
<link>https://www.regjeringen.no/aarsrapport/</link>
<description>Rapporten for 2025.</description></item>"""
URGENT = """<item><title>Endring i smittevernforskriften trer i kraft i dag</title><guid>r2</guid>
<link>https://www.regjeringen.no/forskrift-endring/</link>
<description>Forskriften om tiltak mot smitte er endret og gjelder fra i dag.</description></item>"""


@pytest.fixture
def service() -> Iterator[PushService]:
    with push_service() as s:
        yield s


def cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def register(ctx: Context, service: PushService, email: str) -> Browser:
    """A browser turns push on for ``email`` (what the preferences page's script posts)."""
    browser = service.subscribe(load_vapid_keys(ctx.engine).public)
    with Session(ctx.engine) as session:
        sid = session.exec(select(Subscriber.id).where(Subscriber.email == email)).one()
        assert sid is not None
        push.add(session, sid, browser.endpoint, browser.p256dh, browser.auth, ctx.clock())
        session.commit()
    return browser


def rows(ctx: Context, channel: str = "webpush") -> list[Delivery]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Delivery).where(Delivery.channel == channel)))


def endpoints(ctx: Context) -> list[PushEndpoint]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(PushEndpoint)))


def test_the_urgent_alert_found_by_check_reaches_the_browser(
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    tmp_path: Path,
    http: FixtureServer,
    smtp: tuple[Inbox, int],
    service: PushService,
) -> None:
    inbox, port = smtp
    for name, value in {
        "DATABASE_URL": database_url, "DATA_DIR": str(tmp_path / "var"),
        "SMTP_URL": f"smtp://127.0.0.1:{port}", "ALLOW_PRIVATE_SOURCES": "true",
        "PER_HOST_MIN_GAP": "0", "HTTP_TIMEOUT": "2", "BASE_URL": "https://varsel.example.no",
        "MAIL_FROM": "Helsevarsel <varsel@varsel.example.no>",
    }.items():  # fmt: skip
        monkeypatch.setenv(f"NOTIFIER_{name}", value)
    http.set("/rss/", FEED.format(items=OLD), headers={"Content-Type": "application/rss+xml"})
    catalogue = tmp_path / "sources.toml"
    catalogue.write_text(
        f'[[source]]\nkey = "rg"\nkind = "feed"\nname = "Regjeringen"\nauthority = "regjeringen"\n'
        f'url = "{http.base}/rss/"\n',
        encoding="utf-8",
    )
    cli("db", "upgrade")
    cli("sources", "load", str(catalogue))
    cli("subscribers", "add", "sf@statsforvalteren.no", "--role", "statsforvalter",
        "--subtopic", "forskrifter_regelverk", "--cadence", "daily")  # fmt: skip
    engine = make_engine(database_url)
    try:
        browser = service.subscribe(load_vapid_keys(engine).public)
    finally:
        engine.dispose()
    out = cli("subscribers", "push-add", "sf@statsforvalteren.no", "--endpoint",
              browser.endpoint, "--p256dh", browser.p256dh, "--auth", browser.auth)  # fmt: skip
    assert "push endpoint" in out
    assert browser.endpoint in cli("subscribers", "push-list", "sf@statsforvalteren.no")

    cli("check", "--all")  # the baseline: nothing to tell
    http.set(
        "/rss/", FEED.format(items=URGENT + OLD), headers={"Content-Type": "application/rss+xml"}
    )
    assert "rg new" in cli("check", "--all")
    assert "sent 2," in cli("deliver")  # the mail and the push

    assert service.rejected == []
    [pushed] = service.received
    assert pushed.payload["title"] == "Haster: Endring i smittevernforskriften trer i kraft i dag"
    assert "gjelder fra i dag" in pushed.payload["body"]
    assert pushed.payload["url"] == "https://www.regjeringen.no/forskrift-endring/"
    assert pushed.payload["urgent"] is True
    assert pushed.headers["urgency"] == "high"
    assert pushed.headers["ttl"] == "86400"
    assert pushed.claims["aud"] == service.origin
    assert pushed.claims["sub"] == "mailto:varsel@varsel.example.no"
    assert len(inbox.to("sf@statsforvalteren.no")) == 1  # the mail goes too

    # nothing more: another check and delivery send nobody anything again
    cli("check", "--all")
    assert "sent 0," in cli("deliver")
    assert len(service.received) == 1
    assert "push endpoint removed" in cli(
        "subscribers", "push-remove", "sf@statsforvalteren.no", "--endpoint", browser.endpoint
    )
    assert cli("subscribers", "push-list", "sf@statsforvalteren.no") == ""


async def test_one_change_reaches_each_device_once_and_digests_stay_in_email(
    ctx: Context, service: PushService
) -> None:
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "daily")
    phone, laptop = register(ctx, service, "sf@k.no"), register(ctx, service, "sf@k.no")
    add_change(ctx, "Ny forskrift gjelder fra i dag", ["forskrifter_regelverk"], urgent=True)
    add_change(ctx, "Veileder om journalføring", ["forskrifter_regelverk"])
    assert dispatch(ctx) == 2  # one mail, one push row (carried to both devices)
    assert dispatch(ctx) == 0
    report = await deliver(ctx)
    assert report.sent == 2
    assert len(service.pushes_to(phone)) == 1 and len(service.pushes_to(laptop)) == 1
    assert (await deliver(ctx)).sent == 0
    assert len(service.received) == 2
    [row] = rows(ctx)
    assert row.status == "sent" and row.to_address.startswith("subscriber:")
    # the non-urgent change waits for the daily digest, in e-mail only
    from notifier.plan import compose_digests

    assert compose_digests(ctx, "daily") == 1
    assert [r.channel for r in rows(ctx, "email") if r.kind == "digest"] == ["email"]
    assert len(rows(ctx)) == 1


@pytest.mark.parametrize("status", [404, 410])
async def test_a_gone_subscription_removes_its_endpoint(
    ctx: Context, service: PushService, status: int
) -> None:
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    gone, kept = register(ctx, service, "sf@k.no"), register(ctx, service, "sf@k.no")
    service.answer(gone, status)
    add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
    dispatch(ctx)
    report = await deliver(ctx)
    assert report.sent == 2 and report.retried == 0
    assert [e.endpoint for e in endpoints(ctx)] == [kept.endpoint]
    assert len(service.pushes_to(kept)) == 1


async def test_every_endpoint_gone_fails_the_row_alone(ctx: Context, service: PushService) -> None:
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    service.answer(register(ctx, service, "sf@k.no"), 410)
    add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
    dispatch(ctx)
    report = await deliver(ctx)
    assert (report.sent, report.failed) == (1, 1)  # the mail went; the push row failed
    [row] = rows(ctx)
    assert row.status == "failed" and "gone" in (row.last_error or "")
    assert endpoints(ctx) == []


async def test_429_retries_after_retry_after_and_only_to_the_device_that_refused(
    ctx: Context, service: PushService, clock: Clock
) -> None:
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    busy, fine = register(ctx, service, "sf@k.no"), register(ctx, service, "sf@k.no")
    service.answer(busy, 429, **{"Retry-After": "120"})
    add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
    dispatch(ctx)
    report = await deliver(ctx)
    assert report.retried == 1
    [row] = rows(ctx)
    assert row.status == "pending" and row.attempts == 1
    assert row.next_attempt_at >= clock.now + timedelta(seconds=120)
    assert len(service.pushes_to(fine)) == 1 and service.pushes_to(busy) == []
    with Session(ctx.engine) as session:
        assert len(session.exec(select(PushReceipt)).all()) == 1  # the device that took it
    clock.advance(seconds=60)
    assert (await deliver(ctx)).handled == 0  # not before Retry-After
    clock.advance(seconds=3 * 3600)
    assert (await deliver(ctx)).sent == 1
    assert len(service.pushes_to(fine)) == 1  # not sent again to the device that took it
    assert len(service.pushes_to(busy)) == 1
    with Session(ctx.engine) as session:
        assert session.exec(select(PushReceipt)).all() == []  # settled: receipts go


@pytest.mark.parametrize("status", [500, 503])
async def test_a_server_error_retries_with_backoff(
    ctx: Context, service: PushService, clock: Clock, status: int
) -> None:
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    browser = register(ctx, service, "sf@k.no")
    service.answer(browser, status)
    add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
    dispatch(ctx)
    assert (await deliver(ctx)).retried == 1
    [row] = rows(ctx)
    assert row.status == "pending" and f"push service {status}" in (row.last_error or "")
    assert len(endpoints(ctx)) == 1 and endpoints(ctx)[0].failures == 1
    clock.advance(hours=7)
    assert (await deliver(ctx)).sent == 1
    assert len(service.pushes_to(browser)) == 1
    assert endpoints(ctx)[0].failures == 0


async def test_another_refusal_fails_that_endpoint_with_its_reason(
    ctx: Context, service: PushService
) -> None:
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    service.answer(register(ctx, service, "sf@k.no"), 403)
    add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
    dispatch(ctx)
    await deliver(ctx)
    [row] = rows(ctx)
    assert row.status == "failed" and row.failure == "refused"
    assert "push service 403" in (row.last_error or "")


def test_the_payload_is_cut_to_fit_the_limit() -> None:
    long = "Forskriften gjelder straks. " * 400
    message = OutgoingMessage(
        to="subscriber:1", subject="Haster: " + "Ny forskrift " * 50, text=long, html="",
        idempotency_key="alert:1:webpush:immediate:s1",
        headers={"Link": "https://www.regjeringen.no/" + "a" * 300, "Urgency": "high"},
    )  # fmt: skip
    data = payload(message)
    assert len(data) <= MAX_PAYLOAD == MAX_RECORD - 103
    fields = json.loads(data)
    assert fields["body"].endswith("…") and fields["title"].startswith("Haster: Ny forskrift")
    assert fields["url"].startswith("https://www.regjeringen.no/")
    short = payload(OutgoingMessage("subscriber:1", "T", "kort", "", "k", {"Link": "https://x.no"}))
    assert json.loads(short)["body"] == "kort"
    tiny = json.loads(payload(message, limit=400))
    assert len(json.dumps(tiny, ensure_ascii=False, separators=(",", ":")).encode()) <= 400


async def test_a_long_alert_arrives_within_the_size_limit(
    ctx: Context, service: PushService
) -> None:
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    browser = register(ctx, service, "sf@k.no")
    message = OutgoingMessage(
        to="subscriber:1", subject="Haster: ny forskrift", text="Tekst æøå " * 1000, html="",
        idempotency_key="alert:1:webpush:immediate:s9", headers={"Urgency": "high"},
    )  # fmt: skip
    with Session(ctx.engine) as session:
        keys = vapid_keys(session)
        session.commit()
    channel = WebPushChannel(ctx.engine, keys, "mailto:drift@example.no", OutboundGate(True))
    try:
        await channel.send(message)
    finally:
        await channel.close()
    [pushed] = service.pushes_to(browser)
    assert pushed.body_size <= MAX_RECORD
    assert pushed.payload["body"].startswith("Tekst æøå") and pushed.payload["body"].endswith("…")


async def test_a_private_endpoint_is_refused_unless_allowed(
    ctx: Context, service: PushService, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    browser = register(ctx, service, "sf@k.no")  # stored while private addresses were allowed
    ctx.settings.allow_private_sources = False
    add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
    dispatch(ctx)
    await deliver(ctx)
    assert service.requests == []  # nothing reached the loopback service
    [row] = rows(ctx)
    assert row.status == "failed" and "outbound gate" in (row.last_error or "")
    # and the CLI refuses to store one
    for name, value in {
        "DATABASE_URL": ctx.settings.database_url, "DATA_DIR": str(ctx.settings.data_dir),
        "ALLOW_PRIVATE_SOURCES": "false",
    }.items():  # fmt: skip
        monkeypatch.setenv(f"NOTIFIER_{name}", value)
    out = cli("subscribers", "push-add", "sf@k.no", "--endpoint", browser.endpoint + "x",
              "--p256dh", browser.p256dh, "--auth", browser.auth, code=2)  # fmt: skip
    assert "private or loopback" in out
    assert len(endpoints(ctx)) == 1


@pytest.mark.parametrize(
    ("endpoint", "p256dh", "auth"),
    [
        ("ftp://push.example.no/x", None, None),
        ("https://user:pw@push.example.no/x", None, None),
        ("https://push.example.no/x y", None, None),
        ("https://push.example.no/x", "AAAA", None),
        ("https://push.example.no/x", None, "c2hvcnQ"),
        ("https://push.example.no/x", None, "not base64!"),
    ],
)
def test_malformed_subscriptions_are_refused(
    ctx: Context, service: PushService, endpoint: str, p256dh: str | None, auth: str | None
) -> None:
    subscribe(ctx, "sf@k.no", ["vaksinasjon"], "immediate")
    browser = service.subscribe("k")
    with Session(ctx.engine) as session, pytest.raises(push.PushEndpointError):
        push.add(session, 1, endpoint, p256dh or browser.p256dh, auth or browser.auth, ctx.clock())


def test_vapid_keys_are_made_once_and_kept(ctx: Context) -> None:
    first = load_vapid_keys(ctx.engine)
    assert load_vapid_keys(ctx.engine) == first
    assert len(first.public) == 87  # 65 bytes, base64url without padding


def test_migration_0009_goes_down_and_up_again(ctx: Context, service: PushService) -> None:
    from alembic import command
    from alembic.config import Config

    from notifier.db import MIGRATIONS

    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    register(ctx, service, "sf@k.no")
    add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
    assert dispatch(ctx) == 2
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008_confirmation")
    with ctx.engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        channels = conn.execute(sa.text("SELECT channel FROM delivery")).scalars().all()
    assert not {"push_endpoint", "apprise_target", "push_receipt", "subscription_channel"} & tables
    assert channels == ["email"]  # the push row the old code could not send is gone
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    with ctx.engine.connect() as conn:
        assert {"push_endpoint", "apprise_target", "push_receipt", "subscription_channel"} <= set(
            sa.inspect(conn).get_table_names()
        )
    register(ctx, service, "sf@k.no")
    assert len(endpoints(ctx)) == 1


def test_erasure_forgets_endpoints_targets_and_receipts(ctx: Context, service: PushService) -> None:
    from notifier.channels.manage import add_target
    from notifier.erasure import erase_subscriber

    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    register(ctx, service, "sf@k.no")
    with Session(ctx.engine) as session:
        add_target(session, ctx.settings, 1, "ntfys://ntfy.example.no/emne", ctx.clock())
        push.record_receipt(session, "alert:1:webpush:immediate:s1", "webpush", 1, 1, ctx.clock())
        session.commit()
        person = session.get(Subscriber, 1)
        assert person is not None
        erase_subscriber(session, person, ctx.clock())
        session.commit()
    with ctx.engine.connect() as conn:
        for table in ("push_endpoint", "apprise_target", "push_receipt"):
            assert conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == 0


async def test_a_subscription_can_keep_its_alerts_out_of_push(
    ctx: Context, service: PushService
) -> None:
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk", "tisk"], "immediate")
    browser = register(ctx, service, "sf@k.no")
    with Session(ctx.engine) as session:
        push.set_push_choices(session, 1, {"tisk"}, ctx.clock())  # testing etc.: e-mail only
        session.commit()
    add_change(ctx, "Nye råd om testing", ["testing"])  # under the umbrella tisk
    assert dispatch(ctx) == 1  # the mail only
    add_change(ctx, "Ny forskrift om testing", ["forskrifter_regelverk", "testing"])
    assert dispatch(ctx) == 2  # matched through a subscription that pushes
    await deliver(ctx)
    assert [p.payload["title"] for p in service.pushes_to(browser)] == [
        "Varsel: Ny forskrift om testing"
    ]


async def test_a_sender_that_died_after_a_push_does_not_repeat_it(
    ctx: Context, service: PushService, clock: Clock
) -> None:
    """A sender pushed to one device and died before it settled the row: the claim expires,
    the next sender takes the row and pushes only to the devices without a receipt."""
    from notifier import outbox

    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    first, second = register(ctx, service, "sf@k.no"), register(ctx, service, "sf@k.no")
    service.answer(second, 503)  # the dead sender's second push never got through
    add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
    dispatch(ctx)
    with Session(ctx.engine) as session:
        claim = outbox.claim(session, clock.now, timedelta(seconds=600), limit=10)
    [row] = [r for r in claim.rows if r.channel == "webpush"]
    keys = load_vapid_keys(ctx.engine)
    channel = WebPushChannel(ctx.engine, keys, "mailto:drift@example.no", OutboundGate(True))
    try:
        with pytest.raises(Exception, match="push service 503"):
            await channel.send(row.message())  # ... and here the sender died
    finally:
        await channel.close()
    assert len(service.pushes_to(first)) == 1
    clock.advance(seconds=601)  # its lease runs out
    report = await deliver(ctx)
    assert report.sent == 2  # the mail (never sent) and the push row
    assert len(service.pushes_to(first)) == 1  # not again
    assert len(service.pushes_to(second)) == 1


async def test_a_server_error_waits_for_its_retry_after_date(
    ctx: Context, service: PushService, clock: Clock
) -> None:
    """A 5xx with ``Retry-After`` as an HTTP date is tried again at that time, not before."""
    from email.utils import format_datetime

    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    browser = register(ctx, service, "sf@k.no")
    later = clock.now + timedelta(hours=2)
    service.answer(browser, 503, **{"Retry-After": format_datetime(later, usegmt=True)})
    add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
    dispatch(ctx)
    assert (await deliver(ctx)).retried == 1
    [row] = rows(ctx)
    assert row.status == "pending" and row.next_attempt_at >= later - timedelta(seconds=1)
    clock.advance(minutes=90)
    assert (await deliver(ctx)).handled == 0
    service.answer(browser, 201)
    clock.advance(minutes=31)
    assert (await deliver(ctx)).sent == 1


async def test_an_alert_that_is_not_urgent_goes_with_normal_urgency_and_the_set_ttl(
    ctx: Context, service: PushService
) -> None:
    ctx.settings.push_ttl_seconds = 600
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    register(ctx, service, "sf@k.no")
    add_change(ctx, "Veileder om journalføring", ["forskrifter_regelverk"])
    dispatch(ctx)
    assert (await deliver(ctx)).sent == 2
    [pushed] = service.received
    assert pushed.headers["urgency"] == "normal" and pushed.headers["ttl"] == "600"
    assert pushed.payload["urgent"] is False
    assert not pushed.payload["title"].startswith("Haster")
