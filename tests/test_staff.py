"""Staff accounts, sessions, the audit log and the ``notifier staff`` commands, on SQLite and
PostgreSQL (``ctx``/``database_url``); the attacker's view is in
tests/security/test_staff_auth.py."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from notifier import audit, staff
from notifier.cli import app
from notifier.context import Context
from notifier.models import AuditEvent, StaffSession, StaffUser
from notifier.worker import StaffPurgeReport, housekeep_staff
from tests.conftest import Clock

PASSWORD = "korrekt hest batteri stift"
IDLE, ABSOLUTE = timedelta(minutes=60), timedelta(hours=12)


@pytest.fixture(autouse=True)
def fast_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2id parameters, so the tests do not spend 64 MiB and 0.1 s per hash."""
    monkeypatch.setattr(staff, "HASHER", PasswordHasher(time_cost=1, memory_cost=256))


@pytest.fixture
def db(ctx: Context) -> Iterator[Session]:
    with Session(ctx.engine, expire_on_commit=False) as session:
        yield session


def make_user(
    db: Session, now: datetime, email: str = "ola@fhi.no", role: str = "redaktor"
) -> StaffUser:
    user = staff.create_staff(db, email, role, now, name="Ola")
    staff.set_password(db, user, PASSWORD, now)
    db.commit()
    return user


# --- passwords ----------------------------------------------------------------------------


def test_hash_is_argon2id_salted_and_verifies() -> None:
    first, second = staff.hash_password(PASSWORD), staff.hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and first != second
    assert staff.verify_password(first, PASSWORD) == (True, False)
    assert staff.verify_password(first, PASSWORD + " ") == (False, False)
    assert staff.verify_password("not a hash", PASSWORD) == (False, False)
    assert staff.verify_password("", PASSWORD) == (False, False)


def test_password_is_compared_after_nfc() -> None:
    composed, decomposed = "blåbærsyltetøy!", "bla\u030abærsyltetøy!"
    assert composed != decomposed
    assert staff.verify_password(staff.hash_password(composed), decomposed)[0]


def test_a_hash_with_old_parameters_asks_for_a_rehash() -> None:
    old = PasswordHasher(time_cost=1, memory_cost=128)
    stored = staff.hash_password(PASSWORD, old)
    assert staff.verify_password(stored, PASSWORD, old) == (True, False)
    assert staff.verify_password(stored, PASSWORD) == (True, True)  # the current hasher


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("kort", "password_too_short"),
        ("elleve tegn", "password_too_short"),
        (" " * 20, "password_too_short"),
        ("x" * 1025, "password_too_long"),
        ("ola.nordmann@fhi.no", "password_is_email"),
        ("OLA.Nordmann@FHI.no ", "password_is_email"),
        ("ola.nordmann", "password_is_email"),
    ],
)
def test_password_rules(password: str, code: str) -> None:
    problem = staff.password_problem(password, "ola.nordmann@fhi.no")
    assert problem is not None and problem.code == code
    assert str(problem)  # an English sentence for the command line
    for language in ("nb", "nn"):
        assert staff.MESSAGES[language][code]


def test_good_passwords_pass() -> None:
    assert staff.password_problem("tolv tegn ok", "ola@fhi.no") is None
    assert staff.password_problem("x" * 1024, "ola@fhi.no") is None


def test_every_message_exists_in_both_languages() -> None:
    assert staff.MESSAGES["nb"].keys() == staff.MESSAGES["nn"].keys()
    codes = {"login_refused", "rate_limited", "setup_invalid", "setup_expired"}
    assert codes <= staff.MESSAGES["nb"].keys()


# --- accounts -----------------------------------------------------------------------------


def test_create_staff_stores_the_address_in_lower_case(db: Session, clock: Clock) -> None:
    user = staff.create_staff(db, " Kari.Nordmann@FHI.no ", "admin", clock(), name=" Kari ")
    db.commit()
    assert (user.email, user.role, user.name) == ("kari.nordmann@fhi.no", "admin", "Kari")
    assert user.password_hash is None and user.created_at == clock()
    assert staff.find_staff(db, "KARI.nordmann@fhi.NO") == user
    event = audit.recent(db, 10, 0, action=audit.STAFF_ADD)[0]
    assert (event.actor, event.target_kind, event.target_id) == ("cli", "staff_user", str(user.id))
    assert event.after["role"] == "admin" and event.after["has_password"] is False


