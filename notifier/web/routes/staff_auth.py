"""The console's door: login and logout, setting a password from a one-time link, changing
one's own password, and the audit log.

- ``GET/POST /staff/login``: ``email``, ``password``, ``csrf_token`` (double submit, there is
  no session yet). Every refusal for a wrong address, wrong password, disabled account or an
  account without a password is the same page (400); too many failures, per account or per
  client, is a 429 page that says how long to wait. On success a new session (any earlier one
  of this browser ends) and 303 to ``neste`` when it is a path inside the console.
- ``POST /staff/logout``: ends the session (audited), 303 to the login page.
- ``GET/POST /staff/passord/{token}``: the link ``notifier staff add`` prints; sets the
  password once and ends every session of the account.
- ``GET/POST /staff/passord``: current password and the new one twice; the user's other
  sessions end, this one stays. Wrong current passwords count against the login limit of the
  account.
- ``GET /staff/logg``: the audit log, newest first, 50 a page, filtered by action.
- ``GET /staff/api-nokler``: the staff API tokens (every one for an administrator, one's own
  otherwise) with their role, use, expiry and state; never a secret. Tokens are made and
  revoked on the command line (``notifier api token-create``/``token-revoke``).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, delete, func, select

from notifier import api_tokens, audit, staff
from notifier.models import AuditEvent, StaffSession, StaffUser
from notifier.numbers import digits
from notifier.web.deps import (
    CtxDep,
    DbSession,
    StaffDep,
    StaffFormDep,
    StaffLoginFormDep,
    StaffPagesDep,
)
from notifier.web.staff_pages import StaffPages, local_path
from notifier.web.texts_staff import ACTIONS, CODED, DETAILS, FIELDS, TARGETS, VALUES
from subscribers.models import RateEvent
from subscribers.selfservice import serialise

router = APIRouter()
#: routes that give way to an area's own (included last in ``create_app``)
PAGE_SIZE = 50


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _msg(pages: StaffPages, request: Request, code: str, **values: Any) -> str:
    return staff.MESSAGES[pages.lang(request)][code].format(**values)


def _minutes(limits: staff.LoginLimits) -> int:
    return max(1, math.ceil(limits.window.total_seconds() / 60))


# --- login and logout -----------------------------------------------------------------------

_LOGIN_NOTICES = {"utlogget": "logged_out", "passord": "password_set_ok"}


@router.get("/staff/login", response_class=HTMLResponse)
def login_page(request: Request, pages: StaffPagesDep, neste: str = "") -> Response:
    t = pages.texts(request)
    notice = None
    if request.query_params.get("utlopt"):
        notice = t["session_expired"]
    elif (ok := request.query_params.get("ok", "")) in _LOGIN_NOTICES:
        notice = t[_LOGIN_NOTICES[ok]]
    return pages.render(
        request, "login.html", staff=None, notice=notice, email="", refusal=None,
        neste=local_path(neste),
    )  # fmt: skip


@router.post("/staff/login", response_class=HTMLResponse)
def login(
    request: Request,
    data: StaffLoginFormDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    email = data.get("email", "").strip()[:320]
    neste = local_path(data.get("neste") or request.query_params.get("neste"))
    limits = staff.LoginLimits.from_settings(ctx.settings)
    now = ctx.clock()
    try:
        user = staff.authenticate(
            session, email, data.get("password", ""), _client(request), now, limits
        )
    except staff.LoginRefused as exc:
        session.commit()  # the failure counts
        if exc.reason == "rate_limited":
            text = _msg(pages, request, "rate_limited", minutes=_minutes(limits))
            status = 429
        else:
            text = _msg(pages, request, "login_refused")
            status = 400
        return pages.render(
            request, "login.html", staff=None, status=status, notice=None, email=email,
            refusal=text, neste=neste,
        )  # fmt: skip
    old = pages.session_token(request)
    if old:
        # this browser's earlier session, whoever's it was, ends silently
        session.exec(delete(StaffSession).where(col(StaffSession.id) == staff.token_hash(old)))
    lifetimes = staff.SessionLifetimes.from_settings(ctx.settings)
    token = staff.start_session(session, user, now, lifetimes.absolute)
    session.commit()
    response = RedirectResponse(neste, status_code=303)
    pages.set_session(response, token)
    return pages.protect(response)


@router.post("/staff/logout")
def logout(
    request: Request,
    user: StaffDep,
    data: StaffFormDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    staff.end_session(session, pages.session_token(request), ctx.clock())
    session.commit()
    response = RedirectResponse("/staff/login?ok=utlogget", status_code=303)
    pages.clear_session(response)
    return pages.protect(response)


# --- setting a password from a link ---------------------------------------------------------


def _setup_user(session: Session, token: str, now: datetime) -> tuple[StaffUser | None, str]:
    """The user a setup link is for and "", or None and the ``MESSAGES`` code to show."""
    if not token or len(token) > 200:
        return None, "setup_invalid"
    user = session.exec(
        select(StaffUser).where(StaffUser.setup_token_hash == staff.token_hash(token))
    ).first()
    if user is None or user.disabled_at is not None or user.setup_expires_at is None:
        return None, "setup_invalid"
    if now >= user.setup_expires_at:
        return None, "setup_expired"
    return user, ""


def _bad_link(request: Request, pages: StaffPages, code: str) -> Response:
    t = pages.texts(request)
    return pages.message(
        request, t["setup_bad_title"], _msg(pages, request, code), staff=None, status=400,
        link=("/staff/login", t["to_login"]),
    )  # fmt: skip


@router.get("/staff/passord/{token}", response_class=HTMLResponse)
def setup_page(
    request: Request, token: str, ctx: CtxDep, pages: StaffPagesDep, session: DbSession
) -> Response:
    user, code = _setup_user(session, token, ctx.clock())
    if user is None:
        return _bad_link(request, pages, code)
    return pages.render(
        request, "password_setup.html", staff=None, email=user.email, errors=[],
        action=f"/staff/passord/{token}",
    )  # fmt: skip


@router.post("/staff/passord/{token}", response_class=HTMLResponse)
def setup(
    request: Request,
    token: str,
    data: StaffLoginFormDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    now = ctx.clock()
    user, code = _setup_user(session, token, now)
    if user is None:
        return _bad_link(request, pages, code)
    new, again = data.get("new_password", ""), data.get("new_password_again", "")
    problem: str | None = None
    if new != again:
        problem = "password_mismatch"
    else:
        try:
            staff.redeem_setup_token(session, token, new, now)
        except staff.SetupLinkError as exc:
            session.rollback()
            return _bad_link(request, pages, exc.code)
        except staff.StaffError as exc:
            session.rollback()
            problem = exc.code
    if problem is not None:
        return pages.render(
            request, "password_setup.html", staff=None, status=400, email=user.email,
            errors=[_msg(pages, request, problem)], action=f"/staff/passord/{token}",
        )  # fmt: skip
    session.commit()
    return pages.protect(RedirectResponse("/staff/login?ok=passord", status_code=303))


# --- changing one's own password ------------------------------------------------------------


@router.get("/staff/passord", response_class=HTMLResponse)
def password_page(request: Request, user: StaffDep, pages: StaffPagesDep) -> Response:
    notice = pages.texts(request)["password_changed"] if request.query_params.get("ok") else None
    return pages.render(request, "password_change.html", staff=user, notice=notice, errors=[])


@router.post("/staff/passord", response_class=HTMLResponse)
def change_password(
    request: Request,
    user: StaffDep,
    data: StaffFormDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    now = ctx.clock()
    limits = staff.LoginLimits.from_settings(ctx.settings)
    key = staff.account_key(user.email)
    serialise(session, key)  # a burst of guesses is counted one after another
    failures = session.exec(
        select(func.count())
        .select_from(RateEvent)
        .where(RateEvent.key == key, col(RateEvent.created_at) >= now - limits.window)
    ).one()

    def again(status: int, message: str) -> Response:
        return pages.render(
            request, "password_change.html", staff=user, status=status, errors=[message]
        )

    if failures >= limits.per_account:
        return again(429, _msg(pages, request, "rate_limited", minutes=_minutes(limits)))
    current = data.get("current_password", "")
    matches, _ = staff.verify_password(user.password_hash or staff.dummy_hash(), current)
    if not matches or user.password_hash is None:
        session.add(RateEvent(key=key, created_at=now))
        audit.record(
            session, now, user, "password_change_failed", "staff_user", str(user.id),
            detail="wrong current password",
        )  # fmt: skip
        session.commit()
        return again(400, pages.texts(request)["current_wrong"])
    new, repeat = data.get("new_password", ""), data.get("new_password_again", "")
    if new != repeat:
        return again(400, _msg(pages, request, "password_mismatch"))
    try:
        staff.set_password(
            session, user, new, now, actor=user, keep_token=pages.session_token(request)
        )
    except staff.StaffError as exc:
        session.rollback()
        code = exc.code if exc.code in staff.MESSAGES["nb"] else "password_too_short"
        return again(400, _msg(pages, request, code))
    session.commit()
    return pages.protect(RedirectResponse("/staff/passord?ok=1", status_code=303))


# --- the audit log --------------------------------------------------------------------------


def _value(value: Any, t: dict[str, str], tz: ZoneInfo) -> str:
    if value is None or value == "" or value == []:
        return t["empty"]
    if value is True:
        return t["yes"]
    if value is False:
        return t["no"]
    if value == audit.REDACTED:
        return t["redacted"]
    if isinstance(value, list):
        return ", ".join(_value(v, t, tz) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v, t, tz)}" for k, v in value.items())
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return _when(datetime.fromisoformat(value), tz)
        except ValueError:
            pass
    return str(value)


def _when(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%d.%m.%Y %H:%M:%S")


def _detail(detail: str, lang: str) -> str:
    for english, norwegian in DETAILS[lang].items():
        detail = detail.replace(english, norwegian)
    return detail


def _row(event: AuditEvent, lang: str, t: dict[str, str], tz: ZoneInfo) -> dict[str, Any]:
    before, after = event.before or {}, event.after or {}
    fields = FIELDS[lang]
    changes = []
    codes = VALUES[lang]

    def shown(key: str, value: Any) -> str:
        if key in CODED and isinstance(value, str) and value in codes:
            return codes[value]
        return _value(value, t, tz)

    for key in list(dict.fromkeys([*before, *after])):
        old = shown(key, before[key]) if key in before else None
        new = shown(key, after[key]) if key in after else None
        if (old or t["empty"]) == (new or t["empty"]):
            continue
        changes.append((fields.get(key, key.replace("_", " ")), old, new))
    kind = TARGETS[lang].get(event.target_kind, event.target_kind)
    actor = {"cli": t["actor_cli"], "anonymous": t["actor_anonymous"]}.get(event.actor, event.actor)
    return {
        "when": _when(event.at, tz),
        "iso": event.at.isoformat(),
        "actor": actor,
        "action": ACTIONS[lang].get(event.action, event.action),
        "target": f"{kind} {event.target_id}".strip(),
        "changes": changes,
        "detail": _detail(event.detail, lang),
    }


@router.get("/staff/logg", response_class=HTMLResponse)
def audit_log(
    request: Request,
    user: StaffDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
    handling: str = "",
    side: str = "1",
) -> Response:
    lang = pages.lang(request)
    t = pages.texts(request)
    tz = ZoneInfo(ctx.settings.timezone)
    action = handling.strip()[:40] or None
    total = audit.count(session, action)
    pages_total = max(1, math.ceil(total / PAGE_SIZE))
    page = min(digits(side, 6) or 1, pages_total)  # "²", "٣", 40 digits: the first page
    events = audit.recent(session, PAGE_SIZE, (page - 1) * PAGE_SIZE, action)
    stored = session.exec(select(AuditEvent.action).distinct()).all()
    names = ACTIONS[lang]
    codes: set[str] = set(names) | {a for a in stored if a}
    known = sorted(codes, key=lambda a: (names.get(a) or a).casefold())
    query = f"handling={quote(action)}&" if action else ""
    return pages.render(
        request, "audit.html", staff=user, rows=[_row(e, lang, t, tz) for e in events],
        actions=[(a, names.get(a, a)) for a in known], action=action or "", total=total,
        page=page, pages_total=pages_total,
        newer=f"/staff/logg?{query}side={page - 1}" if page > 1 else None,
        older=f"/staff/logg?{query}side={page + 1}" if page < pages_total else None,
    )  # fmt: skip


# --- API tokens -----------------------------------------------------------------------------


@router.get("/staff/api-nokler", response_class=HTMLResponse)
def token_list(
    request: Request, user: StaffDep, ctx: CtxDep, pages: StaffPagesDep, session: DbSession
) -> Response:
    t = pages.texts(request)
    tz = ZoneInfo(ctx.settings.timezone)
    now = ctx.clock()
    everyone = user.role == "admin"
    rows = []
    for token, owner in api_tokens.list_tokens(session):
        if not everyone and owner.id != user.id:
            continue
        if token.revoked_at is not None:
            state = t["tokens_revoked"].format(when=_when(token.revoked_at, tz))
        elif now >= token.expires_at:
            state = t["tokens_expired"]
        else:
            state = t["tokens_active"]
        rows.append({
            "id": token.id, "name": token.name, "owner": owner.email,
            "role": t.get(f"role_{token.role}", token.role),
            "created": _when(token.created_at, tz),
            "used": _when(token.last_used_at, tz) if token.last_used_at else t["tokens_never"],
            "expires": _when(token.expires_at, tz), "expires_iso": token.expires_at.isoformat(),
            "state": state,
        })  # fmt: skip
    return pages.render(request, "api_tokens.html", staff=user, rows=rows, everyone=everyone)
