"""Red team, round 8: the staff setup link (``/staff/passord/<token>``) as a secret in a URL.

The link sets the password of a staff account: whoever holds it owns the account until it is
used or expires. ``test_redteam_headers`` holds the subscriber's link pages to "no cache, no
referrer, no framing" and leaves out ``/staff``. Here the setup page, valid, used, expired
and forged, and the answer to its form, are held to the same rule, and the link is dead
after use and after expiry.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session

from notifier import staff
from notifier.context import Context
from notifier.web import create_app
from tests.conftest import Clock
from tests.support.staff import PASSWORD, csrf_of, fast_hasher, make_staff, staff_client  # noqa: F401

pytestmark = [
    pytest.mark.usefixtures("fast_hasher"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def assert_private(response: httpx.Response, what: str) -> None:
    """Kept by no cache, its URL sent to no other site, framed by no other site (the console
    may frame itself: ``test_redteam_round7_framing``)."""
    headers = response.headers
    assert "no-store" in headers.get("cache-control", ""), (what, dict(headers))
    assert headers.get("referrer-policy") == "no-referrer", (what, dict(headers))
    assert headers.get("x-frame-options") in ("DENY", "SAMEORIGIN"), (what, dict(headers))


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


def setup_link(ctx: Context, email: str) -> str:
    user = make_staff(ctx, email, password=None)
    with Session(ctx.engine) as session:
        user = session.merge(user)
        token = staff.issue_setup_token(session, user, ctx.clock(), timedelta(days=7))
        session.commit()
    return f"/staff/passord/{token}"


async def test_the_setup_link_is_not_cached_referred_or_framed_and_works_once(
    ctx: Context, app: FastAPI, clock: Clock
) -> None:
    link = setup_link(ctx, "ny@fhi.no")
    async with staff_client(ctx, app) as client:
        page = await client.get(link)
        assert page.status_code == 200
        assert_private(page, f"GET {link}")
        form = {"csrf_token": csrf_of(page.text), "new_password": PASSWORD,
                "new_password_again": PASSWORD}  # fmt: skip
        done = await client.post(link, data=form)
        assert done.status_code == 303
        assert_private(done, f"POST {link}")
        again = await client.post(link, data=form)
        assert again.status_code == 400
        assert_private(again, f"POST {link} again")
        used = await client.get(link)
        assert used.status_code == 400
        assert_private(used, f"GET {link} used")
        forged = await client.get(link[:-3] + "abc")
        assert_private(forged, "GET forged")

        late = setup_link(ctx, "sen@fhi.no")
        clock.advance(days=30)
        expired = await client.get(late)
        assert expired.status_code == 400
        assert_private(expired, "GET expired")
        page = await client.get("/staff/login")
        refused = await client.post(late, data={**form, "csrf_token": csrf_of(page.text)})
        assert refused.status_code == 400
    with Session(ctx.engine) as session:
        user = staff.find_staff(session, "sen@fhi.no")
        assert user is not None and user.password_hash is None
