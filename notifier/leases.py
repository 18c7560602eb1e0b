"""Work that must happen once per period whatever the number of workers (docs/scaling.md).

A worker names itself (``worker_id``). A periodic job (the digest run of an hour slot, the
housekeeping of a day) is claimed as a row of ``job_run``, unique per (job, period): the
worker whose claim lands runs it and marks it finished; the others see it claimed or finished
and skip. A claim is a lease: a worker that dies mid-run leaves a claim that expires after
``NOTIFIER_RUN_LEASE_SECONDS``, and the next worker to try runs the period again. Each step
is one short statement, atomic on PostgreSQL (row locks) and on SQLite (the write lock).
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from subscribers.models import UTCDateTime


@cache
def worker_id() -> str:
    """This process's name in claims: host, process id and a random part (a restarted
    process that got the same pid is another worker)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class JobRun(SQLModel, table=True):
    """One run of a periodic job for one period, claimed by a worker until a time."""

    __tablename__ = "job_run"
    __table_args__ = (sa.UniqueConstraint("job", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=40)
    period: str = Field(max_length=40)
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: how many times the period was claimed (more than once: a worker died mid-run)
    attempts: int = 0


def claim_run(
    engine: Engine, job: str, period: str, now: datetime, lease: timedelta, worker: str
) -> bool:
    """Whether ``worker`` now holds ``job`` for ``period``: it was never claimed, or its
    claim expired unfinished. False when it is finished or another worker holds it."""
    table = JobRun.__table__  # type: ignore[attr-defined]
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.insert(table).values(
                    job=job, period=period, claimed_by=worker, claimed_until=now + lease,
                    started_at=now, attempts=1,
                )
            )  # fmt: skip
        return True
    except IntegrityError:
        pass  # the period has a row: take it only if its claim ran out unfinished
    with engine.begin() as conn:
        taken = conn.execute(
            sa.update(table)
            .where(
                table.c.job == job,
                table.c.period == period,
                table.c.finished_at.is_(None),
                sa.or_(table.c.claimed_until.is_(None), table.c.claimed_until <= now),
            )
            .values(
                claimed_by=worker,
                claimed_until=now + lease,
                started_at=now,
                attempts=table.c.attempts + 1,
            )
        )
        return bool(taken.rowcount)


def finish_run(engine: Engine, job: str, period: str, now: datetime, worker: str) -> bool:
    """Mark the run finished, if ``worker`` still holds it (False: its lease was taken)."""
    table = JobRun.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        done = conn.execute(
            sa.update(table)
            .where(table.c.job == job, table.c.period == period, table.c.claimed_by == worker)
            .values(finished_at=now, claimed_until=None)
        )
        return bool(done.rowcount)


def purge_runs(engine: Engine, before: datetime) -> int:
    """Delete finished runs started before ``before`` (housekeeping)."""
    table = JobRun.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        result = conn.execute(
            sa.delete(table).where(table.c.finished_at.is_not(None), table.c.started_at < before)
        )
        return int(result.rowcount or 0)
