"""Red team, round 8: a held or suppressed change by its id on the public side.

A held change waits for staff because the source did something odd (most of its text
replaced, an outage, another article under the address): its text is unreviewed, possibly
hostile or wrong. A suppressed change was judged never to be sent. Neither may be read by
anyone who guesses its id (ids are sequential): the public change page, the API's change,
the public lists, the Atom feeds and the search must not show it.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session

from feeds.store.models import Change
from notifier import review
from notifier.context import Context
from tests.support.outbox import store_change
from tests.support.staff import staff_client

SECRETS = frozenset({f"Hemmelig{review.HELD}", f"Hemmelig{review.SUPPRESSED}"})
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def unpublished(ctx: Context, n: int, status: str) -> int:
    change_id = store_change(ctx, n, f"Hemmelig{status} tekst", summary=f"Hemmelig{status}")
    with Session(ctx.engine) as session:
        change = session.get(Change, change_id)
        assert change is not None
        change.status = status
        change.published_at = None
        if status == review.HELD:
            change.held_reason, change.held_at = "most_replaced", ctx.clock()
        else:
            change.suppressed_reason = "feil"
        session.add(change)
        session.commit()
    return change_id


async def test_held_and_suppressed_changes_are_nowhere_public(ctx: Context) -> None:
    store_change(ctx, 0, "Offentlig tekst", summary="Offentlig")
    held = unpublished(ctx, 1, review.HELD)
    stopped = unpublished(ctx, 2, review.SUPPRESSED)
    async with staff_client(ctx) as client:
        for change_id in (held, stopped):
            for url in (f"/endringer/{change_id}", f"/api/v1/changes/{change_id}"):
                answer = await client.get(url)
                assert answer.status_code == 404, (url, answer.status_code)
                assert not any(secret in answer.text for secret in SECRETS)
        for url in ("/", "/endringer", "/endringer?q=Hemmelig", "/endringer.atom",
                    "/api/v1/changes", "/api/changes", "/api/v1/changes?q=Hemmelig"):  # fmt: skip
            answer = await client.get(url)
            assert answer.status_code in (200, 400), (url, answer.status_code)
            assert SECRETS.isdisjoint(answer.text.split()), url
            assert not any(secret in answer.text for secret in SECRETS), url
