"""Blind round 38's rule, both ways, bokmål and nynorsk: a feed whose CMS escapes its text
twice ("&amp;quot;") shows readers the quotation marks and ampersands, and is no change;
a character reference written in words, and a real edit beside the escaping, are read."""

from __future__ import annotations

import pytest

from feeds.read.feed import extract_feed

ITEM = {
    "nb": ("Høring – smittevernloven {amp} beredskapsloven",
           "Departementet foreslår at reglene {q}videreføres{q} til 2028."),
    "nn": ("Høyring – smittevernlova {amp} beredskapslova",
           "Departementet føreslår at reglane {q}vert vidareførte{q} til 2028."),
}  # fmt: skip


def rss(title: str, description: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>R</title>'
        "<link>https://www.regjeringen.no/</link><description>d</description><item>"
        f"<title>{title}</title><link>https://www.regjeringen.no/id1/</link>"
        f"<guid>id1</guid><description>{description}</description></item></channel></rss>"
    ).encode()


def item(lang: str, amp: str, q: str, year: str = "2028") -> tuple[str, str]:
    title, text = ITEM[lang]
    read = extract_feed(rss(title.format(amp=amp), text.format(q=q).replace("2028", year)))
    (only,) = read.items
    return only.title, only.text


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_text_escaped_twice_reads_as_escaped_once(lang: str) -> None:
    once = item(lang, "&amp;", "&quot;")
    twice = item(lang, "&amp;amp;amp;", "&amp;amp;quot;")
    assert twice == once
    assert "&" in once[0] and '"' in once[1] and "&quot;" not in twice[1]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_edit_beside_the_escaping_is_read(lang: str) -> None:
    assert item(lang, "&amp;amp;amp;", "&amp;amp;quot;", "2029") != item(lang, "&amp;", "&quot;")


def test_an_ampersand_and_words_like_entities_stay() -> None:
    read = extract_feed(rss("Råd &amp; tiltak", "A&amp;B-testen og R&amp;D; 5 &amp; 6."))
    (only,) = read.items
    assert only.title == "Råd & tiltak"
    assert only.text == "A&B-testen og R&D; 5 & 6."
