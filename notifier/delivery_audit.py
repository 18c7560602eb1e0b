"""The delivery audit: for every message, which changes it carried (and in which version),
through which channel, when it was accepted (an SMTP 250, a push service's 201) and every
failure on the way, with times.

``deliver`` writes an event in the transaction that settles each outcome (``accepted``,
``retry``, ``deferred``, ``failed``), and, when a message is accepted or fails for good, one
``delivery_carried`` row per change it carried: the change's version then (a SHA-256 of its
title, summary, diff, subtopics, regions and urgency, and when staff last edited it). Every
channel settles through ``deliver``, so push rows are audited the same way. Rows are kept
``NOTIFIER_DELIVERY_AUDIT_DAYS`` and deleted by housekeeping, with the outbox's shared bodies
that no message refers to any more. Details never name an address (``mailsafe.redact``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import insert
from sqlmodel import Field, Session, SQLModel, col, delete, select

from feeds.store.models import Change
from notifier.mailsafe import redact
from notifier.outbox import Delivery, DeliveryItem, prune_bodies
from subscribers.models import UTCDateTime

ACCEPTED, RETRY, DEFERRED, FAILED = "accepted", "retry", "deferred", "failed"


class DeliveryEvent(SQLModel, table=True):
    """One outcome of one message: accepted, retry (a temporary failure), deferred (its
    domain paused, or the subscriber's quiet hours), failed (with the kind of failure)."""

    __tablename__ = "delivery_event"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="delivery.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    event: str = Field(max_length=20)
    channel: str = Field(default="email", max_length=10)
    detail: str = ""


class DeliveryCarried(SQLModel, table=True):
    """A change a message carried, in the version it had when the message was settled."""

    __tablename__ = "delivery_carried"
    __table_args__ = (sa.UniqueConstraint("delivery_id", "change_id"),)

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="delivery.id")
    change_id: int = Field(foreign_key="change.id", index=True)
    #: SHA-256 (hex) of what a reader sees of the change (``change_version``)
    version: str = Field(max_length=64)
    #: when staff last edited or reviewed the change (None: as detected)
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    at: datetime = Field(sa_type=UTCDateTime, index=True)


def change_version(
    title: str,
    summary: str,
    diff: object,
    subtopics: object,
    regions: object,
    urgent: bool,
) -> str:
    """A stable fingerprint of a change as readers get it: edits by staff change it."""
    body = json.dumps(
        [title, summary, diff, subtopics, regions, bool(urgent)],
        ensure_ascii=False,
        sort_keys=True,
    )
    # "surrogatepass": a lone surrogate a source put into the diff (a JSON column gives it
    # back) must not end the fingerprint, and with it the dispatch or the page, in an error;
    # the fingerprint of every valid text is unchanged
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


def _version_of(change: Change) -> str:
    return change_version(
        change.title, change.summary, change.diff, change.subtopics, change.regions, change.urgent
    )


def record_event(
    session: Session, delivery: Delivery, event: str, at: datetime, detail: str = ""
) -> None:
    """One audit event for this message (the caller commits, with the outcome); Core
    statements, so settling a message stays a few short statements."""
    assert delivery.id is not None
    session.execute(
        insert(DeliveryEvent).values(
            delivery_id=delivery.id, at=at, event=event, channel=delivery.channel,
            detail=redact(detail)[:500] if detail else "",
        )
    )  # fmt: skip
    if event in (ACCEPTED, FAILED):
        record_carried(session, delivery.id, at)


def record_carried(session: Session, delivery_id: int, at: datetime) -> int:
    """The changes this message carries, each with its version now; once per message."""
    done = select(DeliveryCarried.change_id).where(DeliveryCarried.delivery_id == delivery_id)
    rows = session.execute(
        sa.select(
            col(Change.id), col(Change.title), col(Change.summary), col(Change.diff),
            col(Change.subtopics), col(Change.regions), col(Change.urgent),
            col(Change.reviewed_at),
        )
        .join(DeliveryItem, col(DeliveryItem.change_id) == col(Change.id))
        .where(col(DeliveryItem.delivery_id) == delivery_id, col(Change.id).not_in(done))
    ).all()  # fmt: skip
    if rows:
        session.execute(
            insert(DeliveryCarried),
            [
                {"delivery_id": delivery_id, "change_id": cid,
                 "version": change_version(title, summary, diff, subtopics, regions, urgent),
                 "edited_at": edited, "at": at}
                for cid, title, summary, diff, subtopics, regions, urgent, edited in rows
            ],
        )  # fmt: skip
    return len(rows)


def record_accepted(session: Session, accepted: list[tuple[Delivery, datetime]]) -> None:
    """``accepted`` events and carried versions of many messages at once (a delivery run
    writes them per claimed batch: one statement per table, not three per message)."""
    if not accepted:
        return
    session.execute(
        insert(DeliveryEvent),
        [
            {"delivery_id": d.id, "at": at, "event": ACCEPTED, "channel": d.channel,
             "detail": ""}
            for d, at in accepted
        ],
    )  # fmt: skip
    when = {d.id: at for d, at in accepted}
    rows = session.execute(
        sa.select(
            col(DeliveryItem.delivery_id), col(Change.id), col(Change.title),
            col(Change.summary), col(Change.diff), col(Change.subtopics), col(Change.regions),
            col(Change.urgent), col(Change.reviewed_at),
        )
        .join(DeliveryItem, col(DeliveryItem.change_id) == col(Change.id))
        .where(col(DeliveryItem.delivery_id).in_(list(when)))
    ).all()  # fmt: skip
    versions: dict[int, tuple[str, datetime | None]] = {}
    carried = []
    for did, cid, title, summary, diff, subtopics, regions, urgent, edited in rows:
        if cid not in versions:
            versions[cid] = (
                change_version(title, summary, diff, subtopics, regions, urgent),
                edited,
            )
        version, edited_at = versions[cid]
        carried.append(
            {"delivery_id": did, "change_id": cid, "version": version, "edited_at": edited_at,
             "at": when[did]}
        )  # fmt: skip
    if carried:
        session.execute(insert(DeliveryCarried), carried)


