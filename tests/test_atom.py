"""The Atom feeds over HTTP, on SQLite and PostgreSQL: valid Atom 1.0 (feedparser without
bozo, and the RELAX NG schema of RFC 4287 in tests/fixtures/atom/atom.rng), Norwegian titles,
the filters, hostile text from the web kept as text, and conditional GET (304)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from sqlmodel import Session

from notifier import atom, review
from notifier.context import Context
from tests.support.api import BASE, add_change, api_client

RNG = etree.RelaxNG(etree.parse(str(Path(__file__).parent / "fixtures" / "atom" / "atom.rng")))
NS = {"a": atom.ATOM_NS}


def check_atom(body: bytes) -> etree._Element:
    """The feed, once it passes the schema, RFC 4287's two Schematron rules and feedparser."""
    doc = etree.fromstring(body)
    assert RNG.validate(doc), RNG.error_log
    feed_has_author = doc.find("a:author", NS) is not None
    for entry in doc.findall("a:entry", NS):
        assert feed_has_author or entry.find("a:author", NS) is not None
        if entry.find("a:content", NS) is None:
            assert entry.find("a:link[@rel='alternate']", NS) is not None
    parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-type": atom.MEDIA_TYPE})
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return doc


def test_the_schema_refuses_what_rfc_4287_refuses() -> None:
    """The fixture schema is not a rubber stamp: a feed without id, a bad date, a link
    without href are refused."""
    good = atom.render(
        atom.AtomFeed(
            id=f"{BASE}/endringer.atom", title="T", self_url=f"{BASE}/endringer.atom",
            alternate_url=f"{BASE}/endringer", author="Helsevarsel", lang="nb", entries=(),
        )
    )  # fmt: skip
    assert RNG.validate(etree.fromstring(good))
    for broken in (
        good.replace(b"<id>", b"<x:id xmlns:x='urn:x'>").replace(b"</id>", b"</x:id>"),
        good.replace(b"<updated>2026", b"<updated>i g\xc3\xa5r 2026"),
        good.replace(b' href="', b' hraf="', 1),
        good.replace(b"<title>T</title>", b""),
    ):
        assert not RNG.validate(etree.fromstring(broken))


async def test_feed_is_valid_atom_with_norwegian_titles_and_links(ctx: Context) -> None:
    first = add_change(ctx, "Nye råd om vaksine", kind="new", subtopics=("vaksinasjon",))
    second = add_change(ctx, "Smittevern i skolen", urgent=True, subtopics=("testing",))
    add_change(ctx, "Venter på godkjenning", status="held", held_reason="most_replaced")
    async with api_client(ctx) as client:
        response = await client.get("/endringer.atom")
        nn = await client.get("/endringer.atom", params={"lang": "nn", "urgent": "1"})
    assert response.status_code == 200
    assert response.headers["content-type"] == atom.MEDIA_TYPE
    doc = check_atom(response.content)
    assert doc.findtext("a:title", namespaces=NS) == "Helsevarsel: endringer"
    assert doc.find("a:link[@rel='self']", NS).get("href") == f"{BASE}/endringer.atom"
    assert doc.find("a:link[@rel='alternate']", NS).get("href") == f"{BASE}/endringer"
    entries = doc.findall("a:entry", NS)
    assert [e.findtext("a:title", namespaces=NS) for e in entries] == [
        "Haster! Endret: Smittevern i skolen",
        "Ny: Nye råd om vaksine",
    ]
    assert [e.findtext("a:id", namespaces=NS) for e in entries] == [
        f"{BASE}/endringer/{second}",
        f"{BASE}/endringer/{first}",
    ]
    link = entries[1].find("a:link[@rel='alternate']", NS)
    assert link.get("href") == f"{BASE}/endringer/{first}"
    assert entries[1].find("a:category", NS).get("label") == "Vaksinasjon"
    assert entries[1].findtext("a:author/a:name", namespaces=NS) == "Fhi Nyheter"
    assert "<del>to</del><ins>tre</ins>" in entries[1].findtext("a:content", namespaces=NS)
    doc_nn = check_atom(nn.content)
    assert doc_nn.findtext("a:title", namespaces=NS) == "Helsevarsel: endringar som hastar"
    assert [e.findtext("a:title", namespaces=NS) for e in doc_nn.findall("a:entry", NS)] == [
        "Hastar! Endra: Smittevern i skolen"
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"subtopic": "testing"}, ["Bergen", "Landet"]),
        ({"authority": "helsedirektoratet"}, ["Landet"]),
        ({"region": "46"}, ["Bergen", "Vestland"]),  # the county: its municipalities too
        ({"region": "4601"}, ["Bergen", "Vestland"]),  # Bergen's, and its county as a whole
        ({"region": "4602"}, ["Vestland"]),  # Kinn: not Bergen's
        ({"urgent": "1"}, ["Vestland"]),
        ({"region": "46", "subtopic": "testing"}, ["Bergen"]),
    ],
)
async def test_feed_filters(ctx: Context, params: dict[str, str], expected: list[str]) -> None:
    add_change(ctx, "Landet", source="hdir", authority="helsedirektoratet",
               subtopics=("testing",))  # fmt: skip
    add_change(ctx, "Vestland", regions=("46",), urgent=True)
    add_change(ctx, "Bergen", regions=("46", "4601"), subtopics=("testing",))
    async with api_client(ctx) as client:
        response = await client.get("/endringer.atom", params=params)
    doc = check_atom(response.content)
    titles = [e.findtext("a:title", namespaces=NS) for e in doc.findall("a:entry", NS)]
    assert [t.rsplit(": ", 1)[1] for t in titles] == expected
    assert "?" in doc.find("a:link[@rel='self']", NS).get("href")


