"""``GET /metrics``: the service's metrics in Prometheus text format (``notifier.metrics``).

Off unless ``NOTIFIER_METRICS_TOKEN`` is set: then a scrape must carry ``Authorization:
Bearer <token>`` (compared in constant time); without it, or with another, the answer is 401.
Off, the path answers 404 like any unknown one. The figures hold no personal data, but they
say how the service is doing (failing sources, waiting messages), which is for operators.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from notifier.metrics import registry
from notifier.web.deps import CtxDep
from subscribers.tokens import same

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, ctx: CtxDep) -> Response:
    token = ctx.settings.metrics_token.get_secret_value()
    if not token:
        return PlainTextResponse("Not Found", status_code=404)
    given = request.headers.get("authorization", "")
    if not same(given, f"Bearer {token}"):
        return PlainTextResponse(
            "Unauthorized", status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )
    state = request.app.state
    if not hasattr(state, "metrics_registry"):
        state.metrics_registry = registry(ctx.engine, ctx.clock)
    body = await run_in_threadpool(generate_latest, state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
