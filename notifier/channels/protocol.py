"""The one channel protocol every way out implements (e-mail, Web Push, Apprise targets).

An outbox row names its channel (``delivery.channel``); ``notifier.deliver`` hands the row's
``OutgoingMessage`` to the channel of that name. Each channel maps its failures onto the same
errors (``notifier.errors``): ``TemporaryDeliveryError`` (retried with backoff, never sooner
than its ``retry_after``), ``PermanentDeliveryError`` (this row fails alone) and its kinds.

A push message (``webpush``, ``apprise``) is the short form of the planned message, rendered by
``notifier.render.Renderer.render_push``: ``subject`` is the title, ``text`` a short summary,
the header ``Link`` the address to open, ``Urgency`` ``high`` or ``normal``; its recipient
(``to``) is ``subscriber:<id>``: the channel sends to every endpoint or target that person has,
once each.
"""

from __future__ import annotations

from typing import Protocol

from notifier.errors import TemporaryDeliveryError
from notifier.message import OutgoingMessage

EMAIL, WEBPUSH, APPRISE = "email", "webpush", "apprise"
#: every channel name a row or a subscription may carry
CHANNEL_NAMES = (EMAIL, WEBPUSH, APPRISE)
#: the channels that carry the short form (immediate and urgent alerts only, by default)
PUSH_CHANNELS = (WEBPUSH, APPRISE)
#: the recipient of a push row: ``subscriber:<id>``
PUSH_RECIPIENT = "subscriber:"


class Channel(Protocol):
    name: str

    async def send(self, message: OutgoingMessage) -> None: ...

    async def close(self) -> None: ...


def push_recipient(subscriber_id: int) -> str:
    return f"{PUSH_RECIPIENT}{subscriber_id}"


def subscriber_of(recipient: str) -> int:
    """The subscriber id of a push row's recipient; ValueError for anything else."""
    if not recipient.startswith(PUSH_RECIPIENT):
        raise ValueError("a push message is addressed to subscriber:<id>")
    return int(recipient[len(PUSH_RECIPIENT) :])


class RetryLater(TemporaryDeliveryError):
    """A temporary refusal that names its delay (a push service's 429 or 5xx with
    ``Retry-After``): the row is tried again with backoff, never sooner than the delay."""

    def __init__(self, message: str, delay_seconds: float | None = None) -> None:
        super().__init__(message)
        self.delay_seconds = delay_seconds
