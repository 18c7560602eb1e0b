"""Web Push endpoints of subscribers: what a browser registers (``PushSubscription``), checked
before it is stored, listed, removed, and its delivery state.

The endpoint URL's form is checked here; whether its host may be reached (the outbound gate)
is the shell's business (``notifier.channels.webpush.check_endpoint``), before ``add``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from sqlmodel import Session, col, delete, func, select

from subscribers.models import AppriseTarget, PushEndpoint, PushReceipt, SubscriptionChannel

MAX_ENDPOINT = 2000
#: push endpoints (devices) one subscriber may have; one more is refused (``PushLimitError``)
MAX_ENDPOINTS_PER_SUBSCRIBER = 20


class PushEndpointError(ValueError):
    """A push subscription that cannot be stored; the text says what is wrong."""


class PushLimitError(PushEndpointError):
    """The subscriber has ``MAX_ENDPOINTS_PER_SUBSCRIBER`` endpoints already."""


def b64url_decode(value: str) -> bytes:
    """base64url with or without padding; PushEndpointError when it is not."""
    text = value.strip()
    if not text or any(c not in _B64URL for c in text.rstrip("=")):
        raise PushEndpointError("not base64url")
    try:
        return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError) as exc:
        raise PushEndpointError("not base64url") from exc


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def check_keys(p256dh: str, auth: str) -> tuple[str, str]:
    """The browser's keys, checked (a P-256 point in uncompressed form, 65 bytes starting with
    4; an authentication secret of 16 bytes) and returned without padding."""
    point = b64url_decode(p256dh)
    if len(point) != 65 or point[0] != 4:
        raise PushEndpointError("p256dh must be an uncompressed P-256 public key (65 bytes)")
    secret = b64url_decode(auth)
    if len(secret) != 16:
        raise PushEndpointError("auth must be 16 bytes")
    return p256dh.strip().rstrip("="), auth.strip().rstrip("=")


def check_endpoint_form(url: str) -> str:
    """An endpoint URL of a plain form: https (http only for local tests), a host, no
    credentials, no control characters or spaces, at most 2000 characters."""
    url = url.strip()
    if len(url) > MAX_ENDPOINT or any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise PushEndpointError("the endpoint is too long or holds spaces or control characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is no port (":99999999", ":abc") raises here
    except ValueError:  # an unclosed IPv6 bracket ("https://[x"), a port out of range
        raise PushEndpointError("the endpoint is not a URL that can be read") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise PushEndpointError("the endpoint must be an https URL")
    if parts.username is not None or parts.password is not None or "\\" in url:
        raise PushEndpointError("the endpoint may not carry credentials or backslashes")
    return url


def add(
    session: Session, subscriber_id: int, endpoint: str, p256dh: str, auth: str, now: datetime
) -> PushEndpoint:
    """Store (or renew) a browser's push subscription for this subscriber. The same endpoint
    registered again gets the new keys; registered by someone else, it moves to them (a
    browser belongs to whoever turned push on in it last). A subscriber holds at most
    ``MAX_ENDPOINTS_PER_SUBSCRIBER`` (renewing one they have is always allowed). The caller
    commits."""
    endpoint = check_endpoint_form(endpoint)
    p256dh, auth = check_keys(p256dh, auth)
    row = session.exec(select(PushEndpoint).where(PushEndpoint.endpoint == endpoint)).first()
    if row is None or row.subscriber_id != subscriber_id:
        held = session.exec(
            select(func.count())
            .select_from(PushEndpoint)
            .where(PushEndpoint.subscriber_id == subscriber_id)
        ).one()
        if held >= MAX_ENDPOINTS_PER_SUBSCRIBER:
            raise PushLimitError(
                f"the subscriber has {held} push endpoints, the most allowed "
                f"({MAX_ENDPOINTS_PER_SUBSCRIBER}); remove one first"
            )
    if row is None:
        row = PushEndpoint(
            subscriber_id=subscriber_id, endpoint=endpoint, p256dh=p256dh, auth=auth,
            created_at=now,
        )  # fmt: skip
    else:
        row.subscriber_id, row.p256dh, row.auth = subscriber_id, p256dh, auth
        row.failures, row.last_error = 0, None
    session.add(row)
    session.flush()
    return row


def endpoints_of(session: Session, subscriber_id: int) -> list[PushEndpoint]:
    return list(
        session.exec(
            select(PushEndpoint)
            .where(PushEndpoint.subscriber_id == subscriber_id)
            .order_by(col(PushEndpoint.id))
        ).all()
    )


def remove(session: Session, subscriber_id: int, endpoint: str) -> bool:
    """Forget this subscriber's endpoint; True if there was one. The caller commits."""
    result = session.exec(
        delete(PushEndpoint).where(
            col(PushEndpoint.subscriber_id) == subscriber_id,
            col(PushEndpoint.endpoint) == endpoint.strip(),
        )
    )
    return bool(result.rowcount)


def remove_by_id(session: Session, endpoint_id: int) -> None:
    """The push service said the subscription is gone (404, 410). The caller commits."""
    session.exec(delete(PushEndpoint).where(col(PushEndpoint.id) == endpoint_id))


