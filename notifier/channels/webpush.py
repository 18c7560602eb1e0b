"""The Web Push channel: short alerts to the browsers subscribers turned push on in.

A push row (``delivery.channel`` "webpush") is addressed to ``subscriber:<id>``; it goes to
every push endpoint of that person that has not accepted it yet (``push_receipt``), each
encrypted for that browser (RFC 8291, ``aes128gcm``: ``encrypt``, with http_ece) and signed
with our VAPID key (RFC 8292, py_vapid: a JWT with ``aud`` the endpoint's origin, ``exp`` 12
hours on, ``sub`` the operator's contact), and posted by our own client. Headers: ``TTL``
(``NOTIFIER_PUSH_TTL_SECONDS``) and ``Urgency`` (``high`` for urgent alerts, else
``normal``). No redirect is followed, and at most 64 KiB of an answer's body is read (until
2026-12-05 pywebpush posted, following redirects and reading any answer whole).

The push service's answer, per endpoint: 201 (or any 2xx) delivered; 404 and 410 the
subscription is gone, the endpoint is removed; 429 and 5xx try again after its
``Retry-After`` (``RetryLater``; the endpoints that accepted are not sent it again); any other
answer fails for that endpoint with the status as reason. The row is sent when at least one
endpoint accepted and none is to be retried; it fails when none is left to take it.

Every endpoint URL passes the outbound gate (``feeds.fetch.netguard``) when it is stored and
before each request, and the connection's resolver and sockets are guarded too: private and
loopback addresses only with ``NOTIFIER_ALLOW_PRIVATE_SOURCES=true``.

The payload is JSON (``title``, ``body``, ``url``, ``urgent``, ``tag``) kept under the 4096
bytes a push service must accept, less the encryption's overhead (86 bytes of header, 16 of
tag, 1 of padding delimiter): the summary is cut to fit.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from feeds.errors import BlockedAddressError
from feeds.fetch.netguard import OutboundGate
from notifier.channels.protocol import WEBPUSH, RetryLater, subscriber_of
from notifier.errors import PermanentDeliveryError
from notifier.message import OutgoingMessage
from notifier.numbers import digits
from notifier.textsafe import shown
from subscribers import push
from subscribers.models import AppSecret, PushEndpoint

if TYPE_CHECKING:
    from py_vapid import Vapid02

# cryptography, py_vapid and http_ece (~7 MB of a process) are imported where a key is made
# or a push is sent: a worker that sends no push never loads them

log = logging.getLogger(__name__)

#: what a push service must accept (RFC 8030), and what aes128gcm adds to the plain text
MAX_RECORD = 4096
ENCRYPTION_OVERHEAD = 86 + 16 + 1
MAX_PAYLOAD = MAX_RECORD - ENCRYPTION_OVERHEAD
VAPID_SECRET_NAME = "vapid_private_key"
VAPID_LIFETIME = 12 * 3600


#: of a push service's answer, what is read before the connection is let go
ANSWER_LIMIT = 64 * 1024


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def encrypt(data: bytes, p256dh: str, auth: str) -> bytes:
    """``data`` encrypted for one browser (RFC 8291, "aes128gcm" of RFC 8188): an ephemeral
    P-256 key agreed with the browser's ``p256dh`` key and its ``auth`` secret. ValueError
    when the keys cannot be used (not base64url, not an uncompressed P-256 point, an auth
    secret that is not 16 bytes)."""
    import http_ece
    from cryptography.hazmat.primitives.asymmetric import ec

    push.check_keys(p256dh, auth)  # the sign-up's rules for usable keys: PushEndpointError
    receiver, secret = push.b64url_decode(p256dh), push.b64url_decode(auth)
    try:
        sealed: bytes = http_ece.encrypt(
            data,
            private_key=ec.generate_private_key(ec.SECP256R1()),
            dh=receiver,
            auth_secret=secret,
            version="aes128gcm",
        )
    except http_ece.ECEException as exc:
        raise ValueError(str(exc)) from None
    return sealed


@dataclass(frozen=True)
class VapidKeys:
    #: the private key's 32 bytes, base64url
    private: str
    #: the public key as an uncompressed P-256 point, base64url (``applicationServerKey``)
    public: str

    @classmethod
    def from_private(cls, private: str) -> VapidKeys:
        from cryptography.hazmat.primitives import serialization
        from py_vapid import Vapid02

        vapid = Vapid02.from_raw(private.encode())
        point = vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return cls(private, b64url(point))

    def signer(self) -> Vapid02:
        from py_vapid import Vapid02

        return Vapid02.from_raw(self.private.encode())


def vapid_keys(session: Session) -> VapidKeys:
    """The VAPID key pair, generated on first run and kept in ``app_secret`` beside the
    signing key (shared by every worker, never in the repository). The caller commits."""
    row = session.get(AppSecret, VAPID_SECRET_NAME)
    if row is None:
        from cryptography.hazmat.primitives.asymmetric import ec

        key = ec.generate_private_key(ec.SECP256R1())
        raw = key.private_numbers().private_value.to_bytes(32, "big")
        try:
            with session.begin_nested():
                session.add(AppSecret(name=VAPID_SECRET_NAME, value=b64url(raw)))
        except IntegrityError:  # another worker made it first
            pass
        row = session.get(AppSecret, VAPID_SECRET_NAME)
        assert row is not None
    return VapidKeys.from_private(row.value)


def load_vapid_keys(engine: Engine) -> VapidKeys:
    with Session(engine) as session:
        keys = vapid_keys(session)
        session.commit()
    return keys


def check_endpoint(url: str, gate: OutboundGate) -> str:
    """An endpoint URL fit to store: its form (``subscribers.push``) and its host (the
    outbound gate). Raises ``push.PushEndpointError`` or the gate's BlockedAddressError."""
    url = push.check_endpoint_form(url)
    gate.check(url)
    return url


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


