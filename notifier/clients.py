"""Who counts as one client for a per-client limit. Pure.

Every per-client limit (the public reads, sign-ups, staff logins, wrong API tokens, adding
push endpoints) keys on ``network(host)``: an IPv4 address as it is, an IPv4-mapped IPv6
address (``::ffff:192.0.2.1``) as the IPv4 address it names, and any other IPv6 address by
its /64. A home line or a rented server is given a whole /64, so keying on the full IPv6
address would let one attacker send every request from a fresh address and never meet a
limit. The host is the address the app sees (``request.client.host``); uvicorn takes it from
``X-Forwarded-For`` only for a trusted proxy (``FORWARDED_ALLOW_IPS``).
"""

from __future__ import annotations

import ipaddress


def network(host: str) -> str:
    """The client key of ``host``; a text that is no address (a test client, a Unix socket)
    as it is, or ``unknown`` when empty."""
    text = host.strip()
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
