"""Rendering the subscriber pages: language, CSRF cookie, the gazetteer's lists (``Pages``),
and the refusals every page shares (``Guard``).

Protection: every state-changing form carries a signed double-submit CSRF token (a random
cookie and, in the form, its HMAC under the signing key); the one-click unsubscribe POST is
exempt because mail clients send it without cookies, and its signed URL is the authority.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment

from notifier.context import Context
from notifier.web.links import Links
from notifier.web.public_views import Href
from notifier.web.texts import TEXTS
from subscribers import selfservice as ss
from subscribers.models import CADENCES, ROLES
from subscribers.tokens import ExpiredToken, TokenError, check_csrf, csrf_token

CSRF_COOKIE = "csrf"
LANG_COOKIE = "lang"
FIELD_IDS = {"subtopics": "topics", "role": "role-kommunelege", "quiet": "quiet_start"}


def request_lang(request: Request) -> str:
    """The page language: ``?lang=`` or the language cookie; bokmål unless nynorsk is asked."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return "nn" if asked == "nn" else "nb"


def remember_lang(request: Request, response: Response, lang: str) -> None:
    """A language chosen with ``?lang=`` is remembered for a year (the language cookie)."""
    if request.query_params.get("lang") in ("nb", "nn"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")


def other_lang_url(request: Request, lang: str) -> str:
    """This page in the other language: its path and query string, ``lang`` switched. The
    path begins with one slash however many it came with: ``//evil.example/x`` (a page we do
    not have, answered by the 404 page) would otherwise be a link to another site."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    pairs.append(("lang", "nb" if lang == "nn" else "nn"))
    return f"{site_path(request.url.path)}?{urlencode(pairs)}"


def site_path(path: str) -> str:
    """``path`` as a link on this site: one leading slash (not ``//host``: another site) and
    no backslash right after it (``/\\host``, which browsers read as ``//host``)."""
    return "/" + path.lstrip("/\\")


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
        return request_lang(request)

    def render(self, request: Request, template: str, status: int = 200, **values: Any) -> Response:
        lang = self.lang(request)
        nonce = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        html = self.env.get_template(f"web/{template}").render(
            t=TEXTS[lang], lang=lang, csrf=csrf_token(self.links.secret, nonce),
            href=Href(lang), other_lang_url=other_lang_url(request, lang), **values,
        )  # fmt: skip
        response = HTMLResponse(html, status_code=status)
        secure = request.url.scheme == "https"
        if request.cookies.get(CSRF_COOKIE) != nonce:
            response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict", secure=secure)
        remember_lang(request, response, lang)
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
        if mode == "subscribe":
            values.setdefault("current", "/abonner")  # the menu marks the page it is on
        status = values.pop("status")
        return self.render(
            request, "form.html", status, form=form, mode=mode, action=action,
            title=t["subscribe_title" if mode == "subscribe" else "prefs_title"],
            submit=t["submit_subscribe" if mode == "subscribe" else "save"],
            roles=ROLES, cadences=CADENCES, groups=self.groups(lang), counties=self.counties,
            municipalities=self.municipalities, offices=self.offices, field_ids=FIELD_IDS,
            default_hour=self.ctx.settings.daily_digest_hour,
            default_weekday=self.ctx.settings.weekly_digest_weekday,
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
