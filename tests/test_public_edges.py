"""The public site, API and feeds at their edges, over HTTP on SQLite and PostgreSQL: dates at
the ends of the calendar, paths and methods that do not exist (in Norwegian, never FastAPI's
English JSON), an error inside a page, the API docs page in the remembered language, and the
pages a nynorsk sign-up's mails open."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from lxml import html as lxml_html
from sqlmodel import Session, select

from notifier.context import Context
from notifier.outbox import Delivery
from notifier.web import create_app
from notifier.web.texts import TEXTS
from tests.support.changelog import add

NB, NN = TEXTS["nb"], TEXTS["nn"]
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def make_client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(create_app(ctx)) as c:
        yield c


def lang_of(page: str) -> str | None:
    return lxml_html.fromstring(page).get("lang")


def found(page: str, xpath: str) -> list[str]:
    """The text of every attribute ``xpath`` selects in ``page``."""
    result: Any = lxml_html.fromstring(page).xpath(xpath)
    return [str(value) for value in result]


@pytest.mark.parametrize(
    "query",
    [
        "since=0001-01-01",
        "until=9999-12-31",
        "since=0001-01-01&until=9999-12-31",
        "since=9999-12-31",
        "until=0001-01-01",
    ],
)
async def test_dates_at_the_ends_of_the_calendar_are_answered(
    ctx: Context, client: httpx.AsyncClient, query: str
) -> None:
    """0001-01-01 in Oslo is still year 0 in UTC, and 9999-12-31 has no next day: both were
    a server error on the change log, the API and the feed."""
    add(ctx.engine, "Nye råd om vaksine", T0, subtopics=["vaksinasjon"])
    everything = "since=9999" not in query and "until=0001" not in query
    page = await client.get(f"/endringer?{query}")
    assert page.status_code == 200
    assert ("Nye råd om vaksine" in page.text) is everything
    api = await client.get(f"/api/v1/changes?{query}")
    assert api.status_code == 200
    assert len(api.json()["items"]) == (1 if everything else 0)
    feed = await client.get(f"/endringer.atom?{query}")
    assert feed.status_code == 200
    assert ("Nye råd om vaksine" in feed.text) is everything


@pytest.mark.parametrize("path", ["/endring", "/endringer/1/mer", "/abonner/x", "/%C3%A6%C3%B8"])
async def test_a_page_that_does_not_exist_is_a_norwegian_page(
    client: httpx.AsyncClient, path: str
) -> None:
    answer = await client.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert lang_of(answer.text) == "nb" and NB["missing_title"] in answer.text
    assert "Not Found" not in answer.text
    nynorsk = await client.get(f"{path}?lang=nn")
    assert lang_of(nynorsk.text) == "nn" and NN["missing_title"] in nynorsk.text
    assert nynorsk.cookies.get("lang") == "nn"
    # remembered: the next unknown page is nynorsk without asking
    assert lang_of((await client.get(path)).text) == "nn"


async def test_a_method_a_page_does_not_take_is_a_norwegian_page(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post("/endringer")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET"
    assert NB["method_title"] in answer.text and "Method Not Allowed" not in answer.text


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/v1/", 404, "path_unknown"),
        ("GET", "/api/v1/endringer", 404, "path_unknown"),
        ("GET", "/api/v2/changes", 404, "path_unknown"),
        ("DELETE", "/api/v1/changes", 405, "method_not_allowed"),
        ("GET", "/api/v1/staff/changes/1/approve", 405, "method_not_allowed"),
    ],
)
async def test_the_api_answers_unknown_paths_and_methods_in_its_own_json(
    client: httpx.AsyncClient, method: str, path: str, status: int, code: str
) -> None:
    answer = await client.request(method, path)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/json"
    error = answer.json()["error"]
    assert error["code"] == code and error["message"] and error["message_nn"]
    assert "detail" not in answer.json()


async def test_an_error_inside_a_page_is_a_norwegian_page(ctx: Context) -> None:
    """Whatever breaks inside a public page, the visitor reads Norwegian (500), not
    "Internal Server Error"; the API answers its JSON error."""
    app = create_app(ctx)

    @app.get("/endringer-feiler")
    def broken() -> None:
        raise RuntimeError("a bug")

    @app.get("/api/v1/feiler")
    def broken_api() -> None:
        raise RuntimeError("a bug")

    async with make_client(app) as client:
        page = await client.get("/endringer-feiler?lang=nn")
        assert page.status_code == 500
        assert lang_of(page.text) == "nn" and NN["error_title"] in page.text
        assert "Internal Server Error" not in page.text and "a bug" not in page.text
        api = await client.get("/api/v1/feiler")
        assert api.status_code == 500 and api.json()["error"]["code"] == "server_error"
        # sent outside the middlewares, the error answers still carry their headers
        for answer in (page, api):
            assert answer.headers["x-frame-options"] == "DENY"
            assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
            assert answer.headers["x-content-type-options"] == "nosniff"
        assert page.headers["cache-control"] == "private, no-cache"


async def test_the_api_docs_page_follows_the_remembered_language(
    client: httpx.AsyncClient,
) -> None:
    await client.get("/endringer?lang=nn")  # the visitor chose nynorsk
    docs = await client.get("/api/v1/docs")
    assert lang_of(docs.text) == "nn"
    assert "cookie" in docs.headers.get("vary", "").lower()
    chosen = await client.get("/api/v1/docs?lang=nb")
    assert lang_of(chosen.text) == "nb" and chosen.cookies.get("lang") == "nb"
    assert lang_of((await client.get("/")).text) == "nb"


def mail_link(ctx: Context, email: str, path: str) -> str:
    """The newest link to ``path`` in the queued mails to ``email``, without the base URL."""
    base = ctx.settings.base_url
    with Session(ctx.engine) as session:
        rows = session.exec(select(Delivery).where(Delivery.to_address == email)).all()
    for row in sorted(rows, key=lambda r: r.id or 0, reverse=True):
        found = re.search(re.escape(base) + "(" + re.escape(path) + r"[^\s<>\"]+)", row.body_text)
        if found:
            return found.group(1).replace("&amp;", "&")
    raise AssertionError(f"no mail to {email} with a {path} link")


async def test_the_pages_a_nynorsk_sign_ups_mails_open_are_nynorsk(ctx: Context) -> None:
    """Opened in the mail program's browser, without the sign-up's cookie: the confirmation
    page, the preferences page it links to, and the preferences link sent to an address
    already confirmed are all nynorsk."""
    app = create_app(ctx)
    email = "lege@kommune.no"

    async def sign_up(browser: httpx.AsyncClient) -> None:
        form = await browser.get("/abonner?lang=nn")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert token is not None
        answer = await browser.post("/abonner", data={
            "csrf": token.group(1), "email": email, "role": "kommunelege", "language": "nn",
            "cadence_vaksinasjon": "daily",
        })  # fmt: skip
        assert answer.status_code in (200, 303), answer.text

    async with make_client(app) as browser:
        await sign_up(browser)
    async with make_client(app) as mail_program:
        asked = await mail_program.get(mail_link(ctx, email, "/bekreft/"))
        assert asked.status_code == 200 and lang_of(asked.text) == "nn"
        action = found(asked.text, "//main//form/@action")[0]
        csrf = found(asked.text, "//main//form//input[@name='csrf']/@value")[0]
        confirmed = await mail_program.post(action, data={"csrf": csrf})
        assert confirmed.status_code == 200
        assert lang_of(confirmed.text) == "nn" and NN["confirmed_title"] in confirmed.text
        prefs = [h for h in found(confirmed.text, "//main//a/@href") if h.startswith("/innst")]
        assert prefs and all(h.endswith("lang=nn") for h in prefs)
    async with make_client(app) as another:
        assert lang_of((await another.get(prefs[0])).text) == "nn"
    async with make_client(app) as browser:
        await sign_up(browser)  # known now: the mail carries a preferences link
    async with make_client(app) as mail_program:
        page = await mail_program.get(mail_link(ctx, email, "/innstillinger/"))
        assert page.status_code == 200 and lang_of(page.text) == "nn"


@pytest.mark.parametrize("path", ["/", "/endringer", "/abonner"])
async def test_the_menu_marks_the_page_it_is_on(client: httpx.AsyncClient, path: str) -> None:
    for lang in ("nb", "nn"):
        page = (await client.get(f"{path}?lang={lang}")).text
        marked = found(page, "//header//nav//a[@aria-current='page']/@href")
        assert marked == [path if lang == "nb" else f"{path}?lang=nn"]


async def test_dates_the_wrong_way_round_are_named_not_an_empty_list(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    """A "to" date before the "from" date: the page says so at the "to" field and leaves it
    out (the API answers 400 date_range_invalid), instead of an unexplained empty list."""
    add(ctx.engine, "Nye råd om vaksine", T0, subtopics=["vaksinasjon"])
    for lang, texts in (("nb", NB), ("nn", NN)):
        page = await client.get(f"/endringer?since=2026-11-01&until=2026-10-01&lang={lang}")
        assert texts["f_bad_range"] in page.text
        assert found(page.text, "//input[@id='until']/@aria-invalid") == ["true"]
        assert found(page.text, "//input[@id='until']/@aria-describedby") == ["until-error"]
        assert found(page.text, "//input[@id='since']/@aria-invalid") == []
        assert "Nye råd om vaksine" in page.text  # from 1 November on


@pytest.mark.parametrize(
    "path", ["/", "/endringer", "/endringer/1", "/endringer.atom", "/api/v1/changes", "/healthz"]
)
async def test_head_is_answered_like_get_without_a_body(
    ctx: Context, client: httpx.AsyncClient, path: str
) -> None:
    """Link checkers, uptime monitors and some feed readers ask HEAD (RFC 9110: every
    general-purpose server supports GET and HEAD); it was 405 everywhere."""
    add(ctx.engine, "Nye råd om vaksine", T0, subtopics=["vaksinasjon"])
    got = await client.get(path)
    head = await client.head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    if "etag" in got.headers:
        assert head.headers["etag"] == got.headers["etag"]
        again = await client.head(path, headers={"If-None-Match": got.headers["etag"]})
        assert again.status_code == 304


async def test_head_is_not_a_way_around_post(client: httpx.AsyncClient) -> None:
    """Only GET routes answer HEAD: a form's POST route stays 405 for HEAD, and the OpenAPI
    document does not list HEAD operations."""
    assert (await client.head("/api/v1/staff/changes/1/approve")).status_code == 405
    schema = (await client.get("/api/v1/openapi.json")).json()
    assert all("head" not in ops for ops in schema["paths"].values())


async def test_a_form_that_cannot_be_read_is_a_norwegian_page(client: httpx.AsyncClient) -> None:
    """A broken multipart body (Starlette's "Invalid multipart data"): a Norwegian 400 page."""
    answer = await client.post(
        "/abonner?lang=nn", content=b"garbage",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )  # fmt: skip
    assert answer.status_code == 400
    assert lang_of(answer.text) == "nn" and NN["unreadable_title"] in answer.text
    assert "Invalid multipart" not in answer.text


@pytest.mark.parametrize("path", ["/", "/endringer?subtopic=vaksinasjon", "/endringer/1"])
async def test_nynorsk_pages_offer_nynorsk_feeds(
    ctx: Context, client: httpx.AsyncClient, path: str
) -> None:
    """The feeds a nynorsk page links to (``<link rel="alternate">`` and the front page's
    links) are the nynorsk feeds; a bokmål page's stay as they were."""
    add(ctx.engine, "Nye råd om vaksine", T0, subtopics=["vaksinasjon"])
    sep = "&" if "?" in path else "?"
    nn = (await client.get(f"{path}{sep}lang=nn")).text
    feeds = found(nn, "//link[@type='application/atom+xml']/@href")
    feeds += [h for h in found(nn, "//main//a/@href") if ".atom" in h]
    assert feeds and all(h.endswith("lang=nn") for h in feeds), feeds
    feed = await client.get(feeds[-1])
    assert feed.status_code == 200 and 'xml:lang="nn"' in feed.text
    nb = (await client.get(f"{path}{sep}lang=nb")).text
    assert "/endringer.atom" in found(nb, "//link[@type='application/atom+xml']/@href")


async def test_the_api_docs_page_names_types_and_places_in_norwegian(
    client: httpx.AsyncClient,
) -> None:
    """The docs page is read by people: parameter places and value types in words of the
    page's language (the exact JSON types are in /api/v1/openapi.json)."""
    english = {"string", "integer", "boolean", "null", "number", "query", "path", "any"}
    for lang, words in (("nb", {"tekst", "heltall", "spørrestreng"}),
                        ("nn", {"tekst", "heiltal", "spørjestreng"})):  # fmt: skip
        page = (await client.get(f"/api/v1/docs?lang={lang}")).text
        cells = set(found(page, "//td[not(code)]/text()"))
        shown = {w for cell in cells for w in re.findall(r"[a-zæøå-]+", cell.lower())}
        assert not shown & english, shown & english
        assert words <= shown, words - shown
