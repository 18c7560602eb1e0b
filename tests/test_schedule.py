"""Chosen hours: daily and weekly digests at each subscriber's own local hour and weekday,
across daylight saving; one collated message per person per run; late digests after the
service was down; quiet hours for push (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from notifier.context import Context
from notifier.deliver import deliver
from notifier.digest import Recipient
from notifier.message import OutgoingMessage
from notifier.outbox import Delivery, DeliveryItem, enqueue, message_of
from notifier.plan import compose_due, dispatch
from notifier.schedule import hours_covered, quiet_until, slot_of
from notifier.web.links import attach
from subscribers.models import Subscriber
from tests.conftest import Clock
from tests.test_plan import add_change, subscribe

TZ = "Europe/Oslo"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def choose(ctx: Context, email: str, **fields: int | None) -> int:
    with Session(ctx.engine) as session:
        sub = session.exec(select(Subscriber).where(Subscriber.email == email)).one()
        for name, value in fields.items():
            setattr(sub, name, value)
        session.add(sub)
        session.commit()
        assert sub.id is not None
        return sub.id


@dataclass(frozen=True)
class Mail:
    """A stored digest as it is sent: its row's key and address, the text and HTML of its
    message (the shared body with the personal parts put in)."""

    id: int | None
    to_address: str
    idempotency_key: str
    subject: str
    body_text: str
    body_html: str


def digests(ctx: Context) -> list[Mail]:
    with Session(ctx.engine) as session:
        rows = session.exec(
            select(Delivery).where(Delivery.kind == "digest").order_by(col(Delivery.id))
        ).all()
        out = []
        for row in rows:
            message = message_of(session, row, attach(ctx).mail_links)
            out.append(
                Mail(
                    row.id,
                    row.to_address,
                    row.idempotency_key,
                    message.subject,
                    message.text,
                    message.html,
                )
            )
        return out


# --- the slot arithmetic (pure) ---------------------------------------------------------------


def test_a_slot_covers_the_local_hours_that_begin_in_it() -> None:
    assert hours_covered(utc(2026, 11, 23, 6), TZ) == (7,)  # CET: 07:00 is 06:00 UTC
    assert hours_covered(utc(2026, 6, 1, 5), TZ) == (7,)  # CEST: 07:00 is 05:00 UTC
    # 29 March 2026: 02:00 does not exist; the 03:00 slot stands in for it
    assert hours_covered(utc(2026, 3, 29, 1), TZ) == (2, 3)
    # 25 October 2026: 02:00 happens twice; only the first counts
    assert hours_covered(utc(2026, 10, 25, 0), TZ) == (2,)
    assert hours_covered(utc(2026, 10, 25, 1), TZ) == ()
    assert hours_covered(utc(2026, 10, 25, 2), TZ) == (3,)
    assert slot_of(utc(2026, 11, 23, 6) + timedelta(minutes=59, seconds=59)) == utc(2026, 11, 23, 6)


def test_quiet_hours_end_at_their_local_hour_even_across_midnight() -> None:
    # 23:30 local in winter (22:30 UTC), quiet 22-7: until 07:00 local = 06:00 UTC
    assert quiet_until(utc(2026, 11, 23, 22, 30), 22, 7, TZ) == utc(2026, 11, 24, 6)
    assert quiet_until(utc(2026, 11, 24, 6, 0), 22, 7, TZ) is None  # 07:00 local: over
    assert quiet_until(utc(2026, 11, 23, 12, 0), 22, 7, TZ) is None
    assert quiet_until(utc(2026, 11, 23, 12, 0), 13, 14, TZ) == utc(2026, 11, 23, 13)
    assert quiet_until(utc(2026, 11, 23, 12, 0), None, None, TZ) is None
    # the night summer time starts: quiet 1-3 ends at 03:00 CEST = 01:00 UTC
    assert quiet_until(utc(2026, 3, 29, 0, 30), 1, 3, TZ) == utc(2026, 3, 29, 1)


# --- chosen hours across daylight saving --------------------------------------------------------

DST_DAYS = [
    pytest.param(utc(2026, 3, 27, 22), id="2026-spring"),
    pytest.param(utc(2026, 10, 23, 22), id="2026-autumn"),
    pytest.param(utc(2027, 3, 26, 22), id="2027-spring"),
    pytest.param(utc(2027, 10, 29, 22), id="2027-autumn"),
]


@pytest.mark.parametrize("start", DST_DAYS)
def test_digests_go_out_at_the_chosen_local_hour_on_the_days_around_a_dst_change(
    ctx: Context, clock: Clock, start: datetime
) -> None:
    clock.now = start - timedelta(days=2)
    subscribe(ctx, "sju@k.no", ["vaksinasjon"], "daily")  # the default: 07:00
    subscribe(ctx, "ni@k.no", ["vaksinasjon"], "daily")
    subscribe(ctx, "to@k.no", ["vaksinasjon"], "daily")
    choose(ctx, "ni@k.no", digest_hour=21)
    choose(ctx, "to@k.no", digest_hour=2)
    clock.now = start
    compose_due(ctx)  # the first run: only the current slot
    sent: dict[str, list[datetime]] = {"sju@k.no": [], "ni@k.no": [], "to@k.no": []}
    for hour in range(72):
        if hour % 24 == 0:
            add_change(ctx, f"Endring {start:%Y%m%d} {hour}", ["vaksinasjon"])
        clock.advance(hours=1)
        before = {d.id for d in digests(ctx)}
        compose_due(ctx)
        for d in digests(ctx):
            if d.id not in before:
                sent[d.to_address].append(clock.now)
    zone = ZoneInfo(TZ)
    assert [t.astimezone(zone).hour for t in sent["sju@k.no"]] == [7, 7, 7]
    assert [t.astimezone(zone).hour for t in sent["ni@k.no"]] == [21, 21, 21]
    # at 02:00, or at 03:00 the night 02:00 does not exist; never twice the night it repeats
    spring = start.month == 3
    assert [t.astimezone(zone).hour for t in sent["to@k.no"]] == [2, 3 if spring else 2, 2]
    assert len({t.astimezone(zone).date() for t in sent["to@k.no"]}) == 3
    days = [t.astimezone(zone).date() for t in sent["sju@k.no"]]
    assert len(set(days)) == 3
    # the same local 07:00 is another UTC hour on either side of the change
    assert len({t.hour for t in sent["sju@k.no"]}) == 2


def test_weekly_digest_on_the_chosen_weekday_and_hour(ctx: Context, clock: Clock) -> None:
    subscribe(ctx, "uke@k.no", ["vaksinasjon"], "weekly")
    choose(ctx, "uke@k.no", digest_hour=18, digest_weekday=2)  # Wednesday 18:00
    add_change(ctx, "Ny vaksine", ["vaksinasjon"])
    compose_due(ctx)  # Monday 09:00
    seen = []
    for _ in range(7 * 24):
        clock.advance(hours=1)
        if compose_due(ctx).written:
            seen.append(clock.now.astimezone(ZoneInfo(TZ)))
    assert [(t.weekday(), t.hour) for t in seen] == [(2, 18)]
    assert "uke 48" in digests(ctx)[0].subject


def test_default_weekly_is_monday_at_seven(ctx: Context, clock: Clock) -> None:
    subscribe(ctx, "uke@k.no", ["vaksinasjon"], "weekly")
    add_change(ctx, "Ny vaksine", ["vaksinasjon"])
    clock.now = utc(2026, 11, 29, 12)  # Sunday
    compose_due(ctx)
    clock.now = utc(2026, 11, 30, 5)  # Monday 06:00
    assert compose_due(ctx).written == 0
    clock.now = utc(2026, 11, 30, 6)  # Monday 07:00
    assert compose_due(ctx).written == 1


# --- one collated message per person per run ----------------------------------------------------


def test_daily_and_weekly_due_in_one_run_are_one_message(ctx: Context, clock: Clock) -> None:
    subscribe(ctx, "begge@k.no", ["vaksinasjon"], "daily")
    subscribe(ctx, "begge@k.no", ["testing"], "weekly")
    a = add_change(ctx, "Om vaksiner", ["vaksinasjon"])
    b = add_change(ctx, "Om testing", ["testing"])
    c = add_change(ctx, "Om begge", ["testing", "vaksinasjon"])
    clock.now = utc(2026, 11, 30, 5)
    compose_due(ctx)
    clock.now = utc(2026, 11, 30, 6)  # Monday 07:00: daily and weekly both due
    assert compose_due(ctx).written == 1
    [only] = digests(ctx)
    assert only.idempotency_key.endswith(":weekly:2026-W49")
    with Session(ctx.engine) as session:
        items = session.exec(
            select(DeliveryItem.change_id).where(DeliveryItem.delivery_id == only.id)
        ).all()
    assert sorted(items) == sorted([a, b, c])  # each once
    assert only.body_text.count("Om begge") == 1


def test_one_alert_per_person_for_changes_of_several_sources_in_a_round(ctx: Context) -> None:
    from tests.support.outbox import store_change

    subscribe(ctx, "straks@k.no", ["vaksinasjon"], "immediate")
    store_change(ctx, 1, "Fra FHI", source_key="fhi")
    store_change(ctx, 2, "Fra Hdir", source_key="hdir")
    assert dispatch(ctx) == 1
    with Session(ctx.engine) as session:
        assert len(session.exec(select(DeliveryItem)).all()) == 2


def test_an_item_comes_once_at_the_most_immediate_matching_subscription(
    ctx: Context, clock: Clock
) -> None:
    subscribe(ctx, "blandet@k.no", ["vaksinasjon"], "immediate")
    subscribe(ctx, "blandet@k.no", ["testing"], "daily")
    add_change(ctx, "Vaksiner og testing", ["testing", "vaksinasjon"])
    assert dispatch(ctx) == 1
    clock.now = utc(2026, 11, 24, 6)
    assert compose_due(ctx).written == 0
    with Session(ctx.engine) as session:
        kinds = session.exec(select(Delivery.kind)).all()
    assert kinds == ["alert"]


# --- late digests ------------------------------------------------------------------------------


def test_a_digest_missed_while_down_is_sent_once_marked_late(ctx: Context, clock: Clock) -> None:
    subscribe(ctx, "sju@k.no", ["vaksinasjon"], "daily")
    clock.now = utc(2026, 11, 24, 5)  # Tuesday 06:00: the service runs
    compose_due(ctx)
    add_change(ctx, "Ny vaksine", ["vaksinasjon"])
    clock.now = utc(2026, 11, 24, 9, 30)  # back at 10:30; 07:00 was missed
    report = compose_due(ctx)
    assert (report.slots, report.written, report.late) == (4, 1, 1)
    [late] = digests(ctx)
    assert "Dette sammendraget kommer for sent" in late.body_text
    assert "24. november 2026 kl. 07.00" in " ".join(late.body_text.split())
    assert "kommer for sent" in late.body_html
    assert late.idempotency_key.endswith(":daily:2026-11-24")
    assert compose_due(ctx).written == 0  # never twice
    add_change(ctx, "Enda en vaksine", ["vaksinasjon"])
    clock.now = utc(2026, 11, 25, 6)  # Wednesday 07:00, on time
    assert compose_due(ctx).late == 0
    on_time = digests(ctx)[-1]
    assert "for sent" not in on_time.body_text and "Enda en vaksine" in on_time.body_text


def test_a_missed_digest_older_than_its_next_run_is_merged_into_it(
    ctx: Context, clock: Clock
) -> None:
    subscribe(ctx, "sju@k.no", ["vaksinasjon"], "daily")
    subscribe(ctx, "nn@k.no", ["vaksinasjon"], "daily")
    with Session(ctx.engine) as session:
        sub = session.exec(select(Subscriber).where(Subscriber.email == "nn@k.no")).one()
        sub.language = "nn"
        session.add(sub)
        session.commit()
    clock.now = utc(2026, 11, 23, 5)  # Monday 06:00
    compose_due(ctx)
    add_change(ctx, "Mandag", ["vaksinasjon"])
    clock.advance(days=1)
    add_change(ctx, "Tirsdag", ["vaksinasjon"])
    clock.now = utc(2026, 11, 25, 9)  # down from Monday 06:00 to Wednesday 10:00
    report = compose_due(ctx)
    assert (report.written, report.late) == (2, 2)
    mails = {d.to_address: d for d in digests(ctx)}
    assert mails["sju@k.no"].idempotency_key.endswith(":daily:2026-11-25")
    assert "Mandag" in mails["sju@k.no"].body_text and "Tirsdag" in mails["sju@k.no"].body_text
    assert "25. november 2026 kl. 07.00" in " ".join(mails["sju@k.no"].body_text.split())
    assert "Dette samandraget kjem for seint" in mails["nn@k.no"].body_text
    assert compose_due(ctx).written == 0


def test_a_missed_digest_is_sent_late_before_its_next_run(ctx: Context, clock: Clock) -> None:
    subscribe(ctx, "sju@k.no", ["vaksinasjon"], "daily")
    clock.now = utc(2026, 11, 23, 5)
    compose_due(ctx)
    add_change(ctx, "Mandag", ["vaksinasjon"])
    clock.now = utc(2026, 11, 24, 4, 10)  # back Tuesday 05:10, before Tuesday's 07:00
    assert compose_due(ctx).late == 1
    assert digests(ctx)[0].idempotency_key.endswith(":daily:2026-11-23")
    add_change(ctx, "Tirsdag", ["vaksinasjon"])
    clock.now = utc(2026, 11, 24, 6)
    assert (compose_due(ctx).written, len(digests(ctx))) == (1, 2)
    assert "Mandag" not in digests(ctx)[1].body_text


# --- quiet hours for push -----------------------------------------------------------------------


class Recorder:
    name = "webpush"

    def __init__(self) -> None:
        self.sent: list[OutgoingMessage] = []

    async def send(self, message: OutgoingMessage) -> None:
        self.sent.append(message)

    async def close(self) -> None:
        return None


def push_row(ctx: Context, sid: int, change_id: int, key: str) -> None:
    with Session(ctx.engine) as session:
        message = OutgoingMessage(
            to=f"subscriber:{sid}", subject="Varsel", text="kort", html="",
            idempotency_key=key,
        )  # fmt: skip
        enqueue(
            session, message, kind="alert", subscriber_id=sid, now=ctx.clock(),
            change_ids=[change_id], channel="webpush",
        )  # fmt: skip
        session.commit()


async def test_push_waits_for_the_end_of_quiet_hours_but_urgent_alerts_do_not(
    ctx: Context, clock: Clock
) -> None:
    subscribe(ctx, "natt@k.no", ["vaksinasjon"], "immediate")
    sid = choose(ctx, "natt@k.no", quiet_start=22, quiet_end=7)
    calm = add_change(ctx, "Ny veileder", ["vaksinasjon"])
    urgent = add_change(ctx, "Utbrudd", ["vaksinasjon"], urgent=True)
    clock.now = utc(2026, 11, 23, 22, 30)  # 23:30 local
    push_row(ctx, sid, calm, "push:1")
    push_row(ctx, sid, urgent, "push:2")
    channel = Recorder()
    report = await deliver(ctx, Recorder(), channels={"webpush": channel})
    assert (report.sent, report.deferred) == (1, 1)
    assert [m.idempotency_key for m in channel.sent] == ["push:2"]
    with Session(ctx.engine) as session:
        waiting = session.exec(select(Delivery).where(Delivery.idempotency_key == "push:1")).one()
    assert waiting.next_attempt_at == utc(2026, 11, 24, 6)  # 07:00 local
    clock.now = utc(2026, 11, 24, 5, 59)
    assert (await deliver(ctx, Recorder(), channels={"webpush": channel})).sent == 0
    clock.now = utc(2026, 11, 24, 6, 0)
    assert (await deliver(ctx, Recorder(), channels={"webpush": channel})).sent == 1
    assert [m.idempotency_key for m in channel.sent] == ["push:2", "push:1"]


async def test_quiet_hours_never_hold_email(ctx: Context, clock: Clock) -> None:
    subscribe(ctx, "natt@k.no", ["vaksinasjon"], "immediate")
    choose(ctx, "natt@k.no", quiet_start=0, quiet_end=23)
    add_change(ctx, "Ny veileder", ["vaksinasjon"])
    dispatch(ctx)
    channel = Recorder()
    assert (await deliver(ctx, channel)).sent == 1
    assert Recipient  # the planner's type, unchanged


async def test_quiet_hours_hold_apprise_targets_too(ctx: Context, clock: Clock) -> None:
    """Quiet hours are for every push channel: an Apprise row claimed inside them waits for
    their end (here a period that wraps past midnight, ending on the night summer time
    starts), while an urgent one goes at once."""
    subscribe(ctx, "natt@k.no", ["vaksinasjon"], "immediate")
    sid = choose(ctx, "natt@k.no", quiet_start=23, quiet_end=3)
    calm = add_change(ctx, "Ny veileder", ["vaksinasjon"])
    urgent = add_change(ctx, "Utbrudd", ["vaksinasjon"], urgent=True)
    clock.now = utc(2026, 3, 28, 23, 30)  # 00:30 local, 29 March 2026
    for change, key in ((calm, "apprise:1"), (urgent, "apprise:2")):
        with Session(ctx.engine) as session:
            message = OutgoingMessage(f"subscriber:{sid}", "Varsel", "kort", "", key)
            enqueue(
                session, message, kind="alert", subscriber_id=sid, now=ctx.clock(),
                change_ids=[change], channel="apprise",
            )  # fmt: skip
            session.commit()
    channel = Recorder()
    channel.name = "apprise"
    report = await deliver(ctx, Recorder(), channels={"apprise": channel})
    assert (report.sent, report.deferred) == (1, 1)
    with Session(ctx.engine) as session:
        waiting = session.exec(
            select(Delivery).where(Delivery.idempotency_key == "apprise:1")
        ).one()
    assert waiting.next_attempt_at == utc(
        2026, 3, 29, 1
    )  # 03:00 CEST, the hour after 02 is skipped
    clock.now = utc(2026, 3, 29, 1)
    assert (await deliver(ctx, Recorder(), channels={"apprise": channel})).sent == 1
    assert [m.idempotency_key for m in channel.sent] == ["apprise:2", "apprise:1"]