@pytest.mark.parametrize(
    ("email", "role", "code"),
    [
        ("not-an-address", "redaktor", "email_invalid"),
        ("ola@localhost", "redaktor", "email_invalid"),
        ("Ola <ola@fhi.no>", "redaktor", "email_invalid"),
        ("ola@fhi.no", "superuser", "role_invalid"),
        ("ola@fhi.no", "", "role_invalid"),
    ],
)
def test_create_staff_refuses_bad_input(
    db: Session, clock: Clock, email: str, role: str, code: str
) -> None:
    with pytest.raises(staff.StaffError) as refused:
        staff.create_staff(db, email, role, clock())
    assert refused.value.code == code
    assert staff.list_staff(db) == []


def test_a_second_account_for_an_address_is_refused(db: Session, clock: Clock) -> None:
    make_user(db, clock())
    with pytest.raises(staff.StaffError, match="already a staff user") as refused:
        staff.create_staff(db, "OLA@fhi.no", "admin", clock())
    assert refused.value.code == "staff_exists"


def test_disable_is_recorded_and_idempotent(db: Session, clock: Clock) -> None:
    user = make_user(db, clock())
    clock.advance(hours=1)
    staff.disable(db, "Ola@fhi.no", clock())
    db.commit()
    assert user.disabled_at == clock()
    clock.advance(hours=1)
    assert staff.disable(db, "ola@fhi.no", clock()).disabled_at == clock.now - timedelta(hours=1)
    events = audit.recent(db, 10, 0, action=audit.STAFF_DISABLE)
    assert len(events) == 1
    assert events[0].before["disabled_at"] is None
    assert events[0].after["disabled_at"] == (clock.now - timedelta(hours=1)).isoformat()
    with pytest.raises(staff.StaffError, match="no staff user"):
        staff.disable(db, "nobody@fhi.no", clock())


def test_list_staff(db: Session, clock: Clock) -> None:
    make_user(db, clock(), "b@fhi.no")
    make_user(db, clock(), "a@fhi.no")
    staff.disable(db, "b@fhi.no", clock())
    assert [u.email for u in staff.list_staff(db)] == ["a@fhi.no", "b@fhi.no"]
    assert [u.email for u in staff.list_staff(db, include_disabled=False)] == ["a@fhi.no"]


# --- setup links --------------------------------------------------------------------------


def test_setup_token_works_once(db: Session, clock: Clock) -> None:
    user = staff.create_staff(db, "ola@fhi.no", "redaktor", clock())
    token = staff.issue_setup_token(db, user, clock(), timedelta(hours=48))
    db.commit()
    assert user.setup_token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert user.setup_expires_at == clock.now + timedelta(hours=48)
    clock.advance(hours=47)
    assert staff.redeem_setup_token(db, token, PASSWORD, clock()) == user
    db.commit()
    assert user.password_hash and user.password_changed_at == clock()
    assert user.setup_token_hash is None and user.setup_expires_at is None
    with pytest.raises(staff.SetupLinkError) as again:
        staff.redeem_setup_token(db, token, "another long password", clock())
    assert again.value.code == "setup_invalid"
    assert staff.verify_password(user.password_hash, PASSWORD)[0]


def test_setup_token_expires(db: Session, clock: Clock) -> None:
    user = staff.create_staff(db, "ola@fhi.no", "redaktor", clock())
    token = staff.issue_setup_token(db, user, clock(), timedelta(hours=48))
    clock.advance(hours=48)
    with pytest.raises(staff.SetupLinkError) as expired:
        staff.redeem_setup_token(db, token, PASSWORD, clock())
    assert expired.value.code == "setup_expired"
    assert user.password_hash is None


