"""Red team, Host-header poisoning: every link the service hands out is built from
NOTIFIER_BASE_URL, never from the request. A sign-up sent with ``Host: evil.example`` (and the
forwarding headers a proxy might pass on) gets a confirmation mail whose every link points at
the configured site, and the public pages and feeds name no other host. The real sign-up form
(the app over ASGI), delivery to a real SMTP server (aiosmtpd); SQLite.
"""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from notifier.context import Context
from notifier.web import create_app
from tests.support.api import add_change
from tests.support.outbox import deliver_via_smtp
from tests.support.smtpserver import Inbox

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

HOSTILE = {
    "host": "evil.example",
    "x-forwarded-host": "evil2.example",
    "x-forwarded-proto": "http",
    "x-forwarded-prefix": "/evil3",
    "forwarded": "host=evil4.example;proto=http",
    "x-original-url": "https://evil5.example/",
}
BASE = "https://varsel.example.no"


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


def client_of(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.95", 1))
    return httpx.AsyncClient(transport=transport, base_url="https://testserver", headers=HOSTILE)


async def test_the_confirmation_mail_links_to_the_configured_site(
    ctx: Context, app: FastAPI, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    async with client_of(app) as client:
        page = await client.get("/abonner")
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found is not None
        data = {
            "csrf": found.group(1), "email": "offer@kommune.no", "role": "kommunelege",
            "language": "nb", "cadence_vaksinasjon": "daily",
        }  # fmt: skip
        assert (await client.post("/abonner", data=data)).status_code == 200
    await deliver_via_smtp(ctx, port)
    (mail,) = inbox.to("offer@kommune.no")
    raw = mail.as_string()
    assert "evil" not in raw
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    links = re.findall(r"https?://\S+", text)
    assert links and all(link.startswith(BASE + "/") or link == BASE for link in links), links


async def test_pages_and_feeds_name_no_host_from_the_request(ctx: Context, app: FastAPI) -> None:
    add_change(ctx, "Ny vaksine")
    async with client_of(app) as client:
        for path in ("/", "/abonner", "/endringer", "/endringer/1", "/endringer.atom",
                     "/api/v1/changes", "/api/v1/changes/1", "/api/changes",
                     "/manifest.webmanifest", "/api/v1/openapi.json", "/staff/login"):  # fmt: skip
            answer = await client.get(path)
            assert answer.status_code == 200, (path, answer.status_code)
            assert "evil" not in answer.text and "evil" not in str(answer.headers), path
