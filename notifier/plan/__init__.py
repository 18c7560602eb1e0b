"""Deciding who gets what: immediate alerts (dispatch) and digests (plan, compose).

Recipients are written to the outbox in the transaction that decides them; a large dispatch
is written in batches of short transactions, each safe to resume (a message's key is unique,
and a change is planned again only for whom it has not reached), and the changes are marked
dispatched after the last batch. Sending later only reads the outbox.
"""

from __future__ import annotations

import gc
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from feeds.detect.history import PENDING
from feeds.detect.story import content_key
from feeds.store.models import Change, Source
from notifier.channels.protocol import APPRISE, EMAIL, WEBPUSH
from notifier.context import Context
from notifier.db import LOCKED_WAITS, is_locked, write_retrying
from notifier.digest import ChangeView, Digest, Recipient, compose, period_key
from notifier.mailsafe import redact
from notifier.message import OutgoingMessage
from notifier.outbox import (
    PENDING as QUEUED,
)
from notifier.outbox import (
    Delivery,
    DeliveryItem,
    delivered_pairs,
    record_failed,
    storable,
    store_bodies,
)
from notifier.render_batch import FormRenderer, Parted
from notifier.schedule import (
    describe,
    due_subscribers,
    last_finished,
    record_run,
    slot_of,
    slots_between,
)
from notifier.web.links import attach
from subscribers import push, targets
from subscribers.match import SubscriptionIndex, SubscriptionRow, change_keys, subscriber_keys
from subscribers.models import Subscriber, Subscription, SubscriptionChannel
from subscribers.service import confirmed_places, find_subscriber, iter_subscription_rows

log = logging.getLogger(__name__)
LOOKBACK = {
    "immediate": timedelta(days=2),
    "daily": timedelta(days=7),
    "weekly": timedelta(days=21),
}


def change_views(
    ctx: Context,
    session: Session,
    changes: Sequence[Change],
    story_updates: set[int | None] | None = None,
) -> list[ChangeView]:
    source_ids = {c.source_id for c in changes}
    sources = {
        s.id: s for s in session.exec(select(Source).where(col(Source.id).in_(source_ids)))
    } if source_ids else {}  # fmt: skip
    views = []
    for c in changes:
        assert c.id is not None
        source = sources[c.source_id]
        views.append(
            ChangeView(
                id=c.id,
                source_name=source.name,
                authority=source.authority,
                title=c.title,
                url=c.url,
                kind=c.kind,
                section=tuple(c.section),
                summary=c.summary,
                segments=tuple((seg[0], seg[1]) for seg in c.diff),
                detected_at=c.detected_at,
                subtopics=ctx.with_umbrellas(c.subtopics),
                urgent=c.urgent,
                story_update=c.id in (story_updates or set()),
            )
        )
    return views


def county_map(ctx: Context) -> dict[str, str]:
    """Municipality number -> county number, from the gazetteer (plain data for matching)."""
    gaz = ctx.gazetteer
    return {number: gaz.county_of_municipality(number) for number, _ in gaz.municipalities()}


def office_map(ctx: Context) -> dict[str, frozenset[str]]:
    """Statsforvalter office slug -> the county numbers it covers."""
    gaz = ctx.gazetteer
    return {slug: gaz.counties_of_office(slug) for slug, _ in gaz.offices()}


def build_index(
    ctx: Context, session: Session, subtopics: Collection[str] | None = None
) -> tuple[SubscriptionIndex, dict[str, str]]:
    """The match index of the confirmed subscriptions, and the county map for change scopes.
    ``subtopics`` (with their umbrellas) limits it to the subscriptions that can match changes
    of those subtopics: a dispatch indexes the followers of its changes, not everyone."""
    counties = county_map(ctx)
    places = confirmed_places(session, counties, office_map(ctx), subtopics)
    return SubscriptionIndex(iter_subscription_rows(session, subtopics), places), counties


def _among(column: Any, ids: set[int]) -> Any:
    """``column IN ids``, as a range when the ids are dense (a national change's recipients
    are nearly every subscriber): one short statement instead of thousands of parameters.
    The caller keeps only the ids it asked for."""
    low, high = min(ids), max(ids)
    if high - low < 2 * len(ids):
        return column.between(low, high)
    return column.in_(ids)


def _recipients(
    session: Session, ids: set[int]
) -> dict[int, tuple[Recipient, datetime | None, int]]:
    """Each subscriber's ``Recipient``, confirmation time and token version (columns, not ORM
    objects: a dispatch to 100,000 holds tuples, not 100,000 tracked rows)."""
    if not ids:
        return {}
    rows = session.execute(
        sa_select(
            col(Subscriber.id), col(Subscriber.email), col(Subscriber.name),
            col(Subscriber.language), col(Subscriber.confirmed_at), col(Subscriber.token_version),
        ).where(_among(col(Subscriber.id), ids))
    ).all()  # fmt: skip
    return {
        sid: (Recipient(sid, email, name, language), confirmed, version)
        for sid, email, name, language, confirmed, version in rows
        if sid in ids
    }


