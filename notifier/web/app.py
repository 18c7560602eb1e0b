"""The app factory: one FastAPI app per context, its shared objects on ``app.state`` (the
context, the one Jinja environment, the signed-link builder, ``Pages`` and ``Guard``), and
one router per area."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from notifier.context import Context
from notifier.render import make_environment
from notifier.web.deps import Refused
from notifier.web.links import attach
from notifier.web.pages import Guard, Pages
from notifier.web.routes import manage, public, selfservice


def create_app(ctx: Context) -> FastAPI:
    app = FastAPI(title="notifier", docs_url=None, redoc_url=None)
    env = make_environment()
    links = attach(ctx)
    pages = Pages(ctx, env, links)
    app.state.ctx = ctx
    app.state.env = env
    app.state.links = links
    app.state.pages = pages
    app.state.guard = Guard(pages)
    app.add_exception_handler(Refused, _refused)
    # the order routes were always added in (it is the order of /openapi.json)
    app.include_router(selfservice.router)
    app.include_router(manage.router)
    app.include_router(public.router)
    return app


def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    return exc.response
