"""What the scale-out's coordination costs: claiming a round's due sources, releasing them,
reserving a request start in the shared host ledger, and claiming a periodic run.

``python -m bench.claims [POSTGRES_URL]`` prints medians on SQLite (a temporary file) and, if
a URL is given (or NOTIFIER_TEST_POSTGRES_URL is set), on PostgreSQL in a schema of its own.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from feeds.catalogue import SourceSpec
from feeds.store.hosts import SharedHosts
from feeds.store.sources import claim_due, release_claims, upsert_sources
from notifier.db import make_engine, upgrade
from notifier.leases import claim_run

SOURCES = 2000
LEASE = timedelta(minutes=15)


def median_ms(run: Callable[[], object], times: int) -> float:
    samples = []
    for _ in range(times):
        began = time.perf_counter()
        run()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def measure(engine: Engine, label: str) -> None:
    upgrade(engine)
    specs = [
        SourceSpec(key=f"s{i:05}", kind="page", url=f"https://example.no/p/{i}",
                   authority="fhi", name=f"Side {i}")
        for i in range(SOURCES)
    ]  # fmt: skip
    with Session(engine) as session:
        upsert_sources(session, specs)
        session.commit()
    now = datetime.now(UTC)

    def claim_and_release() -> None:
        with Session(engine) as session:
            ids = claim_due(session, now, "bench", LEASE, SOURCES)
            session.commit()
            assert len(ids) == SOURCES
            release_claims(session, ids, "bench")
            session.commit()

    ms = median_ms(claim_and_release, 7)
    print(f"{label}: claim + release of {SOURCES} due sources: {ms:.1f} ms")
    if engine.dialect.name == "postgresql":
        hosts = SharedHosts(engine)
        ms = median_ms(lambda: hosts.reserve_now("example.no", 0.0), 300)
        print(f"{label}: shared host reservation per request: {ms:.2f} ms")
    counter = iter(range(10**6))
    ms = median_ms(lambda: claim_run(engine, "bench", str(next(counter)), now, LEASE, "bench"), 50)
    print(f"{label}: claim of a periodic run: {ms:.2f} ms")


@contextmanager
def pg_schema(url: str) -> Iterator[str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        measure(engine, "SQLite")
        engine.dispose()
    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("NOTIFIER_TEST_POSTGRES_URL", "")
    if url:
        with pg_schema(url) as scoped:
            engine = make_engine(scoped)
            measure(engine, "PostgreSQL")
            engine.dispose()


if __name__ == "__main__":
    main()
