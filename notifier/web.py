"""The web app: an overview of the watched sources and the latest changes, a health check, a
JSON list of changes, and the subscriber pages (``web_selfservice``: sign-up and
confirmation; ``web_manage``: preferences, unsubscribe, export, erasure)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlmodel import Session, col, func, select

from feeds.models import Change, Source
from notifier.context import Context
from notifier.render import make_environment
from notifier.web_manage import register_manage
from notifier.web_selfservice import register


def create_app(ctx: Context) -> FastAPI:
    app = FastAPI(title="notifier", docs_url=None, redoc_url=None)
    env = make_environment()
    pages, guard = register(app, ctx, env)
    register_manage(app, ctx, pages, guard)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        with Session(ctx.engine) as session:
            sources = session.exec(select(func.count()).select_from(Source)).one()
            failing = session.exec(
                select(func.count()).select_from(Source).where(col(Source.consecutive_errors) > 0)
            ).one()
        return JSONResponse({"status": "ok", "sources": sources, "failing_sources": failing})

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        with Session(ctx.engine) as session:
            sources = list(
                session.exec(select(Source).order_by(col(Source.authority), col(Source.key)))
            )
            changes = _latest(session, 50)
        names = {s.id: s.name for s in sources}
        html = env.get_template("web/index.html").render(
            sources=sources,
            changes=changes,
            names=names,
            labels=ctx.labels(),
            tz=ctx.settings.timezone,
        )
        return HTMLResponse(html)

    @app.get("/api/changes")
    def api_changes(limit: int = 50) -> list[dict[str, Any]]:
        with Session(ctx.engine) as session:
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

    return app


def _latest(session: Session, limit: int) -> list[Change]:
    return list(
        session.exec(
            select(Change)
            .where(Change.status == "published")
            .order_by(col(Change.id).desc())
            .limit(limit)
        )
    )
