"""Blind round 43's rule, both ways, bokmål and nynorsk: a toggle between two renderings of the
same content ("Vis lettlest versjon" / "Skjul lettlest versjon", "Vis som tabell") is a control's
label, no content; a sentence about the easy-read version is read."""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds

TITLE = {"nb": "Vaksinasjon høsten 2026", "nn": "Vaksinasjon hausten 2026"}
TOGGLES = {
    "nb": [("Vis lettlest versjon", "Skjul lettlest versjon"), ("Vis som tabell", "Skjul tabell")],
    "nn": [("Vis lettlesen utgåve", "Skjul lettlesen utgåve"), ("Vis som graf", "Skjul graf")],
}


def page(lang: str, label: str) -> PageContent:
    body = f"<p>Vaksinen er gratis.</p><button type='button'>{label}</button><p>Ta kontakt.</p>"
    return article(TITLE[lang], body, site="Kommunen")


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_toggle_between_renderings_is_no_change(lang: str) -> None:
    for old, new in TOGGLES[lang]:
        assert kinds(page(lang, old), page(lang, new)) == [], old


def test_a_sentence_about_the_easy_read_version_is_read() -> None:
    def text(words: str) -> PageContent:
        return article(TITLE["nn"], f"<p>{words}</p>", site="Kommunen")

    before = text("Vis lettlest versjon til pasientar som treng det.")
    after = text("Vis lettlest versjon til alle pasientar over 80 år.")
    assert kinds(before, after) == ["changed"]
