"""The public front page (what the service is, urgent changes, subtopics, how to subscribe,
the watched sources), a health check, and a JSON list of changes. The change log itself is
``changelog.py``. Source health (errors, outcomes) is for staff only
(``/staff/kilder``): the public sees whether a source is watched."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session, col, func, select

from feeds.store.models import Change, Source
from notifier.numbers import digits
from notifier.public_changes import ChangeQuery, find_changes, latest_by_subtopic
from notifier.web.deps import CtxDep, DbSession, PagesDep
from notifier.web.pages import request_lang
from notifier.web.public_views import feeds_for, names
from notifier.web.ratelimit import api_limit
from notifier.web.texts import TEXTS

router = APIRouter()
URGENT_ON_FRONT = 5


@router.get("/healthz")
def healthz(session: DbSession) -> JSONResponse:
    """Up, and the database answers. Public, so no source health: that is the console's
    (``/staff/kilder``) and the token-guarded ``/metrics``'."""
    sources = session.exec(select(func.count()).select_from(Source)).one()
    return JSONResponse({"status": "ok", "sources": sources})


@router.get("/")
def index(request: Request, ctx: CtxDep, pages: PagesDep, session: DbSession) -> Response:
    """What the service is, the latest urgent changes, each subtopic with its latest change,
    how to subscribe, and which sources are watched (no health: that is ``/staff/kilder``)."""
    lang = request_lang(request)
    sources = list(session.exec(select(Source).order_by(col(Source.authority), col(Source.key))))
    known = names(lang, ctx.taxonomy, ctx.gazetteer, sources)
    urgent = find_changes(session, ChangeQuery(urgent=True), limit=URGENT_ON_FRONT)
    latest = latest_by_subtopic(session, (sub.slug for sub in ctx.taxonomy.subtopics))
    groups: dict[str, list[tuple[str, str, Change | None]]] = {}
    for sub in ctx.taxonomy.subtopics:
        label = known.subtopics[sub.slug]
        groups.setdefault(sub.group, []).append((sub.slug, label, latest.get(sub.slug)))
    topics = [(ctx.taxonomy.group_label(g, lang), rows) for g, rows in groups.items()]
    t = TEXTS[lang]
    return pages.render(
        request, "index.html", title=t["home_title"], current="/", names=known, urgent=urgent,
        topics=topics, sources=sources, feeds=feeds_for(t, lang=lang), tz=ctx.settings.timezone,
    )  # fmt: skip


@router.get("/api/changes", dependencies=[Depends(api_limit)])
def api_changes(session: DbSession, limit: str = "50") -> list[dict[str, Any]]:
    number = digits(limit)  # "²" or "٣": the default; any larger number: the most
    size = 50 if number is None else min(max(number, 1), 500)
    return [
        {
            "id": c.id,
            "title": c.title,
            "url": c.url,
            "kind": c.kind,
            "section": c.section,
            "subtopics": c.subtopics,
            "regions": c.regions,
            "urgent": c.urgent,
            "detected_at": c.detected_at.isoformat(),
        }
        for c in _latest(session, size)
    ]


def _latest(session: Session, limit: int) -> list[Change]:
    return list(
        session.exec(
            select(Change)
            .where(Change.status == "published")
            .order_by(col(Change.id).desc())
            .limit(limit)
        )
    )
