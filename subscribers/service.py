"""Subscriber administration on a database session (staff and CLI side)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from sqlmodel import Session, col, select

from subscribers.match import SubscriptionRow, subscriber_keys
from subscribers.models import CADENCES, ROLES, Subscriber, Subscription, utcnow

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


class SubscriberError(ValueError):
    """Invalid subscriber input; the message says what to correct."""


def normalise_email(email: str) -> str:
    email = email.strip()
    if not _EMAIL.match(email) or len(email) > 320:
        raise SubscriberError(f"{email!r} is not a valid e-mail address")
    local, domain = email.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def add_subscriber(
    session: Session,
    email: str,
    *,
    role: str,
    subtopics: Sequence[str],
    cadence: str,
    known_subtopics: Iterable[str],
    name: str = "",
    region: str | None = None,
    office: str | None = None,
    confirmed: bool = True,
) -> Subscriber:
    """Create or update a subscriber and add subscriptions (idempotent). Staff-added
    subscribers are confirmed; self-service sign-ups are not until they confirm."""
    email = normalise_email(email)
    if role not in ROLES:
        raise SubscriberError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if cadence not in CADENCES:
        raise SubscriberError(f"cadence must be one of {', '.join(CADENCES)}, not {cadence!r}")
    known = set(known_subtopics)
    unknown = [s for s in subtopics if s not in known]
    if unknown:
        raise SubscriberError(
            f"unknown subtopic(s) {', '.join(unknown)}; see 'notifier subtopics' for the list"
        )
    if not subtopics:
        raise SubscriberError("give at least one subtopic")
    subscriber = session.exec(select(Subscriber).where(Subscriber.email == email)).first()
    if subscriber is None:
        subscriber = Subscriber(email=email, name=name, role=role, region=region, office=office)
        session.add(subscriber)
    else:
        subscriber.role = role
        subscriber.name = name or subscriber.name
        subscriber.region = region or subscriber.region
        subscriber.office = office or subscriber.office
    if confirmed and subscriber.confirmed_at is None:
        subscriber.confirmed_at = utcnow()
    session.flush()
    assert subscriber.id is not None
    existing = {
        s.subtopic: s
        for s in session.exec(
            select(Subscription).where(Subscription.subscriber_id == subscriber.id)
        )
    }
    for subtopic in dict.fromkeys(subtopics):
        if subtopic in existing:
            existing[subtopic].cadence = cadence
        else:
            session.add(
                Subscription(subscriber_id=subscriber.id, subtopic=subtopic, cadence=cadence)
            )
    session.flush()
    return subscriber


def confirmed_subscription_rows(session: Session) -> list[SubscriptionRow]:
    """Every subscription of a confirmed subscriber, as plain rows for the match index."""
    rows = session.exec(
        select(Subscription.subscriber_id, Subscription.subtopic, Subscription.cadence,
               Subscription.channel)
        .join(Subscriber, col(Subscriber.id) == col(Subscription.subscriber_id))
        .where(col(Subscriber.confirmed_at).is_not(None))
    ).all()  # fmt: skip
    return [SubscriptionRow(sid, topic, cadence, channel) for sid, topic, cadence, channel in rows]


def confirmed_places(
    session: Session,
    county_of: Mapping[str, str],
    office_counties: Mapping[str, frozenset[str]],
) -> dict[int, frozenset[str]]:
    """Region keys (``subscriber_keys``) of every confirmed subscriber with a region or an
    office; the others are nationwide and left out."""
    rows = session.exec(
        select(Subscriber.id, Subscriber.region, Subscriber.office).where(
            col(Subscriber.confirmed_at).is_not(None),
            (col(Subscriber.region).is_not(None)) | (col(Subscriber.office).is_not(None)),
        )
    ).all()
    return {
        sid: subscriber_keys(region, office_counties.get(office or "", ()), county_of)
        for sid, region, office in rows
        if sid is not None
    }
