"""``/api/v1/``: the public, read-only JSON API (the staff part is ``api_staff``).

- ``GET /api/v1/changes``: published changes, newest first, with the filters of the change
  log (``subtopic``, ``authority``, ``region``, ``kind``, ``urgent``, ``since``, ``until``,
  ``q``), ``limit`` (1-200, default 50) and cursor paging (``cursor``, opaque, from
  ``next_cursor``; ``next`` is the whole URL of the next page);
- ``GET /api/v1/changes/{id}``: one change with its texts and word diff;
- ``GET /api/v1/sources``: the watched sources' public fields (no health, no errors);
- ``GET /api/v1/subtopics``, ``GET /api/v1/regions``: the vocabularies of the filters;
- ``GET /api/v1/openapi.json`` (only the v1 routes) and ``GET /api/v1/docs`` (a plain HTML
  page made from it, no script and nothing from other hosts).

Every answer has a strong ETag (sha256 of the body) and ``Cache-Control``; ``If-None-Match``
is answered 304. Too many requests from one client: 429 with ``Retry-After``
(``notifier.web.ratelimit``; a 304 counts too). Errors: ``{"error": {"code", "parameter",
"message", "message_nn"}}``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlmodel import col, select

from feeds.store.models import Change, Source
from notifier import textsafe
from notifier.context import Context
from notifier.public_changes import change_id as parse_change_id
from notifier.public_changes import find_changes, get_change, sources_of
from notifier.textsafe import shown
from notifier.web.deps import CtxDep, DbSession
from notifier.web.pages import remember_lang, request_lang
from notifier.web.ratelimit import api_limit
from notifier.web.routes import api_docs, api_staff
from notifier.web.routes.api_common import (
    ApiProblem,
    base_url,
    conditional,
    json_etag,
    make_cursor,
    public_cache,
    read_cursor,
    read_filters,
    read_limit,
)
from notifier.web.routes.api_models import (
    ChangeDetailOut,
    ChangeOut,
    ChangePageOut,
    CountyOut,
    DiffSegment,
    ErrorOut,
    MunicipalityOut,
    RegionsOut,
    SourceOut,
    SourceRef,
    SubtopicOut,
)

PREFIX = "/api/v1"
#: what the API gives of a change's texts at most (``textsafe.shown``: cleaned of what no
#: reader should get and cut with "…"): a source's 1 MB title must not make a page of fifty
#: changes weigh fifty megabytes, nor a lone surrogate end the answer in an error
API_TITLE_LIMIT = 1_000
API_TEXT_LIMIT = 20_000
API_HEADING_LIMIT = 300
API_DEPTH = 50
API_DOCUMENT_LIMIT = 500_000
API_SEGMENTS = 5_000
API_DIFF_CHARS = 500_000
router = APIRouter(prefix=PREFIX, tags=["offentlig"], dependencies=[Depends(api_limit)])
CHANGES_NB = (
    "Filtre: subtopic (slug fra /subtopics), authority (fra /sources), region (fylkesnummer "
    "med to sifre eller kommunenummer med fire, fra /regions), kind, urgent (1 eller 0), "
    "since og until (ÅÅÅÅ-MM-DD, norske datoer, til og med), q (ord i titler og tekster). "
    "limit: 1–200 (50). cursor: verdien av next_cursor fra forrige side."
)
CHANGES_NN = (
    "Filter: subtopic (slug frå /subtopics), authority (frå /sources), region (fylkesnummer "
    "med to siffer eller kommunenummer med fire, frå /regions), kind, urgent (1 eller 0), "
    "since og until (ÅÅÅÅ-MM-DD, norske datoar, til og med), q (ord i titlar og tekstar). "
    "limit: 1–200 (50). cursor: verdien av next_cursor frå førre side."
)
#: every public GET answers 304 to a matching If-None-Match, and 429 to a client over its
#: limit (``notifier.web.ratelimit``)
CACHED: dict[int | str, dict[str, Any]] = {
    304: {
        "description": "Uendret siden svaret med denne ETag-en (If-None-Match)",
        "x-description-nn": "Uendra sidan svaret med denne ETag-en (If-None-Match)",
    },
    429: {
        "model": ErrorOut,
        "description": (
            "For mange forespørsler fra denne klienten på kort tid; Retry-After sier hvor "
            "mange sekunder den må vente"
        ),
        "x-description-nn": (
            "For mange førespurnader frå denne klienten på kort tid; Retry-After seier kor "
            "mange sekund han må vente"
        ),
        "headers": {
            "Retry-After": {
                "description": "Sekunder til grensen er nullstilt",
                "schema": {"type": "integer", "minimum": 1},
            }
        },
    },
}
BAD_REQUEST: dict[int | str, dict[str, Any]] = {
    **CACHED,
    400: {
        "model": ErrorOut,
        "description": "Ugyldig parameter",
        "x-description-nn": "Ugyldig parameter",
    },
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    **CACHED,
    404: {
        "model": ErrorOut,
        "description": "Fant ikke endringen",
        "x-description-nn": "Fann ikkje endringa",
    },
}


def json_response(request: Request, ctx: Context, model: BaseModel) -> Response:
    body = model.model_dump_json().encode()
    return conditional(
        request, json_etag(body), lambda: body, "application/json", public_cache(ctx)
    )


def change_out(ctx: Context, change: Change, source: Source | None) -> dict[str, Any]:
    assert change.id is not None
    return {
        "id": change.id,
        "title": shown(change.title, API_TITLE_LIMIT),
        "kind": change.kind,
        "url": f"{base_url(ctx)}/endringer/{change.id}",
        "source_url": change.url,
        "source": (
            SourceRef(
                key=source.key,
                name=shown(source.name or source.key, API_TITLE_LIMIT),
                authority=source.authority,
            )
            if source is not None
            else None
        ),
        "section": [shown(heading, API_HEADING_LIMIT) for heading in change.section[:API_DEPTH]],
        "summary": shown(change.summary, API_TEXT_LIMIT),
        "subtopics": list(change.subtopics),
        "regions": list(change.regions),
        "urgent": change.urgent,
        "detected_at": change.detected_at,
        "published_at": change.published_at,
    }


@router.get(
    "/changes",
    response_model=ChangePageOut,
    responses=BAD_REQUEST,
    summary="Publiserte endringer, nyeste først",
    description=CHANGES_NB,
    response_description="OK",
    openapi_extra={
        "x-summary-nn": "Publiserte endringar, nyaste først",
        "x-description-nn": CHANGES_NN,
    },
)
def changes(
    request: Request,
    ctx: CtxDep,
    session: DbSession,
    subtopic: str | None = None,
    authority: str | None = None,
    region: str | None = None,
    kind: str | None = None,
    urgent: str | None = None,
    since: str | None = None,
    until: str | None = None,
    q: str | None = None,
    limit: str | None = None,
    cursor: str | None = None,
) -> Response:
    filters = read_filters(ctx, session, request.query_params)
    size = read_limit(limit)
    before = read_cursor(cursor, filters)
    rows = find_changes(session, filters.query(), before_id=before, limit=size + 1)
    page, more = rows[:size], len(rows) > size
    sources = sources_of(session, page)
    next_cursor = None
    next_url = None
    if more and page and page[-1].id is not None:
        next_cursor = make_cursor(page[-1].id, filters)
        params = filters.params() | {"cursor": next_cursor}
        if limit is not None:
            params["limit"] = str(size)
        next_url = f"{base_url(ctx)}{PREFIX}/changes?{urlencode(sorted(params.items()))}"
    out = ChangePageOut(
        items=[ChangeOut(**change_out(ctx, c, sources.get(c.source_id))) for c in page],
        next_cursor=next_cursor,
        next=next_url,
    )
    return json_response(request, ctx, out)


@router.get(
    "/changes/{change_id}",
    response_model=ChangeDetailOut,
    response_description="OK",
    responses=NOT_FOUND,
    summary="Én endring med tekst før og etter og ordendringene",
    openapi_extra={"x-summary-nn": "Éi endring med tekst før og etter og ordendringane"},
)
def change(request: Request, ctx: CtxDep, session: DbSession, change_id: str) -> Response:
    number = parse_change_id(change_id)
    found = get_change(session, number) if number is not None else None
    if found is None:
        raise ApiProblem("not_found", "change_id", status=404)
    source = session.get(Source, found.source_id)
    diff = [
        DiffSegment.model_validate({"op": op, "text": text})
        for op, text in textsafe.segments(found.diff, API_SEGMENTS, API_DIFF_CHARS)
    ]
    out = ChangeDetailOut(
        **change_out(ctx, found, source),
        before=shown(found.before, API_DOCUMENT_LIMIT),
        after=shown(found.after, API_DOCUMENT_LIMIT),
        diff=diff,
        story_key=found.story_key,
    )
    return json_response(request, ctx, out)


@router.get(
    "/sources",
    response_model=list[SourceOut],
    response_description="OK",
    responses=CACHED,
    summary="Kildene som følges (offentlige felt)",
    openapi_extra={"x-summary-nn": "Kjeldene som blir følgde (offentlege felt)"},
)
def sources(request: Request, ctx: CtxDep, session: DbSession) -> Response:
    rows = session.exec(select(Source).order_by(col(Source.authority), col(Source.key)))
    out = [
        SourceOut(
            key=s.key, name=s.name or s.key, authority=s.authority, url=s.url, kind=s.kind,
            watched=s.enabled,
        )
        for s in rows
    ]  # fmt: skip
    return _list_response(request, ctx, out)


@router.get(
    "/subtopics",
    response_model=list[SubtopicOut],
    response_description="OK",
    responses=CACHED,
    summary="Undertemaene (slug og navn på bokmål og nynorsk)",
    openapi_extra={"x-summary-nn": "Undertema (slug og namn på bokmål og nynorsk)"},
)
def subtopics(request: Request, ctx: CtxDep) -> Response:
    out = [
        SubtopicOut(slug=s.slug, name_nb=s.label_nb, name_nn=s.label_nn, group=s.group)
        for s in ctx.taxonomy.subtopics
    ]
    return _list_response(request, ctx, out)


@router.get(
    "/regions",
    response_model=RegionsOut,
    response_description="OK",
    responses=CACHED,
    summary="Fylker og kommuner med nummer",
    openapi_extra={"x-summary-nn": "Fylke og kommunar med nummer"},
)
def regions(request: Request, ctx: CtxDep) -> Response:
    gaz = ctx.gazetteer
    out = RegionsOut(
        counties=[CountyOut(code=code, name=name) for code, name in gaz.counties()],
        municipalities=[
            MunicipalityOut(code=code, name=name, county=gaz.county_of_municipality(code))
            for code, name in gaz.municipalities()
        ],
    )
    return json_response(request, ctx, out)


def _list_response(request: Request, ctx: Context, items: Sequence[BaseModel]) -> Response:
    body = ("[" + ",".join(item.model_dump_json() for item in items) + "]").encode()
    return conditional(
        request, json_etag(body), lambda: body, "application/json", public_cache(ctx)
    )


# --- the description ------------------------------------------------------------------------


def v1_schema(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of the ``/api/v1/`` routes alone (cached on the app)."""
    cached = getattr(app.state, "api_v1_schema", None)
    if cached is None:
        routes = [*router.routes, *api_staff.router.routes]
        cached = get_openapi(
            title="Helsevarsel API",
            version="1.0.0",
            summary="Endringer i regelverk og veiledning fra helsemyndighetene",
            description=api_docs.INTRO_NB,
            routes=routes,
            servers=[{"url": base_url(app.state.ctx)}],
        )
        _drop_validation_errors(cached)
        cached["components"].setdefault("securitySchemes", {})["bearer"] = {
            "type": "http",
            "scheme": "bearer",
            "description": "API-nøkkel for redaksjonen, laget med «notifier api token-create»",
        }
        app.state.api_v1_schema = cached
    return dict(cached)


def _drop_validation_errors(schema: dict[str, Any]) -> None:
    """FastAPI documents a 422 for every route with parameters; ours take every parameter as
    text and answer a wrong one 400 with ``ErrorOut``, so a 422 never comes."""
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            operation.get("responses", {}).pop("422", None)
    models = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        models.pop(name, None)


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, ctx: CtxDep) -> Response:
    body = json.dumps(v1_schema(request.app), ensure_ascii=False, sort_keys=True).encode()
    return conditional(
        request, json_etag(body), lambda: body, "application/json", public_cache(ctx)
    )


@router.get("/docs", include_in_schema=False, response_class=HTMLResponse)
def docs(request: Request, ctx: CtxDep) -> Response:
    lang = request_lang(request)  # ?lang=, or the language the visitor chose before
    page = api_docs.render(v1_schema(request.app), lang).encode()
    response = conditional(
        request, json_etag(page), lambda: page, "text/html; charset=utf-8", public_cache(ctx)
    )
    response.headers["Content-Security-Policy"] = api_docs.CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Vary"] = "Cookie"  # the language cookie picks the page
    remember_lang(request, response, lang)  # as on every page
    return response
