"""Concurrent sending through a pool of SMTP connections (issue 11, "E-mail in depth").

Against aiosmtpd in this process that counts what it sees: the messages to one recipient domain
in flight at once never exceed NOTIFIER_SMTP_PER_DOMAIN (and reach it: sending is concurrent),
all in flight never exceed NOTIFIER_SMTP_CONNECTIONS, and with connections dropped between and
during messages every message still arrives exactly once.
"""

from __future__ import annotations

import asyncio
import socket
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from notifier.context import Context
from notifier.deliver import deliver, make_channel
from notifier.outbox import SENT, Delivery
from tests.conftest import Clock
from tests.support.smtpserver import Inbox

EARLY = datetime(2026, 1, 1, tzinfo=UTC)


class Counting(Inbox):
    """Counts the transactions in flight (RCPT accepted .. DATA answered), per recipient
    domain and in all; answers DATA after ``delay`` so that senders overlap. ``drop_every``:
    close the connection after every n-th accepted message (a per-connection limit);
    ``drop_once``: close it, unanswered, at the first RCPT for these addresses (a drop in the
    middle of a transaction)."""

    def __init__(self, delay: float, drop_every: int = 0, drop_once: set[str] | None = None):
        super().__init__()
        self.delay = delay
        self.drop_every = drop_every
        self.drop_once = set(drop_once or ())
        self.now: Counter[str] = Counter()
        self.most: Counter[str] = Counter()
        self.total = self.most_total = 0
        self.received: Counter[str] = Counter()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.drop_once:
            self.drop_once.discard(address)
            server.transport.close()
            return "421 closing"
        reply = await super().handle_RCPT(server, session, envelope, address, options)
        domain = address.rpartition("@")[2]
        self.now[domain] += 1
        self.most[domain] = max(self.most[domain], self.now[domain])
        self.total += 1
        self.most_total = max(self.most_total, self.total)
        return reply

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        try:
            await asyncio.sleep(self.delay)
            reply = await Inbox.handle_DATA(self, server, session, envelope)
            for address in envelope.rcpt_tos:
                self.received[address] += 1
        finally:
            for address in envelope.rcpt_tos:
                self.now[address.rpartition("@")[2]] -= 1
                self.total -= 1
        if self.drop_every and len(self.messages) % self.drop_every == 0:
            asyncio.get_running_loop().call_soon(server.transport.close)
        return reply


