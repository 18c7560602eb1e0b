"""The fetcher against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import pytest

from feeds.errors import BlockedAddressError, PermanentFetchError, TransientFetchError
from feeds.fetch import Fetcher, FetchPolicy, Validators, parse_retry_after
from feeds.netguard import is_internal_address
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
