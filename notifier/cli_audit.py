"""``notifier subscribers audit``: the delivery audit from the command line, per subscriber or
per change (the console shows the same on a subscriber's and a change's page).

One line per message: id, channel, kind, status, recipient (a push row's person by address),
queued, accepted (an SMTP 250, a push service's 201; ``-`` when not), the changes carried as
``<change id>@<first 12 hex of its version>``; then one indented line per event: what happened,
when, and the (redacted) detail. Times are local (NOTIFIER_TIMEZONE)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlmodel import Session, col, select

from notifier import delivery_audit
from notifier.context import Context
from subscribers.models import Subscriber
from subscribers.service import find_subscriber

_MAKE_CTX: list[Callable[[], Context]] = []


def register(app: typer.Typer, make_ctx: Callable[[], Context]) -> None:
    """Add the command to the ``subscribers`` group."""
    _MAKE_CTX[:] = [make_ctx]
    app.command("audit")(audit)


def lines(rows: list[delivery_audit.AuditRow], people: dict[int, str], tz: ZoneInfo) -> list[str]:
    """The audit rows as printed (pure)."""

    def when(at: datetime | None) -> str:
        return "-" if at is None else f"{at.astimezone(tz):%Y-%m-%d %H:%M:%S}"

    out = []
    for r in rows:
        to = r.to_address
        if r.channel != "email":
            to = people.get(r.subscriber_id or 0, "(slettet)")
        carried = ",".join(f"{cid}@{version[:12]}" for cid, version, _ in r.carried) or "-"
        out.append(
            f"{r.delivery_id}\t{r.channel}\t{r.kind}\t{r.status}\t{to}\t"
            f"queued {when(r.queued_at)}\taccepted {when(r.accepted_at)}\t{carried}"
        )
        out.extend(f"  {event}\t{when(at)}\t{detail}" for event, at, detail in r.events)
    return out


def audit(
    email: Annotated[
        str | None, typer.Argument(help="The subscriber; none: every recipient of --change.")
    ] = None,
    change: Annotated[int | None, typer.Option(help="Only messages carrying this change.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many messages.")] = 100,
) -> None:
    """What was sent, through which channel, when it was accepted and what failed, with the
    version of each change it carried; per subscriber, per change, or both."""
    if email is None and change is None:
        typer.echo("error: give a subscriber's address, --change, or both", err=True)
        raise typer.Exit(code=2)
    with _MAKE_CTX[0]() as ctx, Session(ctx.engine) as session:
        if email is not None:
            person = find_subscriber(session, email)
            if person is None or person.id is None:
                typer.echo(f"error: no subscriber with the address {email}", err=True)
                raise typer.Exit(code=2)
            rows = delivery_audit.for_subscriber(session, person.id, limit=limit)
            if change is not None:
                carrying = delivery_audit.carried_changes(session, [r.delivery_id for r in rows])
                keep = {did for did, cids in carrying.items() if change in cids}
                rows = [r for r in rows if r.delivery_id in keep]
        else:
            assert change is not None
            rows = delivery_audit.for_change(session, change, limit=limit)
        ids = {r.subscriber_id for r in rows if r.subscriber_id is not None}
        found = session.exec(
            select(Subscriber.id, Subscriber.email, Subscriber.email_key).where(
                col(Subscriber.id).in_(ids)
            )
        )
        people = {sid: e if key is not None else "(slettet)" for sid, e, key in found if sid}
        tz = ZoneInfo(ctx.settings.timezone)
    for line in lines(rows, people, tz):
        typer.echo(line)
