"""``notifier subscribers push-*`` and ``target-*``: push endpoints and Apprise targets from
scripts and tests (what a browser registers on the preferences page, what staff add for a
group)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlmodel import Session

from notifier import cli_audit, cli_schedule
from notifier.channels.manage import ChannelRefused, add_push, add_target
from notifier.context import Context
from subscribers import push, targets
from subscribers.models import Subscriber
from subscribers.service import find_subscriber

_MAKE_CTX: list[Callable[[], Context]] = []


def register(app: typer.Typer, make_ctx: Callable[[], Context]) -> None:
    """Add the commands to the ``subscribers`` group."""
    _MAKE_CTX[:] = [make_ctx]
    for name, command in (
        ("push-add", push_add), ("push-list", push_list), ("push-remove", push_remove),
        ("target-add", target_add), ("target-list", target_list),
        ("target-remove", target_remove),
    ):  # fmt: skip
        app.command(name)(command)
    cli_schedule.register(app, make_ctx)
    cli_audit.register(app, make_ctx)


@contextmanager
def person(email: str) -> Iterator[tuple[Context, Session, Subscriber]]:
    with _MAKE_CTX[0]() as ctx, Session(ctx.engine) as session:
        found = find_subscriber(session, email)
        if found is None or found.id is None:
            typer.echo(f"error: no subscriber with the address {email}", err=True)
            raise typer.Exit(code=2)
        yield ctx, session, found


def push_add(
    email: str,
    endpoint: Annotated[str, typer.Option(help="the push service's endpoint URL")],
    p256dh: Annotated[str, typer.Option(help="the browser's public key, base64url")],
    auth: Annotated[str, typer.Option(help="the browser's auth secret, base64url")],
) -> None:
    """Add a Web Push endpoint (what a browser registers) to a subscriber."""
    with person(email) as (ctx, session, found):
        assert found.id is not None
        try:
            row = add_push(session, ctx.settings, found.id, endpoint, p256dh, auth, ctx.clock())
        except ChannelRefused as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        session.commit()
        typer.echo(f"push endpoint {row.id} added for {found.email}")


def push_list(email: str) -> None:
    """The subscriber's push endpoints: id, created, last success, failures, endpoint."""
    with person(email) as (_ctx, session, found):
        assert found.id is not None
        for e in push.endpoints_of(session, found.id):
            last = e.last_success_at.isoformat() if e.last_success_at else "-"
            typer.echo(f"{e.id}\t{e.created_at:%Y-%m-%d}\t{last}\t{e.failures}\t{e.endpoint}")


def push_remove(
    email: str, endpoint: Annotated[str, typer.Option(help="the endpoint URL to remove")]
) -> None:
    """Remove one push endpoint of a subscriber."""
    with person(email) as (_ctx, session, found):
        assert found.id is not None
        if not push.remove(session, found.id, endpoint):
            typer.echo("error: the subscriber has no such endpoint", err=True)
            raise typer.Exit(code=2)
        session.commit()
        typer.echo("push endpoint removed")


def target_add(
    email: str,
    url: Annotated[str, typer.Option(help="an Apprise URL: msteams://, ntfys://, json:// ...")],
) -> None:
    """Add an Apprise target to a subscriber (stored encrypted, shown masked)."""
    with person(email) as (ctx, session, found):
        assert found.id is not None
        try:
            row = add_target(session, ctx.settings, found.id, url, ctx.clock())
        except ChannelRefused as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        session.commit()
        typer.echo(f"target {row.id} added for {found.email}: {row.masked}")


def target_list(email: str) -> None:
    """The subscriber's Apprise targets, masked: id, created, last success, failures."""
    with person(email) as (_ctx, session, found):
        assert found.id is not None
        for t in targets.targets_of(session, found.id):
            last = t.last_success_at.isoformat() if t.last_success_at else "-"
            typer.echo(f"{t.id}\t{t.masked}\t{t.created_at:%Y-%m-%d}\t{last}\t{t.failures}")


def target_remove(email: str, target_id: int) -> None:
    """Remove one Apprise target (by the id ``target-list`` shows)."""
    with person(email) as (_ctx, session, found):
        assert found.id is not None
        if not targets.remove(session, found.id, target_id):
            typer.echo("error: the subscriber has no such target", err=True)
            raise typer.Exit(code=2)
        session.commit()
        typer.echo("target removed")
