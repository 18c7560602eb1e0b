"""Chaos, bounded in time: three ``notifier worker`` processes on PostgreSQL, a local feed
server whose pages change, and an SMTP server that drops connections (at RCPT, and after
DATA before its reply), answers 421 and 451 at random, and refuses one recipient for good
(550); meanwhile workers are killed with SIGKILL at random moments and restarted, and

- on the shared server: every few seconds all their database sessions are cut at once;
- on a PostgreSQL of the test's own (tests/support/pginstance.py): the server itself is
  crashed (``pg_ctl stop -m immediate``) or shut down (``-m fast``) a moment after pages
  changed, so rounds and deliveries are in flight, and started again a few seconds later.
  The shared server is never restarted: other tests use it at the same time.

Afterwards every (change, subscriber) of the e-mail channel was planned once and delivered
exactly once, nothing lost; the only duplicates allowed are a message sent again after its
sender was killed (or its database went away) between the server's 250 and the commit,
recognised by its Message-ID (the same row, the same id). The refused address received
nothing. No worker died other than by the kills; across a restart, every running worker
logged the loss of the database and its return (notifier.worker.DatabaseWatch).

``NOTIFIER_CHAOS_SECONDS`` sets the length of the chaos of each test (defaults 28 s and
22 s; ``make soak`` runs them longer); each test takes about that plus 10-20 s (the
workers' start, the drain)."""

from __future__ import annotations

import os
import random
import re
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from feeds.catalogue import SourceSpec
from feeds.store.models import Change, Source
from feeds.store.sources import upsert_sources
from notifier.context import Context
from notifier.db import make_engine, upgrade
from notifier.message import OutgoingMessage
from notifier.outbox import PENDING, SENT, Delivery, DeliveryItem
from subscribers.models import Subscriber
from tests.conftest import make_settings
from tests.support.faultysmtp import FaultySmtp, faulty_smtp
from tests.support.httpserver import FixtureServer
from tests.support.outbox import pending_work
from tests.support.pginstance import PgInstance, pg_instance, unavailable
from tests.support.workers import Worker, wait_for, worker_env
from tests.test_plan import subscribe

pytestmark = pytest.mark.postgres
CHAOS_SECONDS = os.environ.get("NOTIFIER_CHAOS_SECONDS")
#: the chaos of each test, in seconds
KILLS_SECONDS = float(CHAOS_SECONDS or 28)
RESTARTS_SECONDS = float(CHAOS_SECONDS or 22)
SEED = int(os.environ.get("NOTIFIER_CHAOS_SEED", str(random.randrange(1 << 30))))
PAGES = 8
GOOD = [f"lege{i}@kommune.no" for i in range(12)]
REFUSED = "avvist@kommune.no"
#: the lines a worker logs when its database goes away and when it is back
LOST, BACK = "database connection lost", "database back after"
STARTED = re.compile(r"worker \S+ started")
CUT = sa.text(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"
)
PAGE = (
    "<html><body><main><h1>Testing for covid-19</h1><h2>Hvem bør teste seg</h2>"
    "<p>Alle med symptomer bør teste seg med PCR-test eller hurtigtest. Side {0}.</p>"
    "<h2>Endringer</h2><p>Testkriteriene for PCR-test og hurtigtest er oppdatert (versjon {1}).</p></main></body></html>"
)


@pytest.fixture
def pg(database_url: str, tmp_path: Path) -> Iterator[Context]:
    """A private schema on the shared server."""
    settings = make_settings(database_url, tmp_path)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    yield Context(settings=settings, engine=engine)
    engine.dispose()


@pytest.fixture
def own_pg(tmp_path: Path) -> Iterator[tuple[Context, PgInstance]]:
    """A server of the test's own, that it may crash and start again."""
    if (reason := unavailable()) is not None:
        pytest.skip(f"no PostgreSQL of the test's own to restart: {reason}")
    with pg_instance() as server:
        settings = make_settings(server.url, tmp_path)
        engine = make_engine(settings.database_url)
        upgrade(engine)
        try:
            yield Context(settings=settings, engine=engine), server
        finally:
            engine.dispose()


