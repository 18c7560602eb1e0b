"""Deciding who gets what: immediate alerts (dispatch) and digests (plan, compose).

Recipients are written to the outbox in the transaction that decides them; a large dispatch
is written in batches of short transactions, each safe to resume (a message's key is unique,
and a change is planned again only for whom it has not reached), and the changes are marked
dispatched after the last batch. Sending later only reads the outbox.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import update
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
from notifier.outbox import DeliveryItem, delivered_pairs, enqueue, record_failed
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
from subscribers.match import SubscriptionIndex, change_keys
from subscribers.models import Subscriber, Subscription
from subscribers.service import confirmed_places, confirmed_subscription_rows, find_subscriber

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


def build_index(ctx: Context, session: Session) -> tuple[SubscriptionIndex, dict[str, str]]:
    """The match index of the confirmed subscriptions, and the county map for change scopes."""
    counties = county_map(ctx)
    places = confirmed_places(session, counties, office_map(ctx))
    return SubscriptionIndex(confirmed_subscription_rows(session), places), counties


def _recipients(session: Session, ids: set[int]) -> dict[int, tuple[Recipient, Subscriber]]:
    if not ids:
        return {}
    rows = session.exec(select(Subscriber).where(col(Subscriber.id).in_(ids))).all()
    return {
        s.id: (Recipient(s.id, s.email, s.name, s.language), s) for s in rows if s.id is not None
    }


def _subtopic_orders(session: Session, ids: set[int]) -> dict[int, list[str]]:
    orders: dict[int, list[str]] = defaultdict(list)
    if ids:
        for sub in session.exec(
            select(Subscription)
            .where(col(Subscription.subscriber_id).in_(ids))
            .order_by(col(Subscription.id))
        ):
            orders[sub.subscriber_id].append(sub.subtopic)
    return orders


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
    target: ``push_alerts``)."""
    index, counties = prepared or build_index(ctx, session)
    sent = delivered_pairs(session, [c.id for c in changes if c.id is not None], channel)
    wanted: dict[int, list[Change]] = defaultdict(list)
    cadences: dict[int, set[str]] = defaultdict(set)
    for change in changes:
        assert change.id is not None
        scope = change_keys(change.regions, counties)
        for m in index.match(ctx.with_umbrellas(change.subtopics), change.urgent, scope):
            if (m.subscriber_id, change.id) in sent:
                continue
            if due is None:
                if m.cadence != cadence:
                    continue
            elif m.cadence not in due.get(m.subscriber_id, ()):
                continue
            if (among is None or m.subscriber_id in among) and (
                only_subscriber is None or m.subscriber_id == only_subscriber
            ):
                wanted[m.subscriber_id].append(change)
                cadences[m.subscriber_id].add(m.cadence)
    recipients = _recipients(session, set(wanted))
    orders = _subtopic_orders(session, set(wanted))
    told = _stories_sent(session, set(wanted), changes, channel)
    labels = {
        "nb": ctx.labels(),
        "nn": {s.slug: s.label_nn for s in ctx.taxonomy.subtopics},
    }
    views = _ViewCache(ctx, session)
    current = slot_of(now)
    digests = []
    for sid, items in sorted(wanted.items()):
        recipient, subscriber = recipients[sid]
        confirmed = subscriber.confirmed_at
        fresh = [c for c in items if confirmed is not None and c.detected_at >= confirmed]
        kept = one_per_story(fresh, {(key, ck) for s, key, ck in told if s == sid})
        fresh = [c for c, _ in kept]
        updates = {c.id for c, is_update in kept if is_update}
        kind, at, late = cadence, now, None
        if due is not None:
            kind = "weekly" if "weekly" in cadences[sid] else "daily"
            at = due[sid][kind]
            late = at if at < current else None
        period = period_key(kind, at, ctx.settings.timezone)
        if kind == "immediate":
            period = f"s{min(c.snapshot_id for c in items)}"
        digest = compose(
            recipient, kind, period, views.of(fresh, updates), orders[sid],
            labels["nn" if recipient.language == "nn" else "nb"], late_since=late,
        )  # fmt: skip
        if digest is not None:
            digests.append(digest if channel == EMAIL else replace(digest, channel=channel))
    return digests


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


def store(ctx: Context, session: Session, digests: Sequence[Digest], now: datetime) -> int:
    """Render and enqueue each message (with its signed preferences and one-click unsubscribe
    links and List-Unsubscribe headers); returns how many were new to the outbox. Every
    message is rendered before the first row is written (the write lock is held only for the
    writes), and one that cannot be rendered is recorded as failed on its own row (operators
    are told) while the others are stored."""
    if digests:
        attach(ctx)
    rendered: list[tuple[Digest, OutgoingMessage | None, str]] = []
    for digest in digests:
        try:
            rendered.append((digest, ctx.renderer.render(digest, now), ""))
        except Exception as exc:  # a template or data error in one message only
            log.exception("message %s could not be rendered", digest.idempotency_key)
            rendered.append((digest, None, f"render: {type(exc).__name__}: {exc}"))
    added = 0
    for digest, message, error in rendered:
        if message is None:
            record_failed(
                session, idempotency_key=digest.idempotency_key, kind=digest.kind,
                subscriber_id=digest.recipient.subscriber_id, to_address="",
                error=redact(error), now=now, channel=digest.channel,
            )  # fmt: skip
            continue
        if enqueue(
            session,
            message,
            kind=digest.kind,
            subscriber_id=digest.recipient.subscriber_id,
            change_ids=digest.change_ids,
            now=now,
            channel=digest.channel,
        ):
            added += 1
    return added


def store_in_batches(
    ctx: Context, session: Session, digests: Sequence[Digest], now: datetime
) -> int:
    """``store`` in transactions of ``NOTIFIER_DISPATCH_BATCH`` messages, each committed at
    once, so a dispatch to thousands never holds the write lock for long (other processes
    wait seconds, not minutes). Safe to resume: a message's key is unique and a change is
    planned again only for those it has not reached. A batch that finds the database locked
    is rolled back and tried again; so is one that collides with a dispatch running at the
    same time (a unique key already taken): the retry sees those rows and skips them."""
    added = 0
    size = ctx.settings.dispatch_batch
    for start in range(0, len(digests), size):
        chunk = digests[start : start + size]
        collisions = 0
        for wait in (*LOCKED_WAITS, None):
            try:
                stored = store(ctx, session, chunk, now)
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
        found = plan(ctx, session, "immediate", now, published) if published else []
        if published:
            found += push_alerts(ctx, session, now, published)
        added = store_in_batches(ctx, session, found, now)
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
            found += plan(ctx, session, "immediate", now, changes, channel=channel, among=among)
    return found


def compose_digests(ctx: Context, cadence: str) -> int:
    """Write the digests of this cadence for every subscriber into the outbox now, whatever
    their chosen hour (``notifier digest --cadence``; idempotent: one per recipient and
    period, and no change twice to the same recipient). The service uses ``compose_due``."""
    now = ctx.clock()
    with Session(ctx.engine, expire_on_commit=False) as session:
        digests = plan(ctx, session, cadence, now, candidate_changes(session, cadence, now))
        return store_in_batches(ctx, session, digests, now)


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
        digests = (
            plan(ctx, session, "daily", now, candidate_changes(session, "weekly", now), due=due)
            if due
            else []
        )
        written = store_in_batches(ctx, session, digests, now)
    late = sum(1 for d in digests if d.late_since is not None)

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
