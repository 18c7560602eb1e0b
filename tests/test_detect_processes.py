"""Detection in processes of its own (feeds/detect/processes.py): a round read there finds and
stores exactly what a round read in the checking process finds; errors cross whole; a process
that dies or hangs costs its own source's check only; the processes are limited in memory;
and a round whose fetches outrun the processes does not hold every body it fetched."""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import feeds.check
from feeds.catalogue import SourceSpec
from feeds.check import CheckReport, Classifier, check_sources
from feeds.classify import Classification
from feeds.classify.shipped import SHIPPED
from feeds.detect.detection import DetectedChange
from feeds.detect.processes import (
    MEMORY_LIMIT_BYTES,
    DetectProcesses,
    detect_packed,
    detect_tagged,
    shared,
)
from feeds.errors import (
    ContentCollapse,
    FeedEmptied,
    FeedsError,
    PermanentStatusError,
    SourceProblem,
    TransientStatusError,
)
from feeds.store.models import Change, Snapshot, Source
from feeds.store.snapshot import stored_state
from feeds.types import FetchResult
from notifier.context import Context
from notifier.db import make_engine, upgrade
from notifier.pipeline import classifier_for, make_fetcher
from notifier.settings import Settings, default_detect_processes
from tests.support.httpserver import FixtureServer


def page(*paragraphs: str) -> bytes:
    body = "".join(f"<h2>Del {i}</h2><p>{p}</p>" for i, p in enumerate(paragraphs))
    return f"<html><body><main><h1>Råd om smittevern</h1>{body}</main></body></html>".encode()


def feed(*titles: str) -> bytes:
    items = "".join(
        f"<item><title>{t}</title><link>https://www.fhi.no/nyheter/{i}</link>"
        f"<guid>https://www.fhi.no/nyheter/{i}</guid><description>Om {t}.</description></item>"
        for i, t in enumerate(titles)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>FHI</title>"
        f"<link>https://www.fhi.no/</link><description>Nyheter</description>{items}"
        "</channel></rss>"
    ).encode()


SOURCES = [
    ("side", "page", "/side", None),
    ("nyheter", "feed", "/nyheter.rss", None),
    ("tom", "page", "/tom", "#finnes-ikke"),  # its selector matches nothing: a SourceProblem
]


def serve(http: FixtureServer, version: int) -> None:
    http.set(
        "/side",
        page(
            "Alle nærkontakter skal holde seg hjemme i fem døgn.",
            f"Testing anbefales på dag {3 + version}.",
            "Kommunene skal ha en plan for vaksinasjon.",
        ),
    )
    http.set("/nyheter.rss", feed(*[f"Nyhet {i}" for i in range(3 + version)]))
    http.set("/tom", page("Ingen innhold her."))


def add_sources(engine: Engine, http: FixtureServer) -> list[int]:
    with Session(engine) as session:
        for key, kind, path, selector in SOURCES:
            session.add(
                Source(
                    key=key, kind=kind, url=http.url(path), authority="fhi", name=key,
                    selector=selector,
                )
            )  # fmt: skip
        session.commit()
        return [s.id or 0 for s in session.exec(select(Source).order_by(Source.id))]


def stored(engine: Engine) -> tuple[list[Any], list[Any]]:
    """What a round left in the database, as comparable values (in the order of the sources:
    the order in which a round's checks end is not fixed)."""
    with Session(engine) as session:
        changes = [
            (
                c.source_id,
                c.kind,
                c.title,
                tuple(c.section),
                c.before,
                c.after,
                c.subtopics,
                c.regions,
                c.urgent,
                c.reasons,
            )
            for c in session.exec(select(Change).order_by(Change.id))
        ]
        snapshots = []
        for s in session.exec(select(Snapshot).order_by(Snapshot.id)):
            state = stored_state(s.packed_state or s.state)
            assert state is not None
            page_ = state.page
            sections = [(x.path, x.text, x.digest) for x in page_.sections] if page_ else []
            snapshots.append((s.source_id, s.content_digest, sections, sorted(state.seen)))
    return sorted(changes, key=repr), sorted(snapshots, key=repr)


