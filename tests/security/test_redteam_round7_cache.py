"""Red team, round 7: poisoning a shared cache. The API and the Atom feeds say
``Cache-Control: public``, so a proxy or CDN in front keeps one answer per URL and hands it to
everyone; the pages say nothing, and a cache configured to keep pages keeps them too.

- Unkeyed headers: a request carrying the headers caches do not key on (``X-Forwarded-Host``,
  ``X-Original-URL``, ``X-Rewrite-URL``, ``X-Forwarded-Prefix``, ``Forwarded``, a method
  override, ``Accept-Language``, another language in the cookie ...) gets, from every route
  whose answer a shared cache may keep, the very answer a plain request gets, unless ``Vary``
  names what it depends on: the attacker's variant never becomes everyone's.
- Cookies: the front page, the sign-up form and the change log hold each visitor's own CSRF
  token (set in a cookie on the first visit) and show the language of the visitor's cookie,
  but said nothing about caching: a cache that kept one of them would give every visitor the
  same CSRF secret and one visitor's language. A page, and any answer that sets a cookie, is
  now ``private``: kept by the browser that asked, by no shared cache.

Every GET route of the route table (a plausible value in each parameter, a stored change for
``/endringer/{id}``), the real app over ASGI (httpx) on SQLite.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from notifier.context import Context
from notifier.web import create_app
from tests.security.test_staff_console import concrete, walk
from tests.support.api import add_change

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

HOSTILE = {
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "http",
    "X-Forwarded-Port": "8443",
    "X-Forwarded-Prefix": "/evil",
    "X-Host": "evil.example",
    "X-Original-URL": "/staff",
    "X-Rewrite-URL": "/staff",
    "X-HTTP-Method-Override": "DELETE",
    "Forwarded": "host=evil.example;proto=http",
    "Accept-Language": "nn-NO, en;q=0.1",
    "Origin": "https://evil.example",
    "Referer": "https://evil.example/",
    "Cookie": "lang=nn",
}


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


def public_paths(app: FastAPI, change_id: int) -> list[str]:
    found = {
        concrete(path).replace("/1", f"/{change_id}")
        for method, path in walk(app.routes)
        if method == "GET" and not path.startswith("/staff")
    }
    extra = {"/endringer.atom?lang=nn", "/api/v1/changes?limit=1", "/endringer?q=veileder"}
    return sorted(found | extra)


def shared_cacheable(answer: httpx.Response) -> bool:
    policy = answer.headers.get("cache-control", "").lower()
    return "public" in policy or ("private" not in policy and "no-store" not in policy)


async def test_an_answer_a_shared_cache_may_keep_ignores_unkeyed_headers(
    ctx: Context, app: FastAPI
) -> None:
    change = add_change(ctx, "Ny veileder om vaksinasjon")
    transport = httpx.ASGITransport(app=app, client=("198.51.100.73", 1))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        compared = 0
        for path in public_paths(app, change):
            plain = await client.get(path)
            client.cookies.clear()
            poisoned = await client.get(path, headers=HOSTILE)
            client.cookies.clear()
            assert poisoned.status_code == plain.status_code, path
            if not shared_cacheable(plain) or plain.status_code >= 400:
                continue
            varies = {v.strip().lower() for v in plain.headers.get("vary", "").split(",")}
            if varies & {name.lower() for name in HOSTILE}:
                continue  # the cache keys on it
            compared += 1
            assert poisoned.content == plain.content, path
            assert poisoned.headers.get("etag") == plain.headers.get("etag"), path
            assert b"evil.example" not in poisoned.content, path
    assert compared >= 10


async def test_an_answer_that_sets_a_cookie_is_kept_by_no_shared_cache(
    ctx: Context, app: FastAPI
) -> None:
    change = add_change(ctx, "Ny veileder om vaksinasjon")
    transport = httpx.ASGITransport(app=app, client=("198.51.100.74", 1))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        setting = 0
        for path in public_paths(app, change):
            first = await client.get(path)  # no cookie yet: the page sets the CSRF cookie
            again = await client.get(path)  # with it: the same page, no Set-Cookie
            client.cookies.clear()
            cookies = first.headers.get_list("set-cookie")
            if not any(c.startswith("csrf=") for c in cookies):
                continue
            setting += 1
            for answer in (first, again):
                policy = answer.headers.get("cache-control", "").lower()
                assert "private" in policy or "no-store" in policy, (path, policy, cookies)
                assert "public" not in policy, (path, policy)
    assert setting >= 4  # /, /abonner, /endringer, /endringer/{id} at least
