"""The fetcher against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta

import pytest

from feeds.errors import (
    BlockedAddressError,
    HostPaused,
    PermanentFetchError,
    RobotsDisallowed,
    RobotsUnavailable,
    TransientFetchError,
)
from feeds.fetch.client import (
    HAPI_KEY_HEADER,
    Fetcher,
    FetchPolicy,
    backoff_seconds,
    needs_full_fetch,
    parse_retry_after,
    user_agent_with_contact,
)
from feeds.fetch.netguard import GuardedResolver, is_internal_address
from feeds.types import Validators
from tests.support.httpserver import FixtureServer

OPEN = FetchPolicy(allow_private=True, per_host_min_gap=0, timeout_seconds=1.0)


async def test_conditional_get_sends_validators_and_accepts_304(http: FixtureServer) -> None:
    http.set("/p", "<p>x</p>", etag='"v1"')
    async with Fetcher(OPEN) as fetcher:
        first = await fetcher.fetch(http.url("/p"))
        assert first.status == 200 and first.validators.etag == '"v1"'
        second = await fetcher.fetch(http.url("/p"), first.validators)
    assert second.not_modified
    assert http.requests[-1][1].get("If-None-Match") == '"v1"'
    assert "notifier" in http.requests[-1][1]["User-Agent"]


@pytest.mark.parametrize(
    ("status", "error"),
    [(500, TransientFetchError), (429, TransientFetchError), (404, PermanentFetchError)],
)
async def test_status_errors(http: FixtureServer, status: int, error: type[Exception]) -> None:
    http.set("/e", "nope", status=status, headers={"Retry-After": "120"})
    async with Fetcher(OPEN) as fetcher:
        with pytest.raises(error) as info:
            await fetcher.fetch(http.url("/e"))
    if status == 429:
        assert isinstance(info.value, TransientFetchError) and info.value.retry_after == 120


async def test_timeout_is_transient(http: FixtureServer) -> None:
    http.set("/slow", "late", delay=2.0)
    async with Fetcher(OPEN) as fetcher:
        with pytest.raises(TransientFetchError, match="did not answer"):
            await fetcher.fetch(http.url("/slow"))


async def test_redirects_are_followed_and_limited(http: FixtureServer) -> None:
    http.set("/a", "", status=302, headers={"Location": "/b"})
    http.set("/b", "landed")
    http.set("/loop", "", status=302, headers={"Location": "/loop"})
    async with Fetcher(OPEN) as fetcher:
        assert (await fetcher.fetch(http.url("/a"))).body == b"landed"
        with pytest.raises(PermanentFetchError, match="redirects"):
            await fetcher.fetch(http.url("/loop"))


async def test_body_size_is_limited(http: FixtureServer) -> None:
    http.set("/big", "x" * 5000)
    async with Fetcher(
        FetchPolicy(allow_private=True, per_host_min_gap=0, max_body_bytes=1000)
    ) as f:
        with pytest.raises(PermanentFetchError, match="limit"):
            await f.fetch(http.url("/big"))


async def test_private_addresses_are_refused_unless_allowed(http: FixtureServer) -> None:
    http.set("/p", "secret")
    closed = FetchPolicy(allow_private=False, per_host_min_gap=0)
    async with Fetcher(closed) as fetcher:
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch(http.url("/p"))
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch(http.url("/p").replace("127.0.0.1", "localhost"))
    assert http.requests == []


@pytest.mark.parametrize(
    ("address", "internal"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("192.168.0.1", True),
        ("169.254.169.254", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("fd00::1", True),
        ("0.0.0.0", True),
        ("151.101.1.1", False),
        ("2a04:4e42::1", False),
    ],
)
def test_internal_addresses(address: str, internal: bool) -> None:
    assert is_internal_address(address) is internal


def test_retry_after_forms() -> None:
    assert parse_retry_after({"Retry-After": "30"}) == 30
    assert parse_retry_after({}) is None
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0


async def test_validators_round_trip(http: FixtureServer) -> None:
    http.set("/lm", "x", headers={"Last-Modified": "Wed, 21 Oct 2026 07:28:00 GMT"})
    async with Fetcher(OPEN) as fetcher:
        r = await fetcher.fetch(http.url("/lm"))
        await fetcher.fetch(http.url("/lm"), Validators(None, r.validators.last_modified))
    assert http.requests[-1][1]["If-Modified-Since"] == "Wed, 21 Oct 2026 07:28:00 GMT"


# --- good citizenship: robots.txt, host pauses, full fetches, limits, guarded hops ----------


class FakeClock:
    """Monotonic seconds that a test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def paths(http: FixtureServer) -> list[str]:
    return [path for path, _headers in http.requests]


