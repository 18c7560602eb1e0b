"""The sign-up queue: a public sign-up is kept in ``signup_request`` until it is recorded.

The answer to a sign-up must not tell whether the address is known (red team round 9), so the
request does only what is alike for every address: it checks the form, counts the rate limits
and writes one row here (``record``), then answers "check your mail". The work that differs
(a new subscriber or the known one, a confirmation or a preferences link) is done after the
answer: by the task the answer carries (``attempt`` on its row) and, for a row that task never
finished (a crash, a lost database), by the worker's sweep (``sweep``, on the delivery tick).

A row is processed exactly once: its processing begins by deleting it (``DELETE ...
RETURNING``) and commits that deletion together with the subscriber and the outbox row of its
mail, so a crash anywhere in between leaves the row and nothing else; whoever comes second
finds it gone. The mail's outbox key names the address and the window of the request's time
(``send_link_mail``), a second guard against a second mail. The sweep claims rows older than
``SWEEP_AGE`` for ``LEASE`` (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, as the outbox does; SQLite
has one writer), so several workers share the queue. A failed attempt counts in ``attempts``,
is noted in ``last_error`` and waits (``backoff``); after ``MAX_ATTEMPTS`` the row is left for
an operator (``notifier doctor`` names it), who lists it (``waiting``, ``notifier signups
list``), fixes the cause and lets the sweep take it again (``release``, ``notifier signups
retry``) or deletes it (``drop``). An erasure deletes the person's waiting rows (``forget``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import or_
from sqlmodel import Session, col, delete, select

from feeds.store.queue import picked
from notifier.db import write_retrying
from notifier.digest import Recipient
from notifier.mailsafe import redact
from notifier.outbox import backoff, enqueue
from subscribers import selfservice as ss
from subscribers.models import SignupRequest, Subscriber
from subscribers.validate import address_key

if TYPE_CHECKING:
    from notifier.context import Context
    from notifier.web.links import Links

log = logging.getLogger(__name__)

#: the sweep leaves younger rows to the task after the answer
SWEEP_AGE = timedelta(seconds=30)
#: how long a sweep's claim on a row holds
LEASE = timedelta(minutes=5)
#: attempts after which a row waits for an operator
MAX_ATTEMPTS = 8
#: rows one sweep takes
BATCH = 50
#: a failed attempt waits up to this long before the next (``outbox.backoff``)
BACKOFF_BASE, BACKOFF_CAP = 60.0, 3600.0
#: the form's fields kept in ``SignupRequest.form`` (the address has its own column)
FORM_FIELDS = tuple(f.name for f in dataclasses.fields(ss.SignupForm) if f.name != "email")


def record(session: Session, form: ss.SignupForm, now: datetime) -> SignupRequest:
    """Queue a checked sign-up (one row, whatever the address); the caller commits."""
    data = {name: getattr(form, name) for name in FORM_FIELDS}
    row = SignupRequest(
        email=form.email, email_key=address_key(form.email), form=data, created_at=now
    )
    session.add(row)
    session.flush()
    return row


def form_of(email: str, data: dict[str, Any]) -> ss.SignupForm:
    """The sign-up form a row keeps (unknown keys are refused, as a corrupt row)."""
    unknown = set(data) - set(FORM_FIELDS)
    if unknown:
        raise ValueError(f"a queued sign-up has unknown fields: {sorted(unknown)}")
    return ss.SignupForm(email=email, **data)


def process(ctx: Context, links: Links, request_id: int) -> bool:
    """Record the queued sign-up ``request_id`` and queue its mail, deleting the row in the
    same transaction; False when it is gone (processed by someone else, or erased)."""
    window = timedelta(minutes=ctx.settings.signup_window_minutes)

    def work(session: Session) -> bool:
        table = SignupRequest.__table__  # type: ignore[attr-defined]
        taken = session.execute(
            sa.delete(table)
            .where(table.c.id == request_id)
            .returning(table.c.email, table.c.form, table.c.created_at)
        ).first()
        if taken is None:
            return False
        email, data, asked_at = taken
        now = ctx.clock()
        subscriber, known = ss.signup(session, form_of(email, data), now)
        send_link_mail(ctx, session, links, subscriber, known, now, window, asked_at)
        return True

    return write_retrying(ctx.engine, work)


def attempt(ctx: Context, links: Links, request_id: int) -> bool | None:
    """``process``, a failure noted on the row (it waits, then the sweep tries again): True
    done, False already gone, None failed. Never raises."""
    try:
        return process(ctx, links, request_id)
    except Exception as exc:
        log.exception("queued sign-up %d could not be processed", request_id)
        # addresses out, as in every error text we store (a database error may quote the row)
        error = redact(f"{type(exc).__name__}: {exc}")[:500]
        try:
            write_retrying(ctx.engine, lambda s: _failed(s, request_id, error, ctx.clock()))
        except Exception:
            log.exception("the failure of queued sign-up %d could not be noted", request_id)
        return None


def _failed(session: Session, request_id: int, error: str, now: datetime) -> None:
    row = session.get(SignupRequest, request_id)
    if row is None:
        return
    row.attempts += 1
    row.last_error = error
    row.claimed_until = now + backoff(row.attempts, BACKOFF_BASE, BACKOFF_CAP)
    session.add(row)


def claim(session: Session, now: datetime, limit: int = BATCH) -> list[int]:
    """Take up to ``limit`` due rows, oldest first, for ``LEASE``; commits. Due: older than
    ``SWEEP_AGE``, fewer than ``MAX_ATTEMPTS`` failures, and nobody's lease or backoff."""
    table = SignupRequest.__table__  # type: ignore[attr-defined]
    due = (
        sa.select(table.c.id)
        .where(
            table.c.created_at <= now - SWEEP_AGE,
            table.c.attempts < MAX_ATTEMPTS,
            or_(table.c.claimed_until.is_(None), table.c.claimed_until <= now),
        )
        .order_by(table.c.id)
        .limit(limit)
    )
    ids = session.execute(
        sa.update(table)
        .where(picked(due, table.c.id, session.get_bind().dialect.name))
        .values(claimed_until=now + LEASE)
        .returning(table.c.id)
    ).scalars()
    taken = sorted(ids)
    session.commit()
    return taken


