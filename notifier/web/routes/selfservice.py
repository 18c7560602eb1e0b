"""Sign-up with double opt-in, and confirmation. No JavaScript; every form posts.

Sign-ups are rate limited per address and per client IP in the database (``rate_event``), so
the limit holds across workers; behind a proxy run uvicorn with ``--proxy-headers`` so the
client IP is the real one. At most one confirmation mail per address per window: its outbox
key names the window.

The answer to a sign-up must not tell whether the address is known: the page is the same for
a new, a pending and a confirmed address, and so is the time it takes. Recording the sign-up
(a new row and its subscriptions, or nothing for a confirmed address) and queueing its mail
(a confirmation, or a preferences link) take different work, so they run after the answer
has been sent (a background task in a session of its own); before it, only the form is
checked and the rate limits counted, alike for every address.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session
from starlette.background import BackgroundTask

from notifier.context import Context
from notifier.db import write_retrying
from notifier.digest import Recipient
from notifier.outbox import enqueue
from notifier.web.deps import CheckedForm, CtxDep, DbSession, GuardDep, PagesDep, resolve
from notifier.web.forms import parse_form
from notifier.web.links import Links
from notifier.web.ratelimit import client_of
from subscribers import selfservice as ss
from subscribers.models import Subscriber
from subscribers.tokens import CONFIRM, TokenError

router = APIRouter()
log = logging.getLogger(__name__)


@router.get("/abonner", response_class=HTMLResponse)
def subscribe_form(request: Request, pages: PagesDep) -> Response:
    return pages.form_page(request, ss.SignupForm(), "subscribe", "/abonner")


@router.post("/abonner", response_class=HTMLResponse)
async def subscribe(
    request: Request, data: CheckedForm, ctx: CtxDep, pages: PagesDep, session: DbSession
) -> Response:
    settings = ctx.settings
    form = parse_form(data)
    offices = frozenset(slug for slug, _ in pages.offices)
    errors = ss.check_form(form, ctx.taxonomy.slugs(), pages.regions, offices)
    if errors:
        return pages.form_page(request, form, "subscribe", "/abonner", errors=errors, status=400)
    now = ctx.clock()
    window = timedelta(minutes=settings.signup_window_minutes)
    ip = client_of(request)  # IPv6 by its /64: one line is one client
    limited = ss.rate_limited(
        session, f"signup:ip:{ip}", settings.signup_limit_per_ip, window, now
    ) or ss.rate_limited(
        session, ss.address_rate_key(form.email),
        settings.signup_limit_per_address, window, now,
    )  # fmt: skip
    if limited:
        session.commit()
        return pages.message(
            request, pages.text(request, "rate_title"), pages.text(request, "rate_text"),
            status=429,
        )  # fmt: skip
    session.commit()
    links = pages.links

    def record(work_session: Session) -> None:
        subscriber, known = ss.signup(work_session, form)
        send_link_mail(ctx, work_session, links, subscriber, known, now, window)

    answer = pages.message(
        request, pages.text(request, "check_title"), pages.text(request, "check_text")
    )
    answer.background = BackgroundTask(_after_answer, ctx, record)
    return answer


def _after_answer(ctx: Context, work: Callable[[Session], None]) -> None:
    """Store a sign-up after its answer was sent; a failure is logged (the person sees the
    same page either way and may sign up again)."""
    try:
        write_retrying(ctx.engine, work)
    except Exception:
        log.exception("a sign-up could not be stored")


@router.get("/bekreft/{token}", response_class=HTMLResponse)
def confirm_page(
    request: Request, token: str, ctx: CtxDep, pages: PagesDep, guard: GuardDep, session: DbSession
) -> Response:
    try:
        resolve(session, pages.links.secret, CONFIRM, token, ctx.clock())
    except TokenError as exc:
        return guard.bad_link(request, exc)
    return pages.message(
        request, pages.text(request, "confirm_title"), pages.text(request, "confirm_text"),
        action=f"/bekreft/{token}", button=pages.text(request, "confirm_button"),
    )  # fmt: skip


@router.post("/bekreft/{token}", response_class=HTMLResponse)
async def confirm(
    request: Request,
    token: str,
    data: CheckedForm,
    ctx: CtxDep,
    pages: PagesDep,
    guard: GuardDep,
    session: DbSession,
) -> Response:
    links = pages.links
    now = ctx.clock()
    try:
        subscriber = resolve(session, links.secret, CONFIRM, token, now)
    except TokenError as exc:
        return guard.bad_link(request, exc)
    ss.confirm(session, subscriber, now)
    session.commit()
    prefs = links.preferences(subscriber, now, pages.lang(request))  # the page's language
    return pages.message(
        request, pages.text(request, "confirmed_title"),
        pages.text(request, "confirmed_text"),
        link=(prefs.removeprefix(links.base_url), pages.text(request, "prefs_title")),
    )  # fmt: skip


def send_link_mail(
    ctx: Context,
    session: Session,
    links: Links,
    subscriber: Subscriber,
    known: bool,
    now: datetime,
    window: timedelta,
) -> None:
    """Queue the confirmation mail (or, for a confirmed address, a preferences link); one per
    address per window, because the outbox key names the window."""
    assert subscriber.id is not None
    kind = "manage" if known else "confirm"
    url = links.preferences(subscriber, now) if known else links.confirm(subscriber, now)
    bucket = int(now.timestamp() // window.total_seconds())
    recipient = Recipient(subscriber.id, subscriber.email, subscriber.name, subscriber.language)
    message = ctx.renderer.render_link_mail(
        recipient, kind, url, f"{kind}:{subscriber.id}:{bucket}"
    )
    enqueue(session, message, kind=kind, subscriber_id=subscriber.id, change_ids=(), now=now)
