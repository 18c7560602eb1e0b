"""``notifier signups list``, ``retry`` and ``drop``: the sign-up queue's rows for an operator
(``notifier.signup_queue``; what ``notifier doctor`` warns of). A row that failed
``MAX_ATTEMPTS`` times waits here until an operator fixes the cause and lets the sweep take it
again, or deletes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlmodel import Session

from notifier import signup_queue as queue
from notifier.context import Context

_MAKE_CTX: list[Callable[[], Context]] = []


def register(app: typer.Typer, make_ctx: Callable[[], Context]) -> None:
    """Add the ``signups`` group to the top-level app."""
    _MAKE_CTX[:] = [make_ctx]
    signups_app = typer.Typer(
        help="Sign-ups accepted but not yet recorded (the sign-up queue).", no_args_is_help=True
    )
    signups_app.command("list")(list_rows)
    signups_app.command("retry")(retry)
    signups_app.command("drop")(drop)
    app.add_typer(signups_app, name="signups")


def list_rows(
    stuck: Annotated[
        bool, typer.Option("--stuck", help=f"only rows failed {queue.MAX_ATTEMPTS} times")
    ] = False,
    limit: Annotated[int, typer.Option(help="at most this many, oldest first")] = 200,
) -> None:
    """Waiting sign-ups, oldest first: id, accepted, attempts, state, the address masked, the
    last error. Exit 1 if any waits for an operator."""
    with _MAKE_CTX[0]() as ctx, Session(ctx.engine) as session:
        tz = ZoneInfo(ctx.settings.timezone)
        rows = queue.waiting(session, stuck_only=stuck, limit=limit)
        now = ctx.clock()
    for row in rows:
        if row.stuck:
            state = "stuck"
        elif row.claimed_until is not None and row.claimed_until > now:
            state = f"waits until {row.claimed_until.astimezone(tz):%H:%M}"
        else:
            state = "due"
        typer.echo(
            f"{row.id}\t{row.created_at.astimezone(tz):%Y-%m-%d %H:%M}\t{row.attempts}\t"
            f"{state}\t{row.email}\t{row.last_error or '-'}"
        )
    if not rows:
        typer.echo("no sign-up waits")
    if any(row.stuck for row in rows):
        raise typer.Exit(1)


def retry(
    ids: Annotated[
        list[int] | None, typer.Argument(help="row ids; none: every row that is stuck")
    ] = None,
) -> None:
    """Let the sweep take these rows again (after fixing the cause of their last error): the
    next delivery tick of a running worker processes them."""
    with _MAKE_CTX[0]() as ctx, Session(ctx.engine) as session:
        count = queue.release(session, ids or ())
        session.commit()
    typer.echo(f"{count} sign-up(s) released for the next sweep")


def drop(request_id: Annotated[int, typer.Argument(help="the row's id (signups list)")]) -> None:
    """Delete one row that must not be processed (a corrupt form). The person gets no mail and
    may sign up again."""
    with _MAKE_CTX[0]() as ctx, Session(ctx.engine) as session:
        found = queue.drop(session, request_id)
        session.commit()
    if not found:
        typer.echo(f"error: no waiting sign-up has id {request_id}", err=True)
        raise typer.Exit(code=2)
    typer.echo(f"sign-up {request_id} deleted")
