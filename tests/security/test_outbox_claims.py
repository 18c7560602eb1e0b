"""Nothing is sent twice and nothing dies of a locked database (issue 8, class 6).

- Two deliveries in one process (the one after a check and the delivery job) overlap on a
  slow SMTP server: every message arrives once.
- Two senders with their own engines (as two processes would be) drain one outbox together,
  on SQLite and PostgreSQL: every message arrives once; a claim is a lease, so a dead sender's
  rows are taken again after it expires and not before.
- A dispatch to many subscribers writes the outbox in short transactions (at most
  ``NOTIFIER_DISPATCH_BATCH`` messages each), and ``notifier deliver`` in another process
  running meanwhile on the same SQLite file finishes cleanly.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from feeds.store.models import Change, Snapshot, Source
from notifier.channels import SmtpChannel
from notifier.context import Context
from notifier.db import make_engine, upgrade, write_retrying
from notifier.deliver import deliver
from notifier.outbox import SENT, Delivery, claim
from notifier.plan import bulk, dispatch
from notifier.worker import deliver_job
from subscribers.models import Subscriber, Subscription
from tests.conftest import Clock, make_settings
from tests.support.smtpserver import Inbox

EARLY = datetime(2026, 1, 1, tzinfo=UTC)


def fill_outbox(ctx: Context, n: int) -> None:
    with Session(ctx.engine) as session:
        for i in range(n):
            session.add(
                Delivery(
                    idempotency_key=f"k{i}", kind="digest", to_address=f"p{i}@kommune.no",
                    subject=f"Melding {i}", body_text="tekst", body_html="<p>tekst</p>",
                    created_at=EARLY, next_attempt_at=EARLY,
                )
            )  # fmt: skip
        session.commit()


def channel(port: int) -> SmtpChannel:
    return SmtpChannel("127.0.0.1", port, "Varsel <varsel@example.no>", timeout=10)


def assert_each_once(inbox: Inbox, n: int) -> None:
    ids = Counter(str(m["Message-ID"]) for m in inbox.messages)
    assert len(ids) == n
    assert max(ids.values()) == 1, ids.most_common(3)


async def test_overlapping_deliveries_in_one_process_send_each_message_once(
    ctx: Context, smtp: tuple[Inbox, int], monkeypatch: Any
) -> None:
    inbox, port = smtp
    inbox.delay = 0.002
    fill_outbox(ctx, 200)
    settings = ctx.settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}"})
    ctx = Context(settings=settings, engine=ctx.engine, clock=ctx.clock)
    # the delivery after a check, the delivery job and a third caller, all at once
    await asyncio.gather(deliver(ctx), deliver_job(ctx), deliver(ctx))
    assert_each_once(inbox, 200)


async def test_two_senders_with_their_own_engines_share_the_outbox(
    ctx: Context, smtp: tuple[Inbox, int], database_url: str
) -> None:
    inbox, port = smtp
    inbox.delay = 0.002
    fill_outbox(ctx, 120)
    settings = ctx.settings.model_copy(update={"deliver_batch": 7})
    other = Context(settings=settings, engine=make_engine(database_url), clock=ctx.clock)
    one = Context(settings=settings, engine=ctx.engine, clock=ctx.clock)
    a, b = channel(port), channel(port)
    try:
        first, second = await asyncio.gather(deliver(one, a), deliver(other, b))
    finally:
        await a.close()
        await b.close()
        other.engine.dispose()
    assert first.sent + second.sent == 120
    assert first.sent and second.sent  # both did work: the claims interleaved
    assert_each_once(inbox, 120)


def test_a_claim_is_a_lease(ctx: Context) -> None:
    fill_outbox(ctx, 3)
    lease = timedelta(minutes=10)
    now = ctx.clock()
    with Session(ctx.engine) as session:
        first = claim(session, now, lease, limit=2)
        assert [r.idempotency_key for r in first.rows] == ["k0", "k1"]
        second = claim(session, now, lease, limit=10)
        assert [r.idempotency_key for r in second.rows] == ["k2"]
        assert claim(session, now + lease - timedelta(seconds=1), lease).rows == ()
        # the first sender died: after its lease its rows are taken again
        third = claim(session, now + lease, lease)
        assert {r.idempotency_key for r in third.rows} == {"k0", "k1", "k2"}


def _many_subscribers(ctx: Context, subscribers: int, changes: int) -> None:
    now = ctx.clock()
    with Session(ctx.engine) as session:
        source = Source(key="s", kind="feed", url="https://x.no/rss", authority="fhi", name="S")
        session.add(source)
        session.flush()
        assert source.id is not None
        snap = Snapshot(source_id=source.id, content_digest="d", taken_at=now)
        session.add(snap)
        session.flush()
        assert snap.id is not None
        for i in range(changes):
            session.add(
                Change(
                    source_id=source.id, snapshot_id=snap.id, fingerprint=f"f{i}", kind="new",
                    title=f"Nye råd om vaksinasjon {i}", url=f"https://x.no/{i}",
                    subtopics=["vaksinasjon"], detected_at=now,
                )
            )  # fmt: skip
        session.commit()
    rows = [
        {"email": f"lege{i}@kommune{i % 50}.no", "email_key": f"lege{i}@kommune{i % 50}.no",
         "name": "", "role": "kommunelege", "language": "nb", "token_version": 0,
         "hard_bounces": 0, "created_at": now,
         "confirmed_at": now - timedelta(days=1)}
        for i in range(subscribers)
    ]  # fmt: skip
    with ctx.engine.begin() as conn:
        conn.execute(sa.insert(Subscriber.__table__), rows)  # type: ignore[attr-defined]
        ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM subscriber"))]
        conn.execute(
            sa.insert(Subscription.__table__),  # type: ignore[attr-defined]
            [{"subscriber_id": i, "subtopic": "vaksinasjon", "cadence": "immediate",
              "channel": "email", "created_at": now} for i in ids],
        )  # fmt: skip


def test_a_large_dispatch_writes_in_short_transactions(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = ctx.settings.model_copy(update={"dispatch_batch": 40})
    ctx = Context(settings=settings, engine=ctx.engine, clock=ctx.clock)
    _many_subscribers(ctx, subscribers=300, changes=5)
    # counted per thread: on PostgreSQL two writer threads commit batches side by side, each
    # in its own transaction on its own connection (``BatchWriter``)
    inserts: dict[int, int] = {}
    per_transaction: list[int] = []

    write = bulk.insert_rows  # the bulk insert (an executemany, or COPY on PostgreSQL)

    def count(conn: Any, table: str, statement: Any, rows: list[dict[str, Any]]) -> None:
        if table == "delivery":
            me = threading.get_ident()
            inserts[me] = inserts.get(me, 0) + len(rows)
        write(conn, table, statement, rows)

    def committed(conn: Any) -> None:
        per_transaction.append(inserts.pop(threading.get_ident(), 0))

    monkeypatch.setattr(bulk, "insert_rows", count)
    sa.event.listen(ctx.engine, "commit", committed)
    try:
        assert dispatch(ctx) == 300
    finally:
        sa.event.remove(ctx.engine, "commit", committed)
    assert sum(per_transaction) == 300
    assert max(per_transaction) <= 40
    with Session(ctx.engine) as session:
        assert all(c.dispatched_at is not None for c in session.exec(select(Change)))
    assert dispatch(ctx) == 0  # resumable and idempotent


def test_notifier_deliver_in_another_process_survives_a_large_dispatch(
    smtp: tuple[Inbox, int], tmp_path: Path, clock: Clock
) -> None:
    """On SQLite, where one writer at a time holds the file: ``notifier deliver`` runs in its
    own process, again and again, while this process dispatches 5 changes to 800
    subscribers in batches of 100."""
    inbox, port = smtp
    settings = make_settings(f"sqlite:///{tmp_path / 'n.db'}", tmp_path, dispatch_batch=100)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    ctx = Context(settings=settings, engine=engine, clock=clock)
    _many_subscribers(ctx, subscribers=800, changes=5)
    env = {
        **os.environ,
        "NOTIFIER_DATABASE_URL": ctx.settings.database_url,
        "NOTIFIER_DATA_DIR": str(tmp_path / "var"),
        "NOTIFIER_SMTP_URL": f"smtp://127.0.0.1:{port}",
        "NOTIFIER_MAIL_FROM": "Helsevarsel <varsel@example.no>",
        "NOTIFIER_DISPATCH_BATCH": "100",
    }
    done = threading.Event()
    failures: list[str] = []
    runs = [0]

    def deliver_meanwhile() -> None:
        while not done.is_set() or runs[0] == 0:
            result = subprocess.run(
                [sys.executable, "-m", "notifier", "deliver"],
                env=env, capture_output=True, text=True, timeout=300, check=False,
            )  # fmt: skip
            runs[0] += 1
            if result.returncode != 0:
                failures.append(result.stderr[-2000:])
                return

    worker = threading.Thread(target=deliver_meanwhile)
    worker.start()
    try:
        assert dispatch(ctx) == 800
    finally:
        done.set()
        worker.join(timeout=300)
    assert not failures, failures[0]
    result = subprocess.run(
        [sys.executable, "-m", "notifier", "deliver"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert_each_once(inbox, 800)
    with Session(ctx.engine) as session:
        assert {d.status for d in session.exec(select(Delivery))} == {SENT}
    engine.dispose()


def test_a_locked_sqlite_database_is_waited_for_not_a_crash(tmp_path: Path) -> None:
    """Another process holds the write lock longer than the busy timeout: the write is tried
    again until the lock is gone, and commits once."""
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    upgrade(make_engine(url))
    impatient = sa.create_engine(url, connect_args={"timeout": 0.01})
    holder = sqlite3.connect(
        str(tmp_path / "locked.db"), isolation_level=None, check_same_thread=False
    )
    holder.execute("BEGIN IMMEDIATE")
    released = threading.Timer(0.4, lambda: holder.execute("COMMIT"))
    released.start()
    tries: list[int] = []

    def work(session: Session) -> int:
        tries.append(1)
        session.add(
            Delivery(idempotency_key="k", kind="digest", to_address="a@kommune.no",
                     subject="s", body_text="t", body_html="<p>t</p>")
        )  # fmt: skip
        session.flush()
        return 7

    try:
        assert write_retrying(impatient, work) == 7
    finally:
        released.join()
        holder.close()
    assert len(tries) > 1  # it met the lock, waited and tried again
    with Session(impatient) as session:
        assert len(session.exec(select(Delivery)).all()) == 1
    impatient.dispose()


def test_two_dispatches_at_once_store_each_alert_once(ctx: Context, database_url: str) -> None:
    """An approval dispatches at once while the service's round may dispatch too: a batch that
    collides with the other's rows is rolled back and tried again, skipping what is stored."""
    settings = ctx.settings.model_copy(update={"dispatch_batch": 25})
    one = Context(settings=settings, engine=ctx.engine, clock=ctx.clock)
    other = Context(settings=settings, engine=make_engine(database_url), clock=ctx.clock)
    _many_subscribers(one, subscribers=150, changes=2)
    failures: list[BaseException] = []

    def run(c: Context) -> None:
        try:
            dispatch(c)
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in (one, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    other.engine.dispose()
    assert not failures, failures
    with Session(ctx.engine) as session:
        keys = [d.idempotency_key for d in session.exec(select(Delivery))]
    assert len(keys) == len(set(keys)) == 150
