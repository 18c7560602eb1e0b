"""A worker that loses its database (notifier.worker.DatabaseWatch): it keeps running, logs
the loss and the return once each, tries again with a capped exponential backoff, and never
marks done what it did not do.

The backoff and the classification of errors are pure and tested as such. Then a worker (the
real ``run_worker``, in a thread with its own event loop, as in its process) runs on a
private PostgreSQL that is crashed (``pg_ctl stop -m immediate``) and started again: once
while a check round is between its fetch and its writes, once while the mail server holds a
message between DATA and its 250. The suite's shared server is never restarted; without the
PostgreSQL server programs (or, as root, without a ``postgres`` user) these two skip."""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from feeds.catalogue import SourceSpec
from feeds.store.models import Change, Source
from feeds.store.sources import upsert_sources
from notifier.context import Context
from notifier.db import make_engine, upgrade
from notifier.message import OutgoingMessage
from notifier.outbox import SENT, Delivery
from notifier.worker import Backoff, DatabaseWatch, is_lost, run_worker
from tests.conftest import make_settings
from tests.support.httpserver import FixtureServer
from tests.support.outbox import pending_work
from tests.support.pginstance import PgInstance, pg_instance, unavailable
from tests.support.smtpserver import Inbox
from tests.test_plan import subscribe

LOST = "database connection lost"
BACK = "database back after"
PAGE = (
    "<html><body><main><h1>Testing for covid-19</h1><h2>Hvem bør teste seg</h2>"
    "<p>Alle med symptomer bør teste seg med PCR-test eller hurtigtest.</p>"
    "<h2>Endringer</h2><p>Testkriteriene for PCR-test og hurtigtest er oppdatert (versjon {0}).</p></main></body></html>"
)


# --- the backoff (pure) -------------------------------------------------------------


