"""An SMTP server (aiosmtpd on 127.0.0.1) that injects faults while ``faults`` is on: the
connection dropped at RCPT or after DATA before the reply (the message is then not taken),
421 (service closing), 451 (try again later), and always a 550 for the addresses in
``refused``. It records the Message-ID and recipients of every message it accepted."""

from __future__ import annotations

import email
import email.policy
import random
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class FaultySmtp:
    seed: int = 0
    faults: bool = True
    #: chances per RCPT (drop) and per DATA (drop, 421, 451)
    drop_rcpt: float = 0.05
    drop_data: float = 0.1
    busy_421: float = 0.1
    later_451: float = 0.1
    refused: set[str] = field(default_factory=set)
    #: (Message-ID, recipients) of every message accepted, in order
    accepted: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    injected: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()

    def _roll(self, chance: float, name: str) -> bool:
        with self._lock:
            hit = self.faults and self._random.random() < chance
            if hit:
                self.injected[name] = self.injected.get(name, 0) + 1
            return hit

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 No such user here"
        if self._roll(self.drop_rcpt, "drop at RCPT"):
            server.transport.close()
            return "421 4.4.2 Connection dropped"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self._roll(self.drop_data, "drop after DATA"):
            server.transport.close()  # the reply never comes; the message is not taken
            return "421 4.4.2 Connection dropped"
        if self._roll(self.busy_421, "421"):
            return "421 4.3.2 Service not available, closing transmission channel"
        if self._roll(self.later_451, "451"):
            return "451 4.3.0 Temporary local problem, try again later"
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.accepted.append((str(msg["Message-ID"]), tuple(envelope.rcpt_tos)))
        return "250 2.0.0 Message accepted"


@contextmanager
def faulty_smtp(seed: int, refused: set[str]) -> Iterator[tuple[FaultySmtp, int]]:
    handler = FaultySmtp(seed=seed, refused=set(refused))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()
