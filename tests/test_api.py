"""The public API /api/v1/ over HTTP, on SQLite and PostgreSQL: filters, cursor paging,
public fields only, ETag and 304, errors in Norwegian, the OpenAPI document and the docs
page."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
from lxml import html as lxml_html
from sqlmodel import Session, select

from feeds.store.models import Source
from notifier.context import Context
from tests.support.api import BASE, add_change, api_client


async def all_pages(client: httpx.AsyncClient, params: dict[str, str]) -> list[list[int]]:
    """The ids of every page, following ``next`` to the end."""
    pages: list[list[int]] = []
    response = await client.get("/api/v1/changes", params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([item["id"] for item in body["items"]])
        if body["next"] is None:
            assert body["next_cursor"] is None
            return pages
        assert body["next"].startswith(f"{BASE}/api/v1/changes?")
        response = await client.get(body["next"].removeprefix(BASE))


async def test_changes_are_paged_by_cursor_newest_first(ctx: Context) -> None:
    ids = [add_change(ctx, f"Endring {n}") for n in range(7)]
    add_change(ctx, "Holdt tilbake", status="held", held_reason="most_replaced")
    add_change(ctx, "Om testing", subtopics=("testing",))
    async with api_client(ctx) as client:
        pages = await all_pages(client, {"limit": "3", "subtopic": "vaksinasjon"})
        assert pages == [ids[6:3:-1], ids[3:0:-1], ids[0:1]]
        whole = await client.get("/api/v1/changes", params={"subtopic": "vaksinasjon"})
        assert [c["id"] for c in whole.json()["items"]] == ids[::-1]
        # a new change does not shift a page already cursored past
        first = (await client.get("/api/v1/changes", params={"limit": "3"})).json()
        add_change(ctx, "Ny mens vi blar")
        second = await client.get("/api/v1/changes", params={
            "limit": "3", "cursor": first["next_cursor"]})  # fmt: skip
        assert second.json()["items"][0]["id"] == first["items"][-1]["id"] - 1


async def test_change_fields_are_stable(ctx: Context) -> None:
    change_id = add_change(
        ctx, "Nye råd", source="hdir-rad", authority="helsedirektoratet", regions=("46", "4601"),
        urgent=True, summary="Kort om det.",
    )  # fmt: skip
    async with api_client(ctx) as client:
        listed = (await client.get("/api/v1/changes")).json()["items"][0]
        one = (await client.get(f"/api/v1/changes/{change_id}")).json()
    assert set(listed) == {
        "id", "title", "kind", "url", "source_url", "source", "section", "summary", "subtopics",
        "regions", "urgent", "detected_at", "published_at",
    }  # fmt: skip
    assert listed["url"] == f"{BASE}/endringer/{change_id}"
    assert listed["source"] == {
        "key": "hdir-rad",
        "name": "Hdir Rad",
        "authority": "helsedirektoratet",
    }
    assert listed["regions"] == ["46", "4601"] and listed["urgent"] is True
    assert listed["detected_at"] == "2026-11-23T08:00:00Z"
    assert set(one) == set(listed) | {"before", "after", "diff", "story_key"}
    assert one["diff"] == [
        {"op": "=", "text": "Dosen er "}, {"op": "-", "text": "to"}, {"op": "+", "text": "tre"},
    ]  # fmt: skip


async def test_filters_match_the_feed_and_the_change_log(ctx: Context) -> None:
    add_change(ctx, "Landet", source="hdir", authority="helsedirektoratet",
               subtopics=("testing",), kind="new")  # fmt: skip
    add_change(ctx, "Vestland", regions=("46",), urgent=True)
    add_change(ctx, "Bergen", regions=("46", "4601"), subtopics=("testing",))
    ctx.clock.advance(days=2)  # type: ignore[attr-defined]
    add_change(ctx, "Senere", summary="Om vaksinasjonsprogrammet")
    cases = [
        ({"subtopic": "testing"}, ["Bergen", "Landet"]),
        ({"authority": "helsedirektoratet"}, ["Landet"]),
        ({"region": "46"}, ["Bergen", "Vestland"]),
        ({"region": "4601"}, ["Bergen", "Vestland"]),  # Bergen's, and its county as a whole
        ({"region": "4602"}, ["Vestland"]),  # Kinn: not Bergen's
        ({"urgent": "1"}, ["Vestland"]),
        ({"urgent": "0", "region": "46"}, ["Bergen"]),
        ({"kind": "new"}, ["Landet"]),
        ({"since": "2026-11-24"}, ["Senere"]),
        ({"until": "2026-11-23", "subtopic": "vaksinasjon"}, ["Vestland"]),
        ({"q": "vaksinasjonsprogram"}, ["Senere"]),
    ]
    async with api_client(ctx) as client:
        for params, expected in cases:
            response = await client.get("/api/v1/changes", params=params)
            assert [c["title"] for c in response.json()["items"]] == expected, params


async def test_held_and_unknown_changes_are_404(ctx: Context) -> None:
    held = add_change(ctx, "Holdt", status="held", held_reason="most_replaced")
    async with api_client(ctx) as client:
        for path in (f"/api/v1/changes/{held}", "/api/v1/changes/999", "/api/v1/changes/x1",
                     "/api/v1/changes/" + "9" * 40):  # fmt: skip
            response = await client.get(path)
            assert response.status_code == 404, path
            assert response.json()["error"]["code"] == "not_found"
            assert response.json()["error"]["message"] == "Fant ikke endringen."


async def test_sources_show_public_fields_only(ctx: Context) -> None:
    add_change(ctx, "En", source="fhi-nyheter", authority="fhi")
    with Session(ctx.engine) as session:
        source = session.exec(select(Source)).one()
        source.last_error = "TimeoutError: intern.fhi.no svarte ikke"
        source.consecutive_errors = 4
        source.enabled = False
        session.add(source)
        session.commit()
    async with api_client(ctx) as client:
        response = await client.get("/api/v1/sources")
    assert response.json() == [
        {"key": "fhi-nyheter", "name": "Fhi Nyheter", "authority": "fhi",
         "url": "https://fhi-nyheter.example.no/rss", "kind": "feed", "watched": False}
    ]  # fmt: skip
    assert "intern" not in response.text and "error" not in response.text


async def test_vocabularies(ctx: Context) -> None:
    async with api_client(ctx) as client:
        subtopics = (await client.get("/api/v1/subtopics")).json()
        regions = (await client.get("/api/v1/regions")).json()
    assert {"slug": "vaksinasjon", "name_nb": "Vaksinasjon", "name_nn": "Vaksinasjon",
            "group": "smittevern"} in subtopics  # fmt: skip
    assert len(subtopics) == len(ctx.taxonomy.subtopics)
    assert {"code": "46", "name": "Vestland"} in regions["counties"]
    assert {"code": "4601", "name": "Bergen", "county": "46"} in regions["municipalities"]
    assert len(regions["municipalities"]) == len(ctx.gazetteer.municipalities())


async def test_etag_and_304_on_every_public_route(ctx: Context) -> None:
    change_id = add_change(ctx, "En")
    async with api_client(ctx) as client:
        for path in ("/api/v1/changes", f"/api/v1/changes/{change_id}", "/api/v1/sources",
                     "/api/v1/subtopics", "/api/v1/regions", "/api/v1/openapi.json",
                     "/api/v1/docs"):  # fmt: skip
            first = await client.get(path)
            assert first.status_code == 200, path
            assert first.headers["cache-control"] == "public, max-age=60"
            etag = first.headers["etag"]
            again = await client.get(path, headers={"If-None-Match": f'"x", {etag}'})
            assert again.status_code == 304 and again.content == b"", path
        before = (await client.get("/api/v1/changes")).headers["etag"]
        add_change(ctx, "To")
        after = await client.get("/api/v1/changes", headers={"If-None-Match": before})
        assert after.status_code == 200 and after.headers["etag"] != before


async def test_wrong_parameters_get_a_code_and_norwegian_words(ctx: Context) -> None:
    add_change(ctx, "En")
    add_change(ctx, "To")
    async with api_client(ctx) as client:
        page = (await client.get("/api/v1/changes", params={"limit": "1"})).json()
        cases = [
            ({"limit": "0"}, "limit_invalid", "limit"),
            ({"limit": "abc"}, "limit_invalid", "limit"),
            ({"limit": "201"}, "limit_invalid", "limit"),
            ({"since": "23.11.2026"}, "date_invalid", "since"),
            ({"until": "2026-02-30"}, "date_invalid", "until"),
            ({"since": "2026-11-24", "until": "2026-11-23"}, "date_range_invalid", "since"),
            ({"q": "x" * 201}, "text_too_long", "q"),
            ({"kind": "DROP TABLE"}, "kind_invalid", "kind"),
            ({"cursor": "ikke-en-markør"}, "cursor_invalid", "cursor"),
            ({"cursor": "MTo1OmFhYWFhYWFhYWFhYQ"}, "cursor_invalid", "cursor"),
            # a cursor made for other filters
            ({"cursor": page["next_cursor"], "urgent": "1"}, "cursor_invalid", "cursor"),
        ]
        for params, code, parameter in cases:
            response = await client.get("/api/v1/changes", params=params)
            assert response.status_code == 400, params
            assert response.headers["content-type"] == "application/json"
            error = response.json()["error"]
            assert (error["code"], error["parameter"]) == (code, parameter)
            assert error["message"] != error["message_nn"] or code == "date_invalid"
            assert "Exception" not in response.text and "value_error" not in response.text


async def test_openapi_describes_v1_only_and_the_docs_page_needs_no_network(
    ctx: Context,
) -> None:
    async with api_client(ctx) as client:
        schema = (await client.get("/api/v1/openapi.json")).json()
        docs = await client.get("/api/v1/docs")
        docs_nn = await client.get("/api/v1/docs", params={"lang": "nn"})
    assert set(schema["paths"]) == {
        "/api/v1/changes", "/api/v1/changes/{change_id}", "/api/v1/sources",
        "/api/v1/subtopics", "/api/v1/regions", "/api/v1/staff/queue",
        "/api/v1/staff/changes/{change_id}/approve", "/api/v1/staff/changes/{change_id}/suppress",
    }  # fmt: skip
    assert schema["openapi"].startswith("3.")
    assert schema["servers"] == [{"url": BASE}]
    tree = lxml_html.fromstring(docs.text)
    assert tree.get("lang") == "nb" and tree.xpath("//h1")
    assert not tree.xpath("//script | //link | //img | //iframe")
    for href in tree.xpath("//a/@href"):
        assert href.startswith("/"), href  # nothing from other hosts
    csp = docs.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    style = tree.xpath("//style")[0].text
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp  # the one inline style is allowed by its hash
    for path in schema["paths"]:
        assert path in docs.text
    assert "Publiserte endringer, nyeste først" in docs.text
    assert "Publiserte endringar, nyaste først" in docs_nn.text
    assert lxml_html.fromstring(docs_nn.text).get("lang") == "nn"
    # the descriptions are Norwegian, in the page's language
    assert "endringens side hos Helsevarsel" in docs.text
    assert "sida til endringa hos Helsevarsel" in docs_nn.text
    assert "Fann ikkje endringa" in docs_nn.text and "Fant ikke endringen" in docs.text
    for english in ("Successful Response", "Validation Error", "the publisher"):
        assert english not in docs.text and english not in docs_nn.text
    assert re.search(r"ChangePageOut", docs.text)
    # on a phone the tables stack (no header row): every cell but the name says what it is
    for page, lang in ((tree, "nb"), (lxml_html.fromstring(docs_nn.text), "nn")):
        cells = page.xpath("//tbody/tr/td[position() > 1]")
        assert cells and all(td.get("data-label") for td in cells), lang
        heads = {th.text_content() for th in page.xpath("//thead//th")}
        assert {td.get("data-label") for td in cells} <= heads, lang


async def test_digits_that_are_not_ascii_are_no_id_and_no_limit(ctx: Context) -> None:
    """``"²".isdigit()`` is true but ``int("²")`` fails: a 404 and a 400, never a 500."""
    async with api_client(ctx) as client:
        answer = await client.get("/api/v1/changes/%C2%B2")
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"
        answer = await client.get("/api/v1/changes", params={"limit": "²"})
        assert answer.status_code == 400
