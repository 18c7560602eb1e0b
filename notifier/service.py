"""``notifier run``: the worker's scheduled work (``notifier.worker``) and the web app in one
process, the embedded mode for one machine. ``notifier worker`` and ``notifier web`` run the
two halves as processes of their own (docs/scaling.md).
"""

from __future__ import annotations

import asyncio

import uvicorn

from notifier.context import Context
from notifier.pipeline import make_fetcher
from notifier.web import create_app
from notifier.worker import build_scheduler, start


async def run(ctx: Context, web: bool = True) -> None:
    """Run until interrupted: scheduler jobs start at once, the web app serves alongside
    (``web`` False: the worker alone)."""
    async with make_fetcher(ctx) as fetcher:
        scheduler = build_scheduler(ctx, fetcher)
        start(ctx, scheduler)
        try:
            if web:
                config = uvicorn.Config(
                    create_app(ctx),
                    host=ctx.settings.web_host,
                    port=ctx.settings.web_port,
                    # uvicorn's lines through ours (notifier.logs): one format, masked paths
                    log_config=None,
                )
                await uvicorn.Server(config).serve()
            else:
                await asyncio.Event().wait()
        finally:
            scheduler.shutdown(wait=False)
