"""Delivery speed (``python -m bench.deliver``), measured in one run, medians of several:

1. **Digests rendered and sent per second** to a local aiosmtpd sink (in a process of its
   own, as a relay is), through notifier's own path (``compose_digests``: plan, render, write
   the outbox; then ``deliver`` over the pool of NOTIFIER_SMTP_CONNECTIONS, at most
   NOTIFIER_SMTP_PER_DOMAIN per recipient domain), against raw aiosmtplib sending the same
   pre-rendered bytes over one connection to the same sink. The ratio is the share of the
   raw speed we keep (aim: 70 %).
2. **Writing the outbox for one urgent national change to 100,000 subscribers** (``dispatch``)
   on SQLite and on PostgreSQL (``NOTIFIER_TEST_POSTGRES_URL``, a private schema; skipped with
   the reason when unreachable): wall time and the peak RSS of a fresh process doing only
   that (aim: under 10 s and 150 MB).
3. **Detection to the last of 1,000 immediate deliveries, mail and push**: a feed on a local
   HTTP server gains an item; one check round finds it, the alerts are written and sent, by
   mail to the sink and by Web Push to the local push service of the tests
   (``tests/support/pushservice.py``: it checks each VAPID signature and decrypts each
   payload), each subscriber having one browser; the time from the change's ``detected_at``
   to the last message accepted on either channel.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosmtplib
import sqlalchemy as sa
from aiohttp import web
from aiosmtpd.controller import Controller

from notifier.channels import SmtpChannel, build_email
from notifier.context import Context
from notifier.db import make_engine, upgrade
from notifier.settings import Settings
from notifier.web.links import attach

PG_URL = os.environ.get(
    "NOTIFIER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SUBTOPICS = ("vaksinasjon", "testing", "forskrifter_regelverk", "smittevern_tiltak", "isolasjon")
NAMES = ("", "Kari Nordmann", "Ola Hansen", "Åse Øye", "Per Berg")
MAIL_FROM = "Helsevarsel <varsel@example.no>"


# --- a local SMTP sink ----------------------------------------------------------------------


class Sink:
    """Accepts everything, keeps a count and the time of the last message (in memory shared
    with the process that started it)."""

    def __init__(self, count: Any, last: Any) -> None:
        self._count, self._last = count, last

    @property
    def count(self) -> int:
        return int(self._count.value)

    @property
    def last(self) -> float:
        return float(self._last.value)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._count.get_lock():
            self._count.value += 1
        self._last.value = time.time()
        return "250 OK"


def _serve_sink(port: int, count: Any, last: Any, ready: Any, stop: Any) -> None:
    controller = Controller(Sink(count, last), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


@contextmanager
def sink() -> Iterator[tuple[Sink, int]]:
    """aiosmtpd in a process of its own, as a real relay is: in this process its thread would
    take the interpreter lock from the sender it is measured against."""
    ctx = multiprocessing.get_context("spawn")
    count, last = ctx.Value("q", 0), ctx.Value("d", 0.0)
    ready, stop = ctx.Event(), ctx.Event()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = ctx.Process(target=_serve_sink, args=(port, count, last, ready, stop), daemon=True)
    process.start()
    try:
        if not ready.wait(60):
            raise RuntimeError("the SMTP sink did not start within 60 s")
        yield Sink(count, last), port
    finally:
        stop.set()
        process.join(10)


# --- databases ----------------------------------------------------------------------------


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A fresh, migrated database: a SQLite file, or a private PostgreSQL schema."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:6]}.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def postgres_reason() -> str | None:
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means: skip with the reason
        return f"PostgreSQL not reachable at {PG_URL} ({type(exc).__name__})"
    return None


def settings_for(url: str, folder: Path, **extra: Any) -> Settings:
    return Settings(
        database_url=url, data_dir=folder / "var", base_url="https://varsel.example.no",
        allow_private_sources=True, per_host_min_gap=0.0, **extra,
    )  # fmt: skip


def populate(url: str, n: int, cadence: str, seed: int = 11) -> None:
    """``n`` confirmed subscribers following vaksinasjon (and 0-3 other subtopics), with a mix
    of names, languages and regions; written with bulk inserts."""
    rng = random.Random(seed)
    engine = make_engine(url)
    confirmed = datetime.now(UTC) - timedelta(days=30)
    subscribers, subscriptions = [], []
    for sid in range(1, n + 1):
        subscribers.append(
            {"id": sid, "email": f"lege{sid}@kommune{sid % 357}.no",
             "email_key": f"lege{sid}@kommune{sid % 357}.no", "name": rng.choice(NAMES),
             "role": "kommunelege", "language": "nn" if rng.random() < 0.2 else "nb",
             "token_version": 0, "created_at": confirmed, "confirmed_at": confirmed,
             "hard_bounces": 0}
        )  # fmt: skip
        topics = ["vaksinasjon", *rng.sample(SUBTOPICS[1:], rng.randint(0, 3))]
        for topic in topics:
            subscriptions.append(
                {"subscriber_id": sid, "subtopic": topic, "cadence": cadence, "channel": "email",
                 "created_at": confirmed}
            )  # fmt: skip
    meta = sa.MetaData()
    meta.reflect(engine, only=["subscriber", "subscription"])
    with engine.begin() as conn:
        for start in range(0, len(subscribers), 20_000):
            conn.execute(meta.tables["subscriber"].insert(), subscribers[start : start + 20_000])
        for start in range(0, len(subscriptions), 20_000):
            chunk = subscriptions[start : start + 20_000]
            conn.execute(meta.tables["subscription"].insert(), chunk)
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT setval('subscriber_id_seq', :n)"), {"n": n})
    engine.dispose()


def add_changes(url: str, count: int, urgent: bool) -> None:
    """A feed source and ``count`` published national changes about vaksinasjon."""
    from sqlmodel import Session

    from feeds.store.models import Change, Snapshot, Source

    engine = make_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as session:
        source = Source(key="fhi", kind="feed", url="https://www.fhi.no/rss", authority="fhi",
                        name="FHI")  # fmt: skip
        session.add(source)
        session.flush()
        assert source.id is not None
        snap = Snapshot(source_id=source.id, content_digest="d", taken_at=now)
        session.add(snap)
        session.flush()
        assert snap.id is not None
        for i in range(count):
            session.add(
                Change(
                    source_id=source.id, snapshot_id=snap.id, fingerprint=f"f{i}", kind="new",
                    title=f"Endring {i} i vaksinasjonsprogrammet", url=f"https://www.fhi.no/{i}",
                    summary="Alle over 65 år får tilbud om en ny dose i høst. " * 3,
                    subtopics=["vaksinasjon"], urgent=urgent, detected_at=now,
                    dispatched_at=None if urgent else now,
                )
            )  # fmt: skip
        session.commit()
    engine.dispose()


def reset_outbox(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM delivery_event"))
        conn.execute(sa.text("DELETE FROM delivery_carried"))
        conn.execute(sa.text("DELETE FROM delivery_item"))
        conn.execute(sa.text("DELETE FROM delivery"))
        conn.execute(sa.text("DELETE FROM delivery_body"))
        conn.execute(sa.text("UPDATE change SET dispatched_at = NULL WHERE urgent"))
    engine.dispose()


# --- 2. the outbox for one urgent national change ---------------------------------------------


def _rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory now (``VmRSS``) or at its peak (``VmHWM``), in MB.
    (Not ``ru_maxrss``: after a fork it starts from the parent's size.)"""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child_dispatch(url: str, folder: str) -> None:
    """In a fresh process: build the context, then time ``dispatch``; print JSON."""
    from notifier.plan import dispatch

    ctx = Context(settings=settings_for(url, Path(folder)), engine=make_engine(url))
    ctx.renderer  # noqa: B018 - templates and taxonomy loaded before the clock starts
    ctx.taxonomy  # noqa: B018
    before = _rss_mb()
    profile = os.environ.get("BENCH_PROFILE")  # a file for cProfile's figures of the dispatch
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    written = dispatch(ctx)
    seconds = time.perf_counter() - start
    if profile:
        profiler.disable()
        profiler.dump_stats(profile)
    peak = _rss_mb("VmHWM")
    print(json.dumps({"seconds": seconds, "written": written, "rss_before": before,
                      "peak": peak}))  # fmt: skip


