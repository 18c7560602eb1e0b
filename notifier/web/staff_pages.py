"""Rendering the staff console: layout, language, navigation, the session cookie and the CSRF
token of its forms (``StaffPages``, kept at ``app.state.staff_pages``).

- **Session cookie** ``staff_session``: a random token (the database keeps its SHA-256, see
  ``notifier.staff``), HttpOnly, SameSite=Lax, path ``/staff``, Secure when
  ``NOTIFIER_BASE_URL`` is https; no Max-Age, so it dies with the browser too.
- **CSRF**: a logged-in form carries ``csrf_token`` = HMAC of the session token under the
  signing key, so the token dies with the session and needs no storage. Forms shown before
  there is a session (login, setting a password from a link) use a signed double submit: a
  random cookie ``staff_csrf`` (path ``/staff``) and, in the form, its HMAC.
- Every console page is sent with ``Cache-Control: no-store``, ``Referrer-Policy:
  no-referrer`` (a setup link never leaks through a Referer) and may only be framed by the
  site itself.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment

from notifier.context import Context
from notifier.models import StaffUser
from notifier.web.links import Links
from notifier.web.pages import remember_lang, request_lang, site_path
from notifier.web.texts_staff import TEXTS
from subscribers.tokens import same

SESSION_COOKIE = "staff_session"
LOGIN_CSRF_COOKIE = "staff_csrf"
COOKIE_PATH = "/staff"
LOGIN_PATH = "/staff/login"

#: the console's menu: (href, text key, admin only)
NAV: tuple[tuple[str, str, bool], ...] = (
    ("/staff", "nav_changes", False),
    ("/staff/gjennomgang", "nav_review", False),
    ("/staff/forhandsvisning", "nav_preview", False),
    ("/staff/utboks", "nav_outbox", False),
    ("/staff/kilder", "nav_sources", False),
    ("/staff/abonnenter", "nav_subscribers", True),
    ("/staff/logg", "nav_audit", False),
    ("/staff/api-nokler", "nav_tokens", False),
)


def _mac(secret: bytes, purpose: str, value: str) -> str:
    return hmac.new(secret, f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()


def local_path(target: str | None) -> str:
    """``target`` when it is a path inside the console (``/staff`` or below, no scheme, host
    or backslash tricks), else ``/staff``: where a login may send the browser (pure)."""
    if not target or len(target) > 2000:
        return "/staff"
    if not target.startswith("/staff") or target.startswith("//") or "\\" in target:
        return "/staff"
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return "/staff"
    path = target.split("?", 1)[0].split("#", 1)[0]
    if "/." in path or "%2e" in path.lower() or "%2f" in path.lower() or "%5c" in path.lower():
        return "/staff"  # no dot segments: the browser would resolve them out of /staff
    if path not in ("/staff", "/staff/") and not path.startswith("/staff/"):
        return "/staff"
    if path.startswith((LOGIN_PATH, "/staff/logout")):
        return "/staff"
    return target


class StaffPages:
    """Renders ``templates/staff/<template>`` with the console's layout values."""

    def __init__(self, ctx: Context, env: Environment, links: Links) -> None:
        self.ctx = ctx
        self.env = env
        self.links = links
        self.secure = ctx.settings.base_url.lower().startswith("https://")

    # --- language and texts -------------------------------------------------------------

    @staticmethod
    def lang(request: Request) -> str:
        return request_lang(request)

    def texts(
        self, request: Request, texts: Mapping[str, Mapping[str, str]] | None = None
    ) -> dict[str, str]:
        """The common texts of the page language, with an area's own texts over them."""
        lang = self.lang(request)
        merged = dict(TEXTS[lang])
        if texts is not None:
            merged.update(texts[lang])
        return merged

    def text(self, request: Request, key: str) -> str:
        return TEXTS[self.lang(request)][key]

    # --- CSRF ---------------------------------------------------------------------------

    def session_token(self, request: Request) -> str:
        return request.cookies.get(SESSION_COOKIE, "")

    def session_csrf(self, token: str) -> str:
        """The ``csrf_token`` of forms shown within the session ``token``."""
        return _mac(self.links.secret, "staff-csrf", token)

    def csrf_ok(self, request: Request, field: str | None) -> bool:
        """Whether a logged-in form's ``csrf_token`` belongs to this request's session."""
        token = self.session_token(request)
        if not token or not field:
            return False
        return same(field, self.session_csrf(token))

    def login_csrf_ok(self, request: Request, field: str | None) -> bool:
        """Whether a form posted without a session (login, setup link) carries the HMAC of
        its ``staff_csrf`` cookie."""
        nonce = request.cookies.get(LOGIN_CSRF_COOKIE)
        if not nonce or not field:
            return False
        return same(field, _mac(self.links.secret, "staff-login-csrf", nonce))

    # --- rendering ----------------------------------------------------------------------

    def nav(
        self, request: Request, staff: StaffUser | None, t: Mapping[str, str]
    ) -> list[tuple[str, str, bool]]:
        if staff is None:
            return []
        path = request.url.path.rstrip("/") or "/"
        out = []
        for href, key, admin_only in NAV:
            if admin_only and staff.role != "admin":
                continue
            active = path == href or (href != "/staff" and path.startswith(href + "/"))
            out.append((href, t[key], active))
        return out

    def render(
        self,
        request: Request,
        template: str,
        *,
        staff: StaffUser | None,
        status: int = 200,
        texts: Mapping[str, Mapping[str, str]] | None = None,
        **values: Any,
    ) -> HTMLResponse:
        lang = self.lang(request)
        t = self.texts(request, texts)
        nonce: str | None = None
        token = self.session_token(request) if staff is not None else ""
        if token:
            csrf = self.session_csrf(token)
        else:
            nonce = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
            csrf = _mac(self.links.secret, "staff-login-csrf", nonce)
        html = self.env.get_template(f"staff/{template}").render(
            t=t, lang=lang, staff=staff, csrf_token=csrf, nav=self.nav(request, staff, t),
            path=request.url.path, lang_href=self.lang_links(request), **values,
        )  # fmt: skip
        response = HTMLResponse(html, status_code=status)
        self.protect(response)
        if nonce is not None and request.cookies.get(LOGIN_CSRF_COOKIE) != nonce:
            response.set_cookie(
                LOGIN_CSRF_COOKIE, nonce, path=COOKIE_PATH, httponly=True, samesite="strict",
                secure=self.secure,
            )  # fmt: skip
        remember_lang(request, response, lang)
        return response

    @staticmethod
    def lang_links(request: Request) -> dict[str, str]:
        """This page in each language: the same path and query, ``lang`` replaced."""
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        return {
            code: site_path(request.url.path) + "?" + urlencode([*kept, ("lang", code)])
            for code in ("nb", "nn")
        }

    @staticmethod
    def protect(response: Response) -> Response:
        """The headers every console response carries."""
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response

    def message(
        self,
        request: Request,
        title: str,
        *paragraphs: str,
        staff: StaffUser | None,
        status: int = 200,
        link: tuple[str, str] | None = None,
        texts: Mapping[str, Mapping[str, str]] | None = None,
    ) -> HTMLResponse:
        """A page with a heading, some paragraphs and an optional (href, text) link
        (``templates/staff/message.html``); for refusals, confirmations and dead ends."""
        return self.render(
            request, "message.html", staff=staff, status=status, texts=texts, title=title,
            paragraphs=paragraphs, link=link,
        )  # fmt: skip

    # --- refusals -----------------------------------------------------------------------

    @staticmethod
    def wants_json(request: Request) -> bool:
        if request.url.path.startswith("/staff/api/"):
            return True
        accept = request.headers.get("accept", "")
        return "application/json" in accept and "text/html" not in accept

    def anonymous(self, request: Request, expired: bool = False) -> Response:
        """The answer to a request without a (live) session: 401 for JSON, otherwise 303 to
        the login page, which then sends the browser back here."""
        response: Response
        if self.wants_json(request):
            response = JSONResponse({"detail": self.text(request, "unauthorised")}, 401)
        else:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            where = f"{LOGIN_PATH}?neste={quote(local_path(target), safe='/')}"
            if expired:
                where += "&utlopt=1"
            response = RedirectResponse(where, status_code=303)
        if expired:
            self.clear_session(response)
        return self.protect(response)

    def forbidden(self, request: Request, staff: StaffUser) -> Response:
        if self.wants_json(request):
            body = {"detail": self.text(request, "forbidden_text")}
            return self.protect(JSONResponse(body, 403))
        t = self.texts(request)
        return self.message(
            request, t["forbidden_title"], t["forbidden_text"], staff=staff, status=403,
            link=("/staff", t["back_to_console"]),
        )  # fmt: skip

    def csrf_failed(self, request: Request, staff: StaffUser | None) -> Response:
        """403: the form's token was missing or wrong (an old page, or another site)."""
        t = self.texts(request)
        link = (LOGIN_PATH, t["to_login"]) if staff is None else ("/staff", t["back_to_console"])
        return self.message(
            request, t["csrf_title"], t["csrf_text"], staff=staff, status=403, link=link
        )

    # --- the session cookie -------------------------------------------------------------

    def set_session(self, response: Response, token: str) -> None:
        response.set_cookie(
            SESSION_COOKIE, token, path=COOKIE_PATH, httponly=True, samesite="lax",
            secure=self.secure,
        )  # fmt: skip

    def clear_session(self, response: Response) -> None:
        response.delete_cookie(
            SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="lax", secure=self.secure
        )
