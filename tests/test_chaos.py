"""Chaos, bounded in time: three ``notifier worker`` processes on PostgreSQL, a local feed
server whose pages change, and an SMTP server that drops connections (at RCPT, and after
DATA before its reply), answers 421 and 451 at random, and refuses one recipient for good
(550); meanwhile workers are killed with SIGKILL at random moments and restarted, and every
few seconds all their database sessions are cut at once (as a restart of PostgreSQL would).

Afterwards every (change, subscriber) of the e-mail channel was planned once and delivered
exactly once, nothing lost; the only duplicates allowed are a message sent again after its
sender was killed between the server's 250 and the commit, recognised by its Message-ID (the
same row, the same id), at most one per kill. The refused address received nothing.

``NOTIFIER_CHAOS_SECONDS`` sets the length of the chaos (default 40 s; ``make soak`` runs it
longer); the whole test takes about that plus a minute."""

from __future__ import annotations

import os
import random
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
from feeds.store.models import Change
from feeds.store.sources import upsert_sources
from notifier.context import Context
from notifier.db import make_engine, upgrade
from notifier.outbox import PENDING, SENT, Delivery, DeliveryItem
from subscribers.models import Subscriber
from tests.conftest import make_settings
from tests.support.faultysmtp import FaultySmtp, faulty_smtp
from tests.support.httpserver import FixtureServer
from tests.support.workers import Worker, wait_for, worker_env
from tests.test_plan import subscribe

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]
CHAOS_SECONDS = float(os.environ.get("NOTIFIER_CHAOS_SECONDS", "40"))
SEED = int(os.environ.get("NOTIFIER_CHAOS_SEED", str(random.randrange(1 << 30))))
PAGES = 8
GOOD = [f"lege{i}@kommune.no" for i in range(12)]
REFUSED = "avvist@kommune.no"
CUT = sa.text(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"
)
PAGE = (
    "<html><body><main><h1>Testing for covid-19</h1><h2>Hvem bør teste seg</h2>"
    "<p>Alle med symptomer bør teste seg med PCR-test eller hurtigtest. Side {0}.</p>"
    "<h2>Endringer</h2><p>Testkriteriene er oppdatert (versjon {1}).</p></main></body></html>"
)


@pytest.fixture
def pg(database_url: str, tmp_path: Path) -> Iterator[Context]:
    settings = make_settings(database_url, tmp_path)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    yield Context(settings=settings, engine=engine)
    engine.dispose()


def pending_work(ctx: Context) -> int:
    with ctx.engine.connect() as conn:
        waiting = conn.execute(
            sa.select(sa.func.count()).select_from(Delivery).where(col(Delivery.status) == PENDING)
        ).scalar_one()
        undispatched = conn.execute(
            sa.select(sa.func.count())
            .select_from(Change)
            .where(col(Change.dispatched_at).is_(None), col(Change.status) == "published")
        ).scalar_one()
    return int(waiting) + int(undispatched)


@dataclass
class Storm:
    """The workers and what is done to them: kills, session cuts, page changes; a worker
    that exits is restarted (as a supervisor would)."""

    env: dict[str, str]
    logs: Path
    name: str
    rng: random.Random
    procs: list[Worker] = field(default_factory=list)
    started: int = 0
    kills: int = 0
    cuts: int = 0
    version: int = 0

    def start(self) -> Worker:
        self.started += 1
        return Worker(self.env, self.logs / f"worker-{self.started}.log")

    def change_pages(self, ctx: Context, http: FixtureServer) -> None:
        self.version += 1
        for i in self.rng.sample(range(PAGES), 3):
            http.set(f"/p/{i}", PAGE.format(i, self.version))
        with ctx.engine.begin() as conn:  # their interval has passed
            conn.execute(sa.text("UPDATE source SET next_check_at = NULL"))

    def cut(self, ctx: Context) -> None:
        with ctx.engine.begin() as conn:
            conn.execute(CUT, {"name": self.name})
        self.cuts += 1

    def kill_one(self) -> None:
        victim = self.rng.randrange(len(self.procs))
        self.procs[victim].kill()
        self.kills += 1
        self.procs[victim] = self.start()

    def supervise(self) -> None:
        for k, w in enumerate(self.procs):
            if not w.alive:  # exited (e.g. could not open the database at start)
                w.kill()  # reaped, its log closed
                self.procs[k] = self.start()

    def run(self, ctx: Context, http: FixtureServer, seconds: float) -> None:
        clock = time.monotonic
        end, change, kill, cut = clock() + seconds, clock() + 3, clock() + 5, clock() + 8
        while clock() < end:
            now = clock()
            if now >= change:  # some pages change: new changes, new alerts
                self.change_pages(ctx, http)
                change = now + self.rng.uniform(3, 6)
            if now >= cut:
                self.cut(ctx)
                cut = now + self.rng.uniform(6, 12)
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
    """Wait until every change is dispatched and every message settled; pending retries
    are brought forward (their backoff is not what is tested here)."""

    def settled() -> bool:
        storm.supervise()
        with ctx.engine.begin() as conn:
            conn.execute(
                sa.update(Delivery)
                .where(col(Delivery.status) == PENDING)
                .values(next_attempt_at=datetime.now(UTC))
            )
        return pending_work(ctx) == 0

    wait_for(settled, 150, f"the outbox to drain (seed {SEED})", *storm.procs)


