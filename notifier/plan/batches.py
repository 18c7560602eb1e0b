"""A plan written in batches of short transactions, each committed at once and safe to
resume (a message's key is unique, and a change is planned again only for whom it has not
reached), streamed a chunk of recipients at a time, out of the cyclic collector's way."""

from __future__ import annotations

import gc
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
from notifier.plan.write import store
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
    added = 0
    size = ctx.settings.dispatch_batch
    if digests and forms is None:
        forms = FormRenderer(ctx.renderer, now, attach(ctx).mail_links)
    for start in range(0, len(digests), size):
        chunk = digests[start : start + size]
        collisions = 0
        for wait in (*LOCKED_WAITS, None):
            try:
                stored = store(ctx, session, chunk, now, forms)
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
            added += stored
            break
    return added


def store_planned(
    ctx: Context,
    session: Session,
    chunks: Iterable[list[Digest]],
    now: datetime,
    forms: FormRenderer | None = None,
) -> tuple[int, int]:
    """Store what ``plan_chunks`` yields, chunk by chunk (never every message in memory at
    once); returns (messages written, late digests among them). ``forms`` shares its token
    versions with ``plan_chunks(versions=forms.versions)``."""
    forms = forms or FormRenderer(ctx.renderer, now, attach(ctx).mail_links)
    added = late = 0
    for digests in chunks:
        added += store_in_batches(ctx, session, digests, now, forms)
        late += sum(1 for d in digests if d.late_since is not None)
        forms.versions.clear()
    return added, late


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
