"""Check-round benchmark: 1,000 pages of ~100 KB on a local fixture server, 10 % changed between
rounds, conditional GET honoured, the full chain (fetch, detect, classify, store in SQLite).

    python -m bench.check_round [--pages 1000] [--rounds 5] [--urlwatch PATH]
                                [--classifier model|vocabulary] [--processes N]
                                [--profile FILE] [--profile-first FILE]

Prints the first (baseline) round, every changed round, then the median over the changed rounds
(at least 3) of wall time and CPU time per page, the peak RSS and the ratio to urlwatch.
Politeness limits are lifted for this loopback run only.

In the same run, a bare aiohttp fetch of the same pages (same fixture server, the same
connection and per-host limits as notifier's fetcher, the same conditional GETs, no parsing
or storing) follows each changed round, and the changed rounds' median is printed as "within
Nx of a bare aiohttp fetch" (issue 13 aims at 5x). ``--profile FILE`` writes a cProfile
of the changed rounds only, ``--profile-first FILE`` one of the first (baseline) round.

Detection (and, with the chain's classifier, classification) runs in ``--processes``
processes of its own (feeds/detect/processes.py, ``NOTIFIER_DETECT_PROCESSES``; default 0, as
the service: in the checking process). CPU time is the bench process's plus its detection
processes', and peak RSS is given for each.

Before the rounds the classifier's model is loaded and the startup objects are frozen out of
the garbage collector's walk, as the service does at start (``notifier.pipeline.preload``);
``--classifier vocabulary`` runs the rounds with the vocabulary classifier alone (what the
learned model adds to a round, in an alternated run).

urlwatch, when installed apart (``--urlwatch PATH``, or ``urlwatch`` on PATH; see
bench/peers.py), runs the same rounds on the same fixture server right after, and the ratios
are taken in this run. Without it the reference is shared/perf-notes.md (same machine kind):
urlwatch ~2.7 s and ~2.7 ms CPU per page.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import aiohttp
from sqlmodel import Session

from bench.peers import FILTERS, PeerRound, urlwatch_rounds
from feeds.catalogue import SourceSpec
from feeds.check import Classifier, check_sources
from feeds.classify import Classification, rules
from feeds.detect import processes as detect_processes
from feeds.detect.detection import DetectedChange
from feeds.fetch.client import Fetcher, FetchPolicy
from feeds.store.models import utcnow
from feeds.store.sources import select_sources, upsert_sources
from feeds.types import FetchResult
from notifier.context import Context
from notifier.db import make_engine, upgrade
from notifier.pipeline import classifier_for, preload
from notifier.settings import Settings

T = TypeVar("T")

URLWATCH_WALL_S = 2.7
URLWATCH_CPU_MS = 2.7


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 300.0) -> None:
    """Wait until ``url`` answers (the fixture server builds every page before it listens:
    ~3.4 ms a page, 10,000 pages for bench.scale)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"fixture server at {url} did not start within {seconds:g} s")


@dataclass(frozen=True)
class Figures:
    wall: float  # seconds
    cpu: float  # seconds
    classify: float = 0.0  # seconds of CPU in the classifier (this thread)
    classified: int = 0  # changes classified
    elsewhere: float = 0.0  # seconds of CPU in the detection processes (part of ``cpu``)


class Timed:
    """The classifier, counting its calls and the CPU time they take (``thread_time``: the
    classifier runs in the event loop's thread). With detection processes the chain's
    classifier runs there (its ``portable`` stand-in, feeds/check.py), counted in their CPU."""

    def __init__(self, classifier: Classifier) -> None:
        self.classifier = classifier
        self.portable = getattr(classifier, "portable", None)
        self.seconds = 0.0
        self.calls = 0

    def __call__(self, spec: SourceSpec, change: DetectedChange) -> Classification:
        start = time.thread_time()
        try:
            return self.classifier(spec, change)
        finally:
            self.seconds += time.thread_time() - start
            self.calls += 1


