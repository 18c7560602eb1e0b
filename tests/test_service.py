"""The scheduler: fixed job ids, and the digest clock every local hour (whose subscribers are
due is tests/test_schedule.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notifier.context import Context
from notifier.service import build_scheduler


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
