"""Telling operators (never subscribers) about sources that keep failing, and about messages
that could not be delivered.

After ``NOTIFIER_SOURCE_ERROR_THRESHOLD`` consecutive failed checks a source gets one mail to
``NOTIFIER_OPERATOR_EMAIL`` per outage: the idempotency key names the source and its last
success, so the next mail comes only after the source has recovered and failed again.

Messages given up after ``NOTIFIER_DELIVER_MAX_ATTEMPTS`` temporary failures, and messages that
cannot be built at all, are reported once: one mail per report listing them (by id and kind,
never by address), after which they are marked reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from feeds.store.models import Change, Source
from notifier import outbox, review
from notifier.context import Context
from notifier.db import write_retrying
from notifier.mailsafe import header_text, redact
from notifier.message import OutgoingMessage
from notifier.outbox import enqueue
from notifier.review import HELD_REASONS

#: failures operators must hear of (a bounce or a refusal is the recipient's business)
REPORTED = (outbox.GAVE_UP, outbox.INVALID)
FAILURE_LABELS = {
    outbox.GAVE_UP: "gitt opp etter gjentatte midlertidige feil",
    outbox.INVALID: "kunne ikke bygges",
}
#: rows listed one by one in a report; the rest are counted
LISTED = 50


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
        subject=header_text(
            f"Kilde feiler: {source.name} ({source.consecutive_errors} kontroller på rad)"
        ),
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


@dataclass(frozen=True)
class FailedRow:
    id: int
    kind: str
    attempts: int
    failure_label: str
    error: str


def failures_message(ctx: Context, rows: list[outbox.Delivery]) -> OutgoingMessage:
    """One mail about these failed messages; it names no recipient."""
    listed = [
        FailedRow(
            id=r.id or 0, kind=r.kind, attempts=r.attempts,
            failure_label=FAILURE_LABELS.get(r.failure or "", r.failure or ""),
            error=redact(r.last_error or "")[:300],
        )
        for r in rows[:LISTED]
    ]  # fmt: skip
    counts: dict[str, int] = {}
    for r in rows:
        label = FAILURE_LABELS.get(r.failure or "", r.failure or "")
        counts[label] = counts.get(label, 0) + 1
    noun = "melding" if len(rows) == 1 else "meldinger"
    subject = f"Helsevarsel: {len(rows)} {noun} ble ikke levert"
    context = {"rows": listed, "total": len(rows), "counts": sorted(counts.items()),
               "subject": subject}  # fmt: skip
    env = ctx.renderer.env
    return OutgoingMessage(
        to=ctx.settings.operator_email,
        subject=subject,
        text=env.get_template("mail/delivery_failures.txt.j2").render(context),
        html=env.get_template("mail/delivery_failures.html.j2").render(context),
        idempotency_key=f"operator:failed-deliveries:{rows[0].id}-{rows[-1].id}",
    )


def report_failed_deliveries(ctx: Context) -> int:
    """Queue one operator mail about the messages given up or impossible to build since the
    last report, and mark them reported; returns how many messages it reports. A failed
    operator mail is marked reported without a report of its own (no loop)."""
    if not ctx.settings.operator_email:
        return 0

    def work(session: Session) -> int:
        rows = outbox.failed_unreported(session, REPORTED)
        now = ctx.clock()
        others = [r for r in rows if r.kind != "operator"]
        if others:
            message = failures_message(ctx, others)
            enqueue(session, message, kind="operator", subscriber_id=None, now=now)
        for row in rows:
            row.reported_at = now
            session.add(row)
        return len(others)

    return write_retrying(ctx.engine, work)


def held_message(ctx: Context, changes: list[Change], names: dict[int, str]) -> OutgoingMessage:
    """One mail about held changes that have waited too long."""
    now = ctx.clock()
    rows = [
        {
            "id": c.id, "title": c.title, "source": names.get(c.source_id, ""),
            "reason": HELD_REASONS.get(c.held_reason or "", ("", ""))[0],
            "hours": int(review.age(c, now).total_seconds() // 3600),
        }
        for c in changes
    ]  # fmt: skip
    noun = "endring" if len(rows) == 1 else "endringer"
    subject = f"Helsevarsel: {len(rows)} {noun} venter på gjennomgang"
    context = {"rows": rows, "subject": subject, "base_url": ctx.settings.base_url}
    env = ctx.renderer.env
    return OutgoingMessage(
        to=ctx.settings.operator_email,
        subject=subject,
        text=env.get_template("mail/held_changes.txt.j2").render(context),
        html=env.get_template("mail/held_changes.html.j2").render(context),
        idempotency_key=f"operator:held:{changes[0].id}-{changes[-1].id}:{len(changes)}",
    )


def report_overdue_reviews(ctx: Context) -> int:
    """Queue one operator mail about the held changes waiting longer than
    ``NOTIFIER_HOLD_REPORT_AFTER_HOURS`` that were not reported yet, and mark them reported;
    returns how many it reports. A held change is never forgotten in the queue."""
    if not ctx.settings.operator_email:
        return 0
    after = timedelta(hours=ctx.settings.hold_report_after_hours)

    def work(session: Session) -> int:
        now = ctx.clock()
        late = review.overdue(session, now, after)
        if not late:
            return 0
        message = held_message(ctx, late, review.source_names(session, late))
        enqueue(session, message, kind="operator", subscriber_id=None, now=now)
        for change in late:
            change.held_reported_at = now
            session.add(change)
        return len(late)

    return write_retrying(ctx.engine, work)
