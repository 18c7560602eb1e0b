"""One story never hides a second message (issue 8, class 9), on SQLite and PostgreSQL.

Two sources that share a story key are merged for a reader only when they say the same thing.
A second source with other advice on the same story is sent (flagged as an update), in the
same digest or in a later alert; the same text republished is not sent twice.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from notifier.context import Context
from notifier.outbox import Delivery, DeliveryItem, message_of
from notifier.plan import compose_digests, dispatch
from notifier.web.links import attach
from tests.conftest import Clock
from tests.support.outbox import store_change
from tests.test_plan import subscribe

ADVICE = "Helsedirektoratet anbefaler at alle over 65 år tar en oppfriskningsdose i høst."
OPPOSITE = "Helsedirektoratet fraråder at alle over 65 år tar en oppfriskningsdose i høst."
SAME_REFORMATTED = "Helsedirektoratet  anbefaler at ALLE over 65 år tar en oppfriskningsdose i høst"


def add(ctx: Context, source_key: str, n: int, text: str, story: str = "story-1") -> int:
    title = f"Oppfriskningsdose for eldre ({source_key})"
    return store_change(ctx, n, title, summary=text, source_key=source_key, story=story)


def sent_changes(ctx: Context, email: str) -> list[int]:
    with Session(ctx.engine) as session:
        return sorted(
            item.change_id
            for item, delivery in session.exec(
                select(DeliveryItem, Delivery).where(DeliveryItem.delivery_id == Delivery.id)
            )
            if delivery.to_address == email
        )


def bodies(ctx: Context) -> str:
    with Session(ctx.engine) as session:
        return "\n".join(
            message_of(session, d, attach(ctx).mail_links).text
            for d in session.exec(select(Delivery))
        )


@pytest.mark.parametrize("cadence", ["immediate", "daily"])
def test_different_advice_on_one_story_is_sent_as_an_update(
    ctx: Context, clock: Clock, cadence: str
) -> None:
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], cadence)
    first = add(ctx, "regjeringen", 1, ADVICE)
    clock.advance(minutes=10)
    second = add(ctx, "hdir", 2, OPPOSITE)
    if cadence == "immediate":
        dispatch(ctx)
    else:
        compose_digests(ctx, "daily")
    assert sent_changes(ctx, "lege@kommune.no") == [first, second]
    assert "Oppdatering i en sak du har fått varsel om" in bodies(ctx)
    assert "fraråder" in bodies(ctx)


def test_the_other_advice_arriving_later_is_sent_in_a_later_alert(
    ctx: Context, clock: Clock
) -> None:
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], "immediate")
    first = add(ctx, "regjeringen", 1, ADVICE)
    assert dispatch(ctx) == 1
    clock.advance(hours=2)
    second = add(ctx, "hdir", 2, OPPOSITE)
    assert dispatch(ctx) == 1
    assert sent_changes(ctx, "lege@kommune.no") == [first, second]


@pytest.mark.parametrize("later", [False, True])
def test_the_same_text_on_a_second_source_is_not_sent_twice(
    ctx: Context, clock: Clock, later: bool
) -> None:
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], "immediate")
    first = add(ctx, "regjeringen", 1, ADVICE)
    if later:
        dispatch(ctx)
    clock.advance(minutes=10)
    add(ctx, "hdir", 2, SAME_REFORMATTED)
    dispatch(ctx)
    assert sent_changes(ctx, "lege@kommune.no") == [first]
    assert "Oppdatering" not in bodies(ctx)


def test_other_stories_are_not_affected(ctx: Context, clock: Clock) -> None:
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], "immediate")
    first = add(ctx, "regjeringen", 1, ADVICE, story="a")
    second = add(ctx, "hdir", 2, ADVICE, story="b")
    dispatch(ctx)
    assert sent_changes(ctx, "lege@kommune.no") == [first, second]
