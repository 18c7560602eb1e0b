"""The console's changes and review queue (issue 9): the list of changes with its filters
(``/staff``), one change (``/staff/endringer/{id}``: the word diff as subscribers see it, the
reasons for each tag, who received it), the queue of held changes (``/staff/gjennomgang``),
and the review actions, each a POST with ``csrf_token`` to ``/staff/endringer/{id}/<action>``:
``godkjenn`` (approve), ``stans`` (suppress, with a reason), ``rediger`` (title and summary),
``merk`` (subtopics and regions) and ``haster`` (mark or unmark urgent).

The actions are ``notifier.review``'s, with the logged-in staff user as the actor; it keeps
the rules (only a held change can be approved, a suppression needs a reason, labels must be
known) and writes the audit event in the same transaction. A refusal (``ReviewError``) is
shown as a Norwegian message on the change's page (400) and nothing changes; a success is a
303 back to the page it came from with a confirmation (``?ok=...``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, select

from feeds.store.models import Change, Source
from notifier import delivery_audit, review
from notifier.context import Context
from notifier.models import StaffUser
from notifier.plan import dispatch
from notifier.render import KIND_NB, KIND_NN, MAIL_TEXT
from notifier.web import staff_views as views
from notifier.web.deps import CtxDep, DbSession, RowId, StaffDep, StaffFormDep, StaffPagesDep
from notifier.web.staff_pages import StaffPages
from notifier.web.texts_changes import TEXTS

router = APIRouter()

QUEUE = "/staff/gjennomgang"
#: confirmations a redirect may ask for (``?ok=``); anything else shows nothing
OK_KEYS = ("approved", "suppressed", "edited", "retagged", "unchanged", "urgent", "not_urgent")
ERROR_CODES = (
    "not_found", "not_held", "reason_missing", "already_suppressed", "title_missing",
    "too_long", "subtopic_unknown", "region_unknown",
)  # fmt: skip


# ---------------------------------------------------------------- shared lookups


class Places:
    """The gazetteer's regions as staff pick them: counties, municipalities, their names."""

    def __init__(self, ctx: Context) -> None:
        gaz = ctx.gazetteer
        self.counties = gaz.counties()
        self.municipalities = gaz.municipalities()
        self.names: dict[str, str] = dict(self.counties) | dict(self.municipalities)
        of: dict[str, list[str]] = {}
        for number, _ in self.municipalities:
            of.setdefault(gaz.county_of_municipality(number), []).append(number)
        self.municipalities_of = of


def _places(request: Request, ctx: Context) -> Places:
    # one per app: the gazetteer does not change while the app runs
    cached: Places | None = getattr(request.app.state, "staff_places", None)
    if cached is None:
        cached = Places(ctx)
        request.app.state.staff_places = cached
    return cached


def _subtopic_labels(ctx: Context, lang: str) -> dict[str, str]:
    return {s.slug: (s.label_nn if lang == "nn" else s.label_nb) for s in ctx.taxonomy.subtopics}


