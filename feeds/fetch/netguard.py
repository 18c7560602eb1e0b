"""The outbound gate: what the fetcher may request, and whom it may connect to (SSRF protection).

Every request the service makes goes through :class:`OutboundGate`, in three places:

1. :meth:`OutboundGate.check` takes the URL of every request (a source, its robots.txt, each
   redirect hop, a chapter, a PDF attachment) and returns its canonical form, or raises.
   Canonical means: http or https only; no credentials (``user@``), backslashes, control
   characters; the host mapped the way a browser and our HTTP client would
   map it (Unicode NFKC and UTS 46 / IDNA, so full-width digits and ideographic full stops
   become ASCII; any IPv4 form, ``2130706433``, ``0x7f.1``, ``0177.0.0.1``, as a dotted quad;
   IPv6 compressed; a final dot dropped). The canonical host is then judged: a private,
   loopback, link-local or otherwise non-global address, ``localhost`` or ``*.localhost`` is
   refused. The request is made to the canonical URL, so what was judged is what is fetched.
2. :class:`GuardedResolver` refuses a host name that resolves to an internal address, inside
   the resolver the client connects with: a DNS answer that changes between check and connect
   (rebinding) is refused as well.
3. The connector's socket factory (:meth:`OutboundGate.connector`) judges the address of every
   socket before it connects, whatever led to it: IP literals never reach the resolver, and
   this is the check that cannot be walked around by a form of URL nobody thought of.

``allowlist`` names hosts exempt from the guard: for tests that serve on 127.0.0.1 while the
guard stays on for every other host, or an internal mirror an operator names explicitly. A
connection is exempt only while a request to an allowlisted host is being made
(:meth:`OutboundGate.request_to`).
"""

from __future__ import annotations

import contextvars
import errno
import functools
import ipaddress
import re
import socket
import unicodedata
from collections.abc import Iterable
from types import TracebackType
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

import aiohttp
import idna
from aiohappyeyeballs import AddrInfoType
from aiohttp.abc import ResolveResult
from aiohttp.resolver import ThreadedResolver

from feeds.errors import BlockedAddressError, UnsafeURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

SCHEMES = frozenset({"http", "https"})

#: per-URL results remembered for the sources' own addresses (here, and ``host_of`` and
#: ``origin_of``): every round asks again for the same URLs. 2,048 hold a catalogue many times
#: the size of ours; a worker that checks more sources in turn would find nothing in an LRU
#: cache it cycles through, whatever its size, and a full cache of 8,192 URLs held ~2.4 MB
SOURCE_URL_CACHE = 2048
#: full stops that IDNA (UTS 46) treats as label separators: ideographic, full-width, half-width
_UNICODE_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_ASCII_HOST = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
_HEX = re.compile(r"0[xX][0-9a-fA-F]*")
_MAX_HOST = 253
_HOW_TO_ALLOW = (
    "fix or remove the source; only for tests or an internal mirror, allow internal "
    "addresses with NOTIFIER_ALLOW_PRIVATE_SOURCES=true"
)
#: while a request to an allowlisted host is made, its connections may reach internal addresses
_EXEMPT: contextvars.ContextVar[bool] = contextvars.ContextVar("netguard_exempt", default=False)


class RefusedPeerError(OSError):
    """A socket was about to connect to an internal address (raised by the socket factory).

    An OSError, so the HTTP client reports it as a connection failure; its text is the same
    for every address, so a host with several refused addresses still raises this class
    (aiohappyeyeballs merges differing messages into a plain OSError)."""

    def __init__(self, address: str) -> None:
        super().__init__(errno.EACCES, "refused by the outbound gate: an internal address")
        self.address = address


# ----------------------------------------------------------------------------- addresses


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, Teredo, NAT64)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    packed = int(ip)
    if packed >> 32 == 0 and packed > 1:  # ::a.b.c.d, IPv4-compatible (deprecated)
        return ipaddress.IPv4Address(packed & 0xFFFFFFFF)
    if ip in ipaddress.IPv6Network("64:ff9b::/96"):  # NAT64, well-known prefix
        return ipaddress.IPv4Address(packed & 0xFFFFFFFF)
    return None


#: special-purpose ranges (IANA registries) that are not globally reachable but that older
#: Pythons' ``is_global`` still accepts: the IPv4 dummy address, local-use NAT64, the IPv6
#: documentation and SRv6 prefixes, and the whole IETF protocol block 192.0.0.0/24
_NOT_GLOBAL = (
    ipaddress.ip_network("192.0.0.0/24"),
    ipaddress.ip_network("64:ff9b:1::/48"),
    ipaddress.ip_network("3fff::/20"),
    ipaddress.ip_network("5f00::/16"),
    ipaddress.ip_network("100::/64"),
)


def _is_internal_ip(ip: IPAddress) -> bool:
    return bool(
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
        or any(ip.version == net.version and ip in net for net in _NOT_GLOBAL)
    )


