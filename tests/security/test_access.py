"""Issue 13, access: who may use which route, as an attacker probes it. The real app (httpx on
ASGI; a real uvicorn on 127.0.0.1 for raw paths), SQLite and PostgreSQL.

- Every route of the app is in ``ACCESS`` with the way it is opened: ``public``, ``link`` (a
  signed subscriber link in the path), ``staff`` (a console session; probed in
  ``test_staff_console``), ``bearer`` (an API token), ``metrics`` (the metrics token),
  ``login`` (the staff login forms). A route that is not listed fails the test; routes under
  ``/api/v1`` that are not listed are probed generically (anonymous reads may be public,
  anything else must refuse without a token).
- No GET (or HEAD) changes state: every GET route, anonymous and with every valid subscriber
  link, leaves every table as it was (a mail scanner that follows links confirms, unsubscribes
  and erases nothing).
- Every public form refuses a post without its CSRF field, with a wrong one, with one of
  another browser; the one exception is RFC 8058 one-click unsubscribe, opened by its signed
  link alone (asserted).
- Subscriber links: replay (a confirmation link works once), forgery (another id, another
  purpose, a cut or altered signature, absurd lengths), expiry (a day past the lifetime), and
  revocation by erasure (every link dies, the data export too).
- Path traversal on the static files and every other path: nothing of this machine's files.
- Open redirects: the login's ``neste``, the language switch: only paths of this site.
- Rate limits: sign-up per client and per address; wrong API tokens per client (the public
  reads, API, feeds and search: ``test_rate_limits``).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from pydantic import SecretStr
from sqlmodel import Session, SQLModel, select

from notifier.context import Context
from notifier.web import create_app
from subscribers import tokens
from subscribers.models import Subscriber
from subscribers.tokens import CONFIRM, LIFETIME, MANAGE, UNSUBSCRIBE
from tests.conftest import Clock
from tests.security.test_staff_console import walk
from tests.support.staff import csrf_of, fast_hasher, make_staff  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fast_hasher")
#: where the database plays no part, SQLite only (the folder's time budget is two minutes)
SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PUBLIC = "public"
LINK = "link"
STAFF = "staff"
BEARER = "bearer"
METRICS = "metrics"
LOGIN = "login"

#: every route outside /staff and how it is opened (/staff/* is STAFF unless listed)
ACCESS: dict[tuple[str, str], str] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/api/changes"): PUBLIC,
    ("GET", "/abonner"): PUBLIC,
    ("POST", "/abonner"): PUBLIC,  # CSRF, rate limited
    ("GET", "/endringer"): PUBLIC,
    ("GET", "/endringer.atom"): PUBLIC,
    ("GET", "/endringer/{change_id}"): PUBLIC,
    ("GET", "/manifest.webmanifest"): PUBLIC,
    ("GET", "/sw.js"): PUBLIC,
    ("GET", "/push.js"): PUBLIC,
    ("GET", "/ikon-192.png"): PUBLIC,
    ("GET", "/ikon-512.png"): PUBLIC,
    ("GET", "/ikon-maskable-512.png"): PUBLIC,
    ("GET", "/metrics"): METRICS,
    ("GET", "/bekreft/{token}"): LINK,
    ("POST", "/bekreft/{token}"): LINK,
    ("GET", "/innstillinger/{token}"): LINK,
    ("POST", "/innstillinger/{token}"): LINK,
    ("POST", "/innstillinger/{token}/avslutt"): LINK,
    ("GET", "/innstillinger/{token}/data.json"): LINK,
    ("GET", "/innstillinger/{token}/slett"): LINK,
    ("POST", "/innstillinger/{token}/slett"): LINK,
    ("POST", "/innstillinger/{token}/push"): LINK,
    ("POST", "/innstillinger/{token}/push/av"): LINK,
    ("POST", "/innstillinger/{token}/push/valg"): LINK,
    ("POST", "/innstillinger/{token}/mal"): LINK,
    ("POST", "/innstillinger/{token}/mal/slett"): LINK,
    ("GET", "/u/{token}"): LINK,
    ("POST", "/u/{token}"): LINK,  # RFC 8058 one-click: the signed link alone
    ("GET", "/staff/login"): LOGIN,
    ("POST", "/staff/login"): LOGIN,
    ("GET", "/staff/passord/{token}"): LOGIN,
    ("POST", "/staff/passord/{token}"): LOGIN,
}
#: public forms and the CSRF field each posts (the subscriber pages call it "csrf")
SUBSCRIBER_FORMS = [
    ("/abonner", None),
    ("/bekreft/{token}", CONFIRM),
    ("/innstillinger/{token}", MANAGE),
    ("/innstillinger/{token}/avslutt", MANAGE),
    ("/innstillinger/{token}/slett", MANAGE),
    ("/innstillinger/{token}/push/av", MANAGE),
    ("/innstillinger/{token}/mal", MANAGE),
]


def access_of(method: str, path: str) -> str | None:
    if (method, path) in ACCESS:
        return ACCESS[(method, path)]
    if path.startswith("/staff"):
        return STAFF
    if path.startswith("/api/v1/"):
        return BEARER if "/staff/" in path or method != "GET" else PUBLIC
    return None


def dump(ctx: Context) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with ctx.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            # refusals may count (by design); server keys are made on first use (VAPID)
            if table.name in ("rate_event", "audit_event", "app_secret"):
                continue
            rows = conn.execute(sa.select(table)).all()
            out[table.name] = sorted(repr(tuple(row)) for row in rows)
    return out


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


def client_for(app: FastAPI, ip: str = "198.51.100.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(
        transport=transport, base_url="https://testserver", follow_redirects=False
    )


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as c:
        yield c


async def form_csrf(client: httpx.AsyncClient, path: str = "/abonner") -> str:
    page = await client.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None, (path, page.status_code)
    return found.group(1)


async def sign_up(client: httpx.AsyncClient, email: str) -> httpx.Response:
    data = {
        "csrf": await form_csrf(client),
        "email": email,
        "role": "kommunelege",
        "language": "nb",
        "cadence_vaksinasjon": "daily",
    }
    return await client.post("/abonner", data=data)


def subscriber_of(ctx: Context, email: str) -> Subscriber:
    with Session(ctx.engine) as session:
        return session.exec(select(Subscriber).where(Subscriber.email == email)).one()


def link(app: FastAPI, ctx: Context, purpose: str, sub: Subscriber) -> str:
    assert sub.id is not None
    return tokens.sign(app.state.links.secret, purpose, sub.id, sub.token_version, ctx.clock())


def with_token(path: str, token: str) -> str:
    return path.replace("{token}", token)


# ----------------------------------------------------------------------------- the route table


@SQLITE
def test_every_route_is_listed_with_the_way_it_is_opened(app: FastAPI) -> None:
    routes = set(walk(app.routes))
    unlisted = sorted(r for r in routes if access_of(*r) is None)
    assert unlisted == [], f"routes nobody decided on; add them to ACCESS: {unlisted}"
    gone = sorted(set(ACCESS) - routes)
    assert gone == [], f"listed routes that no longer exist: {gone}"
    links = {path for (_, path), how in ACCESS.items() if how == LINK}
    assert all("{token}" in path for path in links)


@SQLITE
async def test_routes_opened_by_a_link_refuse_a_forged_one(
    ctx: Context, app: FastAPI, client: httpx.AsyncClient
) -> None:
    assert (await sign_up(client, "lege@kommune.no")).status_code == 200
    sub = subscriber_of(ctx, "lege@kommune.no")
    csrf = await form_csrf(client)
    forged = [f"{sub.id}.{sub.token_version}.9999999999.AAAAAAAAAAAAAAAAAAAAAAAA", "x", "1"]
    checked = 0
    for method, path in sorted(r for r in set(walk(app.routes)) if access_of(*r) == LINK):
        for token in forged:
            before = dump(ctx)
            url = with_token(path, token)
            if method == "GET":
                answer = await client.get(url)
            else:
                answer = await client.post(
                    url, data={"csrf": csrf, "List-Unsubscribe": "One-Click"}
                )
            assert answer.status_code in (400, 403, 404), (method, path, answer.status_code)
            assert dump(ctx) == before, (method, path)
            checked += 1
    assert checked >= 30


@SQLITE
async def test_api_routes_that_need_a_token_refuse_without_one(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Generic over /api/v1 (another part of the service grows it): every route that is not a
    public read refuses an anonymous call and a wrong token with 401, and changes nothing."""
    bearer = sorted(
        r for r in set(walk(app.routes)) if r[1].startswith("/api/") and access_of(*r) == BEARER
    )
    if not bearer:
        pytest.skip("no API routes that need a token")
    for method, path in bearer:
        url = re.sub(r"\{[^}]+\}", "1", path)
        for headers in (
            {},
            {"authorization": "Bearer hv_forfalsket"},
            {"authorization": "Basic x"},
        ):
            answer = await client.request(method, url, headers=headers, json={})
            assert answer.status_code in (401, 429), (method, path, headers, answer.status_code)