def test_a_rejected_password_leaves_the_setup_link_usable(db: Session, clock: Clock) -> None:
    user = staff.create_staff(db, "ola@fhi.no", "redaktor", clock())
    token = staff.issue_setup_token(db, user, clock(), timedelta(hours=1))
    with pytest.raises(staff.PasswordRejected):
        staff.redeem_setup_token(db, token, "ola@fhi.no", clock())
    assert staff.redeem_setup_token(db, token, PASSWORD, clock()) == user


def test_a_new_setup_link_replaces_the_old_one(db: Session, clock: Clock) -> None:
    user = staff.create_staff(db, "ola@fhi.no", "redaktor", clock())
    first = staff.issue_setup_token(db, user, clock(), timedelta(hours=1))
    second = staff.issue_setup_token(db, user, clock(), timedelta(hours=1))
    with pytest.raises(staff.SetupLinkError):
        staff.redeem_setup_token(db, first, PASSWORD, clock())
    staff.redeem_setup_token(db, second, PASSWORD, clock())


def test_a_disabled_user_cannot_use_a_setup_link(db: Session, clock: Clock) -> None:
    user = staff.create_staff(db, "ola@fhi.no", "redaktor", clock())
    token = staff.issue_setup_token(db, user, clock(), timedelta(hours=1))
    staff.disable(db, "ola@fhi.no", clock())
    with pytest.raises(staff.SetupLinkError):
        staff.redeem_setup_token(db, token, PASSWORD, clock())
    with pytest.raises(staff.StaffError):
        staff.issue_setup_token(db, user, clock(), timedelta(hours=1))


# --- sessions -----------------------------------------------------------------------------


def test_session_stores_only_the_hash_of_its_token(db: Session, clock: Clock) -> None:
    user = make_user(db, clock())
    token = staff.start_session(db, user, clock(), ABSOLUTE)
    db.commit()
    row = db.exec(select(StaffSession)).one()
    assert row.id == hashlib.sha256(token.encode()).hexdigest()
    assert row.expires_at == clock.now + ABSOLUTE
    assert staff.session_user(db, token, clock(), IDLE, ABSOLUTE) == user


def test_session_ends_at_its_absolute_lifetime(db: Session, clock: Clock) -> None:
    user = make_user(db, clock())
    token = staff.start_session(db, user, clock(), ABSOLUTE)
    for _ in range(23):  # busy all day: never idle
        clock.advance(minutes=30)
        assert staff.session_user(db, token, clock(), IDLE, ABSOLUTE) == user
    clock.advance(minutes=30)  # 12 hours after login
    assert staff.session_user(db, token, clock(), IDLE, ABSOLUTE) is None
    assert db.exec(select(StaffSession)).all() == []  # deleted, not just refused


def test_a_shorter_absolute_setting_applies_to_open_sessions(db: Session, clock: Clock) -> None:
    user = make_user(db, clock())
    token = staff.start_session(db, user, clock(), ABSOLUTE)
    clock.advance(hours=2)
    assert staff.session_user(db, token, clock(), timedelta(hours=3), ABSOLUTE) == user
    assert staff.session_user(db, token, clock(), timedelta(hours=3), timedelta(hours=2)) is None


def test_session_ends_when_idle(db: Session, clock: Clock) -> None:
    user = make_user(db, clock())
    token = staff.start_session(db, user, clock(), ABSOLUTE)
    clock.advance(minutes=60)
    assert staff.session_user(db, token, clock(), IDLE, ABSOLUTE) == user  # exactly the limit
    clock.advance(minutes=60, seconds=1)
    assert staff.session_user(db, token, clock(), IDLE, ABSOLUTE) is None
    clock.advance(minutes=1)
    assert staff.session_user(db, token, clock(), IDLE, ABSOLUTE) is None


def test_last_seen_is_written_at_most_once_a_minute(db: Session, clock: Clock) -> None:
    user = make_user(db, clock())
    start = clock()
    token = staff.start_session(db, user, clock(), ABSOLUTE)
    db.commit()
    clock.advance(seconds=59)
    staff.session_user(db, token, clock(), IDLE, ABSOLUTE)
    assert not db.dirty and not db.new
    db.commit()
    assert db.exec(select(StaffSession)).one().last_seen_at == start
    clock.advance(seconds=1)
    staff.session_user(db, token, clock(), IDLE, ABSOLUTE)
    db.commit()
    assert db.exec(select(StaffSession)).one().last_seen_at == clock()


