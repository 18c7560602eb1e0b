"""The public site over HTTP on SQLite and PostgreSQL: the front page, the change log (filters,
search, paging), a change page (diff, removals, moves, story, NLOD credit), both languages,
links that keep the language, and the Atom hooks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from lxml import html as lxml_html
from sqlmodel import Session, select

from feeds.store.models import Source
from notifier.context import Context
from notifier.render import SHOWN_LIMIT
from notifier.web import create_app
from notifier.web.texts import TEXTS
from tests.support.changelog import add

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
NB, NN = TEXTS["nb"], TEXTS["nn"]


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(ctx))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def seed(ctx: Context) -> dict[str, int]:
    e = ctx.engine
    return {
        "vaksine": add(e, "Nye råd om vaksine mot influensa", T0, subtopics=["vaksinasjon"],
                       regions=["46", "4601"], summary="Gjeld for alle over 65 år.",
                       story_key="s1"),
        "lov": add(e, "Smittevernloven endret", T0 + timedelta(days=1), authority="regjeringen",
                   subtopics=["forskrifter_regelverk"], urgent=True, kind="changed",
                   section=["Kapittel 4", "§ 4-1"], before="Legen skal melde.",
                   after="Legane skal melde straks.",
                   diff=[["-", "Legen "], ["+", "Legane "], ["=", "skal melde"], ["-", "."],
                         ["+", " straks."]]),
        "fjernet": add(e, "Veileder <b>trukket</b>", T0 + timedelta(days=2), kind="removed",
                       authority="helsedirektoratet", before="Rettleiar for kommunelegar i Øst"),
        "flyttet": add(e, "Kapittel flyttet", T0 + timedelta(days=3), kind="moved",
                       authority="helsedirektoratet", before="3 Smittevern\nTekst",
                       after="4 Smittevern\nTekst", story_key="s1",
                       diff=[["-", "3 "], ["+", "4 "], ["=", "Smittevern\nTekst"]]),
        "holdt": add(e, "Holdt tilbake", T0 + timedelta(days=4), status="held"),
    }  # fmt: skip


def tree(page: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(page)


def titles(page: str) -> list[str]:
    return [a.text_content() for a in tree(page).xpath("//li[@class='change']//a[1]")]


async def test_change_log_newest_first_only_published(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    seed(ctx)
    response = await client.get("/endringer")
    assert response.status_code == 200
    doc = tree(response.text)
    assert doc.get("lang") == "nb"
    assert titles(response.text) == [
        "Kapittel flyttet", "Veileder <b>trukket</b>", "Smittevernloven endret",
        "Nye råd om vaksine mot influensa",
    ]  # fmt: skip
    assert "<b>trukket" not in response.text  # escaped
    assert NB["kind_moved"] in response.text and NB["kind_removed"] in response.text
    feeds = doc.xpath("//link[@rel='alternate'][@type='application/atom+xml']/@href")
    assert "/endringer.atom" in feeds and "/endringer.atom?urgent=1" in feeds
    assert len(doc.xpath("//h1")) == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("subtopic=vaksinasjon", ["Nye råd om vaksine mot influensa"]),
        ("region=4601", ["Nye råd om vaksine mot influensa"]),
        ("authority=regjeringen", ["Smittevernloven endret"]),
        ("kind=removed", ["Veileder <b>trukket</b>"]),
        ("urgent=1", ["Smittevernloven endret"]),
        ("since=2026-11-22&until=2026-11-22", ["Veileder <b>trukket</b>"]),
        ("q=RÅD", ["Nye råd om vaksine mot influensa"]),
        ("q=øst", ["Veileder <b>trukket</b>"]),
        ("q=legane+straks", ["Smittevernloven endret"]),
        ("q=holdt", []),
        ("subtopic=ukjent", None),  # an unknown choice is dropped: everything shows
    ],
)
async def test_change_log_filters_and_search(
    ctx: Context, client: httpx.AsyncClient, query: str, expected: list[str] | None
) -> None:
    seed(ctx)
    page = (await client.get(f"/endringer?{query}")).text
    if expected is None:
        assert len(titles(page)) == 4
        return
    assert titles(page) == expected
    if not expected:
        assert NB["no_results"] in page


async def test_filters_are_shown_back_and_a_bad_date_is_named(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    seed(ctx)
    page = (await client.get("/endringer?subtopic=vaksinasjon&since=31.12.2026&q=vaksine")).text
    doc = tree(page)
    assert doc.xpath("//select[@id='subtopic']/option[@selected]/@value") == ["vaksinasjon"]
    assert doc.xpath("//input[@id='q']/@value") == ["vaksine"]
    assert NB["f_bad_date"] in page
    assert doc.xpath("//input[@id='since']/@aria-invalid") == ["true"]
    labels = {label.get("for") for label in doc.iter("label")}
    for control in doc.xpath("//form//input[not(@type='hidden')] | //form//select"):
        assert control.get("id") in labels


async def test_paging_by_id_keeps_filters(ctx: Context, client: httpx.AsyncClient) -> None:
    for i in range(30):
        add(ctx.engine, f"Endring {i:02}", T0 + timedelta(hours=i), urgent=i % 2 == 0)
    first = (await client.get("/endringer?urgent=1&lang=nn")).text
    assert titles(first) == [f"Endring {i:02}" for i in range(28, -1, -2)]
    assert NN["older"] not in first  # 15 urgent: one page
    everything = (await client.get("/endringer")).text  # nynorsk still: the cookie
    assert len(titles(everything)) == 25
    older = tree(everything).xpath("//nav[@class='pager']//a[@rel='next']/@href")
    assert len(older) == 1 and "before=" in older[0] and older[0].endswith("lang=nn")
    second = (await client.get(older[0])).text
    assert titles(second) == [f"Endring {i:02}" for i in range(4, -1, -1)]
    assert NN["newest"] in second and NN["older"] not in second
    urgent = (await client.get("/endringer?urgent=1&lang=nb&before=10")).text
    assert titles(urgent) == ["Endring 08", "Endring 06", "Endring 04", "Endring 02", "Endring 00"]


async def test_change_page_shows_diff_source_tags_story_and_credit(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    ids = seed(ctx)
    response = await client.get(f"/endringer/{ids['lov']}")
    assert response.status_code == 200
    doc = tree(response.text)
    assert doc.findtext(".//h1") == "Smittevernloven endret"
    assert [d.text_content() for d in doc.xpath("//div[@class='diff']/del")] == [
        f"{NB['diff_removed']} Legen ", f"{NB['diff_removed']} .",
    ]  # fmt: skip
    assert [i.text_content() for i in doc.xpath("//div[@class='diff']/ins")] == [
        f"{NB['diff_added']} Legane ", f"{NB['diff_added']}  straks.",
    ]  # fmt: skip
    assert doc.xpath("//a[@href='https://regjeringen.example.no/22']")
    assert "Kapittel 4 › § 4-1" in response.text
    label = next(s.label_nb for s in ctx.taxonomy.subtopics if s.slug == "forskrifter_regelverk")
    assert doc.xpath("//a[@href='/endringer?subtopic=forskrifter_regelverk']")[0].text == label
    assert NB["national"] in response.text  # no regions: the whole country
    assert NB["nlod"].format(authority="Regjeringen") in response.text

    page = (await client.get(f"/endringer/{ids['vaksine']}")).text
    assert "Vestland" in page and "Bergen" in page
    assert tree(page).xpath("//a[@href='/endringer?region=4601']")
    assert NB["story_title"] in page and "Kapittel flyttet" in page
    assert "Gjeld for alle over 65 år." in page
    assert NB["nlod"].format(authority="Folkehelseinstituttet") in page


async def test_removals_and_moves_are_shown_as_such(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    ids = seed(ctx)
    removed = (await client.get(f"/endringer/{ids['fjernet']}")).text
    assert NB["removed_title"] in removed
    assert tree(removed).xpath("//div[contains(@class,'removed')]/del")[0].text_content() == (
        "Rettleiar for kommunelegar i Øst"
    )
    moved = (await client.get(f"/endringer/{ids['flyttet']}?lang=nn")).text
    assert NN["moved_title"] in moved
    assert NN["moved_text"].format(old="3 Smittevern", new="4 Smittevern") in moved


async def test_a_text_too_long_to_show_whole_says_so_and_points_to_the_source(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    """A new regulation of 30,000 characters is shown to ``SHOWN_LIMIT`` and the page says
    it is shortened and where to read it all (nb and nn); so does a word diff cut at its
    limits; a text that fits carries no such note."""
    long_text = "§ 1. Forskrifta gjeld for alle kommunar. " * 750  # 30,750 characters
    long_new = add(ctx.engine, "Ny forskrift", T0, summary="", after=long_text)
    long_diff = add(
        ctx.engine, "Lang endring", T0, kind="changed", before="a", after="b",
        diff=[["=", "ord " * 4_000], ["+", "nytt "]] * 20,
    )  # fmt: skip
    ids = seed(ctx)
    page = (await client.get(f"/endringer/{long_new}")).text
    (shown,) = tree(page).xpath("//div[@class='text']")
    assert len(shown.text_content()) == SHOWN_LIMIT and shown.text_content().endswith("…")
    (cut,) = tree(page).xpath("//p[contains(@class,'cut')]")
    note = NB["text_cut"] + " " + NB["read_all"].format(authority="Folkehelseinstituttet")
    assert cut.text_content() == note
    assert cut.xpath("a/@href") == ["https://fhi.example.no/12"]  # the change's own address
    diff_page = (await client.get(f"/endringer/{long_diff}")).text
    assert tree(diff_page).xpath("//div[@class='diff']")
    assert [p.text_content() for p in tree(diff_page).xpath("//p[contains(@class,'cut')]")] == [
        note
    ]
    for short in (ids["lov"], ids["vaksine"], ids["fjernet"]):
        assert not tree((await client.get(f"/endringer/{short}")).text).xpath(
            "//p[contains(@class,'cut')]"
        )
    nynorsk = (await client.get(f"/endringer/{long_new}?lang=nn")).text
    assert NN["read_all"].format(authority="Folkehelseinstituttet") in nynorsk


async def test_unpublished_and_unknown_changes_are_not_found(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    ids = seed(ctx)
    for path in (f"/endringer/{ids['holdt']}", "/endringer/99999"):
        response = await client.get(path)
        assert response.status_code == 404
        assert NB["not_found_title"] in response.text
        assert "Holdt tilbake" not in response.text
    # not a number: the same Norwegian 404 page (was FastAPI's English 422 JSON)
    response = await client.get("/endringer/abc")
    assert response.status_code == 404 and NB["not_found_title"] in response.text


async def test_nynorsk_everywhere_remembered_and_kept_in_links(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    ids = seed(ctx)
    response = await client.get("/endringer?lang=nn&kind=changed")
    assert response.cookies.get("lang") == "nn"
    doc = tree(response.text)
    assert doc.get("lang") == "nn"
    assert NN["changes_title"] in response.text and NB["changes_title"] not in response.text
    links = [h for h in doc.xpath("//main//a/@href") if h.startswith("/endringer/")]
    assert links and all(h.endswith("lang=nn") for h in links)
    assert doc.xpath("//input[@name='lang']/@value") == ["nn"]  # the form keeps it too
    switch = doc.xpath("//nav/a[@hreflang='nb']/@href")
    assert switch == ["/endringer?kind=changed&lang=nb"]
    # the cookie remembers: the next page without ?lang is nynorsk
    page = await client.get(f"/endringer/{ids['lov']}")
    assert tree(page.text).get("lang") == "nn"
    assert NN["diff_title"] in page.text and NN["nlod"].format(authority="Regjeringa") in page.text
    front = await client.get("/")
    assert tree(front.text).get("lang") == "nn" and NN["home_title"] in front.text
    back = await client.get("/?lang=nb")
    assert tree(back.text).get("lang") == "nb" and back.cookies.get("lang") == "nb"


async def test_front_page_urgent_topics_subscribe_and_watched_sources(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    ids = seed(ctx)
    response = await client.get("/")
    assert response.status_code == 200
    doc = tree(response.text)
    assert doc.findtext(".//h1") == NB["home_title"]
    urgent = doc.xpath("//section[@aria-labelledby='urgent-title']//li[@class='change']//h3/a")
    assert [a.text_content() for a in urgent] == ["Smittevernloven endret"]
    topics = doc.xpath("//section[@aria-labelledby='topics-title']//li")
    assert len(topics) == len(ctx.taxonomy.subtopics)
    vaks = [li for li in topics if f"/endringer/{ids['vaksine']}" in li.xpath(".//a/@href")]
    assert len(vaks) == 1
    assert doc.xpath("//a[@href='/abonner']")
    rows = doc.xpath("//section[@aria-labelledby='sources-title']//tbody/tr")
    assert len(rows) == 3 and all(NB["source_watched"] in r.text_content() for r in rows)
    for hidden in ("consecutive_errors", "Feil", "last_error"):
        assert hidden not in response.text
    assert doc.xpath("//link[@rel='alternate'][@href='/endringer.atom?urgent=1']")


async def test_empty_site(client: httpx.AsyncClient) -> None:
    front = await client.get("/?lang=nn")
    assert front.status_code == 200 and NN["urgent_none"] in front.text
    log = await client.get("/endringer?lang=nb")
    assert log.status_code == 200 and NB["no_changes"] in log.text


async def test_health_and_json_list_unchanged(ctx: Context, client: httpx.AsyncClient) -> None:
    seed(ctx)
    with Session(ctx.engine) as session:  # a failing source stays out of the public answer
        source = session.exec(select(Source)).first()
        assert source is not None
        source.consecutive_errors, source.last_error = 3, "HTTP 503"
        session.add(source)
        session.commit()
    health = (await client.get("/healthz")).json()
    assert health == {"status": "ok", "sources": 3}  # source health is for staff only
    listed = (await client.get("/api/changes?limit=2")).json()
    assert [c["title"] for c in listed] == ["Kapittel flyttet", "Veileder <b>trukket</b>"]
    # a large limit is the most (500), as ever, and "²" or 40 digits the default: never an error
    for limit in ("6000", "9" * 40, "²"):
        answer = await client.get(f"/api/changes?limit={limit}")
        assert answer.status_code == 200 and len(answer.json()) == 4  # all there are


async def test_links_from_a_nynorsk_mail_open_nynorsk_pages(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    from sqlmodel import Session, select

    from notifier.web.links import attach
    from subscribers.models import Subscriber
    from subscribers.service import add_subscriber

    ids = seed(ctx)
    with Session(ctx.engine) as session:
        add_subscriber(
            session, "nn@k.no", role="kommunelege", subtopics=["vaksinasjon"], cadence="daily",
            known_subtopics=ctx.taxonomy.slugs(), confirmed=True,
        )  # fmt: skip
        session.commit()
        sub = session.exec(select(Subscriber)).one()
    assert sub.id is not None
    links = attach(ctx)
    nn = links.mail_links(sub.id, sub.token_version, ctx.clock(), lang="nn")
    nb = links.mail_links(sub.id, sub.token_version, ctx.clock())
    assert nn.preferences.endswith("?lang=nn") and "lang=" not in nb.preferences
    base = ctx.settings.base_url
    page = await client.get(nn.preferences.removeprefix(base))
    assert page.status_code == 200 and tree(page.text).get("lang") == "nn"
    change = links.change(ids["lov"], "nn")
    assert change == f"{base}/endringer/{ids['lov']}?lang=nn"
    shown = await client.get(change.removeprefix(base))
    assert tree(shown.text).get("lang") == "nn" and NN["diff_title"] in shown.text


async def test_a_selection_a_feed_can_follow_links_its_feed(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    seed(ctx)

    async def feeds(query: str) -> list[str]:
        page = (await client.get(f"/endringer?{query}")).text
        return tree(page).xpath("//link[@type='application/atom+xml']/@href")

    both = ["/endringer.atom", "/endringer.atom?urgent=1"]
    assert await feeds("subtopic=vaksinasjon&region=46") == [
        *both, "/endringer.atom?subtopic=vaksinasjon&region=46"
    ]  # fmt: skip
    assert await feeds("authority=fhi&urgent=1") == [
        *both, "/endringer.atom?authority=fhi&urgent=1"
    ]  # fmt: skip
    assert await feeds("subtopic=vaksinasjon&q=vaksine") == both  # a search has no feed
    assert await feeds("urgent=1") == both


@pytest.mark.parametrize(
    "path",
    ["/endringer/999999999999999999999999", "/endringer/abc", "/endringer/%C2%B2", "/endringer/-1"],
)
async def test_an_id_that_cannot_be_a_change_is_not_found_in_words(
    client: httpx.AsyncClient, path: str
) -> None:
    """Too large for the database's integers, not a number, or not ASCII digits: a Norwegian
    404 page, never a server error or FastAPI's English JSON."""
    answer = await client.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert NB["not_found_title"] in answer.text


async def test_paging_from_an_impossible_id_starts_from_the_newest(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    seed(ctx)
    first = await client.get("/endringer")
    listed = set(lxml_html.fromstring(first.text).xpath("//main//h2/a/@href | //main//h3/a/@href"))
    assert listed
    for before in ("999999999999999999999999", "%C2%B2", "-1"):
        answer = await client.get(f"/endringer?before={before}")
        assert answer.status_code == 200, before
        page = lxml_html.fromstring(answer.text)
        assert set(page.xpath("//main//h2/a/@href | //main//h3/a/@href")) == listed, before
