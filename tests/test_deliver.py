"""The outbox and delivery against a real SMTP server: retries, failures, no duplicates."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import pytest
from sqlmodel import Session, select

from notifier.channels import Channel, MailFolderChannel, SmtpChannel
from notifier.context import Context
from notifier.deliver import DeliverReport, deliver
from notifier.message import OutgoingMessage
from notifier.outbox import Delivery, enqueue
from subscribers.models import Subscriber
from tests.conftest import Clock
from tests.support.smtpserver import Inbox


def add_messages(ctx: Context, *addresses: str) -> None:
    with Session(ctx.engine) as session:
        for address in addresses:
            sub = Subscriber(email=address)
            session.add(sub)
            session.flush()
            assert sub.id is not None
            message = OutgoingMessage(
                address, f"Hei {address}", "tekst", "<p>tekst</p>", f"k:{address}"
            )
            assert enqueue(
                session,
                message,
                kind="digest",
                subscriber_id=sub.id,
                change_ids=[],
                now=ctx.clock(),
            )
            assert (
                enqueue(
                    session,
                    message,
                    kind="digest",
                    subscriber_id=sub.id,
                    change_ids=[],
                    now=ctx.clock(),
                )
                is None
            )
        session.commit()


def smtp_channel(port: int) -> SmtpChannel:
    return SmtpChannel("127.0.0.1", port, "Varsel <varsel@example.no>", timeout=5)


async def send_all(ctx: Context, channel: Channel) -> DeliverReport:
    try:
        return await deliver(ctx, channel)
    finally:
        await channel.close()


async def test_one_refused_address_does_not_block_the_others(
    ctx: Context, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.refuse["ugyldig@kommune.no"] = "550 No such user"
    add_messages(ctx, "a@kommune.no", "ugyldig@kommune.no", "b@kommune.no")
    report = await send_all(ctx, smtp_channel(port))
    assert (report.sent, report.failed) == (2, 1)
    assert sorted(str(m["To"]) for m in inbox.messages) == ["a@kommune.no", "b@kommune.no"]
    with Session(ctx.engine) as session:
        failed = session.exec(select(Delivery).where(Delivery.status == "failed")).one()
        assert "550" in (failed.last_error or "")


async def test_temporary_refusal_is_retried_later_and_then_sent_once(
    ctx: Context, smtp: tuple[Inbox, int], clock: Clock
) -> None:
    inbox, port = smtp
    inbox.refuse["full@kommune.no"] = "452 Mailbox full, try later"
    add_messages(ctx, "full@kommune.no")
    first = await send_all(ctx, smtp_channel(port))
    assert (first.sent, first.retried) == (0, 1)
    assert (await send_all(ctx, smtp_channel(port))).retried == 0  # not due yet: backoff
    del inbox.refuse["full@kommune.no"]
    clock.advance(hours=1)
    assert (await send_all(ctx, smtp_channel(port))).sent == 1
    assert (await send_all(ctx, smtp_channel(port))).sent == 0
    assert len(inbox.messages) == 1


async def test_server_down_keeps_everything_for_later(ctx: Context, clock: Clock) -> None:
    add_messages(ctx, "a@kommune.no")
    report = await send_all(ctx, SmtpChannel("127.0.0.1", 1, "v@example.no", timeout=2))
    assert report.retried == 1
    with Session(ctx.engine) as session:
        row = session.exec(select(Delivery)).one()
        assert row.status == "pending" and row.attempts == 1


async def test_a_crash_mid_send_resends_with_the_same_message_id(
    ctx: Context, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    add_messages(ctx, "a@kommune.no")

    class CrashAfterSend(SmtpChannel):
        async def send(self, message: OutgoingMessage) -> None:
            await super().send(message)
            raise SystemExit("killed after the server accepted the message")

    crashing = CrashAfterSend("127.0.0.1", port, "v@example.no")
    with contextlib.suppress(SystemExit):
        await send_all(ctx, crashing)
    assert (await send_all(ctx, smtp_channel(port))).sent == 0  # still held by the dead claim
    ctx.clock.advance(seconds=ctx.settings.deliver_lease_seconds)  # type: ignore[attr-defined]
    await send_all(ctx, smtp_channel(port))  # the lease expired: taken again
    await send_all(ctx, smtp_channel(port))
    assert len(inbox.messages) == 2  # the one possible duplicate ...
    assert inbox.messages[0]["Message-ID"] == inbox.messages[1]["Message-ID"]  # ... is recognisable


async def test_mail_folder_channel_writes_eml_files(ctx: Context, tmp_path: Path) -> None:
    add_messages(ctx, "a@kommune.no")
    report = await send_all(ctx, MailFolderChannel(tmp_path / "mail", "v@example.no"))
    assert report.sent == 1
    (eml,) = (tmp_path / "mail").glob("*.eml")
    assert b"To: a@kommune.no" in eml.read_bytes()


async def test_smtp_url_credentials_are_used_for_auth(ctx: Context) -> None:
    from notifier.deliver import make_channel
    from tests.support.smtpserver import smtp_server

    with smtp_server(credentials=("varsel", "hemmelig passord")) as (inbox, port):
        add_messages(ctx, "a@kommune.no")
        wrong = ctx.settings.model_copy(update={"smtp_url": f"smtp://varsel:feil@127.0.0.1:{port}"})
        report = await send_all(ctx, make_channel(wrong))
        assert (report.sent, report.retried + report.failed) == (0, 1)
        url = f"smtp://varsel:hemmelig%20passord@127.0.0.1:{port}"
        right = ctx.settings.model_copy(update={"smtp_url": url})
        ctx.clock.advance(hours=1)  # type: ignore[attr-defined]
        assert (await send_all(ctx, make_channel(right))).sent == 1
    assert len(inbox.messages) == 1


async def test_each_message_logs_one_line_without_its_address(
    ctx: Context, smtp: tuple[Inbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 12: one log line per message (sent after its mark is stored, or why not), with
    the message's id, channel, kind, attempt and outcome, and never the address."""
    inbox, port = smtp
    inbox.refuse["ugyldig@kommune.no"] = "550 No such user"
    add_messages(ctx, "a@kommune.no", "ugyldig@kommune.no", "b@kommune.no")
    with caplog.at_level(logging.INFO, logger="notifier.deliver"):
        report = await send_all(ctx, smtp_channel(port))
    assert (report.sent, report.failed) == (2, 1)
    lines = [r for r in caplog.records if r.name == "notifier.deliver"]
    outcomes = sorted(r.__dict__["outcome"] for r in lines)
    assert outcomes == ["bounce", "sent", "sent"]
    with Session(ctx.engine) as session:
        ids = sorted(d.id for d in session.exec(select(Delivery)))
    assert sorted(r.__dict__["delivery"] for r in lines) == ids  # each message once
    for r in lines:
        assert r.__dict__["channel"] == "email" and r.__dict__["attempt"] == 1
        assert "@kommune.no" not in r.getMessage() + repr(r.__dict__.get("args"))


