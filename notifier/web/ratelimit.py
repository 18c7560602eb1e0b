"""Rate limits on the public reads: the JSON API (``/api/v1/``, ``/api/changes``), the Atom
feeds (``/endringer.atom``) and the change log's full-text search (``/endringer?q=``).

Per client and per scope, in fixed windows of ``Limit.seconds`` aligned to the clock (every
process agrees where a window starts): the ``Limit.count + 1``-th request of a window is
answered 429 with ``Retry-After`` (the seconds to the next window), in the API's Norwegian JSON
(``rate_limited``) or, for the change log, a Norwegian page. A request that names a search
(``q``) counts in ``search`` as well as in its own scope. Conditional GETs count like any other:
the limit runs before the route, so a 304 costs a hit too.

The client is the address the app sees (``request.client.host``), as for the sign-up and login
limits: uvicorn takes it from ``X-Forwarded-For`` only when the request comes from a trusted
proxy (``FORWARDED_ALLOW_IPS``, 127.0.0.1 by default; docs/operations.md). IPv6 clients count by
their /64, which one subscriber line usually gets whole.

Counting is in memory, per process, under a lock: no database work per request. On PostgreSQL
several web processes share the count through ``rate_event`` in chunks: every ``chunk`` hits of
one client in one window, a process writes one row and reads how many rows all processes
wrote; its estimate is those rows times ``chunk`` plus its own hits not yet written. So the
database sees at most one short transaction per ``chunk`` requests of a client, and the limit
holds across processes to within ``chunk - 1`` requests per other process. On SQLite (one
process: the embedded default) nothing is written. A database error while sharing leaves the
count local (logged), never refuses a request. ``housekeeping.purge`` deletes the rows with
the other rate events.

Memory: the windows of one period only (a new window drops the old counts), at most
``MAX_CLIENTS`` clients a window; past that, new clients share a bucket per wide prefix (IPv4
/16, IPv6 /32: an attack from that many addresses at once is limited per network it holds
rather than growing the table, and new clients elsewhere keep their own limit).

The limits are settings: NOTIFIER_API_LIMIT_PER_MINUTE (120), NOTIFIER_FEED_LIMIT_PER_MINUTE
(60) and NOTIFIER_SEARCH_LIMIT_PER_MINUTE (30); 0 turns one off (``limits_from``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from fastapi import Request
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, func, select

from notifier.clients import network as client_network
from notifier.context import Context
from notifier.settings import Settings
from notifier.web.deps import Refused
from notifier.web.pages import Pages, request_lang
from notifier.web.public_views import Href
from notifier.web.routes.api_common import ApiProblem
from notifier.web.texts import TEXTS
from subscribers.models import RateEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    """``count`` requests per client in every window of ``seconds``."""

    count: int
    seconds: int = 60


#: the scopes; their defaults (settings): a feed reader polls a handful of feeds every few
#: minutes, a script pages through the API at a few requests a second at most; a search runs
#: full-text search
API, FEED, SEARCH = "api", "feed", "search"


def limits_from(settings: Settings) -> dict[str, Limit]:
    """The limits the settings ask for, without those set to 0 (off)."""
    counts = {
        API: settings.api_limit_per_minute,
        FEED: settings.feed_limit_per_minute,
        SEARCH: settings.search_limit_per_minute,
    }
    return {scope: Limit(count) for scope, count in counts.items() if count > 0}


#: clients counted per window before new ones share a bucket per wide prefix (``overflow``)
MAX_CLIENTS = 100_000
#: the last bucket of all, when even the wide prefixes have filled a second table's worth
OVERFLOW = "*"


def overflow(client: str) -> str:
    """The bucket a new client shares once the table is full: its wide prefix (IPv4 /16,
    IPv6 /32), so that an attacker who fills the table with fresh addresses limits only new
    clients of the networks he holds, not every new client everywhere."""
    try:
        network = ipaddress.ip_network(client, strict=False)
    except ValueError:
        return OVERFLOW
    wide = 16 if network.version == 4 else 32
    return f"*{network.supernet(new_prefix=wide)}" if network.prefixlen > wide else f"*{network}"


def client_of(request: Request) -> str:
    """The client's key: its address, an IPv6 address by its /64 (``notifier.clients``)."""
    return client_network(request.client.host if request.client else "")


@dataclass
class _Count:
    """One client's count in one scope and window, in this process."""

    hits: int = 0  # this process's hits
    written: int = 0  # of them, how many rows of ``chunk`` went to the database
    shared: int = 0  # rows all processes had written when this one last looked