def test_workers_killed_at_random_deliver_every_change_exactly_once(
    pg: Context, http: FixtureServer, tmp_path: Path
) -> None:
    setup(pg, http)
    (tmp_path / "logs").mkdir()
    # the workers' sessions carry a name of their own: the test cuts them all at once, as
    # a restart of PostgreSQL would (the server itself is shared with other tests)
    name = f"chaos_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in pg.settings.database_url else "?"
    with faulty_smtp(SEED, {REFUSED}) as (smtp, port):
        env = worker_env(
            f"{pg.settings.database_url}{sep}application_name={name}", tmp_path / "var",
            smtp_url=f"smtp://127.0.0.1:{port}", smtp_starttls="false", smtp_timeout=5,
            confirm_page_changes="false", deliver_lease_seconds=10, check_lease_seconds=10,
            domain_pause_seconds=0, deliver_max_attempts=30,
        )  # fmt: skip
        storm = Storm(env, tmp_path / "logs", name, random.Random(SEED))
        storm.procs = [storm.start() for _ in range(3)]
        try:
            storm.run(pg, http, CHAOS_SECONDS)
            smtp.faults = False  # the storm is over; REFUSED is still refused
            drain(pg, storm)
        finally:
            for w in storm.procs:
                w.kill()
    context = (
        f"seed {SEED}, {storm.kills} kills, {storm.cuts} cuts, {len(smtp.accepted)} taken, "
        f"faults {smtp.injected}"
    )
    assert storm.kills >= 3 and storm.version >= 3 and sum(smtp.injected.values()) >= 3, context
    exactly_once(pg, smtp, storm, context)


def exactly_once(ctx: Context, smtp: FaultySmtp, storm: Storm, context: str) -> None:
    with Session(ctx.engine) as session:
        changes = list(session.exec(select(Change).where(col(Change.status) == "published")))
        subscribers = {s.id: s.email for s in session.exec(select(Subscriber))}
        items = list(session.exec(select(DeliveryItem).where(DeliveryItem.channel == "email")))
        rows = {d.id: d for d in session.exec(select(Delivery).where(Delivery.channel == "email"))}
    matched = [c for c in changes if "testing" in ctx.with_umbrellas(c.subtopics)]
    assert len(matched) >= PAGES, context  # the baselines' and later changes reach people
    # planned: every (change, subscriber) once (delivery_item is unique on the pair)
    good = {sid for sid, email in subscribers.items() if email in GOOD}
    planned = Counter((i.change_id, i.subscriber_id) for i in items)
    expected = {(c.id, sid) for c in matched for sid in good}
    assert {p for p in planned if p[1] in good} == expected, context
    assert set(planned.values()) == {1}
    # delivered: each message of a good subscriber sent; the server took each exactly once
    ids = {i.delivery_id for i in items if i.subscriber_id in good}
    assert {rows[i].status for i in ids} == {SENT}, context
    taken = Counter(mid.split("@")[0] for mid, _ in smtp.accepted)
    sent = {rows[i].message().message_id("x").split("@")[0]: i for i in ids}
    missing = [i for token, i in sent.items() if taken[token] == 0]
    assert missing == [], f"messages {missing} never arrived; {context}"
    assert set(taken) <= set(sent), context  # nothing the outbox did not hold
    duplicates = {sent[m]: n for m, n in taken.items() if n > 1}
    assert all(n == 2 for n in duplicates.values()), (duplicates, context)
    # a kill between the server's 250 and the commit; a cut there, once per worker
    assert len(duplicates) <= storm.kills + 3 * storm.cuts, (duplicates, context)
    assert not any(REFUSED in rcpts for _, rcpts in smtp.accepted)
    assert all(rows[i.delivery_id].status != SENT for i in items if i.subscriber_id not in good)
    print(f"chaos: {context}; {len(matched)} changes, {len(ids)} messages, {duplicates} resent")
