"""Tables of the shell: staff accounts and their sessions, the audit log of staff actions, and
the corrections staff make to a change's labels (examples the classifier can learn from).

The audience side has its own tables (``subscribers.models``), the source side too
(``feeds.models``); the outbox lives in ``notifier.outbox``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from feeds.store.models import UTCDateTime, utcnow

STAFF_ROLES = ("redaktor", "admin")


class StaffUser(SQLModel, table=True):
    """A communications officer (``redaktor``) or an administrator (``admin``)."""

    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    #: lower case; the login name
    email: str = Field(unique=True, index=True, max_length=320)
    name: str = ""
    role: str = Field(default="redaktor", max_length=20)
    #: argon2id hash; None until the person has set a password
    password_hash: str | None = None
    password_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: sha256 of the one-time link that sets the password, and when it expires
    setup_token_hash: str | None = Field(default=None, max_length=64)
    setup_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StaffSession(SQLModel, table=True):
    """A logged-in browser, kept server-side; the cookie holds a random token whose sha256 is
    ``id``. Ends at ``expires_at`` (absolute lifetime) or after an idle time since
    ``last_seen_at``."""

    __tablename__ = "staff_session"

    id: str = Field(primary_key=True, max_length=64)
    staff_user_id: int = Field(foreign_key="staff_user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class AuditEvent(SQLModel, table=True):
    """One staff action: who, when, what, and the state before and after."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    staff_user_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True)
    #: the actor's address when it happened (kept if the account goes), or "cli"
    actor: str = Field(default="", max_length=320)
    action: str = Field(max_length=40, index=True)
    target_kind: str = Field(default="", max_length=20)
    target_id: str = Field(default="", max_length=64)
    before: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    after: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    detail: str = ""


class LabelCorrection(SQLModel, table=True):
    """Staff changed a change's subtopics, regions or urgency: a labelled example for the
    classifier (exported by ``notifier classify export-corrections``)."""

    __tablename__ = "label_correction"

    id: int | None = Field(default=None, primary_key=True)
    change_id: int = Field(foreign_key="change.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    staff_user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    actor: str = Field(default="", max_length=320)
    title: str = ""
    text: str = ""
    url: str = ""
    #: {"subtopics": [...], "regions": [...], "urgent": bool}
    before: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    after: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


#: what an API token may do, least first: ``lese`` reads the review queue, ``redaktor`` also
#: approves and suppresses, ``admin`` everything a token can do
API_TOKEN_ROLES = ("lese", "redaktor", "admin")


class ApiToken(SQLModel, table=True):
    """A named bearer token of a staff user for scripts (``notifier.api_tokens``): only the
    sha256 of its secret is stored; it acts with its ``role``, never above its user's role, and
    only until ``expires_at``."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    staff_user_id: int = Field(foreign_key="staff_user.id", index=True)
    name: str = Field(max_length=100)
    role: str = Field(default="redaktor", max_length=20)
    #: sha256 (hex) of the 32-byte secret
    secret_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: refused from this moment on (chosen at creation: ``NOTIFIER_API_TOKEN_DAYS`` by
    #: default, at most ``api_tokens.MAX_DAYS`` days)
    expires_at: datetime = Field(sa_type=UTCDateTime)
