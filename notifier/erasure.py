"""Erasing a subscriber on request, the one way every entrance does it (the subscriber's own
link, the staff console): the outbox's copies of their messages are blanked first
(``outbox.scrub``), their sign-ups still queued are deleted (``signup_queue.forget``), then
the audience side forgets them (``selfservice.erase``). The caller commits all together."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from notifier import signup_queue
from notifier.outbox import scrub
from subscribers import push
from subscribers import selfservice as ss
from subscribers.models import Subscriber
from subscribers.validate import address_key


def erase_subscriber(session: Session, subscriber: Subscriber, now: datetime) -> int:
    """Erase the person; returns how many outbox messages were blanked."""
    assert subscriber.id is not None
    messages = scrub(session, subscriber.id)
    push.forget(session, subscriber.id)  # push endpoints, Apprise targets, their receipts
    # sign-ups of the address still in the queue (they hold it in clear)
    signup_queue.forget(session, subscriber.email_key or address_key(subscriber.email))
    ss.erase(session, subscriber, now)
    return messages
