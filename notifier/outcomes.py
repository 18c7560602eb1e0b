"""Writing what happened to each message of a delivery run, guarded by its claim token.

Each ``settle_*`` function runs in the transaction its caller commits and returns whether the
row was still held by that claim (a sender whose lease expired writes nothing). Accepted
messages are settled many at once (``settle_sent``); refusals, retries and deferrals one by
one, as they happen, so a hard bounce suppresses the address before its next message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from notifier import delivery_audit as audit
from notifier import outbox
from notifier.channels.protocol import EMAIL
from subscribers.push import clear_receipts
from subscribers.suppression import record_delivered, record_hard_bounce


@dataclass(frozen=True)
class Outcome:
    """What happened to one message: ``sent``, ``retry``, or a failure kind of the outbox."""

    verdict: str
    error: str = ""
    #: a retry no sooner than this many seconds (a push service's Retry-After)
    delay: float | None = None


def settle_sent(session: Session, accepted: list[tuple[outbox.Delivery, str, datetime]]) -> None:
    """The ``sent`` marks of messages their channels accepted (row, claim token, when), each
    written only while its claim holds, with what follows from them: bounce counts reset for
    e-mail, the push receipts of the row cleared, the audit rows."""
    ids = outbox.mark_sent_many(session, accepted)
    written = [(row, at) for row, _, at in accepted if row.id in ids]
    mailed = {r.subscriber_id for r, _ in written if r.channel == EMAIL}
    record_delivered(session, *{sid for sid in mailed if sid is not None})
    for row, _ in written:
        if row.channel != EMAIL:
            # the devices' receipts served retries of this row only; a push proves
            # nothing about the e-mail address, so its bounce count stays
            clear_receipts(session, row.idempotency_key)
    audit.record_accepted(session, written)


def settle_suppressed(row: outbox.Delivery, token: str, now: datetime) -> Callable[[Session], bool]:
    def work(session: Session) -> bool:
        error = "the address is suppressed after hard bounces"
        written = outbox.mark_failed(session, row, token, error, outbox.SUPPRESSED)
        if written:
            audit.record_event(session, row, audit.FAILED, now, f"{outbox.SUPPRESSED}: {error}")
        return written

    return work


def settle_quiet(
    row: outbox.Delivery, token: str, now: datetime, until: datetime
) -> Callable[[Session], bool]:
    def work(session: Session) -> bool:
        written = outbox.defer(session, row, token, until)
        if written:
            detail = f"quiet hours until {until.isoformat()}"
            audit.record_event(session, row, audit.DEFERRED, now, detail)
        return written

    return work


def settle_deferred(
    session: Session, row: outbox.Delivery, token: str, now: datetime, until: datetime
) -> bool:
    written = outbox.defer(session, row, token, until)
    if written:
        detail = f"domain paused until {until.isoformat()}"
        audit.record_event(session, row, audit.DEFERRED, now, detail)
    return written


def settle_retry(
    session: Session,
    row: outbox.Delivery,
    token: str,
    now: datetime,
    outcome: Outcome,
    max_attempts: int,
) -> bool:
    not_before = None if outcome.delay is None else now + timedelta(seconds=outcome.delay)
    written = outbox.mark_retry(
        session, row, token, now, outcome.error, max_attempts, not_before=not_before
    )
    if written:
        gave_up = row.attempts + 1 >= max_attempts
        event = audit.FAILED if gave_up else audit.RETRY
        detail = f"{outbox.GAVE_UP}: {outcome.error}" if gave_up else outcome.error
        audit.record_event(session, row, event, now, detail)
    return written


def settle_failed(
    session: Session,
    row: outbox.Delivery,
    token: str,
    now: datetime,
    outcome: Outcome,
    threshold: int,
) -> bool:
    """Mark the message failed; a hard bounce counts against the address. True when the
    address was suppressed by it."""
    written = outbox.mark_failed(session, row, token, outcome.error, outcome.verdict)
    if written:
        audit.record_event(session, row, audit.FAILED, now, f"{outcome.verdict}: {outcome.error}")
    if not written or outcome.verdict != outbox.BOUNCE or row.subscriber_id is None:
        return False
    return record_hard_bounce(session, row.subscriber_id, now, threshold=threshold)