def _subtopic_orders(
    session: Session, ids: set[int], email_only: bool = False
) -> dict[int, list[str]]:
    """Each subscriber's subtopics in the order they chose them (``email_only``: those of
    their e-mail subscriptions)."""
    orders: dict[int, list[str]] = defaultdict(list)
    if ids:
        for sid, subtopic, channel in session.exec(
            select(Subscription.subscriber_id, Subscription.subtopic, Subscription.channel)
            .where(_among(col(Subscription.subscriber_id), ids))
            .order_by(col(Subscription.id))
        ):
            if sid in ids and (channel == EMAIL or not email_only):
                orders[sid].append(subtopic)
    return orders


#: recipients composed at a time (their rows are read per chunk; a chunk's messages are
#: rendered and written before the next is composed)
PLAN_CHUNK = 2000


def plan(
    ctx: Context,
    session: Session,
    cadence: str,
    now: datetime,
    changes: Sequence[Change],
    only_subscriber: int | None = None,
    prepared: tuple[SubscriptionIndex, dict[str, str]] | None = None,
    due: Mapping[int, Mapping[str, datetime]] | None = None,
    channel: str = EMAIL,
    among: set[int] | None = None,
) -> list[Digest]:
    """All of ``plan_chunks`` in one list (preview, and callers with few recipients)."""
    return [
        digest
        for chunk in plan_chunks(
            ctx, session, cadence, now, changes, only_subscriber, prepared, due, channel, among
        )
        for digest in chunk
    ]


def plan_chunks(
    ctx: Context,
    session: Session,
    cadence: str,
    now: datetime,
    changes: Sequence[Change],
    only_subscriber: int | None = None,
    prepared: tuple[SubscriptionIndex, dict[str, str]] | None = None,
    due: Mapping[int, Mapping[str, datetime]] | None = None,
    channel: str = EMAIL,
    among: set[int] | None = None,
    chunk: int = PLAN_CHUNK,
    versions: dict[int, int] | None = None,
) -> Iterator[list[Digest]]:
    """Compose (without storing) the messages of one cadence for these changes: for each
    recipient, the changes whose most immediate matching subscription has this cadence and that
    the recipient has not been sent yet. Read-only: preview calls it as it is. ``prepared``
    is a ``build_index`` result to reuse across calls in one transaction.

    ``due`` (the digest clock, ``compose_due``) plans digests by each subscriber's own
    schedule instead: subscriber -> {cadence: the slot it fell due}; only those subscribers,
    and one collated message each: a subscriber due for a daily and a weekly digest in the
    same run gets one weekly digest that carries both. A digest whose slot is before the
    current one is late (``Digest.late_since``).

    ``channel`` plans for that channel (what it has carried is left out; its digests carry
    its name) and ``among`` restricts the recipients (the holders of a push endpoint or
    target: ``push_alerts``).

    E-mail honours each subscription's choice of channels: a subscription whose ``channel``
    is not e-mail, or whose e-mail is turned off (a ``SubscriptionChannel`` row for
    ``email``, ``enabled`` false: ``email_off``), brings nothing by e-mail, and its subtopic
    is no section of the person's mails; its alerts still go to push. A person previewed
    alone (``only_subscriber``) is planned from their own rows, not ``prepared``, so that
    the preview is what the e-mail planning does."""
    topics = {s for c in changes for s in ctx.with_umbrellas(c.subtopics)}
    change_ids = [c.id for c in changes if c.id is not None]
    composer = _Composer(ctx, session, cadence, now, due, {}, channel)
    if only_subscriber is not None:
        prepared = None
    if prepared is not None:
        ranges: Iterable[tuple[int, int] | None] = [None]
    else:
        ranges = _id_ranges(session, only_subscriber)
        counties, offices = county_map(ctx), office_map(ctx)
    for ids_range in ranges:
        off = email_off(session, ids_range) if channel == EMAIL else {}
        if prepared is not None:
            index, counties = prepared
        else:
            assert ids_range is not None
            index = _range_index(session, topics, ids_range, counties, offices, off)
        sent = delivered_pairs(session, change_ids, channel, ids_range)
        wanted, cadences = _wanted(
            ctx, index, counties, changes, sent, cadence, due, among, only_subscriber, channel, off
        )
        del index, sent
        composer.cadences, composer.email_off = cadences, off
        ids = sorted(wanted)
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            digests = composer.chunk(part, {sid: wanted.pop(sid) for sid in part}, changes)
            if versions is not None:
                versions.update(composer.versions)
            composer.versions.clear()
            yield digests


#: subscriber ids matched at a time: the match index and the matches of one range at once,
#: so a dispatch to 100,000 holds about as much as one to 10,000
MATCH_RANGE = 10_000