@dataclass
class SweepReport:
    done: int = 0
    gone: int = 0
    failed: int = 0

    def __bool__(self) -> bool:
        return bool(self.done or self.failed)


def sweep(ctx: Context, links: Links | None = None) -> SweepReport:
    """Process the rows the task after the answer did not (one batch)."""
    report = SweepReport()
    with Session(ctx.engine) as session:
        ids = claim(session, ctx.clock())
    if not ids:
        return report
    if links is None:
        from notifier.web.links import Links, load_secret

        links = Links(ctx.settings.base_url, load_secret(ctx))
    for request_id in ids:
        outcome = attempt(ctx, links, request_id)
        if outcome is None:
            report.failed += 1
        elif outcome:
            report.done += 1
        else:
            report.gone += 1
    return report


def forget(session: Session, email_key: str | None) -> int:
    """Erasure: delete the waiting sign-ups of this address; the caller commits."""
    if not email_key:
        return 0
    result = session.exec(delete(SignupRequest).where(col(SignupRequest.email_key) == email_key))
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class Backlog:
    waiting: int
    stuck: int
    oldest: datetime | None


def backlog(session: Session) -> Backlog:
    """How many sign-ups wait, how many of them wait for an operator, the oldest's time."""
    stuck = sa.case((col(SignupRequest.attempts) >= MAX_ATTEMPTS, 1), else_=0)
    waiting, stuck_count, oldest = session.exec(
        select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(stuck), 0),
            sa.func.min(col(SignupRequest.created_at)),
        )
    ).one()
    return Backlog(int(waiting), int(stuck_count), oldest)


@dataclass(frozen=True)
class Waiting:
    """One waiting sign-up as an operator sees it: the address masked (``mask``)."""

    id: int
    created_at: datetime
    attempts: int
    claimed_until: datetime | None
    email: str
    last_error: str

    @property
    def stuck(self) -> bool:
        return self.attempts >= MAX_ATTEMPTS


def mask(email: str) -> str:
    """An address as an operator's listing shows it: the first letter of the local part and
    the domain ("k***@example.no"), enough to tell rows apart and to answer a person who asks."""
    local, _, domain = email.rpartition("@")
    if not local:
        return "***"
    return f"{local[0]}***@{domain}"


def waiting(session: Session, *, stuck_only: bool = False, limit: int = 200) -> list[Waiting]:
    """The waiting sign-ups, oldest first (only those waiting for an operator if asked)."""
    query = select(SignupRequest).order_by(col(SignupRequest.id)).limit(limit)
    if stuck_only:
        query = query.where(col(SignupRequest.attempts) >= MAX_ATTEMPTS)
    return [
        Waiting(
            id=row.id or 0, created_at=row.created_at, attempts=row.attempts,
            claimed_until=row.claimed_until, email=mask(row.email),
            last_error=row.last_error or "",
        )
        for row in session.exec(query)
    ]  # fmt: skip


def release(session: Session, ids: Sequence[int] = ()) -> int:
    """Let the sweep take these rows again (every row that waits for an operator when no id is
    given): attempts back to 0, no lease or backoff; the next sweep (a delivery tick) takes
    them. The last error stays until the row is processed. The caller commits."""
    table = SignupRequest.__table__  # type: ignore[attr-defined]
    chosen = table.c.id.in_(list(ids)) if ids else table.c.attempts >= MAX_ATTEMPTS
    result = session.execute(sa.update(table).where(chosen).values(attempts=0, claimed_until=None))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def drop(session: Session, request_id: int) -> bool:
    """Delete one row that must not be processed (a corrupt form); the caller commits. The
    person was told to check their mail and gets none: they may sign up again."""
    result = session.exec(delete(SignupRequest).where(col(SignupRequest.id) == request_id))
    return bool(result.rowcount)


def send_link_mail(
    ctx: Context,
    session: Session,
    links: Links,
    subscriber: Subscriber,
    known: bool,
    now: datetime,
    window: timedelta,
    asked_at: datetime | None = None,
) -> None:
    """Queue the confirmation mail (or, for a confirmed address, a preferences link); one per
    address per window of the request's time (``asked_at``, default ``now``), because the
    outbox key names the window: a request processed twice, or late, queues no second mail."""
    assert subscriber.id is not None
    kind = "manage" if known else "confirm"
    url = links.preferences(subscriber, now) if known else links.confirm(subscriber, now)
    bucket = int((asked_at or now).timestamp() // window.total_seconds())
    recipient = Recipient(subscriber.id, subscriber.email, subscriber.name, subscriber.language)
    message = ctx.renderer.render_link_mail(
        recipient, kind, url, f"{kind}:{subscriber.id}:{bucket}"
    )
    enqueue(session, message, kind=kind, subscriber_id=subscriber.id, change_ids=(), now=now)