def _groups(ctx: Context, lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The taxonomy's subtopics by group: [(group label, [(slug, label)])]."""
    taxonomy = ctx.taxonomy
    out: dict[str, list[tuple[str, str]]] = {}
    for s in taxonomy.subtopics:
        out.setdefault(s.group, []).append((s.slug, s.label_nn if lang == "nn" else s.label_nb))
    return [(taxonomy.group_label(group, lang), items) for group, items in out.items()]


def _common(request: Request, pages: StaffPages, ctx: Context) -> dict[str, Any]:
    lang = pages.lang(request)
    ok = request.query_params.get("ok", "")
    t = TEXTS[lang]
    return {
        "kinds": KIND_NN if lang == "nn" else KIND_NB,
        "subtopic_labels": _subtopic_labels(ctx, lang),
        "region_names": _places(request, ctx).names,
        "tz": ctx.settings.timezone,
        "notice": t[f"ok_{ok}"] if ok in OK_KEYS else None,
        "errors": [],
        "m": MAIL_TEXT[lang],
        "authority_name": views.authority_name,
    }


# ---------------------------------------------------------------- the list of changes


@router.get("/staff", response_class=HTMLResponse)
def changes(
    request: Request, staff: StaffDep, ctx: CtxDep, pages: StaffPagesDep, session: DbSession
) -> Response:
    places = _places(request, ctx)
    sources = views.sources_by_id(session)
    authorities = sorted({s.authority for s in sources.values()})
    params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    found, errors = views.parse_filter(
        params, sources=sources, authorities=authorities,
        subtopics=ctx.taxonomy.slugs(), regions=places.names,
    )  # fmt: skip
    rows, total = views.find_changes(
        session, found, timezone=ctx.settings.timezone,
        municipalities_of=places.municipalities_of,
    )  # fmt: skip
    pages_total = max(1, -(-total // views.PAGE_SIZE))
    lang = pages.lang(request)
    any_change = total > 0 or (
        found.active and session.exec(select(Change.id).limit(1)).first() is not None
    )
    return pages.render(
        request, "changes.html", staff=staff, texts=TEXTS, **_common(request, pages, ctx),
        filter=found, filter_errors=errors, rows=rows, total=total, pages_total=pages_total,
        sources=sorted(sources.values(), key=lambda s: s.name.casefold()),
        source_of=sources, authorities=authorities, groups=_groups(ctx, lang),
        counties=places.counties, municipalities=places.municipalities,
        statuses=views.STATUSES, any_change=any_change,
    )  # fmt: skip


# ---------------------------------------------------------------- one change


def _change_page(
    request: Request,
    staff: StaffUser,
    ctx: Context,
    pages: StaffPages,
    session: Session,
    change: Change,
    *,
    status: int = 200,
    error: str | None = None,
    form: Mapping[str, str] | None = None,
) -> HTMLResponse:
    lang = pages.lang(request)
    t = pages.texts(request, TEXTS)
    common = _common(request, pages, ctx)
    if error is not None:
        common["notice"] = None
        common["errors"] = [t.get(f"err_{error}", t["err_other"])]
    assert change.id is not None
    source = session.get(Source, change.source_id)
    current, former = views.reason_groups(
        change, common["subtopic_labels"], common["region_names"], t["kind_urgent"]
    )
    reviewer = session.get(StaffUser, change.reviewed_by) if change.reviewed_by else None
    reach = views.reach(session, change.id)
    trail = delivery_audit.trails(session, [r.delivery_id for r in reach.rows])
    return pages.render(
        request, "change.html", staff=staff, status=status, texts=TEXTS, **common,
        change=change, source=source, reasons=current, former_reasons=former,
        reach=reach, reviewer=reviewer, trail=trail,
        version_now=delivery_audit.current_version(change),
        held_reason=_held_reason(change, lang),
        waited=views.waiting_words(review.age(change, ctx.clock()), lang)
        if change.status == review.HELD else None,
        groups=_groups(ctx, lang), counties=_places(request, ctx).counties,
        municipalities=_places(request, ctx).municipalities, form=dict(form or {}), error=error,
        back=QUEUE if request.query_params.get("fra") == "gjennomgang" else None,
    )  # fmt: skip


def _held_reason(change: Change, lang: str) -> str | None:
    if change.held_reason is None:
        return None
    words = review.HELD_REASONS.get(change.held_reason)
    if words is None:
        return change.held_reason
    return words[1] if lang == "nn" else words[0]


def _not_found(request: Request, staff: StaffUser, pages: StaffPages) -> HTMLResponse:
    t = pages.texts(request, TEXTS)
    return pages.message(
        request, t["not_found_title"], t["err_not_found"], staff=staff, status=404,
        link=("/staff", t["back_to_changes"]), texts=TEXTS,
    )  # fmt: skip


@router.get("/staff/endringer/{change_id}", response_class=HTMLResponse)
def change_page(
    request: Request,
    change_id: RowId,
    staff: StaffDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    change = session.get(Change, change_id)
    if change is None:
        return _not_found(request, staff, pages)
    return _change_page(request, staff, ctx, pages, session, change)


# ---------------------------------------------------------------- the review queue


@router.get(QUEUE, response_class=HTMLResponse)
def queue(
    request: Request, staff: StaffDep, ctx: CtxDep, pages: StaffPagesDep, session: DbSession
) -> Response:
    lang = pages.lang(request)
    held = review.queue(session)
    names = review.source_names(session, held)
    now = ctx.clock()
    items = [
        {
            "change": change,
            "source": names.get(change.source_id, ""),
            "reason": _held_reason(change, lang),
            "waited": views.waiting_words(review.age(change, now), lang),
        }
        for change in held
    ]
    return pages.render(
        request, "review.html", staff=staff, texts=TEXTS, **_common(request, pages, ctx),
        items=items,
    )  # fmt: skip


# ---------------------------------------------------------------- actions


def _done(change_id: int, data: Mapping[str, str], ok: str) -> RedirectResponse:
    """303 back to the queue (a form posted from it says ``tilbake=gjennomgang``) or to the
    change's page, with the confirmation to show."""
    if data.get("tilbake") == "gjennomgang":
        return RedirectResponse(f"{QUEUE}?ok={ok}", status_code=303)
    return RedirectResponse(f"/staff/endringer/{change_id}?ok={ok}", status_code=303)


def _act(
    request: Request,
    change_id: int,
    staff: StaffUser,
    ctx: Context,
    pages: StaffPages,
    session: Session,
    data: Mapping[str, str],
    action: Any,
    ok: str,
) -> Response:
    """Run ``action(session)`` (a ``notifier.review`` call); commit and redirect, or roll back
    and show the change's page with the refusal in words."""
    try:
        result = action(session)
    except review.ReviewError as exc:
        session.rollback()
        change = session.get(Change, change_id)
        if change is None:
            return _not_found(request, staff, pages)
        code = exc.code if exc.code in ERROR_CODES else "other"
        return _change_page(
            request, staff, ctx, pages, session, change, status=400, error=code, form=data
        )
    session.commit()
    return _done(change_id, data, result if isinstance(result, str) else ok)


@router.post("/staff/endringer/{change_id}/godkjenn", response_class=HTMLResponse)
def approve(
    request: Request,
    change_id: RowId,
    staff: StaffDep,
    data: StaffFormDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
    background: BackgroundTasks,
) -> Response:
    """Publish the change and dispatch it at once, after the response (the alerts go to the
    outbox now, not at the next round; digests take it at their time)."""
    response = _act(
        request, change_id, staff, ctx, pages, session, data,
        lambda s: review.approve(s, change_id, staff, ctx.clock()), "approved",
    )  # fmt: skip
    if response.status_code == 303:
        background.add_task(dispatch, ctx)
    return response


@router.post("/staff/endringer/{change_id}/stans", response_class=HTMLResponse)
def suppress(
    request: Request,
    change_id: RowId,
    staff: StaffDep,
    data: StaffFormDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    reason = data.get("reason", "")
    return _act(
        request, change_id, staff, ctx, pages, session, data,
        lambda s: review.suppress(s, change_id, staff, reason, ctx.clock()), "suppressed",
    )  # fmt: skip


@router.post("/staff/endringer/{change_id}/rediger", response_class=HTMLResponse)
def edit(
    request: Request,
    change_id: RowId,
    staff: StaffDep,
    data: StaffFormDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    title, summary = data.get("title", ""), data.get("summary", "")
    return _act(
        request, change_id, staff, ctx, pages, session, data,
        lambda s: review.edit(s, change_id, staff, ctx.clock(), title=title, summary=summary),
        "edited",
    )  # fmt: skip


def _retag(
    session: Session,
    ctx: Context,
    change_id: int,
    staff: StaffUser,
    subtopics: tuple[str, ...] | None,
    regions: tuple[str, ...] | None,
    urgent: bool | None,
    known_regions: Mapping[str, str],
) -> str:
    """``review.retag`` with the labels not given kept as they are; "unchanged" when the
    labels were the same already."""
    change = review.get(session, change_id)
    old = review.labels_of(change)
    labels = review.Labels(
        old.subtopics if subtopics is None else subtopics,
        old.regions if regions is None else regions,
        old.urgent if urgent is None else urgent,
    )
    review.retag(
        session, change_id, staff, ctx.clock(), labels,
        known_subtopics=ctx.taxonomy.slugs(), known_regions=known_regions,
    )  # fmt: skip
    return "unchanged" if review.labels_of(change) == old else ""


@router.post("/staff/endringer/{change_id}/merk", response_class=HTMLResponse)
def retag(
    request: Request,
    change_id: RowId,
    staff: StaffDep,
    data: StaffFormDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    """Subtopics from the checkboxes ``subtopic_<slug>``, regions from the checkboxes
    ``region_<number>`` (the ones the change has) plus the select ``add_region``."""
    slugs = {s.slug for s in ctx.taxonomy.subtopics}
    order = [s.slug for s in ctx.taxonomy.subtopics]
    chosen = [key.removeprefix("subtopic_") for key, value in data.items()
              if key.startswith("subtopic_") and value]  # fmt: skip
    # the taxonomy's order for known slugs; an unknown one is passed on and refused by retag
    subtopics = tuple(sorted(chosen, key=lambda s: order.index(s) if s in slugs else len(order)))
    regions = [key.removeprefix("region_") for key, value in data.items()
               if key.startswith("region_") and value]  # fmt: skip
    known = _places(request, ctx).names
    added = data.get("add_region", "").strip()
    if added and added not in regions:
        regions.append(added)
    return _act(
        request, change_id, staff, ctx, pages, session, data,
        lambda s: _retag(s, ctx, change_id, staff, subtopics, tuple(regions), None, known) or None,
        "retagged",
    )  # fmt: skip


@router.post("/staff/endringer/{change_id}/haster", response_class=HTMLResponse)
def urgent(
    request: Request,
    change_id: RowId,
    staff: StaffDep,
    data: StaffFormDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    """``urgent=ja`` marks the change urgent, ``urgent=nei`` takes the mark away."""
    wanted = data.get("urgent") == "ja"
    known = _places(request, ctx).names
    return _act(
        request, change_id, staff, ctx, pages, session, data,
        lambda s: _retag(s, ctx, change_id, staff, None, None, wanted, known) or None,
        "urgent" if wanted else "not_urgent",
    )  # fmt: skip
