"""Red team, round 8: the audit trail against an insider, and a role lowered mid-session.

- No route erases or rewrites the audit trail: an administrator (the highest role) and an
  admin API token send every route of the app every method it takes, with valid CSRF fields
  and the ids of existing rows; every audit row written before is still there, unchanged.
- The actions an insider takes through the console each leave a row naming them: edit,
  suppress, retag, urgent, approve, check now, disable, enable.
- An administrator lowered to ``redaktor`` while logged in: the live session (and its CSRF
  field) can no longer disable a source or erase a subscriber.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlmodel import Session, SQLModel, select

from feeds.store.models import Change, Source
from notifier import review, staff
from notifier.context import Context
from notifier.models import AuditEvent
from notifier.web import create_app
from tests.security.test_redteam_idor import person
from tests.security.test_staff_console import concrete, walk
from tests.support.api import bearer, make_token
from tests.support.outbox import store_change
from tests.support.staff import fast_hasher, login, staff_client  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hasher")


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


def audit_rows(ctx: Context) -> dict[object, tuple[object, ...]]:
    table = SQLModel.metadata.tables["audit_event"]
    with ctx.engine.connect() as conn:
        return {row[0]: tuple(row) for row in conn.execute(sa.select(table))}


def hold(ctx: Context, change_id: int) -> None:
    with Session(ctx.engine) as session:
        change = session.get(Change, change_id)
        assert change is not None
        change.status, change.held_reason, change.held_at = (
            review.HELD,
            "most_replaced",
            ctx.clock(),
        )
        change.published_at = None
        session.add(change)
        session.commit()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_no_route_erases_or_rewrites_an_audit_row(ctx: Context, app: FastAPI) -> None:
    ids = [store_change(ctx, n, f"Endring {n}", source_key="s") for n in range(3)]
    hold(ctx, ids[1])
    sub = person(ctx, "a@kommune.no")
    token = make_token(ctx, "admin@fhi.no", "admin")
    async with staff_client(ctx, app) as client:
        _, csrf = await login(client, ctx, role="admin")
        await client.post(f"/staff/endringer/{ids[0]}/rediger",
                          data={"csrf_token": csrf, "title": "Ny tittel", "summary": "x"})  # fmt: skip
        before = audit_rows(ctx)
        assert len(before) >= 3  # the token, the login, the edit
        values = {"change_id": str(ids[1]), "key": "s", "sid": str(sub.id), "token": "x",
                  "delivery_id": "1"}  # fmt: skip
        form = {"csrf_token": csrf, "reason": "slett loggen", "title": "t", "summary": "s",
                "id": "1", "event_id": "1", "action": "delete"}  # fmt: skip
        routes = sorted(set(walk(app.routes)))
        assert len(routes) > 40
        for method, path in routes:
            url = path
            for name, value in values.items():
                url = url.replace("{" + name + "}", value)
            url = concrete(url)
            if path == "/staff/logout":
                continue
            headers = bearer(token) if path.startswith("/api/") else {}
            answer = await client.request(
                method, url, headers=headers,
                json={"reason": "slett loggen"} if path.startswith("/api/") else None,
                data=None if path.startswith("/api/") else form,
            )  # fmt: skip
            assert answer.status_code < 500, (method, path, answer.status_code)
    after = audit_rows(ctx)
    assert {k: v for k, v in after.items() if k in before} == before


async def test_each_console_action_leaves_a_row_naming_its_actor(
    ctx: Context, app: FastAPI
) -> None:
    ids = [store_change(ctx, n, f"Endring {n}", source_key="s") for n in range(3)]
    hold(ctx, ids[1])
    hold(ctx, ids[2])
    async with staff_client(ctx, app) as redaktor, staff_client(ctx, app) as admin:
        other = next(s.slug for s in ctx.taxonomy.subtopics if s.slug != "vaksinasjon")
        editor, csrf = await login(redaktor, ctx)
        boss, admin_csrf = await login(admin, ctx, role="admin")
        actions = [
            (redaktor, editor, f"/staff/endringer/{ids[0]}/rediger",
             {"csrf_token": csrf, "title": "Ny", "summary": "s"}),
            (redaktor, editor, f"/staff/endringer/{ids[0]}/haster",
             {"csrf_token": csrf, "urgent": "ja"}),
            (redaktor, editor, f"/staff/endringer/{ids[0]}/merk",
             {"csrf_token": csrf, f"subtopic_{other}": "1"}),
            (redaktor, editor, f"/staff/endringer/{ids[1]}/stans",
             {"csrf_token": csrf, "reason": "feil"}),
            (redaktor, editor, f"/staff/endringer/{ids[2]}/godkjenn", {"csrf_token": csrf}),
            (redaktor, editor, "/staff/kilder/s/sjekk", {"csrf_token": csrf}),
            (admin, boss, "/staff/kilder/s/slaa-av", {"csrf_token": admin_csrf, "reason": "r"}),
            (admin, boss, "/staff/kilder/s/slaa-paa", {"csrf_token": admin_csrf}),
        ]  # fmt: skip
        missing = []
        for client, who, path, form in actions:
            before = set(audit_rows(ctx))
            answer = await client.post(path, data=form)
            assert answer.status_code == 303, (path, answer.status_code, answer.text[:300])
            with Session(ctx.engine) as session:
                new = [e for e in session.exec(select(AuditEvent)).all() if e.id not in before]
            if not any(e.staff_user_id == who.id and e.actor == who.email for e in new):
                missing.append(path)
    assert missing == []


async def test_an_admin_lowered_while_logged_in_loses_the_admins_actions(
    ctx: Context, app: FastAPI
) -> None:
    store_change(ctx, 1, "Endring", source_key="s")
    sub = person(ctx, "a@kommune.no")
    async with staff_client(ctx, app) as client:
        user, csrf = await login(client, ctx, role="admin")
        with Session(ctx.engine) as session:
            staff.set_role(session, user.email, "redaktor", ctx.clock())
            session.commit()
        for path in ("/staff/kilder/s/slaa-av", f"/staff/abonnenter/{sub.id}/slett"):
            answer = await client.post(path, data={"csrf_token": csrf, "reason": "r"})
            assert answer.status_code in (303, 403) and "/staff/login" in answer.headers.get(
                "location", "/staff/login"
            ), (path, answer.status_code)
    with Session(ctx.engine) as session:
        source = session.exec(select(Source).where(Source.key == "s")).one()
        assert source.disabled_reason is None
        assert session.get(type(sub), sub.id) is not None
