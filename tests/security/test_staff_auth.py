"""The staff login as an attacker sees it: guessing passwords, probing which addresses have an
account, rotating client addresses or accounts to get around the limits, bursts of parallel
guesses, stolen database rows, forged cookies and setup links; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Literal

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from notifier import audit, staff
from notifier.context import Context
from notifier.models import AuditEvent, StaffSession, StaffUser
from subscribers.models import RateEvent
from tests.conftest import Clock

PASSWORD = "korrekt hest batteri stift"
LIMITS = staff.LoginLimits(per_account=5, per_ip=20, window=timedelta(minutes=15))
IDLE, ABSOLUTE = timedelta(minutes=60), timedelta(hours=12)


class CountingHasher(PasswordHasher):
    """Cheap parameters, and a count of verifications (the work a refusal costs)."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=256)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture(autouse=True)
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher()
    monkeypatch.setattr(staff, "HASHER", counting)
    return counting


@pytest.fixture
def db(ctx: Context) -> Iterator[Session]:
    with Session(ctx.engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def victim(db: Session, clock: Clock) -> StaffUser:
    user = staff.create_staff(db, "ola@fhi.no", "admin", clock())
    staff.set_password(db, user, PASSWORD, clock())
    db.commit()
    return user


def attempt(
    db: Session, clock: Clock, email: str, password: str, client: str = "198.51.100.1"
) -> staff.LoginRefused | StaffUser:
    """One login as the web layer does it: commit after a refusal too."""
    try:
        user = staff.authenticate(db, email, password, client, clock(), LIMITS)
    except staff.LoginRefused as refused:
        db.commit()
        return refused
    db.commit()
    return user


def refusal(result: staff.LoginRefused | StaffUser) -> tuple[str, str, str]:
    assert isinstance(result, staff.LoginRefused), result
    return result.reason, result.code, str(result)


def test_every_failed_login_reads_the_same(
    db: Session, clock: Clock, victim: StaffUser, hasher: CountingHasher
) -> None:
    """Unknown address, wrong password, disabled account, account without a password yet:
    one reason, one code, one message, and the same argon2 work (one verification)."""
    staff.create_staff(db, "ny@fhi.no", "redaktor", clock())  # no password yet
    disabled = staff.create_staff(db, "borte@fhi.no", "redaktor", clock())
    staff.set_password(db, disabled, PASSWORD, clock())
    staff.disable(db, "borte@fhi.no", clock())
    db.commit()
    seen: set[tuple[str, str, str]] = set()
    for email, password in [
        ("ukjent@fhi.no", PASSWORD),
        ("ola@fhi.no", "feil passord her"),
        ("borte@fhi.no", PASSWORD),  # the right password of a disabled account
        ("ny@fhi.no", PASSWORD),
        ("not an address", PASSWORD),
        ("", ""),
    ]:
        before = hasher.verified
        seen.add(refusal(attempt(db, clock, email, password, client=f"203.0.113.{len(seen)}")))
        assert hasher.verified == before + 1, email
    assert seen == {("invalid", "login_refused", "wrong e-mail address or password")}


def test_unknown_addresses_verify_a_hash_of_the_current_parameters(db: Session) -> None:
    dummy = staff.dummy_hash()
    assert dummy.startswith("$argon2id$") and not staff.HASHER.check_needs_rehash(dummy)


def test_a_failed_login_is_audited_without_the_password(
    db: Session, clock: Clock, victim: StaffUser
) -> None:
    secret_guess = "mitt hemmelige gjett 123"
    attempt(db, clock, "ola@fhi.no", secret_guess, client="192.0.2.99")
    attempt(db, clock, "ukjent@fhi.no", secret_guess)
    assert isinstance(attempt(db, clock, "ola@fhi.no", PASSWORD), StaffUser)
    events = audit.recent(db, 100, 0)
    dump = json.dumps([[e.actor, e.before, e.after, e.detail, e.target_id] for e in events])
    assert secret_guess not in dump and PASSWORD not in dump and "$argon2" not in dump
    failed = audit.recent(db, 10, 0, action=audit.LOGIN_FAILED)
    assert [(e.actor, e.target_id) for e in failed] == [
        ("anonymous", ""),
        ("anonymous", str(victim.id)),
    ]
    assert "wrong password" in failed[1].detail and "192.0.2.99" in failed[1].detail
    assert "ukjent" not in failed[0].detail  # an unknown address typed is not kept
    assert audit.recent(db, 1, 0, action=audit.LOGIN)[0].staff_user_id == victim.id


def test_per_account_limit_holds_against_an_attacker_rotating_ips(
    db: Session, clock: Clock, victim: StaffUser, hasher: CountingHasher
) -> None:
    for n in range(LIMITS.per_account):
        refused = attempt(db, clock, "ola@fhi.no", f"gjett nummer {n}", client=f"203.0.113.{n}")
        assert refusal(refused)[0] == "invalid"
    before = hasher.verified
    # new IPs, other spellings of the address, even the right password: refused, unverified
    for n, email in enumerate(["ola@fhi.no", "OLA@FHI.NO", " Ola@fhi.no "]):
        refused = attempt(db, clock, email, PASSWORD, client=f"198.18.0.{n}")
        assert refusal(refused)[:2] == ("rate_limited", "rate_limited")
    assert hasher.verified == before  # no password is even checked while limited
    assert staff.MESSAGES["nb"]["rate_limited"].format(minutes=15)
    clock.advance(minutes=15, seconds=1)  # the window has passed
    assert attempt(db, clock, "ola@fhi.no", PASSWORD) == victim


def test_per_ip_limit_holds_against_an_attacker_rotating_accounts(
    db: Session, clock: Clock, victim: StaffUser
) -> None:
    attacker = "203.0.113.66"
    for n in range(LIMITS.per_ip):
        refused = attempt(db, clock, f"navn{n}@fhi.no", "Sommer2026!!", client=attacker)
        assert refusal(refused)[0] == "invalid"
    refused = attempt(db, clock, "ola@fhi.no", PASSWORD, client=attacker)
    assert refusal(refused)[0] == "rate_limited"
    # the victim, from their own address, is not locked out by the attacker's spraying
    assert attempt(db, clock, "ola@fhi.no", PASSWORD, client="192.0.2.10") == victim
    clock.advance(minutes=15, seconds=1)
    assert attempt(db, clock, "ola@fhi.no", PASSWORD, client=attacker) == victim


def test_the_limit_is_the_same_for_addresses_without_an_account(
    db: Session, clock: Clock, victim: StaffUser
) -> None:
    """Were unknown addresses never limited, the limit itself would tell which exist."""
    for email in ("ola@fhi.no", "ukjent@fhi.no"):
        outcomes = [
            refusal(attempt(db, clock, email, "feil passord her", client=f"192.0.2.{n}"))[0]
            for n in range(LIMITS.per_account + 1)
        ]
        assert outcomes == ["invalid"] * LIMITS.per_account + ["rate_limited"], email


def test_successful_logins_do_not_count(db: Session, clock: Clock, victim: StaffUser) -> None:
    for _ in range(LIMITS.per_ip + 5):
        assert attempt(db, clock, "ola@fhi.no", PASSWORD) == victim
    for n in range(LIMITS.per_account - 1):
        refusal(attempt(db, clock, "ola@fhi.no", f"skrivefeil {n}"))
    assert attempt(db, clock, "ola@fhi.no", PASSWORD) == victim
    keys = {e.key for e in db.exec(select(RateEvent))}
    assert keys == {staff.account_key("ola@fhi.no"), staff.client_key("198.51.100.1")}
    assert not any("ola" in k for k in keys)  # the address is kept only hashed


def test_a_refusal_not_committed_is_not_counted_but_a_committed_one_is(
    db: Session, clock: Clock, victim: StaffUser
) -> None:
    """The failures are rows in the caller's transaction: the web layer must commit them."""
    for _ in range(LIMITS.per_account):
        with pytest.raises(staff.LoginRefused):
            staff.authenticate(db, "ola@fhi.no", "feil passord", "192.0.2.1", clock(), LIMITS)
        db.rollback()
    assert attempt(db, clock, "ola@fhi.no", PASSWORD) == victim


def test_parallel_guesses_cannot_slip_past_the_limit(
    ctx: Context, clock: Clock, victim: StaffUser, hasher: CountingHasher
) -> None:
    """A burst of simultaneous guesses on one account: no more than the limit are checked.
    (PostgreSQL: an advisory lock per key; SQLite: its write lock, taken before the count is
    read: readers would count beside each other.)"""
    outcomes: list[str] = []
    barrier = threading.Barrier(12)

    def guess(n: int) -> None:
        with Session(ctx.engine) as session:
            barrier.wait()
            try:
                staff.authenticate(
                    session, "ola@fhi.no", f"gjett {n}", f"203.0.113.{n}", clock(), LIMITS
                )
            except staff.LoginRefused as refused:
                session.commit()
                outcomes.append(refused.reason)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["invalid"] * 5 + ["rate_limited"] * 7


def test_stolen_rows_open_nothing(db: Session, clock: Clock, victim: StaffUser) -> None:
    """What the database holds (session ids, setup hashes) is not what the cookie or the
    link carries: a copy of the tables opens no session and sets no password."""
    token = staff.start_session(db, victim, clock(), ABSOLUTE)
    row = db.exec(select(StaffSession)).one()
    assert token not in row.id
    assert staff.session_user(db, row.id, clock(), IDLE, ABSOLUTE) is None
    link = staff.issue_setup_token(db, victim, clock(), timedelta(hours=1))
    db.commit()
    assert victim.setup_token_hash and link != victim.setup_token_hash
    with pytest.raises(staff.SetupLinkError):
        staff.redeem_setup_token(db, victim.setup_token_hash, "overtatt konto!!", clock())
    assert victim.password_hash and "korrekt" not in victim.password_hash


@pytest.mark.parametrize("forged", ["", "x", "a" * 43, "../../etc", "\x00", "é" * 100])
def test_forged_cookies_and_links_open_nothing(
    db: Session, clock: Clock, victim: StaffUser, forged: str
) -> None:
    staff.start_session(db, victim, clock(), ABSOLUTE)
    staff.issue_setup_token(db, victim, clock(), timedelta(hours=1))
    assert staff.session_user(db, forged, clock(), IDLE, ABSOLUTE) is None
    assert staff.end_session(db, forged, clock()) is None
    with pytest.raises(staff.SetupLinkError) as refused:
        staff.redeem_setup_token(db, forged, "overtatt konto!!", clock())
    assert refused.value.code == "setup_invalid"


def test_a_reset_password_throws_out_the_intruder(
    db: Session, clock: Clock, victim: StaffUser
) -> None:
    intruder = staff.start_session(db, victim, clock(), ABSOLUTE)
    staff.set_password(db, victim, "et nytt og langt passord", clock())  # by the CLI
    db.commit()
    assert staff.session_user(db, intruder, clock(), IDLE, ABSOLUTE) is None
    assert refusal(attempt(db, clock, "ola@fhi.no", PASSWORD))[0] == "invalid"


def test_a_weak_hash_is_upgraded_at_login(
    db: Session, clock: Clock, victim: StaffUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim.password_hash = staff.hash_password(
        PASSWORD, PasswordHasher(time_cost=1, memory_cost=64)
    )
    db.add(victim)
    db.commit()
    assert staff.HASHER.check_needs_rehash(victim.password_hash)
    assert attempt(db, clock, "ola@fhi.no", PASSWORD) == victim
    assert victim.password_hash and not staff.HASHER.check_needs_rehash(victim.password_hash)
    assert staff.verify_password(victim.password_hash, PASSWORD) == (True, False)


def test_no_audit_event_ever_holds_a_password(db: Session, clock: Clock, victim: StaffUser) -> None:
    passwords = ["første passord!!", "andre passord!!!", "tredje passord!!"]
    user = staff.create_staff(db, "kari@fhi.no", "redaktor", clock())
    link = staff.issue_setup_token(db, user, clock(), timedelta(hours=1))
    staff.redeem_setup_token(db, link, passwords[0], clock())
    staff.set_password(db, user, passwords[1], clock(), actor=victim)
    db.commit()
    attempt(db, clock, "kari@fhi.no", passwords[2])
    token = staff.start_session(db, user, clock(), ABSOLUTE)
    staff.end_session(db, token, clock())
    staff.disable(db, "kari@fhi.no", clock(), actor=victim)
    db.commit()
    everything = json.dumps(
        [e.model_dump(mode="json") for e in db.exec(select(AuditEvent))], ensure_ascii=False
    )
    for secret in [*passwords, link, token, staff.token_hash(link), "$argon2"]:
        assert secret not in everything
    actions = {e.action for e in db.exec(select(AuditEvent))}
    assert {"staff_add", "setup_link_issued", "password_set", "login_failed", "logout",
            "staff_disable"} <= actions  # fmt: skip
