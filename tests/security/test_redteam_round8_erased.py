"""Red team, round 8: an administrator acting on an erased person's id.

Erasure keeps a row with no address (``...@invalid``, no key) so that ids stay unique; the
console's subscriber page, export and erasure treat that row as nobody (404). The push
target routes looked the row up by id alone: an admin posting ``/staff/abonnenter/<id>/mal``
for an erased person attached a new Apprise target (a URL that names the person) to the row
erasure had emptied, and the audit log recorded it; removing one was accepted the same way.
Each must answer the Norwegian 404 and change no row.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from notifier.context import Context
from notifier.web import create_app
from subscribers.models import AppriseTarget, Subscriber
from subscribers.selfservice import erase
from tests.security.test_redteam_idor import person
from tests.security.test_staff_console import dump
from tests.support.staff import fast_hasher, login, staff_client  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hasher")

TARGET = "json://hook.example.org/b"


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


async def test_no_console_action_reaches_an_erased_person(ctx: Context, app: FastAPI) -> None:
    live, gone = person(ctx, "a@kommune.no"), person(ctx, "b@kommune.no")
    with Session(ctx.engine) as session:
        row = session.get(Subscriber, gone.id)
        assert row is not None
        erase(session, row, ctx.clock())
        session.commit()
    async with staff_client(ctx, app) as client:
        _, csrf = await login(client, ctx, role="admin")
        # the same target is accepted for a live person: the refusal below is the erasure's
        control = await client.post(
            f"/staff/abonnenter/{live.id}/mal", data={"csrf_token": csrf, "url": TARGET}
        )
        assert control.status_code == 303, control.text
        before = dump(ctx)
        answers = [
            await client.post(
                f"/staff/abonnenter/{gone.id}{path}", data={"csrf_token": csrf, **form}
            )
            for path, form in (
                ("/mal", {"url": TARGET}),
                ("/mal/slett", {"target_id": "1"}),
                ("/eksport", {}),
                ("/slett", {}),
            )
        ]
        page = await client.get(f"/staff/abonnenter/{gone.id}")
    assert page.status_code == 404
    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    for answer in answers:
        assert "Traceback" not in answer.text and "Not Found" not in answer.text
    after = dump(ctx)
    after.pop("staff_session", None), before.pop("staff_session", None)
    assert after == before
    with Session(ctx.engine) as session:
        owners = set(session.exec(select(AppriseTarget.subscriber_id)).all())
    assert owners == {live.id}
