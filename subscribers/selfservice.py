"""Self-service on a database session: sign-up, confirmation, preferences, unsubscribe,
export, erasure, suppression, rate limits and the signing secret.

The web layer (``notifier.web``) checks tokens and CSRF and calls these; nothing
here sends mail. Everything a subscriber reads is produced by the templates, not here.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import false, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, func, select

from subscribers import push
from subscribers.models import (
    CADENCES,
    ROLES,
    AppSecret,
    RateEvent,
    Subscriber,
    Subscription,
    utcnow,
)
from subscribers.service import find_subscriber
from subscribers.suppression import ERASED, clear, is_suppressed, suppress
from subscribers.tokens import email_hash
from subscribers.validate import (
    AddressError,
    NameRefused,
    ScheduleError,
    address_key,
    check_name,
    check_quiet,
    parse_hour,
    parse_weekday,
    validate_address,
)

__all__ = ["is_suppressed"]  # kept here for callers from before subscribers.suppression

SECRET_NAME = "signing_key"


@dataclass
class SignupForm:
    """What the sign-up and preferences pages collect; ``choices`` maps subtopic → cadence."""

    email: str = ""
    name: str = ""
    role: str = "kommunelege"
    region: str | None = None
    office: str | None = None
    language: str = "nb"
    choices: dict[str, str] = field(default_factory=dict)
    #: local hour of daily and weekly digests, weekday of weekly ones (0 = Monday), quiet
    #: hours for push (start, end); None: the service's default, or no quiet hours
    digest_hour: int | None = None
    digest_weekday: int | None = None
    quiet_start: int | None = None
    quiet_end: int | None = None


def signing_secret(session: Session, override: str = "") -> bytes:
    """The token signing key: ``override`` (NOTIFIER_SECRET_KEY) when set, otherwise the key
    generated on first run and kept in ``app_secret`` (shared by every worker)."""
    if override:
        return override.encode()
    row = session.get(AppSecret, SECRET_NAME)
    if row is None:
        try:
            with session.begin_nested():
                session.add(AppSecret(name=SECRET_NAME, value=secrets.token_urlsafe(48)))
        except IntegrityError:  # another worker created it first
            pass
        row = session.get(AppSecret, SECRET_NAME)
        assert row is not None
    return row.value.encode()


def check_form(
    form: SignupForm,
    known_subtopics: frozenset[str],
    regions: frozenset[str],
    offices: frozenset[str],
    *,
    with_email: bool = True,
) -> dict[str, str]:
    """Field name → error code for everything wrong in the form (empty when valid). The
    address goes through ``subscribers.validate`` and is replaced by its stored form;
    ``with_email=False`` (the preferences page, whose address is the stored one and not an
    input) leaves it alone, so a row stored before the validator can still be managed."""
    errors: dict[str, str] = {}
    try:
        if with_email:
            form.email = validate_address(form.email).email
    except AddressError as exc:
        errors["email"] = exc.code
    if form.role not in ROLES:
        errors["role"] = "role_invalid"
    if form.region and form.region not in regions:
        errors["region"] = "region_invalid"
    if form.office and form.office not in offices:
        errors["office"] = "office_invalid"
    if form.role == "statsforvalter" and not form.office:
        errors["office"] = "office_missing"
    bad = [s for s, c in form.choices.items() if s not in known_subtopics or c not in CADENCES]
    if bad:
        errors["subtopics"] = "subtopics_invalid"
    elif not form.choices:
        errors["subtopics"] = "subtopics_missing"
    try:
        check_name(form.name)
    except NameRefused as exc:
        errors["name"] = exc.code
    errors.update(check_hours(form))
    return errors


def check_hours(form: SignupForm) -> dict[str, str]:
    """Errors of the digest hour, weekday and quiet hours, judged by the one rule in
    ``subscribers.validate`` that CSV import and the CLI use. The form's selects post the
    stored numbers (weekday 0 = Monday); the rule reads the weekday's ISO number (1-7)."""
    errors: dict[str, str] = {}
    try:
        if form.digest_hour is not None:
            parse_hour(str(form.digest_hour))
    except ScheduleError as exc:
        errors["digest_hour"] = exc.code
    try:
        if form.digest_weekday is not None:
            parse_weekday(str(form.digest_weekday + 1))
    except ScheduleError as exc:
        errors["digest_weekday"] = exc.code
    try:
        check_quiet(form.quiet_start, form.quiet_end)
    except ScheduleError as exc:
        errors["quiet"] = exc.code
    return errors