@SQLITE
async def test_wrong_api_tokens_from_one_client_are_rate_limited(app: FastAPI) -> None:
    bearer = [
        r for r in set(walk(app.routes)) if r[1].startswith("/api/") and access_of(*r) == BEARER
    ]
    if not bearer:
        pytest.skip("no API routes that need a token")
    method, path = sorted(bearer)[0]
    url = re.sub(r"\{[^}]+\}", "1", path)
    statuses = []
    async with client_for(app, "203.0.113.99") as attacker:
        for n in range(60):
            answer = await attacker.request(
                method, url, headers={"authorization": f"Bearer hv_gjett{n}"}, json={}
            )
            statuses.append(answer.status_code)
            if answer.status_code == 429:
                break
    assert statuses[-1] == 429, statuses
    assert "retry-after" in {k.lower() for k in answer.headers}
    async with client_for(app, "203.0.113.100") as other:  # another client is not held up
        answer = await other.request(method, url, headers={"authorization": "Bearer hv_x"}, json={})
        assert answer.status_code == 401


@SQLITE
async def test_metrics_are_closed_without_their_token(ctx: Context) -> None:
    async with client_for(create_app(ctx)) as anyone:
        assert (await anyone.get("/metrics")).status_code == 404  # off: like an unknown path
    ctx.settings = ctx.settings.model_copy(update={"metrics_token": SecretStr("m" * 32)})
    async with client_for(create_app(ctx)) as anyone:
        for header in ({}, {"authorization": "Bearer feil"}, {"authorization": "m" * 32}):
            assert (await anyone.get("/metrics", headers=header)).status_code == 401, header
        ok = await anyone.get("/metrics", headers={"authorization": "Bearer " + "m" * 32})
        assert ok.status_code == 200