async def test_a_database_error_in_one_sender_lets_the_others_finish_and_mark_theirs(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One sender's mark write fails (the database went away for a moment) while the others
    are in the middle of a send: ``deliver`` raises only after every sender has stopped, so
    no send is left running under a closed connection, and the messages the others had sent
    meanwhile are marked sent (none of them goes again)."""
    import asyncio

    import notifier.deliver as deliver_module
    from notifier.outbox import SENT
    from notifier.outcomes import settle_sent as real_settle

    ctx.settings = ctx.settings.model_copy(update={"smtp_connections": 4})
    add_messages(ctx, *(f"p{n}@kommune.no" for n in range(12)))
    failed: list[int] = []

    def settle_once_failing(session: Session, accepted: list[object]) -> None:
        if not failed:
            failed.append(len(accepted))
            raise RuntimeError("the database went away")
        real_settle(session, accepted)  # type: ignore[arg-type]

    monkeypatch.setattr(deliver_module, "settle_sent", settle_once_failing)

    class Slow:
        name = "email"

        def __init__(self) -> None:
            self.in_flight = 0
            self.sent: list[str] = []

        async def send(self, message: OutgoingMessage) -> None:
            self.in_flight += 1
            try:  # the first ones quick, so one sender flushes while the others still send
                await asyncio.sleep(0.01 if len(self.sent) < 4 else 0.2)
                self.sent.append(message.to)
            finally:
                self.in_flight -= 1

        async def close(self) -> None:
            pass

    channel = Slow()
    with pytest.raises(RuntimeError, match="went away"):
        await deliver(ctx, channel)
    assert channel.in_flight == 0  # nobody still sending when deliver gave up
    with Session(ctx.engine) as session:
        marked = {d.to_address for d in session.exec(select(Delivery)) if d.status == SENT}
    # all sent except those whose one mark write failed (their claims expire: sent again)
    assert failed and len(channel.sent) > failed[0]
    assert len(marked) == len(channel.sent) - failed[0]
    assert marked < set(channel.sent)
