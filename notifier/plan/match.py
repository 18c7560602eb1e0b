"""Who wants which change: the region maps, the match index of the confirmed subscriptions
(built for one range of subscriber ids at a time, so a dispatch to 100,000 holds about as much
as one to 10,000), the subscriptions whose e-mail is turned off, and each recipient's changes
(``_wanted``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from feeds.store.models import Change
from notifier.channels.protocol import EMAIL
from notifier.context import Context
from subscribers.match import SubscriptionIndex, SubscriptionRow, change_keys, subscriber_keys
from subscribers.models import Subscriber, Subscription, SubscriptionChannel
from subscribers.service import confirmed_places, iter_subscription_rows


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
    rows = session.connection().execute(
        sa_select(
            col(Subscription.subscriber_id), col(Subscription.subtopic),
            col(Subscription.cadence), col(Subscription.channel),
        )
        .join(Subscriber, col(Subscriber.id) == col(Subscription.subscriber_id))
        .where(*live, in_range, topic_in)
    )  # fmt: skip
    followers = sa_select(col(Subscription.subscriber_id)).where(in_range, topic_in)
    placed = session.connection().execute(
        sa_select(col(Subscriber.id), col(Subscriber.region), col(Subscriber.office)).where(
            *live,
            col(Subscriber.region).is_not(None) | col(Subscriber.office).is_not(None),
            col(Subscriber.id).in_(followers),
        )
    )
    shared: dict[tuple[str | None, str | None], frozenset[str]] = {}
    places: dict[int, frozenset[str]] = {}
    for sid, region, office in placed:
        if sid is None:  # a primary key: never
            continue
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
