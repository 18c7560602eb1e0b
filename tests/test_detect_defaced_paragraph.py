"""A paragraph of the article overwritten with advertising for a casino (pills, loans) and two
links to it is a hijacked site, a source problem, never a changed section mailed to doctors
(open case ``hdir_paragraph_defaced_with_spam``, blind round 42); both ways, bokmål and
nynorsk: a page about gambling problems that names casinos in its own words and links to
helpers is read, and so are two casino links without words of their own (blind round 37)."""

from __future__ import annotations

import pytest

from feeds.errors import SourceProblem
from tests.support.pages import article, kinds

DOSING = {
    "nb": "<p>Voksne får én dose. Personer over 75 år kan få en ny dose etter seks måneder.</p>",
    "nn": "<p>Vaksne får éin dose. Personar over 75 år kan få ein ny dose etter seks månader.</p>",
}
DEFACED = {
    "nb": (
        "<p>Beste nettcasino 2026 – få 200 gratisspinn! "
        "<a href='https://casino-bonus.example.com'>Spill nå</a> "
        "<a href='https://casino-bonus.example.com/no'>Norske casino uten konto</a> "
        "og <a href='https://bet-vip.example.net'>raske uttak</a>.</p>"
    ),
    "nn": (
        "<p>Beste nettkasino 2026 – få 200 gratisspinn! "
        "<a href='https://kasino-bonus.example.com'>Spel no</a> "
        "<a href='https://kasino-bonus.example.com/nn'>Norske kasino utan konto</a> "
        "og <a href='https://bet-vip.example.net'>raske uttak</a>.</p>"
    ),
}
HELP = {
    "nb": (
        "<p>Nettcasino og betting gir flest spilleproblemer. Få hjelp hos "
        "<a href='https://www.hjelpelinjen.no/'>Hjelpelinjen</a> eller "
        "<a href='https://www.lotteritilsynet.no/'>Lotteritilsynet</a>.</p>"
    ),
    "nn": (
        "<p>Nettkasino og betting gjev flest speleproblem. Få hjelp hjå "
        "<a href='https://www.hjelpelinjen.no/'>Hjelpelinjen</a> eller "
        "<a href='https://www.lotteritilsynet.no/'>Lotteritilsynet</a>.</p>"
    ),
}


def dosing(lang: str, paragraph: str) -> str:
    return f"<h2>Dosering</h2>{DOSING[lang]}{paragraph}"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_paragraph_overwritten_with_casino_advertising_is_a_problem(lang: str) -> None:
    article("Koronavaksine", dosing(lang, "<p>Spør fastlegen.</p>"))  # read before
    with pytest.raises(SourceProblem, match="hijacked"):
        article("Koronavaksine", dosing(lang, DEFACED[lang]))


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_page_on_gambling_problems_that_links_to_helpers_is_read(lang: str) -> None:
    before = article("Spilleproblemer", dosing(lang, HELP[lang]))
    edited = HELP[lang].replace("Hjelpelinjen</a>", "Hjelpelinjen</a> (døgnåpen)")
    assert kinds(before, article("Spilleproblemer", dosing(lang, edited))) == ["changed"]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_paragraph_naming_a_casino_beside_one_casino_link_is_read(lang: str) -> None:
    one = DEFACED[lang].split(" <a href='https://casino-bonus.example.com/no'")[0]
    one = one.split(" <a href='https://kasino-bonus.example.com/nn'")[0] + "</p>"
    assert article("Koronavaksine", dosing(lang, one)).sections
