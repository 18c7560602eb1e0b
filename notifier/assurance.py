"""Delivery assurance: an urgent change must reach every one of its immediate recipients within
``NOTIFIER_URGENT_DEADLINE_MINUTES`` (5) of its alerts being queued. When some alert of an urgent
change is not accepted by then (still waiting, failed, or accepted too late), operators get one
mail (``NOTIFIER_OPERATOR_EMAIL``) about it, with how many are missing and why, never an
address; ``assurance_report`` remembers the change, so they are told once, however long the
mail server keeps refusing.

Also the listing behind ``notifier deliveries``: pending, late (waiting past the deadline) and
failed messages, filtered by status, change and subscriber.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from feeds.store.models import Change
from notifier import outbox
from notifier.context import Context
from notifier.db import write_retrying
from notifier.mailsafe import redact
from notifier.message import OutgoingMessage
from notifier.numbers import digits
from notifier.outbox import Delivery, DeliveryItem, enqueue
from subscribers.models import Subscriber, UTCDateTime
from subscribers.validate import lookup_keys

#: how far back urgent alerts are watched (older ones were judged long ago)
WATCH = timedelta(days=2)
REASON_LABELS = {
    outbox.BOUNCE: "adressen avvist permanent (5xx)",
    outbox.REFUSED: "meldingen avvist permanent (5xx)",
    outbox.INVALID: "kunne ikke bygges",
    outbox.GAVE_UP: "gitt opp etter gjentatte midlertidige feil",
    outbox.SUPPRESSED: "adressen er sperret etter avvisninger",
    "erased": "mottakeren slettet seg",
    "cancelled": "avbrutt av redaksjonen",
}
_CODE = re.compile(r"\b(SMTP [45]\d\d|HTTP \d{3}|push service \d{3})\b")
#: why a push row (Web Push, Apprise) failed: no mail server was involved
PUSH_REASON_LABELS = {
    outbox.BOUNCE: "push-tjenesten eller varslingskanalen tok ikke imot",
    outbox.REFUSED: "push-tjenesten eller varslingskanalen tok ikke imot",
    outbox.INVALID: "kunne ikke bygges",
    outbox.GAVE_UP: "gitt opp etter gjentatte midlertidige feil",
}


class AssuranceReport(SQLModel, table=True):
    """An urgent change whose alerts missed the deadline, and when operators were told."""

    __tablename__ = "assurance_report"

    id: int | None = Field(default=None, primary_key=True)
    change_id: int = Field(foreign_key="change.id", unique=True)
    reported_at: datetime = Field(sa_type=UTCDateTime)
    #: alerts not accepted within the deadline when it was reported
    missing: int = 0


def reason(row: Delivery, deadline: timedelta) -> str:
    """Why one alert missed the deadline, in words an operator acts on."""
    if row.status == outbox.SENT:
        return "levert for sent"
    if row.status == outbox.FAILED:
        labels = REASON_LABELS if row.channel == "email" else PUSH_REASON_LABELS
        return labels.get(row.failure or "", REASON_LABELS.get(row.failure or "", "feilet"))
    if row.status != outbox.PENDING:
        return REASON_LABELS.get(row.status, row.status)
    if row.last_error:
        code = _CODE.search(row.last_error)
        found = code.group(1).replace("push service", "push") if code else "annen feil"
        return f"venter etter midlertidig feil ({found})"
    if row.claim_token:
        return "under sending"
    if row.next_attempt_at > row.created_at:
        return "venter: mottakerdomenet har pause etter en midlertidig feil"
    return "i kø, ikke forsøkt ennå"


@dataclass(frozen=True)
class Missed:
    """An urgent change whose alerts missed the deadline."""

    change_id: int
    title: str
    recipients: int
    missing: int
    reasons: tuple[tuple[str, int], ...]


def missed_deadlines(session: Session, now: datetime, deadline: timedelta) -> list[Missed]:
    """Urgent changes not reported yet whose alerts were queued at least ``deadline`` ago and
    of which some were not accepted within it."""
    reported = select(AssuranceReport.change_id)
    rows = session.exec(
        select(DeliveryItem.change_id, Delivery, Change.title)
        .join(Delivery, col(Delivery.id) == col(DeliveryItem.delivery_id))
        .join(Change, col(Change.id) == col(DeliveryItem.change_id))
        .where(
            col(Change.urgent).is_(True),
            Delivery.kind == "alert",
            col(Delivery.created_at) >= now - WATCH,
            col(Delivery.created_at) <= now - deadline,
            col(DeliveryItem.change_id).not_in(reported),
        )
        .order_by(col(DeliveryItem.change_id), col(Delivery.id))
    ).all()
    by_change: dict[int, tuple[str, list[Delivery]]] = {}
    for change_id, delivery, title in rows:
        by_change.setdefault(change_id, (title, []))[1].append(delivery)
    found = []
    for change_id, (title, deliveries) in by_change.items():
        late = [d for d in deliveries if not _in_time(d, deadline)]
        if late:
            counts = Counter(reason(d, deadline) for d in late)
            found.append(
                Missed(change_id, title, len(deliveries), len(late), tuple(counts.most_common()))
            )
    return found


def _in_time(row: Delivery, deadline: timedelta) -> bool:
    return (
        row.status == outbox.SENT
        and row.sent_at is not None
        and row.sent_at - row.created_at <= deadline
    )


def assurance_message(ctx: Context, missed: list[Missed]) -> OutgoingMessage:
    """One operator mail about urgent changes whose alerts missed the deadline."""
    minutes = f"{ctx.settings.urgent_deadline_minutes:g}"
    total = sum(m.missing for m in missed)
    noun = "hastevarsel" if total == 1 else "hastevarsler"
    subject = f"Helsevarsel: {total} {noun} ikke levert innen {minutes} minutter"
    context = {"missed": missed, "total": total, "minutes": minutes, "subject": subject,
               "base_url": ctx.settings.base_url}  # fmt: skip
    env = ctx.renderer.env
    ids = [m.change_id for m in missed]
    return OutgoingMessage(
        to=ctx.settings.operator_email,
        subject=subject,
        text=env.get_template("mail/assurance.txt.j2").render(context),
        html=env.get_template("mail/assurance.html.j2").render(context),
        idempotency_key=f"operator:assurance:{ids[0]}-{ids[-1]}:{len(ids)}",
    )


def report_missed_deadlines(ctx: Context) -> int:
    """Queue one operator mail about the urgent changes that newly missed the deadline and
    remember them (told once per change); returns how many changes it reports. Without
    ``NOTIFIER_OPERATOR_EMAIL`` the misses are still recorded (``notifier deliveries``)."""
    deadline = timedelta(minutes=ctx.settings.urgent_deadline_minutes)

    def work(session: Session) -> int:
        now = ctx.clock()
        missed = missed_deadlines(session, now, deadline)
        if not missed:
            return 0
        if ctx.settings.operator_email:
            message = assurance_message(ctx, missed)
            enqueue(session, message, kind="operator", subscriber_id=None, now=now)
        for m in missed:
            session.add(AssuranceReport(change_id=m.change_id, reported_at=now, missing=m.missing))
        session.flush()
        return len(missed)

    try:
        return write_retrying(ctx.engine, work)
    except IntegrityError:  # another worker reported the same change at the same moment
        return 0


STATUSES = ("pending", "late", "failed", "sent", "all")


def _status_filter(status: str, now: datetime, deadline: timedelta) -> list[Any]:
    if status == "pending":
        return [Delivery.status == outbox.PENDING]
    if status == "late":
        return [Delivery.status == outbox.PENDING, col(Delivery.created_at) <= now - deadline]
    if status in ("failed", "sent"):
        return [Delivery.status == status]
    if status == "all":
        return []
    return [col(Delivery.status).in_([outbox.PENDING, outbox.FAILED])]


@dataclass(frozen=True)
class Listed:
    """One message as ``notifier deliveries`` prints it."""

    id: int
    status: str  # pending | late | failed | sent | cancelled | erased
    kind: str
    channel: str
    to: str
    queued_at: datetime
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    why: str
    changes: tuple[int, ...]


def list_deliveries(
    session: Session,
    now: datetime,
    deadline: timedelta,
    *,
    status: str = "",
    change_id: int | None = None,
    subscriber: str = "",
    limit: int = 200,
) -> list[Listed]:
    """Messages, newest first: by default those not sent (pending, late, failed). ``late``:
    pending and queued more than ``deadline`` ago. ``subscriber``: an address (compared by
    key) or a subscriber id. A push row's ``to`` is its person's address (``(slettet)`` when
    erased), not ``subscriber:<id>``."""
    query = select(Delivery).order_by(col(Delivery.id).desc()).limit(limit)
    query = query.where(*_status_filter(status, now, deadline))
    if change_id is not None:
        carrying = select(DeliveryItem.delivery_id).where(DeliveryItem.change_id == change_id)
        query = query.where(col(Delivery.id).in_(carrying))
    number = digits(subscriber)
    if number is not None:
        query = query.where(Delivery.subscriber_id == number)
    elif subscriber.isascii() and subscriber.isdigit():
        return []  # an id of more than 18 digits: nobody's, and no address either
    elif subscriber:
        keys = lookup_keys(subscriber)
        ids = select(Subscriber.id).where(col(Subscriber.email_key).in_(keys))
        query = query.where(col(Delivery.subscriber_id).in_(ids))
    rows = list(session.exec(query).all())
    people = _addresses(session, {r.subscriber_id for r in rows if r.channel != "email"})
    items: dict[int, list[int]] = {r.id: [] for r in rows if r.id is not None}
    if items:
        for did, cid in session.exec(
            select(DeliveryItem.delivery_id, DeliveryItem.change_id).where(
                col(DeliveryItem.delivery_id).in_(list(items))
            )
        ):
            items[did].append(cid)
    out = []
    for r in rows:
        shown = r.status
        if r.status == outbox.PENDING and r.created_at <= now - deadline:
            shown = "late"
        why = ""
        if r.status != outbox.SENT:
            why = reason(r, deadline)
            if r.last_error:
                why = f"{why}: {redact(r.last_error)[:120]}"
        out.append(
            Listed(
                id=r.id or 0, status=shown, kind=r.kind, channel=r.channel,
                to=r.to_address if r.channel == "email" else people.get(r.subscriber_id, "-"),
                queued_at=r.created_at, attempts=r.attempts, next_attempt_at=r.next_attempt_at,
                sent_at=r.sent_at, why=why, changes=tuple(sorted(items.get(r.id or 0, ()))),
            )
        )  # fmt: skip
    return out


def _addresses(session: Session, ids: set[int | None]) -> dict[int | None, str]:
    """Subscriber id -> address, ``(slettet)`` for an erased one."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    found = session.exec(
        select(Subscriber.id, Subscriber.email, Subscriber.email_key).where(
            col(Subscriber.id).in_(wanted)
        )
    )
    return {sid: email if key is not None else "(slettet)" for sid, email, key in found}
