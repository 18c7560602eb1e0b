"""E-mail in depth against a real SMTP server (aiosmtpd): DKIM signatures verified on the exact
bytes the server received; one connection reused, and reopened after the server drops it
without skipping or repeating anyone; a global send rate; hard bounces (5xx for the address)
counted and suppressing the address, refusals of the message never counted."""

from __future__ import annotations

import asyncio
import base64
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dkim  # type: ignore[import-untyped]
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlmodel import Session, select

from notifier.channels import SmtpChannel
from notifier.context import Context
from notifier.deliver import deliver, dkim_key, make_channel
from notifier.message import OutgoingMessage
from notifier.outbox import Delivery
from notifier.plan import dispatch
from subscribers.models import Subscriber
from tests.conftest import Clock, make_settings
from tests.support.outbox import deliver_via_smtp
from tests.support.smtpserver import Inbox, smtp_server
from tests.test_plan import add_change, subscribe

SELECTOR, DOMAIN = "varsel2026", "helse.example.no"


@pytest.fixture(scope="module")
def key_pair() -> tuple[bytes, bytes]:
    """A 2048-bit RSA key: the private key (PEM) and the DNS record's p= value."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, base64.b64encode(public)


def dns_for(public: bytes) -> Any:
    """A resolver that knows only our selector's TXT record."""

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode():
            return b"v=DKIM1; k=rsa; p=" + public
        return None

    return lookup


@pytest.fixture
def dctx(ctx: Context, tmp_path: Path, key_pair: tuple[bytes, bytes]) -> Context:
    key_file = tmp_path / "dkim.pem"
    key_file.write_bytes(key_pair[0])
    settings = ctx.settings.model_copy(
        update={"dkim_selector": SELECTOR, "dkim_domain": DOMAIN, "dkim_key_file": key_file}
    )
    return Context(settings=settings, engine=ctx.engine, clock=ctx.clock)


def channel_of(ctx: Context, port: int) -> SmtpChannel:
    settings = ctx.settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}"})
    channel = make_channel(settings)
    assert isinstance(channel, SmtpChannel)
    return channel


async def test_alerts_are_signed_and_verify_on_the_bytes_received(
    dctx: Context, smtp: tuple[Inbox, int], key_pair: tuple[bytes, bytes]
) -> None:
    inbox, port = smtp
    subscribe(dctx, "lege@k.no", ["vaksinasjon"], "immediate")
    add_change(dctx, "Ny vaksine: «råd» til alle over 65 år", ["vaksinasjon"])
    dispatch(dctx)
    channel = channel_of(dctx, port)
    try:
        assert (await deliver(dctx, channel)).sent == 1
    finally:
        await channel.close()
    [raw] = inbox.raw
    assert raw.startswith(b"DKIM-Signature:")
    assert dkim.verify(raw, dnsfunc=dns_for(key_pair[1]))
    header = raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n", b"").replace(b" ", b"")
    signed = re.search(rb"h=([^;]+)", header)
    assert signed is not None
    covered = {h.lower() for h in signed.group(1).split(b":")}
    assert {b"from", b"subject", b"list-unsubscribe", b"list-unsubscribe-post"} <= covered
    assert b"d=" + DOMAIN.encode() in header and b"s=" + SELECTOR.encode() in header
    # a changed subject, or another unsubscribe link, breaks the signature
    forged = raw.replace(b"Subject: ", b"Subject: Re: ", 1)
    assert not dkim.verify(forged, dnsfunc=dns_for(key_pair[1]))
    head, body = raw.split(b"\r\n\r\n", 1)
    assert b"/u/" in head
    forged = head.replace(b"/u/", b"/x/", 1) + b"\r\n\r\n" + body
    assert not dkim.verify(forged, dnsfunc=dns_for(key_pair[1]))
    forged = raw.replace(b"List-Unsubscribe=One-Click", b"List-Unsubscribe=Two-Click", 1)
    assert forged != raw and not dkim.verify(forged, dnsfunc=dns_for(key_pair[1]))


def test_no_key_no_signature_and_all_three_settings_or_none(ctx: Context, tmp_path: Path) -> None:
    assert dkim_key(ctx.settings) is None
    with pytest.raises(ValueError, match="DKIM needs"):
        make_settings(ctx.settings.database_url, tmp_path, dkim_selector="s")


