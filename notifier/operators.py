"""Telling operators (never subscribers) about sources that keep failing.

After ``NOTIFIER_SOURCE_ERROR_THRESHOLD`` consecutive failed checks a source gets one mail to
``NOTIFIER_OPERATOR_EMAIL`` per outage: the idempotency key names the source and its last
success, so the next mail comes only after the source has recovered and failed again.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from feeds.models import Source
from notifier.context import Context
from notifier.message import OutgoingMessage
from notifier.outbox import enqueue


def failing_sources(session: Session, threshold: int) -> list[Source]:
    return list(
        session.exec(
            select(Source)
            .where(col(Source.consecutive_errors) >= threshold)
            .order_by(col(Source.key))
        ).all()
    )


def operator_message(ctx: Context, source: Source) -> OutgoingMessage:
    since = source.last_success_at.isoformat() if source.last_success_at else "aldri"
    env = ctx.renderer.env
    context = {"source": source, "since": since, "base_url": ctx.settings.base_url}
    return OutgoingMessage(
        to=ctx.settings.operator_email,
        subject=f"Kilde feiler: {source.name} ({source.consecutive_errors} kontroller på rad)",
        text=env.get_template("mail/operator.txt.j2").render(context),
        html=env.get_template("mail/operator.html.j2").render(context),
        idempotency_key=f"operator:{source.key}:{since}",
    )


def alert_operators(ctx: Context) -> int:
    """Queue one mail per failing source and outage; returns how many were new."""
    if not ctx.settings.operator_email:
        return 0
    added = 0
    with Session(ctx.engine, expire_on_commit=False) as session:
        for source in failing_sources(session, ctx.settings.source_error_threshold):
            message = operator_message(ctx, source)
            added += (
                enqueue(session, message, kind="operator", subscriber_id=None, now=ctx.clock())
                is not None
            )
        session.commit()
    return added