def has_started(worker: Worker) -> bool:
    return STARTED.search(worker.output()) is not None


@dataclass
class Storm:
    """The workers and what is done to them: kills, page changes, and either session cuts
    (the shared server) or restarts of the server (``server``, one of the test's own); a
    worker that exits is restarted (as a supervisor would)."""

    env: dict[str, str]
    logs: Path
    name: str
    rng: random.Random
    server: PgInstance | None = None
    procs: list[Worker] = field(default_factory=list)
    started: int = 0
    kills: int = 0
    cuts: int = 0
    restarts: int = 0
    version: int = 0
    #: the pages that changed at least once
    changed: set[int] = field(default_factory=set)
    #: logs of workers that exited after they had started, not killed (must stay empty)
    deaths: list[str] = field(default_factory=list)
    #: workers that could not start (the database was away at their start): restarted
    failed_starts: int = 0

    def start(self) -> Worker:
        self.started += 1
        return Worker(self.env, self.logs / f"worker-{self.started}.log")

    def change_pages(self, ctx: Context, http: FixtureServer) -> None:
        self.version += 1
        for i in self.rng.sample(range(PAGES), 3):
            http.set(f"/p/{i}", PAGE.format(i, self.version))
            self.changed.add(i)
        with ctx.engine.begin() as conn:  # their interval has passed
            conn.execute(sa.text("UPDATE source SET next_check_at = NULL"))

    def cut(self, ctx: Context) -> None:
        with ctx.engine.begin() as conn:
            conn.execute(CUT, {"name": self.name})
        self.cuts += 1

    def restart(self, ctx: Context, http: FixtureServer) -> None:
        """Pages change, and a moment later (their rounds and deliveries in flight) the
        server goes: a crash, or every other time a fast shutdown (sessions ended, as a
        restart by the init system); it comes back after 1.5-3.5 s. Then every worker that
        ran meanwhile must log the loss and the return."""
        assert self.server is not None
        self.change_pages(ctx, http)
        time.sleep(self.rng.uniform(0.2, 1.0))
        running = [(w, len(w.output())) for w in self.procs if w.alive and has_started(w)]
        ctx.engine.dispose()  # the test's own connections would only be stale
        self.server.stop("fast" if self.restarts % 2 else "immediate")
        time.sleep(self.rng.uniform(1.5, 3.5))
        self.server.start()
        self.restarts += 1

        def told() -> bool:
            self.supervise()
            return all(LOST in w.output()[n:] and BACK in w.output()[n:] for w, n in running)

        wait_for(told, 30, f"the workers to log the loss and the return (seed {SEED})", *self.procs)

    def kill_one(self) -> None:
        victim = self.rng.randrange(len(self.procs))
        self.procs[victim].kill()
        self.kills += 1
        self.procs[victim] = self.start()

    def supervise(self) -> None:
        for k, w in enumerate(self.procs):
            if not w.alive:  # exited: could not open the database at start, or died
                w.kill()  # reaped, its log closed
                if has_started(w):
                    self.deaths.append(f"{w.log.name}:\n{w.output()[-3000:]}")
                else:
                    self.failed_starts += 1
                self.procs[k] = self.start()

    def run(self, ctx: Context, http: FixtureServer, seconds: float) -> None:
        clock = time.monotonic

        def up() -> bool:
            self.supervise()
            return all(has_started(w) for w in self.procs)

        wait_for(up, 90, f"the workers to start (seed {SEED})", *self.procs)
        end, change, kill, cut = clock() + seconds, clock() + 2, clock() + 4, clock() + 5
        while clock() < end:
            now = clock()
            if now >= change:  # some pages change: new changes, new alerts
                self.change_pages(ctx, http)
                change = now + self.rng.uniform(3, 6)
            if now >= cut:
                if self.server is None:
                    self.cut(ctx)
                    cut = now + self.rng.uniform(6, 12)
                else:
                    self.restart(ctx, http)
                    cut = clock() + self.rng.uniform(3, 6)
                    kill = max(kill, clock() + 1)
            self.supervise()
            if now >= kill:
                self.kill_one()
                kill = now + self.rng.uniform(4, 8)
            time.sleep(0.1)


