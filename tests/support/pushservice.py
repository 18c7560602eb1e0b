"""A Web Push service on 127.0.0.1, as a browser vendor's would behave, for end-to-end tests.

``subscribe()`` plays the browser: it makes a P-256 key pair and an auth secret and returns the
``PushSubscription`` values (endpoint, p256dh, auth) the page would post. Every POST to an
endpoint is checked as a real push service checks it, and what the service worker would get is
kept in ``received``:

- the VAPID signature (RFC 8292): ``Authorization: vapid t=<JWT>,k=<public key>``, the JWT
  ES256-signed by that key, which must be the one the subscription was made with
  (``application_server_key``), ``aud`` the endpoint's origin, ``exp`` in the future and at
  most 24 hours ahead, ``sub`` a mailto: or https: contact;
- ``Content-Encoding: aes128gcm``, a ``TTL``, at most 4096 bytes of body;
- the body decrypted with the subscription's private key and auth secret (http_ece).

A request that fails a check gets 400/401/413 and is recorded in ``rejected``. ``answers``
sets what an endpoint says next (a status and headers, used once each, then 201).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.support.httpserver import POLL


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@dataclass
class Browser:
    """One browser's push subscription: what it registers, and the keys to decrypt."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    application_server_key: str

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64e(point)

    @property
    def auth(self) -> str:
        return b64e(self.auth_secret)


@dataclass
class Push:
    """A message the service accepted: where, the headers, the decrypted JSON, its size."""

    endpoint: str
    headers: dict[str, str]
    payload: dict[str, Any]
    body_size: int
    claims: dict[str, Any]


@dataclass
class PushService:
    host: str = "127.0.0.1"
    port: int = 0
    browsers: dict[str, Browser] = field(default_factory=dict)
    received: list[Push] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    #: endpoint path -> answers to give next, each (status, headers)
    answers: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def subscribe(self, application_server_key: str) -> Browser:
        path = f"/push/{secrets.token_urlsafe(12)}"
        browser = Browser(
            endpoint=self.origin + path,
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=secrets.token_bytes(16),
            application_server_key=application_server_key,
        )
        self.browsers[path] = browser
        return browser

    def answer(self, browser: Browser, status: int, **headers: str) -> None:
        path = browser.endpoint[len(self.origin) :]
        self.answers.setdefault(path, []).append((status, headers))

    def pushes_to(self, browser: Browser) -> list[Push]:
        return [p for p in self.received if p.endpoint == browser.endpoint]

    # ----------------------------------------------------------------- checks

    def verify(self, path: str, headers: dict[str, str], body: bytes) -> Push:
        browser = self.browsers.get(path)
        if browser is None:
            raise _Refusal(404, "no such subscription")
        auth = headers.get("authorization", "")
        scheme, _, params = auth.partition(" ")
        if scheme.lower() != "vapid":
            raise _Refusal(401, "no vapid authorization")
        parts = dict(p.strip().split("=", 1) for p in params.split(",") if "=" in p)
        token, key = parts.get("t", ""), parts.get("k", "")
        if key != browser.application_server_key:
            raise _Refusal(401, "k is not the application server key of the subscription")
        claims = verify_jwt(token, key)
        now = time.time()
        if claims.get("aud") != self.origin:
            raise _Refusal(401, f"aud {claims.get('aud')!r} is not {self.origin}")
        exp = int(claims.get("exp", 0))
        if not now < exp <= now + 24 * 3600:
            raise _Refusal(401, "exp not in the next 24 hours")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise _Refusal(401, "sub is not a mailto: or https: contact")
        if headers.get("content-encoding") != "aes128gcm":
            raise _Refusal(400, "content-encoding is not aes128gcm")
        if "ttl" not in headers:
            raise _Refusal(400, "no TTL")
        if len(body) > 4096:
            raise _Refusal(413, "payload too large")
        plain = http_ece.decrypt(
            body, private_key=browser.private_key, auth_secret=browser.auth_secret,
            version="aes128gcm",
        )  # fmt: skip
        return Push(browser.endpoint, headers, json.loads(plain), len(body), claims)

    # ----------------------------------------------------------------- server

    def start(self) -> None:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                service.requests.append(self.path)
                queued = service.answers.get(self.path)
                if queued:
                    status, extra = queued.pop(0)
                    self._reply(status, extra)
                    return
                try:
                    push = service.verify(self.path, headers, body)
                except _Refusal as refusal:
                    service.rejected.append((self.path, refusal.reason))
                    self._reply(refusal.status, {})
                    return
                except Exception as exc:  # noqa: BLE001 - a bad message is a 400, recorded
                    service.rejected.append((self.path, f"{type(exc).__name__}: {exc}"))
                    self._reply(400, {})
                    return
                service.received.append(push)
                self._reply(201, {"Location": self.path + "/msg/" + secrets.token_hex(4)})

            def _reply(self, status: int, headers: dict[str, str]) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": POLL}, daemon=True
        ).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Refusal(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def verify_jwt(token: str, public_key: str) -> dict[str, Any]:
    """The claims of an ES256 JWT signed by this key (uncompressed point, base64url)."""
    try:
        head, body, signature = token.split(".")
    except ValueError as exc:
        raise _Refusal(401, "not a JWT") from exc
    if json.loads(b64d(head)).get("alg") != "ES256":
        raise _Refusal(401, "alg is not ES256")
    raw = b64d(signature)
    if len(raw) != 64:
        raise _Refusal(401, "an ES256 signature is 64 bytes")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(public_key))
    try:
        key.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise _Refusal(401, "bad VAPID signature") from exc
    claims: dict[str, Any] = json.loads(b64d(body))
    return claims


@contextmanager
def push_service() -> Iterator[PushService]:
    service = PushService()
    service.start()
    try:
        yield service
    finally:
        service.stop()
