"""Pages behind a signed link: preferences, unsubscribe (one subtopic, all, and RFC 8058
one-click), export (JSON) and erasure. A GET never changes anything: link scanners that
open ``/u/<token>`` see a page with a button; only the POST unsubscribes."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlmodel import Session

from notifier.context import Context
from notifier.outbox import scrub
from notifier.web_selfservice import Guard, Pages, parse_form, read_form, resolve
from subscribers import selfservice as ss
from subscribers.models import Subscriber
from subscribers.tokens import MANAGE, UNSUBSCRIBE, TokenError


def _form_of(session: Session, subscriber: Subscriber) -> ss.SignupForm:
    return ss.SignupForm(
        email=subscriber.email, name=subscriber.name, role=subscriber.role,
        region=subscriber.region, office=subscriber.office, language=subscriber.language,
        choices=ss.choices(session, subscriber),
    )  # fmt: skip


def register_manage(app: FastAPI, ctx: Context, pages: Pages, guard: Guard) -> None:
    """Add the pages behind signed links to the app."""
    _preferences(app, ctx, pages, guard)
    _data(app, ctx, pages, guard)
    _one_click(app, ctx, pages, guard)


def _preferences(app: FastAPI, ctx: Context, pages: Pages, guard: Guard) -> None:
    secret = pages.links.secret
    text = pages.text

    @app.get("/innstillinger/{token}", response_class=HTMLResponse)
    def preferences(request: Request, token: str) -> Response:
        with Session(ctx.engine) as session:
            try:
                subscriber = resolve(session, secret, MANAGE, token, ctx.clock())
            except TokenError as exc:
                return guard.bad_link(request, exc)
            form = _form_of(session, subscriber)
        return pages.form_page(request, form, "prefs", f"/innstillinger/{token}")

    @app.post("/innstillinger/{token}", response_class=HTMLResponse)
    async def save(request: Request, token: str) -> Response:
        data = await read_form(request)
        if (refused := guard.csrf_failed(request, data)) is not None:
            return refused
        action = f"/innstillinger/{token}"
        with Session(ctx.engine, expire_on_commit=False) as session:
            try:
                subscriber = resolve(session, secret, MANAGE, token, ctx.clock())
            except TokenError as exc:
                return guard.bad_link(request, exc)
            form = parse_form(data, email=subscriber.email)
            offices = frozenset(slug for slug, _ in pages.offices)
            errors = ss.check_form(
                form, ctx.taxonomy.slugs(), pages.regions, offices, with_email=False
            )
            if errors:
                return pages.form_page(request, form, "prefs", action, errors=errors, status=400)
            ss.update_preferences(session, subscriber, form)
            session.commit()
        notice = text(request, "prefs_saved")
        return pages.form_page(request, form, "prefs", action, notice=notice)

    @app.post("/innstillinger/{token}/avslutt", response_class=HTMLResponse)
    async def stop(request: Request, token: str) -> Response:
        data = await read_form(request)
        if (refused := guard.csrf_failed(request, data)) is not None:
            return refused
        subtopic = data.get("subtopic") or None
        with Session(ctx.engine) as session:
            try:
                subscriber = resolve(session, secret, MANAGE, token, ctx.clock())
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


def _data(app: FastAPI, ctx: Context, pages: Pages, guard: Guard) -> None:
    secret = pages.links.secret
    text = pages.text

    @app.get("/innstillinger/{token}/data.json")
    def export(request: Request, token: str) -> Response:
        with Session(ctx.engine) as session:
            try:
                subscriber = resolve(session, secret, MANAGE, token, ctx.clock())
            except TokenError as exc:
                return guard.bad_link(request, exc)
            data = ss.export(session, subscriber)
        return JSONResponse(
            data, headers={"Content-Disposition": 'attachment; filename="helsevarsel-data.json"'}
        )

    @app.get("/innstillinger/{token}/slett", response_class=HTMLResponse)
    def erase_page(request: Request, token: str) -> Response:
        with Session(ctx.engine) as session:
            try:
                resolve(session, secret, MANAGE, token, ctx.clock())
            except TokenError as exc:
                return guard.bad_link(request, exc)
        return pages.message(
            request, text(request, "erase_title"), text(request, "erase_text"),
            action=f"/innstillinger/{token}/slett", button=text(request, "erase_button"),
            danger=True,
        )  # fmt: skip

    @app.post("/innstillinger/{token}/slett", response_class=HTMLResponse)
    async def erase(request: Request, token: str) -> Response:
        data = await read_form(request)
        if (refused := guard.csrf_failed(request, data)) is not None:
            return refused
        now = ctx.clock()
        with Session(ctx.engine) as session:
            try:
                subscriber = resolve(session, secret, MANAGE, token, now)
            except TokenError as exc:
                return guard.bad_link(request, exc)
            assert subscriber.id is not None
            scrub(session, subscriber.id)
            ss.erase(session, subscriber, now)
            session.commit()
        return pages.message(request, text(request, "erased_title"), text(request, "erased_text"))


def _one_click(app: FastAPI, ctx: Context, pages: Pages, guard: Guard) -> None:
    secret = pages.links.secret
    text = pages.text

    @app.get("/u/{token}", response_class=HTMLResponse)
    def one_click_page(request: Request, token: str) -> Response:
        with Session(ctx.engine) as session:
            try:
                resolve(session, secret, UNSUBSCRIBE, token, ctx.clock())
            except TokenError as exc:
                return guard.bad_link(request, exc)
        return pages.message(
            request, text(request, "unsub_title"), text(request, "unsub_text"),
            action=f"/u/{token}", button=text(request, "unsub_button"), danger=True,
        )  # fmt: skip

    @app.post("/u/{token}", response_class=HTMLResponse)
    def one_click(request: Request, token: str) -> Response:
        """RFC 8058: the mail client POSTs ``List-Unsubscribe=One-Click`` without cookies;
        the signed URL is the authority, so no CSRF check. Idempotent."""
        with Session(ctx.engine) as session:
            try:
                subscriber = resolve(session, secret, UNSUBSCRIBE, token, ctx.clock())
            except TokenError as exc:
                return guard.bad_link(request, exc)
            ss.unsubscribe(session, subscriber)
            session.commit()
        return pages.message(
            request, text(request, "unsub_done_title"), text(request, "unsub_done_text")
        )
