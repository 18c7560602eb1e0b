"""Claims with leases, in one process on both databases: due sources (``claim_due``), runs
once per period (``notifier.leases``) and the host manners shared through the database
(``feeds.store.hosts``). Several worker processes: tests/test_worker_scale.py."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from feeds.catalogue import SourceSpec
from feeds.errors import HostPaused
from feeds.fetch.client import Fetcher
from feeds.store.hosts import SharedHosts, shared_hosts
from feeds.store.models import Source
from feeds.store.sources import claim_due, extend_claims, release_claims, upsert_sources
from notifier.context import Context
from notifier.leases import JobRun, claim_run, finish_run
from notifier.pipeline import check
from tests.conftest import Clock
from tests.support.httpserver import FixtureServer

LEASE = timedelta(minutes=15)
PAGE = "<html><body><main><h1>Veileder</h1><p>{}</p></main></body></html>"


def add_sources(ctx: Context, http: FixtureServer | None, n: int) -> None:
    base = http.base if http else "https://example.no"
    specs = [
        SourceSpec(key=f"s{i:03}", kind="page", url=f"{base}/p/{i}", authority="fhi",
                   name=f"Side {i}", selector="main")
        for i in range(n)
    ]  # fmt: skip
    with Session(ctx.engine) as session:
        upsert_sources(session, specs)
        session.commit()


def claim(ctx: Context, worker: str, limit: int = 100, lease: timedelta = LEASE) -> list[int]:
    with Session(ctx.engine) as session:
        ids = claim_due(session, ctx.clock(), worker, lease, limit)
        session.commit()
    return ids


def claims(ctx: Context) -> dict[int, str | None]:
    with Session(ctx.engine) as session:
        return {s.id: s.claimed_by for s in session.exec(select(Source)) if s.id is not None}


def test_a_claimed_source_is_nobody_elses_until_its_lease_runs_out(
    ctx: Context, clock: Clock
) -> None:
    add_sources(ctx, None, 5)
    first = claim(ctx, "a", limit=3)
    second = claim(ctx, "b")
    assert len(first) == 3 and len(second) == 2 and not set(first) & set(second)
    assert claim(ctx, "c") == []  # all five are held
    clock.advance(minutes=10)
    with Session(ctx.engine) as session:
        assert extend_claims(session, first, "a", clock() + LEASE) == first  # a renews
        session.commit()
    clock.advance(minutes=6)  # b's lease has run out (b died), a's renewed one has not
    assert claim(ctx, "c") == second
    assert claims(ctx) == {**dict.fromkeys(first, "a"), **dict.fromkeys(second, "c")}
    with Session(ctx.engine) as session:
        release_claims(session, [*first, *second], "a")  # only a's own claims
        session.commit()
    assert claims(ctx) == {**dict.fromkeys(first, None), **dict.fromkeys(second, "c")}


def test_concurrent_claims_never_share_a_source(ctx: Context) -> None:
    add_sources(ctx, None, 60)
    taken: dict[str, list[int]] = {}

    def worker(name: str) -> None:
        got: list[int] = []
        while batch := claim(ctx, name, limit=4):
            got += batch
        taken[name] = got

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for got in taken.values() for i in got]
    assert sorted(every) == sorted(claims(ctx)) and len(every) == len(set(every)) == 60


async def test_a_round_checks_its_claim_once_and_gives_it_back(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    ctx.settings = ctx.settings.model_copy(update={"obey_robots": False})
    for i in range(3):
        http.set(f"/p/{i}", PAGE.format(i))
    add_sources(ctx, http, 3)
    reports = await check(ctx, worker="w1")
    assert [r.outcome for r in reports] == ["new"] * 3
    assert set(claims(ctx).values()) == {None}  # released with the round's last write
    assert await check(ctx, worker="w2") == []  # not due again within the interval
    with Session(ctx.engine) as session:
        due = session.exec(select(col(Source.next_check_at))).all()
    assert all(d == clock() + timedelta(minutes=60) for d in due)
    clock.advance(minutes=61)
    assert len(await check(ctx, worker="w2")) == 3
    assert len(http.requests) == 6


async def test_a_source_claimed_by_a_live_worker_is_left_alone(
    ctx: Context, http: FixtureServer
) -> None:
    ctx.settings = ctx.settings.model_copy(update={"obey_robots": False})
    http.set("/p/0", PAGE.format(0))
    http.set("/p/1", PAGE.format(1))
    add_sources(ctx, http, 2)
    held = claim(ctx, "other", limit=1)
    reports = await check(ctx, worker="me")
    assert len(reports) == 1 and len(http.requests) == 1
    assert claims(ctx)[held[0]] == "other"


def test_a_run_happens_once_per_period_and_again_after_a_dead_claim(
    ctx: Context, clock: Clock
) -> None:
    lease = timedelta(minutes=30)
    assert claim_run(ctx.engine, "digest", "p1", clock(), lease, "a")
    assert not claim_run(ctx.engine, "digest", "p1", clock(), lease, "b")  # a holds it
    assert claim_run(ctx.engine, "digest", "p2", clock(), lease, "b")  # another period
    assert claim_run(ctx.engine, "housekeeping", "p1", clock(), lease, "b")  # another job
    clock.advance(minutes=31)  # a died: its claim ran out unfinished
    assert claim_run(ctx.engine, "digest", "p1", clock(), lease, "c")
    assert not finish_run(ctx.engine, "digest", "p1", clock(), "a")  # a is not the holder
    assert finish_run(ctx.engine, "digest", "p1", clock(), "c")
    clock.advance(hours=2)
    assert not claim_run(ctx.engine, "digest", "p1", clock(), lease, "d")  # finished
    with Session(ctx.engine) as session:
        run = session.exec(select(JobRun).where(JobRun.period == "p1", JobRun.job == "digest"))
        row = run.one()
    assert (row.claimed_by, row.attempts, row.finished_at) == ("c", 2, clock() - timedelta(hours=2))


def test_racing_claims_of_one_run_have_one_winner(ctx: Context, clock: Clock) -> None:
    wins: list[str] = []
    barrier = threading.Barrier(6)

    def race(name: str) -> None:
        barrier.wait()
        if claim_run(ctx.engine, "housekeeping", "2026-11-23", clock(), LEASE, name):
            wins.append(name)

    threads = [threading.Thread(target=race, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1


@pytest.mark.postgres
def test_shared_hosts_keep_one_gap_and_one_pause_for_everyone(ctx: Context) -> None:
    if ctx.engine.dialect.name != "postgresql":
        assert shared_hosts(ctx.engine) is None  # one process on SQLite: the fetcher's memory
        return
    a, b = SharedHosts(ctx.engine), SharedHosts(ctx.engine)
    waits = [x.reserve_now("h.no", 1.0) for x in (a, b, a, b)]
    # four starts reserved one second apart, whoever asks
    assert [round(w, 1) for w, _ in waits] == [0.0, 1.0, 2.0, 3.0]
    assert a.reserve_now("other.no", 1.0) == (0.0, 0.0)  # another host: no wait
    b.pause_now("h.no", 600)
    wait, paused = a.reserve_now("h.no", 1.0)
    assert wait == 0.0 and 590 < paused <= 600
    b.pause_now("h.no", 5)  # a shorter pause never shortens a longer one
    assert a.reserve_now("h.no", 1.0)[1] > 590


async def test_a_pause_one_worker_meets_stops_the_others(ctx: Context, http: FixtureServer) -> None:
    shared = shared_hosts(ctx.engine)
    if shared is None:
        pytest.skip("shared host manners are for PostgreSQL (several workers)")
    policy = ctx.settings.model_copy(update={"obey_robots": False}).fetch_policy()
    http.set("/busy", "busy", status=429, headers={"Retry-After": "600"})
    http.set("/fine", PAGE.format("fine"))
    async with Fetcher(policy, shared=shared) as one, Fetcher(policy, shared=shared) as two:
        with pytest.raises(Exception, match="429"):
            await one.fetch(http.url("/busy"))
        with pytest.raises(HostPaused) as paused:
            await two.fetch(http.url("/fine"))  # another process's fetcher: asks nothing
    assert paused.value.retry_after is not None and paused.value.retry_after > 590
    assert [p for p, _ in http.requests] == ["/busy"]


async def test_workers_sharing_hosts_keep_the_gap_between_all_their_requests(
    ctx: Context, http: FixtureServer
) -> None:
    shared = shared_hosts(ctx.engine)
    if shared is None:
        pytest.skip("shared host manners are for PostgreSQL (several workers)")
    policy = ctx.settings.model_copy(
        update={"obey_robots": False, "per_host_min_gap": 0.3}
    ).fetch_policy()
    http.set("/p", PAGE.format("p"))
    began = time.monotonic()
    async with Fetcher(policy, shared=shared) as one, Fetcher(policy, shared=shared) as two:
        await asyncio.gather(*(f.fetch(http.url("/p")) for f in (one, two, one, two, one, two)))
    # six starts 0.3 s apart: at least 1.5 s (each fetcher keeping its own gap: 0.6 s)
    assert len(http.requests) == 6 and time.monotonic() - began >= 1.45


async def test_a_long_round_renews_its_claim_so_nobody_takes_it_meanwhile(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    # a lease of 1 s renewed every third of a second, a page that takes 2 s to answer
    ctx.settings = ctx.settings.model_copy(
        update={"obey_robots": False, "check_lease_seconds": 1, "http_timeout": 10.0}
    )
    http.set("/p/0", PAGE.format(0), delay=2.0)
    add_sources(ctx, http, 1)
    round_ = asyncio.create_task(check(ctx, worker="slow"))
    await asyncio.sleep(0.8)
    clock.advance(seconds=30)  # far past the first lease: only a renewal keeps the claim
    await asyncio.sleep(0.8)
    assert claim(ctx, "other") == []
    assert [r.outcome for r in await round_] == ["new"]
    assert set(claims(ctx).values()) == {None} and len(http.requests) == 1
