"""Extraction and normalisation: pure, no servers."""

from __future__ import annotations

import re
from datetime import date

import pytest
from lxml import etree

from feeds.errors import SourceProblem
from feeds.read.feed import extract_feed, identity_guid
from feeds.read.html import (
    _parse_html,
    canonical_url,
    extract_page,
    html_to_text,
    identity_url,
    parse_page,
)
from feeds.read.normalize import decode_body, signal_dates

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


@pytest.mark.parametrize(
    ("meta", "headers"),
    [
        ("utf-8", {}),
        ("iso-8859-1", {"content-type": "text/html; charset=utf-8"}),  # the header wins
        ("windows-1252", {"content-type": "text/html; charset=UTF8"}),
        ("utf-16", {}),  # a wrong declaration that cannot decode: UTF-8 after all
    ],
)
def test_a_utf8_page_parsed_from_its_bytes_reads_as_its_decoded_text(
    meta: str, headers: dict[str, str]
) -> None:
    """UTF-8 pages are handed to libxml2 as bytes (``parse_page``); whatever the page's own
    <meta> says, the tree is the one parsed from the text ``decode_body`` gives."""
    body = (
        f"<html><head><meta charset='{meta}'><title>Sjukeheim – «råd»</title></head><body>"
        "<main><p>Smittevern på sykehjem: ÆØÅ æøå – € ✓ 𝔘</p></main></body></html>"
    ).encode()
    from_bytes = parse_page(body, headers, plain=True)
    from_text = _parse_html(decode_body(body, headers), plain=True)
    assert etree.tostring(from_bytes, encoding=str) == etree.tostring(from_text, encoding=str)
    assert "ÆØÅ æøå – € ✓ 𝔘" in "".join(from_bytes.itertext())
    assert extract_page(body, headers).title == "Sjukeheim – «råd»"


def test_undeclared_windows_1252_falls_back_from_utf8() -> None:
    assert decode_body("Smittevern på sykehjem".encode("cp1252")) == "Smittevern på sykehjem"


