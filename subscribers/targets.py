"""Apprise targets of subscribers (Teams, Slack, ntfy, SMS gateways ...): a target URL is
checked (Apprise can read it, its scheme is on our list of network services), stored
encrypted and shown back only masked (``json://hook.example.no/…``).

Only schemes whose requests go over HTTP(S) are allowed, so every request they make passes
the shell's connection guard (``notifier.channels.apprise``); local schemes (files, commands,
desktop notifications, syslog) and those with sockets of their own (mail, XMPP, MQTT, IRC)
are refused. Whether a named host may be reached is judged by the shell before ``add``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import warnings
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlmodel import Session, col, delete, func, select

from subscribers.models import AppriseTarget, PushReceipt

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

#: network services over HTTP(S) a target may name: webhooks, chat, push and SMS gateways
ALLOWED_SCHEMES = frozenset(
    {
        "json", "jsons", "xml", "xmls", "form", "forms",
        "msteams", "workflow", "workflows", "slack", "discord", "gchat", "wxteams", "zulip",
        "mmost", "mmosts", "rocket", "rockets", "matrix", "matrixs", "tgram", "signal",
        "signals", "ntfy", "ntfys", "gotify", "gotifys", "pover",
        "twilio", "vonage", "nexmo", "clicksend", "bulksms", "sinch", "seven", "d7sms",
        "msg91", "plivo", "msgbird",
    }
)  # fmt: skip
#: schemes whose first part is a host the person names (a webhook, a self-hosted server);
#: the others reach their service's own public host
HOST_SCHEMES = frozenset(
    {
        "json", "jsons", "xml", "xmls", "form", "forms", "workflow", "workflows", "ntfy",
        "ntfys", "gotify", "gotifys", "mmost", "mmosts", "rocket", "rockets", "matrix",
        "matrixs", "signal", "signals",
    }
)  # fmt: skip
MAX_URL = 2000
#: Apprise targets one subscriber may have; one more is refused (``TargetLimitError``)
MAX_TARGETS_PER_SUBSCRIBER = 20


class TargetError(ValueError):
    """A target URL that cannot be stored; the text says why (never repeats the URL)."""


class TargetLimitError(TargetError):
    """The subscriber has ``MAX_TARGETS_PER_SUBSCRIBER`` targets already."""


@dataclass(frozen=True)
class ParsedTarget:
    url: str
    scheme: str
    #: the host the person named, or "" when the service's own host is used
    host: str
    port: int | None
    masked: str


@cache
def _apprise() -> Any:
    """The apprise module with its plugins loaded once (some of them import deprecated
    modules on load: those warnings are Apprise's, not ours). Apprise's own log and that of
    urllib3 (which only Apprise's requests use here) are silenced below CRITICAL: they write
    whole target URLs or paths, secrets included ("Unparseable URL ...", "JSON POST URL: ...",
    '"POST /hooks/<token> HTTP/1.1" 500'), and a target is never to be shown in full; our own
    records name targets masked."""
    for name in ("apprise", "urllib3"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import apprise
        from apprise.manager_plugins import NotificationManager

        NotificationManager().load_modules()  # type: ignore[no-untyped-call]
    return apprise


def instantiate(url: str) -> Any:
    """Apprise's plugin object for the URL, or None when Apprise cannot read it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _apprise().Apprise.instantiate(url, suppress_exceptions=True)


def parse(url: str) -> ParsedTarget:
    """Check a target URL's form; TargetError says what is wrong."""
    url = url.strip()
    if not url or len(url) > MAX_URL or any(ord(c) < 32 or ord(c) == 127 for c in url):
        raise TargetError("the address is empty, too long or holds control characters")
    scheme = url.partition("://")[0].lower()
    if "://" not in url or scheme not in ALLOWED_SCHEMES:
        raise TargetError(f"the scheme {scheme[:20]!r} is not allowed (allowed: network services)")
    plugin = instantiate(url)
    if plugin is None:
        raise TargetError("Apprise cannot read this address")
    host, port = "", None
    if scheme in HOST_SCHEMES:
        host = str(getattr(plugin, "host", "") or "")
        try:
            port = urlsplit(url).port
        except ValueError as exc:
            raise TargetError("the port is not a number") from exc
        if scheme in ("ntfy", "ntfys") and not _looks_like_host(host):
            host = ""  # ntfy://topic: the public ntfy.sh
    return ParsedTarget(url, scheme, host, port, mask(scheme, host))


def _looks_like_host(host: str) -> bool:
    return "." in host or ":" in host or host == "localhost"


def mask(scheme: str, host: str) -> str:
    """What is shown of a target: the scheme and the host it reaches, nothing secret."""
    return f"{scheme}://{host}/…" if host else f"{scheme}://…"


def _fernet(secret: bytes) -> Fernet:
    from cryptography.fernet import Fernet  # ~9 MB a process: loaded where a target is used

    key = hashlib.sha256(b"notifier apprise target\x00" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _url_hash(secret: bytes, url: str) -> str:
    return hmac.new(secret, b"target\x00" + url.encode(), hashlib.sha256).hexdigest()


def add(
    session: Session, subscriber_id: int, target: ParsedTarget, secret: bytes, now: datetime
) -> AppriseTarget:
    """Store a checked target, encrypted under a key derived from ``secret`` (the signing
    key). TargetError when this subscriber has it already, TargetLimitError when they have
    ``MAX_TARGETS_PER_SUBSCRIBER``. The caller commits."""
    digest = _url_hash(secret, target.url)
    exists = session.exec(
        select(AppriseTarget.id).where(
            AppriseTarget.subscriber_id == subscriber_id, AppriseTarget.url_hash == digest
        )
    ).first()
    if exists is not None:
        raise TargetError("this target is there already")
    held = session.exec(
        select(func.count())
        .select_from(AppriseTarget)
        .where(AppriseTarget.subscriber_id == subscriber_id)
    ).one()
    if held >= MAX_TARGETS_PER_SUBSCRIBER:
        raise TargetLimitError(
            f"the subscriber has {held} targets, the most allowed "
            f"({MAX_TARGETS_PER_SUBSCRIBER}); remove one first"
        )
    row = AppriseTarget(
        subscriber_id=subscriber_id,
        secret_url=_fernet(secret).encrypt(target.url.encode()).decode(),
        masked=target.masked,
        url_hash=digest,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def url_of(row: AppriseTarget, secret: bytes) -> str:
    """The target's URL, decrypted (for sending only); TargetError when the signing key
    changed since it was stored."""
    from cryptography.fernet import InvalidToken

    try:
        return _fernet(secret).decrypt(row.secret_url.encode()).decode()
    except InvalidToken as exc:
        raise TargetError("the target cannot be decrypted (the signing key changed)") from exc


def targets_of(session: Session, subscriber_id: int) -> list[AppriseTarget]:
    return list(
        session.exec(
            select(AppriseTarget)
            .where(AppriseTarget.subscriber_id == subscriber_id)
            .order_by(col(AppriseTarget.id))
        ).all()
    )


def remove(session: Session, subscriber_id: int, target_id: int) -> bool:
    """Forget one target of this subscriber, and its receipts; True if there was one. A
    target of someone else is left alone, receipts included (the id comes from a form). The
    caller commits."""
    result = session.exec(
        delete(AppriseTarget).where(
            col(AppriseTarget.subscriber_id) == subscriber_id,
            col(AppriseTarget.id) == target_id,
        )
    )
    if not result.rowcount:
        return False
    session.exec(
        delete(PushReceipt).where(
            col(PushReceipt.channel) == "apprise",
            col(PushReceipt.target_id) == target_id,
            col(PushReceipt.subscriber_id) == subscriber_id,
        )
    )
    return True


def with_targets(session: Session, subscriber_ids: list[int] | None = None) -> set[int]:
    """The subscribers (of these) that have at least one target."""
    query = select(AppriseTarget.subscriber_id).distinct()
    if subscriber_ids is not None:
        query = query.where(col(AppriseTarget.subscriber_id).in_(subscriber_ids))
    return set(session.exec(query).all())