# ----------------------------------------------------------------------------- GET changes nothing


@SQLITE
async def test_no_get_changes_anything_even_with_valid_links(
    ctx: Context, app: FastAPI, client: httpx.AsyncClient
) -> None:
    assert (await sign_up(client, "ny@kommune.no")).status_code == 200
    assert (await sign_up(client, "fast@kommune.no")).status_code == 200
    fresh, known = subscriber_of(ctx, "ny@kommune.no"), subscriber_of(ctx, "fast@kommune.no")
    confirm = link(app, ctx, CONFIRM, known)
    assert (
        await client.post(f"/bekreft/{confirm}", data={"csrf": await form_csrf(client)})
    ).status_code == 200
    known = subscriber_of(ctx, "fast@kommune.no")
    values = {
        CONFIRM: link(app, ctx, CONFIRM, fresh),
        MANAGE: link(app, ctx, MANAGE, known),
        UNSUBSCRIBE: link(app, ctx, UNSUBSCRIBE, known),
    }
    purpose_of = {"/bekreft/": CONFIRM, "/innstillinger/": MANAGE, "/u/": UNSUBSCRIBE}
    gets = 0
    for method, path in sorted(set(walk(app.routes))):
        if method != "GET" or path.startswith(("/staff", "/api/v1/staff")):
            continue
        purpose = next((p for prefix, p in purpose_of.items() if path.startswith(prefix)), None)
        url = with_token(path, values[purpose]) if purpose else re.sub(r"\{[^}]+\}", "1", path)
        before = dump(ctx)
        for verb in ("GET", "HEAD"):
            answer = await client.request(verb, url)
            assert answer.status_code < 500, (verb, url, answer.status_code)
        assert dump(ctx) == before, f"GET {path} changed the database"
        gets += 1
    assert gets >= 15
    assert subscriber_of(ctx, "ny@kommune.no").confirmed_at is None
    assert subscriber_of(ctx, "fast@kommune.no").confirmed_at is not None


