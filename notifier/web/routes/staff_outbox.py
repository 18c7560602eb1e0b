"""The console's outbox (issue 9): ``/staff/utboks`` lists queued, sent and failed messages
(filtered by status and kind, paged), each with its recipient (for a push row, addressed
``subscriber:<id>``, the person's address, the channel and their masked targets), subject,
attempts, next attempt and last error in Norwegian words (``notifier.outbox_admin.explain``;
the stored, redacted error text only as a small labelled detail). Actions, each a POST with
``csrf_token``, audited: ``/staff/utboks/{id}/prov-igjen`` (retry a failed message) and
``/staff/utboks/{id}/avbryt`` (cancel a pending one; it is then never sent).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from notifier import audit
from notifier import outbox_admin as ob
from notifier.context import Context
from notifier.mailsafe import redact
from notifier.models import StaffUser
from notifier.numbers import digits
from notifier.outbox import Delivery
from notifier.web.deps import CtxDep, DbSession, RowId, StaffDep, StaffFormDep, StaffPagesDep
from notifier.web.texts_outbox import TEXTS

router = APIRouter()

PAGE = "/staff/utboks"
OK_KEYS = ("retried", "cancelled")
ERROR_KEYS = (
    "missing", "not_failed", "not_pending", "in_flight", "suppressed", "erased", "unbuildable",
)  # fmt: skip


def _filters(values: dict[str, str]) -> dict[str, str]:
    """The list's filters from a query or form: known statuses only, a kind as given."""
    out = {}
    status = values.get("status", "")
    if status in ob.STATUSES:
        out["status"] = status
    kind = values.get("kind", "")
    if kind and len(kind) <= 20 and kind.isalpha():
        out["kind"] = kind
    page = digits(values.get("page", ""), 6)  # "²", "٣" or 40 digits: the first page
    if page is not None and page > 1:
        out["page"] = str(page)
    return out


@router.get(PAGE, response_class=HTMLResponse)
def outbox_page(
    request: Request, staff: StaffDep, ctx: CtxDep, pages: StaffPagesDep, session: DbSession
) -> Response:
    t = pages.texts(request, TEXTS)
    filters = _filters(dict(request.query_params))
    page_no = int(filters.get("page", "1"))
    listing = ob.listing(session, filters.get("status"), filters.get("kind"), page_no)
    rows = [(row, _explained(t, row), redact(row.last_error or "")) for row in listing.rows]
    ok = request.query_params.get("ok")
    error = request.query_params.get("error")
    base = {k: v for k, v in filters.items() if k != "page"}
    pager = {
        "previous": f"{PAGE}?{urlencode(base | {'page': str(listing.page - 1)})}"
        if listing.page > 1 else None,
        "next": f"{PAGE}?{urlencode(base | {'page': str(listing.page + 1)})}"
        if listing.page < listing.pages else None,
    }  # fmt: skip
    return pages.render(
        request, "outbox.html", staff=staff, texts=TEXTS,
        notice=t[f"ok_{ok}"] if ok in OK_KEYS else None,
        errors=[t[f"err_{error}"]] if error in ERROR_KEYS else [],
        rows=rows, listing=listing, filters=filters, counts=ob.counts(session),
        recipients=ob.recipients(session, listing.rows),
        statuses=ob.STATUSES, kinds=ob.kinds(session), pager=pager,
        tz=ctx.settings.timezone, now=ctx.clock(),
    )  # fmt: skip


def _explained(t: dict[str, str], row: Delivery) -> list[str]:
    return [t[key].format(**values) for key, values in ob.explain(row)]


def _act(
    delivery_id: int,
    staff: StaffUser,
    data: dict[str, str],
    ctx: Context,
    session: Session,
    action: str,
    change: Callable[[Session, int, datetime], Delivery],
    ok: str,
) -> Response:
    """One audited action on a message: ``change`` it, record before and after, commit, and
    go back with the confirmation (or, refused, the refusal)."""
    now = ctx.clock()
    try:
        before = _state(session.get(Delivery, delivery_id))
        row = change(session, delivery_id, now)
    except ob.OutboxActionError as exc:
        session.rollback()
        return _back(data, error=exc.code)
    audit.record(
        session, now, staff, action, "delivery", str(delivery_id),
        before=before, after=_state(row), detail=row.kind,
    )  # fmt: skip
    session.commit()
    return _back(data, ok=ok)


@router.post(PAGE + "/{delivery_id}/prov-igjen")
def retry(
    delivery_id: RowId, staff: StaffDep, data: StaffFormDep, ctx: CtxDep, session: DbSession
) -> Response:
    return _act(delivery_id, staff, data, ctx, session, "outbox_retry", ob.retry, "retried")


@router.post(PAGE + "/{delivery_id}/avbryt")
def cancel(
    delivery_id: RowId, staff: StaffDep, data: StaffFormDep, ctx: CtxDep, session: DbSession
) -> Response:
    return _act(delivery_id, staff, data, ctx, session, "outbox_cancel", ob.cancel, "cancelled")


def _state(row: Delivery | None) -> dict[str, object]:
    if row is None:
        return {}
    return {
        "status": row.status, "failure": row.failure, "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at, "kind": row.kind,
    }  # fmt: skip


def _back(data: dict[str, str], **flag: str) -> Response:
    return RedirectResponse(f"{PAGE}?{urlencode(_filters(data) | flag)}", status_code=303)
