"""Housekeeping: stale unconfirmed sign-ups and old rate events are deleted; confirmed and
erased subscribers, fresh sign-ups and fresh rate events stay. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from notifier.cli import app
from notifier.context import Context
from notifier.message import OutgoingMessage
from notifier.outbox import Delivery, enqueue, scrub
from notifier.settings import Settings
from notifier.worker import build_scheduler, housekeep, housekeeping_job
from subscribers import selfservice as ss
from subscribers.housekeeping import PurgeReport, purge
from subscribers.models import RateEvent, Subscriber, Subscription, Suppression
from subscribers.tokens import CONFIRM, ExpiredToken, sign, verify
from tests.conftest import Clock


def add(
    session: Session,
    email: str,
    created: datetime,
    *,
    confirmed: datetime | None = None,
    topics: tuple[str, ...] = ("vaksinasjon",),
) -> int:
    """A subscriber with subscriptions and one (confirmation) mail in the outbox."""
    person = Subscriber(email=email, created_at=created, confirmed_at=confirmed)
    session.add(person)
    session.flush()
    assert person.id is not None
    for topic in topics:
        session.add(Subscription(subscriber_id=person.id, subtopic=topic, created_at=created))
    message = OutgoingMessage(email, "Bekreft", "tekst", "<p>tekst</p>", f"confirm:{person.id}:1")
    enqueue(session, message, kind="confirm", subscriber_id=person.id, now=created)
    session.flush()
    return person.id


def emails(ctx: Context) -> set[str]:
    with Session(ctx.engine) as session:
        return set(session.exec(select(Subscriber.email)))


def count(ctx: Context, model: type[Subscription] | type[Delivery] | type[RateEvent]) -> int:
    with Session(ctx.engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_stale_unconfirmed_sign_ups_go_with_their_subscriptions_and_mails(
    ctx: Context, clock: Clock
) -> None:
    now = clock()
    with Session(ctx.engine) as session:
        stale = add(session, "gammel@kommune.no", now - timedelta(days=9),
                    topics=("vaksinasjon", "testing"))  # fmt: skip
        add(session, "grense@kommune.no", now - timedelta(days=8))  # not older than the limit
        add(session, "fersk@kommune.no", now - timedelta(days=1))
        add(session, "bekreftet@kommune.no", now - timedelta(days=400),
            confirmed=now - timedelta(days=399))  # fmt: skip
        erased_id = add(session, "slettet@kommune.no", now - timedelta(days=400),
                        confirmed=now - timedelta(days=399))  # fmt: skip
        erased = session.get(Subscriber, erased_id)
        assert erased is not None
        scrub(session, erased_id)
        ss.erase(session, erased, now - timedelta(days=30))  # as the erasure page does
        session.commit()
    assert (count(ctx, Subscription), count(ctx, Delivery)) == (5, 5)

    assert housekeep(ctx) == PurgeReport(subscribers=1, subscriptions=2, outbox=1)

    assert emails(ctx) == {
        "grense@kommune.no", "fersk@kommune.no", "bekreftet@kommune.no",
        f"erased-{erased_id}@invalid",
    }  # fmt: skip
    with Session(ctx.engine) as session:
        assert session.get(Subscriber, stale) is None
        left = session.exec(select(Delivery.subscriber_id)).all()
        assert stale not in left and len(left) == 4
        # they never consented: nothing for them on the suppression list
        assert session.exec(select(func.count()).select_from(Suppression)).one() == 1
    assert count(ctx, Subscription) == 3
    assert housekeep(ctx) == PurgeReport()  # idempotent


def test_old_rate_events_go_and_fresh_ones_stay(ctx: Context, clock: Clock) -> None:
    now = clock()
    with Session(ctx.engine) as session:
        for age in (timedelta(days=3), timedelta(hours=3), timedelta(hours=1), timedelta(0)):
            session.add(RateEvent(key="signup:ip:192.0.2.1", created_at=now - age))
        session.commit()
    assert housekeep(ctx) == PurgeReport(rate_events=2)  # default: kept 2 hours
    with Session(ctx.engine) as session:
        ages = {now - e for e in session.exec(select(RateEvent.created_at))}
    assert ages == {timedelta(hours=1), timedelta(0)}


def test_signing_up_again_restarts_the_retention(ctx: Context, clock: Clock) -> None:
    form = ss.SignupForm(email="igjen@kommune.no", choices={"vaksinasjon": "daily"})
    with Session(ctx.engine) as session:
        ss.signup(session, form, now=clock() - timedelta(days=20))
        session.commit()
    clock.advance(days=20)
    with Session(ctx.engine) as session:  # a new confirmation link goes out now
        ss.signup(session, form, now=clock())
        session.commit()
    assert housekeep(ctx).subscribers == 0
    clock.advance(days=8, seconds=1)
    assert housekeep(ctx) == PurgeReport(subscribers=1, subscriptions=1)


@pytest.mark.parametrize("hour", [0, 11, 23])
def test_no_confirmation_link_outlives_its_sign_up(hour: int) -> None:
    retention = Settings().unconfirmed_retention
    signed_up = datetime(2026, 11, 23, hour, 0, tzinfo=UTC)
    token = sign(b"k" * 32, CONFIRM, 1, 0, signed_up)
    # purge deletes rows created strictly before now - retention
    with pytest.raises(ExpiredToken):
        verify(b"k" * 32, CONFIRM, token, signed_up + retention + timedelta(seconds=1))


def test_retention_shorter_than_a_confirmation_link_is_refused(ctx: Context) -> None:
    with pytest.raises(ValidationError, match="set it to 8 or more"):
        Settings(unconfirmed_retention_days=7)
    with Session(ctx.engine) as session, pytest.raises(ValueError, match="at least 8 days"):
        purge(session, ctx.clock(), unconfirmed_after=timedelta(days=7),
              rate_events_after=timedelta(hours=2), forget=lambda s, ids: 0)  # fmt: skip


def test_rate_event_retention_shorter_than_the_window_is_refused() -> None:
    with pytest.raises(ValidationError, match="set it to 3 or more, or shorten the window"):
        Settings(signup_window_minutes=150)
    assert Settings(signup_window_minutes=150, rate_event_retention_hours=3)


def test_rate_limit_counts_across_a_window_longer_than_a_day(ctx: Context, clock: Clock) -> None:
    window = timedelta(days=2)
    with Session(ctx.engine) as session:
        assert not ss.rate_limited(session, "signup:addr:x", 1, window, clock())
        clock.advance(hours=30)
        assert ss.rate_limited(session, "signup:addr:x", 1, window, clock())


async def test_housekeeping_runs_daily_with_a_fixed_id(ctx: Context, clock: Clock) -> None:
    job = build_scheduler(ctx).get_job("housekeeping")
    assert job is not None and job.max_instances == 1 and job.coalesce
    fire = job.trigger.get_next_fire_time(None, datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    assert (fire.day, fire.hour, fire.minute) == (25, 3, 30)  # local time, every day
    with Session(ctx.engine) as session:
        add(session, "gammel@kommune.no", clock() - timedelta(days=30))
        session.commit()
    await housekeeping_job(ctx)
    assert emails(ctx) == set()


def test_cli_prints_the_counts(
    ctx: Context, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(tmp_path / "var"))
    now = datetime.now(UTC)  # the command runs on the real clock
    with Session(ctx.engine) as session:
        add(session, "gammel@kommune.no", now - timedelta(days=30), topics=("a", "b", "c"))
        add(session, "fersk@kommune.no", now)
        session.add(RateEvent(key="signup:ip:192.0.2.1", created_at=now - timedelta(days=1)))
        session.commit()
    result = CliRunner().invoke(app, ["housekeeping"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "1 unconfirmed subscriber(s) deleted, with 3 subscription(s) and 1 outbox message(s); "
        "1 rate event(s) deleted",
        "0 audit event(s) past retention deleted; 0 ended staff session(s) deleted",
        "0 hour(s) of check history past 90 days deleted",
        "0 delivery audit row(s) past 400 days deleted",
    ]
    assert emails(ctx) == {"fersk@kommune.no"}
    with Session(ctx.engine) as session:
        assert session.exec(select(col(Delivery.to_address))).all() == ["fersk@kommune.no"]
