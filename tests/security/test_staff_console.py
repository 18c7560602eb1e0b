"""The staff console as an attacker meets it, through the real app on SQLite and PostgreSQL.

- The route table: every route of ``create_app`` is either in ``PUBLIC`` below or refuses an
  anonymous request (GET: 303 to the login page, 401 for JSON; any other method: 303, 401 or
  403) and changes nothing in the database. A new route nobody protected fails this test.
- CSRF: every state-changing route under ``/staff`` refuses a logged-in request whose
  ``csrf_token`` is missing, wrong, or belongs to another session, with 403, and no row of
  any table changes.
- Sessions: idle and absolute expiry, logout, a password change ending the other sessions,
  a disabled account; the cookie's flags.
- Login: limits per account and per client (429, with the minutes to wait), refusals alike
  for every cause, a safe ``neste``, the login form's own CSRF check.
- The audit log records login, failed login, logout and password changes, and no table
  holds a password that was typed.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlmodel import Session, SQLModel, select

from notifier import audit, staff
from notifier.context import Context
from notifier.models import AuditEvent, StaffSession
from notifier.web import create_app
from notifier.web.staff_pages import SESSION_COOKIE
from tests.conftest import Clock, make_settings
from tests.support.staff import (
    PASSWORD,
    csrf_of,
    fast_hasher,  # noqa: F401 (fixture)
    login,
    make_staff,
    staff_client,
)

pytestmark = pytest.mark.usefixtures("fast_hasher")

#: routes anyone may use; every other route must refuse an anonymous request
PUBLIC: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/openapi.json"),  # FastAPI's schema: names routes, opens none
        ("GET", "/"),
        ("GET", "/healthz"),
        ("GET", "/api/changes"),
        ("GET", "/abonner"),
        ("POST", "/abonner"),
        ("GET", "/bekreft/{token}"),
        ("POST", "/bekreft/{token}"),
        ("GET", "/innstillinger/{token}"),
        ("POST", "/innstillinger/{token}"),
        ("POST", "/innstillinger/{token}/avslutt"),
        ("GET", "/innstillinger/{token}/data.json"),
        ("GET", "/innstillinger/{token}/slett"),
        ("POST", "/innstillinger/{token}/slett"),
        ("GET", "/u/{token}"),
        ("POST", "/u/{token}"),
        # the installable web app: static, the same for everyone
        ("GET", "/manifest.webmanifest"),
        ("GET", "/sw.js"),
        ("GET", "/push.js"),
        ("GET", "/ikon-192.png"),
        ("GET", "/ikon-512.png"),
        ("GET", "/ikon-maskable-512.png"),
        # the subscriber's push devices and targets: opened by the preferences token (and CSRF)
        ("POST", "/innstillinger/{token}/push"),
        ("POST", "/innstillinger/{token}/push/av"),
        ("POST", "/innstillinger/{token}/push/valg"),
        ("POST", "/innstillinger/{token}/mal"),
        ("POST", "/innstillinger/{token}/mal/slett"),
        ("GET", "/staff/login"),
        ("POST", "/staff/login"),
        ("GET", "/staff/passord/{token}"),
        ("POST", "/staff/passord/{token}"),
        # the public change log and its Atom feed (issue 12)
        ("GET", "/endringer"),
        ("GET", "/endringer.atom"),
        ("GET", "/endringer/{change_id}"),
        ("GET", "/metrics"),  # its own bearer token; probed in test_access
    }
)
#: the API answers with its own problems (401 with WWW-Authenticate, not a login redirect):
#: its routes are probed generically in test_access
API_PREFIX = "/api/v1/"
#: posted without a session: their CSRF check is the login form's double submit
LOGIN_FORMS = frozenset({"/staff/login", "/staff/passord/{token}"})
OTHER_PASSWORD = "et helt annet passord 42"


def walk(routes: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every route, into included routers (FastAPI keeps them nested)."""
    for route in routes:
        sub = getattr(route, "original_router", None)
        if sub is not None:
            yield from walk(sub.routes, prefix + route.include_context.prefix)
            continue
        path = getattr(route, "path", None)
        if path is None:  # a mount or websocket would need its own rule
            raise AssertionError(f"route without a path: {route!r}")
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            if method != "HEAD":
                yield method, prefix + path