def serve(handler: Counting) -> Iterator[tuple[Counting, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def counting() -> Iterator[tuple[Counting, int]]:
    yield from serve(Counting(delay=0.05))


@pytest.fixture
def dropping() -> Iterator[tuple[Counting, int]]:
    flaky = {"p3@d.no", "p10@c.no", "p17@b.no"}
    yield from serve(Counting(delay=0.01, drop_every=4, drop_once=flaky))


def pooled(ctx: Context, port: int, connections: int, per_domain: int) -> Context:
    settings = ctx.settings.model_copy(
        update={
            "smtp_url": f"smtp://127.0.0.1:{port}",
            "smtp_connections": connections,
            "smtp_per_domain": per_domain,
            "smtp_timeout": 10.0,
        }
    )
    return Context(settings=settings, engine=ctx.engine, clock=ctx.clock)


def fill(ctx: Context, addresses: list[str]) -> None:
    with Session(ctx.engine) as session:
        for n, address in enumerate(addresses):
            session.add(
                Delivery(
                    idempotency_key=f"pool:{n}", kind="digest", to_address=address,
                    subject=f"Melding {n}", body_text="tekst", body_html="<p>tekst</p>",
                    created_at=EARLY, next_attempt_at=EARLY,
                )
            )  # fmt: skip
        session.commit()


def addresses(n: int, domains: tuple[str, ...]) -> list[str]:
    return [f"p{i}@{domains[i % len(domains)]}" for i in range(n)]


async def test_no_more_than_the_per_domain_limit_at_once_and_domains_in_parallel(
    ctx: Context, counting: tuple[Counting, int]
) -> None:
    inbox, port = counting
    ctx = pooled(ctx, port, connections=5, per_domain=2)
    wanted = addresses(30, ("a.no", "b.no", "c.no"))
    fill(ctx, wanted)
    report = await deliver(ctx, limit=1000)
    assert report.sent == 30
    assert sorted(inbox.received.elements()) == sorted(wanted)  # each exactly once
    assert dict(inbox.most) == {"a.no": 2, "b.no": 2, "c.no": 2}  # the limit, and reached
    assert 3 <= inbox.most_total <= 5  # several domains at once, never above the pool
    with Session(ctx.engine) as session:
        rows = session.exec(select(Delivery)).all()
        assert {r.status for r in rows} == {SENT} and all(r.attempts == 1 for r in rows)


async def test_one_domain_never_takes_more_than_its_share_of_the_pool(
    ctx: Context, counting: tuple[Counting, int]
) -> None:
    inbox, port = counting
    ctx = pooled(ctx, port, connections=6, per_domain=3)
    wanted = addresses(24, ("stor.no",))
    fill(ctx, wanted)
    assert (await deliver(ctx, limit=1000)).sent == 24
    assert inbox.most["stor.no"] == 3 and inbox.most_total == 3
    assert sorted(inbox.received.elements()) == sorted(wanted)


async def test_drops_between_and_during_messages_lose_and_repeat_nobody(
    ctx: Context, dropping: tuple[Counting, int], clock: Clock
) -> None:
    inbox, port = dropping
    ctx = pooled(ctx, port, connections=4, per_domain=2)
    wanted = addresses(40, ("a.no", "b.no", "c.no", "d.no"))
    fill(ctx, wanted)
    first = await deliver(ctx, limit=1000)
    # the three cut off mid-transaction wait for a retry; everyone else went through, although
    # every fourth message closed its connection
    assert (first.sent, first.retried, first.failed) == (37, 3, 0)
    for _ in range(3):
        clock.advance(hours=1)
        await deliver(ctx, limit=1000)
    assert sorted(inbox.received.elements()) == sorted(wanted)  # each exactly once
    assert inbox.rcpt_seen.count("p3@d.no") == 1  # the dropped RCPT is not recorded as seen
    with Session(ctx.engine) as session:
        rows = session.exec(select(Delivery)).all()
        assert {r.status for r in rows} == {SENT}
        retried = sorted(r.to_address for r in rows if r.attempts == 2)
    assert retried == ["p10@c.no", "p17@b.no", "p3@d.no"]


async def test_the_global_rate_holds_for_the_whole_pool(
    ctx: Context, counting: tuple[Counting, int]
) -> None:
    inbox, port = counting
    ctx = pooled(ctx, port, connections=4, per_domain=4)
    ctx = Context(
        settings=ctx.settings.model_copy(update={"smtp_rate_per_second": 40.0}),
        engine=ctx.engine,
        clock=ctx.clock,
    )
    fill(ctx, addresses(12, ("a.no", "b.no", "c.no", "d.no")))
    loop = asyncio.get_running_loop()
    start = loop.time()
    assert (await deliver(ctx, limit=1000)).sent == 12
    assert loop.time() - start >= 11 / 40 - 0.01  # 12 messages, 11 gaps of 25 ms
    assert len(inbox.messages) == 12


async def test_a_5xx_is_a_hard_bounce_for_that_message_alone_in_the_pool(
    ctx: Context, counting: tuple[Counting, int]
) -> None:
    inbox, port = counting
    inbox.refuse["p4@a.no"] = "550 5.1.1 no such user"
    ctx = pooled(ctx, port, connections=4, per_domain=2)
    fill(ctx, addresses(12, ("a.no", "b.no")))
    report = await deliver(ctx, limit=1000)
    assert (report.sent, report.failed) == (11, 1)
    with Session(ctx.engine) as session:
        bounced = session.exec(select(Delivery).where(Delivery.status == "failed")).one()
    assert (bounced.to_address, bounced.failure) == ("p4@a.no", "bounce")


def test_make_channel_builds_the_pool_from_the_settings(ctx: Context) -> None:
    settings = pooled(ctx, 2525, connections=7, per_domain=3).settings
    channel = make_channel(settings)
    assert (channel.pool_size, channel.per_domain) == (7, 3)  # type: ignore[attr-defined]
