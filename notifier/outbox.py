"""The outbox: one row per message to send, written in the transaction that decides it.

``delivery`` holds a message's recipient, state and what of it is personal; ``delivery_item``
records which changes a message carries. Two unique keys make duplicates impossible by
construction: a delivery's idempotency key, and (subscriber, change, channel) for items, so a
change reaches a subscriber through a channel at most once, whether as an alert or in a digest.

A planned mail (an alert or a digest) stores its body once per distinct content: a
``delivery_body`` row, keyed by the SHA-256 of its parts, holds the rendered text and HTML split
at the personal parts (``SLOTS``: the greeting's name, the signed preferences and unsubscribe
links). Its ``delivery`` rows keep only what is the recipient's own: the address, the subject,
the List-Unsubscribe headers and the values of those slots (``personal``), with ``body_id``.
``Delivery.message`` joins them (``fill``: a value as it is in the text, escaped as Jinja2
escapes it in the HTML), byte for byte what rendering the message alone gives. So an urgent
national change to 100,000 subscribers writes a few bodies (one per language, with and without
a greeting by name) and 100,000 short rows.

A message written whole (confirmation and link mails, operator alerts, staff test copies,
push alerts, and every row written before revision 0015) keeps its own ``body_text`` and
``body_html`` and no ``body_id``: those bodies can be personal and are never shared.

A shared body holds nothing personal: it is rendered for a stand-in recipient
(``render_batch``), so erasure blanks a person's rows and leaves the bodies, which
housekeeping deletes once no row refers to them (``prune_bodies``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Protocol

import sqlalchemy as sa
from markupsafe import escape
from sqlalchemy import or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel, col, delete, select

from feeds.store.models import UTCDateTime, utcnow
from feeds.store.queue import picked
from notifier.message import OutgoingMessage, unsubscribe_headers

PENDING, SENT, FAILED, ERASED = "pending", "sent", "failed", "erased"
#: kinds of failure (``Delivery.failure``)
BOUNCE, REFUSED, INVALID, GAVE_UP = "bounce", "refused", "invalid", "gave_up"
#: not sent: the address was suppressed (hard bounces) after the message was queued
SUPPRESSED = "suppressed"
#: the personal parts a shared body leaves open, in the order a body's parts name them
NAME, PREFERENCES, UNSUBSCRIBE = "name", "preferences", "unsubscribe"
SLOTS = (NAME, PREFERENCES, UNSUBSCRIBE)
#: a planned mail's links, signed when it is sent (``signed``): the subscriber's token version
#: and the language of the pages they open, "<version>/<language>"; the links are signed at
#: the row's ``created_at`` (the planning run's time), so they are the bytes planning would
#: have signed, and a message sent again after a lost reply is the same message
LINKS = "links"
#: a shared body no row refers to is kept this long after it was last written or reused, so
#: housekeeping never deletes one that a planning run is about to refer to
BODY_GRACE = timedelta(days=1)

#: a body marked used more recently than this is not marked again (``store_bodies``)
_FRESH = BODY_GRACE / 24

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Body:
    """The rendered text and HTML of a mail shared by its recipients, each as parts:
    literal, slot, literal, ..., literal (odd positions name a personal part, ``SLOTS``)."""

    text: tuple[str, ...]
    html: tuple[str, ...]

    @cached_property
    def digest(self) -> str:
        """SHA-256 (hex) of the parts: the key a body is stored under once."""
        data = json.dumps([self.text, self.html], ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(data.encode("utf-8", errors="surrogatepass")).hexdigest()

    @property
    def slots(self) -> frozenset[str]:
        return frozenset(self.text[1::2]) | frozenset(self.html[1::2])


def fill(parts: Sequence[str], personal: Mapping[str, str], html: bool) -> str:
    """The parts of a body with the personal values put in (HTML-escaped in HTML, as Jinja2's
    autoescaping does); a slot without a value is left empty."""
    if len(parts) == 1:
        return parts[0]
    out = list(parts)
    for i in range(1, len(out), 2):
        value = personal.get(out[i], "")
        out[i] = str(escape(value)) if html else value
    return "".join(out)


class SignedLinks(Protocol):
    @property
    def preferences(self) -> str: ...

    @property
    def unsubscribe(self) -> str: ...


class LinkMaker(Protocol):
    """(subscriber, token version, time of signing, language) -> that mail's signed links
    (``notifier.web.links.Links.mail_links``)."""

    def __call__(
        self, sid: int, version: int, now: datetime, lang: str = ..., /
    ) -> SignedLinks: ...


class MissingLinks(LookupError):
    """A row's links are to be signed when it is sent, and no link maker was given."""


