"""Blind round 24's rules, both ways, bokmål and nynorsk: a table of contents (a list of links
to places on the page) is no content, so a section added, removed or renamed is reported once
and a contents list made collapsible is no change; a copy of content for phones hidden from
screen readers too (``aria-hidden``) is no content."""

from __future__ import annotations

import pytest

from feeds.detect.diff import diff_pages
from feeds.read.html import extract_page
from feeds.types import PageContent

CHAPTERS = {
    "bokmål": ["Testing av beboere", "Isolering ved utbrudd", "Besøk i sykehjem"],
    "nynorsk": ["Testing av bebuarar", "Isolering ved utbrot", "Besøk i sjukeheim"],
}
TITLE = {"bokmål": "Innhold", "nynorsk": "Innhald"}


def page(lang: str, chapters: list[str], toc: str = "nav", inner: str = "") -> PageContent:
    items = "".join(f"<li><a href='#k{i}'>{c}</a></li>" for i, c in enumerate(chapters))
    if toc == "nav":
        contents = f"<nav class='toc'><h2>{TITLE[lang]}</h2><ol>{items}</ol></nav>"
    elif toc == "details":
        contents = (
            f"<details class='toc' open><summary>{TITLE[lang]}sfortegnelse "
            f"({len(chapters)} kapitler)</summary><ul>{items}</ul></details>"
        )
    else:
        contents = ""
    body = "".join(
        f"<h2 id='k{i}'>{c}</h2><p>Kommunen skal følgje rådet om {c.lower()} i kapittel {i}.</p>"
        for i, c in enumerate(chapters)
    )
    html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Side</title></head><body>"
        f"<main><h1>Smittevern i sjukeheim</h1><p>Rettleiar for kommunane.</p>{contents}{body}"
        f"{inner}</main></body></html>"
    )
    return extract_page(html.encode(), selector="main")


def kinds(a: PageContent, b: PageContent) -> list[tuple[str, str]]:
    return [(c.kind, c.path[-1]) for c in diff_pages(a, b)]


@pytest.mark.parametrize("lang", sorted(CHAPTERS))
def test_a_section_added_is_reported_once_not_again_as_the_contents(lang: str) -> None:
    old, new = CHAPTERS[lang], [*CHAPTERS[lang], "Mpox"]
    assert kinds(page(lang, old), page(lang, new)) == [("added", "Mpox")]
    assert kinds(page(lang, new), page(lang, old)) == [("removed", "Mpox")]


@pytest.mark.parametrize("lang", sorted(CHAPTERS))
def test_a_contents_list_made_collapsible_or_dropped_is_no_change(lang: str) -> None:
    chapters = CHAPTERS[lang]
    assert kinds(page(lang, chapters, "nav"), page(lang, chapters, "details")) == []
    assert kinds(page(lang, chapters, "nav"), page(lang, chapters, "none")) == []


@pytest.mark.parametrize("lang", sorted(CHAPTERS))
def test_lists_of_links_to_other_pages_and_footnotes_are_read(lang: str) -> None:
    chapters = CHAPTERS[lang]
    others = (
        "<h2>Skjema</h2><ul><li><a href='/skjema/a'>Meldeskjema A</a></li>"
        "<li><a href='/skjema/b'>Meldeskjema B</a></li><li><a href='/skjema/c'>Meldeskjema C</a></li></ul>"
    )
    notes = (
        "<h2>Fotnotar</h2><ol><li>Gjeld ikkje gravide. <a href='#r1'>↩</a></li>"
        "<li>Sjå rundskriv I-2/2025. <a href='#r2'>↩</a></li><li>Ved utbrot. <a href='#r3'>↩</a></li></ol>"
    )
    read = page(lang, chapters, inner=others + notes)
    text = "\n".join(s.text for s in read.sections)
    assert "Meldeskjema B" in text and "Gjeld ikkje gravide." in text


TABLE = (
    "<table><tr><th>Vaksine</th><th>Intervall</th></tr>"
    "<tr><td>Hepatitt A</td><td>{}</td></tr></table>"
)
CARDS = "<div class='table-mobile d-md-none'{}><dl><dt>Vaksine</dt><dd>Hepatitt A</dd><dt>Intervall</dt><dd>{}</dd></dl></div>"


@pytest.mark.parametrize("lang", sorted(CHAPTERS))
def test_a_copy_for_phones_hidden_from_screen_readers_is_no_content(lang: str) -> None:
    chapters = CHAPTERS[lang]
    plain = page(lang, chapters, inner=TABLE.format("8 veker"))
    copied = page(
        lang,
        chapters,
        inner=TABLE.format("8 veker") + CARDS.format(" aria-hidden='true'", "8 veker"),
    )
    assert kinds(plain, copied) == []
    # the table's own cell changes: seen once
    edited = page(
        lang,
        chapters,
        inner=TABLE.format("6 veker") + CARDS.format(" aria-hidden='true'", "6 veker"),
    )
    assert [k for k, _ in kinds(copied, edited)] == ["changed"]


@pytest.mark.parametrize("lang", sorted(CHAPTERS))
def test_a_copy_for_phones_that_screen_readers_get_is_read(lang: str) -> None:
    chapters = CHAPTERS[lang]
    plain = page(lang, chapters, inner=TABLE.format("8 veker"))
    cards = page(lang, chapters, inner=TABLE.format("8 veker") + CARDS.format("", "8 veker"))
    assert [k for k, _ in kinds(plain, cards)] == ["changed"]
