"""Shared fixtures: real loopback servers, and a database on SQLite and on PostgreSQL."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer.testing

from notifier.context import Context
from notifier.db import make_engine, upgrade
from notifier.settings import Settings
from tests.support.httpserver import FixtureServer, serving
from tests.support.schema import postgres_schema, prepare
from tests.support.smtpserver import Inbox, smtp_server

# The suite reads fetched pages in the checking process, where its tests can watch and time
# the reading; the product reads in 2 processes of their own on 2 CPUs or more
# (``notifier.settings.default_detect_processes``), which tests/test_detect_processes.py
# tests with counts of its own. Set before any Settings is made (workers, CLI runs inherit it).
os.environ.setdefault("NOTIFIER_DETECT_PROCESSES", "0")

PG_URL = os.environ.get(
    "NOTIFIER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_reason() -> str | None:
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means: skip with the reason
        return f"PostgreSQL not reachable at {PG_URL} ({type(exc).__name__}); start it or set NOTIFIER_TEST_POSTGRES_URL"
    return None


_PG_SKIP = _postgres_reason()

# typer turns an app into its click command again on every CliRunner.invoke (~35 ms, paid
# about a thousand times a run); an app does not change once its module is imported
typer.testing._get_command = functools.cache(typer.testing._get_command)  # type: ignore[attr-defined]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a private schema on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'notifier.db'}"
        return
    if _PG_SKIP:
        pytest.skip(_PG_SKIP)
    with postgres_schema(PG_URL) as url:
        yield url


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))


@pytest.fixture
def http() -> Iterator[FixtureServer]:
    with serving() as server:
        yield server


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as pair:
        yield pair


def make_settings(database_url: str, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": tmp_path / "var",
        "allow_private_sources": True,
        "per_host_min_gap": 0.0,
        "per_host_concurrency": 4,
        # the fixture server answers at once; 5 s, not 2, so that a worker stalled by the other
        # worker and the database on a loaded CI machine does not turn a page into a timeout
        # (a clean-clone run once failed test_confirm so). Tests of timeouts set their own.
        "http_timeout": 5.0,
        "base_url": "https://varsel.example.no",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def ctx(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Context]:
    settings = make_settings(database_url, tmp_path)
    prepare(settings.database_url)  # the migrations' schema, made once per test process
    engine = make_engine(settings.database_url)
    upgrade(engine)  # finds it at the newest revision
    yield Context(settings=settings, engine=engine, clock=clock)
    engine.dispose()
