"""Sending what the outbox holds. Reads the outbox only; decides nothing.

A sender claims a batch of due messages with a lease (``outbox.claim``) and sends its rows
through their channels with NOTIFIER_SMTP_CONNECTIONS concurrent senders (the next batch is
claimed while the last rows of the one before are still being sent). Every outcome is written
guarded by the claim (``notifier.outcomes``): accepted messages in one transaction per turn
of the pool of senders (and at the end), refusals, retries and deferrals each as it happens.
E-mail goes through the channel's pool of kept-open SMTP connections, at most
NOTIFIER_SMTP_PER_DOMAIN messages to one recipient domain at once (one until the domain
accepted one in this run), and one message per subscriber at a time. So:

- two senders, in one process or many, never hold the same row, and the concurrent senders of
  one run take each row of its claims once; a claim left by a dead sender expires with its
  lease and the row is sent again, with the same Message-ID (the only duplicate possible: a
  kill between the server's acceptance and the commit of its flush);
- in one process, deliveries never overlap at all (a lock per database and event loop), so the
  delivery after a check and the delivery job cannot race;
- one bad message fails alone: whatever goes wrong with it (an address that cannot be parsed,
  a header that cannot be built, a refusal, an unexpected exception) is recorded on that row,
  permanently where retrying cannot help, and every other message goes out;
- a temporary refusal for one recipient domain pauses that domain for the rest of the run,
  and nobody else; repeated hard bounces suppress the address (``subscribers.suppression``);
- messages given up (temporary failures past the limit) or impossible to build are reported
  to operators once (``operators.report_failed_deliveries``).

Stored and logged error texts never carry an address (``mailsafe.redact``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
import weakref
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from feeds.fetch.netguard import OutboundGate
from feeds.store.models import Change
from notifier import outbox
from notifier.assurance import report_missed_deadlines
from notifier.channels import Channel, MailFolderChannel, SmtpChannel
from notifier.channels.email import DkimKey
from notifier.channels.protocol import APPRISE, EMAIL, WEBPUSH, RetryLater
from notifier.context import Context
from notifier.db import write_retrying_async
from notifier.errors import (
    AddressRefused,
    InvalidMessage,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)
from notifier.mailsafe import redact
from notifier.operators import report_failed_deliveries
from notifier.outbox import DeliveryItem
from notifier.outcomes import (
    Outcome,
    settle_deferred,
    settle_failed,
    settle_quiet,
    settle_retry,
    settle_sent,
    settle_suppressed,
)
from notifier.schedule import quiet_until
from notifier.settings import Settings
from subscribers.models import Subscriber
from subscribers.suppression import suppressed_among

log = logging.getLogger(__name__)
#: accepted messages whose ``sent`` marks are written in one transaction: as many as the run
#: has concurrent senders (NOTIFIER_SMTP_CONNECTIONS), also when the oldest waits for a quarter
#: of the lease, and at the end of a run. A kill between acceptance and that commit sends them
#: again, with the same Message-ID, after their lease expired: so a kill resends at most the
#: messages of one turn of the pool (one, with one connection), as the design promises. A
#: commit per 100 was measured ~10-30 % faster in bench.deliver but would widen that window
#: to 100 messages.

_LOCKS: weakref.WeakKeyDictionary[Engine, dict[asyncio.AbstractEventLoop, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


@dataclass
class DeliverReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    #: left for later without trying: their recipient domain is paused in this run
    deferred: int = 0
    #: addresses suppressed in this run after repeated hard bounces
    suppressed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.deferred


@dataclass
class _Run:
    ctx: Context
    #: the e-mail channel
    channel: Channel
    #: the other channels by name (``webpush``, ``apprise``), made when first needed
    others: dict[str, Channel] = field(default_factory=dict)
    report: DeliverReport = field(default_factory=DeliverReport)
    paused: dict[str, datetime] = field(default_factory=dict)
    #: subscribers whose address is suppressed: nothing more is sent to them in this run
    held: set[int | None] = field(default_factory=set)
    #: messages accepted by their channel whose ``sent`` marks and audit rows are not written
    #: yet (``_flush``: every ``workers`` messages, after a quarter of the lease, at the end):
    #: the row, the claim token it was sent under, when it was accepted
    accepted: list[tuple[outbox.Delivery, str, datetime]] = field(default_factory=list)
    #: senders working through a claimed batch at once (NOTIFIER_SMTP_CONNECTIONS)
    workers: int = 1
    #: at most this many messages to one recipient domain in flight (NOTIFIER_SMTP_PER_DOMAIN)
    per_domain: int = 1
    gates: dict[str, _DomainGate] = field(default_factory=dict)
    #: one message per subscriber at a time, so a hard bounce that suppresses the address
    #: holds back their next message (``held``)
    persons: dict[int, asyncio.Lock] = field(default_factory=dict)
    #: the lock that lets one sender renew a batch's lease
    extending: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: signs the links of planned mails as they are sent (``outbox.LINKS``), made when a
    #: claimed row first needs it
    links: outbox.LinkMaker | None = None

    def gate(self, domain: str) -> _DomainGate:
        """The per-domain limit of e-mail (push rows are limited by their channels)."""
        found = self.gates.get(domain)
        if found is None:
            found = self.gates[domain] = _DomainGate(self.per_domain)
        return found

    def person(self, subscriber_id: int | None) -> asyncio.Lock | contextlib.nullcontext[None]:
        if subscriber_id is None:
            return contextlib.nullcontext()
        return self.persons.setdefault(subscriber_id, asyncio.Lock())


class _DomainGate:
    """At most ``limit`` messages to one domain in flight, opened gradually: one message at a
    time until the domain has accepted one in this run (so a domain that refuses at once, 4xx,
    is paused after one try, as when sending one by one), then ``limit``."""

    def __init__(self, limit: int) -> None:
        self._slots = asyncio.Semaphore(1)
        self._more = max(0, limit - 1)

    def opened(self) -> None:
        """The domain accepted a message: let the other ``limit - 1`` in."""
        for _ in range(self._more):
            self._slots.release()
        self._more = 0

    async def __aenter__(self) -> None:
        await self._slots.acquire()

    async def __aexit__(self, *exc: object) -> None:
        self._slots.release()


def dkim_key(settings: Settings) -> DkimKey | None:
    """The DKIM key of the settings, read from its file; None when none is configured."""
    if settings.dkim_key_file is None:
        return None
    return DkimKey(
        settings.dkim_selector, settings.dkim_domain, settings.dkim_key_file.read_bytes()
    )


def make_channel(settings: Settings) -> Channel:
    """SMTP when NOTIFIER_SMTP_URL is set; otherwise .eml files in <data_dir>/mail. Both sign
    with DKIM when a key is configured."""
    if not settings.smtp_url:
        return MailFolderChannel(settings.mail_dir, settings.mail_from, dkim_key(settings))
    host, port, user, password, implicit_tls = settings.smtp_parts()
    return SmtpChannel(
        host,
        port,
        settings.mail_from,
        username=user,
        password=password,
        implicit_tls=implicit_tls,
        starttls=settings.smtp_starttls,
        timeout=settings.smtp_timeout,
        dkim_key=dkim_key(settings),
        rate_per_second=settings.smtp_rate_per_second,
        connections=settings.smtp_connections,
        per_domain=settings.smtp_per_domain,
    )


def make_push_channel(ctx: Context, name: str) -> Channel:
    """The Web Push or Apprise channel, its requests through the outbound gate."""
    from notifier.channels.apprise import AppriseChannel
    from notifier.channels.webpush import WebPushChannel, load_vapid_keys
    from notifier.web.links import load_secret

    settings = ctx.settings
    gate = OutboundGate(settings.allow_private_sources)
    if name == WEBPUSH:
        return WebPushChannel(
            ctx.engine, load_vapid_keys(ctx.engine), settings.vapid_contact(), gate,
            ttl=settings.push_ttl_seconds, timeout=settings.http_timeout, clock=ctx.clock,
        )  # fmt: skip
    return AppriseChannel(ctx.engine, load_secret(ctx), gate, clock=ctx.clock)


def delivery_lock(engine: Engine) -> asyncio.Lock:
    """The one lock that serialises deliveries over this database in this event loop."""
    loop = asyncio.get_running_loop()
    per_loop = _LOCKS.setdefault(engine, {})
    return per_loop.setdefault(loop, asyncio.Lock())


async def deliver(
    ctx: Context,
    channel: Channel | None = None,
    limit: int = 10_000,
    channels: Mapping[str, Channel] | None = None,
) -> DeliverReport:
    """Send every due message (up to ``limit``) through the channel its row names (``channel``
    for e-mail, ``channels`` for others; made from the settings when not given); one failure
    never blocks the others. Then tell operators of messages given up, and send that mail
    too."""
    own = channel is None
    settings = ctx.settings
    run = _Run(ctx, channel or make_channel(settings), dict(channels or {}))
    run.workers, run.per_domain = settings.smtp_connections, settings.smtp_per_domain
    given = set(run.others)
    try:
        async with delivery_lock(ctx.engine):
            await _drain(run, limit)
            told = report_failed_deliveries(ctx)
            told += report_missed_deadlines(ctx)
            if told and run.report.handled < limit:
                await _drain(run, limit)
    finally:
        if pending := len(run.accepted):  # a run cut short: its accepted ones are marked
            try:
                await _flush(run)
            except Exception:  # their claims expire: sent again, with the same Message-ID
                log.exception("sent marks of %d accepted message(s) not written", pending)
        if own:
            await run.channel.close()
        for name, other in run.others.items():
            if name not in given:
                await other.close()
    return run.report


def _channel_for(run: _Run, name: str) -> Channel | None:
    """The channel an outbox row names; None for a name no channel has."""
    if name == EMAIL:
        return run.channel
    if name not in run.others and name in (WEBPUSH, APPRISE):
        run.others[name] = make_push_channel(run.ctx, name)
    return run.others.get(name)


@dataclass
class _Batch:
    """One claimed batch: its claim (renewed while it is being sent) and its rows that wait
    for their subscriber's quiet hours to end."""

    claim: outbox.Claim
    quiet: dict[int, datetime]


