"""Subscribers in the console (administrators only; a ``redaktor`` gets the 403 page on every
route here, an anonymous visitor the login page).

- ``GET /staff/abonnenter``: search by address or name (``q``) and municipality or county
  (``sted``: a name or a number; a county finds its municipalities too), 50 a page (``side``).
- ``GET /staff/abonnenter/{id}``: one subscriber: profile, subscriptions, bounces, the latest
  messages of the outbox. ``POST .../eksport``: their data as JSON, the same document as their
  own ``data.json`` (``selfservice.export``), audited. ``POST .../slett`` (with the box
  ``bekreft=ja`` ticked): the subscriber's own erasure, ``outbox.scrub`` then
  ``selfservice.erase``, audited under the subscriber's id, never the address.
- ``GET/POST /staff/abonnenter/eksport``: every subscriber as CSV
  (``importer.export_csv``), audited.
- ``GET/POST /staff/abonnenter/import``: upload a CSV (``multipart/form-data``, field ``fil``,
  at most 2 MB, ``.csv`` or ``.txt`` in UTF-8) and see what it would do
  (``subscribers.import_plan``: nothing is written). The preview carries the file in a hidden
  field (compressed, base64) with its SHA-256, the plan's digest, the time and an HMAC over
  them and the staff user's id; ``POST /staff/abonnenter/import/bruk`` checks the seal (an
  hour at most), plans again, and applies the file with ``importer.import_csv`` only while the
  plan is the one shown; else it shows the new preview. Audited with the counts.

Every POST takes ``csrf_token``; the import routes read their (larger) form themselves first,
after the admin check, with limits of their own, and refuse a body without
``Content-Length`` or above the limit before reading it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import math
import zlib
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import Session, col, func, or_, select
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from notifier import audit, delivery_audit
from notifier.context import Context
from notifier.erasure import erase_subscriber
from notifier.models import StaffUser
from notifier.numbers import digits
from notifier.outbox import Delivery
from notifier.web.deps import (
    AdminDep,
    CtxDep,
    DbSession,
    Refused,
    StaffFormDep,
    StaffPagesDep,
)
from notifier.web.routes.staff_push import staff_push_view
from notifier.web.staff_pages import StaffPages
from notifier.web.texts_subscribers import TEXTS
from subscribers import import_plan
from subscribers import selfservice as ss
from subscribers.importer import Vocabulary, export_csv, import_csv
from subscribers.models import Subscriber, Subscription, Suppression
from subscribers.suppression import BOUNCED, ERASED
from subscribers.tokens import same
from subscribers.validate import WEEKDAYS_NB, region_number, suppression_hashes

router = APIRouter()

PAGE_SIZE = 50
#: the largest CSV file the console takes
MAX_BYTES = 2 * 1024 * 1024
#: the largest request body of the import forms (the file compressed in base64, or the upload)
MAX_BODY = 4 * 1024 * 1024
#: how long a preview can be applied
PREVIEW_TTL = timedelta(hours=1)
#: lines listed per kind on the preview (the counts are always complete)
SHOWN_LINES = 500
RECENT_MESSAGES = 20


def _t(pages: StaffPages, request: Request) -> dict[str, str]:
    return pages.texts(request, TEXTS)


def _vocab(ctx: Context) -> Vocabulary:
    """What a line may name: the same vocabulary as ``notifier subscribers import``."""
    gaz = ctx.gazetteer
    return Vocabulary(
        canonical=ctx.taxonomy.canonical,
        regions=frozenset(n for n, _ in (*gaz.counties(), *gaz.municipalities())),
        offices=frozenset(slug for slug, _ in gaz.offices()),
    )


def _int(value: str | None, default: int = 1) -> int:
    number = digits(value, 7)
    return default if number is None else max(1, min(number, 1_000_000))


def _count(value: str | None) -> int:
    return digits(value, 8) or 0


def _place(ctx: Context, region: str | None, t: Mapping[str, str]) -> str:
    if not region:
        return t["whole_country"]
    gaz = ctx.gazetteer
    name = gaz.municipality_name(region) or gaz.county_name(region)
    return f"{name} ({region})" if name else region


def _office(ctx: Context, slug: str | None) -> str:
    if not slug:
        return ""
    return dict(ctx.gazetteer.offices()).get(slug, slug)


def _subtopic(ctx: Context, slug: str, lang: str) -> str:
    try:
        return ctx.taxonomy.label(slug, lang)
    except KeyError:
        return slug


def _role(t: Mapping[str, str], role: str) -> str:
    return t.get(f"role_{role}", role)


def _live() -> Any:
    """Rows that are a person: erased ones (anonymous, ``erased-<id>@invalid``) are not."""
    return or_(col(Subscriber.email_key).is_not(None), ~col(Subscriber.email).like("%@invalid"))


def _suppressions(session: Session, people: Sequence[Subscriber]) -> dict[int, str]:
    """Subscriber id -> ``erased`` or ``bounced`` for those of ``people`` suppressed."""
    wanted: dict[str, int] = {}
    for person in people:
        assert person.id is not None
        for digest in suppression_hashes(person.email_key or person.email):
            wanted[digest] = person.id
    found: dict[int, str] = {}
    if wanted:
        rows = session.exec(
            select(Suppression.email_hash, Suppression.reason).where(
                col(Suppression.email_hash).in_(sorted(wanted))
            )
        ).all()
        for digest, reason in rows:
            sid = wanted[digest]
            found[sid] = ERASED if ERASED in (reason, found.get(sid)) else reason
    for person in people:
        if person.suppressed_at is not None and person.id not in found:
            assert person.id is not None
            found[person.id] = BOUNCED
    return found


def _suppression_text(t: Mapping[str, str], reason: str | None) -> str:
    if reason == ERASED:
        return t["suppressed_erased"]
    if reason is not None:
        return t["suppressed_bounced"]
    return t["not_suppressed"]


def _regions_for(ctx: Context, place: str) -> list[str] | None:
    """The region values ``place`` (a number or a name, any case) stands for: a municipality,
    or a county with its municipalities; None when unknown."""
    gaz = ctx.gazetteer
    text = region_number(place.strip())
    counties = dict(gaz.counties())
    municipalities = dict(gaz.municipalities())
    county = text if text in counties else None
    municipality = text if text in municipalities else None
    if county is None and municipality is None:
        low = text.casefold()
        county = next((n for n, name in counties.items() if name.casefold() == low), None)
        municipality = next(
            (n for n, name in municipalities.items() if name.casefold() == low), None
        )
    if county is not None:
        inside = [n for n in municipalities if gaz.county_of_municipality(n) == county]
        return [county, *inside]
    if municipality is not None:
        return [municipality]
    return None


def _not_found(pages: StaffPages, request: Request, staff: StaffUser) -> Response:
    t = _t(pages, request)
    return pages.message(
        request, t["not_found_title"], t["subscriber_gone"], staff=staff, status=404,
        link=("/staff/abonnenter", t["back_to_list"]), texts=TEXTS,
    )  # fmt: skip


def _person(session: Session, sid: str) -> Subscriber | None:
    number = digits(sid, 12)
    if number is None:
        return None
    person = session.get(Subscriber, number)
    if person is None or (person.email_key is None and person.email.endswith("@invalid")):
        return None  # an erased row is nobody
    return person


# --- the list -------------------------------------------------------------------------------


@router.get("/staff/abonnenter", response_class=HTMLResponse)
def subscribers_page(
    request: Request, staff: AdminDep, ctx: CtxDep, pages: StaffPagesDep, session: DbSession
) -> Response:
    t = _t(pages, request)
    params = request.query_params
    q = (params.get("q") or "").strip()[:200]
    place = (params.get("sted") or "").strip()[:100]
    page = _int(params.get("side"))
    errors: list[str] = []
    query = select(Subscriber).where(_live())
    if q:
        needle = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        needle += "%"
        query = query.where(
            or_(
                func.lower(Subscriber.email).like(needle, escape="\\"),
                func.lower(Subscriber.name).like(needle, escape="\\"),
            )
        )
    if place:
        regions = _regions_for(ctx, place)
        if regions is None:
            errors.append(t["place_unknown"].format(place=place))
            query = query.where(col(Subscriber.id) == -1)
        else:
            query = query.where(col(Subscriber.region).in_(regions))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    pages_total = max(1, math.ceil(total / PAGE_SIZE))
    page = min(page, pages_total)
    people = list(
        session.exec(
            query.order_by(col(Subscriber.email_key), col(Subscriber.id))
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    )
    ids = [p.id for p in people if p.id is not None]
    counts: dict[int, int] = {}
    if ids:
        counts = {
            sid: n
            for sid, n in session.exec(
                select(Subscription.subscriber_id, func.count())
                .where(col(Subscription.subscriber_id).in_(ids))
                .group_by(col(Subscription.subscriber_id))
            ).all()
        }
    suppressed = _suppressions(session, people)
    rows = [
        {
            "id": p.id, "email": p.email, "name": p.name, "role": _role(t, p.role),
            "place": _place(ctx, p.region, t), "confirmed": p.confirmed_at is not None,
            "suppressed": _suppression_text(t, suppressed.get(p.id or 0)),
            "is_suppressed": (p.id or 0) in suppressed, "subscriptions": counts.get(p.id or 0, 0),
        }
        for p in people
    ]  # fmt: skip

    def link(number: int) -> str:
        from urllib.parse import urlencode

        query_values = {k: v for k, v in (("q", q), ("sted", place)) if v}
        query_values["side"] = str(number)
        return "/staff/abonnenter?" + urlencode(query_values)

    notice = t["erased_ok"] if params.get("ok") == "slettet" else None
    return pages.render(
        request, "subscribers.html", staff=staff, texts=TEXTS, rows=rows, q=q, sted=place,
        total=total, page=page, pages_total=pages_total, errors=errors, notice=notice,
        newer=link(page - 1) if page > 1 else None,
        older=link(page + 1) if page < pages_total else None,
    )  # fmt: skip


# --- export of everyone ---------------------------------------------------------------------


@router.get("/staff/abonnenter/eksport", response_class=HTMLResponse)
def export_page(request: Request, staff: AdminDep, pages: StaffPagesDep) -> Response:
    t = _t(pages, request)
    return pages.render(
        request, "subscribers_export.html", staff=staff, texts=TEXTS, title=t["export_title"]
    )


@router.post("/staff/abonnenter/eksport")
def export_all(
    request: Request,
    staff: AdminDep,
    data: StaffFormDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    now = ctx.clock()
    text = export_csv(session)
    count = max(0, text.count("\n") - 1)
    audit.record(session, now, staff, "subscriber.export", after={"antall": count})
    session.commit()
    filename = f"abonnenter-{now.date().isoformat()}.csv"
    response = Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    return pages.protect(response)


# --- the import -----------------------------------------------------------------------------


def _import_page(
    pages: StaffPages,
    request: Request,
    staff: StaffUser,
    *,
    status: int = 200,
    errors: Sequence[str] = (),
    notice: str | None = None,
) -> HTMLResponse:
    t = _t(pages, request)
    return pages.render(
        request, "import.html", staff=staff, texts=TEXTS, status=status, errors=list(errors),
        notice=notice, preview=None, title=t["import_title"],
    )  # fmt: skip


async def import_form(
    request: Request, staff: AdminDep, pages: StaffPagesDep
) -> AsyncIterator[StaffUser]:
    """Reads the import routes' form with their own limits (the form is then kept on the
    request, so ``StaffFormDep`` checks its ``csrf_token``), after the admin check: a body
    without ``Content-Length``, above ``MAX_BODY`` or not a form is refused unread. The
    uploaded file is closed when the request ends, whatever the answer."""
    raw_length = request.headers.get("content-length", "")
    length = digits(raw_length)
    if length is None and raw_length.isascii() and raw_length.isdigit():
        length = MAX_BODY + 1  # more than 18 digits: too large, not malformed
    if length is None or length > MAX_BODY:
        key, status = ("upload_too_large", 413) if length is not None else ("upload_bad", 411)
        t = _t(pages, request)
        raise Refused(_import_page(pages, request, staff, status=status, errors=[t[key]]))
    try:
        form = await request.form(max_files=1, max_fields=20, max_part_size=MAX_BODY)
    except (HTTPException, ValueError, AssertionError):
        t = _t(pages, request)
        raise Refused(
            _import_page(pages, request, staff, status=400, errors=[t["upload_bad"]])
        ) from None
    try:
        yield staff
    finally:
        await form.close()


ImportAdmin = Annotated[StaffUser, Depends(import_form)]


def _seal(secret: bytes, staff_id: int | None, issued: int, sha: str, digest: str) -> str:
    message = f"staff-import|{staff_id}|{issued}|{sha}|{digest}"
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def _change_text(
    ctx: Context, t: Mapping[str, str], lang: str, change: tuple[str, str, str]
) -> str:
    name, before, after = change
    if name.startswith("subscription:"):
        slug = name.partition(":")[2]
        label = f"{t['ch_subscription']} {_subtopic(ctx, slug, lang)}"
        b = t.get(f"cadence_{before}", before) if before else t["none"]
        a = t.get(f"cadence_{after}", after) if after else t["none"]
        return f"{label}: {b} → {a}"

    def value(raw: str) -> str:
        if not raw:
            return t["ch_default"] if name in ("digest_hour", "digest_weekday") else t["none"]
        if name == "digest_hour" and (hour := digits(raw, 2)) is not None:
            return t["ch_hour_value"].format(hour=hour)
        if name == "digest_weekday" and raw in WEEKDAYS_NB:
            return t[f"weekday_{WEEKDAYS_NB.index(raw)}"]
        if name == "quiet":
            start, _, end = raw.partition("-")
            first, last = digits(start, 2), digits(end, 2)
            if first is not None and last is not None:
                return t["quiet_span"].format(start=first, end=last)
        if name == "role":
            return _role(t, raw)
        if name == "region":
            return _place(ctx, raw, t)
        if name == "office":
            return _office(ctx, raw)
        if name == "confirmed":
            return t["yes"] if raw == "yes" else t["no"]
        return raw

    return f"{t.get('ch_' + name, name)}: {value(before)} → {value(after)}"


def _preview(
    pages: StaffPages,
    request: Request,
    staff: StaffUser,
    ctx: CtxDep,
    plan: import_plan.ImportPlan,
    content: bytes,
    filename: str,
    *,
    status: int = 200,
    notice: str | None = None,
    errors: Sequence[str] = (),
) -> HTMLResponse:
    t = _t(pages, request)
    lang = pages.lang(request)
    sha = hashlib.sha256(content).hexdigest()
    digest = plan.digest()
    issued = int(ctx.clock().timestamp())
    fatal = ""
    if plan.fatal:
        fatal = t[f"fatal_{plan.fatal}"].format(detail=plan.fatal_detail)

    def listed(action: str) -> tuple[list[dict[str, Any]], int]:
        lines = plan.of(action)
        shown = []
        for line in lines[:SHOWN_LINES]:
            reason = ""
            if line.reason:
                reason = t.get(f"reason_{line.reason}", t["reason_unreadable"])
                reason = reason.format(detail=line.detail)
            shown.append({
                "line": line.line, "email": line.email, "reason": reason,
                "changes": [_change_text(ctx, t, lang, c) for c in line.changes],
            })  # fmt: skip
        return shown, max(0, len(lines) - SHOWN_LINES)

    sections = []
    for action in import_plan.ACTIONS:
        lines, more = listed(action)
        sections.append({"action": action, "title": t[f"sum_{action}"], "lines": lines,
                         "more": t["more_lines"].format(n=more) if more else ""})  # fmt: skip
    hidden = {
        "innhold": base64.urlsafe_b64encode(zlib.compress(content, 9)).decode("ascii"),
        "filnavn": filename, "sha256": sha, "plan": digest, "utstedt": str(issued),
        "segl": _seal(pages.links.secret, staff.id, issued, sha, digest),
    }  # fmt: skip
    preview = {
        "filename": filename, "sha": sha, "counts": plan.counts(), "sections": sections,
        "fatal": fatal, "applicable": plan.applicable, "hidden": hidden,
    }  # fmt: skip
    return pages.render(
        request, "import.html", staff=staff, texts=TEXTS, status=status, preview=preview,
        notice=notice, errors=list(errors), title=t["preview_title"],
    )  # fmt: skip


def _read_text(content: bytes) -> str | None:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


@router.get("/staff/abonnenter/import", response_class=HTMLResponse)
def import_page(request: Request, staff: AdminDep, pages: StaffPagesDep) -> Response:
    t = _t(pages, request)
    params = request.query_params
    notice = None
    if params.get("ok") == "importert":
        counts = {a: _count(params.get(a)) for a in import_plan.ACTIONS}
        notice = t["applied_ok"].format(**counts)
    return _import_page(pages, request, staff, notice=notice)


@router.post("/staff/abonnenter/import", response_class=HTMLResponse)
async def import_preview(
    request: Request,
    staff: ImportAdmin,
    data: StaffFormDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    t = _t(pages, request)
    upload = (await request.form()).get("fil")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _import_page(pages, request, staff, status=400, errors=[t["upload_missing"]])
    filename = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:200]
    content = await upload.read(MAX_BYTES + 1)
    await upload.close()
    if len(content) > MAX_BYTES:
        return _import_page(pages, request, staff, status=413, errors=[t["upload_too_large"]])
    if not filename.lower().endswith((".csv", ".txt")):
        return _import_page(pages, request, staff, status=415, errors=[t["upload_type"]])
    if content.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # xlsx, xls
        return _import_page(pages, request, staff, status=415, errors=[t["upload_binary"]])
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16
        return _import_page(pages, request, staff, status=415, errors=[t["upload_encoding"]])
    text = _read_text(content)
    if text is None:
        return _import_page(pages, request, staff, status=415, errors=[t["upload_encoding"]])
    plan = import_plan.plan_import(session, text, _vocab(ctx))
    session.rollback()  # nothing was written; end the read transaction
    return _preview(pages, request, staff, ctx, plan, content, filename)


@router.post("/staff/abonnenter/import/bruk", response_class=HTMLResponse)
async def import_apply(
    request: Request,
    staff: ImportAdmin,
    data: StaffFormDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    t = _t(pages, request)
    now = ctx.clock()
    expired = _import_page(pages, request, staff, status=400, errors=[t["upload_expired"]])
    try:
        packed = base64.urlsafe_b64decode(data.get("innhold", "").encode("ascii"))
        inflate = zlib.decompressobj()
        content = inflate.decompress(packed, MAX_BYTES + 1)
    except (binascii.Error, zlib.error, UnicodeEncodeError, ValueError):
        return expired
    if len(content) > MAX_BYTES or inflate.unconsumed_tail or not inflate.eof:
        return expired
    sha = hashlib.sha256(content).hexdigest()
    digest = data.get("plan", "")
    issued = digits(data.get("utstedt", ""), 12)
    if issued is None or not same(data.get("sha256", ""), sha):
        return expired
    seal = _seal(pages.links.secret, staff.id, issued, sha, digest)
    if not same(data.get("segl", ""), seal):
        return expired
    age = now.timestamp() - issued
    if age < -60 or age > PREVIEW_TTL.total_seconds():
        return expired
    text = _read_text(content)
    if text is None:
        return expired
    filename = data.get("filnavn", "")[:200]
    vocab = _vocab(ctx)
    plan = import_plan.plan_import(session, text, vocab)
    if plan.digest() != digest:
        session.rollback()
        return _preview(
            pages, request, staff, ctx, plan, content, filename, status=409,
            errors=[t["plan_changed"]],
        )  # fmt: skip
    if plan.fatal or not plan.applicable:
        session.rollback()
        return _preview(pages, request, staff, ctx, plan, content, filename, status=400)
    counts = plan.counts()
    report = import_csv(session, io.StringIO(text, newline=""), vocab)
    refused = counts[import_plan.REFUSED] + counts[import_plan.SUPPRESSED]
    if (
        report.imported != counts["add"] + counts["change"] + counts["same"]
        or report.suppressed != counts[import_plan.SUPPRESSED]
        or len(report.errors) != refused
    ):  # the importer did something the plan did not say: keep nothing
        session.rollback()
        return pages.message(
            request, t["error_title"], t["error_text"], staff=staff, status=500, texts=TEXTS,
            link=("/staff/abonnenter/import", t["import_title"]),
        )  # fmt: skip
    audit.record(
        session, now, staff, "subscriber.import",
        after={"nye": counts["add"], "endret": counts["change"], "uendret": counts["same"],
               "avvist": counts["refused"], "sperret": counts["suppressed"], "sha256": sha,
               "fil": filename},
    )  # fmt: skip
    session.commit()
    query = "&".join(f"{a}={counts[a]}" for a in import_plan.ACTIONS)
    response = RedirectResponse(f"/staff/abonnenter/import?ok=importert&{query}", 303)
    return pages.protect(response)


# --- one subscriber -------------------------------------------------------------------------


def _detail(
    pages: StaffPages,
    request: Request,
    staff: StaffUser,
    ctx: Context,
    session: Session,
    person: Subscriber,
    *,
    status: int = 200,
    errors: Sequence[str] = (),
    erase_error: bool = False,
    push_error: bool | str = False,
) -> HTMLResponse:
    """One subscriber's page; ``push_error`` marks the add-target field as refused (``"full"``:
    worded as the subscriber's targets being at the limit, as the error summary says)."""
    t = _t(pages, request)
    lang = pages.lang(request)
    assert person.id is not None
    subs = session.exec(
        select(Subscription)
        .where(Subscription.subscriber_id == person.id)
        .order_by(col(Subscription.id))
    ).all()
    subscriptions = [
        {"label": _subtopic(ctx, s.subtopic, lang),
         "cadence": t.get(f"cadence_{s.cadence}", s.cadence)}
        for s in subs
    ]  # fmt: skip
    rows = list(
        session.exec(
            select(Delivery)
            .where(Delivery.subscriber_id == person.id)
            .order_by(col(Delivery.created_at).desc(), col(Delivery.id).desc())
            .limit(RECENT_MESSAGES)
        )
    )
    trail = delivery_audit.trails(session, [d.id for d in rows if d.id is not None])
    items = delivery_audit.carried_changes(session, [d.id for d in rows if d.id is not None])
    messages = [
        {"subject": d.subject, "kind": t.get(f"kind_{d.kind}", d.kind),
         "status": t.get(f"status_{d.status}", d.status), "sent_at": d.sent_at,
         "created_at": d.created_at, "channel": d.channel,
         "changes": [(c, trail[d.id or 0].version_of(c)) for c in sorted(items[d.id or 0])],
         "events": [(t.get(f"event_{e}", e), at, detail)
                    for e, at, detail in trail[d.id or 0].events]}
        for d in rows
    ]  # fmt: skip
    reason = _suppressions(session, [person]).get(person.id)
    zone = ctx.settings.timezone

    def when(value: Any) -> str:
        if value is None:
            return t["empty"]
        from zoneinfo import ZoneInfo

        return str(value.astimezone(ZoneInfo(zone)).strftime("%d.%m.%Y %H:%M"))

    profile = [
        (t["f_email"], person.email),
        (t["f_name"], person.name or t["empty"]),
        (t["f_role"], _role(t, person.role)),
        (t["f_region"], _place(ctx, person.region, t)),
        (t["f_office"], _office(ctx, person.office) or t["empty"]),
        (t["f_language"], t.get(f"lang_name_{person.language}", person.language)),
        (t["f_digest_time"], _digest_time(t, ctx, person)),
        (t["f_quiet"], _quiet(t, person)),
        (t["f_created"], when(person.created_at)),
        (t["f_confirmed"], when(person.confirmed_at) if person.confirmed_at else t["no"]),
    ]
    return pages.render(
        request, "subscriber.html", staff=staff, texts=TEXTS, status=status, person=person,
        profile=profile, subscriptions=subscriptions, messages=messages, when=when,
        suppression=_suppression_text(t, reason), suppressed_at=when(person.suppressed_at)
        if person.suppressed_at else None, errors=list(errors), erase_error=erase_error,
        push=staff_push_view(session, person, lang, push_error),
    )  # fmt: skip


