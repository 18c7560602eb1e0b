"""The subscriber pages: sign-up with double opt-in, preferences by signed link, one-click
unsubscribe (RFC 8058), export and erasure. No JavaScript; every form posts.

Protection: every state-changing form carries a signed double-submit CSRF token (a random
cookie and, in the form, its HMAC under the signing key); the one-click unsubscribe POST is
exempt because mail clients send it without cookies, and its signed URL is the authority.
Sign-ups are rate limited per address and per client IP in the database (``rate_event``), so
the limit holds across workers; behind a proxy run uvicorn with ``--proxy-headers`` so the
client IP is the real one. At most one confirmation mail per address per window: its outbox
key names the window.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment
from sqlmodel import Session

from notifier.context import Context
from notifier.digest import Recipient
from notifier.outbox import enqueue
from notifier.web_links import Links, attach
from notifier.web_texts import TEXTS
from subscribers import selfservice as ss
from subscribers.models import CADENCES, ROLES, Subscriber
from subscribers.tokens import (
    CONFIRM,
    ExpiredToken,
    TokenError,
    check_csrf,
    csrf_token,
    verify,
)

CSRF_COOKIE = "csrf"
LANG_COOKIE = "lang"
FIELD_IDS = {"subtopics": "topics", "role": "role-kommunelege"}


@dataclass(frozen=True)
class TopicView:
    slug: str
    label: str
    description: str


class Pages:
    """Rendering with language, CSRF cookie and the gazetteer's lists."""

    def __init__(self, ctx: Context, env: Environment, links: Links) -> None:
        self.ctx = ctx
        self.env = env
        self.links = links
        gaz = ctx.gazetteer
        self.counties = gaz.counties()
        self.municipalities = gaz.municipalities()
        self.offices = gaz.offices()
        self.regions = frozenset(n for n, _ in self.counties) | {n for n, _ in self.municipalities}

    @staticmethod
    def lang(request: Request) -> str:
        asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
        return "nn" if asked == "nn" else "nb"

    def render(self, request: Request, template: str, status: int = 200, **values: Any) -> Response:
        lang = self.lang(request)
        nonce = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        html = self.env.get_template(f"web/{template}").render(
            t=TEXTS[lang], lang=lang, csrf=csrf_token(self.links.secret, nonce), **values
        )
        response = HTMLResponse(html, status_code=status)
        secure = request.url.scheme == "https"
        if request.cookies.get(CSRF_COOKIE) != nonce:
            response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict", secure=secure)
        if request.query_params.get("lang") in ("nb", "nn"):
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
        return response

    def message(
        self, request: Request, title: str, *paragraphs: str, status: int = 200, **extra: Any
    ) -> Response:
        values = {"action": None, "button": "", "danger": False, "link": None} | extra
        return self.render(
            request, "message.html", status, title=title, paragraphs=paragraphs, **values
        )

    def text(self, request: Request, key: str) -> str:
        return TEXTS[self.lang(request)][key]

    def form_page(
        self, request: Request, form: ss.SignupForm, mode: str, action: str, **extra: Any
    ) -> Response:
        lang = self.lang(request)
        t = TEXTS[lang]
        values = {"errors": {}, "notice": None, "status": 200} | extra
        status = values.pop("status")
        return self.render(
            request, "form.html", status, form=form, mode=mode, action=action,
            title=t["subscribe_title" if mode == "subscribe" else "prefs_title"],
            submit=t["submit_subscribe" if mode == "subscribe" else "save"],
            roles=ROLES, cadences=CADENCES, groups=self.groups(lang), counties=self.counties,
            municipalities=self.municipalities, offices=self.offices, field_ids=FIELD_IDS,
            **values,
        )  # fmt: skip

    def groups(self, lang: str) -> list[tuple[str, list[TopicView]]]:
        taxonomy = self.ctx.taxonomy
        out: dict[str, list[TopicView]] = {}
        for s in taxonomy.subtopics:
            label = s.label_nn if lang == "nn" else s.label_nb
            desc = s.description_nn if lang == "nn" else s.description_nb
            out.setdefault(s.group, []).append(TopicView(s.slug, label, desc))
        return [(taxonomy.group_label(group, lang), topics) for group, topics in out.items()]


async def read_form(request: Request) -> dict[str, str]:
    data = await request.form()
    return {k: v for k, v in data.items() if isinstance(v, str)}


