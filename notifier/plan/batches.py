"""A plan written in batches of short transactions, each committed at once and safe to
resume (a message's key is unique, and a change is planned again only for whom it has not
reached), streamed a chunk of recipients at a time, out of the cyclic collector's way."""

from __future__ import annotations

import contextlib
import gc
import queue
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from feeds.store.models import Change
from notifier.context import Context
from notifier.db import LOCKED_WAITS, is_locked
from notifier.digest import Digest
from notifier.plan.planner import plan_chunks
from notifier.plan.write import Rendered, render, write
from notifier.render_batch import FormRenderer
from notifier.web.links import attach


def store_in_batches(
    ctx: Context,
    session: Session,
    digests: Sequence[Digest],
    now: datetime,
    forms: FormRenderer | None = None,
) -> int:
    """``store`` in transactions of ``NOTIFIER_DISPATCH_BATCH`` messages, each committed at
    once, so a dispatch to thousands never holds the write lock for long (other processes
    wait seconds, not minutes). Safe to resume: a message's key is unique and a change is
    planned again only for those it has not reached. A batch that finds the database locked
    is rolled back and tried again; so is one that collides with a dispatch running at the
    same time (a unique key already taken): the retry sees those rows and skips them."""
    if digests and forms is None:
        forms = FormRenderer(ctx.renderer, now, attach(ctx).mail_links)
    return sum(commit_batch(session, b, now) for b in _rendered(ctx, session, digests, now, forms))


def _rendered(
    ctx: Context,
    session: Session,
    digests: Sequence[Digest],
    now: datetime,
    forms: FormRenderer | None,
) -> Iterator[Rendered]:
    """``digests`` rendered ``NOTIFIER_DISPATCH_BATCH`` at a time."""
    size = ctx.settings.dispatch_batch
    for start in range(0, len(digests), size):
        yield render(ctx, session, digests[start : start + size], now, forms)


def commit_batch(session: Session, rendered: Rendered, now: datetime) -> int:
    """Write one rendered batch and commit it, retried as ``store_in_batches`` says; how
    many messages were new."""
    collisions = 0
    for wait in (*LOCKED_WAITS, None):
        try:
            stored = write(session, rendered, now)
            session.commit()
        except IntegrityError:
            session.rollback()
            collisions += 1
            if collisions > 3:
                raise
            continue
        except OperationalError as exc:
            session.rollback()
            if wait is None or not is_locked(exc):
                raise
            time.sleep(wait)
            continue
        return stored
    raise AssertionError("unreachable: the last wait raises")  # pragma: no cover


def store_planned(
    ctx: Context,
    session: Session,
    chunks: Iterable[list[Digest]],
    now: datetime,
    forms: FormRenderer | None = None,
) -> tuple[int, int]:
    """Store what ``plan_chunks`` yields, chunk by chunk (never every message in memory at
    once); returns (messages written, late digests among them). ``forms`` shares its token
    versions with ``plan_chunks(versions=forms.versions)``.

    On PostgreSQL the batches are written by a ``BatchWriter`` (a thread and a connection of
    its own) while the next are composed and rendered here, so that the database's share of
    the work (the bulk copies, their indexes, the commits: ~60 % of a national dispatch's
    time) runs beside ours instead of after it."""
    forms = forms or FormRenderer(ctx.renderer, now, attach(ctx).mail_links)
    added = late = 0
    writer = BatchWriter(ctx, now) if session.get_bind().dialect.name == "postgresql" else None
    try:
        for digests in chunks:
            if writer is None:
                added += store_in_batches(ctx, session, digests, now, forms)
            else:
                for rendered in _rendered(ctx, session, digests, now, forms):
                    writer.put(rendered)
            late += sum(1 for d in digests if d.late_since is not None)
            forms.versions.clear()
        if writer is not None:
            added = writer.finish()
    finally:
        if writer is not None:
            writer.abandon()
    return added, late


class BatchWriter:
    """Commits rendered batches in ``threads`` threads of its own, each on a session of its
    own, one batch per transaction (``commit_batch``), at most ``depth`` batches waiting. A
    writer's error is raised to the caller at the next ``put`` or at ``finish``; what was
    committed before stays committed (every batch is safe to write again: the keys are
    unique)."""

    def __init__(self, ctx: Context, now: datetime, depth: int = 2, threads: int = 2) -> None:
        self._engine, self._now = ctx.engine, now
        self._queue: queue.Queue[Rendered | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.added = 0
        self._threads = [
            threading.Thread(target=self._run, name=f"outbox-writer-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def put(self, rendered: Rendered) -> None:
        self._enqueue(rendered)

    def finish(self) -> int:
        """Wait for every batch to be committed; how many messages were new."""
        for _ in self._threads:
            self._enqueue(None)
        for thread in self._threads:
            thread.join()
        self._raise()
        return self.added

    def abandon(self) -> None:
        """Stop after the batches being written (the caller failed, or finished): nothing
        waiting is written."""
        self._stop.set()
        for thread in self._threads:  # a stop for each writer that still waits for work
            while thread.is_alive():
                with contextlib.suppress(queue.Full):
                    self._queue.put_nowait(None)
                thread.join(timeout=0.05)

    def _enqueue(self, item: Rendered | None) -> None:
        while True:
            self._raise()
            try:
                self._queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            with Session(self._engine, expire_on_commit=False) as session:
                while not self._stop.is_set():
                    rendered = self._queue.get()
                    if rendered is None or self._stop.is_set():
                        return
                    stored = commit_batch(session, rendered, self._now)
                    with self._lock:
                        self.added += stored
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            self._error = exc


def _store_plan(
    ctx: Context,
    session: Session,
    cadence: str,
    now: datetime,
    changes: Sequence[Change],
    due: Mapping[int, Mapping[str, datetime]] | None = None,
) -> tuple[int, int]:
    """Plan and store, streaming: a chunk of recipients is composed, rendered and written
    before the next is composed."""
    forms = FormRenderer(ctx.renderer, now, attach(ctx).mail_links)
    chunks = plan_chunks(ctx, session, cadence, now, changes, due=due, versions=forms.versions)
    with _gc_frozen():
        return store_planned(ctx, session, chunks, now, forms)


@contextmanager
def _gc_frozen() -> Iterator[None]:
    """Move what exists now (the match index, the plan's maps) out of the cyclic collector's
    way for the length of a large write: its passes would walk them again and again. Not in
    a process whose start-up objects are frozen already (``pipeline.preload``: a worker):
    ``gc.unfreeze`` releases every frozen object, so it would undo that freeze for the rest
    of the process's life (and freezing again afterwards would keep the plan's cycles
    forever); there only the plan's own objects are walked during the write."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
