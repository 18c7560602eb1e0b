"""Deciding who gets what: immediate alerts (dispatch) and digests (plan, compose).

Recipients are written to the outbox in the same transaction that decides them, so a crash
either keeps both or neither; sending later only reads the outbox.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from feeds.models import Change, Source
from notifier.context import Context
from notifier.digest import ChangeView, Digest, Recipient, compose, period_key
from notifier.outbox import DeliveryItem, delivered_pairs, enqueue
from notifier.web_links import attach
from subscribers.match import SubscriptionIndex, change_keys
from subscribers.models import Subscriber, Subscription
from subscribers.service import confirmed_places, confirmed_subscription_rows

LOOKBACK = {
    "immediate": timedelta(days=2),
    "daily": timedelta(days=7),
    "weekly": timedelta(days=21),
}


def change_views(ctx: Context, session: Session, changes: Sequence[Change]) -> list[ChangeView]:
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
) -> list[Digest]:
    """Compose (without storing) the messages of one cadence for these changes: for each
    recipient, the changes whose most immediate matching subscription has this cadence and that
    the recipient has not been sent yet. Read-only: preview calls it as it is. ``prepared``
    is a ``build_index`` result to reuse across calls in one transaction."""
    index, counties = prepared or build_index(ctx, session)
    sent = delivered_pairs(session, [c.id for c in changes if c.id is not None])
    wanted: dict[int, list[Change]] = defaultdict(list)
    for change in changes:
        assert change.id is not None
        scope = change_keys(change.regions, counties)
        for m in index.match(ctx.with_umbrellas(change.subtopics), change.urgent, scope):
            if m.cadence != cadence or (m.subscriber_id, change.id) in sent:
                continue
            if only_subscriber is None or m.subscriber_id == only_subscriber:
                wanted[m.subscriber_id].append(change)
    recipients = _recipients(session, set(wanted))
    orders = _subtopic_orders(session, set(wanted))
    told = _stories_sent(session, set(wanted), changes)
    labels = {
        "nb": ctx.labels(),
        "nn": {s.slug: s.label_nn for s in ctx.taxonomy.subtopics},
    }
    digests = []
    for sid, items in sorted(wanted.items()):
        recipient, subscriber = recipients[sid]
        confirmed = subscriber.confirmed_at
        fresh = [c for c in items if confirmed is not None and c.detected_at >= confirmed]
        fresh = one_per_story(fresh, {key for s, key in told if s == sid})
        period = period_key(cadence, now, ctx.settings.timezone)
        if cadence == "immediate":
            period = f"s{min(c.snapshot_id for c in items)}"
        digest = compose(
            recipient, cadence, period, change_views(ctx, session, fresh), orders[sid],
            labels["nn" if recipient.language == "nn" else "nb"],
        )  # fmt: skip
        if digest is not None:
            digests.append(digest)
    return digests


def one_per_story(changes: Sequence[Change], told: set[str]) -> list[Change]:
    """The same story seen on several sources (a press release on regjeringen.no and the news
    item about it on helsedirektoratet.no) reaches a recipient once: the first seen (earliest,
    then lowest id), and not at all if it was sent before. Changes without a story pass."""
    seen = set(told)
    kept = []
    for change in sorted(changes, key=lambda c: (c.detected_at, c.id or 0)):
        if change.story_key:
            if change.story_key in seen:
                continue
            seen.add(change.story_key)
        kept.append(change)
    return kept


def _stories_sent(
    session: Session, subscriber_ids: set[int], changes: Sequence[Change]
) -> set[tuple[int, str]]:
    """(subscriber, story key) pairs already in the outbox, for the stories of these changes."""
    keys = {c.story_key for c in changes if c.story_key}
    if not keys or not subscriber_ids:
        return set()
    rows = session.exec(
        select(DeliveryItem.subscriber_id, Change.story_key)
        .join(Change, col(Change.id) == col(DeliveryItem.change_id))
        .where(
            col(DeliveryItem.subscriber_id).in_(subscriber_ids),
            col(Change.story_key).in_(keys),
        )
    ).all()
    return {(sid, key) for sid, key in rows if key}


def candidate_changes(session: Session, cadence: str, now: datetime) -> list[Change]:
    """Published changes recent enough for a message of this cadence."""
    return list(
        session.exec(
            select(Change)
            .where(Change.status == "published", col(Change.detected_at) >= now - LOOKBACK[cadence])
            .order_by(col(Change.id))
        ).all()
    )


def store(ctx: Context, session: Session, digests: Sequence[Digest], now: datetime) -> int:
    """Render and enqueue each message (with its signed preferences and one-click unsubscribe
    links and List-Unsubscribe headers); returns how many were new to the outbox."""
    if digests:
        attach(ctx)
    added = 0
    for digest in digests:
        message = ctx.renderer.render(digest, now)
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


def dispatch(ctx: Context) -> int:
    """Immediate alerts for changes not yet dispatched, one message per recipient and check.
    The alerts and the 'dispatched' mark are committed together."""
    now = ctx.clock()
    with Session(ctx.engine, expire_on_commit=False) as session:
        pending = list(
            session.exec(
                select(Change).where(col(Change.dispatched_at).is_(None)).order_by(col(Change.id))
            ).all()
        )
        if not pending:
            return 0
        by_snapshot: dict[int, list[Change]] = defaultdict(list)
        for change in pending:
            by_snapshot[change.snapshot_id].append(change)
        added = 0
        prepared = build_index(ctx, session)
        for batch in by_snapshot.values():
            published = [c for c in batch if c.status == "published"]
            found = plan(ctx, session, "immediate", now, published, prepared=prepared)
            added += store(ctx, session, found, now)
        for change in pending:
            change.dispatched_at = now
            session.add(change)
        session.commit()
    return added


def compose_digests(ctx: Context, cadence: str) -> int:
    """Write the digests of this cadence that are due now into the outbox (idempotent: one
    per recipient and period, and no change twice to the same recipient)."""
    now = ctx.clock()
    with Session(ctx.engine, expire_on_commit=False) as session:
        digests = plan(ctx, session, cadence, now, candidate_changes(session, cadence, now))
        added = store(ctx, session, digests, now)
        session.commit()
    return added


def preview(ctx: Context, email: str, cadence: str) -> Digest | None:
    """The digest this subscriber would get now; writes nothing."""
    now = ctx.clock()
    attach(ctx)
    with Session(ctx.engine, expire_on_commit=False) as session:
        subscriber = session.exec(select(Subscriber).where(Subscriber.email == email)).first()
        if subscriber is None or subscriber.id is None:
            raise LookupError(f"no subscriber with the address {email}")
        found = plan(
            ctx, session, cadence, now, candidate_changes(session, cadence, now), subscriber.id
        )
    return found[0] if found else None
