"""The public pages: an overview of the watched sources and the latest changes, a health
check, and a JSON list of changes. Source health (errors, outcomes) is for staff only
(``/staff/kilder``): the public sees whether a source is watched."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlmodel import Session, col, func, select

from feeds.store.models import Change, Source
from notifier.web.deps import CtxDep, DbSession, EnvDep
from notifier.web.staff_views import authority_name

router = APIRouter()


@router.get("/healthz")
def healthz(session: DbSession) -> JSONResponse:
    sources = session.exec(select(func.count()).select_from(Source)).one()
    failing = session.exec(
        select(func.count()).select_from(Source).where(col(Source.consecutive_errors) > 0)
    ).one()
    return JSONResponse({"status": "ok", "sources": sources, "failing_sources": failing})


@router.get("/", response_class=HTMLResponse)
def index(request: Request, ctx: CtxDep, env: EnvDep, session: DbSession) -> HTMLResponse:
    sources = list(session.exec(select(Source).order_by(col(Source.authority), col(Source.key))))
    changes = _latest(session, 50)
    names = {s.id: s.name for s in sources}
    html = env.get_template("web/index.html").render(
        sources=sources,
        changes=changes,
        names=names,
        labels=ctx.labels(),
        tz=ctx.settings.timezone,
        authority_name=authority_name,
    )
    return HTMLResponse(html)


@router.get("/api/changes")
def api_changes(session: DbSession, limit: int = 50) -> list[dict[str, Any]]:
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
        for c in _latest(session, min(max(limit, 1), 500))
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