def test_a_disabled_users_sessions_die(db: Session, clock: Clock) -> None:
    user = make_user(db, clock())
    tokens = [staff.start_session(db, user, clock(), ABSOLUTE) for _ in range(2)]
    db.commit()
    staff.disable(db, user.email, clock())
    db.commit()
    assert db.exec(select(StaffSession)).all() == []
    for token in tokens:
        assert staff.session_user(db, token, clock(), IDLE, ABSOLUTE) is None
    with pytest.raises(staff.StaffError):
        staff.start_session(db, user, clock(), ABSOLUTE)


def test_a_session_of_a_user_disabled_behind_its_back_dies(db: Session, clock: Clock) -> None:
    """A disabled_at set directly (not through ``disable``) still ends the session."""
    user = make_user(db, clock())
    token = staff.start_session(db, user, clock(), ABSOLUTE)
    user.disabled_at = clock()
    db.add(user)
    db.commit()
    assert staff.session_user(db, token, clock(), IDLE, ABSOLUTE) is None


def test_password_change_ends_other_sessions_but_not_the_current(db: Session, clock: Clock) -> None:
    user = make_user(db, clock())
    other = make_user(db, clock(), "kari@fhi.no")
    current, elsewhere = (staff.start_session(db, user, clock(), ABSOLUTE) for _ in range(2))
    kari = staff.start_session(db, other, clock(), ABSOLUTE)
    db.commit()
    staff.set_password(db, user, "et helt nytt passord", clock(), actor=user, keep_token=current)
    db.commit()
    assert staff.session_user(db, current, clock(), IDLE, ABSOLUTE) == user
    assert staff.session_user(db, elsewhere, clock(), IDLE, ABSOLUTE) is None
    assert staff.session_user(db, kari, clock(), IDLE, ABSOLUTE) == other
    # set by an administrator (or the CLI): every session of the user ends
    staff.set_password(db, user, "enda et nytt passord", clock())
    assert staff.session_user(db, current, clock(), IDLE, ABSOLUTE) is None


def test_end_other_sessions(db: Session, clock: Clock) -> None:
    user = make_user(db, clock())
    keep, *rest = (staff.start_session(db, user, clock(), ABSOLUTE) for _ in range(3))
    assert staff.end_other_sessions(db, user, keep) == 2
    assert staff.session_user(db, keep, clock(), IDLE, ABSOLUTE) == user
    assert all(staff.session_user(db, t, clock(), IDLE, ABSOLUTE) is None for t in rest)


def test_logout_ends_the_session_and_is_recorded(db: Session, clock: Clock) -> None:
    user = make_user(db, clock())
    token = staff.start_session(db, user, clock(), ABSOLUTE)
    assert staff.end_session(db, token, clock()) == user
    assert staff.session_user(db, token, clock(), IDLE, ABSOLUTE) is None
    assert staff.end_session(db, token, clock()) is None
    assert staff.end_session(db, "", clock()) is None
    (event,) = audit.recent(db, 10, 0, action=audit.LOGOUT)
    assert (event.actor, event.staff_user_id) == ("ola@fhi.no", user.id)


def test_purge_sessions(db: Session, clock: Clock) -> None:
    user = make_user(db, clock())
    old = staff.start_session(db, user, clock(), timedelta(hours=1))
    clock.advance(minutes=30)
    fresh = staff.start_session(db, user, clock(), ABSOLUTE)
    clock.advance(minutes=31)
    assert staff.purge_sessions(db, clock(), IDLE) == 1
    assert staff.session_user(db, fresh, clock(), IDLE, ABSOLUTE) == user
    assert db.get(StaffSession, staff.token_hash(old)) is None


# --- login --------------------------------------------------------------------------------