def concrete(path: str) -> str:
    """The path with a plausible value in every parameter."""
    return re.sub(r"\{[^}]+\}", "1", path)


def dump(ctx: Context) -> dict[str, list[str]]:
    """Every row of every table, to compare before and after a refused request."""
    out: dict[str, list[str]] = {}
    with ctx.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = conn.execute(sa.select(table)).all()
            out[table.name] = sorted(repr(tuple(row)) for row in rows)
    return out


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


@pytest.fixture
async def client(ctx: Context, app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with staff_client(ctx, app) as c:
        yield c


def events(ctx: Context, action: str | None = None) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        return audit.recent(session, 10_000, action=action)


# --- the route table --------------------------------------------------------------------------


def test_route_table_lists_what_is_public(app: FastAPI) -> None:
    routes = set(walk(app.routes))
    assert routes >= PUBLIC, f"public routes gone: {sorted(PUBLIC - routes)}"
    staff_routes = {r for r in routes if r[1].startswith("/staff")}
    assert ("POST", "/staff/logout") in staff_routes and ("GET", "/staff/logg") in staff_routes


async def test_every_route_is_public_or_refuses_the_anonymous(
    ctx: Context, app: FastAPI, client: httpx.AsyncClient
) -> None:
    make_staff(ctx, "admin@fhi.no", "admin")
    checked = 0
    for method, path in sorted(set(walk(app.routes)) - PUBLIC):
        if path.startswith(API_PREFIX):
            continue
        url = concrete(path)
        before = dump(ctx)
        if method == "GET":
            page = await client.get(url, headers={"accept": "text/html"})
            assert page.status_code == 303, (method, path, page.status_code)
            assert page.headers["location"].startswith("/staff/login?neste="), path
            data = await client.get(url, headers={"accept": "application/json"})
            assert data.status_code == 401, (method, path, data.status_code)
            assert "Du må logge inn" in data.json()["detail"]
        else:
            answer = await client.request(method, url, data={"csrf_token": "x", "id": "1"})
            assert answer.status_code in (303, 401, 403), (method, path, answer.status_code)
        assert dump(ctx) == before, f"{method} {path} changed something for an anonymous caller"
        checked += 1
    assert checked >= 4


async def test_a_forged_or_stale_cookie_is_anonymous(
    ctx: Context, client: httpx.AsyncClient, clock: Clock
) -> None:
    client.cookies.set(SESSION_COOKIE, staff.new_token())
    page = await client.get("/staff/logg")
    assert page.status_code == 303 and "utlopt=1" in page.headers["location"]
    assert f"{SESSION_COOKIE}=" in page.headers["set-cookie"]  # the stale cookie is cleared


# --- CSRF on every state change -----------------------------------------------------------------


async def test_every_staff_post_without_a_valid_token_is_refused_and_changes_nothing(
    ctx: Context, app: FastAPI, client: httpx.AsyncClient
) -> None:
    await login(client, ctx, role="admin")
    async with staff_client(ctx, app) as other:  # a valid token of another session
        _, foreign = await login(other, ctx, role="redaktor")
    posts = sorted(
        path
        for method, path in walk(app.routes)
        if method == "POST" and path.startswith("/staff") and path not in LOGIN_FORMS
    )
    assert "/staff/logout" in posts and "/staff/passord" in posts
    for path in posts:
        url = concrete(path)
        for data in ({}, {"csrf_token": ""}, {"csrf_token": "0" * 64}, {"csrf_token": foreign}):
            before = dump(ctx)
            answer = await client.post(url, data=data | {"id": "1", "reason": "x"})
            assert answer.status_code == 403, (path, data, answer.status_code)
            assert "Skjemaet var utløpt, prøv igjen" in answer.text, path
            assert dump(ctx) == before, f"POST {path} changed something without a valid token"
    # still logged in: the refusals ended nothing
    assert (await client.get("/staff/logg")).status_code == 200


async def test_the_login_form_checks_its_own_token(ctx: Context, client: httpx.AsyncClient) -> None:
    make_staff(ctx, "ola@fhi.no")
    before = dump(ctx)
    for data in ({}, {"csrf_token": "x"}):
        answer = await client.post(
            "/staff/login", data=data | {"email": "ola@fhi.no", "password": PASSWORD}
        )
        assert answer.status_code == 403 and SESSION_COOKIE not in answer.headers.get(
            "set-cookie", ""
        )
    assert dump(ctx) == before  # no session, no audit event, no counted failure


async def test_a_setup_link_form_checks_its_token(ctx: Context, client: httpx.AsyncClient) -> None:
    user = make_staff(ctx, "ny@fhi.no", password=None)
    with Session(ctx.engine, expire_on_commit=False) as session:
        token = staff.issue_setup_token(session, user, ctx.clock(), timedelta(hours=1))
        session.commit()
    before = dump(ctx)
    answer = await client.post(
        f"/staff/passord/{token}",
        data={"csrf_token": "x", "new_password": PASSWORD, "new_password_again": PASSWORD},
    )
    assert answer.status_code == 403 and dump(ctx) == before


# --- sessions ---------------------------------------------------------------------------------


async def test_cookie_flags(ctx: Context, client: httpx.AsyncClient) -> None:
    make_staff(ctx, "ola@fhi.no")
    form = await client.get("/staff/login")
    done = await client.post(
        "/staff/login",
        data={"csrf_token": csrf_of(form.text), "email": "ola@fhi.no", "password": PASSWORD},
    )
    cookie = next(c for c in done.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=lax", "path=/staff"} <= flags, flags
    assert not any(f.startswith(("max-age", "expires")) for f in flags)
    assert done.headers["cache-control"] == "no-store"


async def test_no_secure_flag_when_the_site_is_http(
    database_url: str, tmp_path: Path, ctx: Context
) -> None:
    plain = Context(
        settings=make_settings(database_url, tmp_path, base_url="http://127.0.0.1:8000"),
        engine=ctx.engine,
        clock=ctx.clock,
    )
    make_staff(ctx, "ola@fhi.no")
    transport = httpx.ASGITransport(app=create_app(plain))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        form = await c.get("/staff/login")
        done = await c.post(
            "/staff/login",
            data={"csrf_token": csrf_of(form.text), "email": "ola@fhi.no", "password": PASSWORD},
        )
        assert done.status_code == 303
        assert "secure" not in done.headers["set-cookie"].lower()
        assert (await c.get("/staff/logg")).status_code == 200


async def test_idle_session_ends(ctx: Context, client: httpx.AsyncClient, clock: Clock) -> None:
    await login(client, ctx)
    clock.advance(minutes=59)
    assert (await client.get("/staff/logg")).status_code == 200  # a request keeps it alive
    clock.advance(minutes=59)
    assert (await client.get("/staff/logg")).status_code == 200
    clock.advance(minutes=61)
    page = await client.get("/staff/logg")
    assert page.status_code == 303
    assert page.headers["location"] == "/staff/login?neste=/staff/logg&utlopt=1"
    shown = await client.get(page.headers["location"])
    assert "Økten din er utløpt. Logg inn på nytt." in shown.text
    with Session(ctx.engine) as session:
        assert session.exec(select(StaffSession)).all() == []  # the ended row is gone


async def test_absolute_lifetime_ends_a_busy_session(
    ctx: Context, client: httpx.AsyncClient, clock: Clock
) -> None:
    await login(client, ctx)
    for _ in range(14):  # 11 h 40 min of requests every 50 minutes
        clock.advance(minutes=50)
        assert (await client.get("/staff/logg")).status_code == 200
    clock.advance(minutes=21)  # 12 h 01 min after login
    assert (await client.get("/staff/logg")).status_code == 303


async def test_logout_ends_the_session_for_good(
    ctx: Context, app: FastAPI, client: httpx.AsyncClient
) -> None:
    _, csrf = await login(client, ctx)
    stolen = client.cookies.get(SESSION_COOKIE)
    assert stolen
    out = await client.post("/staff/logout", data={"csrf_token": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/staff/login?ok=utlogget"
    assert "Du er logget ut." in (await client.get(out.headers["location"])).text
    async with staff_client(ctx, app) as thief:
        thief.cookies.set(SESSION_COOKIE, stolen)
        assert (await thief.get("/staff/logg")).status_code == 303
        replay = await thief.post("/staff/logout", data={"csrf_token": csrf})
        assert replay.status_code == 303 and replay.headers["location"].startswith("/staff/login")
    assert [e.actor for e in events(ctx, audit.LOGOUT)] == ["redaktor@fhi.no"]


async def test_password_change_ends_the_other_sessions(
    ctx: Context, app: FastAPI, client: httpx.AsyncClient
) -> None:
    _, csrf = await login(client, ctx)
    async with staff_client(ctx, app) as laptop, staff_client(ctx, app) as phone:
        await login(laptop, ctx)
        await login(phone, ctx)
        changed = await client.post(
            "/staff/passord",
            data={"csrf_token": csrf, "current_password": PASSWORD,
                  "new_password": OTHER_PASSWORD, "new_password_again": OTHER_PASSWORD},
        )  # fmt: skip
        assert changed.status_code == 303, changed.text
        assert changed.headers["location"] == "/staff/passord?ok=1"
        assert (await laptop.get("/staff/logg")).status_code == 303
        assert (await phone.get("/staff/logg")).status_code == 303
    page = await client.get("/staff/passord?ok=1")
    assert page.status_code == 200 and "Du er logget ut på alle andre enheter" in page.text
    with Session(ctx.engine) as session:
        assert len(session.exec(select(StaffSession)).all()) == 1


async def test_a_disabled_account_loses_its_sessions(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    user, _ = await login(client, ctx)
    with Session(ctx.engine) as session:
        staff.disable(session, user.email, ctx.clock())
        session.commit()
    assert (await client.get("/staff/logg")).status_code == 303


async def test_a_session_whose_user_was_disabled_meanwhile_is_refused(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    """Disabling without ending sessions (a row left by another path) still locks out."""
    user, _ = await login(client, ctx)
    with Session(ctx.engine) as session:
        row = staff.find_staff(session, user.email)
        assert row is not None
        row.disabled_at = ctx.clock()
        session.add(row)
        session.commit()
    assert (await client.get("/staff/logg")).status_code == 303


# --- login ------------------------------------------------------------------------------------


async def _try(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    form = await client.get("/staff/login")
    return await client.post(
        "/staff/login",
        data={"csrf_token": csrf_of(form.text), "email": email, "password": password},
    )


def _page_without(page: str, *typed: str) -> str:
    for value in typed:
        page = page.replace(value, "EMAIL")
    return page


async def test_refusals_do_not_tell_whether_the_account_exists(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    make_staff(ctx, "ola@fhi.no")
    make_staff(ctx, "kari@fhi.no")
    make_staff(ctx, "uten@fhi.no", password=None)
    with Session(ctx.engine) as session:
        staff.disable(session, "kari@fhi.no", ctx.clock())
        session.commit()
    tries = [
        ("ukjent@fhi.no", PASSWORD),  # no such account
        ("ola@fhi.no", "feil passord 123"),  # wrong password
        ("kari@fhi.no", PASSWORD),  # disabled
        ("uten@fhi.no", PASSWORD),  # no password set yet
    ]
    pages = []
    for email, password in tries:
        answer = await _try(client, email, password)
        assert answer.status_code == 400
        assert "Feil e-postadresse eller passord." in answer.text
        assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")
        pages.append(_page_without(answer.text, email))
    assert all(page == pages[0] for page in pages)
    failed = events(ctx, audit.LOGIN_FAILED)
    assert len(failed) == 4 and all(e.actor == "anonymous" for e in failed)


async def test_login_is_limited_per_account(
    ctx: Context, app: FastAPI, client: httpx.AsyncClient, clock: Clock
) -> None:
    make_staff(ctx, "ola@fhi.no")
    for n in range(5):
        assert (await _try(client, "ola@fhi.no", f"feil passord nr {n}")).status_code == 400
    # from another client too, and with the right password: the account waits
    async with staff_client(ctx, app, client=("198.51.100.9", 1)) as elsewhere:
        limited = await _try(elsewhere, "OLA@fhi.no", PASSWORD)
    assert limited.status_code == 429
    assert "For mange mislykkede innloggingsforsøk. Vent 15 minutter og prøv igjen." in (
        limited.text
    )
    assert "<h1>Logg inn</h1>" in limited.text  # the form is there to try again later
    nn = await client.get("/staff/login?lang=nn")
    assert nn.status_code == 200
    limited_nn = await _try(client, "ola@fhi.no", PASSWORD)
    assert "Vent 15 minutt og prøv igjen" in limited_nn.text
    clock.advance(minutes=16)
    assert (await _try(client, "ola@fhi.no", PASSWORD)).status_code == 303


async def test_login_is_limited_per_client(ctx: Context, client: httpx.AsyncClient) -> None:
    make_staff(ctx, "ola@fhi.no")
    for n in range(20):  # one guess at each of twenty addresses
        assert (await _try(client, f"gjett{n}@fhi.no", "sommer2026")).status_code == 400
    limited = await _try(client, "ola@fhi.no", PASSWORD)
    assert limited.status_code == 429 and "Vent 15 minutter" in limited.text


async def test_next_is_only_a_console_path(ctx: Context, client: httpx.AsyncClient) -> None:
    make_staff(ctx, "ola@fhi.no")
    cases = {
        "/staff/logg?handling=login": "/staff/logg?handling=login",
        "https://evil.example/staff": "/staff",
        "//evil.example/staff": "/staff",
        "/staff/../abonner": "/staff",
        "/staff/%2e%2e/abonner": "/staff",
        "/\\evil.example": "/staff",
        "/staffevil": "/staff",
        "/staff/login": "/staff",
        "/abonner": "/staff",
    }
    for neste, expected in cases.items():
        form = await client.get("/staff/login", params={"neste": neste})
        done = await client.post(
            "/staff/login",
            params={"neste": neste},
            data={"csrf_token": csrf_of(form.text), "email": "ola@fhi.no", "password": PASSWORD},
        )
        assert done.status_code == 303 and done.headers["location"] == expected, neste


async def test_wrong_current_passwords_count_against_the_account(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    _, csrf = await login(client, ctx)
    for n in range(5):
        wrong = await client.post(
            "/staff/passord",
            data={"csrf_token": csrf, "current_password": f"gjetning {n}",
                  "new_password": OTHER_PASSWORD, "new_password_again": OTHER_PASSWORD},
        )  # fmt: skip
        assert wrong.status_code == 400 and "Det nåværende passordet er feil." in wrong.text
    right = await client.post(
        "/staff/passord",
        data={"csrf_token": csrf, "current_password": PASSWORD,
              "new_password": OTHER_PASSWORD, "new_password_again": OTHER_PASSWORD},
    )  # fmt: skip
    assert right.status_code == 429 and "Vent 15 minutter" in right.text


# --- the audit log ------------------------------------------------------------------------------


async def test_audit_log_records_the_door_and_never_a_password(
    ctx: Context, app: FastAPI, client: httpx.AsyncClient
) -> None:
    await _try(client, "redaktor@fhi.no", "feil passord ABC")
    await _try(client, "ukjent@fhi.no", "hemmelig passord XYZ")
    _, csrf = await login(client, ctx)
    await client.post(
        "/staff/passord",
        data={"csrf_token": csrf, "current_password": "feil nåværende Q",
              "new_password": OTHER_PASSWORD, "new_password_again": OTHER_PASSWORD},
    )  # fmt: skip
    await client.post(
        "/staff/passord",
        data={"csrf_token": csrf, "current_password": PASSWORD,
              "new_password": OTHER_PASSWORD, "new_password_again": OTHER_PASSWORD},
    )  # fmt: skip
    await client.post("/staff/logout", data={"csrf_token": csrf})
    actions = [e.action for e in reversed(events(ctx))]
    for expected in ("login_failed", "login", "password_set", "logout"):
        assert expected in actions, actions
    web = actions[actions.index("login") :]
    assert web == ["login", "password_change_failed", "password_set", "logout"], actions
    assert actions[:2] == ["login_failed", "login_failed"]
    changed = events(ctx, audit.PASSWORD_SET)[0]  # the newest: through the page
    assert changed.actor == "redaktor@fhi.no"
    assert changed.before == {"has_password": True} and changed.after == {"has_password": True}
    everything = repr(dump(ctx))
    for secret in (PASSWORD, OTHER_PASSWORD, "feil passord ABC", "hemmelig passord XYZ",
                   "feil nåværende Q"):  # fmt: skip
        assert secret not in everything
    assert csrf not in everything
