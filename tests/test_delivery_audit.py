"""The delivery audit: for every message the changes it carried (and their version), the
channel, when it was accepted and every failure, with times; its retention; and migration
0010 down and up again (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlmodel import Session, select

from feeds.store.models import Change
from notifier import delivery_audit as audit
from notifier.context import Context
from notifier.db import MIGRATIONS
from notifier.plan import dispatch
from notifier.worker import housekeep_deliveries
from subscribers.models import Subscriber
from tests.conftest import Clock
from tests.support.outbox import deliver_via_smtp
from tests.support.smtpserver import Inbox
from tests.support.staff import fast_hasher, login, staff_client
from tests.test_plan import add_change, subscribe

__all__ = ["fast_hasher"]


def subscriber_id(ctx: Context, email: str) -> int:
    with Session(ctx.engine) as session:
        sid = session.exec(select(Subscriber.id).where(Subscriber.email == email)).one()
        assert sid is not None
        return sid


async def test_every_message_records_what_it_carried_and_when_it_was_accepted(
    ctx: Context, clock: Clock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.refuse_domain["treg.no"] = "451 4.3.0 Try again later"
    inbox.refuse["borte@k.no"] = "550 5.1.1 No such user"
    for email in ("lege@k.no", "borte@k.no", "lege@treg.no"):
        subscribe(ctx, email, ["vaksinasjon"], "immediate")
    change = add_change(ctx, "Ny vaksine", ["vaksinasjon"])
    dispatch(ctx)
    queued = clock()
    clock.advance(seconds=3)
    await deliver_via_smtp(ctx, port)
    with Session(ctx.engine) as session:
        rows = {r.to_address: r for r in audit.for_change(session, change)}
        version = session.get(Change, change)
    assert set(rows) == {"lege@k.no", "borte@k.no", "lege@treg.no"}
    ok = rows["lege@k.no"]
    assert (ok.status, ok.channel, ok.queued_at, ok.accepted_at) == (
        "sent", "email", queued, clock()
    )  # fmt: skip
    assert [e[:2] for e in ok.events] == [("accepted", clock())]
    assert version is not None
    expected = audit.change_version(
        version.title, version.summary, version.diff, version.subtopics, version.regions,
        version.urgent,
    )  # fmt: skip
    assert ok.carried == ((change, expected, None),)
    bounced = rows["borte@k.no"]
    assert bounced.status == "failed" and bounced.accepted_at is None
    [(event, _, detail)] = bounced.events
    assert event == "failed" and detail.startswith("bounce: SMTP 550")
    assert "borte@k.no" not in detail
    waiting = rows["lege@treg.no"]
    assert [e[0] for e in waiting.events] == ["retry"] and waiting.carried == ()
    # the subscriber's side: the same message, newest first
    with Session(ctx.engine) as session:
        mine = audit.for_subscriber(session, subscriber_id(ctx, "lege@k.no"))
    assert [(r.delivery_id, r.accepted_at) for r in mine] == [(ok.delivery_id, clock())]


async def test_an_edited_change_is_carried_in_its_new_version(
    ctx: Context, clock: Clock, smtp: tuple[Inbox, int]
) -> None:
    _, port = smtp
    subscribe(ctx, "straks@k.no", ["vaksinasjon"], "immediate")
    subscribe(ctx, "daglig@k.no", ["vaksinasjon"], "daily")
    change = add_change(ctx, "Ny vaksine", ["vaksinasjon"])
    dispatch(ctx)
    await deliver_via_smtp(ctx, port)
    with Session(ctx.engine) as session:
        row = session.get(Change, change)
        assert row is not None
        row.title = "Ny vaksine (rettet)"
        row.reviewed_at = clock()
        session.add(row)
        session.commit()
    from notifier.plan import compose_digests

    compose_digests(ctx, "daily")
    clock.advance(minutes=1)
    await deliver_via_smtp(ctx, port)
    with Session(ctx.engine) as session:
        versions = {r.kind: r.carried[0] for r in audit.for_change(session, change)}
    assert versions["alert"][1] != versions["digest"][1]
    assert versions["alert"][2] is None and versions["digest"][2] is not None


async def test_audit_rows_are_kept_for_the_set_time(
    ctx: Context, clock: Clock, smtp: tuple[Inbox, int]
) -> None:
    _, port = smtp
    subscribe(ctx, "lege@k.no", ["vaksinasjon"], "immediate")
    change = add_change(ctx, "Ny vaksine", ["vaksinasjon"])
    dispatch(ctx)
    await deliver_via_smtp(ctx, port)
    clock.advance(days=ctx.settings.delivery_audit_days - 1)
    assert housekeep_deliveries(ctx).startswith("0 ")
    clock.advance(days=2)
    assert housekeep_deliveries(ctx) == "2 delivery audit row(s) past 400 days deleted"
    with Session(ctx.engine) as session:
        [row] = audit.for_change(session, change)  # the outbox row itself stays
    assert row.events == () and row.carried == () and row.status == "sent"


async def test_the_console_shows_the_audit_per_change_and_per_subscriber(
    ctx: Context, clock: Clock, smtp: tuple[Inbox, int], fast_hasher: None
) -> None:
    inbox, port = smtp
    inbox.refuse["borte@k.no"] = "550 5.1.1 No such user"
    subscribe(ctx, "lege@k.no", ["vaksinasjon"], "immediate")
    subscribe(ctx, "borte@k.no", ["vaksinasjon"], "immediate")
    change = add_change(ctx, "Ny vaksine", ["vaksinasjon"])
    dispatch(ctx)
    await deliver_via_smtp(ctx, port)
    with Session(ctx.engine) as session:
        row = session.get(Change, change)
        assert row is not None
        version = audit.current_version(row)[:8]
    async with staff_client(ctx) as client:
        await login(client, ctx, "admin")
        page = await client.get(f"/staff/endringer/{change}")
        assert page.status_code == 200
        text = " ".join(page.text.split())
        assert f"<code>{version}</code> (som nå)" in text
        assert "godtatt" in text and "feilet" in text and "bounce: SMTP 550" in text
        person = await client.get(f"/staff/abonnenter/{subscriber_id(ctx, 'lege@k.no')}")
        assert person.status_code == 200
        text = " ".join(person.text.split())
        assert f'<a href="/staff/endringer/{change}">#{change}</a> <code>{version}</code>' in text
        assert "godtatt" in text and "standard (kl. 07, ukentlig mandag)" in text


def test_migration_0010_goes_down_and_up_again(ctx: Context) -> None:
    subscribe(ctx, "sju@k.no", ["vaksinasjon"], "daily")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009_push")
    inspector = sa.inspect(ctx.engine)
    tables = set(inspector.get_table_names())
    assert not tables & {"digest_run", "delivery_event", "delivery_carried", "assurance_report"}
    columns = {c["name"] for c in inspector.get_columns("subscriber")}
    assert "digest_hour" not in columns and "quiet_start" not in columns
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    inspector = sa.inspect(ctx.engine)
    assert {"digest_run", "delivery_event", "delivery_carried", "assurance_report"} <= set(
        inspector.get_table_names()
    )
    with Session(ctx.engine) as session:
        sub = session.exec(select(Subscriber)).one()
        assert (sub.email, sub.digest_hour, sub.quiet_start) == ("sju@k.no", None, None)
    assert timedelta(days=ctx.settings.delivery_audit_days) == ctx.settings.delivery_audit_retention
