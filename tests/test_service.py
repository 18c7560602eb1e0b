"""The scheduler: fixed job ids, the digest clock every local hour (whose subscribers are
due is tests/test_schedule.py), and the periodic runs claimed once per period across workers
(several processes: tests/test_worker_scale.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from notifier.context import Context
from notifier.leases import JobRun, claim_run
from notifier.schedule import slot_of
from notifier.worker import build_scheduler, digest_job, housekeeping_job, run_worker
from tests.conftest import Clock
from tests.test_plan import add_change, subscribe
from tests.test_schedule import digests


def test_jobs_have_fixed_ids_and_never_overlap(ctx: Context) -> None:
    scheduler = build_scheduler(ctx)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"check", "deliver", "digest", "housekeeping"}
    assert all(job.max_instances == 1 and job.coalesce for job in jobs.values())


def test_the_digest_clock_runs_at_every_local_hour_across_daylight_saving(ctx: Context) -> None:
    trigger = {j.id: j for j in build_scheduler(ctx).get_jobs()}["digest"].trigger
    # The night DST starts (29 March 2026) local 02:00 does not exist: 01:00 CET (00:00 UTC)
    # is followed by 03:00 CEST (01:00 UTC), an hour later.
    first = trigger.get_next_fire_time(None, datetime(2026, 3, 28, 23, 30, tzinfo=UTC))
    second = trigger.get_next_fire_time(first, first + timedelta(minutes=1))
    assert first.astimezone(UTC) == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert second.astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert (first.hour, second.hour) == (1, 3)


async def test_housekeeping_runs_once_a_day_whatever_the_number_of_workers(
    ctx: Context, clock: Clock
) -> None:
    await housekeeping_job(ctx)
    clock.advance(hours=1)
    await housekeeping_job(ctx)  # another worker's clock fired too: the day is done
    clock.advance(days=1)
    await housekeeping_job(ctx)
    with Session(ctx.engine) as session:
        runs = session.exec(select(JobRun).order_by(col(JobRun.period))).all()
    assert [(r.job, r.period, r.attempts) for r in runs] == [
        ("housekeeping", "2026-11-23", 1),
        ("housekeeping", "2026-11-24", 1),
    ]
    assert all(r.finished_at is not None for r in runs)


async def test_an_hours_digest_run_held_by_a_live_worker_is_skipped(
    ctx: Context, clock: Clock
) -> None:
    subscribe(ctx, "lege@kommune.no", ["tisk"], "daily")
    add_change(ctx, "Nye råd om testing", ["testing"])
    clock.now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 07:00 in Oslo: the default hour
    lease = timedelta(seconds=ctx.settings.run_lease_seconds)
    assert claim_run(ctx.engine, "digest", slot_of(clock()).isoformat(), clock(), lease, "other")
    await digest_job(ctx)
    assert digests(ctx) == []  # the other worker composes this hour
    clock.advance(seconds=ctx.settings.run_lease_seconds + 1)  # ... but it died
    await digest_job(ctx)
    assert [d.to_address for d in digests(ctx)] == ["lege@kommune.no"]
    await digest_job(ctx)  # finished: never again
    assert len(digests(ctx)) == 1


async def test_a_worker_runs_its_jobs_until_told_to_stop(ctx: Context) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(ctx, stop))
    await asyncio.sleep(0.5)
    assert not task.done()
    stop.set()
    await asyncio.wait_for(task, 10)