def _id_ranges(session: Session, only: int | None) -> Iterator[tuple[int, int]]:
    """Inclusive ranges of subscriber ids covering every subscriber (or only ``only``)."""
    if only is not None:
        yield only, only
        return
    low, high = session.execute(
        sa_select(sa.func.min(col(Subscriber.id)), sa.func.max(col(Subscriber.id)))
    ).one()
    if low is None or high is None:
        return
    for start in range(low, high + 1, MATCH_RANGE):
        yield start, min(start + MATCH_RANGE - 1, high)


def _range_index(
    session: Session,
    subtopics: Collection[str],
    ids: tuple[int, int],
    counties: Mapping[str, str],
    offices: Mapping[str, frozenset[str]],
    off: Mapping[int, set[str]] | None = None,
) -> SubscriptionIndex:
    """``build_index`` for the subscribers with ids in ``ids`` (inclusive): the confirmed,
    unsuppressed subscriptions to these subtopics and their followers' region keys, as
    ``subscribers.service.iter_subscription_rows`` and ``confirmed_places`` read them for
    everyone. A subscription whose e-mail is turned off (``off``: subscriber -> subtopics)
    is indexed under the channel ``EMAIL_OFF``: e-mail planning passes it by, push does not."""
    low, high = ids
    live = (
        col(Subscriber.confirmed_at).is_not(None),
        col(Subscriber.suppressed_at).is_(None),
        col(Subscriber.id).between(low, high),
    )
    # the subtopic as an expression, not the column: the planners then read the range of ids
    # through the subscriber index (SQLite otherwise took every follower of the subtopic for
    # each range, three times the time of one index of everyone)
    topic_in = (col(Subscription.subtopic) + "").in_(list(subtopics))
    in_range = col(Subscription.subscriber_id).between(low, high)
    rows = session.execute(
        sa_select(
            col(Subscription.subscriber_id), col(Subscription.subtopic),
            col(Subscription.cadence), col(Subscription.channel),
        )
        .join(Subscriber, col(Subscriber.id) == col(Subscription.subscriber_id))
        .where(*live, in_range, topic_in)
    )  # fmt: skip
    followers = sa_select(col(Subscription.subscriber_id)).where(in_range, topic_in)
    placed = session.execute(
        sa_select(col(Subscriber.id), col(Subscriber.region), col(Subscriber.office)).where(
            *live,
            col(Subscriber.region).is_not(None) | col(Subscriber.office).is_not(None),
            col(Subscriber.id).in_(followers),
        )
    )
    shared: dict[tuple[str | None, str | None], frozenset[str]] = {}
    places: dict[int, frozenset[str]] = {}
    for sid, region, office in placed:
        keys = shared.get((region, office))
        if keys is None:
            keys = subscriber_keys(region, offices.get(office or "", ()), counties)
            shared[(region, office)] = keys
        places[sid] = keys
    if off:
        return SubscriptionIndex(
            (
                SubscriptionRow(sid, topic, cad, EMAIL_OFF if topic in off.get(sid, ()) else chan)
                for sid, topic, cad, chan in rows
            ),
            places,
        )
    return SubscriptionIndex(
        (SubscriptionRow(sid, topic, cad, chan) for sid, topic, cad, chan in rows), places
    )


#: the channel a subscription whose e-mail is turned off is indexed under (never a row's)
EMAIL_OFF = "-email"


def email_off(session: Session, ids: tuple[int, int] | None = None) -> dict[int, set[str]]:
    """Subscriber -> the subtopics whose e-mail they turned off (a ``SubscriptionChannel`` row
    for ``email`` with ``enabled`` false), for the subscribers with ids in the inclusive range
    ``ids`` (everyone when None). Few rows: most people keep the default (e-mail on)."""
    query = select(SubscriptionChannel.subscriber_id, SubscriptionChannel.subtopic).where(
        SubscriptionChannel.channel == EMAIL, col(SubscriptionChannel.enabled).is_(False)
    )
    if ids is not None:
        query = query.where(col(SubscriptionChannel.subscriber_id).between(*ids))
    found: dict[int, set[str]] = defaultdict(set)
    for sid, subtopic in session.exec(query):
        found[sid].add(subtopic)
    return dict(found)


def _wanted(
    ctx: Context,
    index: SubscriptionIndex,
    counties: Mapping[str, str],
    changes: Sequence[Change],
    sent: set[tuple[int, int]],
    cadence: str,
    due: Mapping[int, Mapping[str, datetime]] | None,
    among: set[int] | None,
    only_subscriber: int | None,
    channel: str = EMAIL,
    off: Mapping[int, set[str]] | None = None,
) -> tuple[dict[int, list[Change]], dict[int, set[str]]]:
    """Each recipient's changes (and, on the digest clock, the cadences that matched). For
    e-mail only the matches of e-mail subscriptions count, and not those whose subtopics are
    all turned off for e-mail (``off``); a push channel takes a change once per person."""
    email = channel == EMAIL
    off = off or {}

    def wants(sid: int, found: str) -> bool:
        if due is None:
            if found != cadence:
                return False
        elif found not in due.get(sid, ()):
            return False
        return (among is None or sid in among) and (only_subscriber in (None, sid))

    wanted: dict[int, list[Change]] = defaultdict(list)
    cadences: dict[int, set[str]] = defaultdict(set)
    for change in changes:
        assert change.id is not None
        scope = change_keys(change.regions, counties)
        for m in index.match(ctx.with_umbrellas(change.subtopics), change.urgent, scope):
            sid = m.subscriber_id
            if email and (m.channel != EMAIL or (sid in off and set(m.subtopics) <= off[sid])):
                continue
            if (sid, change.id) not in sent and wants(sid, m.cadence):
                if not email and wanted[sid] and wanted[sid][-1] is change:
                    continue  # matched through subscriptions of more than one channel
                wanted[sid].append(change)
                if due is not None:
                    cadences[sid].add(m.cadence)
    return wanted, cadences


