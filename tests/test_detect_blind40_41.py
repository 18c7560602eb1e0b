"""Blind rounds 40 and 41's rules, both ways, bokmål and nynorsk: a page's view count written
with grouped digits ("3 655 visninger"), alone or at the end of a share bar, is no change; a
feed with a bare "&" or a character XML forbids is mended as feed readers mend it, so its new
item is news and an unchanged item no change; what stays malformed is still refused."""

from __future__ import annotations

import pytest

from feeds.errors import SourceProblem
from feeds.read.feed import extract_feed
from feeds.types import PageContent
from tests.support.pages import article, kinds

TITLE = {"nb": "Legevakt", "nn": "Legevakta"}


def page(lang: str, bar: str) -> PageContent:
    return article(TITLE[lang], f"<h2>Egenandel</h2><p>Egenandelen er 170 kr.</p><p>{bar}</p>")


BARS = {
    "nb": ("Del på Facebook Del på e-post 3 201 visninger", "Del på Facebook Del på e-post 3 655 visninger"),
    "nn": ("Del på Facebook Kopier lenkja 1 204 visingar", "Del på Facebook Kopier lenkja 1 377 visingar"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_view_count_with_grouped_digits_is_no_change(lang: str) -> None:
    old, new = BARS[lang]
    assert kinds(page(lang, old), page(lang, new)) == []


def test_a_sentence_with_a_count_of_views_is_read() -> None:
    old, new = "Filmen har hatt 3 201 visninger i år.", "Filmen har hatt 3 655 visninger i år."
    assert kinds(page("nb", old), page("nb", new)) == ["changed"]


def rss(items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>N</title>'
        f"<link>https://www.fhi.no/</link><description>d</description>{items}</channel></rss>"
    ).encode()


def item(n: int, title: str, text: str) -> str:
    return (
        f"<item><title>{title}</title><link>https://www.fhi.no/n/{n}</link><guid>n{n}</guid>"
        f"<description>{text}</description></item>"
    )


RAW = {
    "nb": ("Tilskudd til helse & omsorg 2027", "Søknadsfrist 1. mars\x0b for kommunene."),
    "nn": ("Tilskot til helse & omsorg 2027", "Søknadsfrist 1. mars\x0b for kommunane."),
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_bare_ampersand_and_a_forbidden_character_are_mended(lang: str) -> None:
    title, text = RAW[lang]
    read = extract_feed(rss(item(1, title, text)))
    (only,) = read.items
    assert only.title == title
    assert "\x0b" not in only.text and "1. mars" in only.text


def test_what_stays_malformed_is_refused() -> None:
    with pytest.raises(SourceProblem, match="not well-formed"):
        extract_feed(rss(item(1, "Tittel", "tekst") + "<item><title>Uavslutta</title>"))


def test_a_well_formed_feed_is_read_as_it_stands() -> None:
    """The mending is for malformed feeds only: a "&" inside CDATA is the text's own."""
    cdata = item(1, "Tittel", "<![CDATA[<p>A&amp;B, helse &amp; omsorg</p>]]>")
    (only,) = extract_feed(rss(cdata)).items
    assert only.text == "A&B, helse & omsorg"
    guid = "<item><title>T</title><link>https://www.fhi.no/n</link><guid>{}</guid></item>"
    escaped = extract_feed(rss(guid.format("sak-1&amp;2"))).items[0].item_id
    assert extract_feed(rss(guid.format("<![CDATA[sak-1&2]]>"))).items[0].item_id == escaped
