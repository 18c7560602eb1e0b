"""What a feed reader and an API client cost the web app (python -m bench.feeds_api).

A SQLite database with 2,000 published changes (realistic summaries and word diffs), the real
app over ASGI (no network). Prints medians of: a full Atom feed (50 entries), the same feed
answered 304 to If-None-Match, a filtered feed, an API page of 50, the same page answered 304,
and the renderer alone; and the ratio of a 304 to a full answer.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlmodel import Session

from bench.pages import paragraph
from feeds.store.models import Change, Snapshot, Source
from notifier import atom
from notifier.context import Context
from notifier.db import make_engine, upgrade
from notifier.settings import Settings
from notifier.web import create_app

CHANGES = 2000
ROUNDS = 200


def seed(ctx: Context) -> None:
    rng = random.Random(12)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    slugs = ["vaksinasjon", "testing", "isolasjon", "smittesporing", "karantene"]
    with Session(ctx.engine) as session:
        sources = []
        for key, authority in (
            ("fhi", "fhi"),
            ("hdir", "helsedirektoratet"),
            ("reg", "regjeringen"),
        ):
            source = Source(
                key=key, kind="feed", url=f"https://{key}.example.no/", authority=authority
            )
            session.add(source)
            session.flush()
            sources.append(source)
        for n in range(CHANGES):
            source = sources[n % 3]
            assert source.id is not None
            snap = Snapshot(source_id=source.id, content_digest=f"d{n}", taken_at=start)
            session.add(snap)
            session.flush()
            assert snap.id is not None
            session.add(
                Change(
                    source_id=source.id, snapshot_id=snap.id, fingerprint=f"f{n}",
                    kind="changed", title=paragraph(rng, 8), url=f"https://{source.key}.example.no/{n}",
                    summary=paragraph(rng, 60), before=paragraph(rng, 80), after=paragraph(rng, 80),
                    diff=[["=", paragraph(rng, 30)], ["-", paragraph(rng, 5)],
                          ["+", paragraph(rng, 6)]],
                    subtopics=[rng.choice(slugs)], regions=["46", "4601"] if n % 7 == 0 else [],
                    urgent=n % 25 == 0, detected_at=start + timedelta(minutes=n),
                )
            )  # fmt: skip
        session.commit()


async def median_ms(call: Callable[[], Awaitable[httpx.Response]], status: int) -> float:
    times = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        response = await call()
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == status, response.status_code
    return statistics.median(times)


async def run(ctx: Context) -> None:
    transport = httpx.ASGITransport(app=create_app(ctx))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        feed = await client.get("/endringer.atom")
        api = await client.get("/api/v1/changes")
        feed_tag = {"If-None-Match": feed.headers["etag"]}
        api_tag = {"If-None-Match": api.headers["etag"]}
        filtered = {"region": "46", "subtopic": "testing"}
        figures = {
            "feed, 50 entries (200)": await median_ms(lambda: client.get("/endringer.atom"), 200),
            "feed, If-None-Match (304)": await median_ms(
                lambda: client.get("/endringer.atom", headers=feed_tag),
                304,
            ),
            "feed ?region=46&subtopic=testing (200)": await median_ms(
                lambda: client.get("/endringer.atom", params=filtered),
                200,
            ),
            "API /changes, 50 (200)": await median_ms(lambda: client.get("/api/v1/changes"), 200),
            "API /changes, If-None-Match (304)": await median_ms(
                lambda: client.get("/api/v1/changes", headers=api_tag),
                304,
            ),
        }  # fmt: skip
    for name, value in figures.items():
        print(f"{name:42s} median {value:6.2f} ms")
    full, cached = figures["feed, 50 entries (200)"], figures["feed, If-None-Match (304)"]
    print(f"feed 304 / 200 ratio: {cached / full:.2f}; feed size {len(feed.content):,} bytes")
    api_full, api_cached = (
        figures["API /changes, 50 (200)"],
        figures["API /changes, If-None-Match (304)"],
    )
    print(f"API 304 / 200 ratio: {api_cached / api_full:.2f}; page size {len(api.content):,} bytes")


def render_only() -> None:
    rng = random.Random(3)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    entries = tuple(
        atom.AtomEntry(
            id=f"https://x/endringer/{n}", title=paragraph(rng, 8), link=f"https://x/endringer/{n}",
            updated=now, published=now, author="FHI",
            content_html=atom.change_html(paragraph(rng, 60), [["=", paragraph(rng, 30)],
                                          ["+", paragraph(rng, 5)]], "https://fhi.no/", "Kilde"),
        )
        for n in range(50)
    )  # fmt: skip
    feed = atom.AtomFeed(
        "https://x/e.atom", "T", "https://x/e.atom", "https://x/e", "H", "nb", entries
    )
    times = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        atom.render(feed)
        times.append((time.perf_counter() - t0) * 1000)
    print(f"{'atom.render alone, 50 entries':42s} median {statistics.median(times):6.2f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}", data_dir=Path(tmp))
        engine = make_engine(settings.database_url)
        upgrade(engine)
        ctx = Context(settings=settings, engine=engine)
        seed(ctx)
        print(f"{CHANGES} published changes, SQLite, {ROUNDS} requests each")
        asyncio.run(run(ctx))
        render_only()
        engine.dispose()


if __name__ == "__main__":
    main()
