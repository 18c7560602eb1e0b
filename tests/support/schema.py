"""A database for each test, and the newest schema in it in milliseconds, not the ~0.15 s
(SQLite) and ~0.3 s (PostgreSQL) that running the migrations costs: about 1,700 tests take a
``ctx``, so the migrations ran for ~6 minutes of a CI run's ~25.

The migrations run once per test process, for real (``notifier.db.upgrade``):
- on SQLite into a template file, which each test gets a copy of;
- on PostgreSQL into a schema of their own, recording every statement that changed it; a
  test's empty schema then gets those statements again, in their order (~0.2 s of DDL). The
  first copy is compared with the schema the migrations made (``_digest``: columns and
  their defaults, constraints, indexes, version) and a difference fails the test run: a
  replay that drifted from the migrations is never used.
- on PostgreSQL, a migrated schema a test is done with is emptied (its rows deleted, its
  sequences restarted: ~20 ms) and kept for the next test, which gets it under its own
  schema's name, when its shape is still exactly the migrations' (a test that migrated it
  down and up again, or changed it, leaves it to be dropped).

Tests of the migrations themselves migrate their own empty databases (``database_url``
without ``ctx``) and do not use this."""

from __future__ import annotations

import atexit
import contextlib
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from notifier.db import make_engine, upgrade

_template: dict[str, Any] = {}
#: emptied migrated PostgreSQL schemas of this process, waiting for a test
_pool: list[str] = []
#: the most of them kept
POOL_SIZE = 2
#: the schemas of this process's tests that ``prepare`` migrated
_prepared: set[str] = set()
_admins: dict[str, sa.Engine] = {}


