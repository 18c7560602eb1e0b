"""Tables of the audience side: ``subscriber``, ``subscription``, ``suppression`` (hashed
addresses of erased subscribers), ``rate_event`` (sign-up throttling) and ``app_secret``
(the signing key generated on first run)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

ROLES = ("kommunelege", "statsforvalter", "kommunikasjon", "annen")
CADENCES = ("immediate", "daily", "weekly")
CHANNELS = ("email",)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Naive UTC in the database, aware UTC in Python (the same type as feeds.models; kept
    twice because feeds/ and subscribers/ must not import each other)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use datetime.now(UTC)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Subscriber(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=320)
    #: the comparison key of ``email`` (lower case): unique, used for look-ups, rate limits
    #: and suppression, so ``Offer@`` and ``offer@`` are one person
    email_key: str | None = Field(default=None, unique=True, index=True, max_length=320)
    name: str = ""
    role: str = Field(default="annen", max_length=20)
    #: a municipality number (4 digits) or a county number (2 digits), or None
    region: str | None = Field(default=None, max_length=4)
    #: the statsforvalter office followed (a slug of the gazetteer), for role statsforvalter
    office: str | None = Field(default=None, max_length=60)
    language: str = Field(default="nb", max_length=2)
    #: raised to revoke every link sent before (erasure, "log out everywhere")
    token_version: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: None until the address is confirmed; nothing but a confirmation goes to it before
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: hard bounces (a 5xx for this address) since the last successful delivery
    hard_bounces: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    #: set when repeated hard bounces suppressed the address: nothing is sent to it until the
    #: person signs up and confirms again
    suppressed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Subscription(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("subscriber_id", "subtopic", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    subtopic: str = Field(max_length=60, index=True)
    cadence: str = Field(default="daily", max_length=10)
    channel: str = Field(default="email", max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Suppression(SQLModel, table=True):
    """An erased address, kept only as a keyed hash so that no import resubscribes it."""

    id: int | None = Field(default=None, primary_key=True)
    email_hash: str = Field(unique=True, max_length=64)
    reason: str = Field(default="erased", max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RateEvent(SQLModel, table=True):
    """One counted action (a sign-up by address or by client IP), for rate limits shared by
    every worker through the database."""

    __tablename__ = "rate_event"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class AppSecret(SQLModel, table=True):
    """Secrets generated on first run (the token signing key); never in the repository."""

    __tablename__ = "app_secret"

    name: str = Field(primary_key=True, max_length=50)
    value: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
