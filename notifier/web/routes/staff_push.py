"""The console's subscriber page, push part: the person's Web Push devices and Apprise targets,
and (administrators) adding or removing a target, for example a statsforvalter office's Teams
channel. Every change is audited (``subscriber.target_add``, ``subscriber.target_remove``),
never with the URL (only its masked form)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from notifier import audit
from notifier.channels.manage import ChannelRefused, add_target
from notifier.numbers import digits
from notifier.web.deps import AdminDep, CtxDep, DbSession, RowId, StaffFormDep, StaffPagesDep
from notifier.web.texts_push import STAFF_PUSH
from subscribers import push, targets
from subscribers.models import AppriseTarget, Subscriber

router = APIRouter()


def staff_push_view(
    session: Session, person: Subscriber, lang: str, error: bool | str = False
) -> dict[str, Any]:
    """What the subscriber page shows of push (``staff/subscriber_push.html``); ``error``
    ``"full"`` words the refusal as the subscriber's targets being at the limit."""
    assert person.id is not None
    t = dict(STAFF_PUSH["nn" if lang == "nn" else "nb"])
    if error == "full":
        t["sp_refused"] = t["sp_full"].format(n=targets.MAX_TARGETS_PER_SUBSCRIBER)
    return {
        "t": t,
        "devices": push.endpoints_of(session, person.id),
        "targets": targets.targets_of(session, person.id),
        "error": error,
    }


def _back(request: Request, sid: int) -> Response:
    lang = request.query_params.get("lang")
    suffix = f"?lang={lang}" if lang in ("nb", "nn") else ""
    return RedirectResponse(f"/staff/abonnenter/{sid}{suffix}", status_code=303)


@router.post("/staff/abonnenter/{sid}/mal", response_class=HTMLResponse)
def target_add(
    request: Request,
    sid: RowId,
    staff: AdminDep,
    data: StaffFormDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    from notifier.web.routes.staff_subscribers import _detail, _not_found, _person

    person = _person(session, str(sid))  # an erased row is nobody, as on its page
    if person is None or person.id is None:
        return _not_found(pages, request, staff)
    try:
        row = add_target(session, ctx.settings, person.id, data.get("url", ""), ctx.clock())
    except ChannelRefused as exc:
        session.rollback()
        full = isinstance(exc.__cause__, targets.TargetLimitError)
        view = staff_push_view(session, person, pages.lang(request), "full" if full else True)
        return _detail(
            pages, request, staff, ctx, session, person, status=400,
            push_error="full" if full else True, errors=[view["t"]["sp_refused"]],
        )  # fmt: skip
    audit.record(
        session, ctx.clock(), staff, "subscriber.target_add", "subscriber", str(person.id),
        after={"target": row.masked},
    )  # fmt: skip
    session.commit()
    return _back(request, person.id)


@router.post("/staff/abonnenter/{sid}/mal/slett", response_class=HTMLResponse)
def target_remove(
    request: Request,
    sid: RowId,
    staff: AdminDep,
    data: StaffFormDep,
    ctx: CtxDep,
    pages: StaffPagesDep,
    session: DbSession,
) -> Response:
    from notifier.web.routes.staff_subscribers import _not_found, _person

    person = _person(session, str(sid))  # an erased row is nobody, as on its page
    if person is None or person.id is None:
        return _not_found(pages, request, staff)
    raw = data.get("target_id", "")
    number = digits(raw)
    row = session.get(AppriseTarget, number) if number is not None else None
    if row is not None and row.id is not None and targets.remove(session, person.id, row.id):
        audit.record(
            session, ctx.clock(), staff, "subscriber.target_remove", "subscriber",
            str(person.id), before={"target": row.masked},
        )  # fmt: skip
        session.commit()
    return _back(request, person.id)