def make_classifier(ctx: Context, which: str) -> Classifier:
    """The chain's classifier, or the vocabulary classifier alone; either way after what the
    service does at start (``preload``: the model loaded, the startup objects frozen out of
    the garbage collector's walk)."""
    preload(ctx)
    if which == "vocabulary":
        taxonomy, gazetteer = ctx.taxonomy, ctx.gazetteer

        def vocabulary(spec: SourceSpec, change: DetectedChange) -> Classification:
            return rules.classify(
                taxonomy, gazetteer, title=change.title,
                text=change.after or change.before or change.summary, url=change.url,
                source_subtopics=spec.subtopics, section_path=change.section, kind=change.kind,
            )  # fmt: skip

        return vocabulary
    return classifier_for(ctx)


def children_cpu(pool: detect_processes.DetectProcesses | None) -> float:
    """CPU seconds the detection processes have used so far (0 without them)."""
    return sum(u.cpu_seconds for u in pool.usage()) if pool is not None else 0.0


async def one_round(
    ctx: Context,
    ids: list[int],
    policy: FetchPolicy,
    classifier: Classifier,
    pool: detect_processes.DetectProcesses | None,
) -> Figures:
    """One round; its CPU time is this process's and the detection processes'."""
    timed = Timed(classifier)
    wall, cpu, children = time.perf_counter(), time.process_time(), children_cpu(pool)
    async with Fetcher(policy) as fetcher:
        reports = await check_sources(ctx.engine, fetcher, ids, timed, utcnow, processes=pool)
    errors = [r for r in reports if r.outcome == "error"]
    if errors:
        raise RuntimeError(f"{len(errors)} errors, e.g. {errors[0]}")
    children = children_cpu(pool) - children
    cpu = time.process_time() - cpu + children
    return Figures(time.perf_counter() - wall, cpu, timed.seconds, timed.calls, children)


class BareFetch:
    """A bare aiohttp fetch of every page: the same connection and per-host limits as the
    fetcher, conditional GET on the ETag last seen, the body read and dropped (no parsing)."""

    def __init__(self, urls: list[str], policy: FetchPolicy) -> None:
        self.urls = urls
        self.policy = policy
        self.etags: dict[str, str] = {}

    async def round(self) -> Figures:
        wall, cpu = time.perf_counter(), time.process_time()
        limit = asyncio.Semaphore(self.policy.per_host_concurrency)
        connector = aiohttp.TCPConnector(limit=self.policy.total_connections)
        headers = {"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate"}
        async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

            async def one(url: str) -> None:
                tag = self.etags.get(url)
                async with (
                    limit,
                    session.get(url, headers={"If-None-Match": tag} if tag else {}) as response,
                ):
                    await response.read()
                    if response.status not in (200, 304):
                        raise RuntimeError(f"{url}: {response.status}")
                    if "ETag" in response.headers:
                        self.etags[url] = response.headers["ETag"]

            await asyncio.gather(*(one(url) for url in self.urls))
        return Figures(time.perf_counter() - wall, time.process_time() - cpu)


def profiled(path: str | None, fn: Callable[[], T]) -> T:
    """``fn()``, under cProfile (appended to ``path``'s stats) when a path is given."""
    if not path:
        return fn()
    profile = cProfile.Profile()
    result = profile.runcall(fn)
    stats = pstats.Stats(profile)
    if Path(path).exists():
        stats.add(path)
    stats.dump_stats(path)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--classifier", choices=("model", "vocabulary"), default="model")
    parser.add_argument(
        "--processes",
        type=int,
        default=Settings().detect_processes,
        help="detection processes (NOTIFIER_DETECT_PROCESSES; default: the service's, 0)",
    )
    parser.add_argument("--profile", help="write a cProfile of the changed rounds to this file")
    parser.add_argument(
        "--profile-first", help="write a cProfile of the first (baseline) round to this file"
    )
    parser.add_argument(
        "--urlwatch",
        default=shutil.which("urlwatch"),
        help="the urlwatch executable, to run the same rounds with it (default: on PATH)",
    )
    args = parser.parse_args()
    if args.rounds < 3:
        parser.error("--rounds: at least 3 changed rounds, for a median")
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.fixture_server", str(port), str(args.pages)]
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/p/0")
        with tempfile.TemporaryDirectory() as tmp:
            run(args, port, Path(tmp))
    finally:
        server.terminate()
        server.wait()
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def bump(port: int, round_: int) -> None:
    """Move every 10th page (a different tenth each round) to its next version."""
    urllib.request.urlopen(
        urllib.request.Request(
            f"http://127.0.0.1:{port}/bump?every=10&offset={round_ % 10}", method="POST"
        )
    ).read()