async def test_feed_title_names_the_filters(ctx: Context) -> None:
    async with api_client(ctx) as client:
        response = await client.get(
            "/endringer.atom", params={"subtopic": "vaksinasjon", "region": "4601"}
        )
    doc = check_atom(response.content)
    assert doc.findtext("a:title", namespaces=NS) == (
        "Helsevarsel: endringer om Vaksinasjon for Bergen"
    )
    assert doc.findall("a:entry", NS) == []


HOSTILE_TITLE = 'Ny\x01 forskrift <script>alert("x")</script> ]]> &amp; \x1b[31m\ufffe slutt'
HOSTILE_SUMMARY = '<img src=x onerror="alert(1)"><a href="javascript:alert(2)">klikk</a>\x07'


async def test_hostile_text_stays_text_and_the_feed_stays_valid(ctx: Context) -> None:
    add_change(
        ctx, HOSTILE_TITLE, summary=HOSTILE_SUMMARY, url="javascript:alert(3)",
        diff=[["=", "<b>fet</b>"], ["+", "<iframe src=//evil.example>"], ["-", "\x0b"]],
    )  # fmt: skip
    async with api_client(ctx) as client:
        response = await client.get("/endringer.atom")
    doc = check_atom(response.content)
    entry = doc.find("a:entry", NS)
    title = entry.findtext("a:title", namespaces=NS)
    assert title == 'Endret: Ny forskrift <script>alert("x")</script> ]]> &amp; [31m slutt'
    assert entry.find("a:title", NS).get("type") is None  # plain text: a reader shows it
    html = entry.findtext("a:content", namespaces=NS)
    # the only markup is ours; every tag of the source arrives escaped, as text
    tags = {el.tag for el in etree.HTML(f"<div>{html}</div>").iter() if isinstance(el.tag, str)}
    assert tags <= {"html", "body", "div", "p", "del", "ins"}
    assert "&lt;img src=x onerror=" in html and "&lt;iframe" in html
    assert "javascript:" not in "".join(etree.HTML(html).xpath("//@href"))
    assert entry.find("a:link[@rel='related']", NS) is None  # no javascript: link
    parsed = feedparser.parse(io.BytesIO(response.content))
    assert parsed.entries[0].title == title


async def test_conditional_get_answers_304_until_something_changes(ctx: Context) -> None:
    add_change(ctx, "Første")
    held = add_change(ctx, "Holdt", status="held", held_reason="most_replaced")
    async with api_client(ctx) as client:
        first = await client.get("/endringer.atom", params={"subtopic": "vaksinasjon"})
        etag = first.headers["etag"]
        assert etag.startswith('"') and not etag.startswith("W/")
        assert first.headers["cache-control"] == "public, max-age=60"
        modified = first.headers["last-modified"]
        again = await client.get(
            "/endringer.atom", params={"subtopic": "vaksinasjon"},
            headers={"If-None-Match": etag},
        )  # fmt: skip
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        by_date = await client.get(
            "/endringer.atom", params={"subtopic": "vaksinasjon"},
            headers={"If-Modified-Since": modified},
        )  # fmt: skip
        assert by_date.status_code == 304
        other_filter = await client.get(
            "/endringer.atom", params={"subtopic": "testing"},
            headers={"If-None-Match": etag},
        )  # fmt: skip
        assert other_filter.status_code == 200

        ctx.clock.advance(minutes=5)  # type: ignore[attr-defined]
        with Session(ctx.engine) as session:  # staff approve the held change: a new entry
            review.approve(session, held, None, ctx.clock())
            session.commit()
        after = await client.get(
            "/endringer.atom", params={"subtopic": "vaksinasjon"},
            headers={"If-None-Match": etag},
        )  # fmt: skip
        assert after.status_code == 200 and after.headers["etag"] != etag
        assert len(check_atom(after.content).findall("a:entry", NS)) == 2

        with Session(ctx.engine) as session:  # suppressing one takes it out again
            review.suppress(session, held, None, "feil", ctx.clock())
            session.commit()
        gone = await client.get(
            "/endringer.atom", params={"subtopic": "vaksinasjon"},
            headers={"If-None-Match": after.headers["etag"]},
        )  # fmt: skip
        assert gone.status_code == 200
        assert len(check_atom(gone.content).findall("a:entry", NS)) == 1