class _Composer:
    """Composes the messages of one planning run, a chunk of recipients at a time."""

    def __init__(
        self,
        ctx: Context,
        session: Session,
        cadence: str,
        now: datetime,
        due: Mapping[int, Mapping[str, datetime]] | None,
        cadences: Mapping[int, set[str]],
        channel: str,
    ) -> None:
        self.ctx, self.session, self.cadence, self.now = ctx, session, cadence, now
        self.due, self.cadences, self.channel = due, cadences, channel
        #: e-mail: subscriber -> the subtopics turned off for e-mail (no section of theirs)
        self.email_off: Mapping[int, set[str]] = {}
        self.labels = {
            "nb": ctx.labels(),
            "nn": {s.slug: s.label_nn for s in ctx.taxonomy.subtopics},
        }
        self.views = _ViewCache(ctx, session)
        self.current = slot_of(now)
        #: token versions of the recipients composed last (the renderer signs their links)
        self.versions: dict[int, int] = {}
        #: sections per layout: many recipients share one (the same changes, subtopics,
        #: language), so each is grouped once
        self._sections: dict[tuple[object, ...], Digest | None] = {}

    def chunk(
        self, part: list[int], wanted: Mapping[int, list[Change]], changes: Sequence[Change]
    ) -> list[Digest]:
        ids = set(part)
        recipients = _recipients(self.session, ids)
        orders = _subtopic_orders(self.session, ids, self.channel == EMAIL)
        for sid, off in self.email_off.items():
            if sid in orders:
                orders[sid] = [s for s in orders[sid] if s not in off]
        told: dict[int, set[tuple[str, str]]] = defaultdict(set)
        for s, key, ck in _stories_sent(self.session, ids, changes, self.channel):
            told[s].add((key, ck))
        digests = []
        for sid in part:
            recipient, confirmed, version = recipients[sid]
            self.versions[sid] = version
            digest = self.one(recipient, confirmed, wanted[sid], orders[sid], told[sid])
            if digest is not None:
                digests.append(digest)
        return digests

    def one(
        self,
        recipient: Recipient,
        confirmed: datetime | None,
        items: list[Change],
        order: list[str],
        told: set[tuple[str, str]],
    ) -> Digest | None:
        fresh = [c for c in items if confirmed is not None and c.detected_at >= confirmed]
        kept = one_per_story(fresh, told)
        fresh = [c for c, _ in kept]
        updates = {c.id for c, is_update in kept if is_update}
        kind, at, late = self.cadence, self.now, None
        if self.due is not None:
            sid = recipient.subscriber_id
            kind = "weekly" if "weekly" in self.cadences[sid] else "daily"
            at = self.due[sid][kind]
            late = at if at < self.current else None
        period = period_key(kind, at, self.ctx.settings.timezone)
        if kind == "immediate":
            period = f"s{min(c.snapshot_id for c in items)}"
        lang = "nn" if recipient.language == "nn" else "nb"
        layout = (
            kind,
            period,
            late,
            lang,
            tuple(order),
            tuple((c.id, c.id in updates) for c in fresh),
        )
        if layout not in self._sections:
            if len(self._sections) > 4096:
                self._sections.clear()
            self._sections[layout] = compose(
                recipient, kind, period, self.views.of(fresh, updates), order,
                self.labels[lang], late_since=late,
            )  # fmt: skip
        shaped = self._sections[layout]
        if shaped is None:
            return None
        return replace(shaped, recipient=recipient, channel=self.channel)


class _ViewCache:
    """One ``ChangeView`` per change (and update flag) for a whole planning run: a national
    change to 100,000 recipients is read and converted once, not once per recipient."""

    def __init__(self, ctx: Context, session: Session) -> None:
        self.ctx, self.session = ctx, session
        self._views: dict[tuple[int, bool], ChangeView] = {}

    def of(self, changes: Sequence[Change], updates: set[int | None]) -> list[ChangeView]:
        missing = [c for c in changes if (c.id or 0, c.id in updates) not in self._views]
        if missing:
            made = change_views(self.ctx, self.session, missing, updates)
            for change, view in zip(missing, made, strict=True):
                self._views[(change.id or 0, change.id in updates)] = view
        return [self._views[(c.id or 0, c.id in updates)] for c in changes]