def setup(ctx: Context, http: FixtureServer) -> None:
    for i in range(PAGES):
        http.set(f"/p/{i}", PAGE.format(i, 0))
    with Session(ctx.engine) as session:
        upsert_sources(session, [
            SourceSpec(key=f"p{i}", kind="page", url=http.url(f"/p/{i}"),
                       authority="helsedirektoratet", name=f"Testing {i}", selector="main",
                       interval_minutes=1)
            for i in range(PAGES)
        ])  # fmt: skip
        session.commit()
    for address in [*GOOD, REFUSED]:
        subscribe(ctx, address, ["testing"], "immediate")


def drain(ctx: Context, storm: Storm) -> None:
    """Wait until every page was checked after the storm (so its last version is found),
    every change dispatched and every message settled; pending retries are brought forward
    (their backoff is not what is tested here)."""
    calm = datetime.now(UTC)
    stale = sa.or_(col(Source.last_success_at).is_(None), col(Source.last_success_at) < calm)

    def settled() -> bool:
        storm.supervise()
        try:
            with ctx.engine.begin() as conn:  # due now, also after an error's longer pause
                conn.execute(sa.update(Source).where(stale).values(next_check_at=None))
                conn.execute(
                    sa.update(Delivery)
                    .where(col(Delivery.status) == PENDING)
                    .values(next_attempt_at=datetime.now(UTC))
                )
                unchecked = conn.execute(
                    sa.select(sa.func.count()).select_from(Source).where(stale)
                ).scalar_one()
        except sa.exc.OperationalError:
            # the test's own nudge of every pending row can deadlock with a worker updating
            # one of them (PostgreSQL aborts one side): not settled yet, nudged again next poll
            return False
        return unchecked == 0 and pending_work(ctx.engine) == 0

    wait_for(settled, 150, f"the outbox to drain (seed {SEED})", *storm.procs)


def storm_of(url: str, tmp_path: Path, port: int, **kw: object) -> Storm:
    """Three workers on ``url``; their sessions carry a name of their own (application_name),
    for the session cuts."""
    (tmp_path / "logs").mkdir()
    name = f"chaos_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in url else "?"
    env = worker_env(
        f"{url}{sep}application_name={name}", tmp_path / "var",
        smtp_url=f"smtp://127.0.0.1:{port}", smtp_starttls="false", smtp_timeout=5,
        confirm_page_changes="false", deliver_lease_seconds=10, check_lease_seconds=10,
        domain_pause_seconds=0, deliver_max_attempts=30,
    )  # fmt: skip
    storm = Storm(env, tmp_path / "logs", name, random.Random(SEED), **kw)  # type: ignore[arg-type]
    storm.procs = [storm.start() for _ in range(3)]
    return storm


def weather(
    ctx: Context, http: FixtureServer, storm: Storm, smtp: FaultySmtp, seconds: float
) -> None:
    try:
        storm.run(ctx, http, seconds)
        smtp.faults = False  # the storm is over; REFUSED is still refused
        drain(ctx, storm)
    finally:
        for w in storm.procs:
            w.kill()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_workers_killed_at_random_deliver_every_change_exactly_once(
    pg: Context, http: FixtureServer, tmp_path: Path
) -> None:
    setup(pg, http)
    with faulty_smtp(SEED, {REFUSED}) as (smtp, port):
        # the workers' sessions are cut all at once every few seconds, as a restart of
        # PostgreSQL would end them (the server itself is shared with other tests)
        storm = storm_of(pg.settings.database_url, tmp_path, port)
        weather(pg, http, storm, smtp, KILLS_SECONDS)
    context = (
        f"seed {SEED}, {storm.kills} kills, {storm.cuts} cuts, {len(smtp.accepted)} taken, "
        f"faults {smtp.injected}"
    )
    assert storm.kills >= 3 and storm.version >= 3 and sum(smtp.injected.values()) >= 3, context
    assert storm.deaths == [], (context, storm.deaths)
    exactly_once(pg, smtp, storm, storm.kills + 3 * storm.cuts, context)


