"""Red team, round 8: a staff account disabled (the answer to a stolen password or a person
who left) and enabled again later.

Its sessions are deleted when it is disabled, so they stay dead after it is enabled; its API
tokens were only refused while it was disabled: enabling it (after a new password) brought
every token back, a stolen one too, without anyone having issued it again. Disabling now
revokes them, and the audit row says how many.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from notifier import audit, staff
from notifier.context import Context
from notifier.models import ApiToken, AuditEvent
from tests.support.api import api_client, bearer, make_token

QUEUE = "/api/v1/staff/queue"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_tokens_of_a_disabled_account_stay_dead_when_it_is_enabled(ctx: Context) -> None:
    token = make_token(ctx, "borte@fhi.no")
    async with api_client(ctx) as client:
        assert (await client.get(QUEUE, headers=bearer(token))).status_code == 200
        with Session(ctx.engine) as session:
            staff.disable(session, "borte@fhi.no", ctx.clock())
            session.commit()
        assert (await client.get(QUEUE, headers=bearer(token))).status_code == 401
        with Session(ctx.engine) as session:
            staff.enable(session, "borte@fhi.no", ctx.clock())
            session.commit()
        assert (await client.get(QUEUE, headers=bearer(token))).status_code == 401
    with Session(ctx.engine) as session:
        rows = session.exec(select(ApiToken)).all()
        assert rows and all(r.revoked_at is not None for r in rows)
        [event] = session.exec(
            select(AuditEvent).where(AuditEvent.action == audit.STAFF_DISABLE)
        ).all()
        assert "1 token(s) revoked" in event.detail
    fresh = make_token(ctx, "borte@fhi.no")  # a token issued again works
    async with api_client(ctx) as client:
        assert (await client.get(QUEUE, headers=bearer(fresh))).status_code == 200