def one_per_story(
    changes: Sequence[Change], told: set[tuple[str, str]]
) -> list[tuple[Change, bool]]:
    """The same story seen on several sources (a press release on regjeringen.no and the news
    item about it on helsedirektoratet.no) reaches a recipient once when it says the same:
    the first seen (earliest, then lowest id) is kept, and a later change of the story with
    the same content (``feeds.story.content_key``), or one sent before, is left out. A change
    of a known story that says something else is kept and flagged as an update (True).
    Changes without a story pass."""
    seen = set(told)
    stories = {key for key, _ in told}
    kept = []
    for change in sorted(changes, key=lambda c: (c.detected_at, c.id or 0)):
        if change.story_key:
            pair = (change.story_key, _content(change))
            if pair in seen:
                continue
            update = change.story_key in stories
            seen.add(pair)
            stories.add(change.story_key)
            kept.append((change, update))
        else:
            kept.append((change, False))
    return kept


def _content(change: Change) -> str:
    return content_key(change.after or change.summary)


def _stories_sent(
    session: Session, subscriber_ids: set[int], changes: Sequence[Change], channel: str = EMAIL
) -> set[tuple[int, str, str]]:
    """(subscriber, story key, content key) of what is already in the outbox through this
    channel, for the stories of these changes."""
    keys = {c.story_key for c in changes if c.story_key}
    if not keys or not subscriber_ids:
        return set()
    rows = session.exec(
        select(DeliveryItem.subscriber_id, Change.story_key, Change.after, Change.summary)
        .join(Change, col(Change.id) == col(DeliveryItem.change_id))
        .where(
            col(DeliveryItem.subscriber_id).in_(subscriber_ids),
            col(Change.story_key).in_(keys),
            DeliveryItem.channel == channel,
        )
    ).all()
    return {(sid, key, content_key(after or summary)) for sid, key, after, summary in rows if key}


def candidate_changes(session: Session, cadence: str, now: datetime) -> list[Change]:
    """Published changes recent enough for a message of this cadence: detected, or approved
    or corrected by staff, within its look-back (a change held for review for a week still
    reaches the digests once approved)."""
    since = now - LOOKBACK[cadence]
    recent = (col(Change.detected_at) >= since) | (col(Change.reviewed_at) >= since)
    return list(
        session.exec(
            select(Change).where(Change.status == "published", recent).order_by(col(Change.id))
        ).all()
    )


def store(
    ctx: Context,
    session: Session,
    digests: Sequence[Digest],
    now: datetime,
    forms: FormRenderer | None = None,
) -> int:
    """Render and enqueue each message (with its signed preferences and one-click unsubscribe
    links and List-Unsubscribe headers); returns how many were new to the outbox. Every
    message is rendered before the first row is written (the write lock is held only for the
    writes), each distinct form once (``render_batch``), and one that cannot be rendered is
    recorded as failed on its own row (operators are told) while the others are stored. The
    rows are written with one query for the keys already there and one bulk insert each for
    messages and items."""
    if not digests:
        return 0
    links = attach(ctx)
    forms = forms or FormRenderer(ctx.renderer, now, links.mail_links)
    unknown = {d.recipient.subscriber_id for d in digests} - forms.versions.keys()
    if unknown:
        forms.versions.update(_token_versions(session, unknown))
    rendered: list[tuple[Digest, Parted | OutgoingMessage]] = []
    for digest in digests:
        try:
            rendered.append((digest, forms.parts(digest)))
        except Exception as exc:  # a template or data error in one message only
            log.exception("message %s could not be rendered", digest.idempotency_key)
            record_failed(
                session, idempotency_key=digest.idempotency_key, kind=digest.kind,
                subscriber_id=digest.recipient.subscriber_id, to_address="",
                error=redact(f"render: {type(exc).__name__}: {exc}"), now=now,
                channel=digest.channel,
            )  # fmt: skip
    return _write_messages(session, rendered, now)


def _insert(conn: Connection, table: str, statement: Any, rows: list[dict[str, Any]]) -> None:
    """Bulk insert without SQLAlchemy's per-row parameter handling: COPY on PostgreSQL
    (several times faster than multi-row INSERTs for 100,000 rows; a key taken meanwhile fails
    the batch, which ``store_in_batches`` retries), the driver's own executemany on SQLite
    (the values converted by the columns' own bind processors, each distinct value once:
    a batch shares its times), SQLAlchemy's executemany elsewhere."""
    dialect = conn.dialect.name
    if dialect not in ("postgresql", "sqlite"):
        conn.execute(statement, rows)
        return
    names = list(rows[0])
    raw = conn.connection.driver_connection
    assert raw is not None
    dbapi = conn.dialect.dbapi
    assert dbapi is not None
    converter = _converter if dialect == "sqlite" else _copy_converter
    columns = statement.table.c
    convert = [
        (i, c)
        for i, name in enumerate(names)
        if (c := converter(columns[name].type, conn.dialect)) is not None
    ]
    get = itemgetter(*names)
    values = get if len(names) > 1 else lambda row: (get(row),)
    if dialect == "sqlite":
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        try:
            raw.executemany(sql, [_converted(values(row), convert) for row in rows])
        except dbapi.IntegrityError as exc:
            raise IntegrityError(sql, None, exc) from exc
        except dbapi.OperationalError as exc:  # "database is locked": the batch is retried
            raise OperationalError(sql, None, exc) from exc
        return
    sql = f"COPY {table} ({', '.join(names)}) FROM STDIN"
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            write = copy.write_row
            for row in rows:
                write(_converted(values(row), convert))
    except dbapi.IntegrityError as exc:  # as SQLAlchemy would raise it: the batch is retried
        raise IntegrityError(sql, None, exc) from exc