def test_login_returns_the_user_and_is_recorded(db: Session, clock: Clock) -> None:
    user = make_user(db, clock())
    found = staff.authenticate(
        db, "OLA@fhi.no", PASSWORD, "192.0.2.7", clock(), staff.LoginLimits()
    )
    assert found == user
    (event,) = audit.recent(db, 10, 0, action=audit.LOGIN)
    assert event.actor == "ola@fhi.no" and "192.0.2.7" in event.detail


def test_limits_and_lifetimes_follow_the_settings(ctx: Context) -> None:
    limits = staff.LoginLimits.from_settings(ctx.settings)
    assert limits == staff.LoginLimits(5, 20, timedelta(minutes=15))
    assert staff.SessionLifetimes.from_settings(ctx.settings) == staff.SessionLifetimes(
        timedelta(minutes=60), timedelta(hours=12)
    )
    assert ctx.settings.staff_setup_link_lifetime == timedelta(hours=48)
    assert ctx.settings.audit_retention == timedelta(days=730)


def test_a_login_window_longer_than_rate_event_retention_is_refused(tmp_path: Path) -> None:
    from notifier.settings import Settings

    with pytest.raises(ValueError, match="NOTIFIER_STAFF_LOGIN_WINDOW_MINUTES"):
        Settings(staff_login_window_minutes=180, rate_event_retention_hours=2)


# --- audit --------------------------------------------------------------------------------


def test_audit_records_before_and_after(db: Session, clock: Clock) -> None:
    user = make_user(db, clock())
    event = audit.record(
        db, clock(), user, "change.approve", "change", "42",
        before={"status": "held", "at": clock()}, after={"status": "published", "tags": {"b", "a"}},
        detail="ok",
    )  # fmt: skip
    db.commit()
    stored = db.get(AuditEvent, event.id)
    assert stored is not None
    assert stored.before == {"status": "held", "at": clock().isoformat()}
    assert stored.after == {"status": "published", "tags": ["a", "b"]}
    assert (stored.actor, stored.staff_user_id, stored.detail) == ("ola@fhi.no", user.id, "ok")


def test_audit_redacts_secrets_whatever_the_caller_passes(db: Session, clock: Clock) -> None:
    audit.record(
        db, clock(), None, "test", before={"password": "hemmelig passord"},
        after={"nested": [{"Password-Hash": "$argon2id$x", "csrf_token": "t"}], "ok": 1},
    )  # fmt: skip
    db.commit()
    (event,) = audit.recent(db, 10, 0)
    assert "hemmelig" not in json.dumps([event.before, event.after])
    assert event.before == {"password": audit.REDACTED}
    assert event.after["nested"][0] == {
        "Password-Hash": audit.REDACTED,
        "csrf_token": audit.REDACTED,
    }
    assert event.actor == "cli"


def test_audit_recent_orders_filters_and_pages(db: Session, clock: Clock) -> None:
    for n in range(5):
        audit.record(db, clock(), None, "even" if n % 2 == 0 else "odd", target_id=str(n))
        clock.advance(minutes=1)
    db.commit()
    assert [e.target_id for e in audit.recent(db, 3, 0)] == ["4", "3", "2"]
    assert [e.target_id for e in audit.recent(db, 3, 3)] == ["1", "0"]
    assert [e.target_id for e in audit.recent(db, 10, 0, action="odd")] == ["3", "1"]
    assert audit.count(db) == 5 and audit.count(db, "even") == 3


def test_audit_cuts_texts_to_their_columns(db: Session, clock: Clock) -> None:
    audit.record(db, clock(), None, "a" * 100, "k" * 100, "t" * 100)
    db.commit()
    (event,) = audit.recent(db, 1, 0)
    assert (len(event.action), len(event.target_kind), len(event.target_id)) == (40, 20, 64)


def test_audit_purge_keeps_the_retention(db: Session, clock: Clock) -> None:
    audit.record(db, clock(), None, "old")
    clock.advance(days=730)
    audit.record(db, clock(), None, "new")
    db.commit()
    assert audit.purge(db, clock(), timedelta(days=730)) == 0  # exactly the retention: kept
    clock.advance(seconds=1)
    assert audit.purge(db, clock(), timedelta(days=730)) == 1
    assert [e.action for e in audit.recent(db, 10, 0)] == ["new"]
    with pytest.raises(ValueError):
        audit.purge(db, clock(), timedelta(0))


