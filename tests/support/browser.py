"""The web app served for browser tests: uvicorn in a thread on a free loopback port, a fresh
SQLite database, and a delivery run that can be started from a test that drives Playwright's
sync API (which keeps an event loop running in the test's thread)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from notifier.context import Context
from notifier.db import make_engine, upgrade
from notifier.web import create_app
from tests.conftest import Clock, make_settings
from tests.support.outbox import deliver_via_smtp


@contextmanager
def serving_app(
    tmp_path: Path, clock: Clock, *, http_base: bool = True
) -> Iterator[tuple[str, Context]]:
    """The app on a free port; yields its base URL and its context. With ``http_base`` the
    settings' base URL is that http address (the staff cookie is Secure only under https);
    otherwise the test settings' https base URL stays (links in mails)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    extra = {"base_url": base} if http_base else {}
    settings = make_settings(f"sqlite:///{tmp_path / 'web.db'}", tmp_path, **extra)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    ctx = Context(settings=settings, engine=engine, clock=clock)
    config = uvicorn.Config(
        create_app(ctx), host="127.0.0.1", port=port, log_level="warning", ws="none",
        lifespan="off",
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)  # waiting for a server thread to bind, not for work
    try:
        yield base, ctx
    finally:
        server.should_exit = True
        thread.join(5)
        engine.dispose()


def deliver_in_thread(ctx: Context, port: int) -> None:
    """One delivery run through the SMTP server on ``port``, in a thread of its own."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, deliver_via_smtp(ctx, port)).result()
