"""Measured at scale (issue 13), on PostgreSQL: ``python -m bench.scale``

    python -m bench.scale [--sources 10000] [--subscribers 100000] [--workers 1,3]
                          [--immediate 1000] [--claim-limit 500]

In a private schema of NOTIFIER_TEST_POSTGRES_URL (default the local test database; skipped
with the reason when unreachable), created and dropped here:

1. **A check round over all sources, 10 % changed**, served by ``bench.fixture_server`` (a
   process of its own), with 1 and with 3 worker processes sharing the round through the real
   claim code: each process runs ``notifier.pipeline.check`` (what ``notifier worker``'s check
   job runs) with its own worker id and the shared host ledger (``make_fetcher``), round after
   round, until it claims nothing (``claim_due``: ``FOR UPDATE SKIP LOCKED``, at most
   ``--claim-limit`` sources per claim). The wall time runs from the go signal, after every
   process has loaded its model, to the last process done. A first, unmeasured round takes
   the baseline. A changed page waits for its confirmation (the default), so it is left out
   of the next round (its re-check is set a day ahead): the second measured round checks
   that many sources fewer; the speed-up is taken on the time per source.
2. **Peak RSS of each worker process** (``VmHWM`` of /proc/<pid>/status; aim: under 150 MB).
3. **The outbox for one urgent national change** to every subscriber (``notifier.plan.
   dispatch`` in a fresh process, ``bench.deliver``'s measurement; aim: under 10 s).
4. **Delivery to ``--immediate`` immediate recipients**, each with mail and one browser: a
   published change is dispatched and delivered through a local aiosmtpd sink and the local
   push service (``tests/support/pushservice.py``); the time from the dispatch's start to the
   last message accepted.

The machine's core count is printed beside the speed-up: N worker processes on fewer than N
cores cannot be N times as fast.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from feeds.catalogue import SourceSpec
from feeds.store.sources import upsert_sources
from notifier.context import Context
from notifier.db import make_engine
from notifier.settings import Settings

# The benchmark's own helpers (fixture server, SMTP sink, bulk inserts) are imported where the
# parent uses them, never in a worker process: its RSS is to be that of ``notifier worker``.


def worker_settings(url: str, folder: Path, claim_limit: int) -> Settings:
    # bench.deliver.settings_for's settings, with the worker's. Each worker reads in its own
    # process (detect_processes=0, as the figures of docs/scaling.md were taken): the speed-up
    # from 1 to 3 workers is the workers', and each worker's peak RSS is all its reading;
    # detection processes are measured by bench.check_round
    return Settings(
        database_url=url, data_dir=folder / "var", base_url="https://varsel.example.no",
        allow_private_sources=True, per_host_min_gap=0.0, obey_robots=False,
        per_host_concurrency=16, check_claim_limit=claim_limit, confirm_after_seconds=86400,
        detect_processes=0,
    )  # fmt: skip


def vm_kb(pid: int | str, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    return 0


# --- a worker process ------------------------------------------------------------------------


async def worker_rounds(ctx: Context, name: str) -> dict[str, Any]:
    from notifier.pipeline import check, make_fetcher

    checked = changed = errors = rounds = 0
    rss: list[float] = []  # after each claim, MB (where a round's memory grows)
    async with make_fetcher(ctx) as fetcher:
        while True:
            reports = await check(ctx, fetcher=fetcher, worker=name)
            rss.append(round(vm_kb("self", "VmRSS") / 1024, 1))
            if not reports:
                break
            rounds += 1
            checked += len(reports)
            changed += sum(r.outcome in ("new", "changed") for r in reports)
            errors += sum(r.outcome == "error" for r in reports)
    return {"checked": checked, "changed": changed, "errors": errors, "claims": rounds,
            "rss_by_claim": rss}  # fmt: skip


def child_worker(url: str, folder: str, name: str, claim_limit: int) -> None:
    """Load as ``notifier worker`` does (its modules: the CLI and ``notifier.worker``; the
    schema check of ``upgrade``; ``preload``), say ready, wait for "go" on stdin, run check
    rounds until nothing is due; print JSON with the figures, the RSS once loaded and the peak
    RSS."""
    import notifier.cli
    import notifier.worker  # noqa: F401  (what a worker process holds)
    from notifier.db import upgrade
    from notifier.pipeline import preload

    ctx = Context(settings=worker_settings(url, Path(folder), claim_limit), engine=make_engine(url))
    upgrade(ctx.engine)  # as ``notifier worker`` starts (the schema is at its heads already)
    preload(ctx)
    loaded_mb = vm_kb("self", "VmRSS") / 1024
    print("ready", flush=True)
    sys.stdin.readline()
    figures = asyncio.run(worker_rounds(ctx, name))
    figures["end"] = time.time()
    figures["loaded_mb"] = loaded_mb
    figures["peak_mb"] = vm_kb("self", "VmHWM") / 1024
    print(json.dumps(figures), flush=True)


def check_round(url: str, folder: Path, workers: int, claim_limit: int) -> dict[str, Any]:
    """One round shared by ``workers`` processes; wall time from go to the last done."""
    procs = []
    for i in range(workers):
        command = [sys.executable, "-m", "bench.scale", "--child-worker", url, str(folder),
                   f"bench-worker-{i}", str(claim_limit)]  # fmt: skip
        procs.append(
            subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        )
    for p in procs:
        assert p.stdout is not None
        if p.stdout.readline().strip() != "ready":
            raise RuntimeError("a worker process did not start; see its output above")
    start = time.time()
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    results = []
    for p in procs:
        out, _ = p.communicate(timeout=3600)
        if p.returncode:
            raise RuntimeError(f"a worker process failed ({p.returncode})")
        results.append(json.loads(out.strip().splitlines()[-1]))
    wall = max(r["end"] for r in results) - start
    return {"wall": wall, "workers": results}


def mark_due(url: str) -> int:
    """Every source not waiting for a confirmation is due now; how many."""
    engine = make_engine(url)
    with engine.begin() as conn:
        due = conn.execute(
            sa.text("UPDATE source SET next_check_at = NULL WHERE pending_since IS NULL")
        ).rowcount
    engine.dispose()
    return int(due)


def bump(port: int, offset: int) -> None:
    urllib.request.urlopen(
        urllib.request.Request(
            f"http://127.0.0.1:{port}/bump?every=10&offset={offset}", method="POST"
        )
    ).read()


def add_sources(url: str, port: int, n: int) -> None:
    specs = [
        SourceSpec(key=f"p{i:05}", kind="page", url=f"http://127.0.0.1:{port}/p/{i}",
                   authority="bench", name=f"Side {i}", selector="main")
        for i in range(n)
    ]  # fmt: skip
    engine = make_engine(url)
    with Session(engine) as session:
        upsert_sources(session, specs)
        session.commit()
    engine.dispose()


def print_round(label: str, due: int, r: dict[str, Any]) -> None:
    per = r["wall"] / max(due, 1) * 1000
    print(f"  {label}: {due} sources due, {r['wall']:.1f} s wall ({per:.2f} ms per source)")
    for i, w in enumerate(r["workers"]):
        print(
            f"    worker {i}: {w['checked']} checked in {w['claims']} claims, "
            f"{w['changed']} changed, {w['errors']} errors, RSS {w['loaded_mb']:.0f} MB loaded, "
            f"peak {w['peak_mb']:.0f} MB"
        )
        print(f"      RSS after each claim, MB: {' '.join(f'{m:.0f}' for m in w['rss_by_claim'])}")


# --- 4. immediate delivery -------------------------------------------------------------------


async def immediate_delivery(url: str, folder: Path, n: int) -> None:
    from bench.deliver import push_browsers, reset_outbox, settings_for, sink
    from notifier.deliver import deliver
    from notifier.plan import dispatch
    from tests.support.pushservice import PushService

    class TimedPushService(PushService):
        last = 0.0

        def verify(self, path: str, headers: dict[str, str], body: bytes) -> Any:
            accepted = super().verify(path, headers, body)
            self.last = time.time()
            return accepted

    reset_outbox(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE subscription SET cadence = 'immediate' WHERE subscriber_id <= :n"),
            {"n": n},
        )
    engine.dispose()
    service = TimedPushService()
    service.start()
    try:
        with sink() as (box, port):
            settings = settings_for(url, folder, smtp_url=f"smtp://127.0.0.1:{port}")
            ctx = Context(settings=settings, engine=make_engine(url))
            ctx.renderer  # noqa: B018 - templates loaded before the clock starts
            push_browsers(ctx, service, n)
            with ctx.engine.begin() as conn:  # step 3's change, now published and not urgent
                conn.execute(sa.text("UPDATE change SET urgent = false, dispatched_at = NULL "
                                     "WHERE urgent"))  # fmt: skip
            start = time.time()
            written = dispatch(ctx)
            report = await deliver(ctx, limit=10 * n)
            mail_n, push_n = box.count, len(service.received)
            last = max(box.last, service.last)
            ctx.engine.dispose()
    finally:
        service.stop()
    print(
        f"delivery to {n} immediate recipients ({written} messages written; {mail_n} mails "
        f"to the sink, {push_n} pushes, {report.failed} failed): last accepted "
        f"{last - start:.2f} s after the dispatch began (mail {box.last - start:.2f} s, "
        f"push {service.last - start:.2f} s)"
    )


# --- the run ---------------------------------------------------------------------------------


def run(args: argparse.Namespace, folder: Path) -> None:
    from bench.check_round import free_port, wait_for
    from bench.deliver import add_changes, database, reset_outbox

    cores = os.cpu_count() or 1
    print(
        f"scale: {args.sources} sources, {args.subscribers} subscribers, PostgreSQL; "
        f"{cores} cores; load average at start {os.getloadavg()[0]:.2f} "
        f"{os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}"
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.fixture_server", str(port), str(args.sources)]
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/p/0")
        with database("postgresql", folder) as url:
            began = time.perf_counter()
            add_sources(url, port, args.sources)
            print(f"  sources loaded: {time.perf_counter() - began:.1f} s")
            began = time.perf_counter()
            from bench.deliver import populate

            populate(url, args.subscribers, "daily")
            print(f"  subscribers bulk-inserted: {time.perf_counter() - began:.1f} s")
            counts = [int(w) for w in args.workers.split(",")]
            first = check_round(url, folder, max(counts), args.claim_limit)
            print_round(f"baseline round (not measured), {max(counts)} workers", args.sources,
                        first)  # fmt: skip
            per_source: dict[int, float] = {}
            peaks: list[float] = []
            for offset, count in enumerate(counts):
                due = mark_due(url)
                bump(port, offset)
                r = check_round(url, folder, count, args.claim_limit)
                print_round(f"changed round, {count} worker(s)", due, r)
                per_source[count] = r["wall"] / due
                peaks += [w["peak_mb"] for w in r["workers"]]
            if 1 in per_source:
                for count, t in per_source.items():
                    if count != 1:
                        print(
                            f"  speed-up, {count} workers against 1 (time per source): "
                            f"{per_source[1] / t:.2f}x on {cores} cores"
                            + (f" (at most ~{cores}x with {cores} cores)" if cores < count else "")
                        )
            print(f"  peak RSS per worker: max {max(peaks):.0f} MB (aim: under 150 MB)")
            reset_outbox(url)
            add_changes(url, 1, urgent=True)
            out = subprocess.run(
                [sys.executable, "-m", "bench.deliver", "--child-dispatch", url, str(folder)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            d = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"outbox for 1 urgent national change: {d['written']} messages in "
                f"{d['seconds']:.2f} s, peak RSS {d['peak']:.0f} MB (aim: under 10 s)"
            )
            asyncio.run(immediate_delivery(url, folder, args.immediate))
    finally:
        server.terminate()
        server.wait()
    la = os.getloadavg()
    print(f"load average at end: {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--workers", default="1,3", help="worker counts, comma-separated")
    parser.add_argument("--immediate", type=int, default=1_000)
    parser.add_argument("--claim-limit", type=int, default=500,
                        help="sources per claim (NOTIFIER_CHECK_CLAIM_LIMIT)")  # fmt: skip
    parser.add_argument("--child-worker", nargs=4, metavar=("URL", "FOLDER", "NAME", "LIMIT"))
    args = parser.parse_args()
    if args.child_worker:
        url, folder, name, limit = args.child_worker
        child_worker(url, folder, name, int(limit))
        return
    from bench.deliver import postgres_reason

    reason = postgres_reason()
    if reason:
        print(f"bench.scale skipped: {reason}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(args, Path(tmp))


if __name__ == "__main__":
    main()