def outbox_write(kind: str, folder: Path, n: int, runs: int) -> None:
    with database(kind, folder) as url:
        populate(url, n, "daily")
        add_changes(url, 1, urgent=True)
        results = []
        for _ in range(runs):
            reset_outbox(url)
            out = subprocess.run(
                [sys.executable, "-m", "bench.deliver", "--child-dispatch", url, str(folder)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    secs = statistics.median(r["seconds"] for r in results)
    peak = statistics.median(r["peak"] for r in results)
    base = statistics.median(r["rss_before"] for r in results)
    written = results[-1]["written"]
    print(
        f"outbox, 1 urgent national change, {kind:10} {written:7d} messages: "
        f"median {secs:6.2f} s ({written / secs:8.0f} msg/s), peak RSS {peak:5.0f} MB "
        f"(before dispatch {base:4.0f} MB)  runs: "
        + ", ".join(f"{r['seconds']:.2f} s/{r['peak']:.0f} MB" for r in results)
    )


# --- 1. digests rendered and sent per second -------------------------------------------------


async def raw_send(port: int, messages: list[tuple[str, bytes]]) -> float:
    """Seconds for raw aiosmtplib to send these pre-rendered messages over one connection."""
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=30)
    start = time.perf_counter()
    await client.connect()
    for to, raw in messages:
        await client.sendmail("varsel@example.no", [to], raw)
    await client.quit()
    return time.perf_counter() - start


async def digests_vs_raw(folder: Path, n: int, runs: int) -> None:
    from sqlmodel import Session, select

    from notifier.deliver import deliver
    from notifier.outbox import Delivery, bodies
    from notifier.plan import compose_digests

    ours, raw = [], []
    with database("sqlite", folder) as url, sink() as (_box, port):
        populate(url, n, "daily")
        add_changes(url, 4, urgent=False)
        ctx = Context(settings=settings_for(url, folder), engine=make_engine(url))
        for _ in range(runs):
            reset_outbox(url)
            settings = ctx.settings
            channel = SmtpChannel(
                "127.0.0.1", port, MAIL_FROM, timeout=30, connections=settings.smtp_connections,
                per_domain=settings.smtp_per_domain,
            )  # fmt: skip
            start = time.perf_counter()
            composed = compose_digests(ctx, "daily")
            report = await deliver(ctx, channel)
            seconds = time.perf_counter() - start
            await channel.close()
            assert report.sent == composed == n, (report, composed)
            ours.append(n / seconds)
            with Session(ctx.engine) as session:
                rows = session.exec(select(Delivery).where(Delivery.kind == "digest")).all()
                shared = bodies(session, {r.body_id for r in rows})
                links = attach(ctx).mail_links
                built = [
                    build_email(r.message(shared.get(r.body_id or 0), links), MAIL_FROM)
                    for r in rows
                ]
            prepared = [(b.recipient, b.raw) for b in built]
            raw.append(n / await raw_send(port, prepared))
        ctx.engine.dispose()
    mine, theirs = statistics.median(ours), statistics.median(raw)
    print(
        f"digests rendered and sent: median {mine:7.0f}/s; raw aiosmtplib, same bytes: "
        f"median {theirs:7.0f}/s; ratio {mine / theirs:5.1%}  ({n} digests, {runs} runs)"
    )


# --- 3. detection to the last of 1,000 immediate deliveries ----------------------------------

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>FHI</title><link>http://127.0.0.1/</link>
<description>Nyheter</description>{items}</channel></rss>"""
ITEM = """<item><title>{title}</title><link>http://127.0.0.1/a/{i}</link><guid>g{i}</guid>
<description>{text}</description></item>"""


def push_browsers(ctx: Context, service: Any, n: int) -> None:
    """Every subscriber turns push on in one browser of the local push service."""
    from sqlmodel import Session

    from notifier.channels.webpush import load_vapid_keys
    from subscribers import push

    key = load_vapid_keys(ctx.engine).public
    with Session(ctx.engine) as session:
        for sid in range(1, n + 1):
            browser = service.subscribe(key)
            push.add(session, sid, browser.endpoint, browser.p256dh, browser.auth, ctx.clock())
        session.commit()


async def detection_to_delivery(folder: Path, n: int, runs: int) -> None:
    from feeds.catalogue import SourceSpec
    from feeds.store.sources import upsert_sources
    from notifier.deliver import deliver
    from notifier.pipeline import check
    from tests.support.pushservice import PushService

    class TimedPushService(PushService):
        """The local push service (VAPID checked, payload decrypted), with the time of the
        last push it accepted."""

        last = 0.0

        def verify(self, path: str, headers: dict[str, str], body: bytes) -> Any:
            accepted = super().verify(path, headers, body)
            self.last = time.time()
            return accepted

    took, mail_took, push_took = [], [], []
    for _ in range(runs):
        items = [ITEM.format(i=0, title="Ukens tall", text="Tall for uken.")]
        app = web.Application()

        async def feed(request: web.Request) -> web.Response:
            body = FEED.format(items="".join(items))  # noqa: B023
            return web.Response(text=body, content_type="application/rss+xml")

        app.router.add_get("/rss", feed)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        http_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        service = TimedPushService()
        service.start()
        with database("sqlite", folder) as url, sink() as (box, port):
            populate(url, n, "immediate")
            settings = settings_for(
                url, folder, obey_robots=False, confirm_page_changes=False,
                smtp_url=f"smtp://127.0.0.1:{port}",
            )  # fmt: skip
            ctx = Context(settings=settings, engine=make_engine(url))
            push_browsers(ctx, service, n)
            from sqlmodel import Session

            with Session(ctx.engine) as session:
                spec = SourceSpec(
                    key="fhi", kind="feed", url=f"http://127.0.0.1:{http_port}/rss",
                    authority="fhi", name="FHI", subtopics=("vaksinasjon",),
                )  # fmt: skip
                upsert_sources(session, [spec])
                session.commit()
            await check(ctx, ["fhi"])  # the baseline
            items.insert(
                0,
                ITEM.format(
                    i=1, title="Ny vaksine mot influensa til alle over 65 år",
                    text="Alle over 65 år får tilbud om vaksine mot influensa fra 1. oktober.",
                ),
            )  # fmt: skip
            start = time.time()
            await check(ctx, ["fhi"])
            report = await deliver(ctx, limit=100_000)
            detected = _detected_at(ctx).timestamp()
            assert box.count == n and len(service.received) == n, (box.count, report)
            assert report.sent == 2 * n and not service.rejected, (report, service.rejected[:3])
            took.append(max(box.last, service.last) - detected)
            mail_took.append(box.last - detected)
            push_took.append(service.last - detected)
            first = detected - start
            ctx.engine.dispose()
        service.stop()
        await runner.cleanup()
    print(
        f"detection to the last of {n} immediate deliveries by mail and {n} by Web Push: median "
        f"{statistics.median(took):6.2f} s (mail {statistics.median(mail_took):.2f} s, push "
        f"{statistics.median(push_took):.2f} s; check to detection {first:.2f} s; runs: "
        + ", ".join(f"{t:.2f}" for t in took)
        + ")"
    )


def _detected_at(ctx: Context) -> datetime:
    from sqlmodel import Session, func, select

    from feeds.store.models import Change

    with Session(ctx.engine) as session:
        found = session.exec(select(func.max(Change.detected_at))).one()
    assert found is not None
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--digests", type=int, default=2_000)
    parser.add_argument("--immediate", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("digests", "outbox", "latency"), default=None)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default=None,
                        help="the outbox on this database only")  # fmt: skip
    parser.add_argument("--child-dispatch", nargs=2, metavar=("URL", "FOLDER"))
    args = parser.parse_args()
    if args.child_dispatch:
        child_dispatch(*args.child_dispatch)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.only in (None, "digests"):
            asyncio.run(digests_vs_raw(folder, args.digests, args.runs))
        if args.only in (None, "outbox"):
            if args.engine in (None, "sqlite"):
                outbox_write("sqlite", folder, args.subscribers, args.runs)
            reason = postgres_reason()
            if args.engine == "sqlite":
                pass
            elif reason:
                print(f"outbox on PostgreSQL skipped: {reason}")
            else:
                outbox_write("postgresql", folder, args.subscribers, args.runs)
        if args.only in (None, "latency"):
            asyncio.run(detection_to_delivery(folder, args.immediate, args.runs))


if __name__ == "__main__":
    main()
