"""Staff API tokens, over HTTP on SQLite and PostgreSQL: stored hashed and shown once,
refused after revocation (replay), forged and malformed tokens refused, roles enforced as in
the console, bad tokens rate-limited per client, actions audited under the token's user."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from feeds.store.models import Change
from notifier import api_tokens, audit, staff
from notifier.cli import app as cli_app
from notifier.context import Context
from notifier.models import ApiToken, AuditEvent
from tests.support.api import add_change, api_client, bearer, make_token

QUEUE = "/api/v1/staff/queue"


def approve_path(change_id: int) -> str:
    return f"/api/v1/staff/changes/{change_id}/approve"


def suppress_path(change_id: int) -> str:
    return f"/api/v1/staff/changes/{change_id}/suppress"


def status_of(ctx: Context, change_id: int) -> str:
    with Session(ctx.engine) as session:
        change = session.get(Change, change_id)
        assert change is not None
        return change.status


async def test_token_works_until_revoked_and_a_replay_after_is_refused(ctx: Context) -> None:
    held = add_change(ctx, "Holdt", status="held", held_reason="most_replaced")
    other = add_change(ctx, "Også holdt", status="held", held_reason="feed_replaced")
    token = make_token(ctx)
    async with api_client(ctx) as client:
        queue = await client.get(QUEUE, headers=bearer(token))
        assert queue.status_code == 200
        assert queue.headers["cache-control"] == "no-store"
        assert [i["id"] for i in queue.json()["items"]] == [held, other]
        assert queue.json()["items"][0]["held_reason_text"].startswith("Det meste av teksten")
        ok = await client.post(approve_path(held), headers=bearer(token))
        assert ok.status_code == 200 and ok.json() == {"id": held, "status": "published"}
        with Session(ctx.engine) as session:
            token_id = api_tokens.parse(token)
            assert token_id is not None
            api_tokens.revoke(session, token_id[0], ctx.clock())
            session.commit()
        replay = await client.post(
            suppress_path(other), headers=bearer(token), json={"reason": "feil"}
        )
        assert replay.status_code == 401
        assert replay.headers["www-authenticate"].startswith("Bearer")
        assert replay.json()["error"]["code"] == "token_invalid"
    assert status_of(ctx, held) == "published" and status_of(ctx, other) == "held"


async def test_forged_and_malformed_tokens_are_refused(ctx: Context) -> None:
    held = add_change(ctx, "Holdt", status="held", held_reason="most_replaced")
    token = make_token(ctx)
    other = make_token(ctx, "admin@fhi.no", role="admin")
    token_id, secret = api_tokens.parse(token) or (0, "")
    other_id, _ = api_tokens.parse(other) or (0, "")
    flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    forgeries = [
        f"hv_{token_id}_{flipped}",  # one character changed
        f"hv_{other_id}_{secret}",  # a real secret under another token's id
        f"hv_{token_id + 10}_{secret}",  # an id that does not exist
        hashlib.sha256(secret.encode()).hexdigest(),  # the stored hash itself
        f"hv_{token_id}_{hashlib.sha256(secret.encode()).hexdigest()}",
        token + "x",
        token[:-1],
        f"hv_0_{secret}",
    ]
    async with api_client(ctx) as client:
        for forged in forgeries:
            response = await client.post(approve_path(held), headers=bearer(forged))
            assert response.status_code == 401, forged
            assert response.json()["error"]["code"] == "token_invalid"
        raw = {"Authorization": b"Bearer hv_1_" + b"A" * 42 + "\u0130".encode()}
        response = await client.post(approve_path(held), headers=raw)
        assert response.status_code == 401
        for headers in ({}, {"Authorization": token}, {"Authorization": f"Basic {token}"},
                        {"Authorization": "Bearer "}):  # fmt: skip
            response = await client.get(QUEUE, headers=headers)
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "token_missing"
    assert status_of(ctx, held) == "held"


async def test_roles_are_enforced_and_capped_by_the_user(ctx: Context) -> None:
    held = add_change(ctx, "Holdt", status="held", held_reason="most_replaced")
    reader = make_token(ctx, "lese@fhi.no", role="redaktor", token_role="lese")
    async with api_client(ctx) as client:
        assert (await client.get(QUEUE, headers=bearer(reader))).status_code == 200
        for path, body in ((approve_path(held), None), (suppress_path(held), {"reason": "x"})):
            response = await client.post(path, headers=bearer(reader), json=body)
            assert response.status_code == 403
            error = response.json()["error"]
            assert error["code"] == "role_insufficient" and "redaktor" in error["message"]
    assert status_of(ctx, held) == "held"
    # no token above its user's role
    with Session(ctx.engine) as session, pytest.raises(staff.StaffError, match="more rights"):
        api_tokens.create(session, "lese@fhi.no", "for mye", ctx.clock(), role="admin")
    assert api_tokens.effective_role("admin", "redaktor") == "redaktor"
    assert api_tokens.effective_role("lese", "admin") == "lese"


async def test_a_disabled_user_s_tokens_stop_working(ctx: Context) -> None:
    token = make_token(ctx, "borte@fhi.no")
    with Session(ctx.engine) as session:
        staff.disable(session, "borte@fhi.no", ctx.clock())
        session.commit()
    async with api_client(ctx) as client:
        response = await client.get(QUEUE, headers=bearer(token))
    assert response.status_code == 401


async def test_bad_tokens_are_rate_limited_per_client(ctx: Context) -> None:
    token = make_token(ctx)
    limit = ctx.settings.api_token_limit_per_ip
    async with api_client(ctx, client=("198.51.100.4", 1)) as guesser:
        for n in range(limit):
            bad = f"hv_1_{str(n).rjust(43, 'A')}"
            assert (await guesser.get(QUEUE, headers=bearer(bad))).status_code == 401
        refused = await guesser.get(QUEUE, headers=bearer(token))  # even a good one now
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
        assert refused.headers["retry-after"]
    async with api_client(ctx, client=("198.51.100.5", 1)) as other:
        assert (await other.get(QUEUE, headers=bearer(token))).status_code == 200
    ctx.clock.advance(minutes=ctx.settings.staff_login_window_minutes + 1)  # type: ignore[attr-defined]
    async with api_client(ctx, client=("198.51.100.4", 1)) as guesser:
        assert (await guesser.get(QUEUE, headers=bearer(token))).status_code == 200


async def test_actions_are_audited_under_the_token_s_user_and_errors_are_clear(
    ctx: Context,
) -> None:
    held = add_change(ctx, "Holdt", status="held", held_reason="most_replaced")
    published = add_change(ctx, "Ute")
    token = make_token(ctx, "kari@fhi.no")
    async with api_client(ctx) as client:
        h = bearer(token)
        cases = [
            (approve_path(published), None, 409, "not_held"),
            (approve_path(99999), None, 404, "change_not_found"),
            (approve_path(0), None, 404, "change_not_found"),
            (suppress_path(held), {"reason": "   "}, 400, "reason_missing"),
            (suppress_path(held), {"grunn": "x"}, 400, "body_invalid"),
        ]
        for path, body, status, code in cases:
            response = await client.post(path, headers=h, json=body)
            assert (response.status_code, response.json()["error"]["code"]) == (status, code)
        broken = await client.post(suppress_path(held), headers=h, content=b"{ikke json")
        assert broken.status_code == 400 and broken.json()["error"]["code"] == "body_invalid"
        done = await client.post(suppress_path(held), headers=h, json={"reason": "Feil kilde"})
        assert done.json() == {"id": held, "status": "suppressed"}
        again = await client.post(suppress_path(held), headers=h, json={"reason": "igjen"})
        assert (again.status_code, again.json()["error"]["code"]) == (409, "already_suppressed")
    with Session(ctx.engine) as session:
        events = audit.recent(session)
        suppressed = [e for e in events if e.action == "change.suppress"]
        assert [(e.actor, e.target_id, e.detail) for e in suppressed] == [
            ("kari@fhi.no", str(held), "Feil kilde")
        ]
        created = [e for e in events if e.action == api_tokens.CREATE]
        assert created and created[0].after["staff_user"] == "kari@fhi.no"
        row = session.exec(select(ApiToken)).one()
        assert row.last_used_at == ctx.clock()


def test_cli_shows_the_token_once_and_stores_only_its_hash(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(ctx.settings.data_dir))
    with Session(ctx.engine) as session:
        staff.create_staff(session, "ola@fhi.no", "admin", ctx.clock())
        session.commit()
    runner = CliRunner()
    made = runner.invoke(
        cli_app, ["api", "token-create", "--staff", "OLA@fhi.no", "--name", "Nattlig  skript"]
    )
    assert made.exit_code == 0, made.output
    token = next(line for line in made.stdout.splitlines() if line.startswith("hv_"))
    parsed = api_tokens.parse(token)
    assert parsed is not None and len(parsed[1]) == 43  # 32 random bytes, base64url
    listed = runner.invoke(cli_app, ["api", "token-list"])
    assert listed.exit_code == 0
    assert "ola@fhi.no\tadmin\tNattlig skript" in listed.stdout
    assert parsed[1] not in listed.stdout and "used never" in listed.stdout
    with Session(ctx.engine) as session:
        row = session.exec(select(ApiToken)).one()
        assert row.secret_hash == hashlib.sha256(parsed[1].encode()).hexdigest()
        stored = " ".join(str(v) for v in row.model_dump().values())
        assert parsed[1] not in stored
        logged = session.exec(select(AuditEvent).where(col(AuditEvent.action).like("api%")))
        assert all(parsed[1] not in str(e.after) + e.detail for e in logged)
    bad_role = runner.invoke(
        cli_app, ["api", "token-create", "--staff", "ola@fhi.no", "--name", "x", "--role", "sjef"]
    )
    assert bad_role.exit_code == 2 and "unknown role" in bad_role.stderr
    unknown = runner.invoke(cli_app, ["api", "token-create", "--staff", "nn@fhi.no", "--name", "x"])
    assert unknown.exit_code == 2 and "no staff user" in unknown.stderr
    revoked = runner.invoke(cli_app, ["api", "token-revoke", str(parsed[0])])
    assert revoked.exit_code == 0
    twice = runner.invoke(cli_app, ["api", "token-revoke", str(parsed[0])])
    assert twice.exit_code == 2 and "revoked already" in twice.stderr
    assert "revoked" in runner.invoke(cli_app, ["api", "token-list"]).stdout


def test_last_use_is_written_at_most_once_a_minute(ctx: Context) -> None:
    token = make_token(ctx)
    start = ctx.clock()
    with Session(ctx.engine) as session:
        window = timedelta(minutes=15)
        api_tokens.authenticate(session, token, "c", start, 20, window)
        session.commit()
        api_tokens.authenticate(session, token, "c", start + timedelta(seconds=30), 20, window)
        session.commit()
        row = session.exec(select(ApiToken)).one()
        assert row.last_used_at == start
        api_tokens.authenticate(session, token, "c", start + timedelta(minutes=2), 20, window)
        session.commit()
        session.refresh(row)
        assert row.last_used_at == start + timedelta(minutes=2)
