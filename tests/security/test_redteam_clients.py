"""Red team, per-client limits: who is "one client" when the attacker holds an IPv6 network.

A home line or a rented server gets a whole IPv6 /64, so one attacker can send every request
from a fresh address. The public reads already count IPv6 clients by their /64
(``test_rate_limits``); these tests hold the other per-client limits to the same rule, through
the real app over ASGI (httpx) on SQLite: sign-ups, staff logins and wrong API tokens from
addresses that differ only in their last 64 bits stop at the per-client limit, while another
/64 (another line) is not affected. An IPv4-mapped IPv6 address is the IPv4 client it names.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from notifier.context import Context
from notifier.web import create_app
from tests.support.api import api_client, bearer, make_token
from tests.support.signup import client_at, sign_up_from
from tests.support.staff import PASSWORD, csrf_of, fast_hasher, make_staff  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.usefixtures("fast_hasher"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

#: one attacker's /64, and a neighbour's on the next /64
ATTACKER = "2001:db8:7:7::{n:x}"
NEIGHBOUR = "2001:db8:7:8::1"


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


async def sign_up(app: FastAPI, host: str, email: str) -> int:
    return await sign_up_from(app, host, email)


async def wrong_login(app: FastAPI, host: str, email: str) -> int:
    async with client_at(app, host) as client:
        form = await client.get("/staff/login")
        data = {"csrf_token": csrf_of(form.text), "email": email, "password": "feil passord 1"}
        return (await client.post("/staff/login", data=data)).status_code


async def test_sign_ups_from_one_ipv6_network_share_the_client_limit(
    ctx: Context, app: FastAPI
) -> None:
    limit = ctx.settings.signup_limit_per_ip
    statuses = [
        await sign_up(app, ATTACKER.format(n=n + 1), f"offer{n}@kommune.no")
        for n in range(limit + 2)
    ]
    assert statuses[:limit] == [200] * limit and set(statuses[limit:]) == {429}, statuses
    assert await sign_up(app, NEIGHBOUR, "nabo@kommune.no") == 200


async def test_an_ipv4_mapped_address_is_the_ipv4_client(ctx: Context, app: FastAPI) -> None:
    limit = ctx.settings.signup_limit_per_ip
    for n in range(limit):
        assert await sign_up(app, "198.51.100.9", f"kart{n}@kommune.no") == 200
    assert await sign_up(app, "::ffff:198.51.100.9", "kart-mer@kommune.no") == 429


async def test_staff_logins_from_one_ipv6_network_share_the_client_limit(
    ctx: Context, app: FastAPI
) -> None:
    make_staff(ctx, "ola@fhi.no", "admin")
    limit = ctx.settings.staff_login_limit_per_ip
    # a password spray: one guess per address, every guess from a fresh address of one /64
    statuses = [
        await wrong_login(app, ATTACKER.format(n=n + 1), f"navn{n}@fhi.no") for n in range(limit)
    ]
    assert 429 not in statuses, statuses
    async with client_at(app, ATTACKER.format(n=0xBEEF)) as client:
        form = await client.get("/staff/login")
        data = {"csrf_token": csrf_of(form.text), "email": "ola@fhi.no", "password": PASSWORD}
        refused = await client.post("/staff/login", data=data)
    assert refused.status_code == 429, refused.status_code  # even the right password now
    async with client_at(app, NEIGHBOUR) as client:
        form = await client.get("/staff/login")
        data = {"csrf_token": csrf_of(form.text), "email": "ola@fhi.no", "password": PASSWORD}
        assert (await client.post("/staff/login", data=data)).status_code == 303


async def test_wrong_api_tokens_from_one_ipv6_network_share_the_client_limit(
    ctx: Context,
) -> None:
    token = make_token(ctx)
    limit = ctx.settings.api_token_limit_per_ip
    queue = "/api/v1/staff/queue"
    for n in range(limit):
        async with api_client(ctx, client=(ATTACKER.format(n=n + 1), 1)) as guesser:
            bad = f"hv_1_{str(n).rjust(43, 'A')}"
            assert (await guesser.get(queue, headers=bearer(bad))).status_code == 401
    async with api_client(ctx, client=(ATTACKER.format(n=0xBEEF), 1)) as guesser:
        refused = await guesser.get(queue, headers=bearer(token))
    assert refused.status_code == 429, refused.text
    async with api_client(ctx, client=(NEIGHBOUR, 1)) as other:
        assert (await other.get(queue, headers=bearer(token))).status_code == 200
