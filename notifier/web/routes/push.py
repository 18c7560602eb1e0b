"""Push on the web: the installable web app (manifest, icons, the service worker at the site's
root) and, behind the preferences link, this browser's push subscription and Apprise targets.

- ``POST /innstillinger/<token>/push``: the page's script posts the browser's
  ``PushSubscription`` (``endpoint``, ``p256dh``, ``auth``) as a form with the page's CSRF
  token (the signed double-submit of every form); JSON answer.
- ``POST /innstillinger/<token>/push/av``: turn push off for an endpoint (the script, with
  ``endpoint``) or a listed device (a plain form, with ``endpoint_id``).
- ``POST /innstillinger/<token>/mal`` and ``/mal/slett``: add or remove an Apprise target.

Every endpoint and target passes the outbound gate (``notifier.channels.manage``). Adding is
rate-limited per subscriber and per client IP (``NOTIFIER_PUSH_ADD_LIMIT_PER_SUBSCRIBER``,
``..._PER_IP``, in ``NOTIFIER_PUSH_ADD_WINDOW_MINUTES``; every attempt counts, refused ones too,
so the gate cannot be probed either), and one subscriber holds at most
``subscribers.push.MAX_ENDPOINTS_PER_SUBSCRIBER`` endpoints and
``subscribers.targets.MAX_TARGETS_PER_SUBSCRIBER`` targets; each refusal says so in Norwegian.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlmodel import Session, col, select

from notifier.channels.manage import ChannelRefused, add_push, add_target
from notifier.channels.protocol import WEBPUSH
from notifier.channels.webpush import vapid_keys
from notifier.context import Context
from notifier.numbers import digits
from notifier.render import TEMPLATES
from notifier.web.deps import CheckedForm, CtxDep, DbSession, GuardDep, PagesDep, resolve
from notifier.web.icons import ICONS, png
from notifier.web.pages import Pages
from notifier.web.ratelimit import client_of
from subscribers import push, targets
from subscribers.models import AppriseTarget, PushEndpoint, Subscriber, Subscription
from subscribers.selfservice import rate_limited
from subscribers.tokens import MANAGE, TokenError

router = APIRouter()

#: the web app's manifest (bokmål; the site's own name and colours)
MANIFEST = {
    "name": "Helsevarsel",
    "short_name": "Helsevarsel",
    "description": "Endringer i regelverk og veiledning fra helsemyndighetene",
    "lang": "nb",
    "dir": "ltr",
    "id": "/",
    "start_url": "/",
    "scope": "/",
    "display": "standalone",
    "background_color": "#ffffff",
    "theme_color": "#0b57a4",
    "icons": [
        {"src": "/ikon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": "/ikon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {
            "src": "/ikon-maskable-512.png",
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ],
}


@dataclass(frozen=True)
class PushView:
    """What the preferences page shows of push."""

    public_key: str
    devices: list[PushEndpoint]
    targets: list[AppriseTarget]
    #: (subtopic, label, whether its alerts go to push) for each subscription
    choices: list[tuple[str, str, bool]]
    #: the most devices one subscriber may have (the page's message when they have them)
    max_devices: int = push.MAX_ENDPOINTS_PER_SUBSCRIBER


def push_view(session: Session, subscriber: Subscriber, ctx: Context, lang: str) -> PushView:
    assert subscriber.id is not None
    keys = vapid_keys(session)
    session.commit()
    devices = push.endpoints_of(session, subscriber.id)
    off = push.push_off(session, [subscriber.id], WEBPUSH).get(subscriber.id, set())
    labels = {s.slug: s.label_nn if lang == "nn" else s.label_nb for s in ctx.taxonomy.subtopics}
    subscribed = session.exec(
        select(Subscription.subtopic)
        .where(Subscription.subscriber_id == subscriber.id)
        .order_by(col(Subscription.id))
    ).all()
    choices = [
        (slug, labels.get(slug, slug), slug not in off) for slug in dict.fromkeys(subscribed)
    ]
    return PushView(keys.public, devices, targets.targets_of(session, subscriber.id), choices)


@cache
def _static(name: str) -> str:
    return (TEMPLATES / "web" / name).read_text(encoding="utf-8")


@router.get("/manifest.webmanifest")
def manifest() -> Response:
    return Response(
        json.dumps(MANIFEST, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get("/sw.js")
def service_worker() -> Response:
    """At the root, so its scope is the whole site; never cached long (a new worker must be
    found at once)."""
    return Response(
        _static("sw.js"),
        media_type="text/javascript",
        headers={
            "Service-Worker-Allowed": "/",
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/push.js")
def page_script() -> Response:
    return Response(
        _static("push.js"),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


def _icon(name: str) -> Response:
    size, maskable = ICONS[name]
    return Response(
        png(size, maskable),
        media_type="image/png",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/ikon-192.png")
def icon_192() -> Response:
    return _icon("ikon-192.png")


@router.get("/ikon-512.png")
def icon_512() -> Response:
    return _icon("ikon-512.png")


@router.get("/ikon-maskable-512.png")
def icon_maskable() -> Response:
    return _icon("ikon-maskable-512.png")


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _limited(request: Request, session: Session, ctx: Context, sid: int, now: datetime) -> bool:
    """Count one attempt to add an endpoint or target, by client IP and by subscriber; True
    when either already had its limit in the window. Committed at once, so an attempt the
    gate then refuses (and rolls back) still counts."""
    settings = ctx.settings
    window = timedelta(minutes=settings.push_add_window_minutes)
    ip = client_of(request)  # IPv6 by its /64: one line is one client
    limited = rate_limited(
        session, f"push:ip:{ip}", settings.push_add_limit_per_ip, window, now
    ) or rate_limited(
        session, f"push:sub:{sid}", settings.push_add_limit_per_subscriber, window, now
    )  # fmt: skip
    session.commit()
    return limited


def _person(token: str, session: Session, pages: Pages, now: datetime) -> Subscriber:
    """The subscriber whose preferences link ``token`` is (``TokenError`` if none)."""
    return resolve(session, pages.links.secret, MANAGE, token, now)


def _done(
    request: Request,
    pages: Pages,
    token: str,
    title: str,
    text: str,
    status: int = 200,
    **values: str,
) -> Response:
    """The page after a preferences action: a title, a text (its ``values`` filled in) and
    the way back to the preferences."""
    say = pages.text
    return pages.message(
        request, say(request, title), say(request, text).format(**values), status=status,
        link=(f"/innstillinger/{token}", say(request, "back_to_prefs")),
    )  # fmt: skip


@router.post("/innstillinger/{token}/push")
async def push_on(
    request: Request,
    token: str,
    data: CheckedForm,
    ctx: CtxDep,
    pages: PagesDep,
    guard: GuardDep,
    session: DbSession,
) -> Response:
    now = ctx.clock()
    try:
        subscriber = _person(token, session, pages, now)
    except TokenError:
        return JSONResponse({"ok": False, "error": "link"}, status_code=400)
    assert subscriber.id is not None
    say = pages.text
    if _limited(request, session, ctx, subscriber.id, now):
        return JSONResponse(
            {"ok": False, "error": "limit", "message": say(request, "push_limited")},
            status_code=429,
        )
    try:
        row = add_push(
            session, ctx.settings, subscriber.id, data.get("endpoint", ""),
            data.get("p256dh", ""), data.get("auth", ""), now,
        )  # fmt: skip
    except ChannelRefused as exc:
        session.rollback()
        if isinstance(exc.__cause__, push.PushLimitError):
            text = say(request, "push_full").format(n=push.MAX_ENDPOINTS_PER_SUBSCRIBER)
            return JSONResponse({"ok": False, "error": "full", "message": text}, status_code=400)
        return JSONResponse(
            {"ok": False, "error": "refused", "message": say(request, "push_failed")},
            status_code=400,
        )
    session.commit()
    return JSONResponse({"ok": True, "id": row.id})


@router.post("/innstillinger/{token}/push/av")
async def push_off(
    request: Request,
    token: str,
    data: CheckedForm,
    ctx: CtxDep,
    pages: PagesDep,
    guard: GuardDep,
    session: DbSession,
) -> Response:
    try:
        subscriber = _person(token, session, pages, ctx.clock())
    except TokenError as exc:
        if _wants_json(request):
            return JSONResponse({"ok": False, "error": "link"}, status_code=400)
        return guard.bad_link(request, exc)
    assert subscriber.id is not None
    endpoint = data.get("endpoint", "")
    endpoint_id = digits(data.get("endpoint_id"))
    if not endpoint and endpoint_id is not None:
        row = session.get(PushEndpoint, endpoint_id)
        endpoint = row.endpoint if row is not None and row.subscriber_id == subscriber.id else ""
    removed = bool(endpoint) and push.remove(session, subscriber.id, endpoint)
    session.commit()
    if _wants_json(request):
        return JSONResponse({"ok": True, "removed": removed})
    return _done(request, pages, token, "push_removed_title", "push_removed_text")


@router.post("/innstillinger/{token}/push/valg", response_class=HTMLResponse)
async def push_choices(
    request: Request,
    token: str,
    data: CheckedForm,
    ctx: CtxDep,
    pages: PagesDep,
    guard: GuardDep,
    session: DbSession,
) -> Response:
    """Which subscriptions' alerts go to push: a checked ``push_<subtopic>`` goes (the
    default), an unchecked one stays in e-mail only."""
    now = ctx.clock()
    try:
        subscriber = _person(token, session, pages, now)
    except TokenError as exc:
        return guard.bad_link(request, exc)
    assert subscriber.id is not None
    subscribed = set(
        session.exec(
            select(Subscription.subtopic).where(Subscription.subscriber_id == subscriber.id)
        ).all()
    )
    off = {slug for slug in subscribed if not data.get(f"push_{slug}")}
    push.set_push_choices(session, subscriber.id, off, now)
    session.commit()
    return _done(request, pages, token, "push_choices_saved_title", "push_choices_saved_text")


@router.post("/innstillinger/{token}/mal", response_class=HTMLResponse)
async def target_add(
    request: Request,
    token: str,
    data: CheckedForm,
    ctx: CtxDep,
    pages: PagesDep,
    guard: GuardDep,
    session: DbSession,
) -> Response:
    now = ctx.clock()
    try:
        subscriber = _person(token, session, pages, now)
    except TokenError as exc:
        return guard.bad_link(request, exc)
    assert subscriber.id is not None
    if _limited(request, session, ctx, subscriber.id, now):
        return _done(
            request, pages, token, "push_rate_title", "push_rate_text", status=429,
            minutes=str(ctx.settings.push_add_window_minutes),
        )  # fmt: skip
    try:
        row = add_target(session, ctx.settings, subscriber.id, data.get("url", ""), now)
    except ChannelRefused as exc:
        session.rollback()
        if isinstance(exc.__cause__, targets.TargetLimitError):
            return _done(
                request, pages, token, "target_full_title", "target_full_text", status=400,
                n=str(targets.MAX_TARGETS_PER_SUBSCRIBER),
            )  # fmt: skip
        return _done(
            request, pages, token, "target_refused_title", "target_refused_text", status=400
        )
    session.commit()
    return _done(
        request, pages, token, "target_added_title", "target_added_text", target=row.masked
    )


@router.post("/innstillinger/{token}/mal/slett", response_class=HTMLResponse)
async def target_remove(
    request: Request,
    token: str,
    data: CheckedForm,
    ctx: CtxDep,
    pages: PagesDep,
    guard: GuardDep,
    session: DbSession,
) -> Response:
    try:
        subscriber = _person(token, session, pages, ctx.clock())
    except TokenError as exc:
        return guard.bad_link(request, exc)
    assert subscriber.id is not None
    target_id = digits(data.get("target_id"))
    if target_id is not None:
        targets.remove(session, subscriber.id, target_id)
        session.commit()
    return _done(request, pages, token, "target_removed_title", "target_removed_text")


__all__ = ["PushView", "push_view", "router"]
