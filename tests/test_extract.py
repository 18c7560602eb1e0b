"""Extraction and normalisation: pure, no servers."""

from __future__ import annotations

import pytest

from feeds.errors import SourceProblem
from feeds.extract import canonical_url, extract_feed, extract_page, html_to_text
from feeds.normalize import decode_body

PAGE = """<html><head><title>Veileder</title></head><body>
<nav>Hovedmeny</nav>
<main>
<h1>Testing</h1>
<p>Alle med symptomer <b>bør</b> teste seg.</p>
<p>Sist oppdatert: 12.03.2021</p>
<h2>Hurtigtest</h2><ul><li>Første punkt</li><li>Andre punkt</li></ul>
<h2>PCR</h2><p>PCR brukes ved positiv hurtigtest.</p>
</main><footer>Kontakt</footer></body></html>"""


def test_page_is_split_into_sections_by_heading_path() -> None:
    page = extract_page(PAGE.encode())
    assert page.title == "Veileder"
    assert [(s.path, s.text) for s in page.sections] == [
        (("Testing",), "Alle med symptomer bør teste seg."),
        (("Testing", "Hurtigtest"), "• Første punkt\n• Andre punkt"),
        (("Testing", "PCR"), "PCR brukes ved positiv hurtigtest."),
    ]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("<p>Sist oppdatert: 12.03.2021</p>", "<p>Sist oppdatert: 14.04.2022</p>"),
        ("<p>bør</p>", "<p>b&oslash;r</p>"),
        ("<p>bør teste</p>", "<p>bør\n\n   teste</p>"),
        ("<p>bør teste</p>", "<p>bør&nbsp;teste</p>"),
        ("<p>bør teste</p>", "<div><span>bør</span> <em>teste</em></div>"),
        ("<p>x</p>", "<p>x</p><script>var t = 123;</script>"),
    ],
)
def test_noise_and_markup_do_not_change_the_content(before: str, after: str) -> None:
    a = extract_page(f"<main><h1>T</h1>{before}<p>Mer tekst</p></main>".encode())
    b = extract_page(f"<main><h1>T</h1>{after}<p>Mer tekst</p></main>".encode())
    assert a.digest == b.digest


def test_the_same_text_in_another_encoding_is_the_same_content() -> None:
    html = "<html><head><meta charset='{}'></head><body><main><p>Smittevern på sykehjem: være ærlig</p></main></body></html>"
    utf8 = extract_page(html.format("utf-8").encode("utf-8"))
    cp1252 = extract_page(html.format("windows-1252").encode("cp1252"))
    bom = extract_page(b"\xef\xbb\xbf" + html.format("utf-8").encode("utf-8"))
    header = extract_page(
        html.format("x").replace("<meta charset='x'>", "").encode("iso-8859-1"),
        {"content-type": "text/html; charset=ISO-8859-1"},
    )
    assert utf8.digest == cp1252.digest == bom.digest == header.digest


def test_undeclared_windows_1252_falls_back_from_utf8() -> None:
    assert decode_body("Smittevern på sykehjem".encode("cp1252")) == "Smittevern på sykehjem"


@pytest.mark.parametrize(
    "body",
    [
        "<html><title>Just a moment...</title><body><p>Checking your browser</p></body></html>",
        "<html><body><main><h1>Vi utfører vedlikehold</h1><p>Prøv igjen senere.</p></main></body></html>",
        "<html><body><main><h1>Siden finnes ikke</h1></main></body></html>",
        "<html><body><main></main></body></html>",
        "",
    ],
)
def test_error_maintenance_and_empty_pages_are_source_problems(body: str) -> None:
    with pytest.raises(SourceProblem):
        extract_page(body.encode(), selector="main" if "main" in body else None)


def test_selector_that_matches_nothing_is_a_source_problem() -> None:
    with pytest.raises(SourceProblem, match="matched nothing"):
        extract_page(PAGE.encode(), selector="article.t-body-text")


def test_a_page_of_countless_sections_is_a_source_problem_not_a_growing_snapshot() -> None:
    from feeds.extract import MAX_SECTIONS

    def headings(n: int) -> bytes:
        return (
            "<main>" + "".join(f"<h2>{i}</h2><p>t{i}</p>" for i in range(n)) + "</main>"
        ).encode()

    assert len(extract_page(headings(MAX_SECTIONS)).sections) == MAX_SECTIONS
    with pytest.raises(SourceProblem, match="narrower content selector"):
        extract_page(headings(MAX_SECTIONS + 1))


def test_drop_selectors_remove_noise() -> None:
    page = extract_page(
        b"<main><p>Innhold</p><div class='cookie'>Vi bruker cookies</div></main>",
        drop=(".cookie",),
    )
    assert [s.text for s in page.sections] == ["Innhold"]


RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Nyheter</title>
<item><title>A &amp; B</title><link>https://x.no/a?utm_source=rss&amp;id=3#top</link><guid>g1</guid>
<description>&lt;p&gt;Ingress&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description></item>
<item><title>Uten guid</title><link>https://x.no/b</link></item>
<item><title>Farlig</title><link>javascript:alert(1)</link><description>tekst</description></item>
</channel></rss>"""


def test_feed_items_are_adapted_to_our_own_type() -> None:
    feed = extract_feed(RSS)
    first, second, third = feed.items
    assert first.title == "A & B"
    assert first.link == "https://x.no/a?id=3"
    assert first.summary == "Ingress"
    assert second.item_id != first.item_id
    assert third.link == ""


def test_feed_identity_prefers_guid_then_link() -> None:
    a = extract_feed(RSS).items[0]
    moved = extract_feed(RSS.replace(b"https://x.no/a?", b"https://x.no/moved?")).items[0]
    assert a.item_id == moved.item_id


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>not a feed</body></html>",
        b"",
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<rss><channel><item><title>&xxe;</title></item></channel></rss>",
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<rss><channel><item><title>&b;</title></item></channel></rss>",
    ],
)
def test_malformed_and_hostile_feeds_are_refused(body: bytes) -> None:
    with pytest.raises(SourceProblem):
        extract_feed(body)


def test_html_to_text_and_canonical_url() -> None:
    assert html_to_text("<p>En</p><p>To<br>tre</p>") == "En\nTo\ntre"
    assert canonical_url("https://x.no/p?utm_campaign=a&fbclid=z&q=1#frag") == "https://x.no/p?q=1"
    assert canonical_url("data:text/html,hi") == ""


def test_a_plain_xpath_selector_extracts_like_its_css_twin() -> None:
    """The catalogue admits plain XPath (feeds.selectors); extraction reads it too."""
    page = (
        "<html><body><nav>Meny</nav><article class='t-body-text'><h1>Veileder</h1>"
        "<h2>Testing</h2><p>Alle med symptomer bør teste seg.</p>"
        "<div class='share'>Del på Facebook</div></article><footer>Kontakt</footer>"
        "</body></html>"
    ).encode()
    css = extract_page(page, selector="article.t-body-text", drop=[".share"])
    xpath = extract_page(page, selector="//article", drop=["//div[@class='share']"])
    assert xpath.sections == css.sections
    assert "Facebook" not in str(css.sections) and "symptomer" in str(css.sections)