def with_push(session: Session, subscriber_ids: Iterable[int] | None = None) -> set[int]:
    """The subscribers (of these) that have at least one push endpoint."""
    query = select(PushEndpoint.subscriber_id).distinct()
    if subscriber_ids is not None:
        query = query.where(col(PushEndpoint.subscriber_id).in_(list(subscriber_ids)))
    return set(session.exec(query).all())


def receipts(session: Session, delivery_key: str, channel: str) -> set[int]:
    """The endpoints or targets that already accepted this message."""
    return set(
        session.exec(
            select(PushReceipt.target_id).where(
                PushReceipt.delivery_key == delivery_key, PushReceipt.channel == channel
            )
        ).all()
    )


def record_receipt(
    session: Session,
    delivery_key: str,
    channel: str,
    target_id: int,
    subscriber_id: int,
    now: datetime,
) -> None:
    """This endpoint or target accepted this message. The caller commits."""
    session.add(
        PushReceipt(
            delivery_key=delivery_key, channel=channel, target_id=target_id,
            subscriber_id=subscriber_id, at=now,
        )
    )  # fmt: skip


def forget(session: Session, subscriber_id: int) -> None:
    """Erasure: every endpoint, target, receipt and channel choice of this subscriber. The
    caller commits."""
    session.exec(delete(PushReceipt).where(col(PushReceipt.subscriber_id) == subscriber_id))
    session.exec(delete(PushEndpoint).where(col(PushEndpoint.subscriber_id) == subscriber_id))
    session.exec(delete(AppriseTarget).where(col(AppriseTarget.subscriber_id) == subscriber_id))
    session.exec(
        delete(SubscriptionChannel).where(col(SubscriptionChannel.subscriber_id) == subscriber_id)
    )


def export(session: Session, subscriber_id: int | None) -> dict[str, list[dict[str, object]]]:
    """The person's push endpoints and Apprise targets for the data export: when each was added
    and last used; a target only masked (its URL is a secret of the channel it names)."""
    if subscriber_id is None:
        return {"push_endpoints": [], "push_targets": []}
    targets = session.exec(
        select(AppriseTarget)
        .where(AppriseTarget.subscriber_id == subscriber_id)
        .order_by(col(AppriseTarget.id))
    ).all()
    return {
        "push_endpoints": [
            {"endpoint": e.endpoint, "created_at": e.created_at.isoformat(),
             "last_success_at": e.last_success_at.isoformat() if e.last_success_at else None}
            for e in endpoints_of(session, subscriber_id)
        ],
        "push_targets": [
            {"target": t.masked, "created_at": t.created_at.isoformat(),
             "last_success_at": t.last_success_at.isoformat() if t.last_success_at else None}
            for t in targets
        ],
    }  # fmt: skip


def clear_receipts(session: Session, delivery_key: str) -> None:
    """A push message is settled: its receipts are no longer needed. The caller commits."""
    session.exec(delete(PushReceipt).where(col(PushReceipt.delivery_key) == delivery_key))


#: the push channels a subscription may keep its alerts out of
PUSH_CHANNEL_NAMES = ("webpush", "apprise")


def push_off(session: Session, subscriber_ids: Iterable[int], channel: str) -> dict[int, set[str]]:
    """Subscriber -> the subtopics whose alerts they keep out of this push channel."""
    ids = list(subscriber_ids)
    out: dict[int, set[str]] = {}
    if not ids:
        return out
    rows = session.exec(
        select(SubscriptionChannel.subscriber_id, SubscriptionChannel.subtopic).where(
            col(SubscriptionChannel.subscriber_id).in_(ids),
            SubscriptionChannel.channel == channel,
            col(SubscriptionChannel.enabled).is_(False),
        )
    ).all()
    for sid, subtopic in rows:
        out.setdefault(sid, set()).add(subtopic)
    return out


def set_push_choices(
    session: Session, subscriber_id: int, off: Iterable[str], now: datetime
) -> None:
    """The subtopics whose alerts stay out of push (both push channels); every other
    subscription's alerts go to push (the default). The caller commits."""
    session.exec(
        delete(SubscriptionChannel).where(col(SubscriptionChannel.subscriber_id) == subscriber_id)
    )
    for subtopic in sorted(set(off)):
        for channel in PUSH_CHANNEL_NAMES:
            session.add(
                SubscriptionChannel(
                    subscriber_id=subscriber_id, subtopic=subtopic, channel=channel,
                    enabled=False, created_at=now,
                )
            )  # fmt: skip
    session.flush()


def set_channel(
    session: Session,
    subscriber_id: int,
    subtopic: str,
    channel: str,
    enabled: bool,
    now: datetime,
) -> None:
    """Whether this subscription's alerts go to this push channel (``webpush`` or
    ``apprise``); on is the default and stores nothing. The caller commits."""
    if channel not in PUSH_CHANNEL_NAMES:
        raise ValueError(f"not a push channel: {channel!r}")
    session.exec(
        delete(SubscriptionChannel).where(
            col(SubscriptionChannel.subscriber_id) == subscriber_id,
            col(SubscriptionChannel.subtopic) == subtopic,
            col(SubscriptionChannel.channel) == channel,
        )
    )
    if not enabled:
        session.add(
            SubscriptionChannel(
                subscriber_id=subscriber_id, subtopic=subtopic, channel=channel,
                enabled=False, created_at=now,
            )
        )  # fmt: skip
    session.flush()
