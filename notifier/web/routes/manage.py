"""Pages behind a signed link: preferences, unsubscribe (one subtopic, all, and RFC 8058
one-click), export (JSON) and erasure. A GET never changes anything: link scanners that
open ``/u/<token>`` see a page with a button; only the POST unsubscribes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlmodel import Session

from notifier.erasure import erase_subscriber
from notifier.web.deps import CheckedForm, CtxDep, DbSession, GuardDep, PagesDep, resolve
from notifier.web.forms import parse_form
from notifier.web.routes.push import push_view
from subscribers import selfservice as ss
from subscribers.models import Subscriber
from subscribers.tokens import MANAGE, UNSUBSCRIBE, TokenError

router = APIRouter()


def _form_of(session: Session, subscriber: Subscriber) -> ss.SignupForm:
    return ss.SignupForm(
        email=subscriber.email, name=subscriber.name, role=subscriber.role,
        region=subscriber.region, office=subscriber.office, language=subscriber.language,
        choices=ss.choices(session, subscriber), digest_hour=subscriber.digest_hour,
        digest_weekday=subscriber.digest_weekday, quiet_start=subscriber.quiet_start,
        quiet_end=subscriber.quiet_end,
    )  # fmt: skip


@router.get("/innstillinger/{token}", response_class=HTMLResponse)
def preferences(
    request: Request, token: str, ctx: CtxDep, pages: PagesDep, guard: GuardDep, session: DbSession
) -> Response:
    try:
        subscriber = resolve(session, pages.links.secret, MANAGE, token, ctx.clock())
    except TokenError as exc:
        return guard.bad_link(request, exc)
    form = _form_of(session, subscriber)
    view = push_view(session, subscriber, ctx, pages.lang(request))
    return pages.form_page(request, form, "prefs", f"/innstillinger/{token}", push=view)


@router.post("/innstillinger/{token}", response_class=HTMLResponse)
async def save(
    request: Request,
    token: str,
    data: CheckedForm,
    ctx: CtxDep,
    pages: PagesDep,
    guard: GuardDep,
    session: DbSession,
) -> Response:
    action = f"/innstillinger/{token}"
    try:
        subscriber = resolve(session, pages.links.secret, MANAGE, token, ctx.clock())
    except TokenError as exc:
        return guard.bad_link(request, exc)
    form = parse_form(data, email=subscriber.email)
    offices = frozenset(slug for slug, _ in pages.offices)
    errors = ss.check_form(form, ctx.taxonomy.slugs(), pages.regions, offices, with_email=False)
    if errors:
        view = push_view(session, subscriber, ctx, pages.lang(request))
        return pages.form_page(request, form, "prefs", action, errors=errors, status=400, push=view)
    ss.update_preferences(session, subscriber, form)
    session.commit()
    notice = pages.text(request, "prefs_saved")
    view = push_view(session, subscriber, ctx, pages.lang(request))
    return pages.form_page(request, form, "prefs", action, notice=notice, push=view)


@router.post("/innstillinger/{token}/avslutt", response_class=HTMLResponse)
async def stop(
    request: Request,
    token: str,
    data: CheckedForm,
    ctx: CtxDep,
    pages: PagesDep,
    guard: GuardDep,
    session: DbSession,
) -> Response:
    text = pages.text
    subtopic = data.get("subtopic") or None
    try:
        subscriber = resolve(session, pages.links.secret, MANAGE, token, ctx.clock())
    except TokenError as exc:
        return guard.bad_link(request, exc)
    ss.unsubscribe(session, subscriber, subtopic)
    session.commit()
    if subtopic:
        return pages.message(
            request, text(request, "unsub_title"), text(request, "unsub_one_done"),
            link=(f"/innstillinger/{token}", text(request, "prefs_title")),
        )  # fmt: skip
    return pages.message(
        request, text(request, "unsub_done_title"), text(request, "unsub_done_text")
    )


@router.get("/innstillinger/{token}/data.json")
def export(
    request: Request, token: str, ctx: CtxDep, pages: PagesDep, guard: GuardDep, session: DbSession
) -> Response:
    try:
        subscriber = resolve(session, pages.links.secret, MANAGE, token, ctx.clock())
    except TokenError as exc:
        return guard.bad_link(request, exc)
    data = ss.export(session, subscriber)
    return JSONResponse(
        data, headers={"Content-Disposition": 'attachment; filename="helsevarsel-data.json"'}
    )


@router.get("/innstillinger/{token}/slett", response_class=HTMLResponse)
def erase_page(
    request: Request, token: str, ctx: CtxDep, pages: PagesDep, guard: GuardDep, session: DbSession
) -> Response:
    text = pages.text
    try:
        resolve(session, pages.links.secret, MANAGE, token, ctx.clock())
    except TokenError as exc:
        return guard.bad_link(request, exc)
    return pages.message(
        request, text(request, "erase_title"), text(request, "erase_text"),
        action=f"/innstillinger/{token}/slett", button=text(request, "erase_button"),
        danger=True,
    )  # fmt: skip


@router.post("/innstillinger/{token}/slett", response_class=HTMLResponse)
async def erase(
    request: Request,
    token: str,
    data: CheckedForm,
    ctx: CtxDep,
    pages: PagesDep,
    guard: GuardDep,
    session: DbSession,
) -> Response:
    text = pages.text
    now = ctx.clock()
    try:
        subscriber = resolve(session, pages.links.secret, MANAGE, token, now)
    except TokenError as exc:
        return guard.bad_link(request, exc)
    erase_subscriber(session, subscriber, now)
    session.commit()
    return pages.message(request, text(request, "erased_title"), text(request, "erased_text"))


@router.get("/u/{token}", response_class=HTMLResponse)
def one_click_page(
    request: Request, token: str, ctx: CtxDep, pages: PagesDep, guard: GuardDep, session: DbSession
) -> Response:
    text = pages.text
    try:
        resolve(session, pages.links.secret, UNSUBSCRIBE, token, ctx.clock())
    except TokenError as exc:
        return guard.bad_link(request, exc)
    return pages.message(
        request, text(request, "unsub_title"), text(request, "unsub_text"),
        action=f"/u/{token}", button=text(request, "unsub_button"), danger=True,
    )  # fmt: skip


@router.post("/u/{token}", response_class=HTMLResponse)
def one_click(
    request: Request, token: str, ctx: CtxDep, pages: PagesDep, guard: GuardDep, session: DbSession
) -> Response:
    """RFC 8058: the mail client POSTs ``List-Unsubscribe=One-Click`` without cookies;
    the signed URL is the authority, so no CSRF check. Idempotent."""
    text = pages.text
    try:
        subscriber = resolve(session, pages.links.secret, UNSUBSCRIBE, token, ctx.clock())
    except TokenError as exc:
        return guard.bad_link(request, exc)
    ss.unsubscribe(session, subscriber)
    session.commit()
    return pages.message(
        request, text(request, "unsub_done_title"), text(request, "unsub_done_text")
    )