def purge(session: Session, now: datetime, retention: timedelta) -> int:
    """Delete audit rows older than ``retention``; returns how many. The outbox's shared
    bodies that no message refers to any more go too (``outbox.prune_bodies``; logged, not
    counted here): this is the outbox's daily housekeeping. The caller commits."""
    before = now - retention
    events = session.exec(delete(DeliveryEvent).where(col(DeliveryEvent.at) < before)).rowcount
    carried = session.exec(delete(DeliveryCarried).where(col(DeliveryCarried.at) < before)).rowcount
    prune_bodies(session, now)
    return int(events or 0) + int(carried or 0)


@dataclass(frozen=True)
class AuditRow:
    """One message as the audit shows it."""

    delivery_id: int
    kind: str
    channel: str
    status: str
    subscriber_id: int | None
    to_address: str
    queued_at: datetime
    accepted_at: datetime | None
    failure: str | None
    attempts: int
    #: (event, at, detail), oldest first
    events: tuple[tuple[str, datetime, str], ...]
    #: (change id, version, edited at) it carried
    carried: tuple[tuple[int, str, datetime | None], ...]


def _rows(session: Session, deliveries: list[Delivery]) -> list[AuditRow]:
    found = trails(session, [d.id for d in deliveries if d.id is not None])
    return [
        AuditRow(
            delivery_id=d.id or 0, kind=d.kind, channel=d.channel, status=d.status,
            subscriber_id=d.subscriber_id, to_address=d.to_address, queued_at=d.created_at,
            accepted_at=d.sent_at, failure=d.failure, attempts=d.attempts,
            events=found[d.id or 0].events, carried=found[d.id or 0].carried,
        )
        for d in deliveries
    ]  # fmt: skip


def for_change(session: Session, change_id: int, limit: int = 500) -> list[AuditRow]:
    """Every message that carries this change, oldest first."""
    deliveries = list(
        session.exec(
            select(Delivery)
            .join(DeliveryItem, col(DeliveryItem.delivery_id) == col(Delivery.id))
            .where(DeliveryItem.change_id == change_id)
            .order_by(col(Delivery.id))
            .limit(limit)
        ).all()
    )
    return _rows(session, deliveries)


def for_subscriber(session: Session, subscriber_id: int, limit: int = 100) -> list[AuditRow]:
    """The latest messages to this subscriber, newest first."""
    deliveries = list(
        session.exec(
            select(Delivery)
            .where(Delivery.subscriber_id == subscriber_id)
            .order_by(col(Delivery.id).desc())
            .limit(limit)
        ).all()
    )
    return _rows(session, deliveries)


def carried_changes(session: Session, delivery_ids: list[int]) -> dict[int, list[int]]:
    """delivery id -> the change ids it carries (from the outbox's items)."""
    out: dict[int, list[int]] = {i: [] for i in delivery_ids}
    if delivery_ids:
        for did, cid in session.exec(
            select(DeliveryItem.delivery_id, DeliveryItem.change_id).where(
                col(DeliveryItem.delivery_id).in_(delivery_ids)
            )
        ):
            out[did].append(cid)
    return out


@dataclass(frozen=True)
class Trail:
    """What the audit holds of one message: its events and the changes it carried."""

    events: tuple[tuple[str, datetime, str], ...] = ()
    carried: tuple[tuple[int, str, datetime | None], ...] = ()

    def version_of(self, change_id: int) -> str | None:
        return next((v for c, v, _ in self.carried if c == change_id), None)


def trails(session: Session, delivery_ids: list[int]) -> dict[int, Trail]:
    """The audit of these messages (for the console's change and subscriber pages)."""
    events: dict[int, list[tuple[str, datetime, str]]] = {i: [] for i in delivery_ids}
    carried: dict[int, list[tuple[int, str, datetime | None]]] = {i: [] for i in delivery_ids}
    if delivery_ids:
        for e in session.exec(
            select(DeliveryEvent)
            .where(col(DeliveryEvent.delivery_id).in_(delivery_ids))
            .order_by(col(DeliveryEvent.at), col(DeliveryEvent.id))
        ):
            events[e.delivery_id].append((e.event, e.at, e.detail))
        for c in session.exec(
            select(DeliveryCarried)
            .where(col(DeliveryCarried.delivery_id).in_(delivery_ids))
            .order_by(col(DeliveryCarried.change_id))
        ):
            carried[c.delivery_id].append((c.change_id, c.version, c.edited_at))
    return {i: Trail(tuple(events[i]), tuple(carried[i])) for i in delivery_ids}


def current_version(change: Change) -> str:
    """The version a message would carry of this change now."""
    return _version_of(change)
