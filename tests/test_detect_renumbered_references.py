"""A chapter inserted or taken out before numbered chapters renumbers them and the references
to their own subsections ("omtalt i kapittel 5.1" -> "6.1"): the chapter inserted (taken out)
is the news, the renumbering follows from it (blind round 46's open case), both ways, bokmål
and nynorsk. A renumbered chapter whose text changed in other words is still told."""

from __future__ import annotations

import pytest

from tests.support.pages import article, changed, kinds

CHAPTERS = {
    "nb": [
        ("Digitalisering og journaldeling", "Kjernejournal skal tas i bruk i alle kommuner."),
        ("Beredskap og folkehelse", "Kommunene har ansvar for smittevern, se kapittel {n}.1."),
        ("Oppfølging", "Regjeringen vil følge opp planen, se også {n}.2."),
    ],
    "nn": [
        ("Digitalisering og journaldeling", "Kjernejournal skal takast i bruk i alle kommunar."),
        ("Beredskap og folkehelse", "Kommunane har ansvar for smittevern, sjå kapittel {n}.1."),
        ("Oppfølging", "Regjeringa vil følgje opp planen, sjå også {n}.2."),
    ],
}


def plan(lang: str, chapters: list[tuple[str, str]], first: int = 4) -> str:
    body = "<h2>1 Innleiing</h2><p>Planen gjeld 2027–2030.</p>"
    for n, (heading, text) in enumerate(chapters, first):
        body += f"<h2>{n} {heading}</h2><p>{text.format(n=n)}</p>"
    return body


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_chapter_inserted_is_the_news_and_the_references_follow(lang: str) -> None:
    without, with_ = CHAPTERS[lang][1:], CHAPTERS[lang]
    before, after = (
        article("Meld. St. 9", plan(lang, without)),
        article("Meld. St. 9", plan(lang, with_)),
    )
    assert kinds(before, after) == ["added"]
    assert kinds(after, before) == ["removed"]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_renumbered_chapter_edited_in_other_words_is_told(lang: str) -> None:
    without, with_ = CHAPTERS[lang][1:], list(CHAPTERS[lang])
    heading, text = with_[1]
    with_[1] = (heading, text.replace("smittevern", "smittevern og vaksinasjon"))
    told = kinds(
        article("Meld. St. 9", plan(lang, without)), article("Meld. St. 9", plan(lang, with_))
    )
    assert sorted(told) != ["added"] and "added" in told


def test_a_reference_to_another_chapter_is_not_the_chapters_own() -> None:
    # "5 Beredskap" -> "6 Beredskap" with its reference to chapter 2.1 moved to 3.1: another
    # chapter's subsection, a real edit
    before = "<h2>5 Beredskap</h2><p>Sjå kapittel 2.1.</p>"
    after = "<h2>6 Beredskap</h2><p>Sjå kapittel 3.1.</p>"
    assert sorted(k for k, _ in changed(f"<main>{before}</main>", f"<main>{after}</main>")) == [
        "added",
        "removed",
    ]