def run(args: argparse.Namespace, port: int, tmp: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp / 'bench.db'}", data_dir=tmp)
    ctx = Context(settings=settings, engine=make_engine(settings.database_url))
    upgrade(ctx.engine)
    specs = [
        SourceSpec(
            key=f"p{i}",
            kind="page",
            url=f"http://127.0.0.1:{port}/p/{i}",
            authority="bench",
            name=f"Side {i}",
            selector="main",
        )
        for i in range(args.pages)
    ]
    with Session(ctx.engine) as session:
        upsert_sources(session, specs)
        session.commit()
        ids = [s.id for s in select_sources(session, utcnow(), everything=True) if s.id is not None]
    policy = FetchPolicy(
        allow_private=True, per_host_concurrency=16, per_host_min_gap=0, total_connections=16
    )
    classifier = make_classifier(ctx, args.classifier)
    pool = detect_processes.shared(args.processes)
    if pool is not None:
        warm_up(pool)
    first = profiled(
        args.profile_first, lambda: asyncio.run(one_round(ctx, ids, policy, classifier, pool))
    )
    bare = BareFetch([spec.url for spec in specs], policy)
    asyncio.run(bare.round())  # its ETags, as notifier has after its first round
    changed: list[Figures] = []
    bare_changed: list[Figures] = []
    for r in range(args.rounds):
        bump(port, r)
        changed.append(
            profiled(
                args.profile,
                lambda: asyncio.run(one_round(ctx, ids, policy, classifier, pool)),
            )
        )
        bare_changed.append(asyncio.run(bare.round()))  # the same pages, the same 10 % changed
    report(args, first, changed, pool)
    report_bare(changed, bare_changed)
    if args.urlwatch:
        peers = {}
        rounds = iter(range(args.rounds, 10_000))
        for flavour in FILTERS:
            peers[flavour] = urlwatch_rounds(
                args.urlwatch, tmp / f"urlwatch-{flavour}", port, args.pages, args.rounds,
                flavour, lambda: bump(port, next(rounds)),
            )  # fmt: skip
        report_peers(args, changed, peers)
        print(
            f"first round {first.wall:.2f} s against urlwatch's first round "
            f"{peers['main'][0].wall:.2f} s (main) / {peers['raw'][0].wall:.2f} s (raw): "
            f"{first.wall / peers['main'][0].wall:.2f}x / {first.wall / peers['raw'][0].wall:.2f}x "
            "(issue 13 aim: <= 1x)"
        )
    else:
        print("  (urlwatch not found: install it apart and pass --urlwatch PATH, bench/peers.py)")


def warm_up(pool: detect_processes.DetectProcesses) -> None:
    """Start the detection processes before the rounds, as the service's first round does
    (their start is not a check's cost): one detection of a small page per process."""
    spec = SourceSpec(key="w", kind="page", url="http://127.0.0.1/w", authority="b", name="w")
    result = FetchResult("http://127.0.0.1/w", 200, b"<html><p>Oppvarming</p></html>")

    async def run() -> None:
        await asyncio.gather(
            *(pool.detect(spec, result, None, None) for _ in range(pool.processes * 4))
        )

    asyncio.run(run())


