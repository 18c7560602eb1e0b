"""Staff accounts and their sessions: passwords, one-time setup links, login with rate limits.

Every function takes the caller's database ``Session`` and ``now`` and leaves the commit to
the caller; the pure rules (``password_problem``, ``token_hash``, ``session_verdict``) are
apart from the I/O. Nothing here knows HTTP: the web layer reads the cookie, the client
address and the form and calls these.

- **Passwords** are hashed with argon2id (argon2-cffi, its RFC 9106 defaults) and verified in
  constant time; a hash made with other parameters is replaced at the next successful login.
  Rules: at least 12 characters, at most 1024, not the e-mail address (nor its part before
  the @-sign). Passwords are NFC-normalised first, so the same typed text always matches.
- **Setup links**: ``issue_setup_token`` returns a random token; only its SHA-256 is stored
  (``StaffUser.setup_token_hash``), with its expiry. ``redeem_setup_token`` sets the password
  once; a used, unknown or expired token is refused.
- **Sessions**: the cookie holds a random token, the database its SHA-256
  (``StaffSession.id``), so a leaked table opens no session. A session ends at its absolute
  expiry, after ``idle`` without a request, when the user is disabled, at logout, or when the
  password changes (all the user's other sessions end, and all their API tokens are revoked:
  a password change or reset is what one does when something leaked).
- **Login** (``authenticate``) refuses with one ``LoginRefused``: reason ``invalid`` for an
  unknown address, a wrong password, a disabled account or one without a password yet (same
  message, and a dummy hash is verified for unknown addresses so the time taken is alike), or
  ``rate_limited`` after too many failures per account or per client IP in the window
  (``subscribers.models.RateEvent`` rows, shared by every worker; only failures are counted).
  The caller must commit after a refusal too, or the failure is not counted.

``MESSAGES`` holds what a web user reads, in bokmål (``nb``) and nynorsk (``nn``), by code;
``str()`` of the exceptions is English, for the command line.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, func, select

from notifier import audit
from notifier.clients import network
from notifier.models import STAFF_ROLES, ApiToken, StaffSession, StaffUser
from notifier.settings import Settings
from subscribers.models import RateEvent
from subscribers.selfservice import serialise
from subscribers.validate import AddressError, address_key, validate_address

log = logging.getLogger(__name__)

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MAX_NAME = 200
#: ``last_seen_at`` is written at most this often per session
TOUCH_EVERY = timedelta(minutes=1)

#: the argon2id hasher (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4); tests may swap it
HASHER = PasswordHasher()

#: what a web user reads, by language and code; ``{minutes}`` is the rate-limit window
MESSAGES: dict[str, dict[str, str]] = {
    "nb": {
        "login_refused": "Feil e-postadresse eller passord.",
        "rate_limited": (
            "For mange mislykkede innloggingsforsøk. Vent {minutes} minutter og prøv igjen."
        ),
        "password_too_short": f"Passordet må ha minst {MIN_PASSWORD} tegn.",
        "password_too_long": f"Passordet kan ha høyst {MAX_PASSWORD} tegn.",
        "password_is_email": "Passordet kan ikke være e-postadressen din.",
        "password_mismatch": "De to passordene er ikke like.",
        "setup_invalid": (
            "Lenken for å sette passord er ugyldig eller allerede brukt. "
            "Be en administrator om en ny lenke."
        ),
        "setup_expired": (
            "Lenken for å sette passord er utløpt. Be en administrator om en ny lenke."
        ),
        "session_expired": "Økten din er utløpt. Logg inn på nytt.",
        "logged_out": "Du er logget ut.",
        "password_changed": "Passordet er endret. Du er logget ut på alle andre enheter.",
    },
    "nn": {
        "login_refused": "Feil e-postadresse eller passord.",
        "rate_limited": (
            "For mange mislukka innloggingsforsøk. Vent {minutes} minutt og prøv igjen."
        ),
        "password_too_short": f"Passordet må ha minst {MIN_PASSWORD} teikn.",
        "password_too_long": f"Passordet kan ha høgst {MAX_PASSWORD} teikn.",
        "password_is_email": "Passordet kan ikkje vere e-postadressa di.",
        "password_mismatch": "Dei to passorda er ikkje like.",
        "setup_invalid": (
            "Lenkja for å setje passord er ugyldig eller allereie brukt. "
            "Be ein administrator om ei ny lenkje."
        ),
        "setup_expired": (
            "Lenkja for å setje passord har gått ut. Be ein administrator om ei ny lenkje."
        ),
        "session_expired": "Økta di har gått ut. Logg inn på nytt.",
        "logged_out": "Du er logga ut.",
        "password_changed": "Passordet er endra. Du er logga ut på alle andre einingar.",
    },
}


class StaffError(ValueError):
    """A refused staff operation; ``str()`` is English (the command line), ``code`` a key of
    ``MESSAGES`` or a plain code for the web layer."""

    def __init__(self, message: str, code: str = "staff_invalid") -> None:
        super().__init__(message)
        self.code = code


class PasswordRejected(StaffError):
    """The password breaks a rule (``code``: ``password_too_short``, ``password_too_long``,
    ``password_is_email``)."""


class SetupLinkError(StaffError):
    """A setup link that cannot be used (``code``: ``setup_invalid`` or ``setup_expired``)."""


class LoginRefused(StaffError):
    """Login refused. ``reason`` is ``invalid`` (whatever was wrong: the message never says
    whether the account exists) or ``rate_limited``; ``code`` is the ``MESSAGES`` key."""

    def __init__(self, reason: Literal["invalid", "rate_limited"]) -> None:
        if reason == "rate_limited":
            super().__init__("too many failed logins; wait and try again", "rate_limited")
        else:
            super().__init__("wrong e-mail address or password", "login_refused")
        self.reason = reason


@dataclass(frozen=True)
class LoginLimits:
    """Failed logins allowed per account and per client IP within ``window``."""

    per_account: int = 5
    per_ip: int = 20
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginLimits:
        return cls(
            per_account=settings.staff_login_limit_per_account,
            per_ip=settings.staff_login_limit_per_ip,
            window=settings.staff_login_window,
        )


@dataclass(frozen=True)
class SessionLifetimes:
    """How long a session lives without a request (``idle``) and at most (``absolute``)."""

    idle: timedelta = timedelta(minutes=60)
    absolute: timedelta = timedelta(hours=12)

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionLifetimes:
        return cls(idle=settings.staff_session_idle, absolute=settings.staff_session_absolute)


# --- pure rules -------------------------------------------------------------------------


def normalise_password(password: str) -> str:
    """The form a password is hashed in: NFC, so composed and decomposed ``å`` match."""
    return unicodedata.normalize("NFC", password)


def password_problem(password: str, email: str) -> PasswordRejected | None:
    """What is wrong with ``password`` for the account ``email``, or None (pure)."""
    typed = normalise_password(password)
    if len(typed) > MAX_PASSWORD:
        return PasswordRejected(
            f"the password is too long (at most {MAX_PASSWORD} characters)", "password_too_long"
        )
    if len(typed) < MIN_PASSWORD or not typed.strip():
        return PasswordRejected(
            f"the password is too short: use at least {MIN_PASSWORD} characters",
            "password_too_short",
        )
    folded = typed.strip().casefold()
    address = email.strip().casefold()
    if folded in (address, address.partition("@")[0]):
        return PasswordRejected("the password must not be the e-mail address", "password_is_email")
    return None


def token_hash(token: str) -> str:
    """What is stored for a setup or session token: its SHA-256, hex (pure)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    """A random token for a link or a cookie: 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)


def account_key(email: str) -> str:
    """The rate-limit key of logins to an address (hashed; the same for every spelling)."""
    return "staff-login:acct:" + hashlib.sha256(address_key(email).encode()).hexdigest()


def client_key(client: str) -> str:
    """The rate-limit key of logins from a client: its address, IPv6 by its /64."""
    return "staff-login:ip:" + network(client)[:150]


Verdict = Literal["ok", "expired", "idle", "disabled"]


def session_verdict(
    row: StaffSession, user: StaffUser | None, now: datetime, idle: timedelta, absolute: timedelta
) -> Verdict:
    """Whether a stored session still holds (pure): past its stored expiry or older than
    ``absolute`` (a shortened setting applies at once) → expired; no request for longer than
    ``idle`` → idle; the user gone or disabled → disabled."""
    if user is None or user.disabled_at is not None:
        return "disabled"
    if now >= row.expires_at or now >= row.created_at + absolute:
        return "expired"
    if now - row.last_seen_at > idle:
        return "idle"
    return "ok"


# --- passwords ----------------------------------------------------------------------------


def hash_password(password: str, hasher: PasswordHasher | None = None) -> str:
    """An argon2id hash of the (normalised) password."""
    return (hasher or HASHER).hash(normalise_password(password))


def verify_password(
    stored: str, password: str, hasher: PasswordHasher | None = None
) -> tuple[bool, bool]:
    """(matches, needs rehash): constant-time argon2 verification; a malformed stored hash
    never matches. ``needs rehash`` is True when the hash was made with other parameters."""
    hasher = hasher or HASHER
    try:
        hasher.verify(stored, normalise_password(password))
    except (VerificationError, InvalidHashError):
        return False, False
    return True, hasher.check_needs_rehash(stored)


_dummy: dict[tuple[int, int, int, int, int], str] = {}


def dummy_hash(hasher: PasswordHasher | None = None) -> str:
    """A hash no password matches in practice, made with the current parameters: verified
    for unknown addresses so a refusal takes as long whether the account exists or not."""
    hasher = hasher or HASHER
    params = (
        hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len,
        hasher.salt_len,
    )  # fmt: skip
    if params not in _dummy:
        _dummy[params] = hasher.hash(new_token())
    return _dummy[params]


# --- accounts -----------------------------------------------------------------------------


def find_staff(session: Session, email: str) -> StaffUser | None:
    """The staff user with this address (compared in lower case), or None."""
    return session.exec(select(StaffUser).where(StaffUser.email == address_key(email))).first()


def get_staff(session: Session, email: str) -> StaffUser:
    """The staff user with this address, or ``StaffError``."""
    user = find_staff(session, email)
    if user is None:
        raise StaffError(f"no staff user with the address {email.strip()[:80]!r}", "unknown")
    return user


def list_staff(session: Session, include_disabled: bool = True) -> list[StaffUser]:
    """Staff users by address."""
    query = select(StaffUser).order_by(col(StaffUser.email))
    if not include_disabled:
        query = query.where(col(StaffUser.disabled_at).is_(None))
    return list(session.exec(query))


def _snapshot(user: StaffUser) -> dict[str, object]:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "disabled_at": user.disabled_at,
        "has_password": user.password_hash is not None,
    }


def create_staff(
    session: Session,
    email: str,
    role: str,
    now: datetime,
    name: str = "",
    *,
    actor: StaffUser | None = None,
) -> StaffUser:
    """Add a staff user without a password (issue a setup link or ``set_password``). The
    address goes through ``subscribers.validate`` and is stored in lower case. Raises
    ``StaffError``: invalid address or role, name too long, address already a staff user."""
    try:
        address = validate_address(email)
    except AddressError as exc:
        raise StaffError(str(exc), exc.code) from None
    if role not in STAFF_ROLES:
        raise StaffError(
            f"unknown role {role[:40]!r}: use one of {', '.join(STAFF_ROLES)}", "role_invalid"
        )
    name = name.strip()
    if len(name) > MAX_NAME:
        raise StaffError(f"the name is too long (at most {MAX_NAME} characters)", "name_too_long")
    duplicate = StaffError(f"{address.key} is already a staff user", "staff_exists")
    if find_staff(session, address.key) is not None:
        raise duplicate
    user = StaffUser(email=address.key, name=name, role=role, created_at=now)
    session.add(user)
    try:
        # no savepoint: on SQLite (pysqlite) its release would commit the caller's work
        session.flush()
    except IntegrityError:  # added by someone else meanwhile; the caller rolls back
        raise duplicate from None
    audit.record(
        session, now, actor, audit.STAFF_ADD, "staff_user", str(user.id), after=_snapshot(user)
    )
    return user


def disable(
    session: Session, email: str, now: datetime, *, actor: StaffUser | None = None
) -> StaffUser:
    """Disable the account and end all its sessions (its setup link too) and revoke its API
    tokens, so that none comes back when the account is enabled again (a stolen one included).
    Disabling a disabled account changes nothing. Raises ``StaffError`` for an unknown
    address."""
    user = get_staff(session, email)
    if user.disabled_at is not None:
        return user
    before = _snapshot(user)
    user.disabled_at = now
    user.setup_token_hash = None
    user.setup_expires_at = None
    session.add(user)
    ended = end_user_sessions(session, user)
    tokens = revoke_user_tokens(session, user, now)
    audit.record(
        session, now, actor, audit.STAFF_DISABLE, "staff_user", str(user.id), before=before,
        after=_snapshot(user), detail=f"{ended} session(s) ended, {len(tokens)} token(s) revoked",
    )  # fmt: skip
    return user


def enable(
    session: Session, email: str, now: datetime, *, actor: StaffUser | None = None
) -> StaffUser:
    """Enable a disabled account again. Its old sessions stay ended and its password stays;
    with no password it needs a new setup link (``issue_setup_link``). Enabling an enabled
    account changes nothing. Raises ``StaffError`` for an unknown address."""
    user = get_staff(session, email)
    if user.disabled_at is None:
        return user
    before = _snapshot(user)
    user.disabled_at = None
    session.add(user)
    audit.record(
        session, now, actor, audit.STAFF_ENABLE, "staff_user", str(user.id), before=before,
        after=_snapshot(user),
    )  # fmt: skip
    return user


def set_role(
    session: Session, email: str, role: str, now: datetime, *, actor: StaffUser | None = None
) -> StaffUser:
    """Give the account another role; its sessions end, so the new rights apply at the next
    login. Raises ``StaffError`` for an unknown address or role; the same role changes
    nothing."""
    if role not in STAFF_ROLES:
        raise StaffError(
            f"unknown role {role[:40]!r}: use one of {', '.join(STAFF_ROLES)}", "role_invalid"
        )
    user = get_staff(session, email)
    if user.role == role:
        return user
    before = _snapshot(user)
    user.role = role
    session.add(user)
    ended = end_user_sessions(session, user)
    audit.record(
        session, now, actor, audit.STAFF_ROLE, "staff_user", str(user.id), before=before,
        after=_snapshot(user), detail=f"{ended} session(s) ended",
    )  # fmt: skip
    return user


def set_password(
    session: Session,
    user: StaffUser,
    password: str,
    now: datetime,
    *,
    actor: StaffUser | None = None,
    keep_token: str | None = None,
) -> None:
    """Set the user's password (after the rules: ``PasswordRejected``), end every other
    session of the user: all of them, or all but the one whose cookie is ``keep_token`` (the
    user changing their own password stays logged in), and revoke all the user's API tokens
    (each audited as ``api_token_revoke``). Any setup link stops working."""
    problem = password_problem(password, user.email)
    if problem is not None:
        raise problem
    if user.disabled_at is not None:
        raise StaffError(f"{user.email} is disabled", "staff_disabled")
    had = user.password_hash is not None
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.setup_token_hash = None
    user.setup_expires_at = None
    session.add(user)
    ended = end_other_sessions(session, user, keep_token)
    tokens = revoke_user_tokens(session, user, now)
    for token in tokens:
        audit.record(
            session, now, actor, audit.API_TOKEN_REVOKE, "api_token", str(token.id),
            before={"name": token.name, "role": token.role},
            after={"revoked_at": now}, detail="revoked at password change",
        )  # fmt: skip
    audit.record(
        session, now, actor, audit.PASSWORD_SET, "staff_user", str(user.id),
        before={"has_password": had}, after={"has_password": True},
        detail=f"{ended} other session(s) ended, {len(tokens)} API token(s) revoked",
    )  # fmt: skip


def revoke_user_tokens(session: Session, user: StaffUser, now: datetime) -> list[ApiToken]:
    """Revoke every API token of the user not revoked yet; those revoked (the caller audits
    and commits)."""
    tokens = list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.staff_user_id == user.id, col(ApiToken.revoked_at).is_(None))
            .order_by(col(ApiToken.id))
        ).all()
    )
    for token in tokens:
        token.revoked_at = now
        session.add(token)
    session.flush()
    return tokens


def issue_setup_token(
    session: Session,
    user: StaffUser,
    now: datetime,
    lifetime: timedelta,
    *,
    actor: StaffUser | None = None,
) -> str:
    """A one-time link token that lets the user set a password until ``now + lifetime``;
    only its SHA-256 is stored, and a new token replaces any earlier one."""
    if user.disabled_at is not None:
        raise StaffError(f"{user.email} is disabled", "staff_disabled")
    if lifetime <= timedelta(0):
        raise ValueError("a setup link needs a positive lifetime")
    token = new_token()
    user.setup_token_hash = token_hash(token)
    user.setup_expires_at = now + lifetime
    session.add(user)
    session.flush()
    audit.record(
        session, now, actor, audit.SETUP_LINK, "staff_user", str(user.id),
        after={"expires_at": user.setup_expires_at},
    )  # fmt: skip
    return token


def redeem_setup_token(session: Session, token: str, password: str, now: datetime) -> StaffUser:
    """Set the password of the user the token was issued to; the token then stops working.
    Raises ``SetupLinkError`` (unknown, used or expired token, disabled account) or
    ``PasswordRejected`` (the token stays usable: the person can try another password)."""
    user = (
        session.exec(
            select(StaffUser).where(StaffUser.setup_token_hash == token_hash(token))
        ).first()
        if token
        else None
    )
    if user is None or user.disabled_at is not None or user.setup_expires_at is None:
        raise SetupLinkError("this setup link is unknown or was already used", "setup_invalid")
    if now >= user.setup_expires_at:
        raise SetupLinkError("this setup link has expired; issue a new one", "setup_expired")
    set_password(session, user, password, now, actor=user)
    return user


# --- sessions -----------------------------------------------------------------------------


def start_session(
    session: Session, user: StaffUser, now: datetime, absolute_lifetime: timedelta
) -> str:
    """A new session for the user; returns the token for the cookie (only its SHA-256 is
    stored)."""
    if user.id is None or user.disabled_at is not None:
        raise StaffError(f"{user.email} cannot log in", "staff_disabled")
    token = new_token()
    session.add(
        StaffSession(
            id=token_hash(token), staff_user_id=user.id, created_at=now, last_seen_at=now,
            expires_at=now + absolute_lifetime,
        )
    )  # fmt: skip
    session.flush()
    return token


def session_user(
    session: Session, token: str, now: datetime, idle: timedelta, absolute: timedelta
) -> StaffUser | None:
    """The user whose session the cookie ``token`` opens, or None (unknown, expired, idle,
    user disabled; an ended session is deleted). Notes the request in ``last_seen_at`` at
    most once a minute."""
    if not token:
        return None
    row = session.get(StaffSession, token_hash(token))
    if row is None:
        return None
    user = session.get(StaffUser, row.staff_user_id)
    if session_verdict(row, user, now, idle, absolute) != "ok":
        session.delete(row)
        session.flush()
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
        session.flush()
    return user


def end_session(session: Session, token: str, now: datetime) -> StaffUser | None:
    """Log out: delete the session of this cookie; its user (logout recorded), or None."""
    row = session.get(StaffSession, token_hash(token)) if token else None
    if row is None:
        return None
    user = session.get(StaffUser, row.staff_user_id)
    session.delete(row)
    session.flush()
    if user is not None:
        audit.record(session, now, user, audit.LOGOUT, "staff_user", str(user.id))
    return user


def end_other_sessions(session: Session, user: StaffUser, keep_token: str | None) -> int:
    """End every session of the user but the one of ``keep_token`` (None: all); the count."""
    query = delete(StaffSession).where(col(StaffSession.staff_user_id) == user.id)
    if keep_token:
        query = query.where(col(StaffSession.id) != token_hash(keep_token))
    return int(session.exec(query).rowcount or 0)


def end_user_sessions(session: Session, user: StaffUser) -> int:
    """End every session of the user; the count."""
    return end_other_sessions(session, user, None)


def purge_sessions(session: Session, now: datetime, idle: timedelta) -> int:
    """Delete sessions past their absolute expiry or idle longer than ``idle`` (housekeeping;
    ``session_user`` refuses them anyway); the count. The caller commits."""
    result = session.exec(
        delete(StaffSession).where(
            (col(StaffSession.expires_at) <= now) | (col(StaffSession.last_seen_at) < now - idle)
        )
    )
    return int(result.rowcount or 0)


# --- login --------------------------------------------------------------------------------


def _failures(session: Session, key: str, since: datetime) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(RateEvent)
            .where(RateEvent.key == key, col(RateEvent.created_at) >= since)
        ).one()
    )


def _serialise(session: Session, keys: Sequence[str]) -> None:
    """Count attempts on one account (or from one client) one after another, so a burst of
    parallel requests cannot slip past the limit before the first failure is committed:
    ``subscribers.selfservice.serialise`` per key (PostgreSQL: an advisory lock per key;
    SQLite: its write lock, taken before the count is read)."""
    for key in keys:  # always account first, then client: no lock-order cycle
        serialise(session, key)


def authenticate(
    session: Session,
    email: str,
    password: str,
    client: str,
    now: datetime,
    limits: LoginLimits,
) -> StaffUser:
    """The staff user these credentials open, or ``LoginRefused``. Success is recorded
    (``login``) and not counted against the limits; a refusal for a wrong address, password,
    disabled account or account without a password is counted per account and per client and
    recorded (``login_failed``, with the reason and client, never the password). The caller
    commits after a refusal too."""
    acct, ip = account_key(email), client_key(client)
    _serialise(session, (acct, ip))
    since = now - limits.window
    if (
        _failures(session, acct, since) >= limits.per_account
        or _failures(session, ip, since) >= limits.per_ip
    ):
        log.warning("staff login rate-limited (client %s)", client_key(client)[15:])
        raise LoginRefused("rate_limited")
    user = find_staff(session, email)
    stored = user.password_hash if user is not None else None
    matches, rehash = verify_password(stored or dummy_hash(), password)
    if user is not None and stored is not None and matches and user.disabled_at is None:
        if rehash:
            user.password_hash = hash_password(password)
            session.add(user)
        audit.record(
            session, now, user, audit.LOGIN, "staff_user", str(user.id),
            detail=f"client {client[:100]}",
        )  # fmt: skip
        return user
    if user is None:
        why = "unknown address"
    elif user.disabled_at is not None:
        why = "account disabled"
    elif stored is None:
        why = "no password set"
    else:
        why = "wrong password"
    session.add(RateEvent(key=acct, created_at=now))
    session.add(RateEvent(key=ip, created_at=now))
    audit.record(
        session, now, None, audit.LOGIN_FAILED, "staff_user",
        str(user.id) if user is not None else "", detail=f"{why}; client {client[:100]}",
        actor_label="anonymous",
    )  # fmt: skip
    raise LoginRefused("invalid")
