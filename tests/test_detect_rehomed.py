"""Blind round 45's open case, met: text that only changed home is no addition nor removal.
A one-day banner's heading before an article's first lines took them under it while it stood
and gave them back when it went; the banner is told (its coming and its going), the lines it
took are not. Text that is new, or a section that is not the other's parent or child, is told
as before. Bokmål and nynorsk."""

from __future__ import annotations

import pytest

from feeds.detect.diff import diff_pages
from feeds.types import PageContent
from tests.support.pages import page

BANNER = {
    "nb": ("Viktig melding", "Vaksinebestillingen er stengt torsdag fra kl. 16 til 20."),
    "nn": ("Viktig melding", "Vaksinebestillinga er stengd torsdag frå kl. 16 til 20."),
}
LEAD = {
    "nb": "<p>Gjelder alle kommuner.</p><p>Les rådene før du bestiller.</p>",
    "nn": "<p>Gjeld alle kommunar.</p><p>Les råda før du bestiller.</p>",
}


def article(lang: str, banner: bool, lead: str = "") -> PageContent:
    head, text = BANNER[lang]
    top = f"<div role='alert'><h2>{head}</h2><p>{text}</p></div>" if banner else ""
    return page(
        f"<main>{top}{lead or LEAD[lang]}<h1>Influensavaksine</h1><p>Bestill nå.</p></main>"
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_banner_that_comes_and_goes_is_told_without_the_lines_it_took(lang: str) -> None:
    head, text = BANNER[lang]
    came = diff_pages(article(lang, False), article(lang, True))
    assert [(c.kind, c.path, c.after) for c in came] == [("added", (head,), text)]
    went = diff_pages(article(lang, True), article(lang, False))
    assert [(c.kind, c.path, c.before) for c in went] == [("removed", (head,), text)]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_new_lines_beside_a_banner_are_told(lang: str) -> None:
    other = LEAD[lang].replace("</p><p>", "</p><p>Ny: tredje dose til alle over 65.</p><p>")
    found = diff_pages(article(lang, False), article(lang, True, other))
    assert sorted(c.kind for c in found) == ["added", "removed"]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_sibling_that_ends_with_the_same_lines_is_told(lang: str) -> None:
    before = page("<main><h1>T</h1><h2>Gammel</h2><p>A</p><p>B</p><p>C</p></main>")
    after = page("<main><h1>T</h1><h2>Ny</h2><p>Ekstra</p><p>B</p><p>C</p></main>")
    assert sorted(c.kind for c in diff_pages(before, after)) != []
