"""Sending what the outbox holds. Reads the outbox only; decides nothing.

Each message is claimed, handed to its channel and marked in one short transaction, so the
only duplicate possible is a resend after the server accepted a message and before its row was
marked sent (and that resend carries the same Message-ID).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import Session

from notifier.channels import Channel, MailFolderChannel, SmtpChannel
from notifier.context import Context
from notifier.errors import PermanentDeliveryError, TemporaryDeliveryError
from notifier.outbox import claim_due, mark_failed, mark_retry, mark_sent
from notifier.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class DeliverReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def make_channel(settings: Settings) -> Channel:
    """SMTP when NOTIFIER_SMTP_URL is set; otherwise .eml files in <data_dir>/mail."""
    if not settings.smtp_url:
        return MailFolderChannel(settings.mail_dir, settings.mail_from)
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
    )


async def deliver(
    ctx: Context, channel: Channel | None = None, limit: int = 10_000
) -> DeliverReport:
    """Send every due message (up to ``limit``); one failure never blocks the others."""
    report = DeliverReport()
    own = channel is None
    channel = channel or make_channel(ctx.settings)
    skipped: set[int] = set()
    try:
        while report.sent + report.retried + report.failed < limit:
            with Session(ctx.engine, expire_on_commit=False) as session:
                now = ctx.clock()
                due = [
                    d
                    for d in claim_due(session, now, limit=1 + len(skipped))
                    if d.id not in skipped
                ]
                if not due:
                    break
                delivery = due[0]
                try:
                    await channel.send(delivery.message())
                except TemporaryDeliveryError as exc:
                    mark_retry(session, delivery, now, str(exc), ctx.settings.deliver_max_attempts)
                    report.retried += 1
                    log.warning("delivery %s will be retried: %s", delivery.idempotency_key, exc)
                except PermanentDeliveryError as exc:
                    mark_failed(session, delivery, str(exc))
                    report.failed += 1
                    log.error("delivery %s failed: %s", delivery.idempotency_key, exc)
                else:
                    mark_sent(session, delivery, now)
                    report.sent += 1
                if delivery.status == "pending" and delivery.next_attempt_at <= now:
                    assert delivery.id is not None
                    skipped.add(delivery.id)
                session.commit()
    finally:
        if own:
            await channel.close()
    return report
