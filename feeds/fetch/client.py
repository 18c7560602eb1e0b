"""Polite, safe fetching: one shared aiohttp client for every source.

aiohttp rather than httpx: on these machines it costs ~0.1 ms of CPU per request against
httpx's 0.6-1.6 ms, and its pool does not degrade with concurrency (shared/perf-notes.md), which
is what lets a check round of a thousand sources stay close to the cost of the network.

What the fetcher guarantees:
- conditional GET (If-None-Match / If-Modified-Since); a 304 is a result, not an error;
- at most ``per_host_concurrency`` requests in flight per host and ``per_host_min_gap`` seconds
  between their starts;
- every request passes the outbound gate (``feeds.fetch.netguard``): the source, its robots.txt,
  each redirect hop (followed by hand, at most ``max_redirects``) and every linked chapter or
  attachment is requested at its canonical URL only after its host was judged, and every
  socket is judged again by the address it connects to;
- a total time limit and a limit on the (decompressed) body size;
- 429 and 5xx become ``TransientFetchError`` carrying ``Retry-After``; other 4xx are permanent;
- after a 429 or 503 the whole host pauses until its ``Retry-After`` (or, without one, an
  exponential backoff with jitter that grows with each consecutive 429/503 from that host):
  every fetch for that host until then fails at once with ``HostPaused`` and sends nothing;
- with a shared host ledger (``shared``, e.g. ``feeds.store.hosts.SharedHosts`` on PostgreSQL)
  the gap and the pauses hold across every worker that uses the same ledger: each request
  start is reserved there, and a pause is written there for all to see;
- robots.txt is honoured per origin and cached (``feeds.fetch.robots``); a disallowed URL raises
  ``RobotsDisallowed``, an unreadable robots.txt ``RobotsUnavailable``; a ``Crawl-delay``
  widens the host's minimum gap (up to ``max_crawl_delay``);
- per-host extra headers (API keys) are sent only to their own host, never along a redirect
  to another host;
- ``force_full=True`` drops the validators: a periodic unconditional GET catches a server
  that wrongly answers 304 (``needs_full_fetch`` says when).

Exceptions raised here (all in ``feeds.errors``)::

    TransientFetchError ── HostPaused, RobotsUnavailable
    PermanentFetchError ── BlockedAddressError (UnsafeURLError), RobotsDisallowed
"""

from __future__ import annotations

import asyncio
import functools
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Protocol
from urllib.parse import urljoin, urlsplit

import aiohttp
from yarl import URL

from feeds.errors import (
    BlockedAddressError,
    HostPaused,
    PermanentFetchError,
    PermanentStatusError,
    TransientFetchError,
    TransientStatusError,
)
from feeds.fetch import robots
from feeds.fetch.netguard import SOURCE_URL_CACHE, OutboundGate, RefusedPeerError, blocked_peer
from feeds.types import FetchResult, Validators

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PAUSING = frozenset({429, 503})
#: the most digits of a whole number from outside (``notifier.numbers.digits``)
_MOST_DIGITS = 18
#: the header Helsedirektoratet's content API (HAPI) takes its key in
HAPI_KEY_HEADER = "Ocp-Apim-Subscription-Key"


@dataclass(frozen=True)
class FetchPolicy:
    """Limits and manners of the fetcher; built from Settings by the shell."""

    user_agent: str = "notifier/0.1 (+https://github.com/notifier; varsel@example.invalid)"
    timeout_seconds: float = 30.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    per_host_concurrency: int = 2
    per_host_min_gap: float = 1.0
    allow_private: bool = False
    total_connections: int = 50
    #: extra request headers per host name, e.g. an API key; sent to that host only
    host_headers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    obey_robots: bool = True
    robots_ttl: float = robots.DEFAULT_TTL
    robots_error_ttl: float = robots.DEFAULT_ERROR_TTL
    #: a robots.txt Crawl-delay above this is capped to it (seconds)
    max_crawl_delay: float = 60.0
    #: first pause after a 429/503 without Retry-After; doubled per consecutive one, with jitter
    backoff_base: float = 30.0
    #: the longest a host is paused, whatever it asks for
    max_host_pause: float = 6 * 3600.0
    #: host names exempt from the private-address guard (tests, an internal mirror)
    private_allowlist: frozenset[str] = frozenset()
    #: how often a source is fetched without validators (see ``needs_full_fetch``)
    full_fetch_every: timedelta = timedelta(hours=24)


@functools.lru_cache(maxsize=SOURCE_URL_CACHE)
def host_of(url: str) -> str:
    """The host name of a URL ('' if none); cached: every round asks again for the same URLs."""
    return urlsplit(url).hostname or ""


