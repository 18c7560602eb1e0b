"""``/api/v1/staff/``: what scripts of the editorial staff need, with a staff API token
(``Authorization: Bearer hv_…``, see ``notifier.api_tokens``):

- ``GET /api/v1/staff/queue``: the changes held for review, the longest waiting first
  (role ``lese`` or higher);
- ``POST /api/v1/staff/changes/{id}/approve``: publish a held change (``redaktor``);
- ``POST /api/v1/staff/changes/{id}/suppress`` with ``{"reason": "…"}``: never send it
  (``redaktor``).

The actions are ``notifier.review``'s, so they are audited as the console's are, with the
token's user as the actor. No token, or a wrong, forged or revoked one: 401 with
``WWW-Authenticate: Bearer``; too many wrong tokens from one client: 429; a token whose role
is too low: 403. Answers are never cached (``Cache-Control: no-store``).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from notifier import api_tokens, review
from notifier.api_tokens import ApiTokenRefused, Caller
from notifier.public_changes import change_id as parse_change_id
from notifier.textsafe import shown
from notifier.web.deps import CtxDep, DbSession
from notifier.web.routes.api_common import ApiProblem
from notifier.web.routes.api_models import (
    ErrorOut,
    QueueItemOut,
    QueueOut,
    StatusOut,
    SuppressIn,
)

router = APIRouter(prefix="/api/v1/staff", tags=["redaksjon"])
NO_STORE = {"Cache-Control": "no-store"}
SECURED: dict[str, Any] = {"security": [{"bearer": []}]}
REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {
        "model": ErrorOut,
        "description": "Mangler eller ugyldig API-nøkkel",
        "x-description-nn": "Manglar eller ugyldig API-nøkkel",
    },
    429: {
        "model": ErrorOut,
        "description": "For mange ugyldige forsøk",
        "x-description-nn": "For mange ugyldige forsøk",
    },
}
ACTION_ERRORS: dict[int | str, dict[str, Any]] = {
    **REFUSALS,
    403: {
        "model": ErrorOut,
        "description": "API-nøkkelen har ikke rettigheter til dette",
        "x-description-nn": "API-nøkkelen har ikkje rettar til dette",
    },
    404: {
        "model": ErrorOut,
        "description": "Fant ikke endringen",
        "x-description-nn": "Fann ikkje endringa",
    },
    409: {
        "model": ErrorOut,
        "description": "Endringen er ikke i en tilstand som tillater dette",
        "x-description-nn": "Endringa er ikkje i ein tilstand som tillèt dette",
    },
}
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="helsevarsel"'}


def token_caller(request: Request, ctx: CtxDep, session: DbSession) -> Caller:
    """Who the request's bearer token acts for; ``ApiProblem`` (401/429) otherwise."""
    header = request.headers.get("authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise ApiProblem("token_missing", status=401, headers=_CHALLENGE)
    client = request.client.host if request.client else ""
    settings = ctx.settings
    try:
        caller = api_tokens.authenticate(
            session, raw.strip(), client, ctx.clock(),
            settings.api_token_limit_per_ip, settings.staff_login_window,
        )  # fmt: skip
    except ApiTokenRefused as exc:
        session.commit()  # the refusal counts against the client
        if exc.reason == "rate_limited":
            raise ApiProblem("rate_limited", status=429, headers={"Retry-After": "60"}) from None
        raise ApiProblem(
            "token_invalid", status=401, headers={**_CHALLENGE, "WWW-Authenticate": (
                'Bearer realm="helsevarsel", error="invalid_token"'
            )}
        ) from None  # fmt: skip
    session.commit()  # last_used_at
    return caller


def _needs(role: str) -> Any:
    def check(caller: Annotated[Caller, Depends(token_caller)]) -> Caller:
        if not caller.may(role):
            raise ApiProblem("role_insufficient", status=403)
        return caller

    return Depends(check)


async def raw_body(request: Request) -> bytes:
    """The request body as sent: checked by the route, so a wrong one gets our 400 (not
    FastAPI's English 422), and the route itself can run in the thread pool."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]
Reader = Annotated[Caller, _needs("lese")]
Editor = Annotated[Caller, _needs("redaktor")]


#: what the queue gives of a held change's title and source name at most (cleaned, cut with
#: "…"): a source's 1 MB title must not make the queue megabytes
API_TITLE_LIMIT = 1_000


def _ok(model: StatusOut | QueueOut) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"), headers=NO_STORE)


@router.get(
    "/queue",
    response_model=QueueOut,
    response_description="OK",
    responses=REFUSALS,
    summary="Endringer som venter på godkjenning, lengst ventende først",
    openapi_extra={**SECURED, "x-summary-nn": "Endringar som ventar på godkjenning"},
)
def queue(caller: Reader, session: DbSession) -> JSONResponse:
    held = review.queue(session)
    names = review.source_names(session, held)
    items = [
        QueueItemOut(
            id=c.id or 0, title=shown(c.title, API_TITLE_LIMIT), kind=c.kind,
            source_url=c.url, source_name=shown(names.get(c.source_id, ""), API_TITLE_LIMIT),
            held_reason=c.held_reason,
            held_reason_text=review.HELD_REASONS.get(c.held_reason or "", ("", ""))[0],
            held_at=c.held_at, detected_at=c.detected_at,
        )
        for c in held
    ]  # fmt: skip
    return _ok(QueueOut(items=items))


def _change_id(text: str) -> int:
    number = parse_change_id(text)
    if number is None:
        raise ApiProblem("change_not_found", "change_id", status=404)
    return number


def _refused(exc: review.ReviewError) -> ApiProblem:
    if exc.code == "not_found":
        return ApiProblem("change_not_found", "change_id", status=404)
    if exc.code == "reason_missing":
        return ApiProblem("reason_missing", "reason", status=400)
    if exc.code in ("not_held", "already_suppressed"):
        return ApiProblem(exc.code, status=409)
    raise exc  # an unknown refusal is a programming error


@router.post(
    "/changes/{change_id}/approve",
    response_model=StatusOut,
    response_description="OK",
    responses=ACTION_ERRORS,
    summary="Godkjenn en endring som venter: den publiseres og sendes ut",
    openapi_extra={**SECURED, "x-summary-nn": "Godkjenn ei endring som ventar"},
)
def approve(caller: Editor, ctx: CtxDep, session: DbSession, change_id: str) -> JSONResponse:
    try:
        change = review.approve(session, _change_id(change_id), caller.user, ctx.clock())
    except review.ReviewError as exc:
        session.rollback()
        raise _refused(exc) from None
    session.commit()
    return _ok(StatusOut(id=change.id or 0, status=change.status))


@router.post(
    "/changes/{change_id}/suppress",
    response_model=StatusOut,
    response_description="OK",
    responses={
        **ACTION_ERRORS,
        400: {
            "model": ErrorOut,
            "description": "Ugyldig innhold",
            "x-description-nn": "Ugyldig innhald",
        },
    },
    summary="Stans en endring: den sendes aldri",
    openapi_extra={
        **SECURED,
        "x-summary-nn": "Stans ei endring: ho blir aldri send",
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": SuppressIn.model_json_schema()}},
        },
    },
)
def suppress(
    caller: Editor, raw: RawBody, ctx: CtxDep, session: DbSession, change_id: str
) -> JSONResponse:
    # the caller first: FastAPI solves dependencies in this order, so a body is read only
    # for a valid token; JSON nested deeper than the parser recurses is a body_invalid too
    try:
        body = SuppressIn.model_validate(json.loads(raw or b"null"))
    except (ValueError, ValidationError, RecursionError):
        raise ApiProblem("body_invalid", "reason") from None
    try:
        change = review.suppress(
            session, _change_id(change_id), caller.user, body.reason, ctx.clock()
        )
    except review.ReviewError as exc:
        session.rollback()
        raise _refused(exc) from None
    session.commit()
    return _ok(StatusOut(id=change.id or 0, status=change.status))