#: a push's title and body at most before the payload limit cuts them further
PUSH_TITLE_CHARS = 200
PUSH_BODY_CHARS = 1_000


def payload(message: OutgoingMessage, limit: int = MAX_PAYLOAD) -> bytes:
    """The JSON the service worker shows, at most ``limit`` bytes: the summary is cut (with
    "…") to fit, then the title if it must."""
    headers = dict(message.headers)
    fields: dict[str, Any] = {
        # cleaned (``textsafe``: a lone surrogate cannot be encoded, a bidi override turns
        # the text around) and cut first, so that a huge title leaves room for the summary
        "title": shown(message.subject, PUSH_TITLE_CHARS),
        "body": shown(message.text, PUSH_BODY_CHARS),
        "url": headers.get("Link", ""),
        "urgent": headers.get("Urgency") == "high",
        "tag": message.idempotency_key[:100],
    }

    def encoded() -> bytes:
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()

    for name in ("body", "title"):
        if len(encoded()) <= limit:
            break
        text = str(fields[name])
        low, high = 0, len(text)
        while low < high:  # the longest prefix that fits
            mid = (low + high + 1) // 2
            fields[name] = text[:mid].rstrip() + "…"
            if len(encoded()) <= limit:
                low = mid
            else:
                high = mid - 1
        fields[name] = (text[:low].rstrip() + "…") if low else ""
    data = encoded()
    if len(data) > limit:
        fields["url"] = ""
        data = encoded()
    return data


def retry_delay(value: str | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date); None without one."""
    if not value:
        return None
    value = value.strip()
    if (seconds := digits(value)) is not None:
        return float(seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass(frozen=True)
class _Answer:
    """One endpoint's answer: ``ok``, ``gone``, ``retry`` (with a delay) or ``failed``."""

    verdict: str
    detail: str = ""
    delay: float | None = None