def outcomes(reports: list[CheckReport]) -> list[tuple[str, str, int, str]]:
    return [(r.key, r.outcome, r.changes, r.detail) for r in reports]


async def test_a_round_read_in_processes_finds_and_stores_what_one_read_here_does(
    ctx: Context, http: FixtureServer, tmp_path: Path
) -> None:
    here = make_engine(f"sqlite:///{tmp_path / 'here.db'}")
    upgrade(here)
    ids = {"processes": add_sources(ctx.engine, http), "here": add_sources(here, http)}
    engines = {"processes": ctx.engine, "here": here}
    pool = DetectProcesses(2)
    classifier = classifier_for(ctx)
    found: dict[str, list[Any]] = {"processes": [], "here": []}
    # the processes start at the first read: on a loaded machine that can outlast the suite's
    # 2 s fetch timeout, which this test is not about
    patient = replace(ctx, settings=ctx.settings.model_copy(update={"http_timeout": 30.0}))
    try:
        async with make_fetcher(patient) as fetcher:
            for version in (0, 1):
                serve(http, version)
                for way, engine in engines.items():
                    reports = await check_sources(
                        engine, fetcher, ids[way], classifier, ctx.clock,
                        processes=pool if way == "processes" else None,
                    )  # fmt: skip
                    found[way].append(outcomes(reports))
    finally:
        pool.close()
    assert found["processes"] == found["here"]
    first, second = found["processes"]
    assert [(k, o) for k, o, _, _ in first] == [
        ("side", "new"),
        ("nyheter", "new"),
        ("tom", "error"),
    ]
    assert "SourceProblem" in first[2][3]
    assert [(k, o, n) for k, o, n, _ in second[:2]] == [
        ("side", "changed", 1),
        ("nyheter", "new", 1),
    ]
    assert stored(ctx.engine) == stored(here)
    assert stored(here)[0]  # the changes are there to compare
    here.dispose()


@pytest.mark.parametrize(
    "error",
    [
        SourceProblem("siden er tom"),
        ContentCollapse("det meste av teksten forsvant", "abc123"),
        FeedEmptied("feeden er tom", 12),
        TransientStatusError("503 fra verten", 503, retry_after=30.0),
        PermanentStatusError("404 fra verten", 404),
    ],
)
def test_an_error_crosses_from_a_process_whole(error: FeedsError) -> None:
    """The default pickling of an exception calls its class with ``args`` alone, which fails
    for errors that take more and drops their attributes."""
    back = pickle.loads(pickle.dumps(error, protocol=5))
    assert type(back) is type(error)
    assert str(back) == str(error) and back.args == error.args
    assert back.__dict__ == error.__dict__


def spec(key: str = "side") -> SourceSpec:
    return SourceSpec(
        key=key, kind="page", url="https://www.fhi.no/side", authority="fhi", name=key
    )


def response(body: bytes) -> FetchResult:
    return FetchResult("https://www.fhi.no/side", 200, body, {"content-type": "text/html"})


async def test_a_process_that_dies_is_its_source_s_problem_and_is_replaced() -> None:
    pool = DetectProcesses(1)
    try:
        pool.start()
        [before] = pool.usage()
        os.kill(before.pid, signal.SIGKILL)
        with pytest.raises(SourceProblem, match="stopped the process that read it"):
            await pool.detect(spec(), response(page("Første versjon.")), None, None)
        detection = await pool.detect(spec(), response(page("Første versjon.")), None, None)
        assert detection.outcome == "new" and detection.baseline
        [after] = pool.usage()
        assert after.pid != before.pid
    finally:
        pool.close()