@contextmanager
def postgres_schema(admin_url: str) -> Iterator[str]:
    """The URL of a new, empty schema of its own on the PostgreSQL at ``admin_url``; dropped
    afterwards, or kept for a next test when ``prepare`` migrated it and it is unchanged."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = _admin(admin_url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _in_schema(admin_url, schema)
    finally:
        if not _kept(admin, schema):
            with admin.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


def prepare(database_url: str) -> None:
    """Give the empty database at ``database_url`` the newest schema, as ``upgrade`` would."""
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database, database_url
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_sqlite_template(), url.database)
        return
    statements = _postgres_statements(database_url)
    schema = _search_path(database_url)
    if _pool:
        with _admin(_admin_url(database_url)).begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}"'))  # empty: refused if not
            connection.execute(sa.text(f'ALTER SCHEMA "{_pool.pop()}" RENAME TO "{schema}"'))
    else:
        _replay(database_url, statements)
    _prepared.add(schema)


@atexit.register
def _drop_pool() -> None:
    """The pooled schemas go with the test process (a run leaves none behind)."""
    for admin in _admins.values():
        with contextlib.suppress(sa.exc.SQLAlchemyError), admin.begin() as connection:
            for schema in _pool:
                connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    _pool.clear()


def _kept(admin: sa.Engine, schema: str) -> bool:
    """Whether ``schema`` was emptied and put in the pool (a migrated schema of the
    migrations' shape still, while the pool has room)."""
    if schema not in _prepared:
        return False
    _prepared.discard(schema)
    if len(_pool) >= POOL_SIZE:
        return False
    shape = _template["postgresql_shape"]
    with admin.begin() as connection:
        if _digest(connection, schema) != shape["digest"]:
            return False
        for table in shape["tables"]:  # the rows of a table before those they refer to
            connection.execute(sa.text(f'DELETE FROM "{schema}"."{table}"'))
        for sequence in shape["sequences"]:
            connection.execute(sa.text(f'ALTER SEQUENCE "{schema}"."{sequence}" RESTART'))
        pooled = f"t_pool_{uuid.uuid4().hex[:10]}"
        connection.execute(sa.text(f'ALTER SCHEMA "{schema}" RENAME TO "{pooled}"'))
    _pool.append(pooled)
    return True


def _sqlite_template() -> Path:
    if "sqlite" not in _template:
        path = Path(tempfile.mkdtemp(prefix="notifier-schema-")) / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        with engine.connect() as connection:  # the whole file in the main file, no WAL beside
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        _template["sqlite"] = path
    return Path(_template["sqlite"])


_Statement = tuple[str, Any]


def _postgres_statements(database_url: str) -> list[_Statement]:
    """What the migrations executed on an empty schema of their own but reading it (the
    reflection's SELECTs) and the migration lock; checked once against a replay."""
    if "postgresql" in _template:
        return list(_template["postgresql"])
    admin_url = _admin_url(database_url)
    recorded: list[_Statement] = []
    made, copy = (f"t_tpl_{uuid.uuid4().hex[:10]}" for _ in range(2))
    admin = _admin(admin_url)
    try:
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{made}"'))
            connection.execute(sa.text(f'CREATE SCHEMA "{copy}"'))
        engine = make_engine(_in_schema(admin_url, made))

        @sa.event.listens_for(engine, "before_cursor_execute")
        def _record(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
            if not statement.lstrip().upper().startswith(("SELECT", "SHOW")):
                recorded.append((statement, parameters))

        upgrade(engine)
        engine.dispose()
        _replay(_in_schema(admin_url, copy), recorded)
        with admin.connect() as connection:
            shape = _deletable(connection, made)
            replayed = _digest(connection, copy)
        if replayed != shape["digest"]:
            raise AssertionError(
                "tests/support/schema.py: replaying the migrations' statements gave another "
                "schema than running them (columns, defaults, constraints, indexes or version)"
            )
        _template["postgresql_shape"] = shape
    finally:
        with admin.begin() as connection:
            for schema in (made, copy):
                connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    _template["postgresql"] = recorded
    return list(recorded)


def _replay(database_url: str, statements: list[_Statement]) -> None:
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            for statement, parameters in statements:
                connection.exec_driver_sql(statement, parameters or None)
    finally:
        engine.dispose()


def _deletable(connection: sa.Connection, schema: str) -> dict[str, Any]:
    """What emptying a migrated ``schema`` takes: its tables, each before the tables it
    refers to; its sequences; and the digest of its shape. The migrations left no row but
    their version (a pooled schema emptied of its rows is then a freshly migrated one)."""
    tables = {
        name
        for (name,) in connection.execute(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}
        )
    } - {"alembic_version"}
    refers: dict[str, set[str]] = {table: set() for table in tables}
    for child, parent in connection.execute(
        sa.text(
            "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c "
            "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = :s AND c.contype = 'f'"
        ),
        {"s": schema},
    ):
        child, parent = (name.removeprefix(f"{schema}.").strip('"') for name in (child, parent))
        if child != parent:
            refers[child].add(parent)
    order: list[str] = []
    while refers:  # children first: a table no remaining table refers to
        free = sorted(t for t in refers if not any(t in parents for parents in refers.values()))
        if not free:
            raise AssertionError(f"tests/support/schema.py: foreign keys in a cycle: {refers}")
        order.extend(free)
        for table in free:
            del refers[table]
    for table in order:
        rows = connection.execute(sa.text(f'SELECT count(*) FROM "{schema}"."{table}"')).scalar()
        if rows:
            raise AssertionError(f"tests/support/schema.py: the migrations left rows in {table}")
    sequences = [
        name
        for (name,) in connection.execute(
            sa.text("SELECT sequencename FROM pg_sequences WHERE schemaname = :s"), {"s": schema}
        )
    ]
    return {"tables": order, "sequences": sequences, "digest": _digest(connection, schema)}


def _digest(connection: sa.Connection, schema: str) -> str:
    """One query's digest of a schema's shape, its own name left out of it: every column with
    its type, nullability and default, every constraint and index, and the version."""
    return str(
        connection.execute(
            sa.text(
                "SELECT md5(string_agg(x, ',' ORDER BY x)) FROM ("
                " SELECT c.relname || '.' || a.attname || ':'"
                "  || format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull || ':'"
                "  || coalesce(replace(pg_get_expr(d.adbin, d.adrelid), :p, ''), '') AS x"
                "  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                "  JOIN pg_namespace n ON n.oid = c.relnamespace"
                "  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                "  WHERE n.nspname = :s AND a.attnum > 0 AND NOT a.attisdropped"
                " UNION ALL SELECT 'c:' || c.conname || ':'"
                "  || replace(pg_get_constraintdef(c.oid), :p, '')"
                "  FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
                "  WHERE n.nspname = :s"
                " UNION ALL SELECT 'i:' || indexname || ':' || replace(indexdef, :p, '')"
                "  FROM pg_indexes WHERE schemaname = :s"
                f" UNION ALL SELECT 'v:' || version_num FROM \"{schema}\".alembic_version) q"
            ),
            {"s": schema, "p": f"{schema}."},
        ).scalar()
    )


def _admin(admin_url: str) -> sa.Engine:
    if admin_url not in _admins:
        _admins[admin_url] = sa.create_engine(admin_url)
    return _admins[admin_url]


def _search_path(database_url: str) -> str:
    options = str(sa.engine.make_url(database_url).query.get("options", ""))
    assert options.startswith("-csearch_path="), database_url
    return options.removeprefix("-csearch_path=")


def _admin_url(database_url: str) -> str:
    """``database_url`` without the test schema's ``search_path`` option."""
    url = sa.engine.make_url(database_url)
    query = {k: v for k, v in url.query.items() if k != "options"}
    return url.set(query=query).render_as_string(hide_password=False)


def _in_schema(admin_url: str, schema: str) -> str:
    sep = "&" if "?" in admin_url else "?"
    return f"{admin_url}{sep}options=-csearch_path%3D{schema}"
