"""Tables of the audience side: ``subscriber`` and ``subscription``."""

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
    name: str = ""
    role: str = Field(default="annen", max_length=20)
    #: a municipality number (4 digits) or a county number (2 digits), or None
    region: str | None = Field(default=None, max_length=4)
    language: str = Field(default="nb", max_length=2)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: None until the address is confirmed; nothing but a confirmation goes to it before
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Subscription(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("subscriber_id", "subtopic", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    subtopic: str = Field(max_length=60, index=True)
    cadence: str = Field(default="daily", max_length=10)
    channel: str = Field(default="email", max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
