"""What routes get through ``Depends``: the context and the shared objects ``create_app``
keeps on ``app.state``, the page language, a database session, the CSRF-checked form, and
the subscriber a signed link is for.

A route that changes state takes ``CheckedForm``: the form is read and its CSRF token checked
before the route runs; a failed check raises ``Refused``, which the app answers with the
refusal page (403). The one-click unsubscribe POST is exempt (mail clients send it without
cookies) and so does not take it.

Staff routes take ``StaffDep`` (any logged-in staff user), ``AdminDep`` (administrators only)
and, to change state, ``StaffFormDep`` (the form, its ``csrf_token`` checked against the
session). Each refuses by raising ``Refused``: anonymous → 303 to the login page (401 for
JSON), a ``redaktor`` on an admin page → 403, a bad token → 403; the route never runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, cast

from fastapi import Depends, Path, Request
from fastapi.responses import Response
from jinja2 import Environment
from sqlmodel import Session
from starlette.exceptions import HTTPException

from notifier import staff
from notifier.context import Context
from notifier.models import StaffUser
from notifier.web.forms import SELF_CHECKED, read_form
from notifier.web.links import Links
from notifier.web.pages import Guard, Pages, request_lang
from notifier.web.staff_pages import StaffPages
from subscribers import selfservice as ss
from subscribers.models import Subscriber
from subscribers.tokens import CONFIRM, TokenError, verify


def get_ctx(request: Request) -> Context:
    return cast(Context, request.app.state.ctx)


def get_env(request: Request) -> Environment:
    """The one Jinja environment of the app (mail and pages share its loader)."""
    return cast(Environment, request.app.state.env)


def get_pages(request: Request) -> Pages:
    return cast(Pages, request.app.state.pages)


def get_guard(request: Request) -> Guard:
    return cast(Guard, request.app.state.guard)


def get_links(request: Request) -> Links:
    return cast(Links, request.app.state.links)


def lang(request: Request) -> str:
    """The page language, "nb" or "nn" (see ``pages.request_lang``)."""
    return request_lang(request)


def db_session(ctx: Annotated[Context, Depends(get_ctx)]) -> Iterator[Session]:
    """One session per request, closed when the route returns (``scope="function"`` below),
    before the response is sent. Routes commit what they change."""
    with Session(ctx.engine, expire_on_commit=False) as session:
        yield session


class Refused(Exception):
    """A dependency's answer in place of the route's: the app sends ``response`` as is."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def refuse_nul(request: Request) -> None:
    """Every route's first check (``create_app``): a NUL in the path answers 404, one in the
    query 400, each as the Norwegian page or the API's JSON error (``app._http_error``). No
    link or form of ours makes one, and PostgreSQL text cannot hold it, so it would end the
    request in a database error wherever the value reaches a query."""
    if "\x00" in request.scope.get("path", ""):
        raise HTTPException(404)
    if any("\x00" in key or "\x00" in value for key, value in request.query_params.multi_items()):
        raise HTTPException(400)


async def checked_form(
    request: Request, guard: Annotated[Guard, Depends(get_guard)]
) -> dict[str, str]:
    """The posted form, once its CSRF field matches its cookie; raises ``Refused`` with the
    refusal page otherwise. The address and the name may hold a NUL: their own rule refuses
    it at the field (``forms.SELF_CHECKED``)."""
    data = await read_form(request, self_checked=SELF_CHECKED)
    if (refused := guard.csrf_failed(request, data)) is not None:
        raise Refused(refused)
    return data


def get_staff_pages(request: Request) -> StaffPages:
    return cast(StaffPages, request.app.state.staff_pages)


def current_staff(
    request: Request,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> StaffUser:
    """The staff user whose live session the ``staff_session`` cookie opens. Without one the
    route does not run: ``Refused`` with 303 to ``/staff/login?neste=<path>`` (401 for JSON and
    ``/staff/api/``). An ended session's row is deleted and its cookie cleared."""
    token = pages.session_token(request)
    user = None
    if token:
        lifetimes = staff.SessionLifetimes.from_settings(ctx.settings)
        user = staff.session_user(session, token, ctx.clock(), lifetimes.idle, lifetimes.absolute)
        session.commit()  # the touch of last_seen_at, or the deletion of an ended session
    if user is None:
        raise Refused(pages.anonymous(request, expired=bool(token)))
    request.state.staff = user
    return user


def require_admin(
    request: Request,
    user: StaffDep,
    pages: StaffPagesDep,
) -> StaffUser:
    """The logged-in staff user when an administrator; a ``redaktor`` gets the 403 page."""
    if user.role != "admin":
        raise Refused(pages.forbidden(request, user))
    return user


async def staff_form(
    request: Request,
    user: StaffDep,
    pages: StaffPagesDep,
) -> dict[str, str]:
    """The posted form of a logged-in staff user, once its ``csrf_token`` matches the session
    (``StaffPages.csrf_ok``); otherwise ``Refused`` with the 403 page and the route does not
    run. An anonymous POST is refused by ``current_staff`` first."""
    data = await read_form(request)
    if not pages.csrf_ok(request, data.get("csrf_token")):
        raise Refused(pages.csrf_failed(request, user))
    return data


async def staff_login_form(request: Request, pages: StaffPagesDep) -> dict[str, str]:
    """A form posted before there is a session (login, setting a password from a link):
    its ``csrf_token`` must be the HMAC of the ``staff_csrf`` cookie; 403 page otherwise."""
    data = await read_form(request)
    if not pages.login_csrf_ok(request, data.get("csrf_token")):
        raise Refused(pages.csrf_failed(request, None))
    return data


CtxDep = Annotated[Context, Depends(get_ctx)]
EnvDep = Annotated[Environment, Depends(get_env)]
PagesDep = Annotated[Pages, Depends(get_pages)]
GuardDep = Annotated[Guard, Depends(get_guard)]
LinksDep = Annotated[Links, Depends(get_links)]
Lang = Annotated[str, Depends(lang)]
DbSession = Annotated[Session, Depends(db_session, scope="function")]
CheckedForm = Annotated[dict[str, str], Depends(checked_form)]
StaffPagesDep = Annotated[StaffPages, Depends(get_staff_pages)]
StaffDep = Annotated[StaffUser, Depends(current_staff)]
AdminDep = Annotated[StaffUser, Depends(require_admin)]
StaffFormDep = Annotated[dict[str, str], Depends(staff_form)]
StaffLoginFormDep = Annotated[dict[str, str], Depends(staff_login_form)]
#: the largest row id a path may name: 18 digits fit the databases' signed 64-bit integers
MAX_ROW_ID = 10**18 - 1
#: a row id in a console path (``/staff/endringer/{change_id}``): FastAPI reads any run of
#: digits into an int, and 40 of them overflowed SQLite (a 500); out of range, or "²" and
#: "٣", it is a validation error, which ``app`` answers with the console's Norwegian 404
RowId = Annotated[int, Path(ge=0, le=MAX_ROW_ID)]


def resolve(session: Session, secret: bytes, purpose: str, token: str, now: datetime) -> Subscriber:
    """The subscriber a token is for; raises ``TokenError`` when forged, expired or revoked
    (erased subscriber, or a link older than the last revocation) or, for a confirmation
    link, already used."""
    claims = verify(secret, purpose, token, now)
    subscriber = session.get(Subscriber, claims.subscriber_id)
    if subscriber is None or subscriber.token_version != claims.version:
        raise TokenError("revoked")
    if purpose == CONFIRM and not ss.confirmable(subscriber):
        raise TokenError("already used")  # a confirmation link works once
    return subscriber