async def _drain(run: _Run, limit: int) -> None:
    """Send due rows until none is left or ``limit`` were handled, with ``run.workers``
    concurrent senders fed from one queue: the next batch is claimed while the senders still
    work on the last rows of the one before, so none of them waits for a batch to end."""
    settings = run.ctx.settings
    lease = timedelta(seconds=settings.deliver_lease_seconds)
    feed = _Feed(budget=limit - run.report.handled)
    if run.workers == 1:
        await _work(run, feed, lease)
    else:
        senders = (_stopping(run, feed, lease) for _ in range(run.workers))
        exits = [exit_ for exit_ in await asyncio.gather(*senders) if exit_ is not None]
        # an interpreter exit first: it must not be hidden behind an error
        exits.sort(key=lambda exit_: isinstance(exit_, Exception))
        if exits:
            raise exits[0]
    await _flush(run)


async def _stopping(run: _Run, feed: _Feed, lease: timedelta) -> BaseException | None:
    """``_work`` in a task of its own: an interpreter exit (SystemExit, KeyboardInterrupt) or
    an error no message caused (the database lost while writing a mark) stops every sender
    after its current message and is raised again in the drain's task, once all have
    stopped. Raised straight out of ``gather``, the others would still be in the middle of a
    send when ``deliver`` closes the connection under them and skips their marks: messages
    the server took would go again. The rows still queued keep their claims, which expire."""
    try:
        await _work(run, feed, lease)
    except (SystemExit, KeyboardInterrupt, Exception) as exc:  # noqa: BLE001 (raised again)
        feed.exhausted = True
        feed.queue.clear()
        return exc
    return None


