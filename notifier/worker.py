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
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel import Session, col, func, select

from feeds.fetch.client import Fetcher
from feeds.store.models import Source
from feeds.store.sources import prune_check_history
from notifier import audit, delivery_audit, outbox, staff
from notifier.context import Context
from notifier.deliver import deliver
from notifier.leases import claim_run, finish_run, purge_runs, worker_id
from notifier.operators import report_overdue_reviews
from notifier.pipeline import check, make_fetcher, preload
from notifier.plan import compose_due
from notifier.schedule import slot_of
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


def build_scheduler(ctx: Context, fetcher: Fetcher | None = None) -> AsyncIOScheduler:
    preload(ctx)  # the model before the first round; startup objects out of the GC's walk
    s = ctx.settings
    scheduler = AsyncIOScheduler(timezone=s.timezone)
    common = {
        "max_instances": 1,
        "coalesce": True,
        "replace_existing": True,
        "misfire_grace_time": 3600,
    }
    scheduler.add_job(
        check_job,
        IntervalTrigger(seconds=s.check_tick_seconds),
        args=[ctx, fetcher, scheduler],
        id="check",
        **common,
    )
    scheduler.add_job(
        deliver_job,
        IntervalTrigger(seconds=s.deliver_tick_seconds),
        args=[ctx],
        id="deliver",
        **common,
    )
    # every local hour: each subscriber's daily and weekly digests at their own hour
    scheduler.add_job(
        digest_job,
        CronTrigger(minute=0, timezone=s.timezone),
        args=[ctx],
        id="digest",
        **common,
    )
    scheduler.add_job(
        housekeeping_job,
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


async def run_worker(ctx: Context, stop: asyncio.Event | None = None) -> None:
    """Run the scheduled work until ``stop`` is set (or the task is cancelled). One fetcher
    serves every round, so robots.txt and per-host pauses carry over."""
    async with make_fetcher(ctx) as fetcher:
        scheduler = build_scheduler(ctx, fetcher)
        start(ctx, scheduler)
        log.info("worker %s started", worker_id())
        try:
            await (stop or asyncio.Event()).wait()
        finally:
            scheduler.shutdown(wait=False)
