"""The chain, top to bottom: source -> fetch -> extract -> diff -> classify -> store
(feeds.check), then match -> outbox (notifier.plan), render and deliver (notifier.deliver)."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session

from feeds.catalogue import SourceSpec, load_catalogue
from feeds.check import CheckReport, Classifier, check_sources
from feeds.classify import Classification, Gazetteer, Taxonomy
from feeds.classify.model import load_model
from feeds.classify.shipped import SHIPPED, classify_change
from feeds.detect.detection import DetectedChange
from feeds.fetch.client import Fetcher
from feeds.store.hosts import shared_hosts
from feeds.store.sources import (
    claim_due,
    extend_claims,
    release_claims,
    select_sources,
    upsert_sources,
)
from notifier.context import Context
from notifier.db import exclusive, write_retrying_async
from notifier.leases import worker_id
from notifier.operators import alert_operators
from notifier.plan import dispatch

log = logging.getLogger(__name__)


def load_sources(ctx: Context, path: Path | None = None) -> tuple[int, int]:
    """Insert or update the sources of a catalogue file (the bundled one by default)."""
    specs = load_catalogue(path or ctx.settings.catalogue)
    # workers starting at once load the catalogue one after the other
    with Session(ctx.engine) as session, exclusive(session.connection(), "catalogue"):
        result = upsert_sources(session, specs)
        session.commit()
    return result


def preload(ctx: Context) -> None:
    """What every check round needs, loaded at service start, so the first changed round does
    not pay for it: the taxonomy, the gazetteer, the classifier's model (~0.2 s) and the
    detection processes (feeds/detect/processes.py). Then the
    objects alive now (modules, settings, model: ~155,000 tracked by the garbage collector)
    are frozen out of the collector's reach (``gc.freeze``, once per process): they live as
    long as the process, and every full collection walked them again; that walk cost ~0.1 s
    of CPU in most changed check rounds (~0.1 ms per page, bench.check_round). Last, the
    heap that loading used and freed is given back to the system (``release_free_heap``)."""
    global _frozen
    _ = ctx.taxonomy, ctx.gazetteer
    load_model()
    if (detecting := ctx.detect_processes) is not None:
        detecting.start()
    if not _frozen:
        gc.collect()  # nothing unreachable is frozen: it could never be freed
        gc.freeze()
        _frozen = True
        release_free_heap()


def release_free_heap() -> bool:
    """Give the C heap's free memory back to the system (glibc's ``malloc_trim``); whether
    it could. glibc keeps what a process freed for its next allocations; after loading the
    model (its 3 MB text read and parsed, then dropped) that is ~5 MB of a worker's RSS that
    the rest of its life would not need at once. Elsewhere (musl, macOS) nothing is done."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return False
    trim(0)
    return True


_frozen = False


@dataclass(frozen=True)
class ChainClassifier:
    """The chain's classifier (``feeds.classify.shipped.classify_change``) on a context's
    taxonomy and gazetteer. A context's are the bundled ones, so the same classifier runs in
    a detection process by name (``portable``: feeds/check.py, feeds/detect/processes.py)."""

    taxonomy: Taxonomy
    gazetteer: Gazetteer
    portable: Classifier = SHIPPED

    def __call__(self, spec: SourceSpec, change: DetectedChange) -> Classification:
        return classify_change(self.taxonomy, self.gazetteer, spec, change)


def classifier_for(ctx: Context) -> Classifier:
    return ChainClassifier(ctx.taxonomy, ctx.gazetteer)


def make_fetcher(ctx: Context) -> Fetcher:
    """The fetcher of this process: on PostgreSQL its host gaps and pauses are shared with
    every other worker (``fetch_host``); on SQLite (one process) they stay in memory."""
    return Fetcher(ctx.settings.fetch_policy(), shared=shared_hosts(ctx.engine))


async def claim_due_sources(ctx: Context, worker: str) -> list[int]:
    """Claim the due sources of a round for ``worker`` (a lease; one short transaction). A
    lost connection is waited for without blocking the event loop (the worker's other jobs,
    a delivery in flight, go on meanwhile)."""
    lease = timedelta(seconds=ctx.settings.check_lease_seconds)
    limit = ctx.settings.check_claim_limit
    return await write_retrying_async(
        ctx.engine, lambda s: claim_due(s, ctx.clock(), worker, lease, limit)
    )


@asynccontextmanager
async def keeping_claims(ctx: Context, ids: Sequence[int], worker: str) -> AsyncIterator[None]:
    """Renew the lease on these sources every third of it while the round runs; on the way
    out by an error, give them back (they are checked again at the next tick)."""
    lease = timedelta(seconds=ctx.settings.check_lease_seconds)

    async def renew() -> None:
        while True:
            await asyncio.sleep(lease.total_seconds() / 3)
            await write_retrying_async(
                ctx.engine, lambda s: extend_claims(s, ids, worker, ctx.clock() + lease)
            )

    task = asyncio.create_task(renew()) if ids else None
    try:
        yield
    except BaseException:
        # given back without blocking the event loop while a lost database is waited for
        # (if it stays away, the lease expires and they are taken again)
        # a second cancellation while it waits must not replace the first error
        with contextlib.suppress(BaseException):
            await write_retrying_async(ctx.engine, lambda s: release_claims(s, ids, worker))
        raise
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def check(
    ctx: Context,
    keys: Sequence[str] = (),
    everything: bool = False,
    fetcher: Fetcher | None = None,
    worker: str | None = None,
) -> list[CheckReport]:
    """One check round (these keys, all, or the due sources), then immediate alerts (for what
    is published; a page change waits for its confirmation by a re-check). The due sources
    are claimed for this worker (``worker_id()`` unless given) with a lease, so any number
    of workers check each once; named keys or ``everything`` are checked as asked. The
    service passes its long-lived ``fetcher`` so robots.txt caches and per-host pauses
    outlive a round; one-off commands get a fetcher of their own."""
    claim: str | None = None
    if keys or everything:
        with Session(ctx.engine) as session:
            sources = select_sources(session, ctx.clock(), keys, everything)
            ids = [s.id for s in sources if s.id is not None]
            found = {s.key for s in sources}
        missing = [k for k in keys if k not in found]
        if missing:
            raise LookupError(
                f"no source with key {', '.join(missing)}; see 'notifier sources list'"
            )
    else:
        claim = worker or worker_id()
        ids = await claim_due_sources(ctx, claim)
        if ids:
            log.info("%s claimed %d due source(s)", claim, len(ids))
    rules, confirm = ctx.settings.hold_rules(), ctx.settings.confirm_rules()
    async with contextlib.AsyncExitStack() as stack:
        if fetcher is None:
            fetcher = await stack.enter_async_context(make_fetcher(ctx))
        if claim is not None:
            await stack.enter_async_context(keeping_claims(ctx, ids, claim))
        reports = await check_sources(
            ctx.engine, fetcher, ids, classifier_for(ctx), ctx.clock, rules, confirm, claim,
            ctx.detect_processes,
        )  # fmt: skip
    dispatch(ctx)
    alert_operators(ctx)
    return reports
