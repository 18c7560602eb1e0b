"""The app factory: one FastAPI app per context, its shared objects on ``app.state`` (the
context, the one Jinja environment, the signed-link builder, ``Pages``, ``Guard`` and the
console's ``StaffPages``), and one router per area. A dependency answers in place of a route
by raising ``deps.Refused`` (a redirect to the login page, a 401, a 403 page)."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from notifier.context import Context
from notifier.numbers import digits
from notifier.render import make_environment
from notifier.web.deps import Refused, refuse_nul
from notifier.web.links import attach
from notifier.web.pages import Guard, Pages, request_lang
from notifier.web.public_views import Href
from notifier.web.ratelimit import RateLimits
from notifier.web.routes import (
    api,
    api_staff,
    atom,
    changelog,
    manage,
    public,
    push,
    selfservice,
    staff_auth,
    staff_changes,
    staff_outbox,
    staff_preview,
    staff_push,
    staff_sources,
)
from notifier.web.routes.api_common import ApiProblem
from notifier.web.routes.metrics import router as metrics_router
from notifier.web.routes.staff_subscribers import MAX_BODY as IMPORT_MAX_BODY
from notifier.web.routes.staff_subscribers import router as subscribers_router
from notifier.web.staff_pages import StaffPages


def create_app(ctx: Context) -> FastAPI:
    app = FastAPI(
        title="notifier", docs_url=None, redoc_url=None, dependencies=[Depends(refuse_nul)]
    )
    env = make_environment()
    links = attach(ctx)
    pages = Pages(ctx, env, links)
    app.state.ctx = ctx
    app.state.env = env
    app.state.links = links
    app.state.pages = pages
    app.state.guard = Guard(pages)
    app.state.staff_pages = StaffPages(ctx, env, links)
    app.state.rate_limits = RateLimits(ctx)  # the public reads' limits, in this process
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _server_error)
    app.add_middleware(PrivateLinkHeaders)  # inside HeadAsGet: it sees the routed scope
    app.add_middleware(HeadAsGet)
    app.add_middleware(BodyLimit)  # outermost: it bounds what any route reads
    # the order routes were always added in (it is the order of /openapi.json)
    app.include_router(selfservice.router)
    app.include_router(manage.router)
    app.include_router(public.router)
    app.include_router(staff_auth.router)
    app.include_router(staff_changes.router)
    app.include_router(staff_preview.router)
    app.include_router(staff_outbox.router)
    app.include_router(staff_sources.router)
    app.include_router(subscribers_router)
    app.include_router(metrics_router)  # /metrics (Prometheus; NOTIFIER_METRICS_TOKEN)
    app.include_router(push.router)
    app.include_router(staff_push.router)
    app.include_router(atom.router)
    app.include_router(api.router)
    app.include_router(api_staff.router)
    app.include_router(changelog.router)
    return app


def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    return exc.response


async def _invalid(request: Request, exc: Exception) -> Response:
    """A console page whose path or query FastAPI could not read (a row id of "²" or 40
    digits, see ``deps.RowId``): the console's Norwegian 404 (a path) or 400 (a query), not
    FastAPI's English JSON. Elsewhere FastAPI's own answer stands (public routes take their
    parameters as text and check them themselves)."""
    assert isinstance(exc, RequestValidationError)
    where = {str(error.get("loc", ("",))[0]) for error in exc.errors()}
    path = request.url.path
    if not (path.startswith("/staff") and not path.startswith("/staff/api") and where):
        return await request_validation_exception_handler(request, exc)
    if not where <= {"path", "query"}:
        return await request_validation_exception_handler(request, exc)
    pages: StaffPages = request.app.state.staff_pages
    t = pages.texts(request)
    staff = getattr(request.state, "staff", None)
    if "path" in where:
        title, text, status = t["not_found_title"], t["not_found_text"], 404
    else:
        title, text, status = t["invalid_title"], t["invalid_text"], 400
    return pages.message(
        request, title, text, staff=staff, status=status, link=("/staff", t["back_to_console"])
    )


#: the paths answered in the API's JSON (``api_common.ApiProblem``) rather than as pages
JSON_PREFIXES = ("/api/", "/staff/api/", "/metrics")
#: what a page says for these statuses (keys of the public texts: title, text)
PAGE_TEXTS = {
    400: ("unreadable_title", "unreadable_text"),  # e.g. a broken multipart form
    404: ("missing_title", "missing_text"),
    405: ("method_title", "method_text"),
    413: ("too_large_title", "too_large_text"),  # a body above ``BodyLimit``'s limit
}
API_CODES = {
    400: "request_invalid",
    404: "path_unknown",
    405: "method_not_allowed",
    413: "body_too_large",
}
#: the last resort when even the error page cannot be rendered
PLAIN_ERROR = (
    '<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>Noe gikk galt</title>'
    "</head><body><main><h1>Noe gikk galt</h1><p>Det oppsto en feil hos oss. Prøv igjen om "
    "litt.</p></main></body></html>"
)


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path == "/api" or path.startswith(JSON_PREFIXES)


async def _http_error(request: Request, exc: Exception) -> Response:
    """A path or method the app does not have (Starlette's 404 and 405), or a body it cannot
    read (400): a Norwegian page in the visitor's language, or the API's JSON error; never
    FastAPI's English ``{"detail"}``. Other statuses keep Starlette's answer."""
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code not in PAGE_TEXTS:
        return await http_exception_handler(request, exc)
    if _wants_json(request):
        response = ApiProblem(API_CODES[exc.status_code], status=exc.status_code).response
        response.headers.update(headers)
        return response
    pages: Pages = request.app.state.pages
    title, text = PAGE_TEXTS[exc.status_code]
    response = pages.message(
        request, pages.text(request, title), pages.text(request, text), status=exc.status_code,
        link=(Href(request_lang(request))("/"), pages.text(request, "to_front")),
    )  # fmt: skip
    response.headers.update(headers)
    return response


def _server_error(request: Request, exc: Exception) -> Response:
    """An error inside a request (Starlette logs it and passes it on): the visitor reads a
    Norwegian page in their language, a script the API's JSON; no exception text is shown.
    Starlette sends this answer outside every middleware, so it carries the headers of
    ``PrivateLinkHeaders`` itself (framed by no site, ``nosniff``, kept by no shared cache)."""
    response = _server_error_answer(request)
    private = "token" in request.scope.get("path_params", {})
    response.raw_headers[:] = completed(list(response.raw_headers), private)
    return response


def _server_error_answer(request: Request) -> Response:
    if _wants_json(request):
        return ApiProblem("server_error", status=500).response
    try:
        pages: Pages = request.app.state.pages
        return pages.message(
            request, pages.text(request, "error_title"), pages.text(request, "error_text"),
            status=500, link=(Href(request_lang(request))("/"), pages.text(request, "to_front")),
        )  # fmt: skip
    except Exception:  # noqa: BLE001 - the error page itself failed: a fixed one
        return HTMLResponse(PLAIN_ERROR, status_code=500)


class HeadAsGet:
    """HEAD answered as GET without the body (RFC 9110 9.3.2: every general-purpose server
    supports GET and HEAD): link checkers, uptime monitors and feed readers ask it. FastAPI's
    GET routes do not take HEAD themselves; listing HEAD on them would put HEAD operations
    into the OpenAPI document. A route without GET stays 405 for HEAD."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


#: what every answer to a path holding a secret link carries (``PrivateLinkHeaders``)
PRIVATE_HEADERS = (
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
)
#: what every other answer carries unless its route set its own: framed by no other site,
#: and read as the type it is sent as
EVERY_ANSWER = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
)
#: the CSP that says what ``X-Frame-Options`` says, for browsers that read only CSP
FRAME_ANCESTORS = {b"sameorigin": b"frame-ancestors 'self'"}
#: what a page or an answer setting a cookie says about caching when its route said nothing
FOR_THIS_VISITOR = b"private, no-cache"