async def test_a_detection_that_takes_too_long_is_stopped_and_its_process_replaced() -> None:
    huge = page(*("Smittevernråd for kommunene. " * 400 for _ in range(600)))  # ~7 MB
    pool = DetectProcesses(1, timeout=0.05)
    try:
        pool.start()
        [before] = pool.usage()
        with pytest.raises(SourceProblem, match="took longer than"):
            await pool.detect(spec(), response(huge), None, None)
        pool.timeout = 60.0
        detection = await pool.detect(spec(), response(page("Kort side.")), None, None)
        assert detection.outcome == "new"
        [after] = pool.usage()
        assert after.pid != before.pid
    finally:
        pool.close()


async def test_what_a_process_sends_back_is_what_detection_here_gives() -> None:
    """The sections travel back compressed only, and read back to the same text."""
    body = page("Alle nærkontakter skal holde seg hjemme.", "• punkt", "Vaksine for alle.")
    pool = DetectProcesses(1)
    try:
        there = await pool.detect(spec(), response(body), None, None)
    finally:
        pool.close()
    here = detect_packed(spec(), response(body), None, None)
    assert there.state is not None and here.state is not None
    assert there.state.page is not None and here.state.page is not None
    assert all("text" not in s.__dict__ for s in there.state.page.sections)
    assert [s.digest for s in there.state.page.sections] == [
        s.digest for s in here.state.page.sections
    ]
    assert there.state.page.sections == here.state.page.sections  # the texts, read back
    assert there.state.page.digest == here.state.page.digest


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux)")
async def test_a_detection_process_may_not_map_more_than_its_limit() -> None:
    pool = DetectProcesses(1)
    try:
        pool.start()
        await pool.detect(spec(), response(page("Oppvarming.")), None, None)
        [usage] = pool.usage()
        limits = Path(f"/proc/{usage.pid}/limits").read_text().splitlines()
        [line] = [x for x in limits if x.startswith("Max address space")]
        assert line.split()[3] == str(MEMORY_LIMIT_BYTES)
    finally:
        pool.close()