def parse_form(data: dict[str, str], email: str = "") -> ss.SignupForm:
    choices = {
        key.removeprefix("cadence_"): value
        for key, value in data.items()
        if key.startswith("cadence_") and value
    }
    return ss.SignupForm(
        email=email or data.get("email", ""),
        name=data.get("name", ""),
        role=data.get("role", ""),
        region=data.get("region") or None,
        office=data.get("office") or None,
        language=data.get("language", "nb"),
        choices=choices,
    )


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


class Guard:
    """The refusals every page shares: bad links and failed CSRF checks."""

    def __init__(self, pages: Pages) -> None:
        self.pages = pages

    def bad_link(self, request: Request, exc: TokenError) -> Response:
        pages = self.pages
        key = "expired_link_text" if isinstance(exc, ExpiredToken) else "bad_link_text"
        link = ("/abonner", pages.text(request, "subscribe_link"))
        return pages.message(
            request, pages.text(request, "bad_link_title"), pages.text(request, key),
            status=400, link=link,
        )  # fmt: skip

    def csrf_failed(self, request: Request, data: dict[str, str]) -> Response | None:
        """None when the form's CSRF field matches its cookie; otherwise the refusal page."""
        pages = self.pages
        if check_csrf(pages.links.secret, request.cookies.get(CSRF_COOKIE), data.get("csrf")):
            return None
        return pages.message(
            request, pages.text(request, "csrf_title"), pages.text(request, "csrf_text"),
            status=403,
        )  # fmt: skip


def register(app: FastAPI, ctx: Context, env: Environment) -> tuple[Pages, Guard]:
    """Add the sign-up and confirmation pages to the app."""
    links = attach(ctx)
    pages = Pages(ctx, env, links)
    guard = Guard(pages)
    bad_link, csrf_failed = guard.bad_link, guard.csrf_failed
    secret = links.secret
    settings = ctx.settings

    @app.get("/abonner", response_class=HTMLResponse)
    def subscribe_form(request: Request) -> Response:
        return pages.form_page(request, ss.SignupForm(), "subscribe", "/abonner")

    @app.post("/abonner", response_class=HTMLResponse)
    async def subscribe(request: Request) -> Response:
        data = await read_form(request)
        if (refused := csrf_failed(request, data)) is not None:
            return refused
        form = parse_form(data)
        offices = frozenset(slug for slug, _ in pages.offices)
        errors = ss.check_form(form, ctx.taxonomy.slugs(), pages.regions, offices)
        if errors:
            return pages.form_page(
                request, form, "subscribe", "/abonner", errors=errors, status=400
            )
        now = ctx.clock()
        window = timedelta(minutes=settings.signup_window_minutes)
        ip = request.client.host if request.client else "unknown"
        with Session(ctx.engine, expire_on_commit=False) as session:
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
            subscriber, known = ss.signup(session, form)
            send_link_mail(ctx, session, links, subscriber, known, now, window)
            session.commit()
        return pages.message(
            request, pages.text(request, "check_title"), pages.text(request, "check_text")
        )

    @app.get("/bekreft/{token}", response_class=HTMLResponse)
    def confirm_page(request: Request, token: str) -> Response:
        with Session(ctx.engine) as session:
            try:
                resolve(session, secret, CONFIRM, token, ctx.clock())
            except TokenError as exc:
                return bad_link(request, exc)
        return pages.message(
            request, pages.text(request, "confirm_title"), pages.text(request, "confirm_text"),
            action=f"/bekreft/{token}", button=pages.text(request, "confirm_button"),
        )  # fmt: skip

    @app.post("/bekreft/{token}", response_class=HTMLResponse)
    async def confirm(request: Request, token: str) -> Response:
        data = await read_form(request)
        if (refused := csrf_failed(request, data)) is not None:
            return refused
        now = ctx.clock()
        with Session(ctx.engine, expire_on_commit=False) as session:
            try:
                subscriber = resolve(session, secret, CONFIRM, token, now)
            except TokenError as exc:
                return bad_link(request, exc)
            ss.confirm(session, subscriber, now)
            session.commit()
            prefs = links.preferences(subscriber, now)
        return pages.message(
            request, pages.text(request, "confirmed_title"),
            pages.text(request, "confirmed_text"),
            link=(prefs.removeprefix(links.base_url), pages.text(request, "prefs_title")),
        )  # fmt: skip

    return pages, guard


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
