"""Blind rounds 267-270's rules, both ways, bokmål and nynorsk:

- a fact box in a column beside the article (an <aside> named "factbox" or headed "Fakta …")
  is read on a page watched without a selector; another aside there is not (268);
- a back-to-top link with an arrow ("Tilbake til toppen ↑") is navigation (268).
"""

from __future__ import annotations

import pytest

from tests.support.pages import article, changed


def grant(box: str) -> str:
    return (
        "<html><body><header><nav><a href='/'>Statsforvaltaren</a></nav></header><main>"
        "<div class='col'><article><h1>Skjønnsmidlar 2027</h1><p>Kommunane kan søkje om "
        f"skjønnsmidlar til folkehelse.</p></article></div><div class='right'>{box}</div>"
        "</main><footer><p>Statsforvaltaren</p></footer></body></html>"
    )


def read(html: str) -> str:
    from feeds.read.html import extract_page

    return "\n".join(s.text for s in extract_page(html.encode(), selector=None).sections)


@pytest.mark.parametrize(
    "box",
    [
        "<aside class='factbox'><h2>Fakta om ordninga</h2><ul><li>Søknadsfrist: {}</li></ul></aside>",
        "<aside><h2>Fakta om ordningen</h2><p>Søknadsfrist: {}</p></aside>",
    ],
)
def test_a_fact_box_beside_the_article_is_read(box: str) -> None:
    before, after = grant(box.format("1. mars 2027")), grant(box.format("15. februar 2027"))
    assert "1. mars 2027" in read(before) and read(before) != read(after)


def test_another_aside_beside_the_article_is_not_read() -> None:
    box = "<aside><h2>Kontakt</h2><p>Ring sentralbordet på {}.</p></aside>"
    assert read(grant(box.format("55 57 20 00"))) == read(grant(box.format("55 57 20 01")))
    links = (
        "<aside class='factbox'><h2>Fakta</h2><ul><li><a href='/a'>{}</a></li>"
        "<li><a href='/b'>Rettleiar for søknaden</a></li><li><a href='/c'>Tidlegare tildelingar"
        "</a></li></ul></aside>"
    )  # a box of links named so: furniture as any box of links
    assert read(grant(links.format("Søknadsportalen"))) == read(grant(links.format("Skjema")))


@pytest.mark.parametrize("link", ["Tilbake til toppen ↑", "↑ Til toppen", "Gå til toppen ▲"])
def test_a_back_to_top_link_with_an_arrow_is_navigation(link: str) -> None:
    def page(top: str) -> str:
        return f"<main><h1>Søknad</h1><h2>Kven kan søkje?</h2><p>Alle kommunar.</p>{top}</main>"

    assert (
        changed(
            page("<p><a href='#top'>Til toppen</a></p>"), page(f"<p><a href='#top'>{link}</a></p>")
        )
        == []
    )
    assert article("Søknad", f"<p>Alle kommunar.</p><p><a href='#top'>{link}</a></p>").sections
