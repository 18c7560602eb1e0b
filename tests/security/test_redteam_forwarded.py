"""Red team, X-Forwarded-For: the per-client limits key on the client address the app sees,
and a client cannot choose it by sending the header.

The app is served as ``notifier serve`` serves it (a real uvicorn with its defaults: proxy
headers are read only from 127.0.0.1, or ``FORWARDED_ALLOW_IPS``) and signed up to over real
HTTP, on SQLite:

- from an address that is no trusted proxy (127.0.0.2: uvicorn trusts 127.0.0.1 and ::1 by
  default), a header naming a fresh address on every sign-up changes nothing: the sign-ups stop
  at the per-client limit;
- behind the trusted proxy (127.0.0.1), which appends the address it saw, a client that puts
  fresh addresses in front (``X-Forwarded-For: <spoofed>, <real>``) is still counted as the real
  address, the rightmost one.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from fastapi import FastAPI

from notifier.context import Context
from notifier.web import create_app

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@contextmanager
def serving(app: FastAPI, host: str) -> Iterator[str]:
    """The app on a real uvicorn at ``host`` with ``notifier serve``'s settings; its base URL."""
    uvicorn = pytest.importorskip("uvicorn")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host=host, port=port, log_config=None, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    try:
        yield f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(5)


def sign_up(base: str, n: int, forwarded: str, source: str = "127.0.0.1") -> int:
    """One sign-up from the local address ``source`` with this X-Forwarded-For; the status."""
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(
        base_url=base, headers={"X-Forwarded-For": forwarded}, transport=transport
    ) as client:
        page = client.get("/abonner")
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found is not None, page.status_code
        data = {
            "csrf": found.group(1),
            "email": f"person{n}@kommune{n}.no",
            "role": "kommunelege",
            "language": "nb",
            "cadence_vaksinasjon": "daily",
        }
        return client.post("/abonner", data=data).status_code


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


def test_a_header_from_an_untrusted_client_changes_nothing(ctx: Context, app: FastAPI) -> None:
    limit = ctx.settings.signup_limit_per_ip
    with serving(app, "127.0.0.1") as base:
        statuses = [
            sign_up(base, n, f"203.0.113.{n + 1}", source="127.0.0.2") for n in range(limit + 2)
        ]
    assert statuses[:limit] == [200] * limit and set(statuses[limit:]) == {429}, statuses


def test_behind_the_proxy_the_rightmost_address_counts(ctx: Context, app: FastAPI) -> None:
    limit = ctx.settings.signup_limit_per_ip
    with serving(app, "127.0.0.1") as base:
        statuses = [sign_up(base, n, f"203.0.113.{n + 1}, 198.51.100.77") for n in range(limit + 2)]
        # another real client behind the same proxy has its own count
        other = sign_up(base, 99, "198.51.100.78")
    assert statuses[:limit] == [200] * limit and set(statuses[limit:]) == {429}, statuses
    assert other == 200
