"""Sign-up with double opt-in, and confirmation. No JavaScript; every form posts.

Sign-ups are rate limited per address and per client IP in the database (``rate_event``), so
the limit holds across workers; behind a proxy run uvicorn with ``--proxy-headers`` so the
client IP is the real one. At most one confirmation mail per address per window: its outbox
key names the window.

The answer to a sign-up must not tell whether the address is known: the page is the same for
a new, a pending and a confirmed address, and so is the time it takes. Recording the sign-up
(a new row and its subscriptions, or nothing for a confirmed address) and queueing its mail
(a confirmation, or a preferences link) take different work, so they run after the answer
has been sent; before it, only the form is checked, the rate limits counted and one row
written to the sign-up queue, alike for every address. The row is processed by a background
task after the answer, or by the worker's sweep if that task never finishes
(``notifier.signup_queue``); when the row cannot be written the person reads the error page,
never "check your mail".
"""

from __future__ import annotations

import logging
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.background import BackgroundTask

from notifier import signup_queue
from notifier.context import Context
from notifier.web.deps import CheckedForm, CtxDep, DbSession, GuardDep, PagesDep, resolve
from notifier.web.forms import parse_form
from notifier.web.links import Links
from notifier.web.ratelimit import client_of
from subscribers import selfservice as ss
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
    try:
        queued = signup_queue.record(session, form, now)
        session.commit()
    except SQLAlchemyError:
        # nothing is lost: the person reads that it failed and may try again
        log.exception("a sign-up could not be queued")
        session.rollback()
        return pages.message(
            request, pages.text(request, "error_title"), pages.text(request, "error_text"),
            status=503,
        )  # fmt: skip
    assert queued.id is not None
    answer = pages.message(
        request, pages.text(request, "check_title"), pages.text(request, "check_text")
    )
    answer.background = BackgroundTask(_after_answer, ctx, pages.links, queued.id)
    return answer


def _after_answer(ctx: Context, links: Links, request_id: int) -> None:
    """Process a queued sign-up after its answer was sent; a failure is noted on its row,
    which the worker's sweep takes again (``notifier.signup_queue``)."""
    signup_queue.attempt(ctx, links, request_id)


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
