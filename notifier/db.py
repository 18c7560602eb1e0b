"""The database: one engine per process, sessions, and migrations (Alembic) on start.

Alembic is imported only when a migration may be needed: ``upgrade`` first compares the
database's ``alembic_version`` with the heads of the migration scripts (read from their files),
and a schema already at its heads (every worker after the first start) never loads Alembic,
Mako and their ~11 MB (bench.scale's worker RSS).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import re
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

import feeds.store.hosts
import feeds.store.models
import notifier.leases
import notifier.models
import notifier.outbox
import subscribers.models  # noqa: F401  (tables register on SQLModel.metadata)

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)
T = TypeVar("T")
#: waits between tries of a write that found the database locked (SQLite), in seconds
LOCKED_WAITS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        engine = sa.create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def _ensure_sqlite_dir(url: str) -> None:
    path = sa.engine.make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


class UnknownSchemaError(Exception):
    """The database's schema is at a revision these migration scripts do not know: a newer
    notifier migrated it. The text is Alembic's, on one line."""


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (safe to run on every start, also by several
    processes starting at once: one migrates, the others wait for it and find it done). A
    schema at the scripts' heads already is left as it is without loading Alembic (~10 MB a
    process). UnknownSchemaError when a newer notifier migrated the database."""
    if at_heads(engine):
        return
    from alembic import command
    from alembic.config import Config
    from alembic.util.exc import CommandError

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # The lock is taken before the transaction begins and let go after it committed: a
    # process that got it earlier, before the commit, would read the schema as it was and
    # migrate it again ("table already exists"; seen with three processes on a new file).
    with file_lock(engine, "migrations"), engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # held until the commit
            key = zlib.crc32(b"migrations")
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, "heads")
        except CommandError as exc:  # "Can't locate revision ...": told in our terms
            raise UnknownSchemaError(" ".join(str(exc).split())) from exc


_REVISION = re.compile(r"^revision\b[^=\n]*=\s*[\"']([^\"']+)[\"']", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=\n]*=(.*)$", re.M)
_DEPENDS_ON = re.compile(r"^depends_on\b[^=\n]*=\s*None\s*$", re.M)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


def script_heads(folder: Path = MIGRATIONS / "versions") -> frozenset[str] | None:
    """The head revisions of the migration scripts, read from their text (``revision = "..."``,
    ``down_revision = ...``) without importing Alembic; None when a script does not state
    them that plainly (or uses ``depends_on``): then Alembic itself decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in folder.glob("*.py"):
        if path.name == "__init__.py":
            continue
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN_REVISION.search(text)
        if revision is None or down is None or not _DEPENDS_ON.search(text):
            return None
        revisions.add(revision.group(1))
        parents.update(_QUOTED.findall(down.group(1)))
    return frozenset(revisions - parents) or None


def at_heads(engine: Engine) -> bool:
    """Whether the database's ``alembic_version`` holds exactly the scripts' heads (False
    when it cannot be read: no table yet, or the scripts' heads are unclear)."""
    heads = script_heads()
    if heads is None:
        return False
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            current = frozenset(str(row[0]) for row in rows)
    except sa.exc.DBAPIError:
        return False  # no such table yet; a database that cannot be reached fails in Alembic
    return current == heads


@contextmanager
def file_lock(engine: Engine, name: str) -> Iterator[None]:
    """For a SQLite file: a lock file beside it (``<file>.<name>.lock``), held across
    processes for the block. Other databases: nothing (they use advisory locks)."""
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:":
        yield
        return
    with open(f"{path}.{name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def exclusive(connection: sa.Connection, name: str) -> Iterator[None]:
    """Hold a lock named ``name`` across processes for the rest of ``connection``'s
    transaction (PostgreSQL: a transaction advisory lock) or for the block (a SQLite file: a
    lock file beside it)."""
    if connection.dialect.name == "postgresql":
        key = zlib.crc32(name.encode())
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        yield
        return
    with file_lock(connection.engine, name):
        yield


def is_locked(exc: BaseException) -> bool:
    """True for SQLite's "database is locked" (another process holds the write lock longer
    than the busy timeout, or a read snapshot went stale before its write)."""
    return isinstance(exc, sa.exc.OperationalError) and "locked" in str(exc.orig).lower()


def is_disconnect(exc: BaseException) -> bool:
    """True when the connection to the database was lost (PostgreSQL restarted, a network
    cut, the server ended the session): the work may be tried again on a new connection."""
    return isinstance(exc, sa.exc.DBAPIError) and bool(exc.connection_invalidated)


#: SQLSTATEs of a PostgreSQL server that is going away or not taking connections yet:
#: admin_shutdown, crash_shutdown, cannot_connect_now (class 08, connection exceptions, too)
_GOING = frozenset({"57P01", "57P02", "57P03"})


def is_lost(exc: BaseException) -> bool:
    """True when ``exc`` (SQLAlchemy's or the driver's own) says the database cannot be
    reached: a connection lost or refused, a server shutting down or starting up. Not a
    locked SQLite file (``notifier.db.write_retrying`` waits for that), nor any error the
    server answered with (a constraint, a syntax error, a timeout)."""
    if is_disconnect(exc):
        return True
    orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    kinds = {k.__name__ for k in type(orig).__mro__}
    if not hasattr(orig, "sqlstate") or not kinds & {"OperationalError", "InterfaceError"}:
        return False  # not a PostgreSQL driver's error, or not about the connection
    state: str | None = getattr(orig, "sqlstate", None)
    return state is None or state.startswith("08") or state in _GOING


def _once(
    engine: Engine, work: Callable[[Session], T], wait: float | None
) -> tuple[bool, T | None]:
    """One try of ``work`` in its own session, committed: (True, result), or (False, None)
    when the database was locked and another try (after ``wait``) may follow."""
    try:
        with Session(engine, expire_on_commit=False) as s:
            result = work(s)
            s.commit()
            return True, result
    except sa.exc.DBAPIError as exc:
        # a connection refused counts as lost: a restart of PostgreSQL is waited out too (a
        # "sent" mark after the mail server's 250 must not fail at once and send it again)
        if wait is None or not (is_locked(exc) or is_lost(exc)):
            raise
        why = "locked" if is_locked(exc) else "connection lost"
        log.info("database %s; trying again in %.2f s", why, wait)
        return False, None


def write_retrying(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run ``work`` in a session of its own and commit; a locked database or a lost connection
    is waited for (the whole transaction is tried again, on a new connection), never a crash,
    unless it lasts ~16 s more. ``work`` must be safe to run again: a connection lost during
    COMMIT leaves it unknown whether the first try was stored."""
    for wait in (*LOCKED_WAITS, None):
        done, result = _once(engine, work, wait)
        if done:
            return result  # type: ignore[return-value]
        time.sleep(wait or 0)
    raise AssertionError("unreachable")


async def write_retrying_async(engine: Engine, work: Callable[[Session], T]) -> T:
    """``write_retrying`` for the event loop: the waits do not block it."""
    for wait in (*LOCKED_WAITS, None):
        done, result = _once(engine, work, wait)
        if done:
            return result  # type: ignore[return-value]
        await asyncio.sleep(wait or 0)
    raise AssertionError("unreachable")


def session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


__all__ = [
    "exclusive",
    "feeds",
    "is_disconnect",
    "is_locked",
    "is_lost",
    "make_engine",
    "notifier",
    "session",
    "upgrade",
    "write_retrying",
    "write_retrying_async",
]
