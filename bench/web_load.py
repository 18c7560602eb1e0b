"""The web app under load from local clients while a check round runs (issue 13).

    python -m bench.web_load [--engine sqlite|postgresql] [--clients 50] [--seconds 30]
                             [--changes 3000] [--pages 300]

Four processes: the web app (``notifier.web.create_app`` served by uvicorn on 127.0.0.1), a
fixture server (bench/fixture_server.py), a notifier check round over it in a loop (10 % of
the pages changed per round, writing to the same database), and this one, the clients:
``--clients`` concurrent aiohttp clients, each requesting in turn the sign-up page (GET only:
the sign-up POST is rate limited), the change log (plain, filtered, searched), the API and the
Atom feed (plain and with If-None-Match). The database is filled first with ``--changes``
published changes (bench/public_search.py). Prints per route: requests, p50/p95 latency,
errors (any status other than the expected one, or a failed connection), and the throughput;
then the check rounds done meanwhile and the load average.

PostgreSQL runs in a private schema, dropped afterwards (URL: NOTIFIER_TEST_POSTGRES_URL or
postgresql+psycopg://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import sqlalchemy as sa

from bench.check_round import bump, free_port, make_classifier, wait_for
from bench.public_search import fill
from notifier.db import make_engine, upgrade

#: (name, path, expected statuses); "atom 304" sends the feed's last ETag
ROUTES: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("GET /abonner", "/abonner", (200,)),
    ("GET /endringer", "/endringer", (200,)),
    ("GET /endringer?subtopic&region", "/endringer?subtopic=testing&region=46", (200,)),
    ("GET /endringer?q=vaksine", "/endringer?q=vaksine", (200,)),
    ("GET /api/v1/changes", "/api/v1/changes", (200,)),
    ("GET /endringer.atom", "/endringer.atom", (200,)),
    ("GET /endringer.atom If-None-Match", "/endringer.atom", (304, 200)),
)


@dataclass
class Route:
    times: list[float] = field(default_factory=list)  # seconds
    errors: list[str] = field(default_factory=list)
    not_modified: int = 0


def serve(port: int, url: str, data_dir: str) -> None:
    """The web app alone, as ``notifier web`` serves it (in its own process)."""
    import uvicorn

    from notifier.context import Context
    from notifier.settings import Settings
    from notifier.web import create_app

    # the load comes from 127.0.0.1 alone: the public reads' per-client limits would answer
    # most of it 429 (what they are for); off here, to measure the app
    settings = Settings(
        database_url=url,
        data_dir=Path(data_dir),
        api_limit_per_minute=0,
        feed_limit_per_minute=0,
        search_limit_per_minute=0,
    )
    ctx = Context(settings=settings, engine=make_engine(url))
    uvicorn.run(create_app(ctx), host="127.0.0.1", port=port, log_level="warning")


def check_loop(fixture_port: int, pages: int, url: str, data_dir: str) -> None:
    """notifier check rounds over the fixture server, 10 % changed each, until SIGTERM."""
    from sqlmodel import Session

    from bench.check_round import one_round
    from feeds.catalogue import SourceSpec
    from feeds.fetch.client import FetchPolicy
    from feeds.store.models import utcnow
    from feeds.store.sources import select_sources, upsert_sources
    from notifier.context import Context
    from notifier.settings import Settings

    stop = False

    def on_term(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    settings = Settings(database_url=url, data_dir=Path(data_dir))
    ctx = Context(settings=settings, engine=make_engine(url))
    specs = [
        SourceSpec(key=f"p{i}", kind="page", url=f"http://127.0.0.1:{fixture_port}/p/{i}",
                   authority="bench", name=f"Side {i}", selector="main")
        for i in range(pages)
    ]  # fmt: skip
    with Session(ctx.engine) as session:
        upsert_sources(session, specs)
        session.commit()
        ids = [
            s.id
            for s in select_sources(session, utcnow(), everything=True)
            if s.id is not None and s.key.startswith("p")
        ]
    policy = FetchPolicy(
        allow_private=True, per_host_concurrency=16, per_host_min_gap=0, total_connections=16
    )
    classifier = make_classifier(ctx, "model")
    walls = []
    for r in itertools.count():
        if stop:
            break
        walls.append(asyncio.run(one_round(ctx, ids, policy, classifier, None)).wall)
        bump(fixture_port, r)
    print(
        f"check rounds meanwhile ({pages} pages, 10 % changed per round after the first): "
        f"{len(walls)}, first {walls[0]:.2f} s, then median "
        f"{statistics.median(walls[1:] or walls):.2f} s",
        flush=True,
    )


async def client(
    session: aiohttp.ClientSession,
    base: str,
    deadline: float,
    start: int,
    routes: dict[str, Route],
    etag: list[str],
) -> None:
    for n in itertools.count(start):
        if time.perf_counter() >= deadline:
            return
        name, path, expected = ROUTES[n % len(ROUTES)]
        headers = {"If-None-Match": etag[0]} if "If-None-Match" in name and etag[0] else {}
        t0 = time.perf_counter()
        try:
            async with session.get(base + path, headers=headers) as response:
                await response.read()
                status = response.status
                if path == "/endringer.atom" and status == 200 and "ETag" in response.headers:
                    etag[0] = response.headers["ETag"]
        except (aiohttp.ClientError, TimeoutError) as exc:
            routes[name].errors.append(f"{type(exc).__name__}: {exc}")
            continue
        routes[name].times.append(time.perf_counter() - t0)
        if status == 304:
            routes[name].not_modified += 1
        if status not in expected:
            routes[name].errors.append(f"HTTP {status}")


async def load(base: str, clients: int, seconds: float) -> tuple[dict[str, Route], float]:
    routes = {name: Route() for name, _, _ in ROUTES}
    etag = [""]
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        start = time.perf_counter()
        deadline = start + seconds
        await asyncio.gather(
            *(client(session, base, deadline, i, routes, etag) for i in range(clients))
        )
        return routes, time.perf_counter() - start


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def report(routes: dict[str, Route], elapsed: float) -> None:
    total = sum(len(r.times) + len(r.errors) for r in routes.values())
    print(f"{'route':38} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")
    for name, r in routes.items():
        p50 = percentile(r.times, 0.5) * 1000 if r.times else float("nan")
        p95 = percentile(r.times, 0.95) * 1000 if r.times else float("nan")
        extra = f"  ({r.not_modified} answered 304)" if "If-None-Match" in name else ""
        print(f"{name:38} {len(r.times):8} {p50:8.1f} {p95:8.1f} {len(r.errors):6}{extra}")
        for error in sorted(set(r.errors))[:3]:
            print(f"    e.g. {error}")
    errors = sum(len(r.errors) for r in routes.values())
    print(
        f"total: {total} requests in {elapsed:.1f} s, {total / elapsed:.0f} req/s, {errors} errors"
    )


def database(engine_name: str, tmp: Path) -> tuple[str, str | None]:
    """The database URL to use, and the PostgreSQL schema to drop afterwards."""
    if engine_name == "sqlite":
        return f"sqlite:///{tmp / 'bench.db'}", None
    base = os.environ.get(
        "NOTIFIER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, connect_args={"connect_timeout": 3})
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", schema


def drop_schema(schema: str) -> None:
    base = os.environ.get(
        "NOTIFIER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def run(args: argparse.Namespace, tmp: Path) -> None:
    url, schema = database(args.engine, tmp)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        engine = make_engine(url)
        upgrade(engine)
        fill(engine, args.changes)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(sa.text("ANALYZE change"))
        engine.dispose()
        web_port, fixture_port = free_port(), free_port()
        me = [sys.executable, "-m", "bench.web_load"]
        processes.append(subprocess.Popen([*me, "--serve", str(web_port), url, str(tmp)]))
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "bench.fixture_server", str(fixture_port), str(args.pages)]
            )
        )
        wait_for(f"http://127.0.0.1:{fixture_port}/p/0")
        wait_for(f"http://127.0.0.1:{web_port}/abonner")
        checker = subprocess.Popen(
            [*me, "--check-loop", str(fixture_port), str(args.pages), url, str(tmp)]
        )
        processes.append(checker)
        time.sleep(args.warmup)  # the check loop has loaded its classifier and begun
        print(
            f"web app under load: {args.engine}, {args.changes} published changes, "
            f"{args.clients} concurrent clients for {args.seconds:.0f} s, a check round of "
            f"{args.pages} pages in a loop meanwhile; load average before: "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
            flush=True,
        )
        routes, elapsed = asyncio.run(
            load(f"http://127.0.0.1:{web_port}", args.clients, args.seconds)
        )
        loadavg = " ".join(f"{x:.2f}" for x in os.getloadavg())
        report(routes, elapsed)
        checker.send_signal(signal.SIGTERM)
        checker.wait(timeout=300)
        print(f"load average after: {loadavg}")
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait()
        if schema:
            drop_schema(schema)


def main() -> None:
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]), sys.argv[3], sys.argv[4])
        return
    if sys.argv[1:2] == ["--check-loop"]:
        check_loop(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--changes", type=int, default=3000)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds before the load")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(args, Path(tmp))


if __name__ == "__main__":
    main()