def report(
    args: argparse.Namespace,
    first: Figures,
    changed: list[Figures],
    pool: detect_processes.DetectProcesses | None,
) -> None:
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per_page = 1000 / args.pages
    wall = statistics.median(f.wall for f in changed)
    cpu_ms = statistics.median(f.cpu for f in changed) * per_page
    print(
        f"check round: {args.pages} pages of ~100 KB, 10 % changed per round, "
        f"{args.rounds} changed rounds, classifier: {args.classifier}, "
        f"detection processes: {args.processes or 'none (in this process)'}"
    )
    print(
        f"  first round (baseline, every page parsed): {first.wall:.2f} s wall, "
        f"{first.cpu * per_page:.2f} ms CPU per page{elsewhere(first, per_page)}"
    )
    for i, f in enumerate(changed, 1):
        print(
            f"  changed round {i}: {f.wall:.3f} s wall, {f.cpu * per_page:.3f} ms CPU per page"
            + elsewhere(f, per_page)
        )
    print(f"  changed rounds, median: {wall:.3f} s wall, {cpu_ms:.3f} ms CPU per page")
    calls = sum(f.classified for f in changed)
    if not calls and pool is not None:
        print("  classification: in the detection processes (their CPU above)")
    if calls:
        seconds = sum(f.classify for f in changed)
        print(
            f"  of it classification: {seconds * 1000 / calls:.3f} ms CPU per change "
            f"({calls} changes), {seconds * 1000 / (args.pages * len(changed)):.3f} ms per page"
        )
    print(f"  peak RSS: {rss_mb:.0f} MB (this process)")
    if pool is not None:
        peaks = ", ".join(f"{u.peak_rss_bytes / 2**20:.0f}" for u in pool.usage())
        print(f"  peak RSS of the detection processes: {peaks} MB (CPU above includes theirs)")
    print(
        f"  vs urlwatch (perf-notes: {URLWATCH_WALL_S} s, {URLWATCH_CPU_MS} ms/page): "
        f"{URLWATCH_WALL_S / wall:.1f}x faster wall, {URLWATCH_CPU_MS / cpu_ms:.1f}x less CPU "
        f"(target 5x: <= {URLWATCH_WALL_S / 5:.2f} s, <= {URLWATCH_CPU_MS / 5:.2f} ms/page)"
    )


def elsewhere(f: Figures, per_page: float) -> str:
    """The CPU per page spent in the detection processes, when there are any."""
    if not f.elsewhere:
        return ""
    return f" (of it {f.elsewhere * per_page:.3f} ms in the detection processes)"


def report_bare(ours: list[Figures], bare: list[Figures]) -> None:
    wall = statistics.median(f.wall for f in ours)
    bare_wall = statistics.median(f.wall for f in bare)
    rounds = ", ".join(f"{f.wall:.3f}" for f in bare)
    print(f"bare aiohttp fetch of the same changed rounds (no parsing): {rounds} s")
    print(
        f"  median {bare_wall:.3f} s wall, {statistics.median(f.cpu for f in bare):.3f} s CPU; "
        f"changed round within {wall / bare_wall:.2f}x of a bare aiohttp fetch "
        "(issue 13 aim: 5x)"
    )


def report_peers(
    args: argparse.Namespace,
    ours: list[Figures],
    peers: dict[str, tuple[PeerRound, list[PeerRound]]],
) -> None:
    per_page = 1000 / args.pages
    wall = statistics.median(f.wall for f in ours)
    cpu_ms = statistics.median(f.cpu for f in ours) * per_page
    print("urlwatch, same fixture server, same run (bench/peers.py):")
    for flavour, (first, changed) in peers.items():
        peer_wall = statistics.median(f.wall for f in changed)
        peer_cpu = statistics.median(f.cpu for f in changed) * per_page
        print(
            f"  {flavour:4} jobs ({FILTERS[flavour] or 'no filter'}): first round "
            f"{first.wall:.2f} s; changed rounds, median: {peer_wall:.3f} s wall, "
            f"{peer_cpu:.3f} ms CPU per page"
        )
        print(
            f"        notifier is {peer_wall / wall:.1f}x faster (wall), "
            f"{peer_cpu / cpu_ms:.1f}x less CPU"
        )


if __name__ == "__main__":
    main()
