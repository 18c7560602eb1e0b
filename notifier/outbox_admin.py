"""Staff work on the outbox: list messages by status and kind, say why one failed (as a code
and values the console turns into Norwegian words), retry a failed message, cancel a pending
one. ``recipients`` names who a row goes to: a push row is addressed ``subscriber:<id>``, so
the console shows that person's e-mail address, the channel and, for Apprise, the targets in
their masked form (never the secret URL). ``notifier.outbox`` sends only ``pending`` rows
(``claim``), so a cancelled one is never sent; a message a sender holds right now (an
unexpired claim) cannot be cancelled, and cancelling clears any expired claim, so a late
outcome of a dead sender writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from notifier.numbers import digits
from notifier.outbox import (
    BOUNCE,
    ERASED,
    FAILED,
    GAVE_UP,
    INVALID,
    PENDING,
    REFUSED,
    SENT,
    SUPPRESSED,
    Delivery,
)
from subscribers.models import AppriseTarget, PushEndpoint, Subscriber
from subscribers.suppression import suppression_reason

#: a pending message staff cancelled: never sent
CANCELLED = "cancelled"
STATUSES = (PENDING, SENT, FAILED, CANCELLED, ERASED)
PER_PAGE = 50
_SMTP_CODE = re.compile(r"^SMTP (\d{3})\b")
_PUSH_CODE = re.compile(r"\bpush service (\d{3})\b")
#: the channels a row may name (``delivery.channel``), in the order the console lists them
CHANNELS = ("email", "webpush", "apprise")


class OutboxActionError(ValueError):
    """An action that cannot be done; ``code`` says why (the console's texts name it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Page:
    rows: tuple[Delivery, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def listing(
    session: Session,
    status: str | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """Messages newest first, of one status and kind when given, one page of them."""
    where = []
    if status:
        where.append(col(Delivery.status) == status)
    if kind:
        where.append(col(Delivery.kind) == kind)
    total = session.exec(select(func.count()).select_from(Delivery).where(*where)).one()
    pages = max(1, -(-int(total) // per_page))
    page = min(max(page, 1), pages)
    rows = session.exec(
        select(Delivery)
        .where(*where)
        .order_by(col(Delivery.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page(tuple(rows), int(total), page, per_page)


def counts(session: Session) -> dict[str, int]:
    """How many messages each status has."""
    rows = session.exec(select(Delivery.status, func.count()).group_by(col(Delivery.status)))
    found = {status: int(n) for status, n in rows}
    return {status: found.get(status, 0) for status in STATUSES} | found


@dataclass(frozen=True)
class Recipient:
    """Who a row goes to, as the console shows it: the channel, the person's e-mail address
    (None when there is none: erased, or a row without a subscriber), the person's push
    devices and, for Apprise, their targets masked."""

    channel: str
    address: str | None
    devices: int = 0
    targets: tuple[str, ...] = ()


def recipients(session: Session, rows: tuple[Delivery, ...]) -> dict[int, Recipient]:
    """Row id -> its recipient. E-mail rows name their address; a push row's person is
    looked up (three queries for the whole page, not one per row)."""
    ids = {
        sid for row in rows if row.channel != "email" and (sid := _subscriber_of(row)) is not None
    }
    people: dict[int, str | None] = {}
    devices: dict[int, int] = {}
    hooks: dict[int, list[str]] = {}
    if ids:
        found = session.exec(
            select(Subscriber.id, Subscriber.email, Subscriber.email_key).where(
                col(Subscriber.id).in_(ids)
            )
        )
        people = {sid: email if key is not None else None for sid, email, key in found if sid}
        counted = session.exec(
            select(PushEndpoint.subscriber_id, func.count())
            .where(col(PushEndpoint.subscriber_id).in_(ids))
            .group_by(col(PushEndpoint.subscriber_id))
        )
        devices = {sid: int(n) for sid, n in counted}
        for sid, masked in session.exec(
            select(AppriseTarget.subscriber_id, AppriseTarget.masked)
            .where(col(AppriseTarget.subscriber_id).in_(ids))
            .order_by(col(AppriseTarget.id))
        ):
            hooks.setdefault(sid, []).append(masked)
    out: dict[int, Recipient] = {}
    for row in rows:
        assert row.id is not None
        if row.channel == "email":
            out[row.id] = Recipient("email", row.to_address or None)
            continue
        sid = _subscriber_of(row)
        if sid is None:
            out[row.id] = Recipient(row.channel, None)
            continue
        out[row.id] = Recipient(
            row.channel, people.get(sid), devices.get(sid, 0), tuple(hooks.get(sid, ()))
        )
    return out


def _subscriber_of(row: Delivery) -> int | None:
    if row.subscriber_id is not None:
        return row.subscriber_id
    head, _, tail = row.to_address.partition(":")
    return digits(tail) if head == "subscriber" else None


def kinds(session: Session) -> list[str]:
    """The kinds of message the outbox holds (alert, digest, operator, confirm, test...)."""
    return sorted(session.exec(select(Delivery.kind).distinct()).all())


def explain(row: Delivery) -> list[tuple[str, dict[str, str]]]:
    """Why a message failed or waits, as (text key, values) pairs: first what happened (the
    failure kind), then what the last answer said. Empty when nothing went wrong. The keys
    are those of ``notifier.web.texts_outbox``; a raw error text is never one of them."""
    out: list[tuple[str, dict[str, str]]] = []
    attempts = {"attempts": str(row.attempts)}
    if row.status == FAILED:
        kind = row.failure if row.failure in (BOUNCE, REFUSED, INVALID, GAVE_UP, SUPPRESSED) else ""
        if row.channel != "email" and kind in (BOUNCE, REFUSED, INVALID, ""):
            kind = "push"  # no mail server was involved: the push service or target refused
        out.append((f"failure_{kind or 'other'}", attempts))
    elif row.status == CANCELLED:
        out.append(("failure_cancelled", {}))
    elif row.status == ERASED:
        out.append(("failure_erased", {}))
    error = row.last_error or ""
    if error and row.status != SENT:
        if row.status == PENDING:
            out.append(("waiting_retry", attempts))
        out.append(cause(error))
    return out


def cause(error: str) -> tuple[str, dict[str, str]]:
    """The last error text as a cause (text key, values): an SMTP answer by its class and
    code, or the kind of problem the sender recorded."""
    pushed = _PUSH_CODE.search(error)
    if pushed:
        code = pushed.group(1)
        return ("cause_push_gone" if code in ("404", "410") else "cause_push_status"), {
            "code": code
        }
    found = _SMTP_CODE.match(error)
    if found:
        code = found.group(1)
        if code.startswith("4"):
            return "cause_smtp_4xx", {"code": code}
        if code.startswith("5"):
            return "cause_smtp_5xx", {"code": code}
    lowered = error.lower()
    for needle, key in (
        ("smtp server unavailable", "cause_smtp_unavailable"),
        ("smtp:", "cause_smtp_connection"),
        ("render:", "cause_render"),
        ("could not write", "cause_mail_folder"),
        ("suppressed after hard bounces", "cause_suppressed"),
        ("slettet", "cause_erased"),
        ("unexpected error", "cause_unexpected"),
        ("push service unreachable", "cause_push_unreachable"),
        ("outbound gate", "cause_push_gate"),
        ("no push endpoint", "cause_push_none"),
        ("push endpoint is gone", "cause_push_none"),
        ("no apprise target", "cause_target_none"),
        ("did not accept the message", "cause_target_refused"),
        ("cannot be decrypted", "cause_target_key"),
        ("cannot be built", "cause_invalid"),
        ("recipient address", "cause_address"),
        ("recipient domain", "cause_address"),
        ("header", "cause_header"),
    ):
        if needle in lowered:
            return key, {}
    return "cause_other", {}


def retry(session: Session, delivery_id: int, now: datetime) -> Delivery:
    """A failed message goes back to the queue, to be sent at once (its attempts are kept,
    so a message given up gets one more try before it is given up again). Refused for a
    message that is not failed, that could not be built, or whose address is erased or
    suppressed. The caller commits."""
    row = session.get(Delivery, delivery_id)
    if row is None:
        raise OutboxActionError("missing")
    if row.status != FAILED:
        raise OutboxActionError("not_failed")
    if row.subscriber_id is not None:
        subscriber = session.get(Subscriber, row.subscriber_id)
        if subscriber is None or subscriber.email_key is None:
            raise OutboxActionError("erased")
        if subscriber.suppressed_at is not None:
            raise OutboxActionError("suppressed")
    if not row.buildable:
        raise OutboxActionError("unbuildable")
    reason = suppression_reason(session, row.to_address)
    if reason is not None:
        raise OutboxActionError("erased" if reason == "erased" else "suppressed")
    row.status = PENDING
    row.next_attempt_at = now
    row.failure = None
    row.reported_at = None
    row.claim_token = None
    row.claimed_until = None
    session.add(row)
    session.flush()
    return row


def cancel(session: Session, delivery_id: int, now: datetime) -> Delivery:
    """A pending message becomes ``cancelled`` and is never sent. Refused for a message that
    is not pending, or that a sender holds right now (try again in a moment). One guarded
    UPDATE, so a sender claiming it at the same time either takes it first (then it is
    refused here) or finds it cancelled. The caller commits."""
    row = session.get(Delivery, delivery_id)
    if row is None:
        raise OutboxActionError("missing")
    if row.status != PENDING:
        raise OutboxActionError("not_pending")
    result = session.exec(
        update(Delivery)
        .where(
            col(Delivery.id) == delivery_id,
            col(Delivery.status) == PENDING,
            or_(col(Delivery.claimed_until).is_(None), col(Delivery.claimed_until) <= now),
        )
        .values(status=CANCELLED, claim_token=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:
        raise OutboxActionError("in_flight")
    session.refresh(row)
    return row
