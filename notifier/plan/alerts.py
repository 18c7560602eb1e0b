"""Immediate alerts: the dispatch of changes not yet dispatched, by e-mail and on the push
channels, the changes marked dispatched after the last batch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from feeds.detect.history import PENDING
from feeds.store.models import Change
from notifier.channels.protocol import APPRISE, WEBPUSH
from notifier.context import Context
from notifier.db import write_retrying
from notifier.digest import Digest
from notifier.plan.batches import _store_plan, store_in_batches
from notifier.plan.compose import _subtopic_orders
from notifier.plan.planner import plan
from subscribers import push, targets


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
        read = {c.id: (c.status, c.detected_at) for c in pending if c.id is not None}
    write_retrying(ctx.engine, lambda s: mark_dispatched(s, read, now))
    return added


def mark_dispatched(
    session: Session, read: Mapping[int, tuple[str, datetime]], now: datetime
) -> int:
    """Mark dispatched the changes this dispatch planned, each only if it is still the row
    that was read (the same status and detection time) and not yet marked; how many were.

    A row that differs is left for the next dispatch: a held change approved meanwhile (it
    was read held, so nothing was planned for it), or a change lost with a database that
    crashed and recovered without its last commits (a test server without synchronous commit,
    a failover to a lagging replica) whose id was then given to a new change: marking that
    new change by id alone would keep it from everyone."""
    if not read:
        return 0
    rows = session.exec(
        select(Change.id, Change.status, Change.detected_at)
        .where(col(Change.id).in_(list(read)), col(Change.dispatched_at).is_(None))
        .with_for_update()
    ).all()
    same = [i for i, status, at in rows if i is not None and read.get(i) == (status, at)]
    if same:
        session.exec(update(Change).where(col(Change.id).in_(same)).values(dispatched_at=now))
    return len(same)


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
