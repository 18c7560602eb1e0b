"""Two processes on one SQLite file never fail with "database is locked": a worker checking,
dispatching and delivering, while command-line processes check every source, add subscribers
and clean up, all using the same file at once (WAL, a busy timeout, short transactions,
and ``notifier.db.write_retrying`` for what may still meet the lock). ~20 s of real time
(each command is a process of its own)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import Session, select

from feeds.catalogue import SourceSpec
from feeds.store.models import Change, Source
from feeds.store.sources import upsert_sources
from notifier.db import make_engine, upgrade
from subscribers.models import Subscriber
from tests.support.httpserver import FixtureServer
from tests.support.workers import ROOT, wait_for, worker_env, workers

PAGE = (
    "<html><body><main><h1>Testing {0}</h1><h2>Råd</h2><p>Alle med symptomer bør teste seg "
    "(versjon {1}).</p><p>Testing og isolasjon, side {0}.</p></main></body></html>"
)
ROUNDS = 3


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "notifier", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_worker_and_commands_share_one_sqlite_file_without_locking_errors(
    http: FixtureServer, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'notifier.db'}"
    engine = make_engine(url)
    upgrade(engine)
    n = 30
    for i in range(n):
        http.set(f"/p/{i}", PAGE.format(i, 0))
    with Session(engine) as session:
        upsert_sources(session, [
            SourceSpec(key=f"p{i:03}", kind="page", url=http.url(f"/p/{i}"), authority="fhi",
                       name=f"Side {i}", selector="main", interval_minutes=1)
            for i in range(n)
        ])  # fmt: skip
        session.commit()
    env = worker_env(url, tmp_path / "var", confirm_page_changes="false")
    failures: list[str] = []
    with workers(env, tmp_path / "logs", 1) as [worker]:
        for r in range(1, ROUNDS + 1):
            for i in range(0, n, 2):  # half the pages change each round: both sides store
                http.set(f"/p/{i}", PAGE.format(i, r))
            for args in (
                ("check", "--all"),
                ("subscribers", "add", f"lege{r}@kommune.no", "--role", "kommunelege",
                 "--subtopic", "testing", "--cadence", "immediate"),
                ("housekeeping",) if r == ROUNDS else ("sources", "list"),
            ):  # fmt: skip
                done = cli(env, *args)
                if done.returncode != 0 or "is locked" in done.stdout + done.stderr:
                    failures.append(f"{args}: {done.returncode}\n{done.stdout}\n{done.stderr}")
            assert worker.alive, worker.output()
        # The worker's first round may find nothing due: `check --all` above may have checked
        # every source first (one-minute interval). Rather than wait that minute (it made this
        # test take 18 to 73 s), the sources are made due now, a write of this process on the
        # same file while the worker runs; the worker (1 s tick) claims them then.
        with Session(engine) as session:
            for source in session.exec(select(Source)):
                source.next_check_at = None
                session.add(source)
            session.commit()
        wait_for(lambda: "claimed" in worker.output(), 90, "a round of the worker", worker)
        assert worker.stop() == 0
    log = worker.output()
    assert failures == []
    # a write that still meets the lock after the busy timeout is waited for and tried again
    # ("database locked; trying again in ...", by design); it never fails with SQLite's own
    # "database is locked" or a traceback
    assert "is locked" not in log and "Traceback" not in log, log[-3000:]
    with Session(engine) as session:
        assert len(session.exec(select(Subscriber)).all()) == ROUNDS
        assert all(s.last_outcome for s in session.exec(select(Source)))
        assert len(session.exec(select(Change)).all()) >= n // 2 * (ROUNDS - 1)
    engine.dispose()


def test_processes_starting_at_once_migrate_one_after_the_other(tmp_path: Path) -> None:
    """Web and worker started together on a new file: one creates the schema, the other
    waits for it and finds it done (no "table already exists", no lock error)."""
    url = f"sqlite:///{tmp_path / 'new.db'}"
    env = worker_env(url, tmp_path / "var")
    command = [sys.executable, "-m", "notifier", "db", "upgrade"]
    out, text = subprocess.PIPE, subprocess.STDOUT
    procs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=text, text=True)
        for _ in range(3)
    ]
    deadline = time.monotonic() + 120
    outputs = [p.communicate(timeout=max(1.0, deadline - time.monotonic()))[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    assert all("up to date" in out for out in outputs)