def links_value(version: int, language: str) -> str:
    """The value of ``LINKS`` for a subscriber's token version and language."""
    return f"{version}/{'nn' if language == 'nn' else 'nb'}"


def signed(
    personal: Mapping[str, str],
    subscriber_id: int | None,
    signed_at: datetime | None,
    links: LinkMaker | None,
) -> Mapping[str, str]:
    """``personal`` with its ``LINKS`` (when it has one) replaced by the preferences and
    unsubscribe links, signed now by ``links`` for that subscriber at ``signed_at``."""
    value = personal.get(LINKS)
    if value is None:
        return personal
    if links is None:
        raise MissingLinks("this message's links are signed when it is sent: give a link maker")
    version, _, language = value.partition("/")
    if (
        subscriber_id is None
        or signed_at is None
        or not (version.isascii() and version.isdigit())
        or language not in ("nb", "nn")
    ):
        raise ValueError("this message's stored links value is not <version>/<language>")
    made = links(subscriber_id, int(version), signed_at, language)
    out = {k: v for k, v in personal.items() if k != LINKS}
    out[PREFERENCES], out[UNSUBSCRIBE] = made.preferences, made.unsubscribe
    return out


def join(body: Body, personal: Mapping[str, str]) -> tuple[str, str, dict[str, str]]:
    """The text, HTML and headers of a shared body with one recipient's personal parts put
    in: the List-Unsubscribe headers follow from the unsubscribe link (not stored twice)."""
    headers = unsubscribe_headers(personal[UNSUBSCRIBE]) if UNSUBSCRIBE in personal else {}
    return fill(body.text, personal, False), fill(body.html, personal, True), headers


def _check_parts(parts: object) -> tuple[str, ...]:
    """A stored list of parts as a tuple of texts, odd in length (literal first and last)."""
    if not isinstance(parts, list | tuple) or len(parts) % 2 != 1:
        raise ValueError("a stored body's parts are not literal, slot, ..., literal")
    if not all(isinstance(p, str) for p in parts):
        raise ValueError("a stored body's parts are not all text")
    return tuple(parts)


class DeliveryBody(SQLModel, table=True):
    """One shared body (``Body``) as stored: written once per distinct content. Nothing in it
    is personal; ``used_at`` is when a planning run last wrote or reused it."""

    __tablename__ = "delivery_body"

    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(unique=True, max_length=64)
    text_parts: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    html_parts: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    used_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)

    def body(self) -> Body:
        return Body(_check_parts(self.text_parts), _check_parts(self.html_parts))


class MissingBody(LookupError):
    """A row refers to a shared body that is not there (it cannot be built)."""