@functools.lru_cache(maxsize=1024)
def _client_url(url: str) -> URL:
    """The client's parsed form of a canonical URL, exactly what aiohttp makes of the string
    (``URL(url)``), made once: it parsed and encoded the same URLs again every round."""
    return URL(url)


def needs_full_fetch(last_full: datetime | None, now: datetime, every: timedelta) -> bool:
    """Whether the next fetch of a source should be unconditional (``force_full=True``).

    ``last_full`` is when the source last answered 200 to a fetch sent without validators
    (``FetchResult.conditional`` False); None means never. A server that wrongly answers 304
    would otherwise hide changes forever.
    """
    return last_full is None or now - last_full >= every


def user_agent_with_contact(user_agent: str, contact: str) -> str:
    """The User-Agent with a contact address in its comment, unless it already names one.

    >>> user_agent_with_contact("notifier/0.1 (helsevarsel)", "drift@kommune.no")
    'notifier/0.1 (helsevarsel; drift@kommune.no)'
    """
    contact = contact.strip()
    if not contact or contact in user_agent:
        return user_agent
    if user_agent.endswith(")"):
        return f"{user_agent[:-1]}; {contact})"
    return f"{user_agent} ({contact})"


def conditional_headers(validators: Validators | None, force_full: bool) -> dict[str, str]:
    """The If-None-Match / If-Modified-Since headers to send (none when ``force_full``)."""
    headers: dict[str, str] = {}
    if validators is None or force_full:
        return headers
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def backoff_seconds(failures: int, base: float, cap: float, draw: float) -> float:
    """Exponential backoff with jitter in its upper half: ``draw`` is uniform in [0, 1)."""
    ceiling = min(cap, base * 2.0 ** min(max(0, failures - 1), 60))
    return ceiling / 2 + ceiling / 2 * draw


class HostLedger(Protocol):
    """Per-host manners kept outside this process (shared by several workers)."""

    async def reserve(self, host: str, gap: float) -> tuple[float, float]:
        """(seconds to wait, then start; the start is reserved) or (0, seconds still paused)."""
        ...

    async def pause(self, host: str, seconds: float) -> None:
        """Pause ``host`` for everyone for ``seconds`` (never shortening a longer pause)."""
        ...


@dataclass
class _HostState:
    """What the fetcher remembers of one host within its lifetime."""

    slots: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_start: float | None = None
    gap: float = 0.0
    paused_until: float = 0.0
    pauses: int = 0