def test_housekeeping_purges_audit_events_and_ended_sessions(ctx: Context, clock: Clock) -> None:
    with Session(ctx.engine, expire_on_commit=False) as db:
        user = make_user(db, clock())
        staff.start_session(db, user, clock(), ABSOLUTE)
        db.commit()
    clock.advance(days=731)
    with Session(ctx.engine) as db:
        live = staff.start_session(db, user, clock(), ABSOLUTE)
        db.commit()
    report = housekeep_staff(ctx)
    assert report == StaffPurgeReport(audit_events=2, staff_sessions=1)  # staff_add, password_set
    assert "2 audit event(s)" in str(report)
    with Session(ctx.engine) as db:
        assert staff.session_user(db, live, clock(), IDLE, ABSOLUTE) is not None
    assert housekeep_staff(ctx) == StaffPurgeReport()


# --- the command line ---------------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> str:
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("NOTIFIER_BASE_URL", "https://varsel.example.no/")
    return database_url


def run(*args: str, stdin: str | None = None, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def stored(database_url: str, email: str) -> StaffUser:
    from notifier.db import make_engine

    engine = make_engine(database_url)
    try:
        with Session(engine) as db:
            user = staff.find_staff(db, email)
            assert user is not None
            db.expunge(user)
            return user
    finally:
        engine.dispose()


def test_cli_add_with_password_from_stdin(cli_env: str) -> None:
    out = run("staff", "add", "Admin@FHI.no", "--role", "admin", "--name", "Anne Admin",
              "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert "admin@fhi.no added (admin)" in out and "/staff/passord/" not in out
    assert PASSWORD not in out
    user = stored(cli_env, "admin@fhi.no")
    assert user.name == "Anne Admin" and user.password_hash
    assert staff.verify_password(user.password_hash, PASSWORD)[0]  # no trailing newline kept
    listing = run("staff", "list")
    assert "admin@fhi.no\tadmin\tactive\tAnne Admin" in listing


def test_cli_add_prints_a_setup_link_that_works_once(cli_env: str) -> None:
    out = run("staff", "add", "ola@fhi.no", "--role", "redaktor")
    found = re.search(r"https://varsel\.example\.no/staff/passord/([A-Za-z0-9_-]+)\n", out)
    assert found, out
    assert "valid until" in out and "Europe/Oslo" in out
    assert "no password yet (link valid until" in run("staff", "list")
    from notifier.db import make_engine

    engine = make_engine(cli_env)
    with Session(engine) as db:
        now = datetime.now(UTC)
        staff.redeem_setup_token(db, found.group(1), PASSWORD, now)
        db.commit()
        with pytest.raises(staff.SetupLinkError):
            staff.redeem_setup_token(db, found.group(1), PASSWORD, now)
    engine.dispose()
    # a new link for a forgotten password
    again = run("staff", "setup-link", "ola@fhi.no")
    assert "/staff/passord/" in again and found.group(1) not in again


def test_cli_disable_and_set_password(cli_env: str) -> None:
    run("staff", "add", "ola@fhi.no", "--role", "redaktor", "--password-stdin", stdin=PASSWORD)
    out = run(
        "staff", "set-password", "OLA@fhi.no", "--password-stdin", stdin="et nytt langt passord\r\n"
    )
    assert "password of ola@fhi.no set" in out
    user = stored(cli_env, "ola@fhi.no")
    assert (
        user.password_hash and staff.verify_password(user.password_hash, "et nytt langt passord")[0]
    )
    assert "ola@fhi.no disabled" in run("staff", "disable", "ola@fhi.no")
    assert "already disabled" in run("staff", "disable", "ola@fhi.no")
    assert "\tdisabled " in run("staff", "list")
    from notifier.db import make_engine

    engine = make_engine(cli_env)
    with Session(engine) as db:
        actions = [e.action for e in db.exec(select(AuditEvent).order_by(col(AuditEvent.id)))]
        assert all(e.actor == "cli" for e in db.exec(select(AuditEvent)))
    engine.dispose()
    assert actions == ["staff_add", "password_set", "password_set", "staff_disable"]


def test_enable_and_set_role_are_recorded_and_end_sessions(db: Session, clock: Clock) -> None:
    user = make_user(db, clock())
    token = staff.start_session(db, user, clock(), timedelta(hours=8))
    staff.set_role(db, "OLA@fhi.no", "admin", clock())
    db.commit()
    assert user.role == "admin"
    assert staff.session_user(db, token, clock(), timedelta(hours=1), timedelta(hours=8)) is None
    assert staff.set_role(db, "ola@fhi.no", "admin", clock()).role == "admin"  # no-op
    with pytest.raises(staff.StaffError, match="unknown role") as refused:
        staff.set_role(db, "ola@fhi.no", "sjef", clock())
    assert refused.value.code == "role_invalid"
    staff.disable(db, "ola@fhi.no", clock())
    with pytest.raises(staff.StaffError):
        staff.start_session(db, user, clock(), timedelta(hours=8))
    staff.enable(db, "ola@fhi.no", clock())
    staff.enable(db, "ola@fhi.no", clock())  # no-op
    db.commit()
    assert user.disabled_at is None and user.password_hash  # the password is kept
    assert staff.start_session(db, user, clock(), timedelta(hours=8))
    actions = [e.action for e in audit.recent(db, 10, 0)]
    assert actions[:3] == [audit.STAFF_ENABLE, audit.STAFF_DISABLE, audit.STAFF_ROLE]
    role = audit.recent(db, 10, 0, action=audit.STAFF_ROLE)[0]
    assert (role.before["role"], role.after["role"]) == ("redaktor", "admin")


def test_cli_enable_and_set_role(cli_env: str) -> None:
    run("staff", "add", "ola@fhi.no", "--role", "redaktor")
    assert "ola@fhi.no is now admin" in run("staff", "set-role", "ola@fhi.no", "admin")
    assert "unknown role" in run("staff", "set-role", "ola@fhi.no", "sjef", code=2)
    run("staff", "disable", "ola@fhi.no")
    out = run("staff", "enable", "ola@fhi.no")
    assert "ola@fhi.no enabled" in out and "setup-link" in out  # no password was ever set
    assert "ola@fhi.no\tadmin\t" in run("staff", "list")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("staff", "add", "ola@fhi.no", "--role", "boss"), None, "unknown role"),
        (("staff", "add", "ola", "--role", "admin"), None, "not a valid e-mail address"),
        (
            ("staff", "add", "ny@fhi.no", "--role", "admin", "--password-stdin"),
            "kort\n",
            "too short",
        ),
        (
            ("staff", "add", "lang.adresse@fhi.no", "--role", "admin", "--password-stdin"),
            "Lang.Adresse@fhi.no",
            "e-mail",
        ),
        (("staff", "add", "Eksisterende@fhi.no", "--role", "admin"), None, "already a staff user"),
        (("staff", "disable", "nobody@fhi.no"), None, "no staff user"),
        (("staff", "set-password", "nobody@fhi.no", "--password-stdin"), PASSWORD, "no staff user"),
        (("staff", "set-password", "eksisterende@fhi.no"), None, "--password-stdin"),
        (("staff", "set-password", "eksisterende@fhi.no", "--password-stdin"), "kort", "too short"),
        (("staff", "setup-link", "nobody@fhi.no"), None, "no staff user"),
    ],
)
def test_cli_refuses_with_exit_code_2(
    cli_env: str, args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    run(
        "staff",
        "add",
        "eksisterende@fhi.no",
        "--role",
        "redaktor",
        "--password-stdin",
        stdin=PASSWORD,
    )
    out = run(*args, stdin=stdin, code=2)
    assert "error: " in out and message in out
    emails = [line.split("\t")[0] for line in run("staff", "list").splitlines()]
    assert emails == ["eksisterende@fhi.no"]  # nothing half-added


def test_cli_housekeeping_reports_the_audit_purge(cli_env: str) -> None:
    out = run("housekeeping")
    assert "audit event(s) past retention deleted" in out