def _converted(
    values: tuple[Any, ...], convert: list[tuple[int, Callable[[Any], Any]]]
) -> tuple[Any, ...]:
    """A row's values with the columns that need it converted (a few of its columns)."""
    if not convert:
        return values
    out = list(values)
    for i, process in convert:
        out[i] = process(out[i])
    return tuple(out)


def _converter(type_: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """The column type's bind processing (JSON text, naive UTC time text), remembered per
    distinct value but for JSON (a batch's rows share their times)."""
    process: Callable[[Any], Any] | None = type_.bind_processor(dialect)
    if process is None or isinstance(type_, sa.JSON):
        return process
    seen: dict[Any, Any] = {}

    def cached(value: Any) -> Any:
        found = seen.get(value, _MISSING)
        if found is _MISSING:
            assert process is not None
            found = seen[value] = process(value)
        return found

    return cached


_MISSING = object()


def _copy_converter(type_: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """What COPY needs done to a column's values: JSON as text, times as naive UTC (each
    distinct time once); the driver writes the rest as they are."""
    if isinstance(type_, sa.JSON):
        return _copyable
    return _converter(type_, dialect)


def _copyable(value: Any) -> Any:
    """A value as the outbox's columns store it: JSON text, naive UTC times."""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _token_versions(session: Session, ids: set[int]) -> dict[int, int]:
    rows = session.exec(
        select(Subscriber.id, Subscriber.token_version).where(col(Subscriber.id).in_(ids))
    ).all()
    return {sid: version for sid, version in rows if sid is not None}


def _key_among(column: Any, keys: list[str], postgres: bool) -> Any:
    """``column IN keys``; on PostgreSQL ``= ANY(array)``: one parameter, not hundreds."""
    if postgres:
        return col(column) == sa.any_(sa.bindparam("keys", keys, type_=ARRAY(sa.String())))
    return col(column).in_(keys)


def _write_messages(
    session: Session, rendered: Sequence[tuple[Digest, Parted | OutgoingMessage]], now: datetime
) -> int:
    """Insert these messages and the items they carry, leaving out keys already in the
    outbox (what ``outbox.enqueue`` does per message, in a few statements for the batch). A
    mail's shared body is stored once (``outbox.store_bodies``) and its row holds only what
    is the recipient's own; a push message is stored whole."""
    keys = [m.idempotency_key for _, m in rendered]
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    taken = set(
        session.exec(
            select(Delivery.idempotency_key).where(
                _key_among(Delivery.idempotency_key, keys, postgres)
            )
        ).all()
    )
    fresh = [(d, m) for d, m in rendered if m.idempotency_key not in taken]
    body_ids = store_bodies(
        session, [m.body for _, m in fresh if isinstance(m, Parted)], now
    )  # fmt: skip
    rows, carried = [], {}
    for digest, message in fresh:
        key = message.idempotency_key
        if key in taken:
            continue
        taken.add(key)
        row = {
            "idempotency_key": key, "subscriber_id": digest.recipient.subscriber_id,
            "channel": digest.channel, "kind": digest.kind, "to_address": storable(message.to),
            "status": QUEUED, "attempts": 0, "created_at": now, "next_attempt_at": now,
        }  # fmt: skip
        if isinstance(message, Parted):
            # the form and the personal parts were made storable by the FormRenderer; the
            # headers follow from the personal parts when it is sent (``outbox.join``)
            row |= {
                "subject": message.subject, "body_text": "", "body_html": "", "headers": {},
                "body_id": body_ids[message.body.digest], "personal": dict(message.personal),
            }  # fmt: skip
        else:
            row |= {
                "subject": storable(message.subject), "body_text": storable(message.text),
                "body_html": storable(message.html),
                "headers": {storable(k): storable(v) for k, v in message.headers.items()},
                "body_id": None, "personal": None,
            }  # fmt: skip
        rows.append(row)
        carried[key] = digest
    if not rows:
        return 0
    # Core statements on the session's connection: one bulk insert per table. PostgreSQL:
    # the ids are taken from the table's sequence first (one query) and written with the rows;
    # elsewhere one query reads the new ids back (the keys are unique), which is faster than
    # RETURNING per row
    ids: list[tuple[int, str]] = []
    key_of = itemgetter("idempotency_key")
    if postgres:
        new_ids = conn.execute(
            sa.text(
                "SELECT nextval(pg_get_serial_sequence('delivery', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": len(rows)},
        ).scalars()
        for row, new_id in zip(rows, new_ids, strict=True):
            row["id"] = new_id
            ids.append((new_id, key_of(row)))
    _insert(conn, "delivery", insert(Delivery), rows)
    if not postgres:
        found = conn.execute(
            sa_select(col(Delivery.id), col(Delivery.idempotency_key)).where(
                col(Delivery.idempotency_key).in_(list(carried))
            )
        )
        ids = [(did, key) for did, key in found if did is not None]
    items = [
        {"delivery_id": did, "subscriber_id": carried[key].recipient.subscriber_id,
         "change_id": change_id, "channel": carried[key].channel}
        for did, key in ids
        for change_id in carried[key].change_ids
    ]  # fmt: skip
    if items:
        _insert(conn, "delivery_item", insert(DeliveryItem), items)
    return len(rows)


def store_in_batches(
    ctx: Context,
    session: Session,
    digests: Sequence[Digest],
    now: datetime,
    forms: FormRenderer | None = None,
) -> int:
    """``store`` in transactions of ``NOTIFIER_DISPATCH_BATCH`` messages, each committed at
    once, so a dispatch to thousands never holds the write lock for long (other processes
    wait seconds, not minutes). Safe to resume: a message's key is unique and a change is
    planned again only for those it has not reached. A batch that finds the database locked
    is rolled back and tried again; so is one that collides with a dispatch running at the
    same time (a unique key already taken): the retry sees those rows and skips them."""
    added = 0
    size = ctx.settings.dispatch_batch
    if digests and forms is None:
        forms = FormRenderer(ctx.renderer, now, attach(ctx).mail_links)
    for start in range(0, len(digests), size):
        chunk = digests[start : start + size]
        collisions = 0
        for wait in (*LOCKED_WAITS, None):
            try:
                stored = store(ctx, session, chunk, now, forms)
                session.commit()
            except IntegrityError:
                session.rollback()
                collisions += 1
                if collisions > 3:
                    raise
                continue
            except OperationalError as exc:
                session.rollback()
                if wait is None or not is_locked(exc):
                    raise
                time.sleep(wait)
                continue
            added += stored
            break
    return added


def store_planned(
    ctx: Context,
    session: Session,
    chunks: Iterable[list[Digest]],
    now: datetime,
    forms: FormRenderer | None = None,
) -> tuple[int, int]:
    """Store what ``plan_chunks`` yields, chunk by chunk (never every message in memory at
    once); returns (messages written, late digests among them). ``forms`` shares its token
    versions with ``plan_chunks(versions=forms.versions)``."""
    forms = forms or FormRenderer(ctx.renderer, now, attach(ctx).mail_links)
    added = late = 0
    for digests in chunks:
        added += store_in_batches(ctx, session, digests, now, forms)
        late += sum(1 for d in digests if d.late_since is not None)
        forms.versions.clear()
    return added, late


def _store_plan(
    ctx: Context,
    session: Session,
    cadence: str,
    now: datetime,
    changes: Sequence[Change],
    due: Mapping[int, Mapping[str, datetime]] | None = None,
) -> tuple[int, int]:
    """Plan and store, streaming: a chunk of recipients is composed, rendered and written
    before the next is composed."""
    forms = FormRenderer(ctx.renderer, now, attach(ctx).mail_links)
    chunks = plan_chunks(ctx, session, cadence, now, changes, due=due, versions=forms.versions)
    with _gc_frozen():
        return store_planned(ctx, session, chunks, now, forms)


@contextmanager
def _gc_frozen() -> Iterator[None]:
    """Move what exists now (the match index, the plan's maps) out of the cyclic collector's
    way for the length of a large write: its passes would walk them again and again. Not in
    a process whose start-up objects are frozen already (``pipeline.preload``: a worker):
    ``gc.unfreeze`` releases every frozen object, so it would undo that freeze for the rest
    of the process's life (and freezing again afterwards would keep the plan's cycles
    forever); there only the plan's own objects are walked during the write."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def dispatch(ctx: Context) -> int:
    """Immediate alerts for changes not yet dispatched, one message per recipient and check.
    The alerts and the 'dispatched' mark are committed together. A change that waits for its
    confirmation (status "pending", feeds/confirm.py) is left alone: neither sent nor marked,
    so the dispatch after its confirmation plans it like a new change."""
    now = ctx.clock()
    with Session(ctx.engine, expire_on_commit=False) as session:
        pending = list(
            session.exec(
                select(Change)
                .where(col(Change.dispatched_at).is_(None), col(Change.status) != PENDING)
                .order_by(col(Change.id))
            ).all()
        )
        if not pending:
            return 0
        # one collated message per person per dispatch: the changes of every source this
        # round found, each at the person's most immediate matching subscription
        published = [c for c in pending if c.status == "published"]
        added = 0
        if published:
            added = _store_plan(ctx, session, "immediate", now, published)[0]
            added += store_in_batches(ctx, session, push_alerts(ctx, session, now, published), now)
        ids = [c.id for c in pending]
    write_retrying(
        ctx.engine,
        lambda s: s.exec(update(Change).where(col(Change.id).in_(ids)).values(dispatched_at=now)),
    )
    return added


def push_alerts(
    ctx: Context, session: Session, now: datetime, changes: Sequence[Change]
) -> list[Digest]:
    """The immediate and urgent alerts of these changes for the push channels: by default,
    whoever has a push endpoint (``webpush``) or an Apprise target (``apprise``) gets them
    there as well as by e-mail, in the short form; digests stay in e-mail. Each channel is
    planned on its own (a change reaches a person at most once per channel, and a dispatch
    cut short resumes per channel)."""
    found: list[Digest] = []
    holders = {WEBPUSH: push.with_push(session), APPRISE: targets.with_targets(session)}
    for channel, among in holders.items():
        if among:
            planned = plan(ctx, session, "immediate", now, changes, channel=channel, among=among)
            found += _chosen(ctx, session, planned, channel)
    return found


def _chosen(ctx: Context, session: Session, digests: list[Digest], channel: str) -> list[Digest]:
    """The alerts as each person's subscriptions choose for this push channel: a change stays
    when one of the person's subscriptions it matches (umbrellas included) lets its alerts go
    there (the default); a subscription can keep its alerts in e-mail only
    (``subscribers.push.set_push_choices``)."""
    off = push.push_off(session, [d.recipient.subscriber_id for d in digests], channel)
    if not off:
        return digests
    subscribed = _subtopic_orders(session, set(off))
    out = []
    for digest in digests:
        sid = digest.recipient.subscriber_id
        if sid not in off:
            out.append(digest)
            continue
        pushed = set(subscribed[sid]) - off[sid]
        sections = []
        for section in digest.sections:
            kept = tuple(
                c for c in section.changes if pushed & set(ctx.with_umbrellas(c.subtopics))
            )
            if kept:
                sections.append(replace(section, changes=kept))
        if sections:
            out.append(replace(digest, sections=tuple(sections)))
    return out


def compose_digests(ctx: Context, cadence: str) -> int:
    """Write the digests of this cadence for every subscriber into the outbox now, whatever
    their chosen hour (``notifier digest --cadence``; idempotent: one per recipient and
    period, and no change twice to the same recipient). The service uses ``compose_due``."""
    now = ctx.clock()
    with Session(ctx.engine, expire_on_commit=False) as session:
        return _store_plan(ctx, session, cadence, now, candidate_changes(session, cadence, now))[0]


@dataclass(frozen=True)
class DueReport:
    """One run of the digest clock: the slots it handled (more than one after the service
    was down), the digests it wrote, and how many of those were late."""

    slots: int
    written: int
    late: int

    def __str__(self) -> str:
        return f"{self.slots} slot(s), {self.written} digest(s) written, {self.late} late"


def compose_due(ctx: Context) -> DueReport:
    """The digest clock (every local hour at minute 0, and at start): compose the digests of
    the subscribers due in the slots since the last finished run (``notifier.schedule``), one
    per subscriber for the latest occurrence of their schedule, marked late when that is
    before the current slot, then record the slots as finished. Safe to run twice: a digest's
    key names its period, and no change reaches anyone twice."""
    now = ctx.clock()
    settings = ctx.settings
    with Session(ctx.engine, expire_on_commit=False) as session:
        slots = list(slots_between(last_finished(session), now))
        if not slots:
            return DueReport(0, 0, 0)
        times = [describe(at, settings.timezone) for at in slots]
        due = due_subscribers(
            session, times, settings.daily_digest_hour, settings.weekly_digest_weekday
        )
        written = late = 0
        if due:
            changes = candidate_changes(session, "weekly", now)
            written, late = _store_plan(ctx, session, "daily", now, changes, due)

    def finish(s: Session) -> None:
        try:
            with s.begin_nested():
                record_run(s, slots, now, written, late)
        except IntegrityError:  # another worker finished the same slot at the same time
            pass

    write_retrying(ctx.engine, finish)
    if late:
        log.warning("%d digest(s) of missed runs sent late", late)
    return DueReport(len(slots), written, late)


def preview(ctx: Context, email: str, cadence: str) -> Digest | None:
    """The digest this subscriber would get now; writes nothing."""
    now = ctx.clock()
    attach(ctx)
    with Session(ctx.engine, expire_on_commit=False) as session:
        subscriber = find_subscriber(session, email)
        if subscriber is None or subscriber.id is None:
            raise LookupError(f"no subscriber with the address {email}")
        found = plan(
            ctx, session, cadence, now, candidate_changes(session, cadence, now), subscriber.id
        )
    return found[0] if found else None
