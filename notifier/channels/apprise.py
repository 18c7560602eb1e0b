"""The Apprise channel: short alerts to the targets subscribers or staff added (Microsoft
Teams, Slack, ntfy, SMS gateways ...), through the apprise library.

A push row (``delivery.channel`` "apprise") is addressed to ``subscriber:<id>`` and goes to
each of that person's targets that has not accepted it yet (``push_receipt``), with the title,
the short summary and the link. Apprise says only yes or no: a target that did not take the
message is tried again with backoff (``NOTIFIER_DELIVER_MAX_ATTEMPTS``), and the targets that
did are not sent it again.

**The outbound gate.** Only schemes that speak HTTP(S) are allowed (``subscribers.targets``),
and a host the person names is judged by the gate when the target is added. At send time every
connection Apprise's HTTP library (requests, on urllib3) opens in our sending thread goes
through ``_guarded_connection``: the host is resolved once, every address is judged (private,
loopback, link-local and the rest refused unless ``NOTIFIER_ALLOW_PRIVATE_SOURCES=true``), and
the socket connects to the address that was judged, so a DNS answer that changes between check
and connect (rebinding) cannot lead it elsewhere; redirects open new connections and are judged
the same way. Residual risk: a proxy set in the environment (``HTTPS_PROXY``) is what the guard
then sees, not the target; run the service without one, or with one that refuses private
addresses itself.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from feeds.fetch.netguard import OutboundGate, RefusedPeerError, is_internal_address
from notifier.channels.protocol import APPRISE, subscriber_of
from notifier.errors import PermanentDeliveryError, TemporaryDeliveryError
from notifier.message import OutgoingMessage
from subscribers import push, targets
from subscribers.models import AppriseTarget

log = logging.getLogger(__name__)

#: the gate of the Apprise send running in this thread (None: not an Apprise send)
_GATE: contextvars.ContextVar[OutboundGate | None] = contextvars.ContextVar(
    "apprise_gate", default=None
)
_INSTALLED: list[Callable[..., socket.socket]] = []


def check_target(url: str, gate: OutboundGate) -> targets.ParsedTarget:
    """A target URL fit to store: its form and scheme (``subscribers.targets``) and the host it
    names (the outbound gate: private and loopback only when allowed). Raises
    ``targets.TargetError`` or the gate's BlockedAddressError."""
    parsed = targets.parse(url)
    if parsed.host:
        host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
        port = f":{parsed.port}" if parsed.port else ""
        gate.check(f"https://{host}{port}/")
    return parsed


def _install_guard() -> None:
    """Wrap urllib3's connection factory once: inside an Apprise send (``_GATE`` set) each
    connection is resolved, judged and made to the judged address; elsewhere it is left as
    it was."""
    if _INSTALLED:
        return
    import urllib3.util.connection as connection

    original = connection.create_connection

    def guarded(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        gate = _GATE.get()
        if gate is None:
            return original(address, *args, **kwargs)
        return _guarded_connection(gate, original, address, *args, **kwargs)

    connection.create_connection = guarded
    _INSTALLED.append(original)


def _guarded_connection(
    gate: OutboundGate,
    original: Callable[..., socket.socket],
    address: tuple[str, int],
    *args: Any,
    **kwargs: Any,
) -> socket.socket:
    host, port = address
    infos = socket.getaddrinfo(host.strip("[]"), port, 0, socket.SOCK_STREAM)
    error: OSError | None = None
    for _family, _type, _proto, _name, sockaddr in infos:
        ip = str(sockaddr[0])
        if not gate.allow_private and is_internal_address(ip):
            error = RefusedPeerError(ip)
            continue
        try:
            return original((ip, port), *args, **kwargs)
        except OSError as exc:
            error = exc
    raise error or OSError(f"{host} did not resolve")


def _notify(gate: OutboundGate, url: str, title: str, body: str, urgent: bool) -> bool:
    """One target, in a worker thread, every connection guarded."""
    token = _GATE.set(gate)
    try:
        plugin = targets.instantiate(url)
        if plugin is None:
            return False
        apprise = targets._apprise()
        kind = apprise.NotifyType.WARNING if urgent else apprise.NotifyType.INFO
        return bool(plugin.notify(body=body, title=title, notify_type=kind))
    finally:
        _GATE.reset(token)


class AppriseChannel:
    """Sends push rows to every Apprise target of their subscriber."""

    name = APPRISE

    def __init__(
        self,
        engine: Engine,
        secret: bytes,
        gate: OutboundGate,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.engine = engine
        self.secret = secret
        self.gate = gate
        self.clock = clock or (lambda: datetime.now(UTC))
        targets._apprise()
        _install_guard()

    async def send(self, message: OutgoingMessage) -> None:
        sid = subscriber_of(message.to)
        with Session(self.engine) as session:
            rows = targets.targets_of(session, sid)
            done = push.receipts(session, message.idempotency_key, APPRISE)
        if not rows:
            raise PermanentDeliveryError("no Apprise target left for this subscriber")
        headers = dict(message.headers)
        link = headers.get("Link", "")
        body = f"{message.text}\n\n{link}".strip() if link else message.text
        urgent = headers.get("Urgency") == "high"
        failed: list[str] = []
        for row in rows:
            if row.id in done:
                continue
            try:
                url = targets.url_of(row, self.secret)
            except targets.TargetError as exc:
                failed.append(f"{row.masked}: {exc}")
                self._record(row, False, message.idempotency_key, sid, str(exc))
                continue
            ok = await asyncio.to_thread(_notify, self.gate, url, message.subject, body, urgent)
            detail = "" if ok else "the target did not accept the message"
            self._record(row, ok, message.idempotency_key, sid, detail)
            if not ok:
                failed.append(f"{row.masked}: {detail}")
        if failed:
            raise TemporaryDeliveryError("; ".join(failed)[:500])

    def _record(self, target: AppriseTarget, ok: bool, key: str, sid: int, detail: str) -> None:
        now = self.clock()
        assert target.id is not None
        with Session(self.engine) as session:
            row = session.get(AppriseTarget, target.id)
            if row is None:
                return
            if ok:
                push.record_receipt(session, key, APPRISE, target.id, sid, now)
                row.last_success_at, row.failures, row.last_error = now, 0, None
            else:
                row.failures += 1
                row.last_error = detail[:500]
            session.add(row)
            session.commit()

    async def close(self) -> None:
        return None
