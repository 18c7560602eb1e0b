"""``notifier worker``: the scheduled work without the web app: check rounds (and the
confirmation re-checks they wake for), dispatch, digests, delivery and housekeeping.

APScheduler 3 runs the jobs on the process's asyncio loop. Job ids are fixed, each job runs at
most once at a time and missed runs coalesce into one. The digest job runs every local hour
and composes for the subscribers due at that hour (``notifier.schedule``: their chosen hour
and weekday in Europe/Oslo, correct across DST), and once at start for runs missed while no
worker ran; everything stored is UTC. Housekeeping runs daily at 03:30.

The check round runs every ``NOTIFIER_CHECK_TICK_SECONDS`` and checks the sources that are
due. A page change waits for a re-check (feeds/confirm.py) that is due a set time after the
change was found, usually between two ticks: the round is then woken at that time instead of
the next tick, so the change is told ``NOTIFIER_CONFIRM_AFTER_SECONDS`` later, not a tick
more.

Any number of workers may share one PostgreSQL (docs/scaling.md): each round claims its due
sources with a lease (``notifier.pipeline.check``), outbox rows are claimed in batches with a
lease (``notifier.outbox.claim``), and each digest slot and each day's housekeeping is claimed
once across workers as a ``job_run`` row (``notifier.leases``).

A worker outlives its database (``DatabaseWatch``): when the connection is lost (PostgreSQL
restarted, a network cut), it logs one line, its jobs skip their ticks, and a probe tries the
database again after waits that double from 0.5 s up to 30 s (``Backoff``, with jitter); when
the probe is answered it logs one line and the jobs that missed their turn run at once. A job
cut short by the loss stored nothing of the step it was in (its transaction is rolled back),
and what it had claimed is not marked done: the claims run out and are taken again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine, ExceptionContext
from sqlmodel import Session, col, func, select

from feeds.fetch.client import Fetcher
from feeds.store.models import Source
from feeds.store.sources import prune_check_history
from notifier import audit, delivery_audit, outbox, staff
from notifier.context import Context
from notifier.db import is_lost
from notifier.deliver import deliver
from notifier.leases import claim_run, finish_run, purge_runs, worker_id
from notifier.operators import report_overdue_reviews
from notifier.pipeline import check, make_fetcher, preload
from notifier.plan import compose_due
from notifier.schedule import slot_of
from notifier.signup_queue import sweep as sweep_signups
from subscribers.housekeeping import PurgeReport, purge

log = logging.getLogger(__name__)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


async def check_job(
    ctx: Context, fetcher: Fetcher | None = None, scheduler: AsyncIOScheduler | None = None
) -> None:
    reports = await check(ctx, fetcher=fetcher)
    for r in reports:
        if r.outcome in ("new", "changed"):  # errors are logged where they happen
            log.info("%s %s %s", r.key, r.outcome, r.detail)
    if late := report_overdue_reviews(ctx):
        log.warning("%d held change(s) waited too long for review; operators told", late)
    await deliver(ctx)
    if scheduler is not None:
        wake_for_rechecks(ctx, scheduler)


def next_recheck(ctx: Context) -> datetime | None:
    """When the first re-check of a page whose changes wait for confirmation is due."""
    with Session(ctx.engine) as session:
        return session.exec(
            select(func.min(Source.next_check_at)).where(
                Source.enabled == True,  # noqa: E712
                col(Source.pending_since).is_not(None),
            )
        ).one()


def wake_for_rechecks(ctx: Context, scheduler: AsyncIOScheduler) -> datetime | None:
    """Run the check round when the first re-check is due, if that comes before its next
    tick; returns the time it was moved to (None: the tick comes first). One due already (0
    seconds: the next round confirms) waits for the tick like any due source."""
    due = next_recheck(ctx)
    job = scheduler.get_job("check")
    upcoming = getattr(job, "next_run_time", None)
    if due is None or upcoming is None or not ctx.clock() < due < upcoming:
        return None
    scheduler.modify_job("check", next_run_time=due)
    log.info("check round moved to %s for a re-check", due.isoformat())
    return due


async def deliver_job(ctx: Context) -> None:
    """Sign-ups the task after their answer did not process (``signup_queue.sweep``), then
    every due message (their confirmation mails among them)."""
    swept = sweep_signups(ctx)
    if swept:
        log.info("sign-up queue: %s", swept)
    report = await deliver(ctx)
    if report.sent or report.failed or report.retried:
        log.info("delivery: %s", report)


def _once(ctx: Context, job: str, period: str) -> bool:
    """Claim ``job`` for ``period`` for this worker (False: done or held by another)."""
    lease = timedelta(seconds=ctx.settings.run_lease_seconds)
    return claim_run(ctx.engine, job, period, ctx.clock(), lease, worker_id())


async def digest_job(ctx: Context) -> None:
    """The digest clock: every local hour at minute 0, and once at start (missed runs).
    The hour's run is claimed once across workers; a run a dead worker left unfinished is
    done by the next run of any worker (its slots are not marked finished)."""
    period = slot_of(ctx.clock()).isoformat()
    if _once(ctx, "digest", period):
        report = compose_due(ctx)
        finish_run(ctx.engine, "digest", period, ctx.clock(), worker_id())
        if report.slots:
            log.info("digests: %s", report)
    await deliver(ctx)


def housekeep(ctx: Context) -> PurgeReport:
    """Delete stale unconfirmed sign-ups (with their outbox rows) and old rate events, with
    the retention of the settings; one transaction."""
    with Session(ctx.engine) as session:
        report = purge(
            session,
            ctx.clock(),
            unconfirmed_after=ctx.settings.unconfirmed_retention,
            rate_events_after=ctx.settings.rate_event_retention,
            forget=outbox.forget,
        )
        session.commit()
    return report


@dataclass(frozen=True)
class StaffPurgeReport:
    audit_events: int = 0
    staff_sessions: int = 0

    def __str__(self) -> str:
        return (
            f"{self.audit_events} audit event(s) past retention deleted; "
            f"{self.staff_sessions} ended staff session(s) deleted"
        )


def housekeep_staff(ctx: Context) -> StaffPurgeReport:
    """Delete audit events older than NOTIFIER_AUDIT_RETENTION_DAYS and staff sessions past
    their absolute or idle lifetime; one transaction."""
    now = ctx.clock()
    with Session(ctx.engine) as session:
        report = StaffPurgeReport(
            audit_events=audit.purge(session, now, ctx.settings.audit_retention),
            staff_sessions=staff.purge_sessions(session, now, ctx.settings.staff_session_idle),
        )
        session.commit()
    return report


#: how long the per-hour check history is kept (the console charts the last 30 days)
CHECK_HISTORY = timedelta(days=90)


def housekeep_sources(ctx: Context) -> str:
    """Delete the check history older than ``CHECK_HISTORY``; one transaction."""
    with Session(ctx.engine) as session:
        deleted = prune_check_history(session, ctx.clock() - CHECK_HISTORY)
        session.commit()
    return f"{deleted} hour(s) of check history past {CHECK_HISTORY.days} days deleted"


def housekeep_deliveries(ctx: Context) -> str:
    """Delete delivery audit rows older than NOTIFIER_DELIVERY_AUDIT_DAYS; one transaction."""
    with Session(ctx.engine) as session:
        deleted = delivery_audit.purge(session, ctx.clock(), ctx.settings.delivery_audit_retention)
        session.commit()
    days = ctx.settings.delivery_audit_days
    return f"{deleted} delivery audit row(s) past {days} days deleted"


#: how long the record of finished digest and housekeeping runs is kept
RUN_HISTORY = timedelta(days=30)


def housekeep_runs(ctx: Context) -> str:
    deleted = purge_runs(ctx.engine, ctx.clock() - RUN_HISTORY)
    return f"{deleted} finished run(s) past {RUN_HISTORY.days} days deleted"


async def housekeeping_job(ctx: Context) -> None:
    """Daily at 03:30 local time; once a day across workers."""
    day = ctx.clock().astimezone(ZoneInfo(ctx.settings.timezone)).date().isoformat()
    if not _once(ctx, "housekeeping", day):
        return
    log.info("housekeeping: %s", housekeep(ctx))
    log.info("housekeeping: %s", housekeep_staff(ctx))
    log.info("housekeeping: %s", housekeep_sources(ctx))
    log.info("housekeeping: %s", housekeep_deliveries(ctx))
    log.info("housekeeping: %s", housekeep_runs(ctx))
    finish_run(ctx.engine, "housekeeping", day, ctx.clock(), worker_id())


@dataclass(frozen=True)
class Backoff:
    """The waits between tries to reach a database that went away: ``first`` seconds,
    doubling up to ``cap``; each shortened at random by up to ``spread`` of itself, so that
    workers that lost the database together do not all come back in the same instant."""

    first: float = 0.5
    cap: float = 30.0
    spread: float = 0.25

    def delay(self, attempt: int, draw: float) -> float:
        """The wait before try number ``attempt`` (0: the first); ``draw`` is a random
        number in [0, 1)."""
        if attempt < 0 or not 0.0 <= draw < 1.0:
            raise ValueError(f"attempt {attempt} and draw {draw}: need attempt >= 0, 0 <= draw < 1")
        full = min(self.cap, self.first * 2.0 ** min(attempt, 64))
        return full * (1.0 - self.spread * draw)


def _reason(exc: BaseException) -> str:
    """The first line of the driver's message (no statement, no parameters)."""
    orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    first = (str(orig).strip().splitlines() or [""])[0]
    return f"{type(orig).__name__}: {first[:200]}"


