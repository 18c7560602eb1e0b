"""Helpers shared by the delivery tests: a stored change, and one delivery run through a real
SMTP server."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from feeds.store.models import Change, Snapshot, Source
from notifier.channels import SmtpChannel
from notifier.context import Context
from notifier.deliver import DeliverReport, deliver
from notifier.outbox import PENDING, Delivery


def smtp_channel(port: int) -> SmtpChannel:
    return SmtpChannel("127.0.0.1", port, "Varsel <varsel@example.no>", timeout=5)


async def deliver_via_smtp(ctx: Context, port: int) -> DeliverReport:
    """One ``deliver`` run through the SMTP server on ``port``, its connection closed after."""
    channel = smtp_channel(port)
    try:
        return await deliver(ctx, channel)
    finally:
        await channel.close()


def store_change(
    ctx: Context,
    n: int,
    title: str,
    *,
    summary: str = "",
    source_key: str = "s",
    story: str | None = None,
    subtopics: Sequence[str] = ("vaksinasjon",),
) -> int:
    """A published change of source ``source_key`` (created when missing), in a snapshot of
    its own, detected now; returns its id."""
    with Session(ctx.engine) as session:
        source = session.exec(select(Source).where(Source.key == source_key)).first()
        if source is None:
            source = Source(
                key=source_key, kind="feed", url=f"https://{source_key}.no/rss",
                authority=source_key, name=source_key.upper(),
            )  # fmt: skip
            session.add(source)
            session.flush()
        assert source.id is not None
        snap = Snapshot(source_id=source.id, content_digest=f"d{n}", taken_at=ctx.clock())
        session.add(snap)
        session.flush()
        assert snap.id is not None
        change = Change(
            source_id=source.id, snapshot_id=snap.id, fingerprint=f"f{n}", kind="new",
            title=title, url=f"https://{source_key}.no/{n}", summary=summary,
            subtopics=list(subtopics), detected_at=ctx.clock(), story_key=story,
        )  # fmt: skip
        session.add(change)
        session.commit()
        assert change.id is not None
        return change.id


def pending_work(engine: Engine) -> int:
    """Messages waiting in the outbox plus published changes not yet dispatched: 0 once
    everything found has been told."""
    with engine.connect() as conn:
        waiting = conn.execute(
            sa.select(sa.func.count()).select_from(Delivery).where(col(Delivery.status) == PENDING)
        ).scalar_one()
        undispatched = conn.execute(
            sa.select(sa.func.count())
            .select_from(Change)
            .where(col(Change.dispatched_at).is_(None), col(Change.status) == "published")
        ).scalar_one()
    return int(waiting) + int(undispatched)
