"""Blind rounds 26 and 44's open cases, met: a chapter whose number is dropped, added or set
in another style ("3. Smitteoppsporing" -> "Smitteoppsporing", "2. Varsling" -> "Kapittel 2:
Varsling"), its text the same, is the same chapter; a chapter given another number is moved,
and one given other words, or other text, is told. Bokmål and nynorsk."""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds

TEXT = {
    "nb": ("Kommunen skal varsle smittevernlegen straks.", "Meld fra til FHI innen ett døgn."),
    "nn": ("Kommunen skal varsle smittevernlegen straks.", "Meld frå til FHI innan eitt døgn."),
}


def guide(lang: str, first: str, second: str, text: tuple[str, str] | None = None) -> PageContent:
    a, b = text or TEXT[lang]
    body = f"<h2>{first}</h2><p>{a}</p><h2>{second}</h2><p>{b}</p>"
    return article("Smittevern i kommunen", body)


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize(
    ("old", "new"),
    [
        (("1. Varsling", "2. Meldeplikt"), ("Varsling", "Meldeplikt")),  # numbers dropped
        (("Varsling", "Meldeplikt"), ("1. Varsling", "2. Meldeplikt")),  # numbers added
        (("1. Varsling", "2. Meldeplikt"), ("Kapittel 1: Varsling", "Kapittel 2: Meldeplikt")),
        (
            ("Kapittel 1 Varsling", "Kapittel 2 Meldeplikt"),
            ("Kap. 1 – Varsling", "Kap. 2 – Meldeplikt"),
        ),
    ],
)
def test_a_chapter_numbered_in_another_style_is_the_same_chapter(
    lang: str, old: tuple[str, str], new: tuple[str, str]
) -> None:
    assert kinds(guide(lang, *old), guide(lang, *new)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_chapter_given_another_number_is_moved(lang: str) -> None:
    before = guide(lang, "1. Varsling", "2. Meldeplikt")
    assert kinds(before, guide(lang, "1. Varsling", "3. Meldeplikt")) == ["moved"]
    assert kinds(before, guide(lang, "1. Varsling", "Kapittel 3: Meldeplikt")) == ["moved"]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_chapter_given_other_words_or_other_text_is_told(lang: str) -> None:
    before = guide(lang, "1. Varsling", "2. Meldeplikt")
    assert kinds(before, guide(lang, "1. Varsling", "Kapittel 2: Meldeplikt for leger")) == [
        "changed"
    ]
    assert kinds(before, guide(lang, "1. Varsling", "Meldeplikt og frister")) == ["changed"]
    other = (TEXT[lang][0], "Meld frå til FHI innan to døgn.")
    assert kinds(before, guide(lang, "1. Varsling", "Meldeplikt", other)) != []
