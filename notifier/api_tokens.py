"""Staff API tokens: named bearer tokens for scripts, tied to a staff user and a role.

A token reads ``hv_<id>_<secret>``: ``secret`` is 32 random bytes (base64url, 43 characters),
shown once when the token is created; only its sha256 is stored (``ApiToken.secret_hash``), so a
leaked table opens nothing. ``authenticate`` looks the row up by ``id`` and compares the hashes
in constant time (``hmac.compare_digest``).

A token acts with its ``role`` (``API_TOKEN_ROLES``: ``lese`` < ``redaktor`` < ``admin``), never
above its user's current role: a user moved from ``admin`` to ``redaktor`` keeps their tokens,
with ``redaktor`` rights. A token expires (``expires_at``): ``NOTIFIER_API_TOKEN_DAYS`` (90)
after creation, or the lifetime chosen then, never more than ``MAX_DAYS`` (365). A revoked or
expired token, one of a disabled user, a forged or malformed one are all refused the same way
(``ApiTokenRefused("invalid")``). A new or reset password revokes every token of its user
(``notifier.staff.set_password``). Refusals are counted per client
(``subscribers.models.RateEvent``, key ``api-token:ip:<client>``); after
``NOTIFIER_API_TOKEN_LIMIT_PER_IP`` in ``NOTIFIER_STAFF_LOGIN_WINDOW_MINUTES`` the client is
refused (``rate_limited``) before any token is looked at. The caller commits after a refusal
too, or it is not counted.

Creating and revoking are written to the audit log (``api_token_create`` with the expiry,
``api_token_revoke``; never the secret). Functions take a session and leave the commit to
the caller.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlmodel import Session, col, func, select

from notifier import audit
from notifier.clients import network
from notifier.models import API_TOKEN_ROLES, ApiToken, StaffUser
from notifier.staff import StaffError, find_staff
from subscribers.models import RateEvent
from subscribers.selfservice import serialise

PREFIX = "hv_"
CREATE = audit.API_TOKEN_CREATE
REVOKE = audit.API_TOKEN_REVOKE
MAX_NAME = 100
#: the longest lifetime a token may be given, in days
MAX_DAYS = 365
DEFAULT_DAYS = 90
#: ``last_used_at`` is written at most this often per token
TOUCH_EVERY = timedelta(minutes=1)
_TOKEN = re.compile(r"hv_([1-9][0-9]{0,17})_([A-Za-z0-9_-]{43})")
#: the rank of each role a token may have (staff roles are the upper two)
RANK = {role: rank for rank, role in enumerate(API_TOKEN_ROLES)}


class ApiTokenRefused(Exception):
    """A request's token opens nothing: ``invalid`` (unknown, forged, revoked, expired,
    disabled user)
    or ``rate_limited`` (too many refusals from this client)."""

    def __init__(self, reason: Literal["invalid", "rate_limited"]) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Caller:
    """Who a valid token acts for, with the rights it has now."""

    token_id: int
    user: StaffUser
    role: str

    def may(self, needed: str) -> bool:
        return RANK[self.role] >= RANK[needed]


def secret_hash(secret: str) -> str:
    """What is stored for a token's secret: its sha256, hex (pure)."""
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def parse(raw: str) -> tuple[int, str] | None:
    """(id, secret) of a well-formed token, None otherwise (pure)."""
    found = _TOKEN.fullmatch(raw.strip())
    return (int(found.group(1)), found.group(2)) if found else None


def effective_role(token_role: str, user_role: str) -> str:
    """The lower of the token's role and its user's (pure)."""
    return min(token_role, user_role, key=lambda role: RANK.get(role, -1))


def client_key(client: str) -> str:
    """The rate-limit key of refusals to a client: its address, IPv6 by its /64."""
    return "api-token:ip:" + network(client)[:150]