def serialise(session: Session, key: str) -> None:
    """Count under ``key`` one request after another: PostgreSQL holds a transaction-scoped
    advisory lock for the key (the number ``notifier.staff`` used for its login limits);
    SQLite takes its one write lock now, before the count is read (an empty delete begins the
    write transaction), where a reader would otherwise count beside the other requests."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        lock = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        session.exec(text("SELECT pg_advisory_xact_lock(:k)").bindparams(k=lock))  # type: ignore[call-overload]
    elif dialect == "sqlite":
        session.exec(delete(RateEvent).where(false()))


def rate_limited(session: Session, key: str, limit: int, window: timedelta, now: datetime) -> bool:
    """Count one event for ``key``; True when there were already ``limit`` in the window.
    Kept in the database so every worker and process shares the count; events older than
    the window (and at least a day) are pruned here, the rest by ``housekeeping.purge``.
    On PostgreSQL the count and the new row are made under a transaction-scoped advisory
    lock for ``key`` (``serialise``), so a burst of simultaneous requests from several
    processes cannot all read the count before any has added its row."""
    serialise(session, key)
    since = now - window
    keep = max(window, timedelta(days=1))
    session.exec(delete(RateEvent).where(col(RateEvent.created_at) < now - keep))
    count = session.exec(
        select(func.count())
        .select_from(RateEvent)
        .where(RateEvent.key == key, col(RateEvent.created_at) >= since)
    ).one()
    if count >= limit:
        return True
    session.add(RateEvent(key=key, created_at=now))
    session.flush()
    return False


#: domains whose mail ignores dots in the local part (``o.la@`` is ``ola@``)
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mailbox_key(email: str) -> str:
    """The mailbox an address reaches, as far as we can tell: its comparison key without a
    sub-address (``ola+nyhet@`` is ``ola@``, RFC 5233), and without dots at the domains that
    ignore them. Only the sign-up limit uses it; the subscriber keeps the address as given."""
    local, _, domain = address_key(email).rpartition("@")
    local = local.split("+", 1)[0] or local
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", "") or local, DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


def address_rate_key(email: str) -> str:
    """The rate-limit key of sign-ups for an address: a hash of its mailbox
    (``mailbox_key``), so ``Offer@``, ``offer@`` and ``offer+1@`` share one bucket (nobody
    fills a stranger's inbox by varying the spelling) and no address is stored in clear."""
    return f"signup:addr:{email_hash(mailbox_key(email))}"


def find(session: Session, email: str) -> Subscriber | None:
    """The subscriber with this address, compared by key."""
    return find_subscriber(session, email)


def signup(
    session: Session, form: SignupForm, now: datetime | None = None
) -> tuple[Subscriber, bool]:
    """Record a self-service sign-up (validated form). Returns the subscriber and whether the
    address was already confirmed: then nothing changes (a stranger must not rewrite someone
    else's preferences) and the caller mails a preferences link instead of a confirmation.

    Signing up again while unconfirmed starts afresh: ``created_at`` moves to ``now``, so
    housekeeping counts its retention from the newest confirmation link, not the first.

    A subscriber suppressed after repeated bounces is confirmed but gets nothing: signing up
    again changes nothing stored either, and the caller mails a confirmation link, whose use
    (``confirm``) lifts the suppression. An erased address signs up as a new subscriber; its
    suppression too is lifted only by the confirmation."""
    now = now or utcnow()
    address = validate_address(form.email)
    subscriber = find(session, address.email)
    if subscriber is None:
        subscriber = _create(session, address.email, address.key, now)
    if subscriber.confirmed_at is not None:
        return subscriber, subscriber.suppressed_at is None
    subscriber.email, subscriber.email_key = address.email, address.key
    subscriber.created_at = now
    session.add(subscriber)
    _apply_profile(subscriber, form)
    session.flush()
    _replace_subscriptions(session, subscriber, form.choices)
    return subscriber, False


def _create(session: Session, email: str, key: str, now: datetime) -> Subscriber:
    """A new subscriber row for this key, or the one a concurrent sign-up (say ``Offer@`` and
    ``offer@`` at once) committed first: the unique key decides, in a savepoint."""
    try:
        with session.begin_nested():
            subscriber = Subscriber(email=email, email_key=key, created_at=now)
            session.add(subscriber)
            session.flush()
        return subscriber
    except IntegrityError:
        found = find(session, email)
        if found is None:
            raise
        return found


def confirm(session: Session, subscriber: Subscriber, now: datetime) -> bool:
    """Confirm the address (idempotent); True if it was not confirmed before. A confirmed
    sign-up lifts an earlier suppression (erasure or bounces: the suppression rows, the bounce
    count and ``suppressed_at``): the person asked for it themselves, from the mailbox."""
    if subscriber.confirmed_at is not None and subscriber.suppressed_at is None:
        return False
    subscriber.confirmed_at = now
    session.add(subscriber)
    clear(session, subscriber)
    return True


def confirmable(subscriber: Subscriber) -> bool:
    """Whether a confirmation link for this subscriber can still be used: not yet confirmed,
    or confirmed but suppressed (bounces) and signed up again."""
    return subscriber.confirmed_at is None or subscriber.suppressed_at is not None


def update_preferences(session: Session, subscriber: Subscriber, form: SignupForm) -> None:
    """Replace profile and subscriptions with those of the (validated) form."""
    _apply_profile(subscriber, form)
    _replace_subscriptions(session, subscriber, form.choices)


def unsubscribe(session: Session, subscriber: Subscriber, subtopic: str | None = None) -> int:
    """Stop one subtopic, or all; idempotent. Returns how many subscriptions were removed."""
    query = select(Subscription).where(Subscription.subscriber_id == subscriber.id)
    if subtopic is not None:
        query = query.where(Subscription.subtopic == subtopic)
    rows = list(session.exec(query))
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def choices(session: Session, subscriber: Subscriber) -> dict[str, str]:
    rows = session.exec(
        select(Subscription)
        .where(Subscription.subscriber_id == subscriber.id)
        .order_by(col(Subscription.id))
    )
    return {s.subtopic: s.cadence for s in rows}


def export(session: Session, subscriber: Subscriber) -> dict[str, Any]:
    """Everything stored about the subscriber on the audience side, as JSON-ready data."""
    subs = session.exec(select(Subscription).where(Subscription.subscriber_id == subscriber.id))
    return {
        "email": subscriber.email,
        "name": subscriber.name,
        "role": subscriber.role,
        "region": subscriber.region,
        "statsforvalter_office": subscriber.office,
        "language": subscriber.language,
        "digest_hour": subscriber.digest_hour,
        "digest_weekday": subscriber.digest_weekday,
        "quiet_hours": [subscriber.quiet_start, subscriber.quiet_end],
        "created_at": subscriber.created_at.isoformat(),
        "confirmed_at": subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else None,
        "subscriptions": [
            {"subtopic": s.subtopic, "cadence": s.cadence, "channel": s.channel,
             "created_at": s.created_at.isoformat()}
            for s in subs
        ],
        **push.export(session, subscriber.id),
    }  # fmt: skip


def erase(session: Session, subscriber: Subscriber, now: datetime) -> None:
    """Remove everything of the person: address, name, role, place, language, subscriptions,
    bounce state and the rate-limit events of the address; keep a hashed suppression entry so
    no staff action resubscribes the address. The row itself stays, anonymous, because the
    outbox refers to it (``notifier.outbox.scrub`` blanks the messages; call it first).
    Revokes every link."""
    key = subscriber.email_key or subscriber.email.lower()
    if not subscriber.email.endswith("@invalid"):  # not erased before
        suppress(session, key, ERASED, now)
        session.exec(delete(RateEvent).where(col(RateEvent.key) == address_rate_key(key)))
    unsubscribe(session, subscriber)
    subscriber.email = f"erased-{subscriber.id}@invalid"
    subscriber.email_key = None
    subscriber.name = ""
    subscriber.role = "annen"
    subscriber.region = None
    subscriber.office = None
    subscriber.language = "nb"
    subscriber.digest_hour = subscriber.digest_weekday = None
    subscriber.quiet_start = subscriber.quiet_end = None
    subscriber.confirmed_at = None
    subscriber.hard_bounces = 0
    subscriber.suppressed_at = None
    subscriber.token_version += 1
    session.add(subscriber)
    session.flush()


def _apply_profile(subscriber: Subscriber, form: SignupForm) -> None:
    subscriber.name = form.name.strip()
    subscriber.role = form.role
    subscriber.region = form.region or None
    subscriber.office = form.office or None
    subscriber.language = "nn" if form.language == "nn" else "nb"
    subscriber.digest_hour = form.digest_hour
    subscriber.digest_weekday = form.digest_weekday
    subscriber.quiet_start = form.quiet_start
    subscriber.quiet_end = form.quiet_end


def _replace_subscriptions(
    session: Session, subscriber: Subscriber, wanted: Mapping[str, str]
) -> None:
    assert subscriber.id is not None
    existing = {
        s.subtopic: s
        for s in session.exec(
            select(Subscription).where(Subscription.subscriber_id == subscriber.id)
        )
    }
    for slug, row in existing.items():
        if slug not in wanted:
            session.delete(row)
        else:
            row.cadence = wanted[slug]
            session.add(row)
    for slug, cadence in wanted.items():
        if slug not in existing:
            session.add(Subscription(subscriber_id=subscriber.id, subtopic=slug, cadence=cadence))
    session.flush()
