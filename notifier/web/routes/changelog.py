"""The public change log: ``/endringer`` (every published change, newest first, filtered,
searched, paged by id) and ``/endringer/{id}`` (one change: its word diff, source link,
subtopics, regions and the same story at other sources). Queries go through
``notifier.public_changes`` only. A search (``q``, full-text) is limited per client
(``notifier.web.ratelimit``): over the limit, a Norwegian page with 429 and ``Retry-After``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from feeds.store.models import Source
from notifier.public_changes import change_id as parse_change_id
from notifier.public_changes import find_changes, get_change, story_of
from notifier.web.deps import CtxDep, DbSession, PagesDep
from notifier.web.pages import request_lang
from notifier.web.public_views import (
    KINDS,
    Href,
    Names,
    feeds_for,
    moved_heads,
    names,
    read_filters,
)
from notifier.web.ratelimit import search_limit

router = APIRouter()
PAGE_SIZE = 25


def page_names(request: Request, ctx: CtxDep, session: Session) -> Names:
    sources = list(session.exec(select(Source).order_by(col(Source.authority), col(Source.key))))
    return names(request_lang(request), ctx.taxonomy, ctx.gazetteer, sources)


@router.get("/endringer", dependencies=[Depends(search_limit)])
def change_log(request: Request, ctx: CtxDep, pages: PagesDep, session: DbSession) -> Response:
    known = page_names(request, ctx, session)
    filters = read_filters(request.query_params, known)
    rows = find_changes(session, filters.query, before_id=filters.before, limit=PAGE_SIZE + 1)
    changes, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    texts = _texts(request)
    older = dict(filters.values, before=str(changes[-1].id)) if more and changes else None
    return pages.render(
        request, "changes.html", title=texts["changes_title"], current="/endringer",
        changes=changes, names=known,
        filters=filters, kinds=KINDS, older=older, first_page=filters.before is None,
        feeds=feeds_for(texts, filters, request_lang(request)), tz=ctx.settings.timezone,
    )  # fmt: skip


@router.get("/endringer/{change_id}")
def change_page(
    request: Request, change_id: str, ctx: CtxDep, pages: PagesDep, session: DbSession
) -> Response:
    texts = _texts(request)
    number = parse_change_id(change_id)  # not a number, or too large: not found, in words
    change = get_change(session, number) if number is not None else None
    if change is None:
        return pages.message(
            request, texts["not_found_title"], texts["not_found_text"], status=404,
            link=(Href(request_lang(request))("/endringer"), texts["back_to_list"]),
        )  # fmt: skip
    known = page_names(request, ctx, session)
    return pages.render(
        request, "change.html", title=change.title, change=change, names=known,
        story=story_of(session, change), moved=moved_heads(change) if change.kind == "moved"
        else None, feeds=feeds_for(texts, lang=request_lang(request)), tz=ctx.settings.timezone,
    )  # fmt: skip


def _texts(request: Request) -> dict[str, str]:
    from notifier.web.texts import TEXTS

    return TEXTS[request_lang(request)]
