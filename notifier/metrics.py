"""Prometheus metrics, computed from the database when they are scraped.

Every worker process shares one database, so the numbers come from it (``source``,
``source_check_hour``, ``change``, ``delivery``, ``delivery_item``), not from in-process
counters: any worker answers ``/metrics`` with the same, complete figures. Scraping costs a few
grouped queries; the detection-to-delivery figures read only the last 24 hours.

Counters (``_total``) count rows that are kept: checks per source and UTC hour are kept as long
as ``source_check_hour`` is, so a deletion there shows as a counter reset.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
    SummaryMetricFamily,
)
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from feeds.store.models import Change, Source, SourceCheckHour
from notifier.outbox import PENDING, SENT, Delivery, DeliveryItem

#: the window of the detection-to-delivery figures, and their quantiles
DELIVERY_WINDOW = timedelta(hours=24)
QUANTILES = (0.5, 0.9, 0.99)
#: at most this many (message, change) pairs, the latest, make the quantiles: a scrape stays
#: cheap on a busy day (50 000 pairs took ~1 s to read on SQLite, 5 000 take ~0.1 s)
DELIVERY_SAMPLE = 5000
HELD = "held"


class DatabaseCollector(Collector):
    """The service's metrics, read from the database at each scrape."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        now = self.clock()
        with Session(self.engine) as session:
            yield from sources(session, now)
            yield from changes(session, now)
            yield from messages(session, now)
            yield from detection_to_delivery(session, now)


def registry(engine: Engine, clock: Callable[[], datetime]) -> CollectorRegistry:
    """A registry of its own (not the process-wide default) holding the database collector."""
    reg = CollectorRegistry(auto_describe=False)
    reg.register(DatabaseCollector(engine, clock))
    return reg


def sources(session: Session, now: datetime) -> Iterator[Metric]:
    checks = CounterMetricFamily(
        "notifier_source_checks",
        "Checks of a source by outcome (ok or error), from source_check_hour.",
        labels=["source", "outcome"],
    )
    rows = session.exec(
        select(Source.key, func.sum(SourceCheckHour.checks), func.sum(SourceCheckHour.errors))
        .join(SourceCheckHour, col(SourceCheckHour.source_id) == Source.id)
        .group_by(Source.key)
    ).all()
    for key, total, errors in rows:
        checks.add_metric([key, "ok"], float((total or 0) - (errors or 0)))
        checks.add_metric([key, "error"], float(errors or 0))
    yield checks

    # fetch time as a summary (sum and count), so rate(sum)/rate(count) is the mean fetch time
    fetch = SummaryMetricFamily(
        "notifier_source_fetch_seconds",
        "Time spent fetching a source (its parts included), from source_check_hour.",
        labels=["source"],
    )
    timed = session.exec(
        select(
            Source.key, func.sum(SourceCheckHour.checks), func.sum(SourceCheckHour.fetch_seconds)
        )
        .join(SourceCheckHour, col(SourceCheckHour.source_id) == Source.id)
        .group_by(Source.key)
    ).all()
    for key, count, seconds in timed:
        fetch.add_metric([key], count_value=int(count or 0), sum_value=float(seconds or 0.0))
    yield fetch

    last = GaugeMetricFamily(
        "notifier_source_last_outcome",
        "1 for the outcome of a source's last check (new, changed, unchanged, error).",
        labels=["source", "outcome"],
    )
    failing = GaugeMetricFamily(
        "notifier_source_consecutive_errors",
        "Failed checks of a source in a row.",
        labels=["source"],
    )
    checked = GaugeMetricFamily(
        "notifier_source_last_check_timestamp_seconds",
        "When a source was last checked (Unix time).",
        labels=["source"],
    )
    succeeded = GaugeMetricFamily(
        "notifier_source_last_success_timestamp_seconds",
        "When a check of a source last succeeded (Unix time).",
        labels=["source"],
    )
    enabled = GaugeMetricFamily(
        "notifier_source_enabled", "1 if a source is checked, 0 if disabled.", labels=["source"]
    )
    for s in session.exec(select(Source).order_by(col(Source.key))):
        enabled.add_metric([s.key], float(s.enabled))
        failing.add_metric([s.key], float(s.consecutive_errors))
        if s.last_outcome:
            last.add_metric([s.key, s.last_outcome], 1.0)
        if s.last_checked_at:
            checked.add_metric([s.key], s.last_checked_at.timestamp())
        if s.last_success_at:
            succeeded.add_metric([s.key], s.last_success_at.timestamp())
    yield from (enabled, last, failing, checked, succeeded)