@pytest.mark.parametrize(
    "body",
    [
        "<html><title>Just a moment...</title><body><p>Checking your browser</p></body></html>",
        "<html><body><main><h1>Vi utfører vedlikehold</h1><p>Prøv igjen senere.</p></main></body></html>",
        "<html><body><main><h1>Siden finnes ikke</h1></main></body></html>",
        # a rate limit, a login wall, a consent wall, a refusal, sent as 200 in the site's frame
        "<main><h1>For mange forespørsler</h1><p>Vent litt. Feilkode: 429</p></main>",
        "<main><h1>Logg inn</h1><p>Du må logge inn for å sjå dette innhaldet.</p></main>",
        "<main><h1>Før du fortsetter</h1><p>Vi bruker informasjonskapsler for statistikk. Du må"
        " ta stilling til informasjonskapsler før du kan se innholdet.</p></main>",
        "<main><h1>Ingen tilgang (403)</h1><p>Du har ikkje tilgang til denne sida.</p></main>",
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
    from feeds.read.html import MAX_SECTIONS

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


# ----------------------------------------------------------------------------- issue 10

ARTICLE = """<html><head><title>Retningslinje</title></head><body>
<header role="banner"><a href="/">Helsedirektoratet</a><p>Søk</p></header>
<div role="navigation"><p>Meny</p></div>
<main><article>
<header><h1>Svangerskapsomsorgen</h1><p>Ekstern høring: Høringsfrist 14. mars 2025</p>
<p>Utgått</p><p>Sterk anbefaling</p><p>Sist oppdatert: 3. mars 2025</p>
<nav><a href="#a">Til innholdet</a></nav></header>
<p>Gravide bør tilbys glukosebelastning.</p>
<footer><p>Publisert 1.1.2024</p><p>Forfatter: Avdeling for svangerskap</p></footer>
</article><aside><p>Relaterte lenker</p></aside></main>
<footer><p>Kontakt oss</p></footer></body></html>"""


@pytest.mark.parametrize(
    "wrap",
    [
        ("<main><article>", "</article>"),  # as written
        ("<div><article>", "</article>"),  # an article without <main>
        ("<main><div>", "</div>"),  # a <main> without <article>
        ("<div role='main'><section>", "</section>"),
    ],
)
def test_an_articles_own_header_is_content_the_sites_is_chrome(wrap: tuple[str, str]) -> None:
    """Without a selector, a <header> (and <footer>) inside the content is the article's: its
    notices and labels are read, furniture dates in it are noise as anywhere; the site's own
    header, navigation, asides and footer are dropped."""
    start, end = wrap
    html = ARTICLE.replace("<main><article>", start).replace("</article>", end)
    html = html.replace(
        "</aside></main>", "</aside>" + ("</main>" if "main>" in start else "</div>")
    )
    page = extract_page(html.encode())
    text = "\n".join(s.text for s in page.sections)
    assert page.sections[0].path == ("Svangerskapsomsorgen",)
    assert text.split("\n") == [
        "Ekstern høring: Høringsfrist 14. mars 2025",
        "Utgått",
        "Sterk anbefaling",
        "Gravide bør tilbys glukosebelastning.",
        "Forfatter: Avdeling for svangerskap",
    ]
    assert page.updated == "2025-03-03"


def test_without_content_landmarks_the_pages_header_and_footer_are_chrome() -> None:
    html = (
        "<html><body><header><p>Helsedirektoratet</p></header><h1>Tittel</h1><p>Tekst</p>"
        "<footer><p>Kontakt</p></footer></body></html>"
    )
    assert [s.text for s in extract_page(html.encode()).sections] == ["Tekst"]


def test_with_a_selector_nothing_but_the_selection_counts() -> None:
    page = extract_page(ARTICLE.encode(), selector="article")
    assert "Utgått" in page.sections[0].text


@pytest.mark.parametrize(
    ("line", "noise"),
    [
        ("Sist oppdatert: 3. mars 2025", True),
        ("Sist fagleg oppdatert: 3. mars 2025", True),
        ("Siste faglege endring: 03.03.2025", True),
        (
            "Fyrst publisert: 01.06.2016 Siste faglege endring: 02.12.2026 Sjå tidlegare versjonar",
            True,
        ),
        (
            "Først publisert: 01.06.2016 Siste faglige endring: 02.12.2026 Se tidligere versjoner",
            True,
        ),
        ("Sist endra 30.03.2021", True),
        # review dates and times told relative to now (listings, news): furniture as well
        ("Sist kontrollert 3. mars 2025", True),
        ("Sist vurdert: 03.03.2025", True),
        ("Publisert for 2 timer siden", True),
        ("Oppdatert for 3 dagar sidan", True),
        ("Publisert i går kl. 08.15 · Skriv ut", True),
        ("2 timar sidan", True),
        ("for en time siden", True),
        ("Laster inn kart …", True),
        ("Lastar …", True),
        ("Dato: 20.11.2026 · Sist oppdatert: 04.12.2026", True),
        ("Utskrift fra Lovdata - 05.12.2026 19:27", True),
        ("Skrive ut 04.12.2026 kl. 09.12", True),
        ("Lest 1 204 ganger", True),
        ("Sidevisningar: 88", True),
        ("Lest 3 artikler om vaksine", False),
        ("Gi tilbakemelding på denne siden", True),
        ("Meld frå om feil i innhaldet", True),
        ("Lytt til artikkelen", True),
        ("Les på nynorsk", True),
        ("Read in English", True),
        ("A+ A- Endre tekststørrelse", True),
        ("Kopier lenke", True),
        ("Kopier lenke til dokument", True),
        ("Skriv ut | Last ned som PDF | Del", True),
        ("Sist endra av: Kari Nordmann", True),
        ("Kommunen skal gi tilbakemelding til Statsforvalteren innen 1. mars.", False),
        ("Endret av Helse- og omsorgsdepartementet", False),
        ("Smitten ble påvist for to dager siden.", False),
        ("I dag skal alle teste seg.", False),
        ("Laster inn varer fra bilen", False),
        ("Ekstern høring: Høringsfrist 14. mars 2025", False),
        ("Høyringsfrist: 15.03.2025", False),
        ("Gjeld frå 1. januar 2026", False),
    ],
)
def test_only_dates_of_labelled_furniture_are_noise(line: str, noise: bool) -> None:
    page = extract_page(f"<main><h1>T</h1><p>Tekst</p><p>{line}</p></main>".encode())
    assert (line not in page.sections[0].text) is noise


@pytest.mark.parametrize(
    "url",
    [
        "https://www.regjeringen.no/no/aktuelt/høring/id9/",
        "http://regjeringen.no/no/aktuelt/h%C3%B8ring/id9",
        "https://regjeringen.no:443/no/aktuelt/h%c3%b8ring/id9/?utm_source=rss&utm_medium=x",
        "HTTPS://WWW.Regjeringen.no/no/aktuelt/h%C3%B8ring/id9#top",
    ],
)
def test_identity_url_survives_a_publisher_moving_its_links(url: str) -> None:
    assert identity_url(url) == "regjeringen.no/no/aktuelt/h%C3%B8ring/id9"


def test_identity_url_keeps_what_names_another_document() -> None:
    assert identity_url("https://x.no/a?id=1&b=2") == identity_url("https://x.no/a?b=2&id=1")
    assert identity_url("https://x.no/a?id=1") != identity_url("https://x.no/a?id=2")
    assert identity_url("https://x.no:8443/a") != identity_url("https://x.no/a")
    assert identity_url("https://y.x.no/a") != identity_url("https://x.no/a")
    assert identity_url("mailto:a@x.no") == ""
    assert identity_guid("1001") == "1001"
    assert identity_guid("urn:uuid:5b9d") == "urn:uuid:5b9d"
    assert identity_guid("www.fhi.no/nyheter/1/") == identity_guid("https://fhi.no/nyheter/1")


def _rss(host: str, scheme: str = "https", slash: str = "/", extra: str = "") -> bytes:
    items = "".join(
        f"<item><guid isPermaLink='true'>{scheme}://{host}/no/aktuelt/sak-{n}{slash}{extra}</guid>"
        f"<title>Sak {n}</title><link>{scheme}://{host}/no/aktuelt/sak-{n}{slash}{extra}</link>"
        "<description>Tekst</description></item>"
        for n in range(3)
    )
    return f"<rss version='2.0'><channel><title>N</title>{items}</channel></rss>".encode()


def test_feed_identities_survive_re_keying_links_and_guids() -> None:
    ids = {i.item_id for i in extract_feed(_rss("regjeringen.no")).items}
    for body in (
        _rss("www.regjeringen.no"),
        _rss("www.regjeringen.no", scheme="http", slash=""),
        _rss("regjeringen.no", extra="?utm_source=rss&amp;utm_campaign=x"),
    ):
        feed = extract_feed(body)
        assert {i.item_id for i in feed.items} == ids
        # the reader still gets the link as published, tracking parameters out
        assert "/no/aktuelt/sak-0" in feed.items[0].link
        assert "utm" not in feed.items[0].link


ATOM_CONTENT = """<feed xmlns="http://www.w3.org/2005/Atom"><title>N</title><id>urn:n</id>
<entry><id>urn:n:1</id><title>Forskrift forlengd</title><summary>Kort samandrag</summary>
<content type="html">&lt;p&gt;Forskrifta gjeld til {dato}.&lt;/p&gt;</content></entry>
<entry><id>urn:n:2</id><title>Berre innhald</title>
<content type="html">&lt;p&gt;Same tekst som samandraget.&lt;/p&gt;</content></entry></feed>"""


def test_an_items_content_is_read_beside_its_summary() -> None:
    first, second = extract_feed(ATOM_CONTENT.format(dato="1. desember").encode()).items
    assert (first.summary, first.content) == ("Kort samandrag", "Forskrifta gjeld til 1. desember.")
    assert first.text == "Kort samandrag\nForskrifta gjeld til 1. desember."
    # feedparser copies a lone content into the summary: it is not read twice
    assert (second.summary, second.content) == ("Same tekst som samandraget.", "")
    assert second.digest == second.legacy_digest
    edited = extract_feed(ATOM_CONTENT.format(dato="15. januar").encode()).items[0]
    assert edited.digest != first.digest
    assert edited.legacy_digest == first.legacy_digest


def test_rss_content_encoded_is_read() -> None:
    body = (
        b"<rss version='2.0' xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel>"
        b"<title>N</title><item><guid>1</guid><title>T</title><description>Ingress</description>"
        b"<content:encoded><![CDATA[<p>Hele saken.</p><script>x()</script>]]></content:encoded>"
        b"</item></channel></rss>"
    )
    (item,) = extract_feed(body).items
    assert (item.summary, item.content) == ("Ingress", "Hele saken.")


WEBFORM = """<html><head><title>Side</title></head><body>
<form method="post" id="aspnetForm"><input type="hidden" name="__VIEWSTATE" value="{vs}">
<header><form role="search"><label>Søk</label><select><option>Alle</option></select></form>
</header><main><h1>Smittevern i skulen</h1><p>Elevar med feber skal vere heime.</p>
<form class="newsletter"><p>Meld deg på nyheitsbrev</p></form>
<textarea>Skriv ei melding</textarea></main></form></body></html>"""


@pytest.mark.parametrize("selector", ["main", None])
def test_a_form_that_wraps_the_page_is_read_a_widgets_form_is_not(selector: str | None) -> None:
    """ASP.NET WebForms put the whole body in one <form>: the content is in it. A search or
    sign-up form is a widget; a <select>'s options and a <textarea> are never content."""
    page = extract_page(WEBFORM.format(vs="abc").encode(), selector=selector)
    assert [(s.path, s.text) for s in page.sections] == [
        (("Smittevern i skulen",), "Elevar med feber skal vere heime.")
    ]
    other = extract_page(WEBFORM.format(vs="xyz").encode(), selector=selector)
    assert other.digest == page.digest
    assert (
        html_to_text("<p>Tekst</p><form><p>Søk her</p></form><select><option>A</option></select>")
        == "Tekst"
    )


@pytest.mark.parametrize(
    "crumbs",
    [
        '<nav class="breadcrumbs"><ol><li>Forsiden</li><li>Retningslinjer</li></ol></nav>',
        '<div class="c-Breadcrumb"><a href="/">Forsiden</a> <a href="/r">Retningslinjer</a></div>',
        '<nav aria-label="Brødsmulesti"><a href="/">Forsiden</a></nav>',
        '<ol id="breadcrumb-list"><li>Forsiden</li></ol>',
    ],
)
def test_breadcrumbs_inside_the_content_are_dropped(crumbs: str) -> None:
    html = f"<html><body><main>{crumbs}<h1>Tittel</h1><p>Tekst</p></main></body></html>"
    page = extract_page(html.encode(), selector="main")
    assert [(s.path, s.text) for s in page.sections] == [(("Tittel",), "Tekst")]


@pytest.mark.parametrize(
    "accordion",
    [
        # the heading inside the button, the toggle's label beside it
        '<button><h3>Henvisning</h3><span class="toggle">{label}</span></button>',
        # the button inside the heading, the label inside the button
        '<h3><button>Henvisning<span class="label">{label}</span></button></h3>',
        # the label on a line of its own
        "<h3>Henvisning</h3><div><span>{label}</span></div>",
    ],
)
@pytest.mark.parametrize("label", ["Vis mer", "Åpne", "Lukk alle", "Vis meir"])
def test_the_labels_of_controls_are_no_content(accordion: str, label: str) -> None:
    html = f"<main><h2>Anbefalinger</h2>{accordion.format(label=label)}<p>Henvis ved røde flagg.</p></main>"
    page = extract_page(html.encode(), selector="main")
    assert [(s.path, s.text) for s in page.sections] == [
        (("Anbefalinger", "Henvisning"), "Henvis ved røde flagg.")
    ]


def test_a_control_label_is_noise_only_as_the_whole_text_of_its_element() -> None:
    html = "<main><h2>Les mer om vaksine</h2><p>Vis mer omsorg for eldre.</p><p>Lukk</p></main>"
    page = extract_page(html.encode(), selector="main")
    assert [(s.path, s.text) for s in page.sections] == [
        (("Les mer om vaksine",), "Vis mer omsorg for eldre.")
    ]


RELATIVE = b"""<rss version="2.0"><channel><title>N</title><link>https://www.fhi.no/</link>
<item><title>A</title><link>/nyheter/a/</link><description>Tekst</description></item>
<item><title>B</title><link>https://www.fhi.no/nyheter/b/?utm_source=rss</link></item>
<item><title>C</title><link>c/</link><description>Tekst</description></item>
</channel></rss>"""


def test_relative_item_links_are_read_against_the_feeds_address() -> None:
    feed = extract_feed(RELATIVE, base_url="https://www.fhi.no/rss/nyheter/")
    assert [i.link for i in feed.items] == [
        "https://www.fhi.no/nyheter/a/",
        "https://www.fhi.no/nyheter/b/",
        "https://www.fhi.no/rss/nyheter/c/",
    ]
    # an item without a GUID is known by its link, whatever its text says later
    edited = extract_feed(
        RELATIVE.replace(
            b"Tekst</description></item>\n<item><title>B",
            b"Ny</description></item>\n<item><title>B",
        ),
        base_url="https://www.fhi.no/rss/nyheter/",
    )
    assert edited.items[0].item_id == feed.items[0].item_id
    # without the feed's address a relative link is no link
    assert extract_feed(RELATIVE).items[0].link == ""


def test_the_feed_reader_reads_links_against_the_address_it_fetched() -> None:
    from feeds.catalogue import SourceSpec
    from feeds.read.feed import FeedReader
    from feeds.types import FetchResult

    spec = SourceSpec(
        key="s", kind="feed", url="https://www.fhi.no/rss/nyheter/", authority="fhi", name="S"
    )
    feed = FeedReader().read(
        spec, FetchResult("https://www.fhi.no/rss/nyheter/", 200, RELATIVE, {})
    )
    assert feed.items[0].link == "https://www.fhi.no/nyheter/a/"


def test_a_line_printed_twice_in_a_row_is_read_once_said_again_later_it_is_kept() -> None:
    warning = "Ved manglende effekt etter 48 timer bør pasienten vurderes på nytt."
    lead = "Kommunen har ansvar for å spore smitte og følge opp nærkontakter."
    html = (
        f"<main><h1>T</h1><p>{lead}</p><p>Publisert 01.02.2026</p><div><p>{lead}</p></div>"
        f"<p>Pivmecillinam</p><p>{warning}</p><p>Nitrofurantoin</p><p>{warning}</p></main>"
    )
    (section,) = extract_page(html.encode()).sections
    assert section.text.split("\n") == [lead, "Pivmecillinam", warning, "Nitrofurantoin", warning]
    # so the warning's removal from one drug is a change
    removed = html.replace(f"<p>Nitrofurantoin</p><p>{warning}</p>", "<p>Nitrofurantoin</p>")
    assert extract_page(removed.encode()).digest != extract_page(html.encode()).digest


@pytest.mark.parametrize(
    "wrapper",
    [
        '<div class="article-layout article-layout--with-related">{body}{aside}</div>',
        '<div class="page has-survey">{body}{aside}</div>',
        '<div class="with-related"><h1>Tittel</h1>{body}{aside}</div>',
    ],
)
def test_a_wrapper_that_names_a_widget_beside_the_content_is_not_dropped(wrapper: str) -> None:
    body = "<h2>Sykdom</h2><p>Barn med feber skal være hjemme til de er feberfrie.</p>"
    aside = '<aside class="related-links"><h2>Relatert</h2><p>Hygiene i skolen</p></aside>'
    html = f"<html><body><main>{wrapper.format(body=body, aside=aside)}</main></body></html>"
    page = extract_page(html.encode(), selector="main")
    assert [s.text for s in page.sections][-1] == (
        "Barn med feber skal være hjemme til de er feberfrie."
    )
    assert "Hygiene i skolen" not in "".join(s.text for s in page.sections)


def test_a_widget_is_dropped_even_when_longer_than_the_article() -> None:
    cards = "".join(f"<li>Nyhet nummer {n} om noe helt annet</li>" for n in range(3))
    html = (
        f'<main><h1>T</h1><p>{"Kort sak. " * 3}</p><div class="related-news"><ul>{cards}</ul>'
        "</div></main>"
    )
    assert "Nyhet" not in extract_page(html.encode(), selector="main").sections[0].text


def _shared(guid: str, link: str) -> bytes:
    items = "".join(
        f"<item><guid>{guid or f'id-{n}'}</guid><title>Sak {n}</title>"
        f"<link>{link or f'https://x.no/sak-{n}'}</link><description>Tekst {n}</description></item>"
        for n in range(3)
    )
    return f"<rss version='2.0'><channel><title>N</title>{items}</channel></rss>".encode()


@pytest.mark.parametrize(
    ("guid", "link"),
    [
        ("https://www.statsforvalteren.no/", ""),  # every item: the feed's address as GUID
        ("", "https://www.helsetilsynet.no/nyheter/"),  # every item: the news page as link
        ("0", "https://x.no/nyheter/"),  # both shared: known by title and text
    ],
)
def test_a_guid_or_link_every_item_shares_identifies_none(guid: str, link: str) -> None:
    body = _shared(guid, link).replace(b"<guid></guid>", b"")
    feed = extract_feed(body)
    assert [i.title for i in feed.items] == ["Sak 0", "Sak 1", "Sak 2"]
    assert len({i.item_id for i in feed.items}) == 3
    legacy = [i.legacy_id for i in feed.items if i.legacy_id]
    assert len(set(legacy)) == len(legacy)  # nor does an earlier identity
    # the same item printed twice is still one item
    twice = body.replace(
        b"</channel>", body[body.index(b"<item>") : body.index(b"</item>") + 7] + b"</channel>"
    )
    assert [i.title for i in extract_feed(twice).items] == ["Sak 0", "Sak 1", "Sak 2"]


@pytest.mark.parametrize(
    ("line", "noise"),
    [
        ("Publisert 12.03.2026 Sist oppdatert 14.03.2026 Skriv ut Del", True),
        ("Publisert 02.09.2026 · Sist endra 18.11.2026 · Lesetid: 4 minutt", True),
        ("Oppdatert 3. mars 2026 | 5 min lesing", True),
        ("Sist oppdatert: 14.03.2026 Del på Facebook", True),
        # the furniture goes with dates only, and only after them
        ("Skriv ut Publisert 12.03.2026", False),
        ("Publisert 12.03.2026 Del 2 av rapporten er utsatt", False),
        ("Oppdatert 14.02.2022: Frå måndag er det ikkje krav om karantene", False),
    ],
)
def test_print_share_and_reading_time_on_the_date_line_are_furniture(
    line: str, noise: bool
) -> None:
    page = extract_page(f"<main><h1>T</h1><p>Tekst</p><p>{line}</p></main>".encode())
    assert (line not in page.sections[0].text) is noise


def test_a_new_badge_in_a_link_or_heading_is_no_content_a_status_label_is() -> None:
    html = (
        '<main><h2>Kapitler <span class="tag">Ny</span></h2>'
        '<p><a href="/k3">Kapittel 3 <span class="badge">Nyheit</span></a></p>'
        '<p><a href="/k4">Kapittel 4 <span class="badge">Oppdatert</span></a></p>'
        "<table><tr><td>Kapittel 5</td><td>Nytt</td></tr></table></main>"
    )
    (section,) = extract_page(html.encode(), selector="main").sections
    assert section.path == ("Kapitler",)
    assert section.text.split("\n") == ["Kapittel 3", "Kapittel 4 Oppdatert", "Kapittel 5", "Nytt"]


def test_a_listings_letter_keeps_its_title_when_its_new_badge_expires() -> None:
    from feeds.read.html import extract_links

    html = (
        '<main><a href="https://x.no/brev/1">Brev om <b>testing</b> <span class="badge">Ny</span>'
        '</a> <a href="https://x.no/brev/2">Ny</a></main>'
    )
    links = extract_links(html.encode(), "https://x.no/")
    assert [(link.url, link.title) for link in links] == [
        ("https://x.no/brev/1", "Brev om testing"),
        ("https://x.no/brev/2", "Ny"),  # a link's own text is its title, whatever it says
    ]


@pytest.mark.parametrize(
    ("line", "updated"),
    [
        ("Publisert 12.03.2026 – Oppdatert 14.03.2026", "2026-03-14"),
        ("Publisert torsdag 12. mars 2026 — Sist oppdatert fre. 14. mars 2026", "2026-03-14"),
        ("Sist endra måndag 16. mars 2026 klokka 10.15", "2026-03-16"),
        ("Publisert 02/10/2026 klokka 09.00 | Sist endret 19/11/2026", "2026-11-19"),
    ],
)
def test_furniture_dates_with_weekdays_dashes_slashes_and_clock_times(
    line: str, updated: str
) -> None:
    page = extract_page(f"<main><h1>T</h1><p>Tekst</p><p>{line}</p></main>".encode())
    assert page.sections[0].text == "Tekst"
    assert page.updated == updated


def test_a_date_with_slashes_is_read_day_first() -> None:
    from feeds.read.normalize import parse_date

    assert parse_date("3/4/2026") == date(2026, 4, 3)
    assert parse_date("31/02/2026") is None


def test_a_line_break_in_a_heading_is_a_space() -> None:
    a = extract_page(b"<main><h2>Forslag om<br>testplikt</h2><p>Tekst</p></main>")
    b = extract_page(b"<main><h2>Forslag om testplikt</h2><p>Tekst</p></main>")
    assert a.sections[0].path == b.sections[0].path == ("Forslag om testplikt",)


def test_text_for_screen_readers_in_links_is_no_content() -> None:
    from feeds.read.html import extract_links

    note = '<span class="visually-hidden"> (åpnes i nytt vindu)</span>'
    html = '<main><h1>T</h1><p>Se <a href="https://lovdata.no/l">smittevernloven</a>{}.</p></main>'
    plain = extract_page(html.format("").encode())
    noted = extract_page(html.replace("</a>", f"{note}</a>").format("").encode())
    assert noted.sections == plain.sections
    links = extract_links(html.replace("</a>", f"{note}</a>").format("").encode(), "https://x.no/")
    assert [link.title for link in links] == ["smittevernloven"]
    # outside a link or button such text stays (a visually hidden heading, a table caption)
    kept = extract_page(b'<main><h1>T</h1><p><span class="sr-only">Tabell 1</span></p></main>')
    assert kept.sections[0].text == "Tabell 1"


@pytest.mark.parametrize("line", ["Til toppen", "Tilbake til toppen", "Gå til toppen av sida"])
def test_back_to_top_links_are_no_content(line: str) -> None:
    page = extract_page(
        f'<main><h1>T</h1><p>Tekst</p><p><a href="#top">{line}</a></p></main>'.encode()
    )
    assert page.sections[0].text == "Tekst"


@pytest.mark.parametrize(
    "text",
    [
        "Beklager! Vi finner ikke siden du leter etter. Den kan være flyttet eller slettet.",
        "Oi! Vi fann ikkje sida du leitar etter.",
        "Sida vart ikkje funnen.",
        "Sida du leitar etter finst ikkje lenger.",
        "Denne sida er flytta til ny adresse. Du blir send vidare om nokre sekund.",
        "Siden har blitt flyttet.",
        "Du vil bli videresendt.",
    ],
)
def test_soft_404_and_moved_stubs_are_source_problems(text: str) -> None:
    with pytest.raises(SourceProblem):
        extract_page(f"<main><h1>Feil</h1><p>{text}</p></main>".encode(), selector="main")


@pytest.mark.parametrize(
    "text",
    [
        "Legevakten har flyttet til nye lokaler i Storgata 3.",
        "Du blir sendt en SMS med tidspunkt for vaksinen.",
        "Fastlegen finner ikke alltid årsaken til utmattelse.",
    ],
)
def test_a_short_page_that_says_so_in_other_words_is_content(text: str) -> None:
    page = extract_page(f"<main><h1>Nyhet</h1><p>{text}</p></main>".encode(), selector="main")
    assert page.sections[0].text == text


@pytest.mark.parametrize(
    ("line", "updated"),
    [
        ("Siste endring: 02.03.2026", "2026-03-02"),
        ("Sist revidert 02.03.2026", "2026-03-02"),
        ("Revidert: 2. mars 2026", "2026-03-02"),
        ("Sist gjennomgått 02.03.2026", None),  # looked over: no change of content said
    ],
)
def test_revision_and_review_dates_are_furniture(line: str, updated: str | None) -> None:
    page = extract_page(f"<main><h1>T</h1><p>Tekst</p><p>{line}</p></main>".encode())
    assert page.sections[0].text == "Tekst"
    assert page.updated == updated


@pytest.mark.parametrize(
    "heading", ["Pressekontaktar", "Relaterte artiklar", "Relevante lenkjer", "Nyheiter frå HOD"]
)
def test_nynorsk_noise_headings_skip_their_sections(heading: str) -> None:
    html = f"<main><h1>T</h1><h2>Tiltak</h2><p>Tekst</p><h2>{heading}</h2><p>Kari, 22 24 90 90</p></main>"
    page = extract_page(html.encode(), selector="main")
    assert [(s.path, s.text) for s in page.sections] == [(("T", "Tiltak"), "Tekst")]


@pytest.mark.parametrize(
    "line",
    [
        "Hopp til hovudinnhald",
        "Gå til hovudinnhaldet",
        "Del denne sida",
        "Få varsel ved oppdateringar av «Rettleiar for barnehagar»",
        "Abonner på nytt eller oppdatert innhald",
        "Til innhaldsliste",
        "Fann du det du leita etter? Ja Nei",
        "Fant du det du lette etter?",
        "Du nyttar ein nettlesar vi ikkje støttar. Byt nettlesar for betre oppleving.",
    ],
)
def test_nynorsk_furniture_lines_are_noise(line: str) -> None:
    page = extract_page(f"<main><h1>T</h1><p>Tekst</p><p>{line}</p></main>".encode())
    assert page.sections[0].text == "Tekst"


def _body_text(body: str) -> str:
    page = extract_page(f"<html><body><main>{body}</main></body></html>".encode())
    return "\n".join(s.text for s in page.sections)


@pytest.mark.parametrize(
    ("link", "cited"),
    [
        ('<a href="https://lovdata.no/dokument/SF/forskrift/2009-02-13-205">forskrifta</a>',
         "forskrifta (FOR-2009-02-13-205) gjeld"),
        ('<a href="https://www.lovdata.no/lov/1994-08-05-55/§4-1">smittevernloven</a>',
         "smittevernloven (LOV-1994-08-05-55) gjeld"),
        ('<a href="//lovdata.no/dokument/NL/lov/1994-08-05-55">loven</a>',
         "loven (LOV-1994-08-05-55) gjeld"),
        ('<a href="/dokument/LTI/forskrift/2026-11-20-1890">endringsforskrifta</a>',
         "endringsforskrifta (FOR-2026-11-20-1890) gjeld"),
        # named already, another site, another Lovdata page, no address: as written
        ('<a href="https://lovdata.no/forskrift/2009-02-13-205">FOR-2009-02-13-205</a>',
         "FOR-2009-02-13-205 gjeld"),
        ('<a href="https://example.no/dokument/SF/forskrift/2009-02-13-205">forskrifta</a>',
         "forskrifta gjeld"),
        ('<a href="https://lovdata.no/register/lover">lovene</a>', "lovene gjeld"),
        # Lovdata's short relative form names an act by its date and number wherever it
        # stands (blind round 60: Lovdata's own pages link so)
        ('<a href="/lov/1994-08-05-55">loven</a>', "loven (LOV-1994-08-05-55) gjeld"),
        ('<a href="/lov/smittevern">loven</a>', "loven gjeld"),
        ("<a>forskrifta</a>", "forskrifta gjeld"),
    ],
)  # fmt: skip
def test_a_link_to_an_act_at_lovdata_is_read_with_the_act_it_points_to(
    link: str, cited: str
) -> None:
    """So a link re-pointed to another regulation under the same words is a change."""
    assert _body_text(f"<h2>Heimel</h2><p>{link} gjeld.</p>") == f"{cited}."


def test_a_link_in_a_heading_is_not_cited_the_heading_names_the_section() -> None:
    body = (
        '<h2>Endringar i <a href="https://lovdata.no/dokument/NL/lov/1994-08-05-55">'
        "smittevernlova</a></h2><p>Tekst.</p>"
    )
    page = extract_page(f"<html><body><main>{body}</main></body></html>".encode())
    assert [s.path for s in page.sections] == [("Endringar i smittevernlova",)]


def test_content_holders_are_the_elements_with_a_content_mark_below_them() -> None:
    """``_content_holders`` (found once from the marks up) says of every element what asking
    it (an XPath of its descendants) says, over every fixture page and nested hostile markup."""
    from pathlib import Path

    from lxml import etree as et

    from feeds.read import html

    asked = et.XPath(f"boolean({html._CONTENT_MARKS})")
    nested = '<div class="cookie">' * 30 + "<h1>T</h1><p>x</p>" + "</div>" * 30
    bodies = [nested.encode(), (nested + '<div class="survey"><main>m</main></div>').encode()]
    fixtures = Path(__file__).parent / "fixtures"
    bodies += [p.read_bytes() for p in sorted(fixtures.glob("detect/*/*.html"))]
    checked = 0
    for body in bodies:
        try:
            root = parse_page(body, None, plain=True)
        except SourceProblem:
            continue
        main = html._main_element(root, None)
        holders = html._content_holders(main)
        for el in main.iterdescendants(et.Element):
            assert (el in holders) == asked(el), et.tostring(el)[:80]
            checked += 1
    assert checked > 1000


def test_labels_inside_nested_controls_are_found_by_one_look() -> None:
    """A link's or button's look covers the controls inside it: nested buttons are looked
    at once, and their labels and screen-reader notes still go."""
    from feeds.read import html

    body = (
        "<html><body><main><h1>T</h1>" + "<button>" * 40
        + '<span class="sr-only">(åpnes i nytt vindu)</span><span>Vis mer</span>'
        + "<p>Innhold om smittevern.</p>" + "</button>" * 40 + "</main></body></html>"
    )  # fmt: skip
    root = parse_page(body.encode(), None, plain=True)
    main = html._main_element(root, None)
    covered: set[object] = set()
    outer = next(main.iter("button"))
    labels = list(html._labels_in(outer, covered))
    assert [el.text for el in labels] == ["(åpnes i nytt vindu)", "Vis mer"]
    assert len(covered) == 39
    assert [s.text for s in extract_page(body.encode()).sections] == ["Innhold om smittevern."]


def test_a_relative_time_names_no_date_of_a_change() -> None:
    assert signal_dates("Oppdatert for 2 timer siden") == []
    page = extract_page(b"<main><h1>T</h1><p>Oppdatert i dag kl. 10.15</p><p>Tekst</p></main>")
    assert page.updated is None and page.sections[0].text == "Tekst"


@pytest.mark.parametrize(
    "label", ["Ja", "Nei", "Godta alle", "Avvis", "Meld deg på", "Vis innholdsfortegnelse"]
)
def test_a_buttons_answer_or_consent_is_no_content_the_same_word_in_a_cell_is(label: str) -> None:
    html = (
        f"<main><h1>Krav</h1><table><tr><td>Test</td><td>{label}</td></tr></table>"
        f'<div class="x"><p>Spørsmål?</p><button type="button">{label}</button></div></main>'
    )
    text = extract_page(html.encode(), selector="main").sections[0].text
    assert text.splitlines() == ["Test", label, "Spørsmål?"]


def test_an_accordions_button_keeps_its_title() -> None:
    html = '<main><h1>D</h1><button aria-expanded="false">Dosering til barn</button><div hidden><p>Etter vekt.</p></div></main>'
    assert extract_page(html.encode()).sections[0].text == "Dosering til barn\nEtter vekt."


@pytest.mark.parametrize(
    "icon",
    [
        '<span class="material-icons">download</span>',
        '<span class="material-symbols-outlined" aria-hidden="true">open_in_new</span>',
        '<i class="fa fa-file-pdf-o">file_pdf</i>',
        '<span class="icon">arrow_forward</span>',
        '<span aria-hidden="true">→</span>',
        '<i aria-hidden="true">»</i>',
    ],
)
def test_an_icon_is_no_content(icon: str) -> None:
    html = f'<main><h1>Skjema</h1><p><a href="/s.pdf">{icon} Last ned skjema</a></p></main>'
    # the link's file name is read with it (``_name_attachment``), the icon is not
    assert extract_page(html.encode()).sections[0].text == "Last ned skjema (s.pdf)"


@pytest.mark.parametrize(
    "kept",
    [
        '<span class="icon-label">Viktig:</span>',  # a word in capitals, no ligature
        '<span aria-hidden="true">3</span>',  # a digit is no glyph
        '<span class="note">download</span>',  # no icon class
        '<span class="icon"><b>x</b>y</span>',  # not a leaf
    ],
)
def test_what_only_looks_like_an_icon_is_content(kept: str) -> None:
    html = f"<main><h1>Skjema</h1><p>{kept} Les veilederen.</p></main>"
    text = extract_page(html.encode()).sections[0].text
    assert text != "Les veilederen." and text.endswith("Les veilederen.")


def test_a_dialog_is_an_overlay_unless_it_holds_the_content() -> None:
    cookie = "<dialog open><p>Vi bruker informasjonskapsler.</p><button>Godta</button></dialog>"
    page = extract_page(f"<main><h1>T</h1><p>Tekst</p>{cookie}</main>".encode())
    assert page.sections[0].text == "Tekst"
    wrapped = extract_page(
        b"<body><dialog open><main><h1>T</h1><p>Tekst</p></main></dialog></body>"
    )
    assert wrapped.sections[0].text == "Tekst"


def test_a_cookie_notice_worded_with_bruker_is_noise_with_its_privacy_sentence() -> None:
    notice = "Vi bruker informasjonskapsler (cookies) for å lage statistikk. Les mer om personvern."
    page = extract_page(f"<main><h1>T</h1><p>Tekst. {notice}</p></main>".encode())
    assert page.sections[0].text == "Tekst."


def test_a_text_to_speech_player_is_no_content() -> None:
    player = '<div class="rs_skip rsbtn"><a href="//app-eu.readspeaker.com/x"><span>Lytt</span></a></div>'
    page = extract_page(f"<main><h1>T</h1>{player}<p>Tekst</p></main>".encode())
    assert page.sections[0].text == "Tekst"


def test_a_short_page_that_names_a_login_only_in_passing_is_content() -> None:
    body = "<main><h1>Helsenorge</h1><p>Innbyggere kan logge inn på Helsenorge for å se prøvesvar.</p></main>"
    assert extract_page(body.encode()).sections[0].text.startswith("Innbyggere")


def test_an_advert_box_is_no_content() -> None:
    promo = '<div class="pro-promo"><p>Få full tilgang med Lovdata Pro. Prøv gratis i 14 dager</p></div>'
    page = extract_page(f"<main><h1>Forskrift</h1>{promo}<p>§ 1. Formål</p></main>".encode())
    assert page.sections[0].text == "§ 1. Formål"


def test_a_footnote_reference_is_no_content_an_exponent_is() -> None:
    html = (
        '<main><h1>T</h1><p>Under 5,3 mmol/L<sup><a href="#fn1">1</a></sup>, 10<sup>4</sup>'
        ' celler<sup><a href="/kilder">kilde</a></sup>.</p></main>'
    )
    assert extract_page(html.encode()).sections[0].text == "Under 5,3 mmol/L, 104 cellerkilde."


def test_a_press_releases_topic_tags_are_no_content() -> None:
    tags = '<div class="tags"><span>Emne:</span> <a href="/tema/helse/">Helse</a></div>'
    page = extract_page(f"<main><h1>T</h1><p>Tekst</p>{tags}</main>".encode())
    assert page.sections[0].text == "Tekst"


def test_the_whole_line_noise_rules_are_written_in_lower_case() -> None:
    """They are matched on the lower-cased line without IGNORECASE (``normalize._NOISE_LINE``):
    a letter in capitals would never match."""
    from feeds.read.normalize import NOISE_LINES

    for rule in NOISE_LINES:
        literals = re.sub(r"\\.", "", rule)  # escapes (\d, \s, \.) apart
        assert literals == literals.lower(), rule
