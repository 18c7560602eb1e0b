"""The outbox stores one body per distinct mail and each recipient's own parts (revision
0015): what is sent is byte for byte what rendering each message alone gives, the shared
bodies hold nothing personal, old rows holding whole bodies still send, and housekeeping
deletes the bodies nothing refers to any more."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from markupsafe import escape
from sqlmodel import Session, col, select

from notifier import delivery_audit
from notifier.context import Context
from notifier.db import MIGRATIONS
from notifier.deliver import deliver
from notifier.erasure import erase_subscriber
from notifier.outbox import (
    FAILED,
    INVALID,
    LINKS,
    PENDING,
    SENT,
    SLOTS,
    Body,
    Delivery,
    DeliveryBody,
    MissingBody,
    MissingLinks,
    message_of,
    prune_bodies,
    signed,
    store_bodies,
)
from notifier.outbox_admin import _subscriber_of, retry
from notifier.plan import candidate_changes, dispatch, plan
from notifier.web.links import attach
from subscribers.models import Subscriber
from tests.conftest import Clock
from tests.support.outbox import deliver_via_smtp, smtp_channel
from tests.support.smtpserver import Inbox
from tests.test_plan import add_change, subscribe

NAMES = ["", "Kari Nordmann", 'Ola <b>&amp;</b> "Ås" O\'Neil', "Åse Øye-Ærø"]


def people(ctx: Context, n: int, cadence: str = "immediate") -> dict[str, Subscriber]:
    """``n`` confirmed subscribers of vaksinasjon with names (some with markup), both
    languages and several token versions; address -> subscriber."""
    for i in range(n):
        subscribe(ctx, f"lege{i}@kommune{i % 3}.no", ["vaksinasjon"], cadence)
    with Session(ctx.engine) as session:
        found = {}
        for i, sub in enumerate(session.exec(select(Subscriber).order_by(col(Subscriber.id)))):
            sub.name = NAMES[i % len(NAMES)]
            sub.language = "nn" if i % 2 else "nb"
            sub.token_version = i % 3
            session.add(sub)
            found[sub.email] = sub
        session.commit()
        for sub in found.values():
            session.refresh(sub)
        return found


def rows(ctx: Context) -> list[Delivery]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Delivery).order_by(col(Delivery.id))))


def shared(ctx: Context) -> list[DeliveryBody]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(DeliveryBody).order_by(col(DeliveryBody.id))))


def test_one_body_per_form_and_each_message_as_rendering_it_alone(ctx: Context) -> None:
    found = people(ctx, 24)
    add_change(ctx, "Ny vaksine <til> alle & «andre»", ["vaksinasjon"], urgent=True)
    now = ctx.clock()
    attach(ctx)
    with Session(ctx.engine) as session:
        planned = plan(ctx, session, "immediate", now, candidate_changes(session, "immediate", now))
    assert dispatch(ctx) == 24
    stored = rows(ctx)
    bodies = shared(ctx)
    # one body per form (language, with or without a name): three here, and 24 short rows
    forms = {(p.language, bool(p.name)) for p in found.values()}
    assert len(bodies) == len(forms) == 3 and len(stored) == 24
    by_key = {d.idempotency_key: d for d in planned}
    with Session(ctx.engine) as session:
        for row in stored:
            assert row.body_id is not None and (row.body_text, row.body_html) == ("", "")
            assert row.personal is not None and set(row.personal) <= {*SLOTS, LINKS}
            person = found[row.to_address]
            assert ("name" in row.personal) is bool(person.name)
            # exactly what the renderer gives this message alone (the preview's function)
            alone = ctx.renderer.render(by_key[row.idempotency_key], now)
            assert message_of(session, row, attach(ctx).mail_links) == alone
            # List-Unsubscribe follows from the stored unsubscribe link, not stored twice
            assert row.headers == {} and message_of(
                session, row, attach(ctx).mail_links
            ).headers == dict(alone.headers)
            assert "List-Unsubscribe" in alone.headers
    # a body holds its slots as names, and nothing of anyone
    for body in bodies:
        text = json.dumps([body.text_parts, body.html_parts], ensure_ascii=False)
        assert len(body.text_parts) % 2 == 1 and set(body.text_parts[1::2]) <= set(SLOTS)
        for person in found.values():
            assert person.email not in text
            assert not person.name or person.name not in text
            assert not person.name or str(escape(person.name)) not in text
        assert "/innstillinger/" not in text and "/u/" not in text  # the signed links


async def test_sent_mails_carry_their_own_name_links_and_headers(
    ctx: Context, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    found = people(ctx, 8)
    add_change(ctx, "Ny vaksine", ["vaksinasjon"], urgent=True)
    dispatch(ctx)
    stored = {r.to_address: r for r in rows(ctx)}
    assert (await deliver_via_smtp(ctx, port)).sent == 8
    links = attach(ctx).mail_links
    unsubscribe: set[str] = set()
    for address, person in found.items():
        [mail] = inbox.to(address)
        row = stored[address]
        # the row holds what signing needs; the sender signed the links as planning would have
        assert set(row.personal or {}) <= {"name", LINKS}
        personal = signed(row.personal or {}, row.subscriber_id, row.created_at, links)
        text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        markup = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert str(mail["List-Unsubscribe"]).replace("\r\n", "").replace(" ", "") == (
            f"<{personal['unsubscribe']}>"
        )
        assert personal["unsubscribe"] in text and personal["preferences"] in text
        unsubscribe.add(personal["unsubscribe"])
        assert f'href="{escape(personal["unsubscribe"])}"' in markup
        if person.name:
            assert f"Hei {person.name}," in text
            assert f"Hei {escape(person.name)}," in markup  # as Jinja2 escapes it
        else:
            assert "Hei," in text
    # every person's links are their own
    assert len(unsubscribe) == 8


def test_a_source_text_that_looks_like_a_slot_stays_text(ctx: Context) -> None:
    people(ctx, 2)
    title = "unsubscribe QQ-0123abcd-NAME-QQ https://qq-0-u.invalid/u"
    add_change(ctx, title, ["vaksinasjon"], urgent=True)
    dispatch(ctx)
    with Session(ctx.engine) as session:
        for row in rows(ctx):
            message = message_of(session, row, attach(ctx).mail_links)
            assert title in message.text and str(escape(title)) in message.html
    for body in shared(ctx):
        assert any(title in part for part in body.text_parts[0::2])
        assert set(body.text_parts[1::2]) <= set(SLOTS)


def test_bodies_are_stored_once_and_reused(ctx: Context) -> None:
    body = Body(("Hei ", "name", ", les mer"), ("<p>Hei ", "name", "</p>"))
    now = ctx.clock()
    with Session(ctx.engine) as session:
        first = store_bodies(session, [body, body], now)
        session.commit()
    with Session(ctx.engine) as session:
        again = store_bodies(session, [Body(body.text, body.html)], now + timedelta(hours=2))
        session.commit()
    assert first == again and list(first) == [body.digest]
    [row] = shared(ctx)
    assert row.used_at == now + timedelta(hours=2)  # marked used again: housekeeping waits
    assert row.body() == body


async def test_a_row_whose_body_is_gone_fails_alone(ctx: Context, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    people(ctx, 2)
    add_change(ctx, "Ny vaksine", ["vaksinasjon"], urgent=True)
    dispatch(ctx)
    first, second = rows(ctx)
    with Session(ctx.engine) as session:
        row = session.get(Delivery, first.id)
        assert row is not None
        row.body_id = 10_000_000  # no such body
        session.add(row)
        session.commit()
        try:
            message_of(session, row, attach(ctx).mail_links)
        except MissingBody:
            pass
        else:
            raise AssertionError("a row without its body was built")
    assert (await deliver_via_smtp(ctx, port)).sent == 1
    by_id = {r.id: r for r in rows(ctx)}
    assert (by_id[first.id].status, by_id[first.id].failure) == (FAILED, INVALID)
    assert by_id[second.id].status == SENT and len(inbox.messages) == 1
    # staff may retry it: it has a body reference (the sender decides again)
    with Session(ctx.engine) as session:
        assert retry(session, first.id or 0, ctx.clock()).status == PENDING


def test_a_push_row_names_its_person_by_ascii_digits_only(ctx: Context) -> None:
    row = Delivery(idempotency_key="k", kind="alert", to_address="subscriber:12", subject="")
    assert _subscriber_of(row) == 12
    for odd in ("subscriber:²", "subscriber:٣", "subscriber:" + "9" * 40, "subscriber:"):
        assert _subscriber_of(row.model_copy(update={"to_address": odd})) is None


async def test_erasure_drops_the_persons_parts_and_housekeeping_the_unused_bodies(
    ctx: Context, clock: Clock
) -> None:
    found = people(ctx, 2)
    add_change(ctx, "Ny vaksine", ["vaksinasjon"], urgent=True)
    dispatch(ctx)
    [named] = [p for p in found.values() if p.name]
    with Session(ctx.engine) as session:
        person = session.get(Subscriber, named.id)
        assert person is not None
        erase_subscriber(session, person, clock())
        session.commit()
    by_address = {r.subscriber_id: r for r in rows(ctx)}
    erased = by_address[named.id]
    assert (erased.body_id, erased.personal, erased.to_address) == (None, None, "")
    assert len(shared(ctx)) == 2  # both bodies stay: nothing in them is anyone's
    with Session(ctx.engine) as session:  # within a day of their use nothing is deleted
        assert prune_bodies(session, clock()) == 0
        session.commit()
    clock.advance(days=1, minutes=1)
    with Session(ctx.engine) as session:  # the daily housekeeping of the outbox
        delivery_audit.purge(session, clock(), ctx.settings.delivery_audit_retention)
        session.commit()
    left = shared(ctx)
    other = [r for sid, r in by_address.items() if sid != named.id]
    assert [b.id for b in left] == [r.body_id for r in other]  # the one still referred to


def _migrate(ctx: Context, to: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["settings"] = ctx.settings
        if to == "heads":
            command.upgrade(config, "heads")
        else:
            command.downgrade(config, to)


async def test_rows_from_before_0015_send_and_the_revision_goes_down_and_up(
    ctx: Context, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    people(ctx, 4)
    add_change(ctx, "Ny vaksine", ["vaksinasjon"], urgent=True)
    dispatch(ctx)
    with Session(ctx.engine) as session:
        expected = {
            r.idempotency_key: message_of(session, r, attach(ctx).mail_links) for r in rows(ctx)
        }
    # down: every shared body is put back into its rows, as it would have been sent
    _migrate(ctx, "0014_outbox_render")
    with ctx.engine.connect() as conn:
        assert "delivery_body" not in sa.inspect(conn).get_table_names()
        old = conn.execute(sa.text("SELECT idempotency_key, body_text, body_html FROM delivery"))
        for key, text, markup in old:
            assert (text, markup) == (expected[key].text, expected[key].html)
    # up again: those rows keep their whole bodies and send as before
    _migrate(ctx, "heads")
    assert all(r.body_id is None and r.body_text for r in rows(ctx))
    channel = smtp_channel(port)
    try:
        assert (await deliver(ctx, channel)).sent == 4
    finally:
        await channel.close()
    for message in expected.values():
        [mail] = inbox.to(message.to)
        text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert text.split() == message.text.split()
        assert str(mail["Message-ID"]) == message.message_id("example.no")


async def test_links_are_signed_when_sent_as_planning_would_have_signed_them(
    ctx: Context, clock: Clock, smtp: tuple[Inbox, int]
) -> None:
    """A planned mail's row holds the token version and language, not two signed links; the
    sender signs them at the row's planning time, so a mail sent days later (or again after
    a lost reply) is byte for byte what planning rendered, and its links still open."""
    inbox, port = smtp
    found = people(ctx, 6)
    add_change(ctx, "Ny vaksine", ["vaksinasjon"], urgent=True)
    planned_at = ctx.clock()
    attach(ctx)
    with Session(ctx.engine) as session:
        planned = plan(
            ctx, session, "immediate", planned_at,
            candidate_changes(session, "immediate", planned_at),
        )  # fmt: skip
    assert dispatch(ctx) == 6
    rendered = {d.idempotency_key: ctx.renderer.render(d, planned_at) for d in planned}
    for row in rows(ctx):
        person = found[row.to_address]
        language = "nn" if person.language == "nn" else "nb"
        assert (row.personal or {})[LINKS] == f"{person.token_version}/{language}"
    clock.advance(days=3, hours=5)  # another day: links signed now would differ
    with Session(ctx.engine) as session:
        for row in rows(ctx):
            assert message_of(session, row, attach(ctx).mail_links) == rendered[row.idempotency_key]
    assert (await deliver_via_smtp(ctx, port)).sent == 6
    for key, message in rendered.items():
        [mail] = inbox.to(message.to)
        unsubscribe = str(mail["List-Unsubscribe"]).replace("\r\n", "").replace(" ", "")
        assert unsubscribe == message.headers["List-Unsubscribe"].replace(" ", ""), key
        text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert text.split() == message.text.split()


def test_a_row_whose_links_cannot_be_signed_says_so(ctx: Context) -> None:
    """Without a link maker, or with a stored value that is not <version>/<language>, the
    message is not built (the sender records it as invalid, alone) rather than sent with
    empty links."""
    people(ctx, 1)
    add_change(ctx, "Ny vaksine", ["vaksinasjon"], urgent=True)
    attach(ctx)
    assert dispatch(ctx) == 1
    [row] = rows(ctx)
    links = attach(ctx).mail_links
    with Session(ctx.engine) as session:
        with pytest.raises(MissingLinks):
            message_of(session, row)
        for broken in ("x/nb", "1/en", "1", "", "-1/nb", "1/nb/2", "\u0663/nb"):
            odd = row.model_copy(update={"personal": {LINKS: broken}})
            with pytest.raises(ValueError, match="not <version>/<language>"):
                message_of(session, odd, links)
        orphan = row.model_copy(update={"subscriber_id": None})
        with pytest.raises(ValueError, match="not <version>/<language>"):
            message_of(session, orphan, links)


@pytest.mark.parametrize("broken", ["x/nb", "1/en", "", "9" * 40 + "/nb/extra"])
async def test_a_row_whose_links_value_is_broken_fails_alone(
    ctx: Context, smtp: tuple[Inbox, int], broken: str
) -> None:
    """A stored links value that cannot be signed (a hand-edited or corrupted row) fails that
    message as invalid; the others of the batch are sent with their links."""
    inbox, port = smtp
    people(ctx, 3)
    add_change(ctx, "Ny vaksine", ["vaksinasjon"], urgent=True)
    attach(ctx)
    dispatch(ctx)
    first, *others = rows(ctx)
    with Session(ctx.engine) as session:
        row = session.get(Delivery, first.id)
        assert row is not None
        row.personal = {**(row.personal or {}), LINKS: broken}
        session.add(row)
        session.commit()
    assert (await deliver_via_smtp(ctx, port)).sent == 2
    by_id = {r.id: r for r in rows(ctx)}
    assert (by_id[first.id].status, by_id[first.id].failure) == (FAILED, INVALID)
    assert all(by_id[r.id].status == SENT for r in others)
    for r in others:
        [mail] = inbox.to(r.to_address)
        assert "/u/" in str(mail["List-Unsubscribe"])
