"""The one planner for sending and previewing: who gets which of these changes, composed
(never stored) a chunk of recipients at a time. Read-only."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime

from sqlmodel import Session

from feeds.store.models import Change
from notifier.channels.protocol import EMAIL
from notifier.context import Context
from notifier.digest import Digest
from notifier.outbox import delivered_pairs
from notifier.plan.compose import _Composer
from notifier.plan.match import _id_ranges, _range_index, _wanted, county_map, email_off, office_map
from subscribers.match import SubscriptionIndex

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