@dataclass
class _Feed:
    """The rows claimed and not yet taken by a sender; each row is taken by one sender."""

    budget: int
    queue: deque[tuple[outbox.Delivery, _Batch]] = field(default_factory=deque)
    claimed: int = 0
    exhausted: bool = False
    refilling: asyncio.Lock = field(default_factory=asyncio.Lock)


async def _next(run: _Run, feed: _Feed, lease: timedelta) -> tuple[outbox.Delivery, _Batch] | None:
    """The next row to send; claims another batch when fewer rows wait than there are
    senders (one sender claims, the others take what is there or wait for it)."""
    low = len(feed.queue) < run.workers and not feed.exhausted
    if low and not (feed.refilling.locked() and feed.queue):
        async with feed.refilling:
            if len(feed.queue) < run.workers and not feed.exhausted:
                await _refill(run, feed, lease)
    return feed.queue.popleft() if feed.queue else None


async def _refill(run: _Run, feed: _Feed, lease: timedelta) -> None:
    size = min(run.ctx.settings.deliver_batch, feed.budget - feed.claimed)
    claim = await _claim(run, lease, size) if size > 0 else None
    if claim is None or not claim.rows:
        feed.exhausted = True
        return
    feed.claimed += len(claim.rows)
    if run.links is None and any(outbox.LINKS in (r.personal or {}) for r in claim.rows):
        run.links = await asyncio.to_thread(_link_maker, run.ctx)
    run.held |= await _suppressed(run, claim)
    batch = _Batch(claim, await _quiet(run, claim))
    feed.queue.extend((row, batch) for row in claim.rows)