# ----------------------------------------------------------------------------- CSRF


@SQLITE
async def test_public_forms_refuse_a_post_without_their_csrf_token(
    ctx: Context, app: FastAPI, client: httpx.AsyncClient
) -> None:
    assert (await sign_up(client, "lege@kommune.no")).status_code == 200
    sub = subscriber_of(ctx, "lege@kommune.no")
    async with client_for(app) as other:  # another browser: its own valid token and cookie
        foreign = await form_csrf(other)
    data = {"email": "annen@kommune.no", "role": "kommunelege", "cadence_vaksinasjon": "daily"}
    for path, purpose in SUBSCRIBER_FORMS:
        url = with_token(path, link(app, ctx, purpose, sub)) if purpose else path
        for csrf in (None, "", "0" * 43, foreign):
            before = dump(ctx)
            field = {"csrf": csrf} if csrf is not None else {}
            answer = await client.post(url, data=data | field)
            assert answer.status_code == 403, (path, csrf, answer.status_code)
            assert dump(ctx) == before, (path, csrf)
        # without any cookie (a cross-site form), with the field of a real page
        async with client_for(app) as bare:
            answer = await bare.post(url, data=data | {"csrf": await form_csrf(client)})
            assert answer.status_code == 403, path


@SQLITE
async def test_one_click_unsubscribe_needs_only_its_signed_link(
    ctx: Context, app: FastAPI, client: httpx.AsyncClient
) -> None:
    """RFC 8058: a mail client posts ``List-Unsubscribe=One-Click`` with no cookie; the signed
    link is the secret. A forged link does nothing (see above); a real one works once."""
    assert (await sign_up(client, "lege@kommune.no")).status_code == 200
    sub = subscriber_of(ctx, "lege@kommune.no")
    url = f"/u/{link(app, ctx, UNSUBSCRIBE, sub)}"
    async with client_for(app, "192.0.2.50") as mail_client:
        answer = await mail_client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200


# ----------------------------------------------------------------------------- links


async def test_a_confirmation_link_works_once(
    ctx: Context, app: FastAPI, client: httpx.AsyncClient
) -> None:
    assert (await sign_up(client, "lege@kommune.no")).status_code == 200
    url = f"/bekreft/{link(app, ctx, CONFIRM, subscriber_of(ctx, 'lege@kommune.no'))}"
    first = await client.post(url, data={"csrf": await form_csrf(client)})
    assert first.status_code == 200
    confirmed_at = subscriber_of(ctx, "lege@kommune.no").confirmed_at
    assert confirmed_at is not None
    again = await client.post(url, data={"csrf": await form_csrf(client)})
    assert again.status_code == 400
    assert (await client.get(url)).status_code == 400
    assert subscriber_of(ctx, "lege@kommune.no").confirmed_at == confirmed_at


def _forgeries(secret: bytes, sub: Subscriber, clock: Clock) -> dict[str, str]:
    assert sub.id is not None
    now = clock()
    good = tokens.sign(secret, MANAGE, sub.id, sub.token_version, now)
    sid, version, expires, signature = good.split(".")
    other_key = tokens.sign(b"en annen hemmelighet", MANAGE, sub.id, sub.token_version, now)
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    return {
        "other-subscriber": f"{int(sid) + 1}.{version}.{expires}.{signature}",
        "later-expiry": f"{sid}.{version}.{int(expires) + 86400}.{signature}",
        "other-version": f"{sid}.{int(version) + 1}.{expires}.{signature}",
        "other-purpose": tokens.sign(secret, UNSUBSCRIBE, sub.id, sub.token_version, now),
        "confirm-purpose": tokens.sign(secret, CONFIRM, sub.id, sub.token_version, now),
        "other-key": other_key,
        "flipped-signature": f"{sid}.{version}.{expires}.{flipped}",
        "cut-signature": f"{sid}.{version}.{expires}.{signature[:10]}",
        "no-signature": f"{sid}.{version}.{expires}.",
        "padded": good + "==",
        "negative-id": f"-{sid}.{version}.{expires}.{signature}",
        "huge-id": f"{'9' * 400}.{version}.{expires}.{signature}",
        "huge": "A" * 20_000,
        "unicode-digits": f"{sid}.{version}.{expires.replace('1', '１')}.{signature}",
        "dots": "....",
        "encoded-slash": f"{sid}%2F..%2F{version}.{expires}.{signature}",
    }


