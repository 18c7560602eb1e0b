"""Bulk inserts for the outbox writer: COPY on PostgreSQL, the driver's own executemany on
SQLite (values converted by the columns' bind processors), SQLAlchemy's executemany elsewhere.
Errors are raised as SQLAlchemy raises them, so that a batch is retried the same way."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError, OperationalError


def insert_rows(conn: Connection, table: str, statement: Any, rows: list[dict[str, Any]]) -> None:
    """Bulk insert without SQLAlchemy's per-row parameter handling: COPY on PostgreSQL
    (several times faster than multi-row INSERTs for 100,000 rows; a key taken meanwhile fails
    the batch, which ``store_in_batches`` retries), the driver's own executemany on SQLite
    (the values converted by the columns' own bind processors, each distinct value once:
    a batch shares its times), SQLAlchemy's executemany elsewhere."""
    dialect = conn.dialect.name
    if dialect not in ("postgresql", "sqlite"):
        conn.execute(statement, rows)
        return
    names = list(rows[0])
    raw = conn.connection.driver_connection
    assert raw is not None
    dbapi = conn.dialect.dbapi
    assert dbapi is not None
    converter = _converter if dialect == "sqlite" else _copy_converter
    columns = statement.table.c
    convert = [
        (i, c)
        for i, name in enumerate(names)
        if (c := converter(columns[name].type, conn.dialect)) is not None
    ]
    get = itemgetter(*names)
    values = get if len(names) > 1 else lambda row: (get(row),)
    if dialect == "sqlite":
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        try:
            raw.executemany(sql, [_converted(values(row), convert) for row in rows])
        except dbapi.IntegrityError as exc:
            raise IntegrityError(sql, None, exc) from exc
        except dbapi.OperationalError as exc:  # "database is locked": the batch is retried
            raise OperationalError(sql, None, exc) from exc
        return
    sql = f"COPY {table} ({', '.join(names)}) FROM STDIN"
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            write = copy.write_row
            for row in rows:
                write(_converted(values(row), convert))
    except dbapi.IntegrityError as exc:  # as SQLAlchemy would raise it: the batch is retried
        raise IntegrityError(sql, None, exc) from exc


def _converted(
    values: tuple[Any, ...], convert: list[tuple[int, Callable[[Any], Any]]]
) -> tuple[Any, ...]:
    """A row's values with the columns that need it converted (a few of its columns)."""
    if not convert:
        return values
    out = list(values)
    for i, process in convert:
        out[i] = process(out[i])
    return tuple(out)


def _converter(type_: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """The column type's bind processing (JSON text, naive UTC time text), remembered per
    distinct value but for JSON (a batch's rows share their times)."""
    process: Callable[[Any], Any] | None = type_.bind_processor(dialect)
    if process is None or isinstance(type_, sa.JSON):
        return process
    seen: dict[Any, Any] = {}

    def cached(value: Any) -> Any:
        found = seen.get(value, _MISSING)
        if found is _MISSING:
            assert process is not None
            found = seen[value] = process(value)
        return found

    return cached


_MISSING = object()


def _copy_converter(type_: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """What COPY needs done to a column's values: JSON as text, times as naive UTC (each
    distinct time once); the driver writes the rest as they are."""
    if isinstance(type_, sa.JSON):
        return _copyable
    return _converter(type_, dialect)


#: JSON as ``json.dumps(value, ensure_ascii=False)`` writes it, by one encoder: ``dumps`` with
#: an argument makes an encoder per call (a national change's 100,000 rows have two JSON
#: columns each)
_JSON = json.JSONEncoder(ensure_ascii=False).encode


def _copyable(value: Any) -> Any:
    """A value as the outbox's columns store it: JSON text, naive UTC times."""
    if isinstance(value, dict):
        return _JSON(value) if value else "{}"
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    return value