class Dropping(Inbox):
    """Closes the connection after every ``every`` accepted messages, as servers with a
    limit of messages per connection do."""

    def __init__(self, every: int) -> None:
        super().__init__()
        self.every = every
        self.sessions: set[int] = set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        self.sessions.add(id(session))
        if len(self.messages) % self.every == 0:
            asyncio.get_running_loop().call_soon(server.transport.close)
        return reply


@pytest.fixture
def dropping() -> Iterator[tuple[Dropping, int]]:
    from aiosmtpd.controller import Controller

    inbox = Dropping(every=3)
    with smtp_server() as (_, probe_port):
        pass  # only to learn a free port the way the other server does
    controller = Controller(inbox, hostname="127.0.0.1", port=probe_port)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


async def test_a_dropped_connection_is_reopened_without_skipping_or_repeating(
    ctx: Context, dropping: tuple[Dropping, int]
) -> None:
    inbox, port = dropping
    for n in range(10):
        subscribe(ctx, f"lege{n}@k.no", ["vaksinasjon"], "immediate")
    add_change(ctx, "Ny vaksine", ["vaksinasjon"])
    assert dispatch(ctx) == 10
    channel = SmtpChannel("127.0.0.1", port, "Varsel <varsel@example.no>", timeout=5)
    try:
        report = await deliver(ctx, channel)
        await asyncio.sleep(0)  # the last close
    finally:
        await channel.close()
    assert (report.sent, report.retried) == (10, 0)
    assert sorted(str(m["To"]) for m in inbox.messages) == sorted(
        f"lege{n}@k.no" for n in range(10)
    )
    assert channel.connections == 4  # 3 + 3 + 3 + 1 messages
    assert len(inbox.sessions) == 4


async def test_the_global_send_rate_holds_sending_back(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    channel = SmtpChannel(
        "127.0.0.1", port, "Varsel <varsel@example.no>", timeout=5, rate_per_second=20
    )
    start = time.perf_counter()
    try:
        for n in range(6):
            message = OutgoingMessage(f"l{n}@k.no", "Hei", "tekst", "<p>tekst</p>", f"r:{n}")
            await channel.send(message)
    finally:
        await channel.close()
    assert len(inbox.messages) == 6
    assert time.perf_counter() - start >= 5 / 20 - 0.01  # 6 messages, 5 gaps of 50 ms


async def test_hard_bounces_suppress_and_refused_messages_never_count(
    ctx: Context, clock: Clock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.refuse["borte@k.no"] = "550 5.1.1 No such user"
    inbox.refuse_data["stor@k.no"] = "552 5.3.4 Message too big"
    subscribe(ctx, "borte@k.no", ["vaksinasjon"], "immediate")
    subscribe(ctx, "stor@k.no", ["vaksinasjon"], "immediate")
    for n in range(ctx.settings.bounce_suppress_after):
        add_change(ctx, f"Endring {n}", ["vaksinasjon"])
        dispatch(ctx)
        await deliver_via_smtp(ctx, port)
        clock.advance(minutes=1)
    with Session(ctx.engine) as session:
        people = {s.email: s for s in session.exec(select(Subscriber))}
        failures = sorted((d.to_address, d.failure) for d in session.exec(select(Delivery)))
    assert people["borte@k.no"].suppressed_at is not None
    assert people["borte@k.no"].hard_bounces == ctx.settings.bounce_suppress_after
    assert people["stor@k.no"].suppressed_at is None and people["stor@k.no"].hard_bounces == 0
    assert failures == [("borte@k.no", "bounce")] * 3 + [("stor@k.no", "refused")] * 3
    # a suppressed address gets nothing more, not even a try
    inbox.rcpt_seen.clear()
    add_change(ctx, "Endring til slutt", ["vaksinasjon"])
    dispatch(ctx)
    await deliver_via_smtp(ctx, port)
    assert "borte@k.no" not in inbox.rcpt_seen


async def test_the_mail_folder_signs_too(
    dctx: Context, key_pair: tuple[bytes, bytes], tmp_path: Path
) -> None:
    channel = make_channel(dctx.settings)  # no SMTP server: .eml files
    await channel.send(OutgoingMessage("lege@k.no", "Hei", "tekst", "<p>tekst</p>", "f:1"))
    [written] = (tmp_path / "var" / "mail").glob("*.eml")
    assert dkim.verify(written.read_bytes(), dnsfunc=dns_for(key_pair[1]))
