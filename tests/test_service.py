"""The scheduler: fixed job ids, and digest times in Europe/Oslo across daylight saving."""

from __future__ import annotations

from datetime import UTC, datetime

from notifier.context import Context
from notifier.service import build_scheduler


def test_jobs_have_fixed_ids_and_never_overlap(ctx: Context) -> None:
    scheduler = build_scheduler(ctx)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"check", "deliver", "digest-daily", "digest-weekly", "housekeeping"}
    assert all(job.max_instances == 1 and job.coalesce for job in jobs.values())


def test_daily_digest_is_at_seven_oslo_time_in_winter_and_summer(ctx: Context) -> None:
    trigger = {j.id: j for j in build_scheduler(ctx).get_jobs()}["digest-daily"].trigger
    # The night DST starts (29 March 2026): 07:00 CEST is 05:00 UTC; the day before, 06:00 UTC.
    before = trigger.get_next_fire_time(None, datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    after = trigger.get_next_fire_time(None, datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    assert before.astimezone(UTC) == datetime(2026, 3, 28, 6, 0, tzinfo=UTC)
    assert after.astimezone(UTC) == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)


def test_weekly_digest_is_on_the_configured_weekday(ctx: Context) -> None:
    trigger = {j.id: j for j in build_scheduler(ctx).get_jobs()}["digest-weekly"].trigger
    fire = trigger.get_next_fire_time(None, datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    assert fire.weekday() == 0 and fire.hour == 7  # Monday 07:00 local
