"""Digests: written on the digest clock (``compose_due``, each subscriber at their own
schedule) or on demand (``compose_digests``), and previewed (``preview``, writing nothing)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from notifier.context import Context
from notifier.db import write_retrying
from notifier.digest import Digest
from notifier.plan.batches import _store_plan
from notifier.plan.changes import candidate_changes
from notifier.plan.planner import plan
from notifier.schedule import describe, due_subscribers, last_finished, record_run, slots_between
from notifier.web.links import attach
from subscribers.service import find_subscriber

log = logging.getLogger(__name__)


def compose_digests(ctx: Context, cadence: str) -> int:
    """Write the digests of this cadence for every subscriber into the outbox now, whatever
    their chosen hour (``notifier digest --cadence``; idempotent: one per recipient and
    period, and no change twice to the same recipient). The service uses ``compose_due``."""
    now = ctx.clock()
    with Session(ctx.engine, expire_on_commit=False) as session:
        return _store_plan(ctx, session, cadence, now, candidate_changes(session, cadence, now))[0]


@dataclass(frozen=True)
class DueReport:
    """One run of the digest clock: the slots it handled (more than one after the service
    was down), the digests it wrote, and how many of those were late."""

    slots: int
    written: int
    late: int

    def __str__(self) -> str:
        return f"{self.slots} slot(s), {self.written} digest(s) written, {self.late} late"


def compose_due(ctx: Context) -> DueReport:
    """The digest clock (every local hour at minute 0, and at start): compose the digests of
    the subscribers due in the slots since the last finished run (``notifier.schedule``), one
    per subscriber for the latest occurrence of their schedule, marked late when that is
    before the current slot, then record the slots as finished. Safe to run twice: a digest's
    key names its period, and no change reaches anyone twice."""
    now = ctx.clock()
    settings = ctx.settings
    with Session(ctx.engine, expire_on_commit=False) as session:
        slots = list(slots_between(last_finished(session), now))
        if not slots:
            return DueReport(0, 0, 0)
        times = [describe(at, settings.timezone) for at in slots]
        due = due_subscribers(
            session, times, settings.daily_digest_hour, settings.weekly_digest_weekday
        )
        written = late = 0
        if due:
            changes = candidate_changes(session, "weekly", now)
            written, late = _store_plan(ctx, session, "daily", now, changes, due)

    def finish(s: Session) -> None:
        try:
            with s.begin_nested():
                record_run(s, slots, now, written, late)
        except IntegrityError:  # another worker finished the same slot at the same time
            pass

    write_retrying(ctx.engine, finish)
    if late:
        log.warning("%d digest(s) of missed runs sent late", late)
    return DueReport(len(slots), written, late)


def preview(ctx: Context, email: str, cadence: str) -> Digest | None:
    """The digest this subscriber would get now; writes nothing."""
    now = ctx.clock()
    attach(ctx)
    with Session(ctx.engine, expire_on_commit=False) as session:
        subscriber = find_subscriber(session, email)
        if subscriber is None or subscriber.id is None:
            raise LookupError(f"no subscriber with the address {email}")
        found = plan(
            ctx, session, cadence, now, candidate_changes(session, cadence, now), subscriber.id
        )
    return found[0] if found else None