Job = Callable[..., Awaitable[None]]


class DatabaseWatch:
    """Whether this worker reaches its database, and what its jobs do when it does not.

    Any statement of any job that finds the connection lost (the engine's ``handle_error``
    event, or a job that failed with it) marks the database down: one warning is logged,
    every job skips its ticks (``guard``), and a probe runs ``SELECT 1`` after the waits of
    ``backoff``. When it is answered, one line is logged and ``wake`` is called with the jobs
    that missed a tick or were cut short, to run them at once. The pool's own failed
    pre-ping is not a loss (the pool reconnects; a reconnect that fails is one)."""

    def __init__(
        self,
        engine: Engine,
        backoff: Backoff | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.backoff = backoff or Backoff()
        self.wake: Callable[[set[str]], None] = lambda names: None
        #: how many times the database was lost, and was back (for tests and logs)
        self.outages = 0
        self.recoveries = 0
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._missed: set[str] = set()
        self._running: set[str] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._probe: asyncio.Task[None] | None = None
        self._listener = self._on_error

    def watching(self) -> None:
        """Watch the engine's errors, from the event loop the jobs run on (the first run of
        a guarded job does this)."""
        self._loop = asyncio.get_running_loop()
        if not sa.event.contains(self.engine, "handle_error", self._listener):
            sa.event.listen(self.engine, "handle_error", self._listener)

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def close(self) -> None:
        """Stop watching (the worker stops): the engine's event goes, the probe ends."""
        if sa.event.contains(self.engine, "handle_error", self._listener):
            sa.event.remove(self.engine, "handle_error", self._listener)
        if self._probe is not None:
            self._probe.cancel()

    def _on_error(self, context: ExceptionContext) -> None:
        if context.is_pre_ping:
            return
        if context.is_disconnect or is_lost(context.original_exception):
            self.lost(context.original_exception)

    def lost(self, exc: BaseException) -> None:
        """The database could not be reached (from any thread): pause the jobs and probe."""
        with self._lock:
            if self._down_since is not None:
                return
            self._down_since = time.monotonic()
            self.outages += 1
        log.warning(
            "database connection lost (%s); jobs paused, trying again in %.1f s, then at "
            "longer intervals up to %.0f s",
            _reason(exc),
            self.backoff.first,
            self.backoff.cap,
        )
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._start_probe)

    def _start_probe(self) -> None:
        if self.down and (self._probe is None or self._probe.done()):
            self._probe = asyncio.get_running_loop().create_task(self._probing())

    async def _probing(self) -> None:
        tries = 0
        while True:
            await asyncio.sleep(self.backoff.delay(tries, self._rng.random()))
            tries += 1
            failure = await asyncio.to_thread(self._ping)
            if failure is None:
                break
            log.debug("database still unreachable after %d tries (%s)", tries, failure)
            if tries % 10 == 0:  # with the cap of 30 s: about every 5 minutes
                gone = time.monotonic() - (self._down_since or time.monotonic())
                log.warning("database unreachable for %.0f s (%s)", gone, failure)
        with self._lock:
            since, self._down_since = self._down_since, None
            self.recoveries += 1
        missed, self._missed = self._missed - self._running, set()
        gone = time.monotonic() - (since or time.monotonic())
        log.info("database back after %.1f s (%d tries); jobs resume", gone, tries)
        self.wake(missed)

    def _ping(self) -> str | None:
        """None when the database answers; else why not."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any failure: still unreachable
            return _reason(exc)
        return None

    def guard(self, name: str, job: Job) -> Job:
        """``job`` as the scheduler runs it: skipped while the database is down (and run at
        once when it is back); a lost connection ends it quietly (the watch logs it), any
        other error is raised as before (the scheduler logs it; the next tick runs it); a
        job cancelled because the worker stops is one line, not a traceback."""

        async def guarded(*args: Any) -> None:
            self.watching()
            if self.down:
                self._missed.add(name)
                self._start_probe()
                return
            self._running.add(name)
            try:
                await job(*args)
            except asyncio.CancelledError:
                # the worker stops (SIGTERM) with this job in flight: its claims are given
                # back or run out; one line, not the scheduler's traceback of a cancellation
                log.info("%s job stopped with the worker", name)
            except Exception as exc:
                if not is_lost(exc):
                    raise
                log.debug("%s job cut short by the lost database", name, exc_info=True)
                self._missed.add(name)
                self.lost(exc)
            finally:
                self._running.discard(name)

        guarded.__name__ = guarded.__qualname__ = f"{name}_job"
        return guarded


def wake_jobs(ctx: Context, scheduler: AsyncIOScheduler, names: Iterable[str]) -> None:
    """Run these jobs now (they missed their turn while the database was away)."""
    for name in sorted(names):
        if scheduler.get_job(name) is not None:
            scheduler.modify_job(name, next_run_time=ctx.clock())


def build_scheduler(
    ctx: Context, fetcher: Fetcher | None = None, watch: DatabaseWatch | None = None
) -> AsyncIOScheduler:
    """The worker's jobs, each guarded by ``watch`` (one of its own when not given): paused
    while the database is away, run at once when it is back."""
    preload(ctx)  # the model before the first round; startup objects out of the GC's walk
    s = ctx.settings
    watch = watch or DatabaseWatch(ctx.engine)
    scheduler = AsyncIOScheduler(timezone=s.timezone)
    watch.wake = lambda names: wake_jobs(ctx, scheduler, names)
    common = {
        "max_instances": 1,
        "coalesce": True,
        "replace_existing": True,
        "misfire_grace_time": 3600,
    }
    scheduler.add_job(
        watch.guard("check", check_job),
        IntervalTrigger(seconds=s.check_tick_seconds),
        args=[ctx, fetcher, scheduler],
        id="check",
        **common,
    )
    scheduler.add_job(
        watch.guard("deliver", deliver_job),
        IntervalTrigger(seconds=s.deliver_tick_seconds),
        args=[ctx],
        id="deliver",
        **common,
    )
    # every local hour: each subscriber's daily and weekly digests at their own hour
    scheduler.add_job(
        watch.guard("digest", digest_job),
        CronTrigger(minute=0, timezone=s.timezone),
        args=[ctx],
        id="digest",
        **common,
    )
    scheduler.add_job(
        watch.guard("housekeeping", housekeeping_job),
        CronTrigger(hour=3, minute=30, timezone=s.timezone),
        args=[ctx],
        id="housekeeping",
        **common,
    )
    return scheduler


def start(ctx: Context, scheduler: AsyncIOScheduler) -> None:
    """Start the jobs: a check round and the digest catch-up (runs missed while no worker
    ran) at once, the rest on their clocks."""
    scheduler.start()
    scheduler.modify_job("check", next_run_time=ctx.clock())
    scheduler.modify_job("digest", next_run_time=ctx.clock())


async def run_worker(
    ctx: Context, stop: asyncio.Event | None = None, watch: DatabaseWatch | None = None
) -> None:
    """Run the scheduled work until ``stop`` is set (or the task is cancelled). One fetcher
    serves every round, so robots.txt and per-host pauses carry over; the database may go
    away and come back meanwhile (``DatabaseWatch``)."""
    watch = watch or DatabaseWatch(ctx.engine)
    async with make_fetcher(ctx) as fetcher:
        scheduler = build_scheduler(ctx, fetcher, watch)
        watch.watching()
        start(ctx, scheduler)
        log.info("worker %s started", worker_id())
        try:
            await (stop or asyncio.Event()).wait()
        finally:
            scheduler.shutdown(wait=False)
            watch.close()
