"""Refuse to fetch private, loopback and other internal addresses (SSRF protection).

Checked twice: the literal host of every URL we request (each redirect hop included), and every
address a host name resolves to, inside the resolver the HTTP client connects with, so a DNS
answer that changes between check and connect (rebinding) is refused as well. IP literals never
reach the resolver (aiohttp connects to them directly), so the literal check is their only guard
and runs on every hop.

``allowlist`` names hosts exempt from the guard: for tests that serve on 127.0.0.1 while the
guard stays on for every other host, or an internal mirror an operator names explicitly.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from aiohttp.abc import ResolveResult
from aiohttp.resolver import ThreadedResolver

from feeds.errors import BlockedAddressError


def is_internal_address(address: str) -> bool:
    """True for addresses a public-web fetcher must never reach."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def check_literal_host(host: str, allow_private: bool) -> None:
    """Refuse a URL whose host is an internal IP literal (or 'localhost')."""
    if allow_private:
        return
    bare = host.strip("[]").lower()
    if bare == "localhost" or bare.endswith(".localhost") or is_internal_address(bare):
        raise BlockedAddressError(
            f"refusing to fetch {host}: it is a private or loopback address "
            "(set NOTIFIER_ALLOW_PRIVATE_SOURCES=true to allow it, e.g. for tests)"
        )


class GuardedResolver(ThreadedResolver):
    """A resolver that refuses host names resolving to internal addresses."""

    def __init__(
        self,
        allow_private: bool,
        allowlist: frozenset[str] = frozenset(),
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._allow_private = allow_private
        self._allowlist = allowlist

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await super().resolve(host, port, family)
        if not self._allow_private and host not in self._allowlist:
            for result in results:
                if is_internal_address(result["host"]):
                    raise BlockedAddressError(
                        f"refusing to fetch {host}: it resolves to the internal address "
                        f"{result['host']} (set NOTIFIER_ALLOW_PRIVATE_SOURCES=true to allow it)"
                    )
        return results
