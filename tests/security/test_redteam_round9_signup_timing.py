"""Red team, round 9: does the sign-up answer say whether an address is subscribed?

The page is the same for every address, but the work behind it was not: an unknown address got
a new row, its profile and its subscriptions written, a confirmed one nothing (a preferences
link is mailed instead). All of it ran before the answer left, so the answer came later for
an unknown address than for a subscribed one: in-process on SQLite about 15 ms against 13 ms
a sign-up, measured by round 9, more on a real database; a few hundred tries tell a stranger
who subscribes (the limits allow 20 an hour from one client, and an attacker has many).

Now only what is alike for every address (the form checked, the rate limits counted) happens
before the answer; the sign-up and its mail are stored after the answer has been sent. The
test watches the order at the ASGI level: the last byte of the answer goes out before the
address is even looked up, for a new, a pending and a confirmed address alike, and the
answers are the same.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from notifier.context import Context
from notifier.outbox import Delivery
from notifier.web import create_app
from subscribers import selfservice
from subscribers.service import add_subscriber
from tests.support.signup import post_sign_up


def watched(app: Any, events: list[str]) -> Any:
    """``app`` that notes in ``events`` when an answer's last byte is sent."""

    async def wrapper(scope: Any, receive: Any, send: Any) -> None:
        async def noting(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                events.append("answer")

        await app(scope, receive, noting)

    return wrapper


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_answer_leaves_before_the_address_is_looked_up(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(ctx.engine) as session:
        add_subscriber(
            session, "kjent@kommune.no", role="kommunelege", subtopics=["vaksinasjon"],
            cadence="daily", known_subtopics=ctx.taxonomy.slugs(),
        )  # fmt: skip
        session.commit()
    events: list[str] = []
    real_find = selfservice.find

    def find(session: Session, email: str) -> Any:
        events.append("lookup")
        return real_find(session, email)

    monkeypatch.setattr(selfservice, "find", find)
    transport = httpx.ASGITransport(app=watched(create_app(ctx), events), client=("1.2.3.4", 1))
    answers = {}
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        # new, pending (the new one again), confirmed
        for email in ("ny@kommune.no", "ny@kommune.no", "kjent@kommune.no"):
            events.clear()
            answer = await post_sign_up(client, email)
            assert answer.status_code == 200
            assert events[-2:] == ["answer", "lookup"], (email, events)
            answers[email] = answer.text
    assert answers["ny@kommune.no"] == answers["kjent@kommune.no"]
    with Session(ctx.engine) as session:  # the work was done, after the answer
        kinds = sorted(d.kind for d in session.exec(select(Delivery)))
    assert kinds == ["confirm", "manage"]