async def _work(run: _Run, feed: _Feed, lease: timedelta) -> None:
    """One of the run's concurrent senders: takes rows until none is left."""
    while (taken := await _next(run, feed, lease)) is not None:
        row, batch = taken
        now = run.ctx.clock()
        if batch.claim.until - now < lease / 2:
            async with run.extending:
                if batch.claim.until - now < lease / 2:  # not renewed meanwhile
                    batch.claim = await _extend(run, batch.claim, now, lease)
        token = batch.claim.token
        if row.id is not None and row.id in batch.quiet:
            await _write(run, settle_quiet(row, token, now, batch.quiet[row.id]))
            run.report.deferred += 1
            continue
        async with run.person(row.subscriber_id):
            if row.subscriber_id is not None and row.subscriber_id in run.held:
                await _write(run, settle_suppressed(row, token, run.ctx.clock()))
                run.report.failed += 1
                continue
            await _one(run, row, token, batch.claim)
        if len(run.accepted) >= run.workers or (
            run.accepted and run.ctx.clock() - run.accepted[0][2] > lease / 4
        ):
            await _flush(run)


async def _flush(run: _Run) -> None:
    """The ``sent`` marks and audit rows of the messages accepted since the last flush, in one
    transaction (a mark is written only while this sender holds the row's claim)."""
    if not run.accepted:
        return
    accepted, run.accepted = run.accepted, []

    def work(session: Session) -> None:
        settle_sent(session, accepted)

    await write_retrying_async(run.ctx.engine, work)
    for row, _, _ in accepted:  # one line per message, once its mark is stored; no address
        log.info("delivered", extra=_fields(row, "sent"))


def _fields(row: outbox.Delivery, outcome: str) -> dict[str, object]:
    """What a log line says about a message: never its address or content."""
    return {
        "delivery": row.id,
        "channel": row.channel,
        "kind": row.kind,
        "attempt": row.attempts + 1,
        "outcome": outcome,
    }


async def _suppressed(run: _Run, claim: outbox.Claim) -> set[int | None]:
    """The subscribers of these rows whose address is suppressed (repeated hard bounces):
    what was already queued for them is not sent either."""
    ids = {r.subscriber_id for r in claim.rows if r.subscriber_id is not None}
    if not ids:
        return set()
    with Session(run.ctx.engine) as session:
        return set(suppressed_among(session, ids))


async def _quiet(run: _Run, claim: outbox.Claim) -> dict[int, datetime]:
    """Rows of this claim that wait for the end of their subscriber's quiet hours: push rows
    (any channel but e-mail) of subscribers with quiet hours, claimed inside them, that carry
    no urgent change (urgent alerts ignore quiet hours). Row id -> the end of the quiet
    period."""
    rows = [r for r in claim.rows if r.channel != "email" and r.subscriber_id is not None]
    if not rows:
        return {}
    now = run.ctx.clock()
    tz = run.ctx.settings.timezone
    with Session(run.ctx.engine) as session:
        hours = {
            sid: (start, end)
            for sid, start, end in session.exec(
                select(Subscriber.id, Subscriber.quiet_start, Subscriber.quiet_end).where(
                    col(Subscriber.id).in_({r.subscriber_id for r in rows}),
                    col(Subscriber.quiet_start).is_not(None),
                )
            )
        }
        waiting = {
            r.id: until
            for r in rows
            if r.id is not None
            and r.subscriber_id in hours
            and (until := quiet_until(now, *hours[r.subscriber_id], tz)) is not None
        }
        if waiting:
            urgent = session.exec(
                select(DeliveryItem.delivery_id)
                .join(Change, col(Change.id) == col(DeliveryItem.change_id))
                .where(col(DeliveryItem.delivery_id).in_(list(waiting)), col(Change.urgent))
            ).all()
            for did in urgent:
                waiting.pop(did, None)
    return waiting


async def _claim(run: _Run, lease: timedelta, size: int) -> outbox.Claim:
    def work(session: Session) -> outbox.Claim:
        return outbox.claim(session, run.ctx.clock(), lease, size)

    return await write_retrying_async(run.ctx.engine, work)


