"""Tables of the audience side: ``subscriber``, ``subscription``, ``suppression`` (hashed
addresses of erased subscribers), ``rate_event`` (sign-up throttling) and ``app_secret``
(the signing key generated on first run), ``signup_request`` (sign-ups waiting to be
processed), ``push_endpoint`` (a browser's Web Push subscription), ``apprise_target`` (a
push target URL, encrypted) and ``push_receipt`` (which endpoint or target already accepted
which message)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

ROLES = ("kommunelege", "statsforvalter", "kommunikasjon", "annen")
CADENCES = ("immediate", "daily", "weekly")
#: the ways out: e-mail, Web Push (a browser's push subscription), Apprise targets (Teams,
#: Slack, ntfy, SMS gateways ...); the names ``notifier.channels`` uses for outbox rows
CHANNELS = ("email", "webpush", "apprise")


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
    #: the local hour (NOTIFIER_TIMEZONE) daily and weekly digests go out; None: the
    #: service's default (NOTIFIER_DAILY_DIGEST_HOUR, 7)
    digest_hour: int | None = None
    #: the weekday of the weekly digest, 0 = Monday; None: NOTIFIER_WEEKLY_DIGEST_WEEKDAY
    digest_weekday: int | None = None
    #: quiet hours for push (local hours, start inclusive, end exclusive; may wrap past
    #: midnight); both None: no quiet hours. Urgent alerts and e-mail ignore them.
    quiet_start: int | None = None
    quiet_end: int | None = None


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


class SignupRequest(SQLModel, table=True):
    """A public sign-up accepted but not yet processed (``notifier.signup_queue``): written in
    the request, the same for every address, and deleted in the transaction that records the
    sign-up and queues its mail. The address is kept as ``subscriber`` keeps it (in clear),
    only until then; ``form`` holds the rest of the form as posted (name, role, region,
    office, language, choices, hours)."""

    __tablename__ = "signup_request"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320)
    #: the address's comparison key, so an erasure finds the person's pending requests
    email_key: str = Field(max_length=320, index=True)
    form: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    attempts: int = Field(default=0)
    #: not taken again before this: the lease of whoever processes it, or the backoff after
    #: a failed attempt
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)


class AppSecret(SQLModel, table=True):
    """Secrets generated on first run (the token signing key); never in the repository."""

    __tablename__ = "app_secret"

    name: str = Field(primary_key=True, max_length=50)
    value: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PushEndpoint(SQLModel, table=True):
    """A browser's Web Push subscription (one per device); the endpoint URL is the push
    service's, the keys are the browser's (p256dh: its P-256 public key, auth: 16 bytes),
    both base64url as the browser gives them."""

    __tablename__ = "push_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    endpoint: str = Field(unique=True, max_length=2000)
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_success_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: failed sends since the last success
    failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_error: str | None = Field(default=None, max_length=500)


class AppriseTarget(SQLModel, table=True):
    """A push target URL (Apprise's form: ``msteams://``, ``ntfys://``, ``json://`` ...),
    encrypted at rest; only ``masked`` is ever shown."""

    __tablename__ = "apprise_target"
    __table_args__ = (sa.UniqueConstraint("subscriber_id", "url_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    #: the URL encrypted (Fernet, with a key derived from the signing key)
    secret_url: str
    #: scheme and host with the rest hidden: ``json://hook.example.no/…``
    masked: str = Field(max_length=200)
    #: the URL's keyed hash, so one person cannot add the same target twice
    url_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_success_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_error: str | None = Field(default=None, max_length=500)


class PushReceipt(SQLModel, table=True):
    """One endpoint or target accepted one message: a message retried for the others of the
    person is not sent to it again."""

    __tablename__ = "push_receipt"
    __table_args__ = (sa.UniqueConstraint("delivery_key", "channel", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    delivery_key: str = Field(max_length=200, index=True)
    channel: str = Field(max_length=10)
    #: ``push_endpoint.id`` or ``apprise_target.id``
    target_id: int
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SubscriptionChannel(SQLModel, table=True):
    """A subscription's choice of a push channel: by default (no row) a subscription's
    immediate and urgent alerts also go to the person's push endpoints and Apprise targets;
    a row with ``enabled`` false keeps that subtopic's alerts in e-mail only."""

    __tablename__ = "subscription_channel"
    __table_args__ = (sa.UniqueConstraint("subscriber_id", "subtopic", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    subtopic: str = Field(max_length=60)
    channel: str = Field(max_length=10)
    enabled: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
