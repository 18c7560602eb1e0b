"""A round that reads many sources for the first time reads them in detection processes
started for that round (feeds/check.py, ``baseline``): it finds and stores exactly what a
round read in the checking process does, stops its processes when it ends, starts none for a
round of sources read before or for a small one, and reads here when they cannot start."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import feeds.check
from feeds.check import check_sources
from feeds.detect.processes import DetectProcesses
from feeds.store.models import Source
from notifier.context import Context
from notifier.db import make_engine, upgrade
from notifier.pipeline import classifier_for, make_fetcher
from notifier.settings import Settings
from tests.support.httpserver import FixtureServer
from tests.test_detect_processes import outcomes, page, stored

PAGES = 6


class Watched(DetectProcesses):
    """Real detection processes, remembering what each pool read and whether it stopped."""

    made: ClassVar[list[Watched]] = []

    def __init__(self, processes: int) -> None:
        super().__init__(processes)
        self.read: list[int] = []  # the pids of the processes that read each detection
        self.closed = False
        Watched.made.append(self)

    async def detect(self, *args: Any, **kwargs: Any) -> Any:
        detection = await super().detect(*args, **kwargs)
        self.read.append(len(self.usage()))
        return detection

    def close(self) -> None:
        self.closed = True
        super().close()


class Ready(Watched):
    """Started when made, so they are ready before the round's first page is fetched."""

    def __init__(self, processes: int) -> None:
        super().__init__(processes)
        self.start()


class Slow(Watched):
    """Still starting when the round's pages have been fetched and read."""

    def start(self) -> None:
        time.sleep(0.5)
        super().start()


class Refused(Watched):
    def start(self) -> None:
        raise OSError("no processes here")


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch) -> type[Watched]:
    Watched.made = []
    monkeypatch.setattr(feeds.check, "BASELINE_MIN_SOURCES", PAGES)
    monkeypatch.setattr(feeds.check, "DetectProcesses", Ready)
    return Watched


def serve(http: FixtureServer, version: int) -> None:
    for i in range(PAGES):
        http.set(
            f"/side{i}",
            page(
                f"Side {i}: alle nærkontakter skal holde seg hjemme i fem døgn.",
                f"Testing anbefales på dag {3 + version + i}.",
            ),
        )


def add_sources(engine: Engine, http: FixtureServer, count: int = PAGES) -> list[int]:
    with Session(engine) as session:
        for i in range(count):
            session.add(
                Source(
                    key=f"side{i}", kind="page", url=http.url(f"/side{i}"), authority="fhi",
                    name=f"Side {i}",
                )
            )  # fmt: skip
        session.commit()
        return [s.id or 0 for s in session.exec(select(Source).order_by(Source.id))]


async def rounds(
    ctx: Context, http: FixtureServer, engine: Engine, ids: list[int], baseline: int
) -> list[list[tuple[str, str, int, str]]]:
    # the processes start in the round: on a loaded machine that can outlast the suite's
    # 2 s fetch timeout, which this test is not about
    patient = replace(ctx, settings=ctx.settings.model_copy(update={"http_timeout": 30.0}))
    found = []
    async with make_fetcher(patient) as fetcher:
        for version in (0, 1):
            serve(http, version)
            reports = await check_sources(
                engine, fetcher, ids, classifier_for(ctx), ctx.clock, baseline=baseline
            )
            found.append(outcomes(reports))
    return found


async def test_first_readings_in_processes_store_what_a_round_read_here_does(
    ctx: Context, http: FixtureServer, tmp_path: Path, watched: type[Watched]
) -> None:
    here = make_engine(f"sqlite:///{tmp_path / 'here.db'}")
    upgrade(here)
    in_processes = await rounds(ctx, http, ctx.engine, add_sources(ctx.engine, http), 2)
    read_here = await rounds(ctx, http, here, add_sources(here, http), 0)
    assert in_processes == read_here
    assert [o for _, o, _, _ in in_processes[0]] == ["new"] * PAGES
    assert [(o, n) for _, o, n, _ in in_processes[1]] == [("changed", 1)] * PAGES
    assert stored(ctx.engine) == stored(here) and stored(here)[0]
    # one pool, for the first round only, that read every page in its two processes and
    # stopped with the round; the second round (every source read before) read here
    [pool] = watched.made
    assert len(pool.read) == PAGES and set(pool.read) == {2}
    assert pool.closed and pool.usage() == []
    here.dispose()


async def test_a_round_with_fewer_first_readings_starts_no_processes(
    ctx: Context, http: FixtureServer, watched: type[Watched]
) -> None:
    ids = add_sources(ctx.engine, http, PAGES - 1)
    serve(http, 0)
    found = await rounds(ctx, http, ctx.engine, ids, 2)
    assert [o for _, o, _, _ in found[0]] == ["new"] * (PAGES - 1)
    assert watched.made == []


async def test_pages_fetched_while_the_processes_start_are_read_here(
    ctx: Context, http: FixtureServer, monkeypatch: pytest.MonkeyPatch, watched: type[Watched]
) -> None:
    monkeypatch.setattr(feeds.check, "DetectProcesses", Slow)
    found = await rounds(ctx, http, ctx.engine, add_sources(ctx.engine, http), 2)
    assert [o for _, o, _, _ in found[0]] == ["new"] * PAGES
    [pool] = watched.made
    assert pool.read == [] and pool.closed  # nothing waited for their start


async def test_processes_that_cannot_start_leave_the_reading_here(
    ctx: Context,
    http: FixtureServer,
    monkeypatch: pytest.MonkeyPatch,
    watched: type[Watched],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(feeds.check, "DetectProcesses", Refused)
    with caplog.at_level(logging.WARNING, logger="feeds.check"):
        found = await rounds(ctx, http, ctx.engine, add_sources(ctx.engine, http), 2)
    assert [o for _, o, _, _ in found[0]] == ["new"] * PAGES
    [pool] = watched.made
    assert pool.read == [] and pool.closed
    warned = [r.getMessage() for r in caplog.records if "did not start" in r.getMessage()]
    assert warned == ["detection processes for first readings did not start: no processes here"]


def test_off_by_default_and_set_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().baseline_processes == 0
    monkeypatch.setenv("NOTIFIER_BASELINE_PROCESSES", "2")
    assert Settings().baseline_processes == 2