@SQLITE
async def test_forged_subscriber_links_open_nothing(
    ctx: Context, app: FastAPI, client: httpx.AsyncClient, clock: Clock
) -> None:
    assert (await sign_up(client, "lege@kommune.no")).status_code == 200
    sub = subscriber_of(ctx, "lege@kommune.no")
    for name, token in _forgeries(app.state.links.secret, sub, clock).items():
        for url in (f"/innstillinger/{token}", f"/innstillinger/{token}/data.json"):
            answer = await client.get(url)
            assert answer.status_code in (400, 404, 414), (name, url, answer.status_code)
            assert "lege@kommune.no" not in answer.text, name
    good = await client.get(f"/innstillinger/{link(app, ctx, MANAGE, sub)}")
    assert good.status_code == 200  # the test can fail: the real link opens


@SQLITE
@pytest.mark.parametrize("purpose", [CONFIRM, MANAGE, UNSUBSCRIBE])
async def test_links_expire_a_day_after_their_lifetime(
    ctx: Context, app: FastAPI, client: httpx.AsyncClient, clock: Clock, purpose: str
) -> None:
    assert (await sign_up(client, "lege@kommune.no")).status_code == 200
    sub = subscriber_of(ctx, "lege@kommune.no")
    token = link(app, ctx, purpose, sub)
    path = {CONFIRM: "/bekreft/", MANAGE: "/innstillinger/", UNSUBSCRIBE: "/u/"}[purpose] + token
    assert (await client.get(path)).status_code == 200
    clock.advance(days=LIFETIME[purpose].days - 1)
    assert (await client.get(path)).status_code == 200
    clock.now += tokens.longest_validity(purpose) - LIFETIME[purpose] + timedelta(days=1, seconds=1)
    expired = await client.get(path)
    assert expired.status_code == 400
    assert "/abonner" in expired.text  # says where to get a new link


async def test_erasure_kills_every_link_and_the_export(
    ctx: Context, app: FastAPI, client: httpx.AsyncClient
) -> None:
    assert (await sign_up(client, "lege@kommune.no")).status_code == 200
    sub = subscriber_of(ctx, "lege@kommune.no")
    links = {p: link(app, ctx, p, sub) for p in (CONFIRM, MANAGE, UNSUBSCRIBE)}
    manage = f"/innstillinger/{links[MANAGE]}"
    erased = await client.post(f"{manage}/slett", data={"csrf": await form_csrf(client, manage)})
    assert erased.status_code == 200
    csrf = await form_csrf(client)
    for url in (
        f"/bekreft/{links[CONFIRM]}", manage, f"{manage}/data.json", f"{manage}/slett",
        f"/u/{links[UNSUBSCRIBE]}",
    ):  # fmt: skip
        assert (await client.get(url)).status_code == 400, url
        if not url.endswith("data.json"):
            assert (await client.post(url, data={"csrf": csrf})).status_code in (400, 405), url
    # the same address signs up again: a new person, whom the old links do not open
    assert (await sign_up(client, "lege@kommune.no")).status_code == 200
    assert (await client.get(manage)).status_code == 400
    assert (await client.get(f"/bekreft/{links[CONFIRM]}")).status_code == 400


# ----------------------------------------------------------------------------- traversal


class _Uvicorn:
    """The app served by a real uvicorn on 127.0.0.1, for raw request lines."""

    def __init__(self, app: FastAPI) -> None:
        import uvicorn

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.server.started

    def raw(self, target: str) -> tuple[int, bytes]:
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as conn:
            conn.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
        return status, data

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(5)