class Delivery(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(unique=True, max_length=200)
    subscriber_id: int | None = Field(default=None, foreign_key="subscriber.id", index=True)
    channel: str = Field(default="email", max_length=10)
    kind: str = Field(max_length=20)  # alert | digest
    to_address: str = Field(max_length=320)
    subject: str
    #: the message's own whole body (messages written whole, and rows from before 0015);
    #: empty when the row refers to a shared body
    body_text: str = ""
    body_html: str = ""
    #: the shared body of a planned mail (``delivery_body``), with this recipient's values of
    #: its slots in ``personal``; no foreign key (see revision 0015), kept right by
    #: ``store_bodies`` and ``prune_bodies``
    body_id: int | None = Field(default=None, index=True)
    personal: dict[str, str] | None = Field(default=None, sa_type=sa.JSON(none_as_null=True))
    headers: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    status: str = Field(default=PENDING, max_length=10, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    last_error: str | None = None
    #: the claim of the worker sending it now, valid until ``claimed_until`` (a lease: a claim
    #: left by a dead worker expires and the row is taken again)
    claim_token: str | None = Field(default=None, max_length=32)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    #: why a failed message failed: bounce (5xx for the address), refused (5xx for the
    #: message), invalid (it cannot be built), gave_up (temporary failures past the limit),
    #: suppressed (the address was suppressed after it was queued)
    failure: str | None = Field(default=None, max_length=20)
    #: when operators were told that this message failed
    reported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def message(self, body: Body | None = None, links: LinkMaker | None = None) -> OutgoingMessage:
        """The message as it is sent: its own body, or the shared ``body`` it refers to with
        its personal parts put in (``MissingBody`` when that is not given), its links signed
        by ``links`` when the row left them to be signed now (``MissingLinks`` without)."""
        text, html, headers = self.body_text, self.body_html, dict(self.headers)
        if self.body_id is not None:
            if body is None:
                raise MissingBody(f"the shared body {self.body_id} of this message is missing")
            personal = self.personal or {}
            if not isinstance(personal, dict):
                raise ValueError("the personal parts of this message are not a map")
            own = signed(personal, self.subscriber_id, self.created_at, links)
            text, html, derived = join(body, own)
            headers |= derived
        return OutgoingMessage(
            to=self.to_address,
            subject=self.subject,
            text=text,
            html=html,
            idempotency_key=self.idempotency_key,
            headers=headers,
        )

    @property
    def buildable(self) -> bool:
        """It has an address and a body to build a message from."""
        return bool(self.to_address) and (
            self.body_id is not None or bool(self.body_text or self.body_html)
        )


class DeliveryItem(SQLModel, table=True):
    __tablename__ = "delivery_item"
    __table_args__ = (sa.UniqueConstraint("subscriber_id", "change_id", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="delivery.id", index=True)
    subscriber_id: int = Field(foreign_key="subscriber.id")
    change_id: int = Field(foreign_key="change.id", index=True)
    channel: str = Field(default="email", max_length=10)


def enqueue(
    session: Session,
    message: OutgoingMessage,
    *,
    kind: str,
    subscriber_id: int | None,
    now: datetime,
    change_ids: Sequence[int] = (),
    channel: str = "email",
) -> Delivery | None:
    """Add a message to the outbox unless its key is there already. Call inside the
    transaction that decided the recipients; the caller commits. A message to no subscriber
    (an operator alert) carries no changes."""
    assert subscriber_id is not None or not change_ids, "changes are carried to subscribers"
    exists = session.exec(
        select(Delivery.id).where(Delivery.idempotency_key == message.idempotency_key)
    ).first()
    if exists is not None:
        return None
    delivery = Delivery(
        idempotency_key=message.idempotency_key,
        subscriber_id=subscriber_id,
        channel=channel,
        kind=kind,
        to_address=storable(message.to),
        subject=storable(message.subject),
        body_text=storable(message.text),
        body_html=storable(message.html),
        headers={storable(k): storable(v) for k, v in message.headers.items()},
        created_at=now,
        next_attempt_at=now,
    )
    session.add(delivery)
    session.flush()
    assert delivery.id is not None
    for change_id in change_ids:
        assert subscriber_id is not None
        session.add(
            DeliveryItem(
                delivery_id=delivery.id,
                subscriber_id=subscriber_id,
                change_id=change_id,
                channel=channel,
            )
        )
    session.flush()
    return delivery


def bodies(session: Session, ids: Iterable[int | None]) -> dict[int, Body]:
    """The shared bodies with these ids (one query; ids not found are left out)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(select(DeliveryBody).where(col(DeliveryBody.id).in_(wanted))).all()
    return {row.id: row.body() for row in rows if row.id is not None}


def message_of(session: Session, row: Delivery, links: LinkMaker | None = None) -> OutgoingMessage:
    """The message of one stored row as it is sent (the console, tests)."""
    return row.message(bodies(session, [row.body_id]).get(row.body_id or 0), links)


def store_bodies(session: Session, found: Iterable[Body], now: datetime) -> dict[str, int]:
    """Make sure these bodies are stored, and mark them used now; digest -> id. Call in the
    transaction that writes the rows referring to them.

    A body already there is marked used first (an UPDATE: on PostgreSQL it holds the row
    until the commit, so ``prune_bodies`` running at the same time finds it used and keeps it),
    then the missing ones are inserted, skipping any another planner inserted meanwhile. A
    body marked used within the last hour is left as it is (the batches of one dispatch do
    not each write its row again): it is far from ``BODY_GRACE`` anyway."""
    wanted = {b.digest: b for b in found}
    if not wanted:
        return {}
    digests = list(wanted)
    session.exec(
        update(DeliveryBody)
        .where(col(DeliveryBody.digest).in_(digests), col(DeliveryBody.used_at) < now - _FRESH)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    ids = _body_ids(session, digests)
    # in one order in every transaction: two writers of one dispatch (``BatchWriter``) that
    # insert the same new bodies never wait for each other the other way round (a deadlock)
    missing = sorted(d for d in digests if d not in ids)
    if missing:
        table = DeliveryBody.__table__  # type: ignore[attr-defined]
        statement: sa.Insert
        if session.get_bind().dialect.name == "postgresql":
            statement = pg_insert(table).on_conflict_do_nothing(index_elements=["digest"])
        else:
            statement = sqlite_insert(table).on_conflict_do_nothing(index_elements=["digest"])
        session.execute(
            statement,
            [
                {"digest": d, "text_parts": list(wanted[d].text),
                 "html_parts": list(wanted[d].html), "created_at": now, "used_at": now}
                for d in missing
            ],
        )  # fmt: skip
        ids |= _body_ids(session, missing)
    if len(ids) != len(wanted):  # deleted between the two statements: the batch is retried
        raise sa.exc.IntegrityError("store_bodies", None, Exception("a shared body vanished"))
    return ids


def _body_ids(session: Session, digests: list[str]) -> dict[str, int]:
    rows = session.exec(
        select(DeliveryBody.digest, DeliveryBody.id).where(col(DeliveryBody.digest).in_(digests))
    ).all()
    return {d: i for d, i in rows if i is not None}


def prune_bodies(session: Session, now: datetime, grace: timedelta = BODY_GRACE) -> int:
    """Delete the shared bodies no message refers to (erased, or their rows forgotten) and
    none used within ``grace``; returns how many. The caller commits."""
    referenced = select(Delivery.id).where(col(Delivery.body_id) == col(DeliveryBody.id))
    result = session.exec(
        delete(DeliveryBody).where(col(DeliveryBody.used_at) < now - grace, ~referenced.exists())
    )
    deleted = int(result.rowcount or 0)
    if deleted:
        log.info("%d shared message bodies no message refers to deleted", deleted)
    return deleted


def storable(text: str) -> str:
    """Text every database column can hold: no NUL (PostgreSQL refuses it) and no lone
    surrogate (not encodable as UTF-8), so one odd character never fails a whole dispatch."""
    text = str(text)
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", errors="replace").decode("utf-8")
    return text


def delivered_pairs(
    session: Session,
    change_ids: Iterable[int],
    channel: str = "email",
    subscribers: tuple[int, int] | None = None,
) -> set[tuple[int, int]]:
    """(subscriber_id, change_id) pairs already in the outbox for these changes (for the
    subscribers with ids in the inclusive range ``subscribers``, when given)."""
    ids = list(change_ids)
    if not ids:
        return set()
    query = select(DeliveryItem.subscriber_id, DeliveryItem.change_id).where(
        col(DeliveryItem.change_id).in_(ids), DeliveryItem.channel == channel
    )
    if subscribers is not None:
        query = query.where(col(DeliveryItem.subscriber_id).between(*subscribers))
    rows = session.exec(query).all()
    return {(s, c) for s, c in rows}


@dataclass(frozen=True)
class Claim:
    """Rows taken by one sender until ``until``: only the holder of ``token`` marks them."""

    token: str
    until: datetime
    rows: tuple[Delivery, ...]
    #: the shared bodies the rows refer to, by id
    found: Mapping[int, Body] = field(default_factory=dict)

    def message(self, row: Delivery, links: LinkMaker | None = None) -> OutgoingMessage:
        """The message of one of the rows, its shared body joined and its links signed."""
        return row.message(self.found.get(row.body_id or 0), links)


def claim(session: Session, now: datetime, lease: timedelta, limit: int = 50) -> Claim:
    """Take up to ``limit`` due messages, oldest first, for ``lease``; commits at once.

    One UPDATE takes them: on PostgreSQL its row choice skips rows other workers hold locked
    (``FOR UPDATE SKIP LOCKED``); on SQLite the statement takes the write lock before it
    reads, so two processes never take the same row. A claim left by a dead sender expires
    with its lease and the row is taken again. A due row is pending, its time has come and
    nobody holds an unexpired claim on it."""
    token = secrets.token_hex(16)
    until = now + lease
    due = (
        select(Delivery.id)
        .where(
            Delivery.status == PENDING,
            col(Delivery.next_attempt_at) <= now,
            or_(col(Delivery.claimed_until).is_(None), col(Delivery.claimed_until) <= now),
        )
        .order_by(col(Delivery.id))
        .limit(limit)
    )
    key = Delivery.__table__.c.id  # type: ignore[attr-defined]
    session.exec(
        update(Delivery)
        .where(picked(due, key, session.get_bind().dialect.name))
        .values(claim_token=token, claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    rows = session.exec(
        select(Delivery).where(Delivery.claim_token == token).order_by(col(Delivery.id))
    ).all()
    return Claim(token, until, tuple(rows), bodies(session, (r.body_id for r in rows)))


def extend(session: Session, claim: Claim, now: datetime, lease: timedelta) -> Claim:
    """Renew the lease of the rows of ``claim`` still held (a long batch); commits."""
    until = now + lease
    session.exec(
        update(Delivery)
        .where(col(Delivery.claim_token) == claim.token, col(Delivery.status) == PENDING)
        .values(claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return Claim(claim.token, until, claim.rows, claim.found)


def _settle(session: Session, delivery_id: int, token: str, **values: object) -> bool:
    """Write the outcome of one message if this sender still holds it; True if written."""
    result = session.exec(
        update(Delivery)
        .where(col(Delivery.id) == delivery_id, col(Delivery.claim_token) == token)
        .values(claim_token=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


def mark_sent(session: Session, delivery: Delivery, token: str, now: datetime) -> bool:
    assert delivery.id is not None
    return _settle(
        session, delivery.id, token, status=SENT, sent_at=now,
        attempts=delivery.attempts + 1, last_error=None, failure=None,
    )  # fmt: skip


def mark_sent_many(session: Session, sent: Sequence[tuple[Delivery, str, datetime]]) -> set[int]:
    """``mark_sent`` for many messages in one statement executed for all (each guarded by its
    claim token); returns the ids written. The caller commits."""
    if not sent:
        return set()
    table = Delivery.__table__  # type: ignore[attr-defined]
    statement = (
        table.update()
        .where(table.c.id == sa.bindparam("did"), table.c.claim_token == sa.bindparam("token"))
        .values(
            status=SENT, sent_at=sa.bindparam("at"), attempts=sa.bindparam("tries"),
            last_error=None, failure=None, claim_token=None, claimed_until=None,
        )
    )  # fmt: skip
    params = [
        {"did": row.id, "token": token, "at": at, "tries": row.attempts + 1}
        for row, token, at in sent
    ]
    result = session.connection().execute(statement, params)
    ids = {row.id for row, _, _ in sent if row.id is not None}
    if result.rowcount == len(params):
        return ids
    # some claim was lost meanwhile (an expired lease taken by another sender): the rows
    # written are those now sent at the time we gave them
    when = {row.id: at for row, _, at in sent}
    found = session.exec(
        select(Delivery.id, Delivery.sent_at).where(
            col(Delivery.id).in_(ids), Delivery.status == SENT
        )
    ).all()
    return {did for did, at in found if did is not None and at == when[did]}


def defer(session: Session, delivery: Delivery, token: str, until: datetime) -> bool:
    """Leave a message for later without trying it (its domain is paused); no attempt
    is counted."""
    assert delivery.id is not None
    return _settle(session, delivery.id, token, next_attempt_at=until)


def mark_retry(
    session: Session,
    delivery: Delivery,
    token: str,
    now: datetime,
    error: str,
    max_attempts: int,
    not_before: datetime | None = None,
) -> bool:
    """A temporary failure: back off exponentially with jitter (never sooner than
    ``not_before``), or give up after ``max_attempts`` (operators are told of it)."""
    assert delivery.id is not None
    attempts = delivery.attempts + 1
    if attempts >= max_attempts:
        return _settle(
            session, delivery.id, token, status=FAILED, attempts=attempts,
            last_error=error[:2000], failure=GAVE_UP,
        )  # fmt: skip
    at = now + backoff(attempts)
    if not_before is not None and not_before > at:
        at = not_before
    return _settle(
        session, delivery.id, token, attempts=attempts, last_error=error[:2000],
        next_attempt_at=at,
    )  # fmt: skip


def mark_failed(session: Session, delivery: Delivery, token: str, error: str, failure: str) -> bool:
    """A permanent failure of this message alone; ``failure`` says which kind."""
    assert delivery.id is not None
    return _settle(
        session, delivery.id, token, status=FAILED, attempts=delivery.attempts + 1,
        last_error=error[:2000], failure=failure,
    )  # fmt: skip


def failed_unreported(session: Session, kinds: Sequence[str]) -> list[Delivery]:
    """Failed messages of these failure kinds that operators have not been told of."""
    return list(
        session.exec(
            select(Delivery)
            .where(
                Delivery.status == FAILED,
                col(Delivery.reported_at).is_(None),
                col(Delivery.failure).in_(list(kinds)),
            )
            .order_by(col(Delivery.id))
        ).all()
    )


def record_failed(
    session: Session,
    *,
    idempotency_key: str,
    kind: str,
    subscriber_id: int | None,
    to_address: str,
    error: str,
    now: datetime,
    channel: str = "email",
) -> Delivery | None:
    """Record a message that could not even be composed (a template error) as failed, so it
    is seen and reported; the others of its run go on. None when its key is there already."""
    exists = session.exec(
        select(Delivery.id).where(Delivery.idempotency_key == idempotency_key)
    ).first()
    if exists is not None:
        return None
    row = Delivery(
        idempotency_key=idempotency_key, subscriber_id=subscriber_id, channel=channel,
        kind=kind, to_address=to_address, subject="", body_text="", body_html="",
        status=FAILED, attempts=0, last_error=error[:2000], failure=INVALID,
        created_at=now, next_attempt_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def backoff(attempt: int, base: float = 60.0, cap: float = 6 * 3600.0) -> timedelta:
    """Exponential backoff with full jitter: up to base * 2^(attempt-1), at most ``cap``."""
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))


def scrub(session: Session, subscriber_id: int) -> int:
    """Erasure: blank address, subject, bodies, personal parts and headers of every message
    to this subscriber, sent or not, and drop their references to shared bodies (which hold
    nothing of anyone; ``prune_bodies`` deletes them once nothing refers to them); pending
    ones become ``erased`` and are never sent. Returns how many rows were scrubbed. The
    caller commits."""
    rows = list(session.exec(select(Delivery).where(Delivery.subscriber_id == subscriber_id)))
    for row in rows:
        row.to_address = ""
        row.subject = ""
        row.body_text = ""
        row.body_html = ""
        row.body_id = None
        row.personal = None
        row.headers = {}
        row.last_error = _ERASED_ERROR if row.last_error else None  # a 550 quotes the address
        row.claim_token = None
        if row.status == PENDING:
            row.status = ERASED
        session.add(row)
    session.flush()
    return len(rows)


_ERASED_ERROR = "(slettet: teksten kunne nevne adressen)"


def forget(session: Session, subscriber_ids: Sequence[int]) -> int:
    """Delete every outbox row of these subscribers, with the items they carry; returns how
    many messages. For sign-ups never confirmed (``subscribers.housekeeping``): that is only
    their confirmation mails. The caller commits."""
    ids = list(subscriber_ids)
    deliveries = select(Delivery.id).where(col(Delivery.subscriber_id).in_(ids))
    session.exec(delete(DeliveryItem).where(col(DeliveryItem.delivery_id).in_(deliveries)))
    return session.exec(delete(Delivery).where(col(Delivery.subscriber_id).in_(ids))).rowcount
