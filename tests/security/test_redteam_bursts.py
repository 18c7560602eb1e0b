"""Red team, bursts: limits that count failures in the database must count a burst of
simultaneous requests too. A limit read as "count the rows, then add one" lets every request
of a burst read the count before any of them has added its row; on PostgreSQL (READ
COMMITTED, several web processes) nothing else orders them, and on SQLite readers count beside
each other as well (one writer at a time does not order the reads before the writes).

- Staff logins: twelve wrong passwords for one account at once, from twelve clients: no more
  than five are checked (this held on PostgreSQL only; ``test_staff_auth`` skipped SQLite).
- Changing the password asks for the current one, five wrong tries an account per window: a
  stolen session that fires twelve guesses at once gets no more than five checked.
- Wrong API tokens from one client: a burst gets no more than the limit answered 401.
- Sign-ups per mailbox: twelve web processes (twelve apps on one database, each in its own
  thread and event loop) signing up variants of one mailbox at the same moment get no more
  than the per-address limit accepted.

The real app over ASGI (httpx), SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import functools
import threading

import pytest
from sqlmodel import Session, col, select

from notifier.context import Context
from notifier.models import AuditEvent
from notifier.web import create_app
from subscribers.models import Subscriber
from tests.support.api import api_client, bearer, make_token
from tests.support.signup import client_at, post_sign_up
from tests.support.staff import csrf_of, fast_hasher, login, make_staff, staff_client  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.usefixtures("fast_hasher"),
    # PostgreSQL, and SQLite: readers there count beside each other too
    pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True),
]
BURST = 12
QUEUE = "/api/v1/staff/queue"


async def test_a_burst_of_wrong_logins_is_limited(ctx: Context) -> None:
    limit = ctx.settings.staff_login_limit_per_account
    make_staff(ctx, "ola@fhi.no", "admin")
    app = create_app(ctx)

    async def guess(n: int) -> int:
        async with staff_client(ctx, app, client=(f"192.0.2.{n + 1}", 1)) as client:
            form = await client.get("/staff/login")
            data = {
                "csrf_token": csrf_of(form.text),
                "email": "ola@fhi.no",
                "password": f"gjetning nummer {n}",
            }
            return (await client.post("/staff/login", data=data)).status_code

    statuses = await asyncio.gather(*(guess(n) for n in range(BURST)))
    with Session(ctx.engine) as session:
        checked = session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "login_failed")
        ).all()
    assert len(checked) <= limit, (len(checked), sorted(statuses))


async def test_a_burst_of_wrong_current_passwords_is_limited(ctx: Context) -> None:
    limit = ctx.settings.staff_login_limit_per_account
    async with staff_client(ctx) as client:
        _, csrf = await login(client, ctx, role="redaktor")

        async def guess(n: int) -> int:
            answer = await client.post(
                "/staff/passord",
                data={
                    "csrf_token": csrf,
                    "current_password": f"gjetning nummer {n}",
                    "new_password": "et helt nytt passord",
                    "new_password_again": "et helt nytt passord",
                },
            )
            return answer.status_code

        statuses = await asyncio.gather(*(guess(n) for n in range(BURST)))
    with Session(ctx.engine) as session:
        checked = session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "password_change_failed")
        ).all()
    assert len(checked) <= limit, (len(checked), sorted(statuses))
    assert statuses.count(429) >= BURST - limit, sorted(statuses)


def test_a_burst_of_sign_ups_from_many_processes_is_limited(ctx: Context) -> None:
    limit = ctx.settings.signup_limit_per_address
    apps = [create_app(ctx) for _ in range(BURST)]
    barrier = threading.Barrier(BURST)
    statuses: list[int] = []

    async def sign_up(n: int) -> int:
        async with client_at(apps[n], f"203.0.{n}.7") as client:
            wait = functools.partial(asyncio.to_thread, barrier.wait)
            return (await post_sign_up(client, f"ola+{n}@kommune.no", wait)).status_code

    def process(n: int) -> None:
        statuses.append(asyncio.run(sign_up(n)))

    threads = [threading.Thread(target=process, args=(n,)) for n in range(BURST)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(200) <= limit, sorted(statuses)
    with Session(ctx.engine) as session:
        assert len(session.exec(select(Subscriber)).all()) <= limit


async def test_a_burst_of_wrong_api_tokens_is_limited(ctx: Context) -> None:
    token = make_token(ctx)
    limit = ctx.settings.api_token_limit_per_ip
    async with api_client(ctx, client=("198.51.100.90", 1)) as guesser:

        async def guess(n: int) -> int:
            bad = f"hv_1_{str(n).rjust(43, 'B')}"
            return (await guesser.get(QUEUE, headers=bearer(bad))).status_code

        statuses = await asyncio.gather(*(guess(n) for n in range(limit + BURST)))
        assert statuses.count(401) <= limit, sorted(statuses)
        refused = await guesser.get(QUEUE, headers=bearer(token))
    assert refused.status_code == 429
