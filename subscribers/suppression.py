"""The one suppression rule, for every way in.

An address is suppressed when the person erased themselves (reason ``erased``) or when mail to
it bounced hard ``threshold`` times in a row (reason ``bounced``). It is kept as a hash of the
address's comparison key (``subscribers.validate``) in ``suppression``, and a bounced
subscriber also carries ``suppressed_at``, which takes them out of every match.

- ``notifier subscribers add`` and CSV import refuse a suppressed address, with its reason;
- the sign-up form accepts it, but only a confirmed double opt-in (``selfservice.confirm``:
  the person shows they read the mailbox) lifts the suppression;
- delivery calls ``record_hard_bounce`` for a 5xx about the address and ``record_delivered``
  after a message was accepted.

Only our relay's permanent refusal of the address counts (a 5xx to ``RCPT``, or one naming the
address, ``AddressRefused``). A refusal of the message itself (a 5xx to ``DATA``: too big,
spam) is not a bounce, nor is a push service's or Apprise target's refusal, and an accepted
push does not reset the count (it says nothing of the mailbox). Nothing reads mail sent back
to us, so an auto-reply (out of office, "mailbox full" notices sent as mail, vacation
responders) can never count; our mails carry ``Auto-Submitted: auto-generated`` (RFC 3834) so
that well-behaved responders do not send one at all.

Rows written before the comparison key existed hold the hash of the address with its domain
in lower case and the local part as typed; ``email_hash`` lower-cases the whole address, so
they equal the key's hash, except for internationalised domains (then stored in Unicode),
which ``Address.suppression_hashes`` covers as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, delete, select, update

from subscribers.models import Subscriber, Suppression
from subscribers.tokens import email_hash
from subscribers.validate import suppression_hashes

ERASED, BOUNCED = "erased", "bounced"


def suppression_reason(session: Session, email: str) -> str | None:
    """``erased`` or ``bounced`` when the address is suppressed, else None."""
    hashes = sorted(suppression_hashes(email))
    return session.exec(
        select(Suppression.reason)
        .where(col(Suppression.email_hash).in_(hashes))
        .order_by(col(Suppression.id))
    ).first()


def is_suppressed(session: Session, email: str) -> bool:
    """Whether the address (any case, Unicode or IDNA domain) is suppressed."""
    return suppression_reason(session, email) is not None


def suppress(session: Session, email: str, reason: str, now: datetime) -> None:
    """Record the address as suppressed (idempotent). An erasure overrides an earlier
    ``bounced`` reason: what the person asked for is what staff are told."""
    digest = email_hash(email)
    hashes = sorted(suppression_hashes(email) | {digest})
    found = session.exec(select(Suppression).where(col(Suppression.email_hash).in_(hashes))).first()
    if found is None:
        session.add(Suppression(email_hash=digest, reason=reason, created_at=now))
    elif reason == ERASED and found.reason != ERASED:
        found.reason = ERASED
        session.add(found)
    session.flush()


def lift(session: Session, email: str) -> int:
    """Remove every suppression row of the address (the person confirmed a sign-up);
    returns how many."""
    hashes = sorted(suppression_hashes(email))
    return session.exec(delete(Suppression).where(col(Suppression.email_hash).in_(hashes))).rowcount


def _key_of(subscriber: Subscriber) -> str:
    return subscriber.email_key or subscriber.email.lower()


def record_hard_bounce(session: Session, subscriber_id: int, now: datetime, threshold: int) -> bool:
    """Count a hard bounce (a 5xx about this address). When the count reaches ``threshold``
    the subscriber is suppressed: ``suppressed_at`` is set and a ``bounced`` suppression row
    added for the address. True exactly when this call suppressed it (two workers counting at
    once cannot both): both steps are single conditional UPDATEs. The caller commits."""
    ident = col(Subscriber.id) == subscriber_id
    count = session.exec(
        update(Subscriber)
        .where(ident)
        .values(hard_bounces=col(Subscriber.hard_bounces) + 1)
        .returning(col(Subscriber.hard_bounces))
    ).first()
    if count is None or count[0] < max(1, threshold):
        return False
    marked = session.exec(
        update(Subscriber)
        .where(ident, col(Subscriber.suppressed_at).is_(None))
        .values(suppressed_at=now)
    ).rowcount
    if marked != 1:
        return False
    subscriber = session.get(Subscriber, subscriber_id, populate_existing=True)
    assert subscriber is not None
    if subscriber.email_key is not None or not subscriber.email.endswith("@invalid"):
        suppress(session, _key_of(subscriber), BOUNCED, now)
    session.flush()
    return True


def record_delivered(session: Session, *subscriber_ids: int) -> None:
    """Messages to these subscribers were accepted: their hard bounces start again from 0
    (one statement however many)."""
    if subscriber_ids:
        session.exec(
            update(Subscriber)
            .where(col(Subscriber.id).in_(subscriber_ids), col(Subscriber.hard_bounces) != 0)
            .values(hard_bounces=0)
        )


def clear(session: Session, subscriber: Subscriber) -> None:
    """The person confirmed a sign-up: no bounce count, no suppression, no suppression rows."""
    subscriber.suppressed_at = None
    subscriber.hard_bounces = 0
    session.add(subscriber)
    lift(session, _key_of(subscriber))
    if subscriber.email.lower() != _key_of(subscriber):
        lift(session, subscriber.email)
    session.flush()


def suppressed_among(session: Session, subscriber_ids: Iterable[int]) -> list[int]:
    """Those of these subscribers whose address is suppressed after hard bounces."""
    ids = list(subscriber_ids)
    if not ids:
        return []
    rows = session.exec(
        select(Subscriber.id).where(
            col(Subscriber.id).in_(ids), col(Subscriber.suppressed_at).is_not(None)
        )
    ).all()
    return [i for i in rows if i is not None]
