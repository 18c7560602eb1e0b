"""Red team, other people's rows: a subscriber's signed link opens that subscriber's rows and no
one else's, whatever row id the form names.

Person A, with A's own valid preferences link and CSRF field, posts the id of person B's push
target to "remove target", and the id of B's push endpoint to "turn push off". B's target,
B's endpoint, and the receipts that keep a message from being pushed to B twice all stay as
they were (a receipt deleted would push B's last message again on the next retry). An
administrator who names B's target on A's page in the console changes nothing of B either.
The real app over ASGI (httpx), SQLite and PostgreSQL.
"""

from __future__ import annotations

import re

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlmodel import Session, SQLModel

from notifier.context import Context
from notifier.web import create_app
from subscribers import targets, tokens
from subscribers.models import PushEndpoint, PushReceipt, Subscriber
from subscribers.service import add_subscriber
from subscribers.tokens import MANAGE
from tests.support.staff import fast_hasher, login, staff_client  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fast_hasher")


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


def person(ctx: Context, email: str) -> Subscriber:
    with Session(ctx.engine, expire_on_commit=False) as session:
        found = add_subscriber(
            session, email, role="kommunelege", subtopics=["vaksinasjon"], cadence="daily",
            known_subtopics=ctx.taxonomy.slugs(),
        )  # fmt: skip
        session.commit()
        return found


def give_push(ctx: Context, app: FastAPI, who: Subscriber) -> tuple[int, int]:
    """A push target and a push endpoint for ``who``, each with a receipt; their ids."""
    assert who.id is not None
    now = ctx.clock()
    with Session(ctx.engine) as session:
        target = targets.add(
            session, who.id, targets.parse("json://hook.example.org/b"),
            app.state.links.secret, now,
        )  # fmt: skip
        endpoint = PushEndpoint(
            subscriber_id=who.id, endpoint="https://push.example.org/send/b", p256dh="k",
            auth="a", created_at=now,
        )  # fmt: skip
        session.add(endpoint)
        session.flush()
        assert target.id is not None and endpoint.id is not None
        session.add(PushReceipt(delivery_key="k1", channel="apprise", target_id=target.id,
                                subscriber_id=who.id, at=now))  # fmt: skip
        session.add(PushReceipt(delivery_key="k1", channel="webpush", target_id=endpoint.id,
                                subscriber_id=who.id, at=now))  # fmt: skip
        session.commit()
        return target.id, endpoint.id


def dump(ctx: Context) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with ctx.engine.connect() as conn:
        for name in ("push_receipt", "push_endpoint", "apprise_target"):
            table = SQLModel.metadata.tables[name]
            out[name] = sorted(repr(tuple(row)) for row in conn.execute(sa.select(table)))
    return out


async def test_a_link_removes_none_of_another_persons_push_rows(ctx: Context, app: FastAPI) -> None:
    a, b = person(ctx, "a@kommune.no"), person(ctx, "b@kommune.no")
    target_id, endpoint_id = give_push(ctx, app, b)
    before = dump(ctx)
    assert a.id is not None
    link = tokens.sign(app.state.links.secret, MANAGE, a.id, a.token_version, ctx.clock())
    path = f"/innstillinger/{link}"
    transport = httpx.ASGITransport(app=app, client=("198.51.100.60", 1))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        page = await client.get(path)
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found is not None, page.status_code
        csrf = found.group(1)
        for action, data in (
            ("/mal/slett", {"target_id": str(target_id)}),
            ("/push/av", {"endpoint_id": str(endpoint_id)}),
            ("/push/av", {"endpoint": "https://push.example.org/send/b"}),
        ):
            answer = await client.post(path + action, data={"csrf": csrf, **data})
            assert answer.status_code < 500, (action, answer.status_code)
    assert dump(ctx) == before


async def test_the_console_removes_no_target_of_another_person(ctx: Context, app: FastAPI) -> None:
    a, b = person(ctx, "a@kommune.no"), person(ctx, "b@kommune.no")
    target_id, _ = give_push(ctx, app, b)
    before = dump(ctx)
    async with staff_client(ctx, app) as client:
        _, csrf = await login(client, ctx, role="admin")
        answer = await client.post(
            f"/staff/abonnenter/{a.id}/mal/slett",
            data={"csrf_token": csrf, "target_id": str(target_id)},
        )
    assert answer.status_code < 500
    assert dump(ctx) == before
