"""Adding and removing push endpoints and Apprise targets, the one way every entrance does it
(the preferences page, the staff console, the CLI): the form checks of ``subscribers.push`` and
``subscribers.targets``, then the outbound gate on the host, then the store. The caller
commits."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from feeds.errors import BlockedAddressError
from feeds.fetch.netguard import OutboundGate
from notifier.channels.apprise import check_target
from notifier.channels.webpush import check_endpoint
from notifier.settings import Settings
from subscribers import push, targets
from subscribers.models import AppriseTarget, PushEndpoint
from subscribers.selfservice import signing_secret


class ChannelRefused(ValueError):
    """An endpoint or target that may not be stored; the text says why (no secret in it)."""


def gate_of(settings: Settings) -> OutboundGate:
    return OutboundGate(settings.allow_private_sources)


def add_push(
    session: Session,
    settings: Settings,
    subscriber_id: int,
    endpoint: str,
    p256dh: str,
    auth: str,
    now: datetime,
) -> PushEndpoint:
    try:
        url = check_endpoint(endpoint, gate_of(settings))
        return push.add(session, subscriber_id, url, p256dh, auth, now)
    except push.PushEndpointError as exc:
        raise ChannelRefused(str(exc)) from exc
    except BlockedAddressError as exc:
        raise ChannelRefused(
            "the endpoint is on a private or loopback address (or malformed)"
        ) from exc


def add_target(
    session: Session, settings: Settings, subscriber_id: int, url: str, now: datetime
) -> AppriseTarget:
    try:
        parsed = check_target(url, gate_of(settings))
        secret = signing_secret(session, settings.secret_key)
        return targets.add(session, subscriber_id, parsed, secret, now)
    except targets.TargetError as exc:
        raise ChannelRefused(str(exc)) from exc
    except BlockedAddressError as exc:
        raise ChannelRefused(
            "the target names a private or loopback address (or a malformed host)"
        ) from exc