def create(
    session: Session,
    email: str,
    name: str,
    now: datetime,
    *,
    role: str | None = None,
    actor: StaffUser | None = None,
    days: int = DEFAULT_DAYS,
) -> tuple[ApiToken, str]:
    """A new token of the staff user ``email``, valid for ``days`` (1 to ``MAX_DAYS``), and
    the token text to show once. ``role``: the user's own role when None; never above it.
    Raises ``StaffError`` (English, for the command line) for an unknown or disabled user, an
    empty or long name, an unknown role or one above the user's, a lifetime out of range."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise StaffError(f"a token is valid for 1 to {MAX_DAYS} days", "days_invalid")
    user = find_staff(session, email)
    if user is None or user.id is None:
        raise StaffError(f"no staff user with the address {email}", "staff_unknown")
    if user.disabled_at is not None:
        raise StaffError(f"{user.email} is disabled; enable the account first", "staff_disabled")
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise StaffError(f"give the token a name of 1 to {MAX_NAME} characters", "name_invalid")
    role = role or user.role
    if role not in RANK:
        raise StaffError(
            f"unknown role {role[:40]!r}: use one of {', '.join(API_TOKEN_ROLES)}", "role_invalid"
        )
    if RANK[role] > RANK.get(user.role, -1):
        raise StaffError(
            f"a token cannot have more rights than its user ({user.email} is {user.role})",
            "role_too_high",
        )
    secret = secrets.token_urlsafe(32)
    row = ApiToken(
        staff_user_id=user.id, name=name, role=role, secret_hash=secret_hash(secret),
        created_at=now, expires_at=now + timedelta(days=days),
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(
        session, now, actor, CREATE, "api_token", str(row.id),
        after={
            "name": name, "role": role, "staff_user": user.email, "expires_at": row.expires_at,
        },
    )  # fmt: skip
    return row, f"{PREFIX}{row.id}_{secret}"


def list_tokens(session: Session) -> list[tuple[ApiToken, StaffUser]]:
    """Every token with its user, oldest first."""
    rows = session.exec(
        select(ApiToken, StaffUser)
        .join(StaffUser, col(StaffUser.id) == col(ApiToken.staff_user_id))
        .order_by(col(ApiToken.id))
    )
    return [(token, user) for token, user in rows]


def revoke(
    session: Session, token_id: int, now: datetime, *, actor: StaffUser | None = None
) -> ApiToken:
    """Revoke a token for good; ``StaffError`` for an unknown or already revoked one."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise StaffError(f"no API token with id {token_id}", "token_unknown")
    if row.revoked_at is not None:
        raise StaffError(f"API token {token_id} is revoked already", "token_revoked")
    row.revoked_at = now
    session.add(row)
    audit.record(
        session, now, actor, REVOKE, "api_token", str(token_id),
        before={"name": row.name, "role": row.role}, after={"revoked_at": now},
    )  # fmt: skip
    return row


def _refusals(session: Session, key: str, since: datetime) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(RateEvent)
            .where(RateEvent.key == key, col(RateEvent.created_at) >= since)
        ).one()
    )


def authenticate(
    session: Session, raw: str, client: str, now: datetime, limit: int, window: timedelta
) -> Caller:
    """Who the token ``raw`` acts for, or ``ApiTokenRefused``. A refusal is counted for the
    client (the caller commits); a valid token's ``last_used_at`` is touched at most once a
    minute."""
    key = client_key(client)
    serialise(session, key)  # a burst from one client is counted one after another
    if _refusals(session, key, now - window) >= limit:
        raise ApiTokenRefused("rate_limited")
    parsed = parse(raw)
    row = session.get(ApiToken, parsed[0]) if parsed else None
    # the hash is compared even without a row, so a miss takes the time a hit does
    stored = row.secret_hash if row is not None else "0" * 64
    given = secret_hash(parsed[1]) if parsed else "1" * 64
    user = session.get(StaffUser, row.staff_user_id) if row is not None else None
    matches = hmac.compare_digest(stored, given)
    if (
        not matches
        or row is None
        or row.id is None
        or row.revoked_at is not None
        or now >= row.expires_at
        or user is None
        or user.disabled_at is not None
    ):
        session.add(RateEvent(key=key, created_at=now))
        raise ApiTokenRefused("invalid")
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        row.last_used_at = now
        session.add(row)
    return Caller(token_id=row.id, user=user, role=effective_role(row.role, user.role))
