"""Operators hear about a source that keeps failing: once per outage, never subscribers."""

from __future__ import annotations

from sqlmodel import Session, select

from feeds.store.models import Source
from notifier.context import Context
from notifier.operators import alert_operators
from notifier.outbox import Delivery


def set_errors(ctx: Context, errors: int, recovered: bool = False) -> None:
    with Session(ctx.engine) as session:
        source = session.exec(select(Source)).first() or Source(
            key="fhi-nyheter", kind="feed", url="https://www.fhi.no/rss/", authority="fhi",
            name="FHI: nyheter",
        )  # fmt: skip
        source.consecutive_errors = errors
        source.last_error = "TransientFetchError: https://www.fhi.no/rss/ answered HTTP 503"
        if recovered:
            source.last_success_at = ctx.clock()
        session.add(source)
        session.commit()


def operator_mails(ctx: Context) -> list[Delivery]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Delivery).where(Delivery.kind == "operator")))


def test_operators_are_told_once_per_outage(ctx: Context) -> None:
    ctx.settings = ctx.settings.model_copy(update={"operator_email": "drift@varsel.no"})
    set_errors(ctx, 2)
    assert alert_operators(ctx) == 0
    set_errors(ctx, 3)
    assert alert_operators(ctx) == 1
    set_errors(ctx, 4)
    assert alert_operators(ctx) == 0
    (mail,) = operator_mails(ctx)
    assert mail.to_address == "drift@varsel.no"
    assert "HTTP 503" in mail.body_text and "FHI: nyheter" in mail.subject
    # recovered, then failing again: a new outage, a new mail
    set_errors(ctx, 0, recovered=True)
    ctx.clock.advance(hours=2)  # type: ignore[attr-defined]
    set_errors(ctx, 3)
    assert alert_operators(ctx) == 1
    assert len(operator_mails(ctx)) == 2


def test_nobody_is_mailed_without_an_operator_address(ctx: Context) -> None:
    set_errors(ctx, 10)
    assert alert_operators(ctx) == 0
    assert operator_mails(ctx) == []
