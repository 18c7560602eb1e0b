"""The outbox: one row per message to send, written in the transaction that decides it.

``delivery`` holds the rendered message and its state; ``delivery_item`` records which changes a
message carries. Two unique keys make duplicates impossible by construction: a delivery's
idempotency key, and (subscriber, change, channel) for items, so a change reaches a
subscriber through a channel at most once, whether as an alert or in a digest.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, col, delete, select

from feeds.models import UTCDateTime, utcnow
from notifier.message import OutgoingMessage

PENDING, SENT, FAILED, ERASED = "pending", "sent", "failed", "erased"


class Delivery(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(unique=True, max_length=200)
    subscriber_id: int | None = Field(default=None, foreign_key="subscriber.id", index=True)
    channel: str = Field(default="email", max_length=10)
    kind: str = Field(max_length=20)  # alert | digest
    to_address: str = Field(max_length=320)
    subject: str
    body_text: str
    body_html: str
    headers: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    status: str = Field(default=PENDING, max_length=10, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    last_error: str | None = None
    #: the claim of the worker sending it now, valid until ``claimed_until`` (a lease: a claim
    #: left by a dead worker expires and the row is taken again)
    claim_token: str | None = Field(default=None, max_length=32)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    #: when operators were told that this message was given up
    reported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def message(self) -> OutgoingMessage:
        return OutgoingMessage(
            to=self.to_address,
            subject=self.subject,
            text=self.body_text,
            html=self.body_html,
            idempotency_key=self.idempotency_key,
            headers=dict(self.headers),
        )


class DeliveryItem(SQLModel, table=True):
    __tablename__ = "delivery_item"
    __table_args__ = (sa.UniqueConstraint("subscriber_id", "change_id", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="delivery.id", index=True)
    subscriber_id: int = Field(foreign_key="subscriber.id")
    change_id: int = Field(foreign_key="change.id", index=True)
    channel: str = Field(default="email", max_length=10)


def enqueue(
    session: Session,
    message: OutgoingMessage,
    *,
    kind: str,
    subscriber_id: int | None,
    now: datetime,
    change_ids: Sequence[int] = (),
    channel: str = "email",
) -> Delivery | None:
    """Add a message to the outbox unless its key is there already. Call inside the
    transaction that decided the recipients; the caller commits. A message to no subscriber
    (an operator alert) carries no changes."""
    assert subscriber_id is not None or not change_ids, "changes are carried to subscribers"
    exists = session.exec(
        select(Delivery.id).where(Delivery.idempotency_key == message.idempotency_key)
    ).first()
    if exists is not None:
        return None
    delivery = Delivery(
        idempotency_key=message.idempotency_key,
        subscriber_id=subscriber_id,
        channel=channel,
        kind=kind,
        to_address=message.to,
        subject=message.subject,
        body_text=message.text,
        body_html=message.html,
        headers=dict(message.headers),
        created_at=now,
        next_attempt_at=now,
    )
    session.add(delivery)
    session.flush()
    assert delivery.id is not None
    for change_id in change_ids:
        assert subscriber_id is not None
        session.add(
            DeliveryItem(
                delivery_id=delivery.id,
                subscriber_id=subscriber_id,
                change_id=change_id,
                channel=channel,
            )
        )
    session.flush()
    return delivery


def delivered_pairs(
    session: Session, change_ids: Iterable[int], channel: str = "email"
) -> set[tuple[int, int]]:
    """(subscriber_id, change_id) pairs already in the outbox for these changes."""
    ids = list(change_ids)
    if not ids:
        return set()
    rows = session.exec(
        select(DeliveryItem.subscriber_id, DeliveryItem.change_id).where(
            col(DeliveryItem.change_id).in_(ids), DeliveryItem.channel == channel
        )
    ).all()
    return {(s, c) for s, c in rows}


def claim_due(session: Session, now: datetime, limit: int = 100) -> list[Delivery]:
    """Pending deliveries whose time has come, oldest first. On PostgreSQL the rows are
    locked with SKIP LOCKED so several workers never take the same row."""
    query = (
        select(Delivery)
        .where(Delivery.status == PENDING, col(Delivery.next_attempt_at) <= now)
        .order_by(col(Delivery.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.exec(query).all())


def mark_sent(session: Session, delivery: Delivery, now: datetime) -> None:
    delivery.status = SENT
    delivery.sent_at = now
    delivery.attempts += 1
    delivery.last_error = None
    session.add(delivery)


def mark_retry(
    session: Session, delivery: Delivery, now: datetime, error: str, max_attempts: int
) -> None:
    """A temporary failure: back off exponentially with jitter, or give up after the limit."""
    delivery.attempts += 1
    delivery.last_error = error[:2000]
    if delivery.attempts >= max_attempts:
        delivery.status = FAILED
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    session.add(delivery)


def mark_failed(session: Session, delivery: Delivery, error: str) -> None:
    delivery.attempts += 1
    delivery.status = FAILED
    delivery.last_error = error[:2000]
    session.add(delivery)


def backoff(attempt: int, base: float = 60.0, cap: float = 6 * 3600.0) -> timedelta:
    """Exponential backoff with full jitter: up to base * 2^(attempt-1), at most ``cap``."""
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))


def scrub(session: Session, subscriber_id: int) -> int:
    """Erasure: blank address, subject, bodies and headers of every message to this
    subscriber, sent or not; pending ones become ``erased`` and are never sent. Returns how
    many rows were scrubbed. The caller commits."""
    rows = list(session.exec(select(Delivery).where(Delivery.subscriber_id == subscriber_id)))
    for row in rows:
        row.to_address = ""
        row.subject = ""
        row.body_text = ""
        row.body_html = ""
        row.headers = {}
        row.last_error = _ERASED_ERROR if row.last_error else None  # a 550 quotes the address
        if row.status == PENDING:
            row.status = ERASED
        session.add(row)
    session.flush()
    return len(rows)


_ERASED_ERROR = "(slettet: teksten kunne nevne adressen)"


def forget(session: Session, subscriber_ids: Sequence[int]) -> int:
    """Delete every outbox row of these subscribers, with the items they carry; returns how
    many messages. For sign-ups never confirmed (``subscribers.housekeeping``): that is only
    their confirmation mails. The caller commits."""
    ids = list(subscriber_ids)
    deliveries = select(Delivery.id).where(col(Delivery.subscriber_id).in_(ids))
    session.exec(delete(DeliveryItem).where(col(DeliveryItem.delivery_id).in_(deliveries)))
    return session.exec(delete(Delivery).where(col(Delivery.subscriber_id).in_(ids))).rowcount