def is_internal_address(address: str) -> bool:
    """True for addresses a public-web fetcher must never reach (IPv4 inside IPv6 included)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None and _is_internal_ip(inner):
            return True
    return _is_internal_ip(ip)


def is_internal_name(host: str) -> bool:
    """True for host names that always mean this machine (``localhost``, ``*.localhost``)."""
    return host == "localhost" or host.endswith(".localhost")


# ----------------------------------------------------------------------------- canonical form


def canonical_host(host: str) -> str:
    """The host as the client connects to it: lowercase ASCII (IDNA A-labels), an IPv4 address
    in any numeric form as a dotted quad, IPv6 compressed (without brackets), no final dot.

    >>> canonical_host("１２７。0。0。1"), canonical_host("0x7f.1"), canonical_host("ÆØÅ.no")
    ('127.0.0.1', '127.0.0.1', 'xn--5cab8c.no')

    Raises UnsafeURLError for anything else (an IPv6 zone, a percent sign, an invalid label).
    """
    bare = host.strip()
    if bare.startswith("[") or ":" in bare:
        return _canonical_ipv6(bare)
    ascii_host = _ascii_host(bare)
    if ascii_host.endswith("."):
        ascii_host = ascii_host[:-1]
    if not ascii_host or len(ascii_host) > _MAX_HOST or not _ASCII_HOST.fullmatch(ascii_host):
        raise UnsafeURLError(f"{host!r} is not a valid internet host name")
    labels = ascii_host.split(".")
    if _is_number(labels[-1]):
        return _canonical_ipv4(labels, host)
    return ascii_host


def _canonical_ipv6(host: str) -> str:
    inner = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if "%" in inner:
        raise UnsafeURLError(f"{host!r}: IPv6 zone identifiers are not allowed in a URL")
    try:
        return ipaddress.IPv6Address(inner).compressed
    except ValueError as exc:
        raise UnsafeURLError(f"{host!r} is not a valid IPv6 address") from exc


def _ascii_host(host: str) -> str:
    """Lowercase ASCII host: Unicode mapped by NFKC and UTS 46 (IDNA 2008), then encoded."""
    if host.isascii():
        lowered = host.lower()
        for label in lowered.split("."):
            if label.startswith("xn--"):
                _check_a_label(label, host)
        return lowered
    mapped = unicodedata.normalize("NFKC", host).translate(_UNICODE_DOTS)
    try:
        return idna.encode(mapped, uts46=True, transitional=False).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        raise UnsafeURLError(f"{host!r} is not a valid internet host name: {exc}") from exc


def _check_a_label(label: str, host: str) -> None:
    try:
        idna.decode(label)
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        raise UnsafeURLError(f"{host!r} has an invalid IDNA label {label!r}: {exc}") from exc


def _is_number(label: str) -> bool:
    """Whether a last label makes the host an IPv4 address (the WHATWG URL rule)."""
    return label.isdigit() or bool(_HEX.fullmatch(label))


def _ipv4_part(part: str) -> int:
    """One part of an IPv4 address in decimal, octal (leading 0) or hex (0x); -1 if invalid."""
    try:
        if _HEX.fullmatch(part):
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part.startswith("0"):
            return int(part[1:], 8)
        return int(part, 10) if part.isdigit() else -1
    except ValueError:
        return -1


def _canonical_ipv4(labels: list[str], host: str) -> str:
    """1 to 4 numeric parts (``127.1``, ``2130706433``, ``0x7f.0.0.1``) as a dotted quad."""
    numbers = [_ipv4_part(part) for part in labels]
    invalid = len(numbers) > 4 or any(n < 0 for n in numbers)
    if invalid or any(n > 255 for n in numbers[:-1]):
        raise UnsafeURLError(f"{host!r} is neither a host name nor a valid IPv4 address")
    last = numbers[-1]
    if last >= 256 ** (5 - len(numbers)):
        raise UnsafeURLError(f"{host!r} is out of range for an IPv4 address")
    value = last
    for index, number in enumerate(numbers[:-1]):
        value += number << (8 * (3 - index))
    return str(ipaddress.IPv4Address(value))


def _split(url: str) -> SplitResult:
    """The URL's parts, refusing what parsers disagree on or what hides a second host."""
    if "\\" in url:
        raise UnsafeURLError(
            f"{url!r} contains a backslash; browsers read it as '/', so it can hide another host"
        )
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in url):
        raise UnsafeURLError(f"{url!r} contains control characters (a tab, a line break, ...)")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise UnsafeURLError(f"{url!r} is not a valid URL: {exc}") from exc
    if parts.scheme.lower() not in SCHEMES:
        raise UnsafeURLError(f"{url!r}: only http and https URLs are fetched")
    if "@" in parts.netloc:
        raise UnsafeURLError(
            f"{url!r} carries credentials (user@host); put API keys in settings, not in URLs"
        )
    if not parts.hostname:
        raise UnsafeURLError(f"{url!r} has no host")
    return parts


