"""Blind round 45's rule, both ways, bokmål and nynorsk: a teaser's excerpt re-cut for the
layout (a longer or shorter excerpt ending in an ellipsis or a read-more label, the shorter
the start of the longer) says the same; an excerpt that says otherwise, or a line without an
excerpt's end, is read."""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds

TITLE = {"nb": "Viktige meldinger", "nn": "Viktige meldingar"}
TEASERS = {
    "nb": ("Alle abonnenter på Bulken vannverk må koke vannet. Les mer",
           "Alle abonnenter på Bulken vannverk må koke vannet før det brukes til drikke …"),
    "nn": ("Alle abonnentar på Bulken vassverk må koke vatnet før det blir brukt …",
           "Alle abonnentar på Bulken vassverk må koke vatnet. Les meir"),
}  # fmt: skip


def page(lang: str, teaser: str) -> PageContent:
    body = f"<h2>Kokevarsel for Bulken</h2><p><a href='/kokevarsel'>{teaser}</a></p>"
    return article(TITLE[lang], body, site="Kommunen")


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_teaser_recut_for_the_layout_says_the_same(lang: str) -> None:
    old, new = TEASERS[lang]
    assert kinds(page(lang, old), page(lang, new)) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Alle må koke vatnet. Les meir", "Alle må ikkje lenger koke vatnet …"),
        ("Kokevarselet gjeld Bulken …", "Kokevarselet gjeld Bulkenområdet …"),
        ("Kokevarselet gjeld til fredag.", "Kokevarselet gjeld til fredag og laurdag."),
    ],
)
def test_an_excerpt_that_says_otherwise_is_read(old: str, new: str) -> None:
    assert kinds(page("nn", old), page("nn", new)) == ["changed"]