async def _extend(run: _Run, claim: outbox.Claim, now: datetime, lease: timedelta) -> outbox.Claim:
    def work(session: Session) -> outbox.Claim:
        return outbox.extend(session, claim, now, lease)

    return await write_retrying_async(run.ctx.engine, work)


async def _one(run: _Run, row: outbox.Delivery, token: str, claim: outbox.Claim) -> None:
    email = row.channel == EMAIL
    domain = _domain(row.to_address) if email else f"<{row.channel}>"
    gate = run.gate(domain) if email else None
    async with gate or contextlib.nullcontext():
        now = run.ctx.clock()
        paused_until = run.paused.get(domain)
        if paused_until is not None and paused_until > now:
            await _write(run, lambda s: settle_deferred(s, row, token, now, paused_until))
            run.report.deferred += 1
            return
        channel = _channel_for(run, row.channel)
        if channel is None:
            outcome = Outcome(outbox.INVALID, f"no channel named {row.channel[:20]!r}")
        else:
            outcome = await _send(channel, row, claim, run.links)
        settings = run.ctx.settings
        pause = settings.domain_pause_seconds
        if outcome.verdict == "retry" and email and outcome.error.startswith("SMTP 4") and pause:
            run.paused[domain] = now + timedelta(seconds=pause)  # before the next one's turn
        if gate is not None and outcome.verdict in ("sent", outbox.BOUNCE, outbox.REFUSED):
            gate.opened()  # the domain's server answers (a 5xx is about this one message)
    if outcome.verdict == "sent":
        run.accepted.append((row, token, run.ctx.clock()))
        run.report.sent += 1
        return
    log.warning(
        "delivery %s %s: %s",
        row.id,
        outcome.verdict,
        outcome.error,
        extra=_fields(row, outcome.verdict),
    )
    if outcome.verdict == "retry":
        await _write(
            run, lambda s: settle_retry(s, row, token, now, outcome, settings.deliver_max_attempts)
        )
        run.report.retried += 1
        return
    threshold = settings.bounce_suppress_after
    suppressed = await _write(run, lambda s: settle_failed(s, row, token, now, outcome, threshold))
    run.report.failed += 1
    if suppressed:
        run.report.suppressed += 1
        run.held.add(row.subscriber_id)


def _link_maker(ctx: Context) -> outbox.LinkMaker:
    """The signer of mails' links, with the key planning signs with."""
    from notifier.web.links import Links, load_secret

    return Links(ctx.settings.base_url, load_secret(ctx)).mail_links


async def _send(
    channel: Channel, row: outbox.Delivery, claim: outbox.Claim, links: outbox.LinkMaker | None
) -> Outcome:
    """Hand one message to the channel (its shared body joined and its links signed,
    ``outbox.Claim.message``) and say what happened; never raises (but for cancellation and
    interpreter exit, which must stop the run)."""
    try:
        await channel.send(claim.message(row, links))
    except RetryLater as exc:
        return Outcome("retry", redact(str(exc)), exc.delay_seconds)
    except TemporaryDeliveryError as exc:
        return Outcome("retry", redact(str(exc)))
    except AddressRefused as exc:
        return Outcome(outbox.BOUNCE, redact(str(exc)))
    except InvalidMessage as exc:
        return Outcome(outbox.INVALID, redact(str(exc)))
    except PermanentDeliveryError as exc:
        return Outcome(outbox.REFUSED, redact(str(exc)))
    except (ValueError, TypeError, LookupError, UnicodeError, AttributeError) as exc:
        # the stored row itself is unusable (a broken header map, a body that is not text,
        # a shared body that is missing: ``outbox.MissingBody`` is a LookupError)
        return Outcome(outbox.INVALID, redact(f"{type(exc).__name__}: {exc}"))
    except Exception as exc:  # noqa: BLE001 - one message's surprise must not stop the rest
        trace = "".join(traceback.format_exception(exc))
        log.error("delivery %s: unexpected error\n%s", row.id, redact(trace))
        return Outcome("retry", redact(f"unexpected error: {type(exc).__name__}: {exc}"))
    return Outcome("sent")


async def _write(run: _Run, work: Callable[[Session], object]) -> bool:
    """One outcome in a transaction of its own (waiting out a locked SQLite database)."""
    return bool(await write_retrying_async(run.ctx.engine, work))


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()