async def test_wrong_parameters_are_refused_in_norwegian(ctx: Context) -> None:
    async with api_client(ctx) as client:
        for params, code in (
            ({"subtopic": "finnes-ikke"}, "subtopic_unknown"),
            ({"region": "9999"}, "region_unknown"),
            ({"urgent": "kanskje"}, "urgent_invalid"),
            ({"authority": "nasa"}, "authority_unknown"),
            ({"lang": "en"}, "lang_invalid"),
        ):
            response = await client.get("/endringer.atom", params=params)
            assert response.status_code == 400, params
            error = response.json()["error"]
            assert error["code"] == code and error["message"] and error["message_nn"]


def test_empty_feed_is_stable_and_valid() -> None:
    feed = atom.AtomFeed(
        id=f"{BASE}/endringer.atom", title="Helsevarsel: endringer",
        self_url=f"{BASE}/endringer.atom", alternate_url=f"{BASE}/endringer",
        author="Helsevarsel", lang="nb", entries=(),
    )  # fmt: skip
    assert atom.render(feed) == atom.render(feed)
    check_atom(atom.render(feed))


def test_characters_xml_cannot_hold_are_dropped() -> None:
    """PostgreSQL stores no NUL, SQLite does: either way none reaches the XML."""
    assert atom.xml_text("a\x00b\x08c\x0bd\ud800e\uffffg\tok\n") == "abcdeg\tok\n"
    assert atom.one_line(" a\x00 \n b ") == "a b"
    assert atom.safe_url("javascript:alert(1)") == ""
    assert atom.safe_url("https://fhi.no/a b") == ""
    assert atom.safe_url(" https://fhi.no/x?y=1 ") == "https://fhi.no/x?y=1"


def test_times_are_rfc_3339_utc() -> None:
    oslo = datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=UTC) + timedelta(hours=0)
    assert atom.atom_time(oslo) == "2026-11-23T09:30:15Z"


async def test_a_page_change_confirmed_later_is_news_to_if_modified_since(ctx: Context) -> None:
    """A page change is found at one check and published when a later check confirms it
    (``confirmed_at``), after changes found in between: its entry's ``updated`` and the feed's
    Last-Modified are the confirmation, so a reader asking If-Modified-Since (without an ETag)
    gets it instead of a 304."""
    from feeds.store.models import Change

    found_first = ctx.clock() - timedelta(minutes=10)
    pending = add_change(ctx, "Siden endret", status="pending", at=found_first)
    add_change(ctx, "Nyhet", at=ctx.clock())
    async with api_client(ctx) as client:
        first = await client.get("/endringer.atom")
        assert len(check_atom(first.content).findall("a:entry", NS)) == 1
        modified = first.headers["last-modified"]
        ctx.clock.advance(minutes=2)  # type: ignore[attr-defined]
        with Session(ctx.engine) as session:  # the re-check confirms it, as the store does
            change = session.get(Change, pending)
            assert change is not None
            change.status, change.confirmed_at = "published", ctx.clock()
            session.add(change)
            session.commit()
        later = await client.get("/endringer.atom", headers={"If-Modified-Since": modified})
        assert later.status_code == 200
        doc = check_atom(later.content)
        assert len(doc.findall("a:entry", NS)) == 2
        assert later.headers["last-modified"] != modified
        updated = {
            e.findtext("a:title", namespaces=NS): e.findtext("a:updated", namespaces=NS)
            for e in doc.findall("a:entry", NS)
        }
        assert updated["Endret: Siden endret"] == atom.atom_time(ctx.clock())


async def test_a_nynorsk_feed_links_to_nynorsk_pages(ctx: Context) -> None:
    """Entries of ``?lang=nn`` open the change page in nynorsk; their ids stay those of the
    bokmål feed (an entry is the same entry in both)."""
    change_id = add_change(ctx, "Nye råd")
    async with api_client(ctx) as client:
        nb = check_atom((await client.get("/endringer.atom")).content)
        nn = check_atom((await client.get("/endringer.atom", params={"lang": "nn"})).content)
        page = f"{BASE}/endringer/{change_id}"
        assert nb.findtext("a:entry/a:id", namespaces=NS) == page
        assert nn.findtext("a:entry/a:id", namespaces=NS) == page
        assert nb.xpath("a:entry/a:link[@rel='alternate']/@href", namespaces=NS) == [page]
        nn_links = nn.xpath("a:entry/a:link[@rel='alternate']/@href", namespaces=NS)
        assert nn_links == [f"{page}?lang=nn"]
        shown = await client.get(str(nn_links[0]).removeprefix(BASE))
        assert '<html lang="nn">' in shown.text