@functools.lru_cache(maxsize=SOURCE_URL_CACHE)
def canonical_request_url(url: str) -> str:
    """The URL with its canonical host (see :func:`canonical_host`); its form checked, its
    address not judged. Raises UnsafeURLError."""
    parts = _split(url)
    host = canonical_host(_raw_host(parts))
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))


def _raw_host(parts: SplitResult) -> str:
    """The host as written (urlsplit's ``hostname`` lowercases and strips the brackets)."""
    netloc = parts.netloc
    if netloc.startswith("["):
        return netloc[: netloc.index("]") + 1] if "]" in netloc else netloc
    return netloc.rsplit(":", 1)[0] if parts.port is not None or netloc.endswith(":") else netloc


def canonical_allowlist(hosts: Iterable[str]) -> frozenset[str]:
    """The allowlist in canonical form, so that any spelling of an allowed host matches."""
    return frozenset(canonical_host(host) for host in hosts if host.strip())


@functools.lru_cache(maxsize=SOURCE_URL_CACHE)
def host_of_canonical(url: str) -> str:
    """The host of a canonical URL (without brackets), as :meth:`OutboundGate.check` judged it."""
    return urlsplit(url).hostname or ""


@functools.lru_cache(maxsize=4096)
def refusal(host: str) -> str | None:
    """Why a canonical host must not be reached, or None if it may."""
    if is_internal_name(host):
        return f"{host} names this machine (a private or loopback address)"
    if is_internal_address(host):
        return f"{host} is a private or loopback address"
    return None


# ----------------------------------------------------------------------------- the gate


class OutboundGate:
    """The rules for every outbound request of one fetcher (see the module docstring)."""

    def __init__(self, allow_private: bool, allowlist: Iterable[str] = ()) -> None:
        self.allow_private = allow_private
        self.allowlist = canonical_allowlist(allowlist)

    def check(self, url: str) -> str:
        """The canonical URL to request instead of ``url``; raises UnsafeURLError for a URL
        of a refused form and BlockedAddressError for one that points at an internal host."""
        canonical = canonical_request_url(url)
        host = host_of_canonical(canonical)
        if self.allow_private or host in self.allowlist:
            return canonical
        reason = refusal(host)
        if reason is not None:
            raise BlockedAddressError(f"refusing to fetch {url}: {reason}; {_HOW_TO_ALLOW}")
        return canonical

    def exempt(self, host: str) -> bool:
        """Whether connections for a request to this canonical host may reach internal
        addresses."""
        return self.allow_private or host in self.allowlist

    def request_to(self, url: str) -> _RequestTo:
        """Mark the connections made inside as made for a request to ``url`` (canonical)."""
        return _RequestTo(self.exempt(host_of_canonical(url)))

    def open_socket(self, addr_info: AddrInfoType) -> socket.socket:
        """aiohttp's socket factory: refuses, before connecting, a socket to an internal
        address unless the request it is made for is exempt."""
        family, type_, proto, _canonname, sockaddr = addr_info
        address = str(sockaddr[0])
        if not (self.allow_private or _EXEMPT.get()) and is_internal_address(address):
            raise RefusedPeerError(address)
        return socket.socket(family=family, type=type_, proto=proto)

    def connector(self, **kwargs: Any) -> aiohttp.TCPConnector:
        """A TCP connector whose resolver and every socket are guarded."""
        return aiohttp.TCPConnector(
            resolver=GuardedResolver(self.allow_private, self.allowlist),
            socket_factory=self.open_socket,
            **kwargs,
        )


class _RequestTo:
    """``OutboundGate.request_to``: whether the connections made inside are exempt, set for
    the block and reset after it (a class: a generator's context manager cost ~3x more, and
    every request enters one)."""

    __slots__ = ("_exempt", "_token")

    def __init__(self, exempt: bool) -> None:
        self._exempt = exempt

    def __enter__(self) -> None:
        self._token = _EXEMPT.set(self._exempt)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _EXEMPT.reset(self._token)


def blocked_peer(url: str, error: RefusedPeerError) -> BlockedAddressError:
    """The fetch error for a connection the socket factory refused."""
    return BlockedAddressError(
        f"refusing to connect to {error.address} for {url}: it is a private or loopback "
        f"address; {_HOW_TO_ALLOW}"
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
        self._allowlist = canonical_allowlist(allowlist)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await super().resolve(host, port, family)
        if self._allow_private or _allowlisted(host, self._allowlist):
            return results
        for result in results:
            if is_internal_address(result["host"]):
                raise BlockedAddressError(
                    f"refusing to fetch {host}: it resolves to the internal address "
                    f"{result['host']}; {_HOW_TO_ALLOW}"
                )
        return results


def _allowlisted(host: str, allowlist: frozenset[str]) -> bool:
    try:
        return canonical_host(host) in allowlist
    except UnsafeURLError:
        return False