class WebPushChannel:
    """Sends push rows to every endpoint of their subscriber (see the module docstring)."""

    name = WEBPUSH

    def __init__(
        self,
        engine: Engine,
        keys: VapidKeys,
        subject: str,
        gate: OutboundGate,
        *,
        ttl: int = 86400,
        timeout: float = 30.0,
        clock: Any = None,
    ) -> None:
        self.engine = engine
        self.keys = keys
        self.subject = subject
        self.gate = gate
        self.ttl = ttl
        self.timeout = timeout
        self.clock = clock or (lambda: datetime.now(UTC))
        self._vapid = keys.signer()
        self._session: aiohttp.ClientSession | None = None

    async def send(self, message: OutgoingMessage) -> None:
        sid = subscriber_of(message.to)
        with Session(self.engine) as session:
            endpoints = push.endpoints_of(session, sid)
            done = push.receipts(session, message.idempotency_key, WEBPUSH)
        todo = [e for e in endpoints if e.id not in done]
        if not endpoints:
            raise PermanentDeliveryError("no push endpoint left for this subscriber")
        data = payload(message)
        urgency = "high" if dict(message.headers).get("Urgency") == "high" else "normal"
        retry: list[_Answer] = []
        failed: list[str] = []
        accepted = len(done)
        for endpoint in todo:
            answer = await self._post(endpoint, data, urgency)
            self._record(endpoint, answer, message.idempotency_key, sid)
            if answer.verdict == "ok":
                accepted += 1
            elif answer.verdict == "retry":
                retry.append(answer)
            elif answer.verdict == "failed":
                failed.append(answer.detail)
        if retry:
            delays = [a.delay for a in retry if a.delay is not None]
            raise RetryLater(
                "; ".join(a.detail for a in retry)[:500], max(delays) if delays else None
            )
        if not accepted:
            reason = "; ".join(failed) if failed else "every push endpoint is gone (404/410)"
            raise PermanentDeliveryError(reason[:500])

    async def _post(self, endpoint: PushEndpoint, data: bytes, urgency: str) -> _Answer:
        try:
            url = self.gate.check(endpoint.endpoint)
        except BlockedAddressError as exc:
            return _Answer("failed", f"endpoint refused by the outbound gate: {exc}")
        claims: dict[str, str | int] = {
            "sub": self.subject,
            "aud": origin(url),
            "exp": int(time.time()) + VAPID_LIFETIME,
        }
        try:
            body = encrypt(data, endpoint.p256dh, endpoint.auth)
        except ValueError as exc:
            return _Answer("failed", f"the endpoint's keys cannot be used: {exc}")
        headers = {
            **self._vapid.sign(claims),
            "Urgency": urgency,
            "TTL": str(self.ttl),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
        }
        try:
            with self.gate.request_to(url):
                # a push service answers at once (RFC 8030: 201); no redirect is followed, and
                # of its answer's body at most ANSWER_LIMIT bytes are read
                async with self._client().post(
                    url, data=body, headers=headers, allow_redirects=False,
                    timeout=aiohttp.ClientTimeout(total=self.timeout),
                ) as response:  # fmt: skip
                    status, reason = response.status, response.reason
                    retry_after = response.headers.get("Retry-After")
                    await response.content.read(ANSWER_LIMIT)
        except BlockedAddressError as exc:
            return _Answer("failed", f"endpoint refused by the outbound gate: {exc}")
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            return _Answer("retry", f"push service unreachable: {type(exc).__name__}")
        if 200 <= status < 300:
            return _Answer("ok")
        if status in (404, 410):
            return _Answer("gone", f"push service {status}: subscription gone")
        if status == 429 or status >= 500:
            delay = retry_delay(retry_after, self.clock())
            return _Answer("retry", f"push service {status}", delay)
        return _Answer("failed", f"push service {status}: {reason or ''}".strip())

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(connector=self.gate.connector())
        return self._session

    def _record(self, endpoint: PushEndpoint, answer: _Answer, key: str, sid: int) -> None:
        """The endpoint's state after one answer, in a short transaction of its own: a
        receipt for an accepted message, the endpoint removed when gone."""
        now = self.clock()
        assert endpoint.id is not None
        with Session(self.engine) as session:
            row = session.get(PushEndpoint, endpoint.id)
            if row is None:
                return
            if answer.verdict == "ok":
                push.record_receipt(session, key, WEBPUSH, endpoint.id, sid, now)
                row.last_success_at, row.failures, row.last_error = now, 0, None
                session.add(row)
            elif answer.verdict == "gone":
                log.info("push endpoint %s removed: %s", endpoint.id, answer.detail)
                push.remove_by_id(session, endpoint.id)
            else:
                row.failures += 1
                row.last_error = answer.detail[:500]
                session.add(row)
            session.commit()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
