"""Red team, links to other sites from our own pages. A path that starts with two slashes,
``https://varsel.example.no//evil.example/logg-inn``, is a page we do not have, answered by
our Norwegian 404 page; that page (like every page) links to itself in the other language. Built
from the request's path as it came, that link was ``//evil.example/logg-inn?lang=nn``: a
protocol-relative address, so the language link on our own site took the visitor to the
attacker's (an open redirect through a link). Through the real app over ASGI on SQLite, for
public and console paths: every ``href``, ``src`` and ``action`` on the answer, and any
``Location``, is a path of this site (``/`` and not ``//`` or ``/\\``) or an anchor.
"""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from notifier.context import Context
from notifier.web import create_app

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PATHS = [
    "//evil.example/logg-inn",
    "//evil.example",
    "///evil.example/",
    "////evil.example/a/b",
    "//evil.example/%2e%2e/abonner",
    "//evil.example/endringer?lang=nn",
    "//evil.example/staff",
    "/staff//evil.example",
]


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


def same_site(link: str) -> bool:
    return link.startswith("#") or (link.startswith("/") and not link.startswith(("//", "/\\")))


@pytest.mark.parametrize("path", PATHS)
async def test_every_link_of_the_answer_stays_on_this_site(app: FastAPI, path: str) -> None:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.99", 1))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        for lang in ("", "nn"):
            target = (
                "https://testserver"
                + path
                + (("&" if "?" in path else "?") + "lang=nn" if lang else "")
            )
            answer = await client.get(target)
            assert answer.status_code < 500, (path, answer.status_code)
            links = re.findall(r'(?:href|src|action)="([^"]*)"', answer.text)
            foreign = [link for link in links if not same_site(link)]
            assert foreign == [], (path, foreign)
            location = answer.headers.get("location")
            assert location is None or same_site(location), (path, location)
