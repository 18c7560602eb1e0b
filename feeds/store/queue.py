"""Taking rows off a table used as a queue: due sources, outbox deliveries, sign-ups to sweep.

Several workers take rows at once with one UPDATE each. On PostgreSQL the rows to take are
picked under ``FOR UPDATE SKIP LOCKED`` in a ``MATERIALIZED`` CTE, evaluated exactly once:
``UPDATE ... WHERE id IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)`` lets the planner run
the subquery again for each row it joins (a nested loop over a table with statistics), and
each run skips the rows the last one locked and picks others: a claim of 3 took 5 rows, and
another worker's claim found nothing (a clean-clone CI, once the test tables had statistics).
On SQLite the UPDATE holds the write lock while it reads; the subquery is read once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select


def picked(candidates: Select[Any], key: ColumnElement[Any], dialect: str) -> ColumnElement[bool]:
    """The WHERE criterion of an UPDATE that takes the rows ``candidates`` selects (one
    column: the rows' ``key``), each row once whatever plan the database chooses."""
    if dialect != "postgresql":
        return key.in_(candidates.scalar_subquery())
    taken = candidates.with_for_update(skip_locked=True).cte("picked").prefix_with("MATERIALIZED")
    return key == next(iter(taken.c))
