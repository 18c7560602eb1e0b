"""Housekeeping: personal data and bookkeeping rows are not kept forever.

``purge`` deletes

- sign-ups never confirmed, once every confirmation link they were sent has expired: the
  subscriber row, its subscriptions (through ``selfservice.unsubscribe``, as erasure does) and,
  through the caller's ``forget`` hook, the outbox rows about it (the outbox belongs to
  ``notifier``, which this package must not import). Nothing goes on the suppression list:
  these people never consented to anything, and may well sign up again;
- rate-limit events (hashed address or client IP) older than the limit.

Confirmed subscribers are never touched, and neither are erased ones (``token_version``
raised): the links they were sent stay valid for up to 400 days, and an id freed on SQLite can
be handed to a new subscriber, whose version 0 those links would then match. The same reasoning
is why an unconfirmed row goes only after ``longest_validity(CONFIRM)``: no confirmation link
may outlive its row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from subscribers.models import RateEvent, Subscriber
from subscribers.selfservice import unsubscribe
from subscribers.tokens import CONFIRM, longest_validity

#: removes what other layers hold about these subscriber ids (the outbox); returns a count
Forget = Callable[[Session, Sequence[int]], int]


@dataclass(frozen=True)
class PurgeReport:
    subscribers: int = 0
    subscriptions: int = 0
    outbox: int = 0
    rate_events: int = 0

    def __str__(self) -> str:
        return (
            f"{self.subscribers} unconfirmed subscriber(s) deleted, with "
            f"{self.subscriptions} subscription(s) and {self.outbox} outbox message(s); "
            f"{self.rate_events} rate event(s) deleted"
        )


def purge(
    session: Session,
    now: datetime,
    *,
    unconfirmed_after: timedelta,
    rate_events_after: timedelta,
    forget: Forget,
) -> PurgeReport:
    """Delete unconfirmed sign-ups made before ``now - unconfirmed_after`` (see
    ``selfservice.signup`` for when a sign-up counts as made) and rate events older than
    ``now - rate_events_after``. The caller commits. Raises ``ValueError`` when
    ``unconfirmed_after`` is shorter than a confirmation link can stay valid."""
    link = longest_validity(CONFIRM)
    if unconfirmed_after < link:
        raise ValueError(
            f"unconfirmed sign-ups must be kept at least {link.days} days, as long as a "
            "confirmation link can stay valid"
        )
    stale = list(
        session.exec(
            select(Subscriber)
            .where(
                col(Subscriber.confirmed_at).is_(None),
                Subscriber.token_version == 0,
                col(Subscriber.created_at) < now - unconfirmed_after,
            )
            .order_by(col(Subscriber.id))
            .with_for_update(skip_locked=True)  # PostgreSQL: leave a sign-up in progress alone
        )
    )
    ids = [s.id for s in stale if s.id is not None]
    subscriptions = sum(unsubscribe(session, s) for s in stale)
    outbox = forget(session, ids) if ids else 0
    for subscriber in stale:
        session.delete(subscriber)
    session.flush()
    events = session.exec(
        delete(RateEvent).where(col(RateEvent.created_at) < now - rate_events_after)
    )
    return PurgeReport(len(ids), subscriptions, outbox, events.rowcount)
