"""Logging in to the staff console in tests, through the real login form.

    from tests.support.staff import fast_hasher, login, staff_client  # noqa: F401 (fixture)

    async def test_something(ctx: Context) -> None:
        async with staff_client(ctx) as client:
            user, csrf = await login(client, ctx, role="admin")
            page = await client.post("/staff/...", data={"csrf_token": csrf, ...})

The session cookie is Secure when NOTIFIER_BASE_URL is https (it is in the ``ctx`` fixture),
so the client talks to ``https://testserver``: a cookie jar sends a Secure cookie over https
only. ``login_sync`` does the same with a synchronous client (``fastapi.testclient``).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlmodel import Session

from notifier import staff
from notifier.context import Context
from notifier.models import StaffUser
from notifier.web import create_app

PASSWORD = "korrekt hest batteri stift"
BASE_URL = "https://testserver"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def fast_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2id parameters (import this fixture into a test module and name it, or make
    an autouse wrapper), so logins in tests do not spend 64 MiB and 0.1 s per hash."""
    monkeypatch.setattr(staff, "HASHER", PasswordHasher(time_cost=1, memory_cost=256))


@asynccontextmanager
async def staff_client(
    ctx: Context, app: Any | None = None, client: tuple[str, int] = ("203.0.113.7", 50000)
) -> AsyncIterator[httpx.AsyncClient]:
    """An async client for the app of ``ctx`` (or ``app``) at https://testserver; ``client``
    is the address the app sees (the per-client login limit keys on it)."""
    transport = httpx.ASGITransport(app=app or create_app(ctx), client=client)
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, follow_redirects=False
    ) as c:
        yield c


def csrf_of(page: str) -> str:
    """The ``csrf_token`` of the first form on a page."""
    found = _CSRF.search(page)
    assert found is not None, "no csrf_token on the page"
    return found.group(1)


def make_staff(
    ctx: Context,
    email: str = "redaktor@fhi.no",
    role: str = "redaktor",
    password: str | None = PASSWORD,
    now: datetime | None = None,
) -> StaffUser:
    """A staff user (created, or the existing one with this address) with ``password``. An
    existing user whose password already matches is left alone, so its sessions live on (a
    second ``login`` as the same user is a second browser)."""
    now = now or ctx.clock()
    with Session(ctx.engine, expire_on_commit=False) as session:
        user = staff.find_staff(session, email) or staff.create_staff(
            session, email, role, now, name=email.partition("@")[0].capitalize()
        )
        current = user.password_hash
        if password is not None and not (current and staff.verify_password(current, password)[0]):
            staff.set_password(session, user, password, now)
        session.commit()
        return user


async def login(
    client: httpx.AsyncClient,
    ctx: Context,
    role: str = "redaktor",
    *,
    email: str | None = None,
    password: str = PASSWORD,
) -> tuple[StaffUser, str]:
    """Create a staff user with ``role`` (address ``<role>@fhi.no`` unless given) and log in
    through the real form; returns the user and the ``csrf_token`` for the session's forms."""
    user = make_staff(ctx, email or f"{role}@fhi.no", role, password)
    form = await client.get("/staff/login")
    assert form.status_code == 200, form.text
    done = await client.post(
        "/staff/login",
        data={"csrf_token": csrf_of(form.text), "email": user.email, "password": password},
    )
    assert done.status_code == 303, done.text
    page = await client.get("/staff/passord")
    assert page.status_code == 200, page.text
    return user, csrf_of(page.text)


def login_sync(
    client: Any,
    ctx: Context,
    role: str = "redaktor",
    *,
    email: str | None = None,
    password: str = PASSWORD,
) -> tuple[StaffUser, str]:
    """``login`` with a synchronous client (``fastapi.testclient.TestClient`` or
    ``httpx.Client``, with base URL https://testserver and redirects not followed)."""
    user = make_staff(ctx, email or f"{role}@fhi.no", role, password)
    form = client.get("/staff/login")
    assert form.status_code == 200, form.text
    done = client.post(
        "/staff/login",
        data={"csrf_token": csrf_of(form.text), "email": user.email, "password": password},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    page = client.get("/staff/passord")
    assert page.status_code == 200, page.text
    return user, csrf_of(page.text)