async def test_robots_disallow_is_a_permanent_error_naming_robots(http: FixtureServer) -> None:
    http.set("/robots.txt", "User-agent: *\nDisallow: /intern/\n")
    http.set("/intern/side", "hidden")
    http.set("/open", "fine")
    async with Fetcher(OPEN) as fetcher:
        with pytest.raises(RobotsDisallowed, match=r"robots\.txt") as info:
            await fetcher.fetch(http.url("/intern/side"))
        assert (await fetcher.fetch(http.url("/open"))).body == b"fine"
    assert isinstance(info.value, PermanentFetchError)
    assert paths(http) == ["/robots.txt", "/open"]


async def test_robots_group_for_our_agent_applies(http: FixtureServer) -> None:
    http.set("/robots.txt", "User-agent: notifier\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    http.set("/p", "x")
    async with Fetcher(OPEN) as fetcher:
        with pytest.raises(RobotsDisallowed):
            await fetcher.fetch(http.url("/p"))


async def test_missing_robots_allows_everything(http: FixtureServer) -> None:
    http.set("/p", "x")  # /robots.txt answers 404
    async with Fetcher(OPEN) as fetcher:
        assert (await fetcher.fetch(http.url("/p"))).body == b"x"


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_unreadable_robots_disallows_for_now(http: FixtureServer, status: int) -> None:
    http.set("/robots.txt", "down", status=status)
    http.set("/p", "x")
    clock = FakeClock()
    async with Fetcher(OPEN, clock=clock) as fetcher:
        with pytest.raises(RobotsUnavailable, match=r"robots\.txt could not be read"):
            await fetcher.fetch(http.url("/p"))
        http.set("/robots.txt", "User-agent: *\nAllow: /\n")
        clock.now += OPEN.robots_error_ttl + 1
        assert (await fetcher.fetch(http.url("/p"))).body == b"x"
    assert "/p" in paths(http)


async def test_robots_is_cached_until_its_ttl(http: FixtureServer) -> None:
    http.set("/robots.txt", "User-agent: *\nDisallow: /x\n")
    http.set("/p", "x")
    clock = FakeClock()
    async with Fetcher(OPEN, clock=clock) as fetcher:
        await fetcher.fetch(http.url("/p"))
        await fetcher.fetch(http.url("/p"))
        assert paths(http).count("/robots.txt") == 1
        clock.now += OPEN.robots_ttl + 1
        await fetcher.fetch(http.url("/p"))
    assert paths(http).count("/robots.txt") == 2


async def test_retry_after_pauses_the_whole_host(http: FixtureServer) -> None:
    http.set("/busy", "slow down", status=429, headers={"Retry-After": "120"})
    http.set("/other", "x")
    clock = FakeClock()
    async with Fetcher(OPEN, clock=clock) as fetcher:
        with pytest.raises(TransientFetchError) as first:
            await fetcher.fetch(http.url("/busy"))
        assert first.value.retry_after == 120
        with pytest.raises(HostPaused, match="wait") as paused:
            await fetcher.fetch(http.url("/other"))
        assert paused.value.retry_after is not None and 119 <= paused.value.retry_after <= 120
        assert "/other" not in paths(http)
        clock.now += 121
        assert (await fetcher.fetch(http.url("/other"))).body == b"x"


async def test_503_without_retry_after_backs_off_exponentially(http: FixtureServer) -> None:
    http.set("/down", "", status=503)
    clock = FakeClock()
    policy = FetchPolicy(allow_private=True, per_host_min_gap=0, backoff_base=10.0)
    async with Fetcher(policy, clock=clock, jitter=lambda: 0.0) as fetcher:
        with pytest.raises(TransientFetchError) as first:
            await fetcher.fetch(http.url("/down"))
        assert first.value.retry_after == 5.0  # half of the base, no jitter drawn
        clock.now += 5.0
        with pytest.raises(TransientFetchError) as second:
            await fetcher.fetch(http.url("/down"))
        assert second.value.retry_after == 10.0


def test_backoff_is_capped_and_jittered() -> None:
    assert backoff_seconds(1, 30, 3600, 0.0) == 15
    assert backoff_seconds(1, 30, 3600, 0.999) == pytest.approx(30, abs=0.1)
    assert backoff_seconds(3, 30, 3600, 0.0) == 60
    assert backoff_seconds(50, 30, 3600, 0.999) <= 3600


async def test_force_full_drops_validators(http: FixtureServer) -> None:
    http.set("/p", "<p>x</p>", etag='"v1"')
    async with Fetcher(OPEN) as fetcher:
        first = await fetcher.fetch(http.url("/p"))
        assert first.conditional is False
        full = await fetcher.fetch(http.url("/p"), first.validators, force_full=True)
        cond = await fetcher.fetch(http.url("/p"), first.validators)
    assert full.status == 200 and full.conditional is False
    assert cond.not_modified and cond.conditional is True
    assert "If-None-Match" not in http.requests[-2][1]


def test_needs_full_fetch() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    day = timedelta(hours=24)
    assert needs_full_fetch(None, now, day)
    assert not needs_full_fetch(now - timedelta(hours=23), now, day)
    assert needs_full_fetch(now - day, now, day)


async def test_gzip_bomb_is_refused_by_the_decompressed_limit(http: FixtureServer) -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)
    assert len(bomb) < 10_000
    http.set("/bomb", bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/html"})
    http.set("/small", gzip.compress(b"<p>hei</p>"), headers={"Content-Encoding": "gzip"})
    policy = FetchPolicy(allow_private=True, per_host_min_gap=0, max_body_bytes=100_000)
    async with Fetcher(policy) as fetcher:
        assert (await fetcher.fetch(http.url("/small"))).body == b"<p>hei</p>"
        with pytest.raises(PermanentFetchError, match="after decompression"):
            await fetcher.fetch(http.url("/bomb"))


@pytest.mark.parametrize(
    "location",
    [
        "http://localhost:{port}/x",
        "http://10.0.0.1/x",
        "http://[::1]:{port}/x",
        "http://169.254.169.254/",
    ],
)
async def test_redirect_to_an_internal_address_is_refused(
    http: FixtureServer, location: str
) -> None:
    port = http.base.rsplit(":", 1)[1]
    http.set("/r", "", status=302, headers={"Location": location.format(port=port)})
    # the guard is on; only the first hop's host (the test server) is exempt
    policy = FetchPolicy(
        allow_private=False, per_host_min_gap=0, private_allowlist=frozenset({"127.0.0.1"})
    )
    async with Fetcher(policy) as fetcher:
        with pytest.raises(BlockedAddressError, match="private or loopback"):
            await fetcher.fetch(http.url("/r"))
    assert paths(http) == ["/robots.txt", "/r"]


async def test_resolver_refuses_names_resolving_to_internal_addresses() -> None:
    with pytest.raises(BlockedAddressError, match="resolves to the internal address"):
        await GuardedResolver(False).resolve("localhost", 80)
    assert await GuardedResolver(False, frozenset({"localhost"})).resolve("localhost", 80)


async def test_host_headers_go_to_their_host_only(http: FixtureServer) -> None:
    port = http.base.rsplit(":", 1)[1]
    http.set("/api", "", status=302, headers={"Location": f"http://localhost:{port}/elsewhere"})
    http.set("/elsewhere", "x")
    policy = FetchPolicy(
        allow_private=True,
        per_host_min_gap=0,
        host_headers={"127.0.0.1": {"Ocp-Apim-Subscription-Key": "k"}},
    )
    async with Fetcher(policy) as fetcher:
        await fetcher.fetch(http.url("/api"))
    sent = {path: headers for path, headers in http.requests}
    assert sent["/api"]["Ocp-Apim-Subscription-Key"] == "k"
    assert "Ocp-Apim-Subscription-Key" not in sent["/elsewhere"]


async def test_user_agent_names_the_service_and_a_contact(http: FixtureServer) -> None:
    http.set("/p", "x")
    policy = FetchPolicy(allow_private=True, per_host_min_gap=0, user_agent="notifier/0.1 (a@b.no)")
    async with Fetcher(policy) as fetcher:
        await fetcher.fetch(http.url("/p"))
    assert all(h["User-Agent"] == "notifier/0.1 (a@b.no)" for _p, h in http.requests)


def test_settings_build_the_policy_with_contact_and_api_key() -> None:
    from notifier.settings import Settings

    with_key = Settings(contact="drift@kommune.no", hdir_api_key="abc")  # type: ignore[arg-type]
    policy = with_key.fetch_policy()
    assert "drift@kommune.no" in policy.user_agent and policy.user_agent.startswith("notifier/")
    assert policy.host_headers == {"api.helsedirektoratet.no": {HAPI_KEY_HEADER: "abc"}}
    assert "abc" not in repr(with_key)
    without = Settings(mail_from="Varsel <varsel@kommune.no>").fetch_policy()
    assert without.host_headers == {}
    assert "varsel@kommune.no" in without.user_agent


def test_user_agent_with_contact() -> None:
    assert user_agent_with_contact("n/1 (x)", "a@b.no") == "n/1 (x; a@b.no)"
    assert user_agent_with_contact("n/1", "a@b.no") == "n/1 (a@b.no)"
    assert user_agent_with_contact("n/1 (a@b.no)", "a@b.no") == "n/1 (a@b.no)"
    assert user_agent_with_contact("n/1", "") == "n/1"


async def test_401_says_which_key_to_set(http: FixtureServer) -> None:
    http.set("/innhold", "", status=401)
    async with Fetcher(OPEN) as fetcher:
        with pytest.raises(PermanentFetchError, match="NOTIFIER_HDIR_API_KEY"):
            await fetcher.fetch(http.url("/innhold"))


@pytest.mark.parametrize(("delay", "gap"), [("5", 5.0), ("999", 60.0)])
async def test_crawl_delay_widens_the_host_gap(http: FixtureServer, delay: str, gap: float) -> None:
    http.set("/robots.txt", f"User-agent: *\nCrawl-delay: {delay}\n")
    http.set("/p", "x")
    async with Fetcher(OPEN) as fetcher:
        await fetcher.fetch(http.url("/p"))
        assert fetcher.host_gap("127.0.0.1") == gap
