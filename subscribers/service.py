"""Subscriber administration on a database session (staff and CLI side)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlmodel import Session, col, select

from subscribers.match import SubscriptionRow, subscriber_keys
from subscribers.models import CADENCES, ROLES, Subscriber, Subscription, utcnow
from subscribers.suppression import BOUNCED, suppression_reason
from subscribers.validate import (
    AddressError,
    NameRefused,
    check_name,
    lookup_keys,
    validate_address,
)


class SubscriberError(ValueError):
    """Invalid subscriber input; the message says what to correct."""


class SuppressedError(SubscriberError):
    """The address is suppressed (erased, or bounced repeatedly); only the person can sign
    up again, through the form and its confirmation link."""


def normalise_email(email: str) -> str:
    """The address as stored (see ``subscribers.validate``); ``SubscriberError`` if invalid."""
    try:
        return validate_address(email).email
    except AddressError as exc:
        raise SubscriberError(str(exc)) from None


def find_subscriber(session: Session, email: str) -> Subscriber | None:
    """The subscriber with this address, compared by key (any case, Unicode or IDNA domain)."""
    keys = lookup_keys(email)
    found = session.exec(select(Subscriber).where(col(Subscriber.email_key).in_(keys))).all()
    return min(found, key=lambda s: keys.index(s.email_key or "")) if found else None


def refuse_suppressed(session: Session, email: str) -> None:
    """``SuppressedError`` when staff try to add an address that is suppressed."""
    reason = suppression_reason(session, email)
    if reason is None:
        return
    if reason == BOUNCED:
        why = "mail to it bounced repeatedly, so it is suppressed"
    else:
        why = "its owner asked to be erased"
    raise SuppressedError(
        f"{email} is not added: {why}; only the person can subscribe again, through the "
        "sign-up form and its confirmation link"
    )


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
    try:
        name = check_name(name)
    except NameRefused as exc:
        raise SubscriberError(str(exc)) from None
    refuse_suppressed(session, email)
    subscriber = find_subscriber(session, email)
    if subscriber is not None and subscriber.suppressed_at is not None:
        raise SuppressedError(
            f"{email} is not added: mail to it bounced repeatedly, so it is suppressed; only "
            "the person can subscribe again, through the sign-up form and its confirmation link"
        )
    if subscriber is None:
        subscriber = Subscriber(
            email=email, email_key=email.lower(), name=name, role=role, region=region,
            office=office,
        )  # fmt: skip
        session.add(subscriber)
    else:
        if subscriber.email_key != email.lower():  # a row stored before the validator
            subscriber.email, subscriber.email_key = email, email.lower()
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


def confirmed_subscription_rows(
    session: Session, subtopics: Collection[str] | None = None
) -> list[SubscriptionRow]:
    """Every subscription of a confirmed subscriber, as plain rows for the match index; a
    suppressed subscriber (``suppressed_at``) has none. ``subtopics``: only those (the
    subtopics of the changes being planned: what else they follow cannot match them)."""
    query = (
        select(Subscription.subscriber_id, Subscription.subtopic, Subscription.cadence,
               Subscription.channel)
        .join(Subscriber, col(Subscriber.id) == col(Subscription.subscriber_id))
        .where(col(Subscriber.confirmed_at).is_not(None),
               col(Subscriber.suppressed_at).is_(None))
    )  # fmt: skip
    if subtopics is not None:
        query = query.where(col(Subscription.subtopic).in_(list(subtopics)))
    return list(_rows(session, query))


def iter_subscription_rows(
    session: Session, subtopics: Collection[str] | None = None
) -> Iterator[SubscriptionRow]:
    """``confirmed_subscription_rows`` as a stream (the match index is built from it without
    a list of every row beside it)."""
    query = (
        select(Subscription.subscriber_id, Subscription.subtopic, Subscription.cadence,
               Subscription.channel)
        .join(Subscriber, col(Subscriber.id) == col(Subscription.subscriber_id))
        .where(col(Subscriber.confirmed_at).is_not(None),
               col(Subscriber.suppressed_at).is_(None))
    )  # fmt: skip
    if subtopics is not None:
        query = query.where(col(Subscription.subtopic).in_(list(subtopics)))
    return _rows(session, query)


def _rows(session: Session, query: Any) -> Iterator[SubscriptionRow]:
    for sid, topic, cadence, channel in session.exec(query):
        yield SubscriptionRow(sid, topic, cadence, channel)


def confirmed_places(
    session: Session,
    county_of: Mapping[str, str],
    office_counties: Mapping[str, frozenset[str]],
    subtopics: Collection[str] | None = None,
) -> dict[int, frozenset[str]]:
    """Region keys (``subscriber_keys``) of every confirmed, unsuppressed subscriber with a
    region or an office; the others are nationwide and left out. ``subtopics``: only the
    followers of one of those."""
    query = select(Subscriber.id, Subscriber.region, Subscriber.office).where(
        col(Subscriber.confirmed_at).is_not(None),
        col(Subscriber.suppressed_at).is_(None),
        (col(Subscriber.region).is_not(None)) | (col(Subscriber.office).is_not(None)),
    )
    if subtopics is not None:
        follows = select(Subscription.subscriber_id).where(
            col(Subscription.subtopic).in_(list(subtopics))
        )
        query = query.where(col(Subscriber.id).in_(follows))
    rows = session.exec(query).all()
    # many subscribers share a place: one frozenset of keys per (region, office)
    shared: dict[tuple[str | None, str | None], frozenset[str]] = {}
    places = {}
    for sid, region, office in rows:
        if sid is None:
            continue
        keys = shared.get((region, office))
        if keys is None:
            keys = subscriber_keys(region, office_counties.get(office or "", ()), county_of)
            shared[(region, office)] = keys
        places[sid] = keys
    return places


def address_problems(session: Session) -> list[tuple[Subscriber, str]]:
    """Stored subscribers whose address the validator would refuse now, or that have no
    comparison key (revision 0005 leaves it empty on a row that differs from an older one only
    in case) or an outdated one: each with what is wrong, for staff to fix or merge. Erased
    rows are left out."""
    found: list[tuple[Subscriber, str]] = []
    for person in session.exec(select(Subscriber).order_by(col(Subscriber.id))):
        if person.email.endswith("@invalid") and person.email_key is None:
            continue  # erased
        try:
            address = validate_address(person.email)
        except AddressError as exc:
            found.append((person, str(exc)))
            continue
        if person.email_key is None:
            found.append((person, "no comparison key: the same address in another case is "
                                  "stored as well; merge the two"))  # fmt: skip
        elif person.email_key != address.key:
            why = f"comparison key {person.email_key!r} is outdated (want {address.key!r}); "
            found.append((person, why + "a sign-up or 'subscribers add' of it renews it"))
    return found
