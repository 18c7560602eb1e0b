"""Blind round 68's rule, both ways, bokmål and nynorsk: a decision table's cell answered by a
mark alone ("✓", "✗") reads as the word it stands for ("Ja", "Nei"), so a table rewritten in
marks says the same; a cell that flips is told, and a mark inside a sentence is read as it
stands."""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds

ROWS = {
    "nb": [("Barnehage", "Ja", "Nei"), ("Skole", "Nei", "Ja")],
    "nn": [("Barnehage", "Ja", "Nei"), ("Skule", "Nei", "Ja")],
}
MARKS = {"Ja": "\u2713", "Nei": "\u2717"}


def table(lang: str, rows: list[tuple[str, str, str]], marks: bool = False) -> PageContent:
    head = "<tr><th>Gruppe</th><th>Test</th><th>Karantene</th></tr>"
    body = "".join(
        "<tr>" + "".join(f"<td>{MARKS.get(c, c) if marks else c}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return article("Råd", f"<h2>Råd for grupper</h2><table>{head}{body}</table>")


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_table_rewritten_in_marks_says_the_same(lang: str) -> None:
    assert kinds(table(lang, ROWS[lang]), table(lang, ROWS[lang], marks=True)) == []
    assert kinds(table(lang, ROWS[lang], marks=True), table(lang, ROWS[lang])) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_cell_that_flips_in_the_rewrite_is_told(lang: str) -> None:
    flipped = [ROWS[lang][0], (ROWS[lang][1][0], "Ja", "Ja")]
    assert kinds(table(lang, ROWS[lang]), table(lang, flipped, marks=True)) == ["changed"]


def test_a_mark_inside_a_sentence_is_read_as_it_stands() -> None:
    before = article("Råd", "<p>Kryss av ja i skjemaet.</p>")
    after = article("Råd", "<p>Kryss av \u2713 i skjemaet.</p>")
    assert kinds(before, after) == ["changed"]
