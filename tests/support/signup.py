"""The public sign-up form as a browser uses it: one client per address it comes from (its
own CSRF cookie), the form fetched for its CSRF field, then posted."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@asynccontextmanager
async def client_at(app: FastAPI, host: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``app`` whose requests come from ``host`` (redirects not followed)."""
    transport = httpx.ASGITransport(app=app, client=(host, 40000))
    async with httpx.AsyncClient(
        transport=transport, base_url="https://testserver", follow_redirects=False
    ) as client:
        yield client


async def post_sign_up(
    client: httpx.AsyncClient,
    email: str,
    before_post: Callable[[], Awaitable[object]] | None = None,
    **fields: str,
) -> httpx.Response:
    """Sign ``email`` up for daily vaksinasjon as a kommunelege in bokmål (``fields`` add to
    or replace the form's values); ``before_post`` is awaited between reading the form and
    posting it (a barrier for bursts)."""
    page = await client.get("/abonner")
    found = _CSRF.search(page.text)
    assert found is not None, page.status_code
    data = {
        "csrf": found.group(1),
        "email": email,
        "role": "kommunelege",
        "language": "nb",
        "cadence_vaksinasjon": "daily",
        **fields,
    }
    if before_post is not None:
        await before_post()
    return await client.post("/abonner", data=data)


async def sign_up_from(app: FastAPI, host: str, email: str, **fields: str) -> int:
    """One sign-up from ``host`` in its own browser; the answer's status."""
    async with client_at(app, host) as client:
        return (await post_sign_up(client, email, **fields)).status_code