class PrivateLinkHeaders:
    """Answers to a route whose path holds a secret link (a ``{token}`` parameter: the
    confirmation, preferences, data export, erasure and unsubscribe pages, a staff password
    link) are kept by no cache (the next user of a shared computer would open them from the
    history), hand the link to no other site in a Referer, and are framed by no other site
    (their buttons are one click). Every other answer is framed by no other site either (the
    sign-up form, the search and the error pages under another site's invisible frame are a
    clickjacking aid) and carries ``nosniff``; a console page keeps its ``SAMEORIGIN`` (the
    preview frame), said in CSP as well. A page, and any answer that sets a cookie, is for
    the visitor who asked (``private``): a page holds the visitor's CSRF token and is in the
    language of their cookie, so a shared cache that kept one would hand everyone the same
    CSRF secret and one visitor's language. A header the route set itself is kept."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                private = "token" in scope.get("path_params", {})
                headers = completed(list(message.get("headers", [])), private)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def completed(headers: list[tuple[bytes, bytes]], private: bool) -> list[tuple[bytes, bytes]]:
    """``headers`` with what ``PrivateLinkHeaders`` adds where the route set nothing."""
    present = {name.lower(): value.lower() for name, value in headers}
    for name, value in (*PRIVATE_HEADERS, *EVERY_ANSWER) if private else EVERY_ANSWER:
        if name not in present:
            headers.append((name, value))
            present[name] = value.lower()
    if b"content-security-policy" not in present:
        framing = FRAME_ANCESTORS.get(present[b"x-frame-options"], b"frame-ancestors 'none'")
        headers.append((b"content-security-policy", framing))
    page = present.get(b"content-type", b"").startswith(b"text/html")
    if b"cache-control" not in present and (page or b"set-cookie" in present):
        headers.append((b"cache-control", FOR_THIS_VISITOR))
    return headers


#: the largest request body any route reads (a form, the staff API's JSON): the longest form
#: of ours (a staff edit of a change, a summary of 20,000 characters percent-encoded) is
#: well under it
MAX_REQUEST_BODY = 1024 * 1024
#: paths whose routes take more: the subscriber import's upload (its own check answers first)
LARGER_BODIES = (("/staff/abonnenter/import", IMPORT_MAX_BODY),)


class BodyLimit:
    """A request body is read no further than its limit (``MAX_REQUEST_BODY``, or
    ``LARGER_BODIES`` for a path under them). Starlette's form parser bounds a field (1 MiB)
    and the number of fields (1,000), not the body: an anonymous POST to the sign-up form or
    the login kept a gigabyte of fields in memory, or a thousand file parts of any size on
    disk, before the CSRF check refused it; the staff API read any body before its token was
    checked. A declared ``Content-Length`` above the limit is refused before a byte is read,
    a body without one (chunked) when the bytes received pass it. The refusal is raised where
    the route reads the body (413: the Norwegian page, or the API's JSON ``body_too_large``,
    ``_http_error``); a route that reads no body is not affected."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = next((n for p, n in LARGER_BODIES if path.startswith(p)), MAX_REQUEST_BODY)
        raw = Headers(scope=scope).get("content-length", "").strip()
        declared = digits(raw)
        too_large = (declared or 0) > limit or (declared is None and raw.isdigit())
        received = 0

        async def bounded() -> Message:
            nonlocal received
            if too_large:
                raise StarletteHTTPException(413)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise StarletteHTTPException(413)
            return message

        await self.app(scope, bounded, send)
