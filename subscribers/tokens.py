"""Signed, expiring links for subscribers: pure HMAC-SHA256, no database.

A token reads ``<subscriber id>.<version>.<expires, unix seconds>.<signature>``; the signature
covers the purpose as well, so a confirmation token cannot be used to unsubscribe and the
other way round. ``version`` is the subscriber's ``token_version``: raising it (erasure does)
revokes every link sent before. The secret never leaves the server.

Exceptions: ``TokenError`` (a ``ValueError``) → ``ForgedToken``, ``ExpiredToken``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

CONFIRM, MANAGE, UNSUBSCRIBE = "confirm", "manage", "unsubscribe"
LIFETIME = {
    CONFIRM: timedelta(days=7),
    MANAGE: timedelta(days=180),
    UNSUBSCRIBE: timedelta(days=400),
}
_NUMBER = re.compile(r"[0-9]{1,18}")


def longest_validity(purpose: str) -> timedelta:
    """The longest a link of this purpose can stay valid: its lifetime plus up to a day,
    because ``sign`` rounds the expiry up to the next midnight UTC."""
    return LIFETIME[purpose] + timedelta(days=1)


class TokenError(ValueError):
    """A link that cannot be used; ask for a new one from the sign-up page."""


class ForgedToken(TokenError):
    """Malformed, or signed with another key or for another purpose."""


class ExpiredToken(TokenError):
    """Genuine but past its expiry."""


@dataclass(frozen=True)
class Claims:
    subscriber_id: int
    version: int
    expires: int


def same(given: str, expected: str) -> bool:
    """Whether ``given`` (from outside) is ``expected`` (a secret), in constant time. The
    texts are compared as UTF-8: ``hmac.compare_digest`` raises TypeError for a ``str`` with
    a character outside ASCII, and a forged value holding one ("é") must be refused like any
    other, not end the request in an error."""
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def _signature(secret: bytes, purpose: str, body: str) -> str:
    keyed = _keyed(secret).copy()
    keyed.update(f"{purpose}|{body}".encode())
    return _encoded(keyed)


def _encoded(mac: hmac.HMAC) -> str:
    """A signature as a token carries it: the HMAC's first 18 bytes, URL-safe base64."""
    return base64.urlsafe_b64encode(mac.digest()[:18]).decode().rstrip("=")


@functools.lru_cache(maxsize=8)
def _keyed(secret: bytes) -> hmac.HMAC:
    """The secret's HMAC-SHA256, keyed once and copied for each signature. The one-shot
    ``hmac.digest`` sets OpenSSL's context up anew and lets the GIL go at every call: with
    the outbox's writer thread busy beside it, 200,000 signatures of one national change
    took ~24 us each (4.8 of the dispatch's 20 s); a copy of the keyed context ~1.6 us
    alone and ~6 us beside a busy thread."""
    return hmac.new(secret, digestmod=hashlib.sha256)


@functools.lru_cache(maxsize=64)
def _expires(purpose: str, now: datetime) -> int:
    """The expiry of a link made at ``now`` (a batch of mails shares its ``now``)."""
    return (int((now + LIFETIME[purpose]).timestamp()) // 86400 + 1) * 86400


def sign(secret: bytes, purpose: str, subscriber_id: int, version: int, now: datetime) -> str:
    """A token for this purpose that expires ``LIFETIME[purpose]`` after ``now``, rounded up
    to the next midnight UTC: the same subscriber gets the same link all day, so a preview
    equals what is sent."""
    return signer(secret, purpose, now)(subscriber_id, version)


def signer(secret: bytes, purpose: str, now: datetime) -> Callable[[int, int], str]:
    """``sign`` for many subscribers at one ``now``: (subscriber id, version) -> the same
    token ``sign`` gives, its expiry and the purpose's part of the HMAC computed once (a
    national change signs 200,000 links)."""
    expires = _expires(purpose, now)
    keyed = _keyed(secret).copy()
    keyed.update(f"{purpose}|".encode())

    def token(subscriber_id: int, version: int) -> str:
        body = f"{subscriber_id}.{version}.{expires}"
        mac = keyed.copy()
        mac.update(body.encode())
        return f"{body}.{_encoded(mac)}"

    return token


def verify(secret: bytes, purpose: str, token: str, now: datetime) -> Claims:
    """The claims of a genuine, unexpired token; raises ``ForgedToken`` or ``ExpiredToken``.
    The caller still compares ``version`` with the subscriber's current one."""
    parts = token.split(".")
    # ASCII digits, at most 18 (``validate.digits``'s rule, which imports this module):
    # "²" and "٣" pass isdigit(), and 40 digits overflow the database's integers
    if len(parts) != 4 or not all(_NUMBER.fullmatch(p) for p in parts[:3]):
        raise ForgedToken("malformed token")
    body = ".".join(parts[:3])
    if not same(parts[3], _signature(secret, purpose, body)):
        raise ForgedToken("bad signature")
    claims = Claims(int(parts[0]), int(parts[1]), int(parts[2]))
    if claims.expires < now.timestamp():
        raise ExpiredToken("token expired")
    return claims


def csrf_token(secret: bytes, nonce: str) -> str:
    """The form field that goes with a CSRF cookie ``nonce`` (signed double submit)."""
    return _signature(secret, "csrf", nonce)


def check_csrf(secret: bytes, nonce: str | None, field: str | None) -> bool:
    if not nonce or not field:
        return False
    return same(field, csrf_token(secret, nonce))


def email_hash(email: str) -> str:
    """The suppression key of an address: SHA-256 of the address in lower case. Not keyed by
    the signing secret, so replacing the secret never forgets an erasure."""
    return hashlib.sha256(f"notifier-suppression|{email.strip().lower()}".encode()).hexdigest()
