"""When digests fall due: subscribers' chosen hours in local time, hour slots, missed runs, and
quiet hours for push.

The digest job runs at minute 0 of every local hour. Each run handles one *slot* (the UTC
instant a local hour begins; Oslo's offsets are whole hours, so a slot is a whole UTC hour) and
composes for the subscribers due in it: daily digests for those whose chosen hour falls in the
slot, weekly ones for those whose weekday is also today's. DST is handled by asking which local
wall-clock hours a slot *covers*: normally one; on the spring-forward day the 03:00 slot also
covers 02:00, which does not exist that day (so a subscriber at 02 gets it at 03); on the
fall-back day the second 02:00 covers nothing (so nobody gets it twice).

A finished slot is recorded in ``digest_run``. On start and every hour the service looks for
slots since the last finished one (at most ``CATCH_UP`` back): a subscriber due in one of them
gets one digest, for the latest occurrence of their schedule, marked late when that occurrence
is before the current slot. Earlier missed occurrences are merged into it (the planner takes
every change not yet sent), so nothing is sent twice and nothing is lost.

Pure functions first; the table and its queries at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Field, Session, SQLModel, col, func, select

from subscribers.models import Subscriber, UTCDateTime, utcnow

HOUR = timedelta(hours=1)
#: how far back missed slots are looked for: a week and a day covers every weekly schedule
CATCH_UP = timedelta(days=8)


def slot_of(now: datetime) -> datetime:
    """The slot ``now`` is in: the start of its UTC hour (aware UTC)."""
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def hours_covered(slot: datetime, timezone: str) -> tuple[int, ...]:
    """The local wall-clock hours whose start falls in this slot: ``(h,)`` on ordinary days,
    ``(2, 3)`` for the 03:00 slot of the spring-forward day, ``()`` for the repeated hour of
    the fall-back day."""
    zone = ZoneInfo(timezone)
    here = slot.astimezone(zone).hour
    before = (slot - HOUR).astimezone(zone).hour
    if before == here:
        return ()
    hours = []
    h = before
    while h != here:
        h = (h + 1) % 24
        hours.append(h)
    return tuple(hours)


@dataclass(frozen=True)
class SlotTimes:
    """What a slot means locally: the hours it covers and the local weekday of its date."""

    slot: datetime
    hours: tuple[int, ...]
    weekday: int


def describe(slot: datetime, timezone: str) -> SlotTimes:
    return SlotTimes(
        slot, hours_covered(slot, timezone), slot.astimezone(ZoneInfo(timezone)).weekday()
    )


def slots_between(after: datetime | None, until: datetime) -> Iterator[datetime]:
    """Slots after ``after`` (exclusive) up to ``until``'s slot (inclusive), at most
    ``CATCH_UP`` back; ``after`` None: only the current slot."""
    last = slot_of(until)
    first = last if after is None else max(slot_of(after) + HOUR, last - CATCH_UP)
    at = first
    while at <= last:
        yield at
        at += HOUR


def latest_occurrences(slots: list[SlotTimes], hour: int, weekday: int) -> dict[str, datetime]:
    """For a subscriber with this hour and weekday: cadence -> the latest slot in ``slots``
    (oldest first) where their daily or weekly digest fell due."""
    found: dict[str, datetime] = {}
    for times in slots:
        if hour in times.hours:
            found["daily"] = times.slot
            if times.weekday == weekday:
                found["weekly"] = times.slot
    return found


def quiet_until(
    now: datetime, start: int | None, end: int | None, timezone: str
) -> datetime | None:
    """The end of the quiet period ``now`` falls in (aware UTC), or None when it falls in
    none. ``start`` inclusive, ``end`` exclusive, local hours; ``start > end`` wraps past
    midnight (22 to 7); equal or unset: no quiet hours. The end is the first instant whose
    local hour is ``end`` (on the spring-forward day, the next hour that exists)."""
    if start is None or end is None or start == end:
        return None
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    h = local.hour
    inside = start <= h < end if start < end else (h >= start or h < end)
    if not inside:
        return None
    at = slot_of(now)
    for _ in range(26):
        at += HOUR
        if at.astimezone(zone).hour == end or not _is_quiet(at, start, end, zone):
            return at
    return at  # unreachable for valid hours


def _is_quiet(at: datetime, start: int, end: int, zone: ZoneInfo) -> bool:
    h = at.astimezone(zone).hour
    return start <= h < end if start < end else (h >= start or h < end)


def due_subscribers(
    session: Session, slots: list[SlotTimes], default_hour: int, default_weekday: int
) -> dict[int, dict[str, datetime]]:
    """Confirmed, unsuppressed subscribers due in these slots: subscriber -> {cadence: the
    latest slot it fell due}. A subscriber without a chosen hour or weekday has the service's
    defaults. Whether they have digest subscriptions at all is the planner's business."""
    hours = sorted({h for times in slots for h in times.hours})
    if not hours:
        return {}
    combos = {
        (h, wd): found
        for h in hours
        for wd in range(7)
        if (found := latest_occurrences(slots, h, wd))
    }
    hour = func.coalesce(Subscriber.digest_hour, default_hour)
    rows = session.exec(
        select(Subscriber.id, Subscriber.digest_hour, Subscriber.digest_weekday).where(
            col(Subscriber.confirmed_at).is_not(None),
            col(Subscriber.suppressed_at).is_(None),
            hour.in_(hours),
        )
    ).all()
    due: dict[int, dict[str, datetime]] = {}
    for sid, h, wd in rows:
        key = (default_hour if h is None else h, default_weekday if wd is None else wd)
        if sid is not None and key in combos:
            due[sid] = dict(combos[key])
    return due


class DigestRun(SQLModel, table=True):
    """One run of the digest job for one slot: started, and finished once every digest due
    in it was written to the outbox."""

    __tablename__ = "digest_run"

    id: int | None = Field(default=None, primary_key=True)
    slot: datetime = Field(sa_type=UTCDateTime, unique=True)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: digests written by the run (late ones included)
    written: int = 0
    #: of those, digests of earlier slots the service missed
    late: int = 0


def last_finished(session: Session) -> datetime | None:
    return session.exec(
        select(func.max(DigestRun.slot)).where(col(DigestRun.finished_at).is_not(None))
    ).one()


def record_run(
    session: Session, slots: list[datetime], now: datetime, written: int, late: int
) -> None:
    """Mark these slots finished (the last one carries the counts); the caller commits."""
    existing = {
        r.slot: r for r in session.exec(select(DigestRun).where(col(DigestRun.slot).in_(slots)))
    }
    for at in slots:
        row = existing.get(at) or DigestRun(slot=at, started_at=now)
        row.finished_at = now
        if at == slots[-1]:
            row.written, row.late = written, late
        session.add(row)
    session.flush()
