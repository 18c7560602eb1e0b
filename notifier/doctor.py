"""``notifier doctor``: is this installation ready to run? Each check says in words what it
found and, when something is wrong, what to do.

Checks: the database (it opens; the schema is at the newest migration), the mail server
(connect and EHLO within a timeout; or the mail folder is writable), the push keys (the VAPID
key pair in ``app_secret`` loads, and the contact push services see is valid), the catalogue
(it loads and every entry is valid), the sign-up queue (no sign-up waits for an operator or
for a worker that does not run) and the free disk where the database and the mail folder
live. A check is ``ok``, ``warn`` (works, but look at it) or ``fail``; the command exits 1
when any check fails. Nothing is changed: no migration is run, no key is generated.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import aiosmtplib
import alembic.util.exc
import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from feeds.catalogue import load_catalogue
from feeds.errors import CatalogueError
from notifier.db import MIGRATIONS
from notifier.settings import Settings
from notifier.settings_checks import shown

Status = Literal["ok", "warn", "fail"]
#: less free space than this where data is written is a failure; less than WARN_FREE a warning
MIN_FREE = 200 * 1024 * 1024
WARN_FREE = 2 * 1024 * 1024 * 1024
#: at most this long for the mail server to answer
SMTP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Finding:
    check: str
    status: Status
    text: str

    def line(self) -> str:
        return f"{self.status:<4}  {self.check}: {self.text}"


def examine(settings: Settings, engine: Engine) -> list[Finding]:
    """Every check, in order; none raises."""
    checks: list[Callable[[], Finding]] = [
        lambda: database(settings, engine),
        lambda: mail(settings),
        lambda: push_keys(settings, engine),
        lambda: signup_queue(engine),
        lambda: catalogue(settings),
        lambda: disk(settings),
    ]
    return [check() for check in checks]


def database(settings: Settings, engine: Engine) -> Finding:
    url = shown("database_url", engine.url.render_as_string(hide_password=True))
    heads = set(ScriptDirectory(str(MIGRATIONS)).get_heads())
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except sa.exc.DBAPIError as exc:
        reason = " ".join(str(exc.orig).split())[:200]
        return Finding(
            "database",
            "fail",
            f"cannot open {url} ({reason}); check NOTIFIER_DATABASE_URL and that the server runs",
        )
    if not current:
        return Finding("database", "fail", f"{url} is empty; run `notifier db upgrade`")
    script = ScriptDirectory(str(MIGRATIONS))
    unknown = sorted(rev for rev in current if _unknown_revision(script, rev))
    if unknown:
        return Finding(
            "database",
            "fail",
            f"{url} has schema {', '.join(unknown)}, which this version does not know: a newer "
            "version of notifier migrated it; run that version, or set another "
            "NOTIFIER_DATABASE_URL",
        )
    if current != heads:
        return Finding(
            "database",
            "fail",
            f"{url} has schema {', '.join(sorted(current))}, this version needs "
            f"{', '.join(sorted(heads))}; run `notifier db upgrade`",
        )
    return Finding("database", "ok", f"{url} opens; schema at {', '.join(sorted(heads))}")


def _unknown_revision(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is None
    except alembic.util.exc.CommandError:  # "Can't locate revision ..."
        return True


def mail(settings: Settings) -> Finding:
    if not settings.smtp_url:
        return _mail_folder(settings.mail_dir)
    host, port, _, _, implicit_tls = settings.smtp_parts()
    timeout = min(settings.smtp_timeout, SMTP_TIMEOUT)
    try:
        code, greeting = asyncio.run(_ehlo(host, port, implicit_tls, timeout))
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return Finding(
            "mail server",
            "fail",
            f"no answer from {host}:{port} within {timeout:g} s ({reason}); check "
            "NOTIFIER_SMTP_URL and that the server lets this machine connect",
        )
    if code != 250:
        return Finding(
            "mail server", "fail", f"{host}:{port} refused EHLO ({code} {greeting}); ask its admin"
        )
    return Finding("mail server", "ok", f"{host}:{port} answers EHLO ({greeting[:60]})")


async def _ehlo(host: str, port: int, implicit_tls: bool, timeout: float) -> tuple[int, str]:
    client = aiosmtplib.SMTP(
        hostname=host, port=port, use_tls=implicit_tls, start_tls=False, timeout=timeout
    )
    await client.connect()
    try:
        response = await client.ehlo()
        return response.code, response.message.splitlines()[0] if response.message else ""
    finally:
        client.close()


def mail_folder_problem(folder: Path) -> str:
    """Why mails can never be written into ``folder`` ('' when they can): a file where it or
    a parent would be made, or a folder this user may not write. Nothing is created."""
    where = _existing(folder)
    if not where.is_dir():
        return f"{where} is a file, so the mail folder {folder} cannot be created"
    if not os.access(where, os.W_OK | os.X_OK):
        return f"this user may not write in {where}"
    return ""


def _mail_folder(folder: Path) -> Finding:
    if problem := mail_folder_problem(folder):
        return Finding(
            "mail server",
            "fail",
            f"no NOTIFIER_SMTP_URL, and the mail folder {folder} cannot be written "
            f"({problem}); set NOTIFIER_SMTP_URL or NOTIFIER_DATA_DIR",
        )
    return Finding(
        "mail server",
        "warn",
        f"no NOTIFIER_SMTP_URL: mails are written as files into {folder}, nobody receives "
        "them; set NOTIFIER_SMTP_URL to send",
    )


def push_keys(settings: Settings, engine: Engine) -> Finding:
    # imported here: the Web Push stack is only needed by this check
    from notifier.channels.webpush import VAPID_SECRET_NAME, VapidKeys
    from subscribers.models import AppSecret

    try:
        with engine.connect() as connection:
            table = sa.Table(AppSecret.__tablename__, sa.MetaData(), autoload_with=connection)
            value = connection.execute(
                sa.select(table.c.value).where(table.c.name == VAPID_SECRET_NAME)
            ).scalar_one_or_none()
    except (sa.exc.DBAPIError, sa.exc.NoSuchTableError):
        return Finding("push keys", "fail", "cannot be read: the database is not ready (above)")
    if value is None:
        return Finding(
            "push keys",
            "warn",
            "no VAPID key pair yet; it is made on the first start (`notifier run`)",
        )
    try:
        keys = VapidKeys.from_private(value)
    except Exception as exc:  # noqa: BLE001 - any failure to load is the finding
        return Finding(
            "push keys",
            "fail",
            f"the VAPID private key in app_secret cannot be loaded ({type(exc).__name__}); "
            "restore it from a backup (a new key makes every device subscribe again)",
        )
    return Finding(
        "push keys",
        "ok",
        f"VAPID key pair loads (public key {keys.public[:12]}...); contact "
        f"{settings.vapid_contact().split(':', 1)[0]}:",
    )


#: a queued sign-up older than this means no worker sweeps the queue
SIGNUP_LATE = timedelta(minutes=10)


def signup_queue(engine: Engine) -> Finding:
    """Sign-ups accepted but not recorded (``notifier.signup_queue``): any that failed every
    attempt, or that wait long (no worker runs), is a warning for the operator."""
    from sqlmodel import Session

    from notifier import signup_queue as queue

    try:
        with Session(engine) as session:
            found = queue.backlog(session)
    except sa.exc.DBAPIError:
        return Finding("sign-up queue", "fail", "cannot be read: the database is not ready (above)")
    if found.stuck:
        return Finding(
            "sign-up queue",
            "warn",
            f"{found.stuck} sign-up(s) failed {queue.MAX_ATTEMPTS} times and wait for an "
            "operator: see `notifier signups list --stuck`, fix the cause, then `notifier signups "
            'retry` (docs/operations.md, "Sign-up queue")',
        )
    late = found.oldest is not None and found.oldest < datetime.now(UTC) - SIGNUP_LATE
    if late:
        return Finding(
            "sign-up queue",
            "warn",
            f"{found.waiting} sign-up(s) waiting, the oldest since {found.oldest:%Y-%m-%d %H:%M} "
            "UTC: is a worker (`notifier run` or `notifier worker`) running?",
        )
    return Finding("sign-up queue", "ok", f"{found.waiting} sign-up(s) waiting")


def catalogue(settings: Settings) -> Finding:
    try:
        specs = load_catalogue(settings.catalogue)
    except CatalogueError as exc:
        return Finding("catalogue", "fail", f"{exc}; correct the catalogue (NOTIFIER_CATALOGUE)")
    enabled = sum(s.enabled for s in specs)
    where = settings.catalogue or "the bundled catalogue"
    return Finding(
        "catalogue", "ok", f"{where}: {len(specs)} sources valid, {enabled} of them enabled"
    )


def disk(settings: Settings) -> Finding:
    folders = {_existing(settings.data_dir)}
    url = sa.engine.make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        folders.add(_existing(Path(url.database).parent))
    worst = min(folders, key=lambda f: shutil.disk_usage(f).free)
    free = shutil.disk_usage(worst).free
    text = f"{_size(free)} free at {worst}"
    if free < MIN_FREE:
        return Finding("disk", "fail", f"only {text}; free space or move NOTIFIER_DATA_DIR")
    if free < WARN_FREE:
        return Finding("disk", "warn", f"only {text}; free space soon")
    return Finding("disk", "ok", text)


def _existing(folder: Path) -> Path:
    """The folder, or the nearest parent that exists (where it would be made)."""
    folder = folder.absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _size(count: int) -> str:
    return f"{count / 1024**3:.1f} GB" if count >= 1024**3 else f"{count / 1024**2:.0f} MB"
