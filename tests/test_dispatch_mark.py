"""The dispatch marks as dispatched only the changes it planned, as it read them.

A dispatch reads the changes not yet dispatched, plans their alerts (in batches, each
committed) and marks them dispatched at the end. Between the read and the mark another
process may change a row: staff approve a change that was read held (nothing was planned
for it), or, after a crash of a database that lost its last commits, a new change takes the
id of one that was read. Marking by id alone kept such a change from everyone (the chaos
test saw it: three published changes dispatched with no alert planned). The interleaving is
made by running the other process's write inside the dispatch, after its plan was stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from feeds.store.models import Change
from notifier.context import Context
from notifier.outbox import Delivery, DeliveryItem
from notifier.plan import alerts, dispatch
from notifier.review import approve
from tests.conftest import Clock
from tests.support.outbox import store_change
from tests.test_plan import subscribe
from tests.test_review import hold


def meanwhile(monkeypatch: pytest.MonkeyPatch, action: Callable[[], None]) -> None:
    """Run ``action`` (another process's write) once, after the dispatch stored its plan and
    before it marks the changes dispatched."""
    real = alerts._store_plan
    done: list[bool] = []

    def store_then_act(*args: Any, **kw: Any) -> tuple[int, int]:
        result = real(*args, **kw)
        if not done:
            done.append(True)
            action()
        return result

    monkeypatch.setattr(alerts, "_store_plan", store_then_act)


def planned_for(ctx: Context, change_id: int) -> int:
    with Session(ctx.engine) as session:
        return len(
            session.exec(select(DeliveryItem).where(DeliveryItem.change_id == change_id)).all()
        )


def dispatched(ctx: Context, change_id: int) -> bool:
    with Session(ctx.engine) as session:
        change = session.get(Change, change_id)
        assert change is not None
        return change.dispatched_at is not None


def test_a_change_approved_during_the_dispatch_is_sent_by_the_next(
    ctx: Context, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], "immediate")
    other = store_change(ctx, 1, "Nye råd om vaksinasjon")  # published: gives the plan work
    held = store_change(ctx, 2, "Endra vaksinasjonsråd for eldre")
    hold(ctx, held)

    def staff_approve() -> None:
        with Session(ctx.engine) as session:
            approve(session, held, None, clock())
            session.commit()

    meanwhile(monkeypatch, staff_approve)
    dispatch(ctx)
    assert planned_for(ctx, other) == 1 and dispatched(ctx, other)
    # read held, so nothing was planned for it: it must stay for the next dispatch
    assert planned_for(ctx, held) == 0 and not dispatched(ctx, held)

    monkeypatch.undo()
    clock.advance(minutes=1)
    dispatch(ctx)
    assert planned_for(ctx, held) == 1 and dispatched(ctx, held)


def test_a_new_change_under_a_lost_changes_id_is_not_marked(
    ctx: Context, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], "immediate")
    lost = store_change(ctx, 1, "Nye råd om vaksinasjon")

    def crash_and_reuse() -> None:
        """The database recovers without the change and its plan; a check round then stores
        a new change that is given the same id (its sequence was lost with them)."""
        with Session(ctx.engine) as session:
            session.exec(sa.delete(DeliveryItem))  # type: ignore[call-overload]
            session.exec(sa.delete(Delivery))  # type: ignore[call-overload]
            session.exec(
                sa.update(Change)
                .where(col(Change.id) == lost)
                .values(detected_at=clock() + timedelta(seconds=30), title="Ny endring")
            )
            session.commit()

    meanwhile(monkeypatch, crash_and_reuse)
    dispatch(ctx)
    assert planned_for(ctx, lost) == 0 and not dispatched(ctx, lost)

    monkeypatch.undo()
    clock.advance(minutes=1)
    dispatch(ctx)
    assert planned_for(ctx, lost) == 1 and dispatched(ctx, lost)


def test_the_mark_is_safe_to_run_again(ctx: Context, clock: Clock) -> None:
    """A lost connection during COMMIT makes ``write_retrying`` run the mark again: the
    second run finds the changes marked and changes nothing."""
    first = store_change(ctx, 1, "Nye råd om vaksinasjon")
    with Session(ctx.engine) as session:
        change = session.get(Change, first)
        assert change is not None
        read = {first: (change.status, change.detected_at)}
    for expected in (1, 0):
        with Session(ctx.engine) as session:
            assert alerts.mark_dispatched(session, read, clock()) == expected
            session.commit()
    assert dispatched(ctx, first)
