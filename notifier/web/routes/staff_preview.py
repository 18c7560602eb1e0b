"""The console's preview (issue 9): ``/staff/forhandsvisning`` finds a subscriber (search by
address, name or municipality) or takes a described segment, and shows the next alert or
digest exactly as the sender makes it (``notifier.plan.previews``): the headers, the plain text,
and the HTML in a sandboxed frame, ``/staff/forhandsvisning/ramme``, served with a strict
Content-Security-Policy. ``POST /staff/forhandsvisning/test`` sends that message to the
logged-in staff user's address, marked ``[TEST] ``, through the outbox; nothing is recorded
as delivered to the subscriber. The test send is audited (``test_send``).

What is previewed travels in the query (and, for the test send, in the form): either
``subscriber`` (an id) or a segment (``role``, ``region``, ``subtopics`` joined by commas or
``subtopic`` repeated, ``language``), and ``cadence``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from notifier import audit
from notifier.context import Context
from notifier.models import StaffUser
from notifier.numbers import digits
from notifier.plan import previews as pv
from notifier.web.deps import CtxDep, DbSession, StaffDep, StaffFormDep, StaffPagesDep
from notifier.web.texts_preview import TEXTS
from subscribers.models import CADENCES, ROLES, Subscriber

router = APIRouter()

PAGE = "/staff/forhandsvisning"
FRAME = "/staff/forhandsvisning/ramme"
#: the frame's policy: the mail's inline styles and data: images, nothing else; no script,
#: no form, no plugin, framed only by the console itself (``sandbox``: an opaque origin even
#: when opened on its own)
FRAME_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; sandbox"
)
OK_KEYS = ("test_sent", "test_again")
ERROR_KEYS = ("nothing", "missing", "nonce", "role", "region", "subtopics", "cadence", "language")


@dataclass(frozen=True)
class Selection:
    """What to preview: a stored subscriber or a segment, at a cadence."""

    cadence: str
    subscriber_id: int | None = None
    segment: pv.Segment | None = None

    def params(self) -> dict[str, str]:
        if self.segment is not None:
            s = self.segment
            return {
                "role": s.role, "region": s.region or "", "subtopics": ",".join(s.subtopics),
                "language": s.language, "cadence": self.cadence,
            }  # fmt: skip
        return {"subscriber": str(self.subscriber_id), "cadence": self.cadence}

    def query(self) -> str:
        return urlencode(self.params())


def selection_of(values: Mapping[str, str], subtopics: Sequence[str] = ()) -> Selection | None:
    """The selection in a query or form: ``subscriber`` wins over a segment; None when
    neither is asked for. Values are checked later (``preview_of``)."""
    cadence = values.get("cadence") or "daily"
    if values.get("subscriber"):
        number = digits(values["subscriber"])  # "²", "٣" or 40 digits: nobody
        return Selection(cadence, -1 if number is None else number)
    if "role" not in values:
        return None
    slugs = list(subtopics) + [s for s in values.get("subtopics", "").split(",") if s]
    segment = pv.Segment(
        role=values.get("role", ""),
        region=values.get("region") or None,
        subtopics=tuple(dict.fromkeys(s.strip() for s in slugs if s.strip())),
        cadence=cadence,
        language=values.get("language") or "nb",
    )
    return Selection(cadence, segment=segment)


def _places(ctx: Context) -> dict[str, str]:
    gaz = ctx.gazetteer
    return dict(gaz.counties()) | dict(gaz.municipalities())


def preview_of(
    ctx: Context, session: Session, selection: Selection
) -> tuple[pv.Preview | None, Subscriber | None, list[str]]:
    """The preview of a selection, the subscriber it is for, and what is wrong (codes)."""
    now = ctx.clock()
    if selection.cadence not in CADENCES:
        return None, None, ["cadence"]
    if selection.segment is not None:
        problems = pv.check_segment(
            selection.segment, ctx.taxonomy.slugs(), frozenset(_places(ctx))
        )
        if problems:
            return None, None, problems
        return pv.for_segment(ctx, session, selection.segment, now), None, []
    subscriber = session.get(Subscriber, selection.subscriber_id or -1)
    if subscriber is None or subscriber.email_key is None:  # missing, or erased
        return None, None, ["missing"]
    return pv.for_subscriber(ctx, session, subscriber, selection.cadence, now), subscriber, []


@router.get(PAGE, response_class=HTMLResponse)
def preview_page(
    request: Request, staff: StaffDep, ctx: CtxDep, pages: StaffPagesDep, session: DbSession
) -> Response:
    lang = pages.lang(request)
    t = pages.texts(request, TEXTS)
    params = request.query_params
    query = (params.get("q") or "").strip()[:200]
    places = _places(ctx)
    found: list[Subscriber] | None = None
    if len(query) >= 2:
        found = pv.search_subscribers(session, query, places)
    selection = selection_of(dict(params), params.getlist("subtopic"))
    result = subscriber = None
    errors: list[str] = []
    if selection is not None:
        result, subscriber, errors = preview_of(ctx, session, selection)
        result = _for_role(ctx, staff, result)
    errors += [e for e in params.getlist("error") if e in ERROR_KEYS and e not in errors]
    ok = params.get("ok")
    notice = t[f"ok_{ok}"].format(email=staff.email) if ok in OK_KEYS else None
    segment = selection.segment if selection is not None else None
    frame = f"{FRAME}?{selection.query()}" if selection and result and result.message else None
    gaz = ctx.gazetteer
    return pages.render(
        request, "preview.html", staff=staff, texts=TEXTS, notice=notice,
        errors=[t[f"err_{e}"] for e in errors], query=query, found=found, places=places,
        selection=selection, segment=segment, subscriber=subscriber, result=result,
        frame_src=frame,
        roles=ROLES, cadences=CADENCES, counties=gaz.counties(),
        municipalities=gaz.municipalities(), groups=_groups(ctx, lang),
        mail_from=ctx.settings.mail_from, nonce=secrets.token_hex(16),
        tz=ctx.settings.timezone,
    )  # fmt: skip


def _for_role(ctx: Context, staff: StaffUser, result: pv.Preview | None) -> pv.Preview | None:
    """An admin sees the message exactly; a redaktor sees it without the subscriber's signed
    links (with one of them anyone can read, change or erase that subscriber's data)."""
    if result is None or staff.role == "admin" or result.recipient.subscriber_id == pv.SEGMENT_ID:
        return result  # a segment's links are signed for no one
    hidden = f"{ctx.settings.base_url.rstrip('/')}{PAGE}#skjult-lenke"
    return pv.without_personal_links(ctx, result, hidden)


def _groups(ctx: Context, lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    taxonomy = ctx.taxonomy
    out: dict[str, list[tuple[str, str]]] = {}
    for s in taxonomy.subtopics:
        out.setdefault(s.group, []).append((s.slug, s.label_nn if lang == "nn" else s.label_nb))
    return [(taxonomy.group_label(group, lang), items) for group, items in out.items()]


@router.get(FRAME, response_class=HTMLResponse)
def preview_frame(
    request: Request, staff: StaffDep, ctx: CtxDep, pages: StaffPagesDep, session: DbSession
) -> Response:
    """The message's HTML alone, for the page's sandboxed frame: no script runs and nothing
    loads from elsewhere (``FRAME_CSP``), whatever a source put into a title."""
    selection = selection_of(dict(request.query_params), request.query_params.getlist("subtopic"))
    result = None
    if selection is not None:
        result, _, _ = preview_of(ctx, session, selection)
        result = _for_role(ctx, staff, result)
    if result is not None and result.message is not None:
        html = result.message.html
    else:
        t = pages.texts(request, TEXTS)
        lang = pages.lang(request)
        html = (
            f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{t['frame_empty_title']}</title></head><body><main>"
            f"<h1>{t['frame_empty_title']}</h1><p>{t['frame_empty']}</p></main></body></html>"
        )
    response = HTMLResponse(html)
    response.headers["Content-Security-Policy"] = FRAME_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.post(f"{PAGE}/test")
def send_test(
    request: Request,
    staff: StaffDep,
    data: StaffFormDep,
    ctx: CtxDep,
    session: DbSession,
) -> Response:
    """Queue the previewed message to the staff user's own address (``[TEST] ``), once per
    form (its ``nonce``); audited."""
    selection = selection_of(data)
    if selection is None:
        return _back(None, error="missing")
    result, subscriber, errors = preview_of(ctx, session, selection)
    if errors:
        return _back(selection, error=errors[0])
    assert result is not None and staff.id is not None
    if result.message is None:
        return _back(selection, error="nothing")
    now = ctx.clock()
    try:
        key = pv.staff_copy_key(staff.id, data.get("nonce", ""))
    except pv.PreviewError as exc:
        return _back(selection, error=exc.code)
    copy = pv.staff_copy(ctx, result, staff.email, key)
    queued = pv.send_copy(session, copy, now)
    if queued is None:
        return _back(selection, ok="test_again")
    target: dict[str, Any] = selection.params()
    audit.record(
        session, now, staff, "test_send",
        target_kind="subscriber" if subscriber is not None else "segment",
        target_id=str(subscriber.id) if subscriber is not None else "",
        after={"to": staff.email, "delivery_id": queued.id, "key": key, **target},
        detail=copy.subject,
    )  # fmt: skip
    session.commit()
    return _back(selection, ok="test_sent")


#: the longest selection carried back to the page in the redirect's query; a longer one (no
#: form of ours makes one: every subtopic at once is ~500 characters) goes back empty, so the
#: answer never carries a Location header that clients and proxies refuse
MAX_BACK_QUERY = 2_000


def _back(selection: Selection | None, **flag: str) -> Response:
    params = selection.params() if selection is not None else {}
    if len(urlencode(params)) > MAX_BACK_QUERY:
        params = {}
    return RedirectResponse(f"{PAGE}?{urlencode(params | flag)}", status_code=303)