class Fetcher:
    """The shared HTTP client; use as ``async with Fetcher(policy) as fetcher``.

    ``clock`` (monotonic seconds) and ``jitter`` (uniform in [0, 1)) are for tests.
    """

    def __init__(
        self,
        policy: FetchPolicy,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        shared: HostLedger | None = None,
    ) -> None:
        self.policy = policy
        self.shared = shared
        self._clock = clock
        self._jitter = jitter
        self._session: aiohttp.ClientSession | None = None
        self._hosts: dict[str, _HostState] = {}
        self._robots = robots.RobotsCache()
        #: origins whose robots.txt is being fetched: set when that fetch ends, however
        self._robots_fetching: dict[str, asyncio.Event] = {}
        self._agent = robots.agent_token(policy.user_agent)
        self.gate = OutboundGate(policy.allow_private, policy.private_allowlist)

    async def __aenter__(self) -> Fetcher:
        connector = self.gate.connector(limit=self.policy.total_connections, ttl_dns_cache=300)
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=self.policy.timeout_seconds),
            headers={"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate"},
            auto_decompress=True,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(
        self,
        url: str,
        validators: Validators | None = None,
        *,
        force_full: bool = False,
        ready: Callable[[], Awaitable[None]] | None = None,
    ) -> FetchResult:
        """GET ``url`` (conditionally unless ``force_full``), following redirects safely.

        Every hop is requested at its canonical URL (``OutboundGate.check``), which is also
        the ``url`` of the result; raises BlockedAddressError for a refused URL or address.
        ``ready`` is awaited inside the host's slot before each request: the caller's
        backpressure (a check round whose fetched bodies wait to be read, feeds/check.py)."""
        headers = conditional_headers(validators, force_full)
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            current = self.gate.check(current)
            if self.policy.obey_robots:
                await self._check_robots(current)
            result = await self._hop(current, headers, ready)
            if isinstance(result, FetchResult):
                return result
            current = result
        raise PermanentFetchError(f"more than {self.policy.max_redirects} redirects from {url}")

    def host_gap(self, host: str) -> float:
        """Seconds kept between request starts to ``host`` (robots.txt Crawl-delay included)."""
        state = self._hosts.get(host)
        return state.gap if state else self.policy.per_host_min_gap

    async def _hop(
        self,
        url: str,
        conditional: Mapping[str, str],
        ready: Callable[[], Awaitable[None]] | None = None,
    ) -> FetchResult | str:
        """One request to one host, inside its slot, honouring and updating its pause."""
        host = host_of(url)
        state = self._host(host)
        self._refuse_if_paused(url, state)
        extra = self.policy.host_headers.get(host)
        headers = {**extra, **conditional} if extra else conditional
        async with state.slots:
            if ready is not None:
                await ready()
            if self.shared is not None or state.gap > 0:
                await self._wait_turn(host, state, url)
            self._refuse_if_paused(url, state)
            try:
                result = await self._get_once(url, headers, bool(conditional))
            except TransientFetchError as exc:
                self._maybe_pause(state, exc)
                if self.shared is not None and state.paused_until > self._clock():
                    await self.shared.pause(host, state.paused_until - self._clock())
                raise
        state.pauses = 0
        return result

    def _host(self, host: str) -> _HostState:
        state = self._hosts.get(host)
        if state is None:
            state = _HostState(asyncio.Semaphore(self.policy.per_host_concurrency))
            state.gap = self.policy.per_host_min_gap
            self._hosts[host] = state
        return state

    def _refuse_if_paused(self, url: str, state: _HostState, wait: float | None = None) -> None:
        wait = state.paused_until - self._clock() if wait is None else wait
        if wait > 0:
            raise HostPaused(
                f"{url}: its host asked us to wait (HTTP 429/503); not fetching for another "
                f"{wait:.0f} s",
                retry_after=wait,
            )

    def _maybe_pause(self, state: _HostState, exc: TransientFetchError) -> None:
        if not isinstance(exc, TransientStatusError) or exc.status not in _PAUSING:
            return
        state.pauses += 1
        if exc.retry_after is not None and exc.retry_after > 0:
            wait = min(exc.retry_after, self.policy.max_host_pause)
        else:
            # no Retry-After, or one that asks for no wait at all (0, or a date already past):
            # our own backoff, never an immediate retry
            wait = backoff_seconds(
                state.pauses, self.policy.backoff_base, self.policy.max_host_pause, self._jitter()
            )
            exc.retry_after = wait
        state.paused_until = max(state.paused_until, self._clock() + wait)

    async def _check_robots(self, url: str) -> None:
        """Enforce the rules of ``url``'s origin, fetching its robots.txt first when they are
        not cached. One request fetches it; the others for that origin wait for that fetch
        to end, all woken at once (behind a lock they woke one per turn of the event loop,
        a round of 1,000 sources of one site in 1,000 turns), and each then reads the rules
        again: after a fetch that failed, the next of them fetches robots.txt itself."""
        origin = robots.origin_of(url)
        rules = self._robots.get(origin, self._clock())
        while rules is None:
            fetching = self._robots_fetching.get(origin)
            if fetching is not None:
                await fetching.wait()
                rules = self._robots.get(origin, self._clock())
                continue
            fetching = self._robots_fetching[origin] = asyncio.Event()
            try:
                rules = await self._fetch_robots(origin)
                self._robots.put(rules)
                self._apply_crawl_delay(urlsplit(url).hostname or "", rules)
            finally:
                del self._robots_fetching[origin]
                fetching.set()
        robots.enforce(rules, url, self._agent, self._clock())

    async def _fetch_robots(self, origin: str) -> robots.RobotsRules:
        """Fetch /robots.txt through the same guarded client (redirects checked per hop)."""
        current = origin + "/robots.txt"
        status: int | None = None
        body = b""
        for _hop in range(self.policy.max_redirects + 1):
            current = self.gate.check(current)
            try:
                result = await self._hop(current, {})
            except (HostPaused, BlockedAddressError):
                raise
            except (TransientStatusError, PermanentStatusError) as exc:
                status = exc.status
                break
            except TransientFetchError:
                break  # no answer: unreachable
            except PermanentFetchError:
                status = 404  # absurdly large: treated as unavailable (allow-all)
                break
            if isinstance(result, FetchResult):
                status, body = result.status, result.body
                break
            current = result
        return robots.rules_from_fetch(
            origin,
            status,
            body,
            self._clock(),
            ttl=self.policy.robots_ttl,
            error_ttl=self.policy.robots_error_ttl,
        )

    def _apply_crawl_delay(self, host: str, rules: robots.RobotsRules) -> None:
        delay = rules.crawl_delay(self._agent)
        if delay is not None:
            state = self._host(host)
            state.gap = max(self.policy.per_host_min_gap, min(delay, self.policy.max_crawl_delay))

    async def _get_once(
        self, url: str, headers: Mapping[str, str], conditional: bool
    ) -> FetchResult | str:
        """One request: a result (``conditional``: whether validators were sent), or the URL a
        redirect points to."""
        assert self._session is not None, "use Fetcher as an async context manager"
        try:
            with self.gate.request_to(url):
                return await self._request(url, headers, conditional)
        except BlockedAddressError:
            raise
        except TimeoutError as exc:
            raise TransientFetchError(
                f"{url} did not answer within {self.policy.timeout_seconds:g} s"
            ) from exc
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, RefusedPeerError):
                raise blocked_peer(url, exc.os_error) from None
            if isinstance(exc.__cause__, BlockedAddressError):
                raise exc.__cause__ from None
            raise TransientFetchError(f"could not connect to {url}: {exc}") from exc
        except aiohttp.ClientError as exc:
            raise TransientFetchError(f"{url}: {type(exc).__name__}: {exc}") from exc

    async def _request(
        self, url: str, headers: Mapping[str, str], conditional: bool
    ) -> FetchResult | str:
        """The request itself (``url`` already canonical and judged)."""
        assert self._session is not None
        target = _client_url(url)
        async with self._session.get(target, headers=headers, allow_redirects=False) as resp:
            if resp.status in _REDIRECTS:
                return _redirect_target(url, resp.status, resp.headers)
            _raise_for_status(url, resp.status, resp.headers)
            body = b"" if resp.status == 304 else await self._read_limited(url, resp)
            return FetchResult(
                url=url,
                status=resp.status,
                body=body,
                headers={k.lower(): v for k, v in resp.headers.items()},
                conditional=conditional,
            )

    async def _read_limited(self, url: str, resp: aiohttp.ClientResponse) -> bytes:
        """The decompressed body, refused as soon as it passes ``max_body_bytes``.

        aiohttp inflates gzip/deflate in bounded chunks as we read, so a small compressed body
        that inflates enormously (a "gzip bomb") is stopped at the limit, never held whole.
        """
        limit = self.policy.max_body_bytes
        if resp.content_length is not None and resp.content_length > limit:
            raise PermanentFetchError(f"{url} is {resp.content_length} bytes; the limit is {limit}")
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(65536):
            size += len(chunk)
            if size > limit:
                raise PermanentFetchError(
                    f"{url} is larger than the limit of {limit} bytes (after decompression); "
                    "raise NOTIFIER_MAX_BODY_BYTES if the source is genuinely this large"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def _wait_turn(self, host: str, state: _HostState, url: str) -> None:
        """Inside the host's slot: wait until this request may start (the host's gap, kept
        here or reserved in the shared ledger). A host without gap and ledger skips this (a
        plain call per request, where a context manager per request cost ~4 us)."""
        if self.shared is not None:
            # one start at a time per host here, reserved in the shared ledger
            async with state.lock:
                wait, paused = await self.shared.reserve(host, state.gap)
                self._refuse_if_paused(url, state, paused)
                if wait > 0:
                    await asyncio.sleep(wait)
        elif state.gap > 0:
            async with state.lock:
                if state.last_start is not None:
                    wait = state.last_start + state.gap - self._clock()
                    if wait > 0:
                        await asyncio.sleep(wait)
                state.last_start = self._clock()


def _redirect_target(url: str, status: int, headers: Mapping[str, str]) -> str:
    location = headers.get("Location")
    if not location:
        raise PermanentFetchError(f"{url} answered {status} without Location")
    # judged by the outbound gate before it is requested: scheme, form, host, address
    return urljoin(url, location)


def _raise_for_status(url: str, status: int, headers: Mapping[str, str]) -> None:
    if status in (200, 203, 304):
        return
    if status == 429 or status >= 500:
        raise TransientStatusError(
            f"{url} answered HTTP {status}", status, retry_after=parse_retry_after(headers)
        )
    if status == 403 and headers.get("cf-mitigated", "").lower() == "challenge":
        raise TransientStatusError(
            f"{url} answered with a bot challenge (HTTP 403, Cloudflare)", status
        )
    if status == 401:
        raise PermanentStatusError(
            f"{url} answered HTTP 401: it needs credentials; for Helsedirektoratet's API set "
            "NOTIFIER_HDIR_API_KEY (a free key), otherwise disable the source",
            status,
        )
    raise PermanentStatusError(f"{url} answered HTTP {status}", status)


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), if any; 0.0 for
    a date in the past (the caller then backs off on its own). Delta-seconds are 1 to 18
    ASCII digits (the rule of ``notifier.numbers.digits``, which ``feeds`` may not import):
    ``"²".isdigit()`` is true and ``float("²")`` raises; "٣" would read as 3."""
    value = headers.get("Retry-After") or headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value) if value.isascii() and len(value) <= _MOST_DIGITS else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
