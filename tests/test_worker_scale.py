"""Several ``notifier worker`` processes on one PostgreSQL against a local HTTP server: each
source checked exactly once per interval, a claim left by a worker killed mid-round expires
and is taken again, and the hour's digest run happens once (docs/scaling.md). Each test
takes 15-40 s of real time: real processes, real leases."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from feeds.catalogue import SourceSpec
from feeds.store.models import Source
from feeds.store.sources import upsert_sources
from notifier.context import Context
from notifier.db import make_engine, upgrade
from notifier.leases import JobRun
from notifier.outbox import Delivery
from notifier.schedule import DigestRun, slot_of
from tests.conftest import make_settings
from tests.support.httpserver import FixtureServer
from tests.support.workers import wait_for, worker_env, workers
from tests.test_plan import add_change, subscribe

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]
PAGE = "<html><body><main><h1>Side {0}</h1><p>Råd nummer {0}.</p></main></body></html>"


@pytest.fixture
def pg(database_url: str, tmp_path: Path) -> Iterator[Context]:
    """A context on the real clock (the workers run on it too)."""
    settings = make_settings(database_url, tmp_path)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    yield Context(settings=settings, engine=engine)
    engine.dispose()


def add_pages(ctx: Context, http: FixtureServer, n: int, delay: float = 0.0) -> None:
    specs = []
    for i in range(n):
        http.set(f"/p/{i}", PAGE.format(i), delay=delay)
        specs.append(
            SourceSpec(key=f"p{i:03}", kind="page", url=http.url(f"/p/{i}"), authority="fhi",
                       name=f"Side {i}", selector="main")
        )  # fmt: skip
    with Session(ctx.engine) as session:
        upsert_sources(session, specs)
        session.commit()


def sources(ctx: Context) -> list[Source]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Source).order_by(col(Source.key))).all())


def fetched(http: FixtureServer) -> Counter[str]:
    return Counter(path for path, _ in list(http.requests) if path.startswith("/p/"))


def claimers(logs: Path) -> Counter[str]:
    """Worker log file -> the sources it claimed, from the 'claimed N due source(s)' lines."""
    found: Counter[str] = Counter()
    for log in logs.glob("*.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        for m in re.finditer(r"claimed (\d+) due source", text):
            found[log.name] += int(m.group(1))
    return found


def test_three_workers_check_each_source_exactly_once_per_interval(
    pg: Context, http: FixtureServer, tmp_path: Path
) -> None:
    n = 24
    add_pages(pg, http, n, delay=0.3)  # rounds overlap: each takes a while
    env = worker_env(pg.settings.database_url, tmp_path / "var", check_claim_limit=4)
    logs = tmp_path / "logs"
    with workers(env, logs, 3) as procs:
        wait_for(lambda: all(s.last_checked_at for s in sources(pg)), 60, "first round", *procs)
        time.sleep(3)  # several more ticks of every worker: nothing is due
        assert fetched(http) == Counter({f"/p/{i}": 1 for i in range(n)})
        assert len(claimers(logs)) >= 2, claimers(logs)  # the work was shared
        # the interval passes (every source due again at once)
        mark = datetime.now(UTC)
        with pg.engine.begin() as conn:
            conn.execute(sa.update(Source).values(next_check_at=mark))
        wait_for(
            lambda: all(s.last_checked_at and s.last_checked_at > mark for s in sources(pg)),
            60, "second round", *procs,
        )  # fmt: skip
        time.sleep(3)
        assert fetched(http) == Counter({f"/p/{i}": 2 for i in range(n)})
        assert sum(claimers(logs).values()) == 2 * n
        assert all(s.claimed_by is None and s.last_outcome == "unchanged" for s in sources(pg))
        assert [w.stop() for w in procs] == [0, 0, 0]  # SIGTERM: a clean stop
    with pg.engine.connect() as conn:
        checks = conn.execute(sa.text("SELECT sum(checks) FROM source_check_hour")).scalar()
    assert checks == 2 * n


def test_a_claim_left_by_a_killed_worker_expires_and_is_taken_again(
    pg: Context, http: FixtureServer, tmp_path: Path
) -> None:
    n, lease = 6, 10
    add_pages(pg, http, n, delay=3.0)  # the round is in flight for 3 s
    env = worker_env(
        pg.settings.database_url, tmp_path / "var", check_lease_seconds=lease, check_tick_seconds=1
    )
    logs = tmp_path / "logs"
    with workers(env, logs / "a", 1) as [first]:
        wait_for(lambda: sum(fetched(http).values()) == n, 30, "the first round", first)
        first.kill()  # mid-round: every source fetched, none stored
    held = sources(pg)
    assert {s.claimed_by for s in held} != {None} and len({s.claimed_by for s in held}) == 1
    assert all(s.last_checked_at is None for s in held)
    until = min(s.claimed_until for s in held if s.claimed_until)
    with workers(env, logs / "b", 1) as [second]:
        # the dead worker's lease still runs: the new worker leaves its sources alone
        while datetime.now(UTC) < until - timedelta(seconds=1):
            assert sum(fetched(http).values()) == n
            assert second.alive, second.output()
            time.sleep(0.2)
        wait_for(lambda: all(s.last_checked_at for s in sources(pg)), 30, "taken again", second)
        assert second.stop() == 0
    assert fetched(http) == Counter({f"/p/{i}": 2 for i in range(n)})
    after = sources(pg)
    assert all(s.claimed_by is None and s.last_outcome == "new" for s in after)
    assert all(s.last_checked_at and s.last_checked_at >= until for s in after)


def test_two_workers_run_the_hours_digest_once(
    pg: Context, http: FixtureServer, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    hour = now.astimezone(ZoneInfo(pg.settings.timezone)).hour
    if now.minute == 59 and now.second > 30:
        time.sleep(31)  # not across an hour: the run's period is the hour's slot
        now, hour = datetime.now(UTC), (hour + 1) % 24
    subscribe(pg, "lege@kommune.no", ["tisk"], "daily")
    subscribe(pg, "annen@kommune.no", ["tisk"], "daily")
    with pg.engine.begin() as conn:
        conn.execute(sa.text("UPDATE subscriber SET digest_hour = :h"), {"h": hour})
    add_change(pg, "Nye råd om testing", ["testing"])
    env = worker_env(pg.settings.database_url, tmp_path / "var")
    with workers(env, tmp_path / "logs", 2) as procs:

        def written() -> bool:
            with Session(pg.engine) as session:
                run = session.exec(select(JobRun).where(JobRun.job == "digest")).first()
                return run is not None and run.finished_at is not None

        wait_for(written, 60, "the digest run", *procs)
        time.sleep(2)
        outputs = [w.output() for w in procs]
        assert [w.stop() for w in procs] == [0, 0]
    with Session(pg.engine) as session:
        runs = list(session.exec(select(JobRun).where(JobRun.job == "digest")))
        slots = list(session.exec(select(DigestRun)))
        digests = sorted(d.to_address for d in session.exec(select(Delivery)))
    assert [(r.period, r.attempts) for r in runs] == [(slot_of(now).isoformat(), 1)]
    assert [(s.slot, s.written) for s in slots] == [(slot_of(now), 2)]
    assert digests == ["annen@kommune.no", "lege@kommune.no"]
    assert sum("digests:" in out for out in outputs) == 1  # one worker composed, one skipped


def test_a_worker_stopped_mid_round_gives_its_sources_back(
    pg: Context, http: FixtureServer, tmp_path: Path
) -> None:
    n = 4
    add_pages(pg, http, n, delay=3.0)
    env = worker_env(pg.settings.database_url, tmp_path / "var")
    with workers(env, tmp_path / "logs", 1) as [worker]:
        wait_for(lambda: sum(fetched(http).values()) == n, 30, "the round", worker)
        assert {s.claimed_by for s in sources(pg)} != {None}
        assert worker.stop() == 0  # SIGTERM while every fetch is in flight
    left = sources(pg)
    assert all(s.claimed_by is None and s.claimed_until is None for s in left)
    assert all(s.last_checked_at is None for s in left)  # due at once for the next worker
