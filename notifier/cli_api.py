"""``notifier api token-create``, ``token-list`` and ``token-revoke``: staff API tokens for
scripts (``notifier.api_tokens``; the routes are in ``notifier.web.routes.api_staff``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from sqlmodel import Session

from notifier import api_tokens
from notifier.context import Context
from notifier.models import API_TOKEN_ROLES
from notifier.staff import StaffError

_MAKE_CTX: list[Callable[[], Context]] = []


def register(app: typer.Typer, make_ctx: Callable[[], Context]) -> None:
    """Add the ``api`` group to the top-level app."""
    _MAKE_CTX[:] = [make_ctx]
    api_app = typer.Typer(
        help="Staff API tokens for scripts (/api/v1/staff/).", no_args_is_help=True
    )
    api_app.command("token-create")(token_create)
    api_app.command("token-list")(token_list)
    api_app.command("token-revoke")(token_revoke)
    app.add_typer(api_app, name="api")


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(code=2)


def token_create(
    staff: Annotated[str, typer.Option(help="the staff user's e-mail address")],
    name: Annotated[str, typer.Option(help="what the token is for, e.g. the script's name")],
    role: Annotated[
        str | None,
        typer.Option(help=f"one of {', '.join(API_TOKEN_ROLES)}; default: the user's role"),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(
            help=f"days the token is valid, 1 to {api_tokens.MAX_DAYS}; "
            "default: NOTIFIER_API_TOKEN_DAYS (90)"
        ),
    ] = None,
) -> None:
    """Create a token; it is printed once and cannot be shown again. It expires after
    --days (default NOTIFIER_API_TOKEN_DAYS)."""
    with _MAKE_CTX[0]() as ctx, Session(ctx.engine) as session:
        lifetime = ctx.settings.api_token_days if days is None else days
        try:
            row, token = api_tokens.create(
                session, staff, name, ctx.clock(), role=role, days=lifetime
            )
        except StaffError as exc:
            raise _fail(exc) from exc
        session.commit()
        typer.echo(
            f"API token {row.id} ({row.role}) created for {staff.strip().lower()}, valid "
            f"until {row.expires_at.isoformat(timespec='seconds')}:"
        )
        typer.echo(token)
        typer.echo("Store it now: it is not shown again. Send it as 'Authorization: Bearer …'.")


def token_list() -> None:
    """Every token: id, user, role, name, created, last used, expiry or revocation (never the
    secret)."""
    with _MAKE_CTX[0]() as ctx, Session(ctx.engine) as session:
        rows = api_tokens.list_tokens(session)
        now = ctx.clock()
    if not rows:
        typer.echo("no API tokens")
    for token, user in rows:
        used = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "never"
        expires = token.expires_at.isoformat(timespec="seconds")
        if token.revoked_at:
            state = f"revoked {token.revoked_at.isoformat(timespec='seconds')}"
        elif token.expires_at <= now:
            state = f"expired {expires}"
        else:
            state = f"active, expires {expires}"
        typer.echo(
            f"{token.id}\t{user.email}\t{token.role}\t{token.name}\t"
            f"created {token.created_at.isoformat(timespec='seconds')}\tused {used}\t{state}"
        )


def token_revoke(token_id: int) -> None:
    """Revoke a token for good: it is refused from the next request on."""
    with _MAKE_CTX[0]() as ctx, Session(ctx.engine) as session:
        try:
            api_tokens.revoke(session, token_id, ctx.clock())
        except StaffError as exc:
            raise _fail(exc) from exc
        session.commit()
    typer.echo(f"API token {token_id} revoked")
