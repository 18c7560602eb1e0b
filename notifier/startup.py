"""What every command checks before it starts work: the settings, the port it will listen on,
and that the database can be opened. Each failure is a :class:`StartupError` whose text is one
line naming the variable and what to set; the CLI prints it and exits with code 2.
"""

from __future__ import annotations

import errno
import socket

import sqlalchemy as sa
from pydantic import ValidationError

from notifier.context import Context, build_context
from notifier.db import UnknownSchemaError, upgrade
from notifier.settings import Settings
from notifier.settings_checks import one_line, shown


class StartupError(Exception):
    """A setting or the machine keeps a command from starting; the text says what to do."""


def checked_settings() -> Settings:
    """The settings from the environment, every one of them checked."""
    try:
        return Settings()
    except ValidationError as exc:
        raise StartupError(one_line(exc)) from None


def check_port(host: str, port: int, *, host_name: str, port_name: str) -> None:
    """Refuse to start a server whose address is taken or not this machine's: bind it once,
    the way uvicorn will (SO_REUSEADDR), and let go."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise StartupError(
            f"{host_name}={host}: not an address of this machine ({exc.strerror}); "
            "set 127.0.0.1, 0.0.0.0 or an address of this machine"
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise StartupError(
                    f"{port_name}={port}: port {port} on {host} is already in use; stop the "
                    f"program that holds it or set {port_name} to a free port"
                ) from None
            if exc.errno == errno.EACCES:
                raise StartupError(
                    f"{port_name}={port}: this user may not listen on port {port}; "
                    f"set {port_name} to 1024 or above"
                ) from None
            raise StartupError(
                f"{host_name}={host}: cannot listen on this address ({exc.strerror}); "
                "set 127.0.0.1, 0.0.0.0 or an address of this machine"
            ) from None


def open_context(settings: Settings, *, migrate: bool = True) -> Context:
    """The command's context, its database reached (and its schema migrated)."""
    try:
        ctx = build_context(settings)
    except OSError as exc:  # the SQLite file's folder cannot be made
        url = shown("database_url", settings.database_url)
        raise StartupError(
            f"NOTIFIER_DATABASE_URL={url}: cannot create the database's folder "
            f"({exc.strerror}); set a path this user may write"
        ) from None
    try:
        if migrate:
            upgrade(ctx.engine)
        else:
            with ctx.engine.connect() as connection:
                connection.execute(sa.text("select 1"))
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
        ctx.engine.dispose()
        raise StartupError(database_problem(settings, exc)) from None
    except UnknownSchemaError as exc:
        ctx.engine.dispose()
        url = shown("database_url", settings.database_url)
        raise StartupError(
            f"NOTIFIER_DATABASE_URL={url}: the database was migrated by a newer version of "
            f"notifier ({str(exc)[:160]}); run that version, or set another database"
        ) from None
    return ctx


def database_problem(settings: Settings, exc: sa.exc.DBAPIError) -> str:
    """A database that cannot be opened, as one line."""
    reason = " ".join(str(exc.orig).split()) or type(exc.orig).__name__
    url = shown("database_url", settings.database_url)
    return (
        f"NOTIFIER_DATABASE_URL={url}: cannot open the database ({reason[:200]}); check the "
        "host, port, user, password and database name, and that the server runs"
    )