class RateLimits:
    """The counts of one web process (one per app, on ``app.state``)."""

    def __init__(
        self, ctx: Context, limits: Mapping[str, Limit] | None = None, *, share: bool | None = None
    ) -> None:
        self.ctx = ctx
        self.limits = dict(limits_from(ctx.settings) if limits is None else limits)
        self.share = ctx.engine.dialect.name == "postgresql" if share is None else share
        self._lock = threading.Lock()
        self._window: dict[str, int] = {}
        self._counts: dict[str, dict[str, _Count]] = {}

    def chunk(self, scope: str) -> int:
        """Hits of one client a process counts before it writes a row: a tenth of the limit
        (at least one), so the shared count is never more than that behind per process."""
        return max(1, self.limits[scope].count // 10)

    def hit(self, scope: str, client: str) -> int | None:
        """Count one request of ``client`` in ``scope``; None when it is within the limit, else
        the seconds until the window ends (for ``Retry-After``)."""
        limit = self.limits.get(scope)
        if limit is None:  # turned off
            return None
        now = self.ctx.clock().timestamp()
        window = math.floor(now / limit.seconds)
        retry = max(1, math.ceil((window + 1) * limit.seconds - now))
        chunk = self.chunk(scope)
        with self._lock:
            if self._window.get(scope) != window:
                self._window[scope], self._counts[scope] = window, {}
            counts = self._counts[scope]
            if client not in counts and len(counts) >= MAX_CLIENTS:
                client = overflow(client)
                if client not in counts and len(counts) >= 2 * MAX_CLIENTS:
                    client = OVERFLOW
            count = counts.setdefault(client, _Count())
            count.hits += 1
            write = self.share and count.hits - count.written >= chunk
            if write:
                count.written += chunk  # claimed under the lock: no other thread writes it
            estimate = max(count.shared * chunk, count.written) + count.hits - count.written
        if write:
            shared = self._write(scope, client, window, limit)
            if shared is not None:
                with self._lock:
                    count.shared = max(count.shared, shared)
                    estimate = max(count.shared * chunk, count.written)
                    estimate += count.hits - count.written
        return retry if estimate > limit.count else None

    def _write(self, scope: str, client: str, window: int, limit: Limit) -> int | None:
        """One row for ``chunk`` hits, and the rows every process wrote in this window."""
        digest = hashlib.sha256(client.encode()).hexdigest()[:32]
        key = f"read:{scope}:{window}:{digest}"
        start = datetime.fromtimestamp(window * limit.seconds, UTC)
        try:
            with Session(self.ctx.engine) as session:
                session.add(RateEvent(key=key, created_at=self.ctx.clock()))
                session.flush()
                rows = session.exec(
                    select(func.count())
                    .select_from(RateEvent)
                    .where(RateEvent.key == key, col(RateEvent.created_at) >= start)
                ).one()
                session.commit()
                return int(rows)
        except SQLAlchemyError:
            log.warning("rate limit: the shared count could not be written; counting locally")
            return None


# --- the routes' side --------------------------------------------------------------------


def limits_of(request: Request) -> RateLimits:
    return cast(RateLimits, request.app.state.rate_limits)


def _searches(request: Request) -> bool:
    return bool(request.query_params.get("q", "").strip())


def check(request: Request, scope: str) -> int | None:
    """Count this request in ``scope`` (and in ``search`` when it names a search); None when
    it may go on, else the seconds to wait."""
    limits = limits_of(request)
    client = client_of(request)
    retry = limits.hit(scope, client)
    if retry is None and _searches(request):
        retry = limits.hit(SEARCH, client)
    return retry


def _json_limit(scope: str) -> Callable[[Request], None]:
    def limit(request: Request) -> None:
        retry = check(request, scope)
        if retry is not None:
            raise ApiProblem("rate_limited", status=429, headers={"Retry-After": str(retry)})

    return limit


#: dependencies of the API's and the feeds' routes: 429 with the API's JSON error
api_limit = _json_limit(API)
feed_limit = _json_limit(FEED)


def search_limit(request: Request) -> None:
    """The change log: a search (``q``) counts in ``search``; over the limit, a Norwegian page
    (429, ``Retry-After``). Browsing without a search is not limited."""
    if not _searches(request):
        return
    retry = limits_of(request).hit(SEARCH, client_of(request))
    if retry is None:
        return
    pages: Pages = request.app.state.pages
    t = TEXTS[request_lang(request)]
    page = pages.message(
        request, t["search_limited_title"], t["search_limited_text"].format(seconds=retry),
        status=429, link=(Href(request_lang(request))("/endringer"), t["back_to_list"]),
    )  # fmt: skip
    page.headers["Retry-After"] = str(retry)
    page.headers["Cache-Control"] = "no-store"
    raise Refused(page)
