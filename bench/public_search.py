"""Query-layer benchmark (notifier.public_changes): the change log's queries over many stored
changes, on SQLite (FTS5) and, when reachable, PostgreSQL (tsvector expression indexes).

    python -m bench.public_search [--changes 20000] [--repeat 15] [--postgres URL]

Fills a fresh database (migrations applied) with ``--changes`` published changes of ~1 KB of
Norwegian text each, 19 subtopics and a county/municipality spread, then prints, per query, the
median time over ``--repeat`` runs in milliseconds, and the ratio of each query to the plain
first page. PostgreSQL runs in a private schema, dropped afterwards
(default URL: NOTIFIER_TEST_POSTGRES_URL or postgresql+psycopg://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from feeds.classify import load_taxonomy
from feeds.store.models import Change, Snapshot, Source
from notifier.db import make_engine, upgrade
from notifier.public_changes import ChangeQuery, find_changes, latest_by_subtopic

WORDS = (
    "kommunelegen skal melde utbrudd til folkehelseinstituttet straks vaksine influensa "
    "smittevern karantene isolasjon testing sykehjem hjemmetjenester rettleiar legane "
    "forskrift endring veileder råd anbefaling beredskap øvelse område fylke kommune "
    "helsedirektoratet regjeringen tiltak smittesporing nærkontakter innreise grense"
).split()
REGIONS = ("46", "4601", "03", "0301", "50", "5001", "18", "1804", "11", "1103")


def fill(engine: sa.Engine, n: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    slugs = [s.slug for s in load_taxonomy().subtopics]
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    with Session(engine) as session:
        sources = []
        for authority in ("fhi", "helsedirektoratet", "regjeringen"):
            src = Source(key=authority, kind="feed", url=f"https://{authority}.no/rss",
                         authority=authority, name=authority)  # fmt: skip
            session.add(src)
            sources.append(src)
        session.flush()
        snap = Snapshot(source_id=sources[0].id or 0, content_digest="d", taken_at=t0)
        session.add(snap)
        session.commit()
        rows = []
        for i in range(n):
            text = " ".join(rnd.choice(WORDS) for _ in range(140))
            rows.append({
                "source_id": sources[i % 3].id, "snapshot_id": snap.id, "fingerprint": f"f{i}",
                "kind": rnd.choice(("new", "changed", "removed", "added")),
                "title": " ".join(rnd.choice(WORDS) for _ in range(8)) + f" {i}",
                "url": f"https://x.no/{i}", "section": [], "summary": text[:300],
                "before": "", "after": text, "diff": [],
                "detected_at": t0 + timedelta(minutes=37 * i), "subtopics": rnd.sample(slugs, 2),
                "regions": rnd.sample(REGIONS, rnd.choice((0, 1, 2))),
                "urgent": rnd.random() < 0.05, "reasons": [], "status": "published",
            })  # fmt: skip
        for start in range(0, n, 2000):
            session.execute(sa.insert(Change), rows[start : start + 2000])
        session.commit()


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def run(engine: sa.Engine, label: str, n: int, repeat: int) -> None:
    upgrade(engine)
    start = time.perf_counter()
    fill(engine, n)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:  # what autovacuum would have done by now
            conn.execute(sa.text("ANALYZE change"))
    print(f"\n{label}: {n} changes stored in {time.perf_counter() - start:.1f} s")
    with Session(engine) as session:
        mid = find_changes(session, ChangeQuery(), limit=1)[0].id or 0
        rare = "zebrafiskeoppdrett"
        slugs = [s.slug for s in load_taxonomy().subtopics]
        session.execute(
            sa.update(Change).where(Change.id == mid // 3).values(title=f"Om {rare}")  # type: ignore[arg-type]
        )
        session.commit()
        queries: dict[str, Callable[[], object]] = {
            "first page": lambda: find_changes(session, ChangeQuery(), limit=26),
            "deep page (before_id)": lambda: find_changes(
                session, ChangeQuery(), before_id=mid // 2, limit=26
            ),
            "subtopic": lambda: find_changes(session, ChangeQuery(subtopic="karantene"), limit=26),
            "subtopic with no change": lambda: find_changes(
                session, ChangeQuery(subtopic="ingen_slik"), limit=26
            ),
            "front page: 19 subtopics": lambda: latest_by_subtopic(session, slugs),
            "front page, one unused": lambda: latest_by_subtopic(session, [*slugs, "ingen"]),
            "region (rare)": lambda: find_changes(session, ChangeQuery(region="1103"), limit=26),
            "urgent + authority": lambda: find_changes(
                session, ChangeQuery(urgent=True, authority="fhi"), limit=26
            ),
            "date range": lambda: find_changes(
                session, ChangeQuery(since=date(2024, 6, 1), until=date(2024, 6, 30)), limit=26
            ),
            "search common word": lambda: find_changes(
                session, ChangeQuery(text="vaksine"), limit=26
            ),
            "search two words (æøå)": lambda: find_changes(
                session, ChangeQuery(text="råd øvelse"), limit=26
            ),
            "search rare (no hit)": lambda: find_changes(
                session, ChangeQuery(text="pandemiplan"), limit=26
            ),
            "search rare (one hit)": lambda: find_changes(
                session, ChangeQuery(text=f"{rare}"), limit=26
            ),
            "search + subtopic": lambda: find_changes(
                session, ChangeQuery(text="legane", subtopic="testing"), limit=26
            ),
        }
        base = None
        for name, fn in queries.items():
            ms = median_ms(fn, repeat)
            base = base or ms
            print(f"  {name:<24} {ms:8.2f} ms   x{ms / base:6.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "NOTIFIER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        run(engine, "SQLite", args.changes, args.repeat)
        engine.dispose()
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = sa.create_engine(args.postgres, connect_args={"connect_timeout": 3})
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        print(f"\nPostgreSQL skipped: not reachable ({type(exc).__name__})")
        return
    sep = "&" if "?" in args.postgres else "?"
    engine = make_engine(f"{args.postgres}{sep}options=-csearch_path%3D{schema}")
    try:
        run(engine, "PostgreSQL", args.changes, args.repeat)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
