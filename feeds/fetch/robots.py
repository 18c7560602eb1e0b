"""robots.txt: what a site lets us fetch, decided from its fetched text (RFC 9309).

Pure apart from the clock the caller passes in: the fetcher (``feeds.fetch``) downloads
``/robots.txt`` through its own guarded client and hands the outcome to :func:`rules_from_fetch`;
:class:`RobotsCache` keeps the rules per origin (scheme, host, port) for a time to live.

What an answer means (RFC 9309, section 2.3.1):

- 2xx: the rules in the text apply. ``urllib.robotparser`` parses them (groups, user agents,
  ``Crawl-delay``), but its matching predates RFC 9309 (first rule wins, ``*`` and ``$`` taken
  literally), so :func:`path_allowed` matches its parsed rules the RFC way: the longest
  matching rule wins, ``Allow`` on a tie, ``*`` matches any run of characters and a final
  ``$`` anchors the end.
- 4xx (404, 410, also 401/403): "unavailable"; everything is allowed.
- 5xx, 429, a timeout or a connection failure: "unreachable"; everything is disallowed *for
  now*. This outcome is cached for a short time only (``error_ttl``), so the site is asked again
  soon, and the fetch is refused with :class:`RobotsUnavailable`, a *transient* error: the source
  is retried with backoff rather than reported as misconfigured.

Exceptions (both under ``FetchError``, see ``feeds.errors``)::

    TransientFetchError
    └── RobotsUnavailable    robots.txt could not be read; we do not fetch until it can be
    PermanentFetchError
    └── RobotsDisallowed     robots.txt disallows this URL for our user agent
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote, urlparse, urlsplit, urlunparse, urlunsplit
from urllib.robotparser import RobotFileParser

from feeds.errors import RobotsDisallowed, RobotsUnavailable
from feeds.fetch.netguard import SOURCE_URL_CACHE

#: the longest robots.txt we read; RFC 9309 asks crawlers to parse at least 500 KiB
MAX_ROBOTS_BYTES = 512 * 1024
#: how long good (2xx or 4xx) robots rules are trusted
DEFAULT_TTL = 24 * 3600.0
#: how long an unreachable robots.txt blocks its site before we ask again
DEFAULT_ERROR_TTL = 15 * 60.0


@dataclass(frozen=True)
class RobotsRules:
    """The rules of one origin; ``parser`` is None when everything is allowed or disallowed."""

    origin: str
    fetched_at: float
    expires_at: float
    allow_all: bool = False
    unreachable: bool = False
    parser: RobotFileParser | None = None
    reason: str = ""

    def allows(self, url: str, agent: str) -> bool:
        if self.unreachable:
            return False
        if self.allow_all or self.parser is None:
            return True
        return path_allowed(self.parser, url, agent)

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return float(delay) if delay is not None else None


@functools.lru_cache(maxsize=SOURCE_URL_CACHE)
def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL: the unit robots.txt rules apply to (cached: every
    round asks again for the same URLs)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "", "", ""))


def robots_url(url: str) -> str:
    return origin_of(url) + "/robots.txt"


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups match: ``notifier/0.1 (...)`` -> ``notifier``."""
    token = user_agent.strip().split("/", 1)[0].split(" ", 1)[0]
    return token or "*"


def parse_rules(text: str) -> RobotFileParser:
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return parser


def rules_from_fetch(
    origin: str,
    status: int | None,
    body: bytes,
    now: float,
    ttl: float = DEFAULT_TTL,
    error_ttl: float = DEFAULT_ERROR_TTL,
) -> RobotsRules:
    """The rules an outcome of fetching robots.txt means; ``status`` None: no answer at all."""
    if status is not None and 200 <= status < 300:
        text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
        return RobotsRules(origin, now, now + ttl, parser=parse_rules(text))
    if status is not None and 400 <= status < 500 and status != 429:
        return RobotsRules(origin, now, now + ttl, allow_all=True, reason=f"HTTP {status}")
    reason = "no answer" if status is None else f"HTTP {status}"
    return RobotsRules(origin, now, now + error_ttl, unreachable=True, reason=reason)


def path_allowed(parser: RobotFileParser, url: str, agent: str) -> bool:
    """RFC 9309 matching of ``url`` against the group of ``parser`` that applies to ``agent``."""
    entry = _group_for(parser, agent)
    if entry is None:
        return True
    target = _request_path(url)
    best: tuple[int, bool] | None = None
    for line in entry.rulelines:
        rule: str = line.path
        if rule and _rule_pattern(rule).match(target):
            candidate = (len(rule), bool(line.allowance))
            best = candidate if best is None else max(best, candidate)
    return best is None or best[1]


def _group_for(parser: RobotFileParser, agent: str) -> Any:
    """The parsed group (robotparser's ``Entry``) for our agent, else the ``*`` group."""
    internals: Any = parser
    for entry in internals.entries:
        if entry.applies_to(agent):
            return entry
    return internals.default_entry


def _request_path(url: str) -> str:
    """Path and query, normalised the way robotparser quotes its rules."""
    parts = urlparse(unquote(url))
    path = urlunparse(("", "", parts.path, parts.params, parts.query, ""))
    return quote(path) or "/"


@lru_cache(maxsize=1024)
def _rule_pattern(rule: str) -> re.Pattern[str]:
    """A quoted rule path as a regex: '%2A' (a quoted '*') is a wildcard, a final '%24' ('$')
    anchors the end."""
    anchored = rule.endswith("%24")
    body = rule[:-3] if anchored else rule
    pattern = ".*".join(re.escape(piece) for piece in body.split("%2A"))
    return re.compile(pattern + ("$" if anchored else ""))


def enforce(rules: RobotsRules, url: str, agent: str, now: float) -> None:
    """Raise if ``rules`` forbid fetching ``url`` now; return quietly if allowed."""
    if rules.unreachable:
        wait = max(0.0, rules.expires_at - now)
        raise RobotsUnavailable(
            f"{url}: {rules.origin}/robots.txt could not be read ({rules.reason}); "
            f"not fetching from this site until it can be (asking again in {wait:.0f} s)",
            retry_after=wait,
        )
    if not rules.allows(url, agent):
        raise RobotsDisallowed(
            f"{url} is disallowed by {rules.origin}/robots.txt for user agent {agent!r}; "
            "remove or disable this source in the catalogue, or ask the site for access"
        )


class RobotsCache:
    """Rules per origin, kept until they expire (the clock is the caller's)."""

    def __init__(self) -> None:
        self._rules: dict[str, RobotsRules] = {}

    def get(self, origin: str, now: float) -> RobotsRules | None:
        rules = self._rules.get(origin)
        if rules is None or now >= rules.expires_at:
            return None
        return rules

    def put(self, rules: RobotsRules) -> None:
        self._rules[rules.origin] = rules
