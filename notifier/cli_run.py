"""``notifier worker``: the scheduled work without the web app, as a process of its own; any
number of them may share one PostgreSQL (docs/scaling.md). ``notifier web`` serves the web app
alone and ``notifier run`` does both in one process (notifier/cli.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from typing import Annotated

import typer

from notifier.context import Context
from notifier.pipeline import load_sources

log = logging.getLogger(__name__)


def register(
    app: typer.Typer,
    make_ctx: Callable[[], Context],
    precheck: Callable[[bool], None] = lambda catalogue: None,
) -> None:
    """Add ``worker`` to the top-level commands; ``make_ctx`` opens a migrated context,
    ``precheck(catalogue)`` refuses (typer.Exit) what must be right before anything is done,
    the catalogue too when it is loaded (before the database is touched)."""

    @app.command("worker")
    def worker(
        catalogue: Annotated[
            bool,
            typer.Option(
                "--catalogue/--no-catalogue",
                help="Load the catalogue's sources at start (as 'notifier run' does).",
            ),
        ] = True,
    ) -> None:
        """Checks, confirmation re-checks, dispatch, digests, delivery and housekeeping,
        without the web app; stops cleanly on SIGTERM or Ctrl-C."""
        if not logging.getLogger().handlers:
            logging.basicConfig(
                level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
            )
        precheck(catalogue)
        with make_ctx() as ctx:
            if catalogue:
                added, updated = load_sources(ctx)
                log.info("catalogue: %d source(s) added, %d updated", added, updated)
            with contextlib.suppress(KeyboardInterrupt):
                asyncio.run(_until_signalled(ctx))


async def _until_signalled(ctx: Context) -> None:
    from notifier.worker import run_worker

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await run_worker(ctx, stop)
    log.info("worker stopped")