async def test_a_round_whose_fetches_outrun_its_processes_holds_few_bodies(
    ctx: Context, http: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the backlog's limit at one body, a new request waits until the bodies fetched are
    read: at most those already under way (the host's slots) wait at once; without the limit
    all 24 would (each ~1 MB page takes far longer to read than to fetch)."""
    monkeypatch.setattr(feeds.check, "BACKLOG_BYTES", 1)
    text = "Smittevernråd for kommunene og helsetjenesten. " * 2000
    with Session(ctx.engine) as session:
        for i in range(24):
            http.set(f"/p{i}", page(*(f"{text} {i}-{j}" for j in range(10))))
            session.add(
                Source(key=f"p{i}", kind="page", url=http.url(f"/p{i}"), authority="fhi", name="p")
            )
        session.commit()
        ids = [s.id or 0 for s in session.exec(select(Source))]
    pool = DetectProcesses(1)
    waiting, most = 0, 0
    real = pool.detect_tagged

    async def counted(*args: Any) -> Any:
        nonlocal waiting, most
        waiting += 1
        most = max(most, waiting)
        try:
            return await real(*args)
        finally:
            waiting -= 1

    monkeypatch.setattr(pool, "detect_tagged", counted)
    try:
        async with make_fetcher(ctx) as fetcher:
            reports = await check_sources(
                ctx.engine, fetcher, ids, classifier_for(ctx), ctx.clock, processes=pool
            )
    finally:
        pool.close()
    assert [r.outcome for r in reports] == ["new"] * 24
    assert 1 <= most <= ctx.settings.per_host_concurrency + 1


def test_the_setting_says_how_many_processes_read(ctx: Context) -> None:
    """0 (the suite's, tests/conftest.py): none, detection in the checking process; a count:
    that many, shared by every context of the process."""
    assert ctx.settings.detect_processes == 0 and ctx.detect_processes is None
    ctx.settings = ctx.settings.model_copy(update={"detect_processes": 3})
    assert ctx.detect_processes is shared(3)
    assert ctx.detect_processes.processes == 3


async def test_a_page_that_takes_too_long_to_read_is_its_source_s_problem_in_a_round(
    ctx: Context, http: FixtureServer
) -> None:
    """Through a whole round: the slow page's source records the problem and keeps no new
    version; the next round reads the other sources in the fresh process."""
    http.set("/treg", page(*("Smittevernråd for kommunene. " * 400 for _ in range(600))))
    http.set("/a", page("Alle nærkontakter skal holde seg hjemme."))
    http.set("/b", page("Kommunene skal ha en plan for vaksinasjon."))
    with Session(ctx.engine) as session:
        for key in ("treg", "a", "b"):
            session.add(
                Source(key=key, kind="page", url=http.url(f"/{key}"), authority="fhi", name=key)
            )
        session.commit()
        ids = {s.key: s.id or 0 for s in session.exec(select(Source))}
    pool = DetectProcesses(1, timeout=0.05)
    try:
        async with make_fetcher(ctx) as fetcher:
            [slow] = await check_sources(
                ctx.engine, fetcher, [ids["treg"]], classifier_for(ctx), ctx.clock,
                processes=pool,
            )  # fmt: skip
            pool.timeout = 60.0
            others = await check_sources(
                ctx.engine, fetcher, [ids["a"], ids["b"]], classifier_for(ctx), ctx.clock,
                processes=pool,
            )  # fmt: skip
    finally:
        pool.close()
    assert slow.outcome == "error" and "took longer than" in slow.detail
    assert [r.outcome for r in others] == ["new", "new"]
    with Session(ctx.engine) as session:
        treg = session.exec(select(Source).where(Source.key == "treg")).one()
        assert treg.consecutive_errors == 1 and "took longer than" in (treg.last_error or "")
        assert not session.exec(select(Snapshot).where(Snapshot.source_id == treg.id)).all()


async def test_the_detection_waiting_behind_one_that_killed_its_process_is_sent_again() -> None:
    """Two detections in one process's pipe; the process dies under the first (killed here
    while it reads a 14 MB page, ~0.4 s): the first is its source's problem, the second is
    read by the fresh process."""
    huge = page(*("Smittevernråd for kommunene. " * 400 for _ in range(1200)))
    pool = DetectProcesses(1)
    try:
        pool.start()
        [before] = pool.usage()
        first = asyncio.ensure_future(pool.detect(spec("stor"), response(huge), None, None))
        second = asyncio.ensure_future(
            pool.detect(spec("liten"), response(page("Kort side.")), None, None)
        )
        await asyncio.sleep(0.05)
        os.kill(before.pid, signal.SIGKILL)
        with pytest.raises(SourceProblem, match="stopped the process that read it"):
            await first
        assert (await second).outcome == "new"
        [after] = pool.usage()
        assert after.pid != before.pid
    finally:
        pool.close()


class Counted:
    """A classifier that counts its calls here, and names the one to run in a detection
    process in its stead (``portable``)."""

    def __init__(self, real: Classifier, portable: Classifier | None) -> None:
        self.real = real
        self.portable = portable
        self.calls = 0

    def __call__(self, spec: SourceSpec, change: DetectedChange) -> Classification:
        self.calls += 1
        return self.real(spec, change)


class Failing:
    """A classifier that fails (pickled by name: a detection process imports this module)."""

    def __call__(self, spec: SourceSpec, change: DetectedChange) -> Classification:
        raise RuntimeError("klassifisering feilet der")


@pytest.mark.parametrize("portable", ["shipped", "failing"])
async def test_changes_are_classified_in_the_detection_process_or_here_when_it_fails(
    ctx: Context, http: FixtureServer, tmp_path: Path, portable: str
) -> None:
    """With the chain's classifier, a page's changes come back classified from the process
    that read it (none classified here), as they would be here; a classifier that fails
    there leaves them to be classified here, so nothing is lost."""
    here = make_engine(f"sqlite:///{tmp_path / 'here.db'}")
    upgrade(here)
    ids = {"processes": add_sources(ctx.engine, http), "here": add_sources(here, http)}
    real = classifier_for(ctx)
    assert getattr(real, "portable", None) is SHIPPED
    counted = Counted(real, SHIPPED if portable == "shipped" else Failing())
    pool = DetectProcesses(1)
    patient = replace(ctx, settings=ctx.settings.model_copy(update={"http_timeout": 30.0}))
    try:
        async with make_fetcher(patient) as fetcher:
            for version in (0, 1):
                serve(http, version)
                there = await check_sources(
                    ctx.engine, fetcher, ids["processes"], counted, ctx.clock, processes=pool
                )
                alone = await check_sources(here, fetcher, ids["here"], real, ctx.clock)
                assert outcomes(there) == outcomes(alone)
    finally:
        pool.close()
    changes = stored(here)[0]
    assert len(changes) == 2 and any(c[6] for c in changes)  # tagged: subtopics
    assert stored(ctx.engine) == stored(here)
    assert counted.calls == (0 if portable == "shipped" else len(changes))
    here.dispose()


def test_the_shipped_classifier_crosses_by_name_and_classifies_as_the_chain_s(
    ctx: Context,
) -> None:
    change = DetectedChange(
        "f", "changed", "Råd om testing", "https://www.fhi.no/side", ("Testing",),
        before="Alle nærkontakter skal testes på dag 3.",
        after="Alle nærkontakter i Bergen kommune skal testes på dag 5.",
    )  # fmt: skip
    source = spec()
    assert len(pickle.dumps(SHIPPED, protocol=5)) < 60
    assert pickle.loads(pickle.dumps(SHIPPED, protocol=5)) is SHIPPED
    assert SHIPPED(source, change) == classifier_for(ctx)(source, change)
    detection, tags = detect_tagged(spec(), response(page("Kort side.")), None, None)
    assert tags is None and detection.outcome == "new"


async def test_a_round_starts_its_processes_before_its_fetches_and_off_the_event_loop(
    ctx: Context, http: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first start waits for the fork server to import the readers and the classifier
    (~1 s): on the event loop, at the round's first detection, it held up every fetch in
    flight past its timeout (a one-off ``notifier check`` with ``NOTIFIER_DETECT_PROCESSES``
    set)."""
    ids = add_sources(ctx.engine, http)
    serve(http, 0)
    pool = DetectProcesses(1)
    events: list[tuple[str, int]] = []
    real_start = pool.start

    def start() -> None:
        events.append(("start", threading.get_ident()))
        real_start()

    monkeypatch.setattr(pool, "start", start)
    try:
        async with make_fetcher(ctx) as fetcher:
            real_fetch = fetcher.fetch

            async def fetch(*args: Any, **kwargs: Any) -> FetchResult:
                events.append(("fetch", threading.get_ident()))
                return await real_fetch(*args, **kwargs)

            monkeypatch.setattr(fetcher, "fetch", fetch)
            reports = await check_sources(
                ctx.engine, fetcher, ids, classifier_for(ctx), ctx.clock, processes=pool
            )
    finally:
        pool.close()
    assert [r.outcome for r in reports] == ["new", "new", "error"]
    loop_thread = threading.get_ident()
    assert events[0] == ("start", events[0][1]) and events[0][1] != loop_thread
    assert {kind for kind, _ in events[1:]} <= {"fetch", "start"}
    assert all(thread == loop_thread for kind, thread in events if kind == "fetch")


@pytest.mark.parametrize(("cpus", "processes"), [(1, 0), (2, 2), (4, 2), (64, 2)])
def test_unset_two_processes_read_where_two_cpus_are_there(
    monkeypatch: pytest.MonkeyPatch, cpus: int, processes: int
) -> None:
    """The product's default: 2 detection processes where the process may run on 2 CPUs or
    more (its affinity), none on one."""
    monkeypatch.delenv("NOTIFIER_DETECT_PROCESSES", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cpus)))
    assert default_detect_processes() == processes
    assert Settings().detect_processes == processes
    monkeypatch.setenv("NOTIFIER_DETECT_PROCESSES", "1")
    assert Settings().detect_processes == 1
