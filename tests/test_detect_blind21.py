"""Blind round 21's rules, both ways, bokmål and nynorsk: a page whose own title (h1) reads as
a news box's heading ("Nyheiter frå Helse- og omsorgsdepartementet") is read; regjeringen's
historical-archive label is no change. (A return to the text before a change told at once is
tested in tests/test_confirm.py; a source problem in the middle of a case's steps keeps the
last version, as a check does: tests/support/corpus.py.)"""

from __future__ import annotations

import pytest

from feeds.detect.diff import diff_pages
from feeds.errors import SourceProblem
from feeds.read.html import extract_page
from feeds.types import PageContent


def page(inner: str) -> PageContent:
    html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Side</title></head><body>"
        f"<main>{inner}</main></body></html>"
    )
    return extract_page(html.encode(), selector="main")


TEASERS = (
    "<ul><li><a href='/a/1'><h2>Endringar i smittevernlova på høyring</h2></a>"
    "<p>Departementet sender forslag om endringar på høyring.</p></li>"
    "<li><a href='/a/2'><h2>Nytt rundskriv om helsestasjonstenesta</h2></a>"
    "<p>Rundskrivet presiserer pliktene til kommunane.</p></li></ul>"
)


@pytest.mark.parametrize(
    "title",
    [
        "Nyheiter frå Helse- og omsorgsdepartementet",
        "Nyheter fra Helse- og omsorgsdepartementet",
        "Aktuelt frå Statsforvaltaren i Vestland",
    ],
)
def test_a_news_page_titled_like_a_news_box_is_read(title: str) -> None:
    read = page(f"<h1>{title}</h1><p>Her finn du nyheiter frå departementet.</p>{TEASERS}")
    assert read.sections[0].path == (title,)
    assert any("Nytt rundskriv" in " ".join(s.path) for s in read.sections)


@pytest.mark.parametrize(
    "heading", ["Nyheiter frå Helse- og omsorgsdepartementet", "Aktuelt fra departementet"]
)
def test_a_news_box_inside_an_article_is_still_furniture(heading: str) -> None:
    article = "<h1>Vaksinasjon av helsepersonell</h1><p>Alle bør ta vaksinen.</p>"
    teasers = TEASERS.replace("h2>", "h3>")  # the box's items under its heading
    read = page(f"{article}<h2>{heading}</h2>{teasers}")
    assert [s.path for s in read.sections] == [("Vaksinasjon av helsepersonell",)]
    # a page of nothing but such a box is still empty: a problem, never an empty baseline
    with pytest.raises(SourceProblem):
        page(f"<h2>{heading}</h2>{teasers}")


ARTICLE = (
    "<h1>Endringer i covid-19-forskriften</h1><p>Regjeringen gjør endringer i forskriften.</p>"
)


@pytest.mark.parametrize(
    "label",
    [
        "<p><strong>Historisk arkiv</strong></p><p>Publisert under: Regjeringen Solberg</p>"
        "<p>Utgiver: Helse- og omsorgsdepartementet</p>",
        "<div role='note'><p>Historisk arkiv</p><p>Publisert under: Regjeringen Stoltenberg II</p></div>",
    ],
)
def test_a_page_moved_to_the_historical_archive_is_no_change(label: str) -> None:
    assert diff_pages(page(ARTICLE), page(ARTICLE.replace("</h1>", f"</h1>{label}"))) == []


@pytest.mark.parametrize(
    "line",
    [
        "<p>Historisk arkiv over smittevernet i Noreg finst hos Riksarkivet.</p>",
        "<p>Utgiver: Helsedirektoratet</p>",  # no department's label: read
        "<p>Publisert under: Smittevern</p>",
    ],
)
def test_other_lines_with_those_words_are_read(line: str) -> None:
    changed = diff_pages(page(ARTICLE), page(ARTICLE + line))
    assert [c.kind for c in changed] == ["changed"]
