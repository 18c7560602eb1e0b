"""robots.txt rules (pure): what each answer means, matching, caching (RFC 9309)."""

from __future__ import annotations

import pytest

from feeds.errors import (
    PermanentFetchError,
    RobotsDisallowed,
    RobotsUnavailable,
    TransientFetchError,
)
from feeds.fetch.robots import (
    MAX_ROBOTS_BYTES,
    RobotsCache,
    agent_token,
    enforce,
    origin_of,
    robots_url,
    rules_from_fetch,
)

ORIGIN = "https://www.fhi.no"
ROBOTS = b"""\xef\xbb\xbfUser-agent: *
Disallow: /sok/
Disallow: /*?filter=
Allow: /sok/hjelp

User-agent: notifier
Disallow: /intern/
Crawl-delay: 3
"""


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://www.fhi.no/nyheter/", True),
        ("https://www.fhi.no/intern/side", False),  # our own group applies
        ("https://www.fhi.no/sok/?q=x", True),  # only the '*' group forbids it
    ],
)
def test_our_group_is_matched_by_product_token(url: str, allowed: bool) -> None:
    rules = rules_from_fetch(ORIGIN, 200, ROBOTS, now=0.0)
    assert rules.allows(url, "notifier") is allowed
    assert rules.crawl_delay("notifier") == 3.0


def test_other_agents_get_the_star_group() -> None:
    rules = rules_from_fetch(ORIGIN, 200, ROBOTS, now=0.0)
    assert not rules.allows("https://www.fhi.no/sok/?q=x", "annen")


@pytest.mark.parametrize("status", [401, 403, 404, 410])
def test_4xx_means_everything_is_allowed(status: int) -> None:
    rules = rules_from_fetch(ORIGIN, status, b"", now=0.0)
    assert rules.allow_all and rules.allows("https://www.fhi.no/x", "notifier")
    assert rules.expires_at == pytest.approx(24 * 3600)


@pytest.mark.parametrize("status", [None, 429, 500, 503])
def test_unreachable_means_disallowed_for_a_short_while(status: int | None) -> None:
    rules = rules_from_fetch(ORIGIN, status, b"", now=100.0, error_ttl=60.0)
    assert rules.unreachable and rules.expires_at == 160.0
    with pytest.raises(RobotsUnavailable, match=r"robots\.txt could not be read") as info:
        enforce(rules, "https://www.fhi.no/x", "notifier", now=130.0)
    assert isinstance(info.value, TransientFetchError) and info.value.retry_after == 30.0


def test_disallowed_is_permanent_and_says_what_to_do() -> None:
    rules = rules_from_fetch(ORIGIN, 200, b"User-agent: *\nDisallow: /\n", now=0.0)
    with pytest.raises(RobotsDisallowed, match="disable this source") as info:
        enforce(rules, "https://www.fhi.no/x", "notifier", now=1.0)
    assert isinstance(info.value, PermanentFetchError)
    assert "https://www.fhi.no/robots.txt" in str(info.value)


def test_oversized_robots_is_read_up_to_the_limit() -> None:
    body = b"User-agent: *\nDisallow: /a\n" + b"#" * MAX_ROBOTS_BYTES + b"\nDisallow: /b\n"
    rules = rules_from_fetch(ORIGIN, 200, body, now=0.0)
    assert not rules.allows("https://www.fhi.no/a", "notifier")
    assert rules.allows("https://www.fhi.no/b", "notifier")


def test_cache_expires() -> None:
    cache = RobotsCache()
    cache.put(rules_from_fetch(ORIGIN, 404, b"", now=0.0, ttl=10.0))
    assert cache.get(ORIGIN, 9.9) is not None
    assert cache.get(ORIGIN, 10.0) is None
    assert cache.get("https://lovdata.no", 1.0) is None


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://WWW.FHI.no/a/b?c#d", "https://www.fhi.no"),
        ("http://127.0.0.1:8080/x", "http://127.0.0.1:8080"),
    ],
)
def test_origin_and_robots_url(url: str, origin: str) -> None:
    assert origin_of(url) == origin
    assert robots_url(url) == origin + "/robots.txt"


@pytest.mark.parametrize(
    ("user_agent", "token"),
    [
        ("notifier/0.1 (helsevarsel; +https://x; a@b.no)", "notifier"),
        ("notifier (kontakt)", "notifier"),
        ("", "*"),
    ],
)
def test_agent_token(user_agent: str, token: str) -> None:
    assert agent_token(user_agent) == token


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://x.no/sok/", False),
        ("https://x.no/sok/hjelp", True),  # the longer Allow wins over the shorter Disallow
        ("https://x.no/nyheter?filter=a", False),  # '*' is a wildcard
        ("https://x.no/nyheter?side=2", True),
        ("https://x.no/fil.pdf", False),  # '$' anchors the end
        ("https://x.no/fil.pdf?x=1", True),
        ("https://x.no/", True),
        ("https://x.no/%C3%B8ving/", False),  # percent-encoding on either side
        ("https://x.no/øving/", False),
    ],
)
def test_rfc9309_matching(url: str, allowed: bool) -> None:
    text = (
        "User-agent: *\nDisallow: /sok/\nAllow: /sok/hjelp\nDisallow: /*?filter=\n"
        "Disallow: /*.pdf$\nDisallow: /øving/\n"
    )
    rules = rules_from_fetch("https://x.no", 200, text.encode(), now=0.0)
    assert rules.allows(url, "notifier") is allowed
