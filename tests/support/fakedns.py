"""A fake DNS at the edge: ``socket.getaddrinfo`` answers from a table for the names a test
gives it, so that a name can resolve to a private address, to a mix of public and private
addresses, or differently on each lookup (DNS rebinding). Everything above the edge (aiohttp's
resolver, the outbound gate, urllib3, the sockets) is the real code. IP literals and
``localhost`` go to the real ``getaddrinfo``; any other name is unknown (``socket.gaierror``): no test reaches a real
resolver.

    def test_x(monkeypatch: pytest.MonkeyPatch) -> None:
        dns = install(monkeypatch)
        dns.answer("evil.example", "93.184.216.34", "127.0.0.1")      # one mixed answer
        dns.answer_in_turn("rebind.example", ["93.184.216.34"], ["127.0.0.1"])  # rebinding
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any

import pytest

#: a global address nothing on this machine answers (the network beyond 127.0.0.1 is unreachable)
PUBLIC = "93.184.216.34"

AddrInfo = tuple[Any, Any, int, str, tuple[Any, ...]]


@dataclass
class FakeDns:
    #: name -> the answers it gives in turn (the last one repeats)
    table: dict[str, list[list[str]]] = field(default_factory=dict)
    #: every name looked up through the fake, in order
    lookups: list[str] = field(default_factory=list)
    _turn: dict[str, int] = field(default_factory=dict)

    def answer(self, name: str, *addresses: str) -> None:
        """``name`` always resolves to ``addresses`` (in this order)."""
        self.table[name.lower()] = [list(addresses)]

    def answer_in_turn(self, name: str, *answers: list[str]) -> None:
        """The first lookup of ``name`` gets the first answer, the next the second, ... and
        every later lookup the last one."""
        self.table[name.lower()] = [list(a) for a in answers]

    def count(self, name: str) -> int:
        return self.lookups.count(name.lower())

    def resolve(self, host: str) -> list[str] | None:
        key = host.lower().rstrip(".")
        if key not in self.table:
            return None
        self.lookups.append(key)
        answers = self.table[key]
        turn = self._turn.get(key, 0)
        self._turn[key] = turn + 1
        return answers[min(turn, len(answers) - 1)]


def _is_literal(host: Any) -> bool:
    if host is None:
        return True
    text = host.decode() if isinstance(host, bytes) else str(host)
    try:
        ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    return True


def install(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    """Put the fake in place of ``socket.getaddrinfo`` until the test ends; in a module:

    @pytest.fixture
    def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
        return install(monkeypatch)
    """
    fake = FakeDns()
    real = socket.getaddrinfo

    def getaddrinfo(
        host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> list[AddrInfo]:
        if _is_literal(host) or str(host).lower() in ("localhost", "localhost."):
            return real(host, port, family, type, proto, flags)
        text = host.decode() if isinstance(host, bytes) else str(host)
        addresses = fake.resolve(text)
        if addresses is None:
            raise socket.gaierror(socket.EAI_NONAME, f"fake DNS: {text} is unknown")
        number = int(port or 0)
        kind = type or socket.SOCK_STREAM
        out: list[AddrInfo] = []
        for address in addresses:
            if ":" in address:
                out.append((socket.AF_INET6, kind, proto or 6, "", (address, number, 0, 0)))
            else:
                out.append((socket.AF_INET, kind, proto or 6, "", (address, number)))
        return out

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return fake