def _digest_time(t: dict[str, str], ctx: Context, person: Subscriber) -> str:
    settings = ctx.settings
    hour = settings.daily_digest_hour if person.digest_hour is None else person.digest_hour
    day = settings.weekly_digest_weekday if person.digest_weekday is None else person.digest_weekday
    chosen = person.digest_hour is not None or person.digest_weekday is not None
    return t["digest_chosen" if chosen else "digest_default"].format(
        hour=hour, day=t[f"weekday_{day}"]
    )


def _quiet(t: dict[str, str], person: Subscriber) -> str:
    if person.quiet_start is None or person.quiet_end is None:
        return t["quiet_none"]
    return t["quiet_span"].format(start=person.quiet_start, end=person.quiet_end)


@router.get("/staff/abonnenter/{sid}", response_class=HTMLResponse)
def subscriber_page(
    request: Request,
    sid: str,
    staff: AdminDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    person = _person(session, sid)
    if person is None:
        return _not_found(pages, request, staff)
    return _detail(pages, request, staff, ctx, session, person)


@router.post("/staff/abonnenter/{sid}/eksport")
def subscriber_export(
    request: Request,
    sid: str,
    staff: AdminDep,
    data: StaffFormDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    person = _person(session, sid)
    if person is None:
        return _not_found(pages, request, staff)
    exported = ss.export(session, person)
    audit.record(session, ctx.clock(), staff, "subscriber.export", "subscriber", str(person.id))
    session.commit()
    response = JSONResponse(
        exported, headers={"Content-Disposition": 'attachment; filename="helsevarsel-data.json"'}
    )
    return pages.protect(response)


@router.post("/staff/abonnenter/{sid}/slett", response_class=HTMLResponse)
def subscriber_erase(
    request: Request,
    sid: str,
    staff: AdminDep,
    data: StaffFormDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    t = _t(pages, request)
    person = _person(session, sid)
    if person is None:
        return _not_found(pages, request, staff)
    if data.get("bekreft") != "ja":
        return _detail(
            pages, request, staff, ctx, session, person, status=400,
            errors=[t["erase_unconfirmed"]], erase_error=True,
        )  # fmt: skip
    assert person.id is not None
    now = ctx.clock()
    subscriptions = len(ss.choices(session, person))
    messages = erase_subscriber(session, person, now)  # as the subscriber's own erasure
    audit.record(
        session, now, staff, "subscriber.erase", "subscriber", str(person.id),
        after={"abonnement": subscriptions, "meldinger": messages},
    )  # fmt: skip
    session.commit()
    return pages.protect(RedirectResponse("/staff/abonnenter?ok=slettet", status_code=303))