def changes(session: Session, now: datetime) -> Iterator[Metric]:
    found = CounterMetricFamily(
        "notifier_changes",
        "Changes found, by source, kind (new, changed, removed, ...) and status.",
        labels=["source", "kind", "status"],
    )
    for key, kind, status, count in session.exec(
        select(Source.key, Change.kind, Change.status, func.count())
        .join(Source, col(Source.id) == Change.source_id)
        .group_by(Source.key, Change.kind, Change.status)
    ):
        found.add_metric([key, kind, status], float(count))
    yield found

    count, oldest = session.exec(
        select(func.count(), func.min(Change.held_at)).where(Change.status == HELD)
    ).one()
    yield GaugeMetricFamily(
        "notifier_changes_held", "Changes held for staff review, waiting.", value=float(count)
    )
    yield GaugeMetricFamily(
        "notifier_changes_held_oldest_age_seconds",
        "How long the longest-waiting held change has waited (0: none waits).",
        value=_age(now, oldest),
    )


def messages(session: Session, now: datetime) -> Iterator[Metric]:
    by_status = GaugeMetricFamily(
        "notifier_messages",
        "Messages in the outbox by channel, kind (alert, digest, ...), status (pending, sent, "
        "failed, ...) and failure (bounce, refused, invalid, gave_up; empty otherwise).",
        labels=["channel", "kind", "status", "failure"],
    )
    table = Delivery.__table__  # type: ignore[attr-defined]
    columns = [table.c.channel, table.c.kind, table.c.status, table.c.failure]
    grouped = sa.select(*columns, sa.func.count()).group_by(*columns)
    rows: list[tuple[str, str, str, str | None, int]] = [
        tuple(row) for row in session.connection().execute(grouped)
    ]
    for channel, kind, status, failure, count in rows:
        by_status.add_metric([channel, kind, status, failure or ""], float(count))
    yield by_status

    depth = GaugeMetricFamily(
        "notifier_outbox_pending", "Messages waiting to be sent, by channel.", labels=["channel"]
    )
    age = GaugeMetricFamily(
        "notifier_outbox_oldest_pending_age_seconds",
        "Age of the oldest message waiting to be sent, by channel.",
        labels=["channel"],
    )
    for channel, count, oldest in session.exec(
        select(Delivery.channel, func.count(), func.min(Delivery.created_at))
        .where(Delivery.status == PENDING)
        .group_by(Delivery.channel)
    ):
        depth.add_metric([channel], float(count))
        age.add_metric([channel], _age(now, oldest))
    yield from (depth, age)


def detection_to_delivery(session: Session, now: datetime) -> Iterator[Metric]:
    """Quantiles of (accepted - detected) per message kind, over the last 24 hours (the
    latest ``DELIVERY_SAMPLE`` pairs)."""
    rows = session.exec(
        select(Delivery.kind, Delivery.sent_at, Change.detected_at)
        .join(DeliveryItem, col(DeliveryItem.delivery_id) == Delivery.id)
        .join(Change, col(Change.id) == DeliveryItem.change_id)
        .where(Delivery.status == SENT, col(Delivery.sent_at) >= now - DELIVERY_WINDOW)
        .order_by(col(Delivery.sent_at).desc())
        .limit(DELIVERY_SAMPLE)
    ).all()
    waits: dict[str, list[float]] = {}
    for kind, sent, detected in rows:
        if sent is not None and detected is not None:
            waits.setdefault(kind, []).append(max(0.0, (sent - detected).total_seconds()))
    quantiles = GaugeMetricFamily(
        "notifier_detection_to_delivery_seconds",
        "Time from a change's detection to a message carrying it being accepted, quantiles "
        "over the messages accepted in the last 24 hours (the latest 5000 pairs at most), by "
        "message kind.",
        labels=["kind", "quantile"],
    )
    counts = GaugeMetricFamily(
        "notifier_detection_to_delivery_messages",
        "How many (message, change) pairs the quantiles are computed from.",
        labels=["kind"],
    )
    for kind, values in sorted(waits.items()):
        for q in QUANTILES:
            quantiles.add_metric([kind, f"{q:g}"], quantile(sorted(values), q))
        counts.add_metric([kind], float(len(values)))
    yield from (quantiles, counts)


def quantile(ordered: Sequence[float], q: float) -> float:
    """The ``q`` quantile of sorted values (nearest rank); NaN for none."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def _age(now: datetime, since: datetime | None) -> float:
    return max(0.0, (now - since).total_seconds()) if since is not None else 0.0
