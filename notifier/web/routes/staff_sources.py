"""The console's source health (issue 9): ``/staff/kilder`` lists every source with kind,
authority, last check, outcome, consecutive errors, the last error in Norwegian words
(``notifier.source_admin.explain_error``), next check and whether it is enabled (with the
reason when not); ``/staff/kilder/{key}`` shows one source with its activity of the last 30
days as a server-drawn SVG chart and the same numbers as a table.

Actions, each a POST with ``csrf_token``, audited: ``/staff/kilder/{key}/sjekk`` ("check
now", any staff user), ``/staff/kilder/{key}/slaa-av`` (disable, with a required reason) and
``/staff/kilder/{key}/slaa-paa`` (enable), administrators only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from feeds.store.models import Source
from notifier import audit
from notifier import source_admin as sa
from notifier.context import Context
from notifier.mailsafe import redact
from notifier.models import StaffUser
from notifier.web.deps import (
    AdminDep,
    CtxDep,
    DbSession,
    StaffDep,
    StaffFormDep,
    StaffPagesDep,
)
from notifier.web.staff_views import authority_name
from notifier.web.svg import Series, bar_chart
from notifier.web.texts_sources import TEXTS

router = APIRouter()

PAGE = "/staff/kilder"
OK_KEYS = ("checked", "disabled", "enabled")
ERROR_KEYS = ("missing", "reason", "already_disabled", "already_enabled", "disabled")
#: the chart's colours: dark enough for 3:1 against white
CHANGES_COLOUR = "#0b57a4"
OK_COLOUR = "#2e7d32"
ERRORS_COLOUR = "#b3261e"


def error_words(t: dict[str, str], error: str | None) -> str:
    explained = sa.explain_error(error)
    if explained is None:
        return ""
    key, values = explained
    return t[key].format(**values)


@router.get(PAGE, response_class=HTMLResponse)
def sources_page(
    request: Request, staff: StaffDep, ctx: CtxDep, pages: StaffPagesDep, session: DbSession
) -> Response:
    t = pages.texts(request, TEXTS)
    now = ctx.clock()
    rows = [
        (s, error_words(t, s.last_error), redact(s.last_error or "")) for s in sa.sources(session)
    ]
    return pages.render(
        request, "sources.html", staff=staff, texts=TEXTS, rows=rows, now=now,
        changes=sa.change_counts(session, now - timedelta(days=sa.DAYS)),
        tz=ctx.settings.timezone, authority_name=authority_name,
    )  # fmt: skip


@router.get(PAGE + "/{key}", response_class=HTMLResponse)
def source_page(
    request: Request,
    key: str,
    staff: StaffDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    t = pages.texts(request, TEXTS)
    try:
        source = sa.by_key(session, key)
    except sa.SourceActionError:
        return pages.message(
            request, t["not_found_title"], t["err_missing"], staff=staff, status=404,
            link=(PAGE, t["back_to_sources"]), texts=TEXTS,
        )  # fmt: skip
    now = ctx.clock()
    tz = ctx.settings.timezone
    days = sa.activity(session, source, now, tz)
    labels = [f"{d.day.day}.{d.day.month}." for d in days]
    total_changes = sum(d.changes for d in days)
    total_checks = sum(d.checks for d in days)
    total_errors = sum(d.errors for d in days)
    span = {"first": labels[0], "last": labels[-1]}
    checks_chart = bar_chart(
        "sjekker",
        t["checks_chart_title"].format(name=source.name),
        t["checks_chart_desc"].format(**span, checks=total_checks, errors=total_errors),
        labels,
        [
            Series(t["series_ok"], tuple(d.checks - d.errors for d in days), OK_COLOUR),
            Series(t["series_errors"], tuple(d.errors for d in days), ERRORS_COLOUR),
        ],
    )
    changes_chart = bar_chart(
        "endringer",
        t["changes_chart_title"].format(name=source.name),
        t["changes_chart_desc"].format(**span, changes=total_changes),
        labels,
        [Series(t["series_changes"], tuple(d.changes for d in days), CHANGES_COLOUR)],
    )
    ok = request.query_params.get("ok")
    error = request.query_params.get("error")
    return pages.render(
        request, "source.html", staff=staff, texts=TEXTS, source=source, days=days,
        checks_chart=checks_chart, changes_chart=changes_chart, total_changes=total_changes,
        total_checks=total_checks, total_errors=total_errors,
        error_text=error_words(t, source.last_error), raw=redact(source.last_error or ""),
        notice=t[f"ok_{ok}"] if ok in OK_KEYS else None,
        errors=[t[f"err_{error}"]] if error in ERROR_KEYS else [],
        is_admin=staff.role == "admin", now=now, tz=tz, authority_name=authority_name,
    )  # fmt: skip


def _state(source: Source) -> dict[str, object]:
    return {
        "enabled": source.enabled, "disabled_reason": source.disabled_reason,
        "next_check_at": source.next_check_at,
    }  # fmt: skip


def _back(key: str, **flag: str) -> Response:
    ((name, value),) = flag.items()
    return RedirectResponse(f"{PAGE}/{quote(key, safe='')}?{name}={value}", status_code=303)


def _act(
    key: str,
    staff: StaffUser,
    ctx: Context,
    session: Session,
    action: str,
    change: Callable[[Source, datetime], object],
    ok: str,
) -> Response:
    """One audited action on a source: ``change`` it, record before and after, commit, and
    go back to its page with the confirmation (or, refused, the refusal)."""
    now = ctx.clock()
    try:
        source = sa.by_key(session, key)
        before = _state(source)
        change(source, now)
    except sa.SourceActionError as exc:
        session.rollback()
        return _back(key, error=exc.code)
    audit.record(
        session, now, staff, action, "source", key, before=before, after=_state(source),
        detail=source.disabled_reason or "" if action == "source_disable" else "",
    )  # fmt: skip
    session.commit()
    return _back(key, ok=ok)


@router.post(PAGE + "/{key}/sjekk")
def check_now(
    key: str, staff: StaffDep, data: StaffFormDep, ctx: CtxDep, session: DbSession
) -> Response:
    return _act(
        key, staff, ctx, session, "source_check_now",
        lambda source, now: sa.check_now(session, source, now), "checked",
    )  # fmt: skip


@router.post(PAGE + "/{key}/slaa-av")
def disable(
    key: str, staff: AdminDep, data: StaffFormDep, ctx: CtxDep, session: DbSession
) -> Response:
    reason = data.get("reason", "")
    return _act(
        key, staff, ctx, session, "source_disable",
        lambda source, _now: sa.disable(session, source, reason), "disabled",
    )  # fmt: skip


@router.post(PAGE + "/{key}/slaa-paa")
def enable(
    key: str, staff: AdminDep, data: StaffFormDep, ctx: CtxDep, session: DbSession
) -> Response:
    return _act(
        key, staff, ctx, session, "source_enable",
        lambda source, now: sa.enable(session, source, now), "enabled",
    )  # fmt: skip