def test_the_backoff_doubles_from_half_a_second_to_its_cap() -> None:
    backoff = Backoff()
    assert [backoff.delay(n, 0.0) for n in range(8)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert backoff.delay(10_000, 0.0) == 30  # no overflow however long the outage


def test_the_jitter_only_shortens_a_wait_and_by_at_most_a_quarter() -> None:
    backoff, rng = Backoff(), random.Random(7)
    for attempt in range(12):
        full = backoff.delay(attempt, 0.0)
        waits = [backoff.delay(attempt, rng.random()) for _ in range(200)]
        assert all(0.75 * full < w <= full for w in waits)
        assert len(set(waits)) > 100  # workers that lost it together spread out
    assert Backoff(first=1, cap=4, spread=0.5).delay(5, 0.5) == 3


@pytest.mark.parametrize(("attempt", "draw"), [(-1, 0.0), (0, 1.0), (0, -0.1)])
def test_the_backoff_refuses_a_negative_attempt_or_a_draw_outside_0_1(
    attempt: int, draw: float
) -> None:
    with pytest.raises(ValueError, match="attempt"):
        Backoff().delay(attempt, draw)


# --- which errors are a lost database (pure) ---------------------------------------


def _wrapped(orig: Exception, invalidated: bool = False) -> sa.exc.DBAPIError:
    kind = (
        sa.exc.OperationalError if "Operational" in repr(type(orig).__mro__) else sa.exc.DBAPIError
    )
    return kind("SELECT 1", None, orig, connection_invalidated=invalidated)


LOST_ERRORS = [
    psycopg.OperationalError(
        'connection failed: connection to server at "127.0.0.1", port 1 failed: Connection refused'
    ),
    psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"),
    psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
    psycopg.errors.CrashShutdown(
        "terminating connection because of crash of another server process"
    ),
    psycopg.errors.CannotConnectNow("the database system is starting up"),
    psycopg.errors.ConnectionFailure("connection failure"),
]
ANSWERED = [
    psycopg.errors.UniqueViolation("duplicate key value violates unique constraint"),
    psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
    psycopg.errors.InvalidPassword("password authentication failed for user"),
    psycopg.errors.SyntaxError("syntax error at or near"),
    sqlite3.OperationalError("database is locked"),
    sqlite3.OperationalError("no such table: source"),
]


@pytest.mark.parametrize("error", LOST_ERRORS, ids=lambda e: type(e).__name__)
def test_a_refused_or_dropped_connection_is_a_lost_database(error: Exception) -> None:
    assert is_lost(error)
    assert is_lost(_wrapped(error))


@pytest.mark.parametrize("error", ANSWERED, ids=lambda e: f"{type(e).__name__}:{e}")
def test_an_error_the_server_answered_with_is_not_a_lost_database(error: Exception) -> None:
    assert not is_lost(error)
    assert not is_lost(_wrapped(error))
    assert is_lost(_wrapped(error, invalidated=True))  # SQLAlchemy saw the connection go
    assert not is_lost(ValueError("not a database error"))


def test_a_write_waits_out_a_refused_connection_as_it_waits_out_a_dropped_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``write_retrying`` (every mark the delivery writes) tries a refused connection again
    (a PostgreSQL restart), on a new connection, and gives up only when the waits are spent;
    an error the server answered with is raised at once."""
    from socket import socket

    from notifier import db

    with socket() as probe:  # a port nobody listens on: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/test")
    monkeypatch.setattr(db, "LOCKED_WAITS", (0.0, 0.0))
    tries: list[int] = []

    def work(session: Session) -> int:
        tries.append(1)
        return int(session.exec(sa.select(1)).one()[0])  # type: ignore[call-overload]

    with pytest.raises(sa.exc.OperationalError):
        db.write_retrying(engine, work)
    assert len(tries) == 3  # the first try and one after each wait
    tries.clear()
    with pytest.raises(sa.exc.OperationalError):
        asyncio.run(db.write_retrying_async(engine, work))
    assert len(tries) == 3
    engine.dispose()


# --- the watch around the jobs (SQLite, in process) ---------------------------------


def _refused() -> sa.exc.OperationalError:
    error = _wrapped(LOST_ERRORS[0])
    assert isinstance(error, sa.exc.OperationalError)
    return error


async def _until(what: Callable[[], bool], message: str) -> None:
    for _ in range(500):
        if what():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(message)


async def test_a_lost_database_pauses_the_jobs_until_a_probe_is_answered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="notifier.worker")
    engine = make_engine(f"sqlite:///{tmp_path / 'n.db'}")
    watch = DatabaseWatch(engine, Backoff(first=0.05, cap=0.2), random.Random(1))
    woken: list[set[str]] = []
    watch.wake = woken.append
    runs: Counter[str] = Counter()

    async def lost_mid_job() -> None:
        runs["check"] += 1
        raise _refused()

    async def fine() -> None:
        runs["deliver"] += 1

    check, deliver = watch.guard("check", lost_mid_job), watch.guard("deliver", fine)
    await check()  # quietly ended: the watch logs it, not the scheduler
    assert watch.down and watch.outages == 1
    await deliver()
    await check()
    assert runs == {"check": 1}  # paused: the ticks are skipped
    await _until(lambda: not watch.down, "the probe never found the database")
    assert woken == [{"check", "deliver"}]  # both missed their turn: run now
    await deliver()
    assert runs == {"check": 1, "deliver": 1} and watch.recoveries == 1
    messages = [r.getMessage() for r in caplog.records if r.name == "notifier.worker"]
    assert [m for m in messages if LOST in m] == [
        f"{LOST} (OperationalError: connection failed: connection to server at "
        '"127.0.0.1", port 1 failed: Connection refused); jobs paused, trying again in '
        "0.1 s, then at longer intervals up to 0 s"
    ]
    assert len([m for m in messages if BACK in m]) == 1
    watch.close()
    engine.dispose()


async def test_any_other_error_of_a_job_is_raised_as_before_and_pauses_nothing(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'n.db'}")
    watch = DatabaseWatch(engine)

    async def broken() -> None:
        raise sa.exc.IntegrityError("INSERT", None, sqlite3.IntegrityError("UNIQUE"))

    with pytest.raises(sa.exc.IntegrityError):
        await watch.guard("digest", broken)()
    assert not watch.down and watch.outages == 0
    watch.close()
    engine.dispose()


async def test_a_job_cancelled_because_the_worker_stops_is_one_line_not_a_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """On SIGTERM the event loop cancels a round in flight; the scheduler would log the
    cancellation as a job that raised (with its traceback)."""
    caplog.set_level(logging.INFO, logger="notifier.worker")
    engine = make_engine(f"sqlite:///{tmp_path / 'n.db'}")
    watch = DatabaseWatch(engine)
    entered = asyncio.Event()

    async def long_round() -> None:
        entered.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(watch.guard("check", long_round)())
    await entered.wait()
    task.cancel()
    assert await task is None
    assert [r.getMessage() for r in caplog.records] == ["check job stopped with the worker"]
    assert not watch.down
    watch.close()
    engine.dispose()


async def test_a_statement_that_finds_the_server_gone_marks_it_down_even_when_caught(
    tmp_path: Path,
) -> None:
    """A lost connection that a job's own retry swallows (notifier.db.write_retrying) is
    still seen: the engine's error event, from any statement of the worker."""
    engine = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none")
    watch = DatabaseWatch(engine, Backoff(first=30))

    async def swallowing() -> None:
        with pytest.raises(sa.exc.OperationalError), engine.connect():
            pass

    await watch.guard("deliver", swallowing)()
    assert watch.down and watch.outages == 1
    watch.close()
    engine.dispose()


# --- a real worker, its PostgreSQL crashed and started again ------------------------

REASON = unavailable()
needs_own_server = pytest.mark.skipif(REASON is not None, reason=str(REASON))


@contextmanager
def worker_thread(ctx: Context, watch: DatabaseWatch) -> Iterator[threading.Thread]:
    """``run_worker`` in a thread with its own event loop (as in its own process: a write
    that waits blocks only the worker's loop); stopped on the way out."""
    started = threading.Event()
    loop: list[asyncio.AbstractEventLoop] = []
    stop: list[asyncio.Event] = []
    errors: list[BaseException] = []

    async def main() -> None:
        loop.append(asyncio.get_running_loop())
        stop.append(asyncio.Event())
        started.set()
        await run_worker(ctx, stop[0], watch)

    def target() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    thread = threading.Thread(target=target, name="worker", daemon=True)
    thread.start()
    assert started.wait(30)
    try:
        yield thread
    finally:
        loop[0].call_soon_threadsafe(stop[0].set)
        thread.join(60)
    assert not thread.is_alive() and errors == []


def wait_until(what: Callable[[], bool], timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if what():
            return
        time.sleep(0.1)
    raise AssertionError(f"{message} (waited {timeout:.0f} s)")


@pytest.fixture
def own_pg(tmp_path: Path, smtp: tuple[Inbox, int]) -> Iterator[tuple[PgInstance, Context, Engine]]:
    """A private server, migrated; the worker's context on it, and an engine of the test's
    own (its queries are not the worker's)."""
    if REASON is not None:
        pytest.skip(REASON)
    with pg_instance() as server:
        settings = make_settings(
            server.url, tmp_path, check_tick_seconds=1, deliver_tick_seconds=1,
            confirm_page_changes=False, domain_pause_seconds=0, check_lease_seconds=10,
            deliver_lease_seconds=10, smtp_url=f"smtp://127.0.0.1:{smtp[1]}",
            smtp_starttls=False, smtp_timeout=5,
        )  # fmt: skip
        engine, mine = make_engine(server.url), make_engine(server.url)
        upgrade(engine)
        try:
            yield server, Context(settings=settings, engine=engine), mine
        finally:
            engine.dispose()
            mine.dispose()


def setup_page(ctx: Context, http: FixtureServer) -> None:
    http.set("/p", PAGE.format(0))
    with Session(ctx.engine) as session:
        upsert_sources(session, [
            SourceSpec(key="p", kind="page", url=http.url("/p"), authority="helsedirektoratet",
                       name="Testing", selector="main", interval_minutes=1)
        ])  # fmt: skip
        session.commit()
    subscribe(ctx, "lege@kommune.no", ["testing"], "immediate")


def settled(engine: Engine) -> bool:
    return pending_work(engine) == 0


def sent_tokens(engine: Engine) -> set[str]:
    """The Message-ID (its local part) of each message marked sent: derived from the row's
    idempotency key, as the sender derives it."""
    with Session(engine) as session:
        keys = session.exec(
            select(Delivery.idempotency_key).where(col(Delivery.status) == SENT)
        ).all()
    return {
        OutgoingMessage("", "", "", "", key).message_id("x").strip("<>").split("@")[0]
        for key in keys
    }


def arrived(inbox: Inbox) -> Counter[str]:
    return Counter(str(m["Message-ID"]).strip("<>").split("@")[0] for m in inbox.messages)


def published(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(Change)
                .where(col(Change.status) == "published")
            ).scalar_one()
        )


def make_due(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE source SET next_check_at = NULL"))


def baseline_taken(engine: Engine) -> bool:
    with Session(engine) as session:
        source = session.exec(select(Source)).one()
        return source.last_checked_at is not None and source.claimed_by is None


def claimed(engine: Engine) -> bool:
    with Session(engine) as session:
        return session.exec(select(Source.claimed_by)).one() is not None


def outage_lines(caplog: pytest.LogCaptureFixture) -> tuple[int, int]:
    messages = [r.getMessage() for r in caplog.records if r.name == "notifier.worker"]
    return sum(LOST in m for m in messages), sum(BACK in m for m in messages)


@pytest.mark.postgres
@needs_own_server
def test_a_crash_between_a_rounds_fetch_and_its_writes_loses_nothing(
    own_pg: tuple[PgInstance, Context, Engine],
    http: FixtureServer,
    smtp: tuple[Inbox, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    server, ctx, mine = own_pg
    inbox, _ = smtp
    setup_page(ctx, http)
    watch = DatabaseWatch(ctx.engine)
    with worker_thread(ctx, watch) as thread:
        wait_until(lambda: baseline_taken(mine), 60, "the page's first check")
        http.set("/p", PAGE.format(1), delay=1.0)  # the round waits for it; then writes
        make_due(mine)
        wait_until(lambda: claimed(mine), 30, "the round to claim the page")
        server.stop()  # a crash, the round's fetch in flight
        time.sleep(3)
        assert thread.is_alive()
        server.start()
        http.set("/p", PAGE.format(1))
        wait_until(lambda: bool(inbox.messages) and settled(mine), 60, "the changed page's alert")
        assert thread.is_alive()
        time.sleep(1.5)  # a second alert, if the round had been stored twice, would be here
    # found again, stored once, told once
    assert published(mine) == 1 and len(inbox.messages) == 1, caplog.text
    assert set(arrived(inbox)) == sent_tokens(mine), caplog.text
    lost, back = outage_lines(caplog)
    assert watch.outages >= 1 and lost == watch.outages == back == watch.recoveries, caplog.text
    assert "Traceback" not in caplog.text  # the loss is one line, not a trace per job


@pytest.mark.postgres
@needs_own_server
def test_a_crash_while_the_mail_server_holds_a_message_loses_nothing(
    own_pg: tuple[PgInstance, Context, Engine],
    http: FixtureServer,
    smtp: tuple[Inbox, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The server's 250 comes while PostgreSQL is down. The message is not lost and the row
    ends sent; it may arrive twice, with the same Message-ID, never more: the sender's next
    statement (its sent mark, or the claim of the next batch) finds the server refusing
    connections, the run ends without the mark, and the row is sent again once the database
    is back (``notifier.db.write_retrying`` waits through a connection that broke, not
    through one that is refused)."""
    caplog.set_level(logging.INFO)
    server, ctx, mine = own_pg
    inbox, _ = smtp
    setup_page(ctx, http)
    watch = DatabaseWatch(ctx.engine)
    with worker_thread(ctx, watch) as thread:
        wait_until(lambda: baseline_taken(mine), 60, "the page's first check")
        inbox.delay = 3.0  # the 250 for the next message comes 3 s after its DATA
        seen = len(inbox.rcpt_seen)
        http.set("/p", PAGE.format(1))
        make_due(mine)
        wait_until(lambda: len(inbox.rcpt_seen) > seen, 30, "the changed page's alert to be sent")
        server.stop()  # before the 250
        wait_until(lambda: len(inbox.messages) == 1, 10, "the server to take the message")
        server.start()
        wait_until(
            lambda: (
                settled(mine)
                and sent_tokens(mine) == set(arrived(inbox))
                and watch.recoveries == watch.outages
            ),  # its jobs resumed (the mark may come first)
            60,
            "the sent mark and the worker's return",
        )
        assert thread.is_alive()
    assert published(mine) == 1 and len(sent_tokens(mine)) == 1, caplog.text
    assert set(arrived(inbox).values()) <= {1, 2}, caplog.text  # a resend, recognisable
    lost, back = outage_lines(caplog)
    assert watch.outages >= 1 and lost == watch.outages == back == watch.recoveries, caplog.text