def test_postgres_restarted_mid_round_loses_nothing_and_kills_no_worker(
    own_pg: tuple[Context, PgInstance], http: FixtureServer, tmp_path: Path
) -> None:
    ctx, server = own_pg
    setup(ctx, http)
    with faulty_smtp(SEED, {REFUSED}) as (smtp, port):
        storm = storm_of(server.url, tmp_path, port, server=server)
        weather(ctx, http, storm, smtp, RESTARTS_SECONDS)
    context = (
        f"seed {SEED}, {storm.restarts} restarts, {storm.kills} kills, "
        f"{storm.failed_starts} start(s) without a database, {len(smtp.accepted)} taken, "
        f"faults {smtp.injected}"
    )
    assert storm.restarts >= 2 and storm.kills >= 1 and storm.version >= 3, context
    assert storm.deaths == [], (context, storm.deaths)
    # the messages a worker's senders had accepted and not yet marked when the database
    # went away are sent again (same Message-ID): a sender flushes its marks once as many
    # wait as there are senders, so at most 2 x senders - 1 per worker and restart
    unmarked = 3 * (2 * ctx.settings.smtp_connections - 1)
    exactly_once(ctx, smtp, storm, storm.kills + unmarked * storm.restarts, context)


def token(idempotency_key: str) -> str:
    """The local part of the Message-ID a row is sent with (derived from its idempotency
    key, as the sender derives it)."""
    message = OutgoingMessage("", "", "", "", idempotency_key)
    return message.message_id("x").strip("<>").split("@")[0]


def exactly_once(ctx: Context, smtp: FaultySmtp, storm: Storm, resends: int, context: str) -> None:
    """Every (change, subscriber) planned once, each message of a good subscriber sent and
    taken by the server exactly once, but for at most ``resends`` messages taken twice
    (the same Message-ID); the refused address never taken."""
    with Session(ctx.engine) as session:
        changes = list(session.exec(select(Change).where(col(Change.status) == "published")))
        subscribers = {s.id: s.email for s in session.exec(select(Subscriber))}
        items = list(session.exec(select(DeliveryItem).where(DeliveryItem.channel == "email")))
        rows = {d.id: d for d in session.exec(select(Delivery).where(Delivery.channel == "email"))}
    matched = [c for c in changes if "testing" in ctx.with_umbrellas(c.subtopics)]
    # every page that changed was found changed, and its changes reach people
    keys = {f"p{i}" for i in storm.changed}
    with Session(ctx.engine) as session:
        by_id = {s.id: s.key for s in session.exec(select(Source))}
    assert {by_id[c.source_id] for c in matched} == keys, context
    # planned: every (change, subscriber) once (delivery_item is unique on the pair)
    good = {sid for sid, email in subscribers.items() if email in GOOD}
    planned = Counter((i.change_id, i.subscriber_id) for i in items)
    expected = {(c.id, sid) for c in matched for sid in good}
    assert {p for p in planned if p[1] in good} == expected, context
    assert set(planned.values()) == {1}
    # delivered: each message of a good subscriber sent; the server took each exactly once
    ids = {i.delivery_id for i in items if i.subscriber_id in good}
    assert {rows[i].status for i in ids} == {SENT}, context
    taken = Counter(mid.strip("<>").split("@")[0] for mid, _ in smtp.accepted)
    sent = {token(rows[i].idempotency_key): i for i in ids}
    missing = [i for t, i in sent.items() if taken[t] == 0]
    assert missing == [], f"messages {missing} never arrived; {context}"
    assert set(taken) <= set(sent), context  # nothing the outbox did not hold
    duplicates = {sent[m]: n for m, n in taken.items() if n > 1}
    assert all(n == 2 for n in duplicates.values()), (duplicates, context)
    assert len(duplicates) <= resends, (duplicates, context)
    assert not any(REFUSED in rcpts for _, rcpts in smtp.accepted)
    assert all(rows[i.delivery_id].status != SENT for i in items if i.subscriber_id not in good)
    print(f"chaos: {context}; {len(matched)} changes, {len(ids)} messages, {duplicates} resent")
