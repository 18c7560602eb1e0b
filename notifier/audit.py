"""The audit log of staff actions: who, when, what, and the state before and after.

``record`` adds one ``AuditEvent`` to the caller's session (the caller commits, so an action
and its record are stored together or not at all); ``recent`` reads the newest first;
``purge`` deletes what is older than the retention (``NOTIFIER_AUDIT_RETENTION_DAYS``, run by
the daily housekeeping).

No secret is ever stored: values under keys that name one (``password``, ``password_hash``,
``token``, ...) are replaced by ``"[redacted]"`` at any depth of ``before``/``after``, so a
careless caller cannot leak a password into the log. Values that JSON cannot hold (datetimes,
sets, ...) are stored as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from notifier.models import AuditEvent, StaffUser

#: the actions this package records; the console adds its own (approve, suppress, ...)
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGOUT = "logout"
PASSWORD_SET = "password_set"
SETUP_LINK = "setup_link_issued"
STAFF_ADD = "staff_add"
STAFF_DISABLE = "staff_disable"
STAFF_ENABLE = "staff_enable"
STAFF_ROLE = "staff_role"
API_TOKEN_CREATE = "api_token_create"
API_TOKEN_REVOKE = "api_token_revoke"

#: the actor recorded when no staff user acted (the command line)
CLI = "cli"
REDACTED = "[redacted]"
#: keys whose values are never stored (compared in lower case, ``-`` read as ``_``)
SECRET_KEYS = frozenset(
    {
        "password",
        "new_password",
        "old_password",
        "password_hash",
        "passord",
        "token",
        "setup_token",
        "setup_token_hash",
        "session_token",
        "csrf_token",
        "secret",
        "secret_key",
    }
)
# column widths of audit_event (PostgreSQL enforces them)
_ACTOR, _ACTION, _KIND, _TARGET = 320, 40, 20, 64


def scrub(value: Any) -> Any:
    """``value`` as JSON can hold it, with every secret-named key's value redacted (pure)."""
    if isinstance(value, Mapping):
        return {
            str(k): REDACTED if str(k).lower().replace("-", "_") in SECRET_KEYS else scrub(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [scrub(v) for v in items]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return str(value)


def record(
    session: Session,
    now: datetime,
    actor: StaffUser | None,
    action: str,
    target_kind: str = "",
    target_id: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    detail: str = "",
    *,
    actor_label: str = CLI,
) -> AuditEvent:
    """Add one event to the session (the caller commits). ``actor`` None: nobody logged in
    acted, recorded as ``actor_label`` (``"cli"`` by default; ``"anonymous"`` for a failed
    login). Texts longer than their column are cut."""
    event = AuditEvent(
        at=now,
        staff_user_id=actor.id if actor is not None else None,
        actor=(actor.email if actor is not None else actor_label)[:_ACTOR],
        action=action[:_ACTION],
        target_kind=target_kind[:_KIND],
        target_id=str(target_id)[:_TARGET],
        before=scrub(dict(before or {})),
        after=scrub(dict(after or {})),
        detail=detail,
    )
    session.add(event)
    session.flush()
    return event


def recent(
    session: Session, limit: int = 50, offset: int = 0, action: str | None = None
) -> list[AuditEvent]:
    """Events newest first (ties: the later recorded first), optionally of one action."""
    query = select(AuditEvent)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    query = query.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    return list(session.exec(query.offset(max(offset, 0)).limit(max(limit, 0))))


def count(session: Session, action: str | None = None) -> int:
    """How many events are kept (of one action), for paging."""
    query = select(func.count()).select_from(AuditEvent)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return int(session.exec(query).one())


def purge(session: Session, now: datetime, retention: timedelta) -> int:
    """Delete events older than ``now - retention``; the number deleted. The caller commits."""
    if retention <= timedelta(0):
        raise ValueError("the audit retention must be positive")
    result = session.exec(delete(AuditEvent).where(col(AuditEvent.at) < now - retention))
    return int(result.rowcount or 0)
