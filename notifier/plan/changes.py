"""The changes a plan is made of: those recent enough for a message of a cadence
(``candidate_changes``), and how a message shows them (``change_views``, read once per planning
run by ``_ViewCache``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from feeds.store.models import Change, Source
from notifier import textsafe
from notifier.context import Context
from notifier.digest import ChangeView
from notifier.textsafe import shown

#: what a message (mail, push, preview) carries of a change at most, cleaned of what no
#: reader should get (``textsafe``): one source's 1 MB title, 100,000 diff segments or 500
#: headings deep must not make every recipient's mail megabytes, nor a lone surrogate end
#: the rendering (and with it the run) in an encoding error
VIEW_TITLE_LIMIT = 300
VIEW_NAME_LIMIT = 200
VIEW_SUMMARY_LIMIT = 2_000
VIEW_DEPTH = 10
VIEW_SEGMENTS = 400
VIEW_DIFF_CHARS = 8_000

LOOKBACK = {
    "immediate": timedelta(days=2),
    "daily": timedelta(days=7),
    "weekly": timedelta(days=21),
}


def candidate_changes(session: Session, cadence: str, now: datetime) -> list[Change]:
    """Published changes recent enough for a message of this cadence: detected, or approved
    or corrected by staff, within its look-back (a change held for review for a week still
    reaches the digests once approved)."""
    since = now - LOOKBACK[cadence]
    recent = (col(Change.detected_at) >= since) | (col(Change.reviewed_at) >= since)
    return list(
        session.exec(
            select(Change).where(Change.status == "published", recent).order_by(col(Change.id))
        ).all()
    )


def change_views(
    ctx: Context,
    session: Session,
    changes: Sequence[Change],
    story_updates: set[int | None] | None = None,
) -> list[ChangeView]:
    source_ids = {c.source_id for c in changes}
    sources = {
        s.id: s for s in session.exec(select(Source).where(col(Source.id).in_(source_ids)))
    } if source_ids else {}  # fmt: skip
    views = []
    for c in changes:
        assert c.id is not None
        source = sources[c.source_id]
        views.append(
            ChangeView(
                id=c.id,
                source_name=shown(source.name, VIEW_NAME_LIMIT),
                authority=source.authority,
                title=shown(c.title, VIEW_TITLE_LIMIT),
                url=c.url,
                kind=c.kind,
                section=tuple(shown(h, VIEW_NAME_LIMIT) for h in c.section[:VIEW_DEPTH]),
                summary=shown(c.summary, VIEW_SUMMARY_LIMIT),
                segments=textsafe.segments(c.diff, VIEW_SEGMENTS, VIEW_DIFF_CHARS),
                detected_at=c.detected_at,
                subtopics=ctx.with_umbrellas(c.subtopics),
                urgent=c.urgent,
                story_update=c.id in (story_updates or set()),
            )
        )
    return views


class _ViewCache:
    """One ``ChangeView`` per change (and update flag) for a whole planning run: a national
    change to 100,000 recipients is read and converted once, not once per recipient."""

    def __init__(self, ctx: Context, session: Session) -> None:
        self.ctx, self.session = ctx, session
        self._views: dict[tuple[int, bool], ChangeView] = {}

    def of(self, changes: Sequence[Change], updates: set[int | None]) -> list[ChangeView]:
        missing = [c for c in changes if (c.id or 0, c.id in updates) not in self._views]
        if missing:
            made = change_views(self.ctx, self.session, missing, updates)
            for change, view in zip(missing, made, strict=True):
                self._views[(change.id or 0, change.id in updates)] = view
        return [self._views[(c.id or 0, c.id in updates)] for c in changes]
