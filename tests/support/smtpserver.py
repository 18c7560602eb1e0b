"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives and can be told to
refuse addresses temporarily (4xx) or permanently (5xx)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address -> SMTP reply
    refuse_domain: dict[str, str] = field(default_factory=dict)  # domain -> SMTP reply
    #: the reply to DATA for messages to this address (a 5xx or 4xx for the message)
    refuse_data: dict[str, str] = field(default_factory=dict)
    #: every RCPT TO the server saw, accepted or not
    rcpt_seen: list[str] = field(default_factory=list)
    #: the raw bytes of every accepted message
    raw: list[bytes] = field(default_factory=list)
    #: seconds the server takes to answer DATA (lets two senders overlap)
    delay: float = 0.0

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.rcpt_seen.append(address)
        if address in self.refuse:
            return self.refuse[address]
        domain = address.rpartition("@")[2].lower()
        if domain in self.refuse_domain:
            return self.refuse_domain[domain]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        for address in envelope.rcpt_tos:
            if address in self.refuse_data:
                return self.refuse_data[address]
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        self.raw.append(bytes(envelope.original_content or envelope.content))
        return "250 Message accepted"


def _authenticator(user: str, password: str) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (user, password)
        return AuthResult(success=ok, handled=False)

    return check


@contextmanager
def smtp_server(credentials: tuple[str, str] | None = None) -> Iterator[tuple[Inbox, int]]:
    """A server on a free port; with ``credentials`` it offers AUTH over plain text (only a
    loopback test may) and refuses wrong credentials."""
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    auth: dict[str, Any] = {}
    if credentials:
        auth = {
            "authenticator": _authenticator(*credentials),
            "auth_required": False,  # a wrong password is still refused (535)
            "auth_require_tls": False,
        }
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **auth)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()
