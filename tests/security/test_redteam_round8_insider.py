"""Red team, round 8: an authenticated insider (a ``redaktor``) against the console.

- The signed links of a subscriber's message (preferences, one-click unsubscribe) are an
  admin's power: a redaktor's preview and "send a test to me" replace them. They were replaced
  by string equality with links signed again at a second ``now``; a link expires at a
  midnight UTC, so when the day turned between rendering the preview and hiding its links
  (a preview rendered at 23:59:59), nothing matched and the redaktor's page, frame and test
  mail carried the subscriber's live keys.
- Every administrator's console route refuses a redaktor's POST (with a valid CSRF token)
  with 403, and no row of any table changes.
- A session cookie planted before login is not the session after it (session fixation).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, select

from notifier import staff
from notifier.context import Context
from notifier.models import StaffSession
from notifier.outbox import Delivery, message_of
from notifier.web.links import attach
from notifier.web.routes import staff_preview
from notifier.web.staff_pages import SESSION_COOKIE
from tests.conftest import Clock
from tests.security.test_staff_console import LOGIN_FORMS, concrete, dump, walk
from tests.support.outbox import store_change
from tests.support.staff import fast_hasher, login, make_staff, staff_client  # noqa: F401
from tests.test_staff_preview import nonce_of, subscriber

pytestmark = pytest.mark.usefixtures("fast_hasher")

PAGE = "/staff/forhandsvisning"
SIGNED = re.compile(r"/(?:innstillinger|u)/\d+\.\d+\.\d+\.[A-Za-z0-9_-]+")


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    async with staff_client(ctx) as c:
        yield c


def _slow_render(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> None:
    """Rendering the preview takes two seconds of the clock (as a large digest may)."""
    real = staff_preview.preview_of

    def slow(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        clock.advance(seconds=2)
        return result

    monkeypatch.setattr(staff_preview, "preview_of", slow)


async def test_a_redaktor_gets_no_signed_link_when_the_day_turns_during_the_preview(
    ctx: Context, client: httpx.AsyncClient, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = subscriber(ctx, "lege@kommune.no", name="Kari Nordmann", region="1103")
    store_change(ctx, 1, "Ny veileder for vaksinasjon", summary="Nye doser.")
    clock.now = datetime(2026, 11, 23, 23, 59, 30, tzinfo=UTC)
    _, csrf = await login(client, ctx)  # a redaktor
    query = {"subscriber": str(sub.id), "cadence": "daily"}
    form_page = await client.get(PAGE, params=query)
    nonce = nonce_of(form_page.text)
    _slow_render(monkeypatch, clock)

    clock.now = datetime(2026, 11, 23, 23, 59, 59, tzinfo=UTC)
    page = await client.get(PAGE, params=query)
    clock.now = datetime(2026, 11, 23, 23, 59, 59, tzinfo=UTC)
    frame = await client.get(f"{PAGE}/ramme", params=query)
    clock.now = datetime(2026, 11, 23, 23, 59, 59, tzinfo=UTC)
    sent = await client.post(f"{PAGE}/test", data={"csrf_token": csrf, "nonce": nonce, **query})
    assert page.status_code == frame.status_code == 200
    assert sent.status_code == 303 and sent.headers["location"].endswith("ok=test_sent")
    assert "Nye doser." in frame.text
    assert SIGNED.findall(page.text) == [] and SIGNED.findall(frame.text) == []
    with Session(ctx.engine) as session:
        [row] = session.exec(select(Delivery).where(col(Delivery.kind) == "test")).all()
        mail = message_of(session, row, attach(ctx).mail_links)
    assert SIGNED.findall(mail.text) == [] and SIGNED.findall(mail.html) == []
    assert "List-Unsubscribe" not in mail.headers


#: the console's administrator routes that change state (``AdminDep`` with a form)
ADMIN_POSTS = (
    "/staff/abonnenter/eksport",
    "/staff/abonnenter/import",
    "/staff/abonnenter/import/bruk",
    "/staff/abonnenter/{sid}/eksport",
    "/staff/abonnenter/{sid}/slett",
    "/staff/abonnenter/{sid}/mal",
    "/staff/abonnenter/{sid}/mal/slett",
    "/staff/kilder/{key}/slaa-av",
    "/staff/kilder/{key}/slaa-paa",
)


async def test_a_redaktor_posting_an_admins_actions_is_refused_and_changes_nothing(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    sub = subscriber(ctx, "lege@kommune.no", name="Kari Nordmann")
    key = "fhi-nyheter"  # the role check comes before the source is looked up
    _, csrf = await login(client, ctx)
    before = dump(ctx)
    for template in ADMIN_POSTS:
        path = template.format(sid=sub.id, key=key)
        answer = await client.post(
            path,
            data={"csrf_token": csrf, "reason": "tatt over", "target": "https://x.example/"},
        )
        assert answer.status_code == 403, (path, answer.status_code)
        assert "Traceback" not in answer.text and "Forbidden" not in answer.text
    after = dump(ctx)
    after.pop("staff_session", None), before.pop("staff_session", None)
    assert after == before


async def test_a_cookie_planted_before_login_is_not_the_session_after_it(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    planted = "A" * 43
    client.cookies.set(SESSION_COOKIE, planted, domain="testserver", path="/staff")
    await login(client, ctx)
    with Session(ctx.engine) as session:
        ids = set(session.exec(select(StaffSession.id)).all())
    assert len(ids) == 1 and staff.token_hash(planted) not in ids
    make_staff(ctx)  # the planted value opens nothing for another browser
    async with staff_client(ctx) as other:
        other.cookies.set(SESSION_COOKIE, planted, domain="testserver", path="/staff")
        assert (await other.get("/staff")).status_code == 303


async def test_a_valid_csrf_token_in_the_query_or_as_json_is_refused(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    """The token belongs in the form body only: in a URL it is logged and sent on as a
    Referer, and a JSON body is what another site's ``fetch`` could send."""
    sub = subscriber(ctx, "lege@kommune.no", name="Kari Nordmann")
    store_change(ctx, 1, "Endring", source_key="s")
    _, csrf = await login(client, ctx, role="admin")
    app = client._transport.app  # type: ignore[attr-defined]
    posts = sorted(
        path
        for method, path in walk(app.routes)
        if method == "POST" and path.startswith("/staff") and path not in LOGIN_FORMS
    )
    assert len(posts) >= 20
    before = dump(ctx)
    for template in posts:
        path = template.replace("{sid}", str(sub.id)).replace("{key}", "s")
        path = concrete(path)
        in_query = await client.post(path, params={"csrf_token": csrf}, data={"reason": "r"})
        as_json = await client.post(path, json={"csrf_token": csrf, "reason": "r"})
        assert (in_query.status_code, as_json.status_code) == (403, 403), path
    after = dump(ctx)
    after.pop("staff_session", None), before.pop("staff_session", None)
    assert after == before
