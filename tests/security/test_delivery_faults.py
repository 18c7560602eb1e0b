"""What a mail server's answers may do to us (issue 8, class 7), on SQLite and PostgreSQL.

- Messages given up after the retry limit are reported to operators, once, without addresses.
- A temporary refusal for one domain holds back nobody else: that domain waits, the others go.
- A hard bounce fails that message; repeated hard bounces suppress the address, so the next
  change does not go to it; a success in between resets the count.
- A 5xx for the message (not the address) is no bounce.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from notifier.context import Context
from notifier.deliver import DeliverReport
from notifier.outbox import BOUNCE, FAILED, GAVE_UP, REFUSED, Delivery
from notifier.plan import dispatch
from subscribers.models import Subscriber
from tests.conftest import Clock
from tests.support.outbox import deliver_via_smtp
from tests.support.smtpserver import Inbox
from tests.test_plan import add_change, subscribe

EARLY = datetime(2026, 1, 1, tzinfo=UTC)


def with_settings(ctx: Context, **values: object) -> Context:
    return Context(settings=ctx.settings.model_copy(update=values), engine=ctx.engine,
                   clock=ctx.clock)  # fmt: skip


def add(ctx: Context, *addresses: str, prefix: str = "k") -> None:
    with Session(ctx.engine) as session:
        for n, address in enumerate(addresses):
            session.add(
                Delivery(
                    idempotency_key=f"{prefix}{n}", kind="digest", to_address=address,
                    subject="Emne", body_text="tekst", body_html="<p>tekst</p>",
                    created_at=EARLY, next_attempt_at=EARLY,
                )
            )  # fmt: skip
        session.commit()


async def run(ctx: Context, port: int) -> DeliverReport:
    return await deliver_via_smtp(ctx, port)


async def test_giving_up_is_reported_to_operators_once(
    ctx: Context, smtp: tuple[Inbox, int], clock: Clock
) -> None:
    inbox, port = smtp
    ctx = with_settings(ctx, operator_email="drift@example.no", deliver_max_attempts=2)
    inbox.refuse_domain["treg.no"] = "451 4.3.0 Try again later <a@treg.no>"
    add(ctx, "a@treg.no", "b@treg.no")
    assert (await run(ctx, port)).retried == 1  # the other one waits with its domain
    for _ in range(4):
        clock.advance(hours=7)
        await run(ctx, port)
    with Session(ctx.engine) as session:
        rows = session.exec(select(Delivery).where(Delivery.kind == "digest")).all()
        assert {(r.status, r.failure) for r in rows} == {(FAILED, GAVE_UP)}
        assert all(r.reported_at is not None for r in rows)
    reports = inbox.to("drift@example.no")
    listed = [
        line.split()[0]
        for mail in reports
        for line in str(mail.get_body(("plain",)).get_content()).splitlines()  # type: ignore[union-attr]
        if line.startswith("#")
    ]
    assert sorted(listed) == sorted(f"#{r.id}" for r in rows)  # each given-up message, once
    assert b"treg.no" not in b"".join(inbox.raw)  # the reports name no recipient
    clock.advance(hours=7)
    await run(ctx, port)
    assert len(inbox.to("drift@example.no")) == len(reports)


async def test_a_temporary_failure_for_one_domain_does_not_hold_back_the_others(
    ctx: Context, smtp: tuple[Inbox, int], clock: Clock
) -> None:
    inbox, port = smtp
    inbox.refuse_domain["treg.no"] = "451 4.7.1 Greylisted, come back later"
    add(ctx, "a@treg.no", "b@rask.no", "c@treg.no", "d@rask.no", "e@treg.no", "f@rask.no")
    report = await run(ctx, port)
    assert (report.sent, report.retried, report.deferred) == (3, 1, 2)
    assert sorted(str(m["To"]) for m in inbox.messages) == ["b@rask.no", "d@rask.no", "f@rask.no"]
    assert inbox.rcpt_seen.count("a@treg.no") == 1
    assert "c@treg.no" not in inbox.rcpt_seen  # paused, not tried
    with Session(ctx.engine) as session:
        waiting = session.exec(select(Delivery).where(Delivery.status == "pending")).all()
        assert sorted(r.to_address for r in waiting) == ["a@treg.no", "c@treg.no", "e@treg.no"]
        assert {r.attempts for r in waiting if r.to_address != "a@treg.no"} == {0}
    del inbox.refuse_domain["treg.no"]
    clock.advance(hours=1)
    assert (await run(ctx, port)).sent == 3


async def test_repeated_hard_bounces_suppress_the_address(
    ctx: Context, smtp: tuple[Inbox, int], clock: Clock
) -> None:
    inbox, port = smtp
    ctx = with_settings(ctx, bounce_suppress_after=2)
    subscribe(ctx, "borte@kommune.no", ["vaksinasjon"], "immediate")
    subscribe(ctx, "her@kommune.no", ["vaksinasjon"], "immediate")
    inbox.refuse["borte@kommune.no"] = "550 5.1.1 <borte@kommune.no>: no such user"
    for n in range(3):
        add_change(ctx, f"Nye råd om vaksinasjon nummer {n}", ["vaksinasjon"])
        dispatch(ctx)
        await run(ctx, port)
        clock.advance(minutes=5)
    # two bounces suppress it: the third change is not even planned for the address
    with Session(ctx.engine) as session:
        gone = session.exec(select(Subscriber).where(Subscriber.email == "borte@kommune.no")).one()
        assert gone.suppressed_at is not None and gone.hard_bounces == 2
        bounced = session.exec(
            select(Delivery).where(Delivery.to_address == "borte@kommune.no")
        ).all()
        assert [(d.status, d.failure) for d in bounced] == [(FAILED, BOUNCE)] * 2
        assert all("borte@kommune.no" not in (d.last_error or "") for d in bounced)
    assert len(inbox.to("her@kommune.no")) == 3


async def test_a_success_between_bounces_resets_the_count(
    ctx: Context, smtp: tuple[Inbox, int], clock: Clock
) -> None:
    inbox, port = smtp
    ctx = with_settings(ctx, bounce_suppress_after=2)
    subscribe(ctx, "ustabil@kommune.no", ["vaksinasjon"], "immediate")
    for n, refuse in enumerate([True, False, True]):
        if refuse:
            inbox.refuse["ustabil@kommune.no"] = "550 5.2.1 mailbox disabled"
        else:
            inbox.refuse.pop("ustabil@kommune.no", None)
        add_change(ctx, f"Nye råd om vaksinasjon nummer {n}", ["vaksinasjon"])
        dispatch(ctx)
        await run(ctx, port)
        clock.advance(minutes=5)
    with Session(ctx.engine) as session:
        sub = session.exec(select(Subscriber)).one()
        assert sub.suppressed_at is None and sub.hard_bounces == 1


async def test_a_refused_message_is_not_a_bounce(ctx: Context, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    ctx = with_settings(ctx, bounce_suppress_after=1)
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], "immediate")
    inbox.refuse_data["lege@kommune.no"] = "554 5.7.1 message content rejected"
    add_change(ctx, "Nye råd om vaksinasjon", ["vaksinasjon"])
    dispatch(ctx)
    report = await run(ctx, port)
    assert report.failed == 1 and report.suppressed == 0
    with Session(ctx.engine) as session:
        row = session.exec(select(Delivery)).one()
        assert (row.status, row.failure) == (FAILED, REFUSED)
        sub = session.exec(select(Subscriber)).one()
        assert sub.suppressed_at is None and sub.hard_bounces == 0


async def test_mail_queued_before_the_suppression_is_not_sent(
    ctx: Context, smtp: tuple[Inbox, int], clock: Clock
) -> None:
    inbox, port = smtp
    ctx = with_settings(ctx, bounce_suppress_after=1)
    subscribe(ctx, "borte@kommune.no", ["vaksinasjon"], "immediate")
    inbox.refuse["borte@kommune.no"] = "550 5.1.1 no such user"
    add_change(ctx, "Nye råd om vaksinasjon nummer 1", ["vaksinasjon"])
    dispatch(ctx)
    clock.advance(minutes=1)
    add_change(ctx, "Nye råd om vaksinasjon nummer 2", ["vaksinasjon"])
    dispatch(ctx)  # both queued before the first bounce
    report = await run(ctx, port)
    assert (report.failed, report.suppressed) == (2, 1)
    assert inbox.rcpt_seen == ["borte@kommune.no"]  # the second was never tried
    with Session(ctx.engine) as session:
        failures = sorted(d.failure or "" for d in session.exec(select(Delivery)))
    assert failures == [BOUNCE, "suppressed"]


async def test_the_delivery_log_names_no_address(
    ctx: Context, smtp: tuple[Inbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    inbox, port = smtp
    inbox.refuse["borte@kommune.no"] = "550 5.1.1 <borte@kommune.no>: no such user"
    inbox.refuse_domain["treg.no"] = "451 4.7.1 <sen@treg.no> greylisted"
    add(ctx, "borte@kommune.no", "sen@treg.no", "a@k..no")
    with caplog.at_level(logging.DEBUG):
        report = await run(ctx, port)
    assert (report.failed, report.retried) == (2, 1)
    ours = ("notifier", "feeds", "subscribers", "aiosmtplib")  # not the test's SMTP server
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(ours))
    assert logged  # the failures were logged ...
    for address in ("borte@kommune.no", "sen@treg.no", "a@k..no"):
        assert address not in logged  # ... without the addresses