@pytest.fixture
def served(app: FastAPI) -> Iterator[_Uvicorn]:
    pytest.importorskip("uvicorn")
    server = _Uvicorn(app)
    yield server
    server.stop()


TRAVERSALS = [
    "/../../../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/sw.js/../../../../etc/passwd",
    "/ikon-192.png%2f..%2f..%2f..%2fetc%2fpasswd",
    "/..%5c..%5c..%5cetc%5cpasswd",
    "/static/../../pyproject.toml",
    "/templates/web/base.html",
    "//etc/passwd",
    "/.%2e/.%2e/pyproject.toml",
    "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    "/innstillinger/..%2f..%2f..%2fetc%2fpasswd",
    "/endringer/..%2f..%2fpyproject.toml",
    "/sw.js%00.png",
    "/.env",
    "/.git/config",
]


@SQLITE
def test_no_path_reaches_a_file_of_this_machine(served: _Uvicorn) -> None:
    for target in TRAVERSALS:
        status, data = served.raw(target)
        assert status in (400, 404, 405, 422), (target, status)
        assert b"root:x:0:0" not in data and b"[project]" not in data, target
        assert b"{% " not in data and b"[core]" not in data, target
    ok, body = served.raw("/sw.js")
    assert ok == 200 and b"self" in body  # the test can fail: static files are served


# ----------------------------------------------------------------------------- redirects

HOSTILE_NEXT = [
    "https://evil.example/staff",
    "//evil.example/staff",
    "/\\evil.example",
    "\\\\evil.example",
    "/staff/../..//evil.example",
    "/staff/%2e%2e/%2e%2e//evil.example",
    "/staff@evil.example",
    "/staffevil",
    "/staff\r\nLocation: https://evil.example",
    "/staff/%0d%0aSet-Cookie:%20x=1",
    "javascript:alert(1)",
    "/staff/\t/evil.example",
    "https:evil.example",
]


@SQLITE
@pytest.mark.parametrize("target", HOSTILE_NEXT)
async def test_the_login_never_redirects_off_the_console(
    ctx: Context, app: FastAPI, target: str
) -> None:
    user = make_staff(ctx, "redaktor@fhi.no", "redaktor")
    async with client_for(app) as browser:
        page = await browser.get("/staff/login", params={"neste": target})
        assert page.status_code == 200
        kept = re.findall(r'name="neste" value="([^"]*)"', page.text)
        assert all(v.startswith("/staff") and "evil" not in v for v in kept), kept
        done = await browser.post(
            "/staff/login",
            params={"neste": target},
            data={
                "csrf_token": csrf_of(page.text),
                "email": user.email,
                "password": "korrekt hest batteri stift",
                "neste": target,
            },
        )
    assert done.status_code == 303
    location = done.headers["location"]
    assert location.startswith("/staff") and not location.startswith("//"), location
    assert "evil" not in location and "\n" not in location and "\\" not in location


@SQLITE
async def test_the_language_switch_links_only_to_this_site(client: httpx.AsyncClient) -> None:
    for query in (
        {"lang": "nn", "neste": "https://evil.example"},
        {"lang": "https://evil.example"},
        {"lang": "nn\r\nSet-Cookie: x=1"},
    ):
        page = await client.get("/abonner", params=query)
        assert page.status_code == 200
        hrefs = re.findall(r'href="([^"]*lang=[^"]*)"', page.text)
        assert hrefs and all(h.startswith("/") and not h.startswith("//") for h in hrefs), hrefs
        assert "evil.example" not in page.headers.get("set-cookie", "")
        assert "x=1" not in page.headers.get("set-cookie", "")


# ----------------------------------------------------------------------------- rate limits


async def test_sign_ups_from_one_client_are_limited(ctx: Context, app: FastAPI) -> None:
    limit = ctx.settings.signup_limit_per_ip
    statuses = []
    async with client_for(app, "203.0.113.5") as attacker:
        for n in range(limit + 3):
            statuses.append((await sign_up(attacker, f"offer{n}@kommune.no")).status_code)
    assert statuses[:limit] == [200] * limit and set(statuses[limit:]) == {429}, statuses
    async with client_for(app, "203.0.113.6") as neighbour:
        assert (await sign_up(neighbour, "nabo@kommune.no")).status_code == 200
