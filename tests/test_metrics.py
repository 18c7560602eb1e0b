"""``/metrics``: Prometheus text computed from the database at scrape time, so every worker
answers the same figures. Read back with prometheus_client's own parser, on SQLite and
PostgreSQL, over HTTP."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session, select

from feeds.store.models import Change, Source, SourceCheckHour
from notifier.context import Context
from notifier.metrics import quantile
from notifier.outbox import Delivery, DeliveryItem
from notifier.web import create_app
from subscribers.models import Subscriber
from tests.conftest import Clock
from tests.support.outbox import store_change

TOKEN = "skrape-hemmelighet"


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    ctx.settings.metrics_token = type(ctx.settings.metrics_token)(TOKEN)
    transport = httpx.ASGITransport(app=create_app(ctx))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    out = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def message(
    session: Session, n: int, *, channel: str = "email", status: str = "pending", **kw: object
) -> Delivery:
    row = Delivery(
        idempotency_key=f"k{n}", channel=channel, kind=str(kw.pop("kind", "alert")),
        to_address="lege@kommune.no", subject="s", body_text="t", body_html="h",
        status=status, **kw,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def seed(ctx: Context, clock: Clock) -> None:
    """Two sources with check history, four changes (one held), six messages."""
    start = clock()
    first = store_change(ctx, 1, "Ny veileder", source_key="fhi")
    clock.advance(minutes=10)
    second = store_change(ctx, 2, "Endret forskrift", source_key="lovdata")
    store_change(ctx, 3, "Mer", source_key="lovdata")
    held = store_change(ctx, 4, "Stor endring", source_key="lovdata")
    with Session(ctx.engine) as session:
        sources = {s.key: s for s in session.exec(select(Source))}
        fhi, lovdata = sources["fhi"], sources["lovdata"]
        fhi.last_outcome, fhi.last_checked_at, fhi.last_success_at = "changed", start, start
        lovdata.last_outcome, lovdata.consecutive_errors = "error", 2
        lovdata.last_checked_at = start
        hour = start.replace(minute=0)
        assert fhi.id and lovdata.id
        session.add(
            SourceCheckHour(source_id=fhi.id, hour=hour, checks=4, errors=1, fetch_seconds=1.5)
        )
        session.add(
            SourceCheckHour(
                source_id=fhi.id, hour=hour + timedelta(hours=1), checks=2, fetch_seconds=0.5
            )
        )
        session.add(SourceCheckHour(source_id=lovdata.id, hour=hour, checks=3, errors=3))
        change = session.get(Change, held)
        assert change is not None
        change.status, change.held_at = "held", start
        people = [
            Subscriber(email=f"lege{i}@kommune.no", email_key=f"lege{i}@kommune.no")
            for i in range(3)
        ]
        session.add_all([fhi, lovdata, change, *people])
        session.flush()
        a, b, c = (p.id for p in people)
        assert a and b and c
        # accepted at +10 and +30 min (change 1, detected at +0), +15 min (change 2, at +10)
        for n, (who, change_id, minutes) in enumerate(
            [(a, first, 10), (b, first, 30), (a, second, 15)]
        ):
            row = message(session, n, status="sent", sent_at=start + timedelta(minutes=minutes))
            assert row.id
            session.add(DeliveryItem(delivery_id=row.id, subscriber_id=who, change_id=change_id))
        old = start - timedelta(days=3)  # outside the 24 h window
        row = message(session, 9, status="sent", kind="digest", sent_at=old)
        assert row.id
        session.add(DeliveryItem(delivery_id=row.id, subscriber_id=c, change_id=first))
        message(session, 10, created_at=start - timedelta(minutes=15))  # pending, oldest
        message(session, 11, created_at=start)
        message(session, 12, channel="webpush", status="failed", failure="refused")
        session.commit()
    clock.now = start + timedelta(minutes=40)


async def test_metrics_from_the_database(
    ctx: Context, clock: Clock, client: httpx.AsyncClient
) -> None:
    seed(ctx, clock)
    m = await scrape(client)
    s = lambda **labels: tuple(sorted(labels.items()))  # noqa: E731
    # checks by source and outcome
    assert m["notifier_source_checks_total", s(source="fhi", outcome="ok")] == 5
    assert m["notifier_source_checks_total", s(source="fhi", outcome="error")] == 1
    assert m["notifier_source_checks_total", s(source="lovdata", outcome="error")] == 3
    assert m["notifier_source_last_outcome", s(source="lovdata", outcome="error")] == 1
    assert m["notifier_source_consecutive_errors", s(source="lovdata")] == 2
    assert m["notifier_source_last_check_timestamp_seconds", s(source="fhi")] > 1.7e9
    # fetch time: a summary of 6 fetches taking 2 s in all
    assert m["notifier_source_fetch_seconds_count", s(source="fhi")] == 6
    assert m["notifier_source_fetch_seconds_sum", s(source="fhi")] == 2.0
    # changes found, and the held one waiting 40 minutes
    assert m["notifier_changes_total", s(source="lovdata", kind="new", status="published")] == 2
    assert m["notifier_changes_total", s(source="lovdata", kind="new", status="held")] == 1
    assert m["notifier_changes_held", ()] == 1
    assert m["notifier_changes_held_oldest_age_seconds", ()] == 40 * 60
    # messages by channel and outcome
    assert m["notifier_messages", s(channel="email", kind="alert", status="sent", failure="")] == 3
    assert (
        m[
            "notifier_messages",
            s(channel="webpush", kind="alert", status="failed", failure="refused"),
        ]
        == 1
    )
    assert m["notifier_outbox_pending", s(channel="email")] == 2
    assert m["notifier_outbox_oldest_pending_age_seconds", s(channel="email")] == 55 * 60
    # detection to delivery, last 24 h: 10, 30 and 5 minutes
    assert m["notifier_detection_to_delivery_messages", s(kind="alert")] == 3
    assert m["notifier_detection_to_delivery_seconds", s(kind="alert", quantile="0.5")] == 10 * 60
    assert m["notifier_detection_to_delivery_seconds", s(kind="alert", quantile="0.99")] == 30 * 60
    assert ("notifier_detection_to_delivery_messages", s(kind="digest")) not in m


async def test_an_empty_database_gives_zeros_not_errors(client: httpx.AsyncClient) -> None:
    m = await scrape(client)
    assert m["notifier_changes_held", ()] == 0
    assert m["notifier_changes_held_oldest_age_seconds", ()] == 0
    assert not any(name == "notifier_outbox_pending" for name, _ in m)


async def test_metrics_need_the_token(ctx: Context, client: httpx.AsyncClient) -> None:
    assert (await client.get("/metrics")).status_code == 401
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer feil"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    assert "notifier_" not in wrong.text
    ctx.settings.metrics_token = type(ctx.settings.metrics_token)("")
    off = await client.get("/metrics", headers={"Authorization": "Bearer "})
    assert off.status_code == 404


async def test_no_address_is_in_the_metrics(
    ctx: Context, clock: Clock, client: httpx.AsyncClient
) -> None:
    seed(ctx, clock)
    text = (await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).text
    assert "@" not in text


def test_quantiles_by_nearest_rank() -> None:
    assert quantile([1, 2, 3, 4], 0.5) == 2
    assert quantile([1, 2, 3, 4], 0.99) == 4
    assert quantile([7], 0.9) == 7
    assert math.isnan(quantile([], 0.5))


async def test_the_latest_pairs_make_the_quantiles(
    ctx: Context, clock: Clock, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a sample of two, the two latest accepted pairs count: waits of 30 and 5 min."""
    import notifier.metrics

    monkeypatch.setattr(notifier.metrics, "DELIVERY_SAMPLE", 2)
    seed(ctx, clock)
    m = await scrape(client)
    assert m["notifier_detection_to_delivery_messages", (("kind", "alert"),)] == 2
    assert (
        m["notifier_detection_to_delivery_seconds", (("kind", "alert"), ("quantile", "0.5"))]
        == 5 * 60
    )
