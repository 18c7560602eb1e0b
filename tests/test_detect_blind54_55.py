"""Blind rounds 54 and 55's rules, both ways, bokmål and nynorsk:

- round 54 (numbered points): a list's items marked otherwise ("1." as "1)", numbers as
  bullets, a lettering slip mended) or a point split in two with the same sentences and the
  later points renumbered say the same; a point added, dropped, moved or reworded is told,
  and so is a lone "3. dose" made "4. dose";
- round 55 (directories): a table turned into a list of its rows (the headers as labels, or
  none) says the same; a cell changed or a row added is told.
"""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds

LANGS = ["nb", "nn"]
POINTS = {
    "nb": [
        "Planen skal være oppdatert.",
        "Planen skal sikre bemanning.",
        "Planen skal omfatte vaksinasjon.",
    ],
    "nn": [
        "Planen skal vere oppdatert.",
        "Planen skal sikre bemanning.",
        "Planen skal omfatte vaksinasjon.",
    ],
}


def letter(lang: str, lines: list[str]) -> PageContent:
    body = "<h2>Krav til planen</h2>" + "".join(f"<p>{line}</p>" for line in lines)
    return article("Brev til kommunene", body)


def numbered(points: list[str], mark: str = "{}.") -> list[str]:
    return [f"{mark.format(i)} {p}" for i, p in enumerate(points, 1)]


@pytest.mark.parametrize("lang", LANGS)
def test_items_marked_otherwise_say_the_same(lang: str) -> None:
    points = POINTS[lang]
    before = letter(lang, numbered(points))
    assert kinds(before, letter(lang, numbered(points, "{})"))) == []
    assert kinds(before, letter(lang, [f"• {p}" for p in points])) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_lettering_slip_mended_says_the_same(lang: str) -> None:
    a, b, c = POINTS[lang]
    before = letter(
        lang, ["1. Journalen skal inneholde:", f"a) {a}", f"c) {b}", f"d) {c}", "2. Slutt."]
    )
    after = letter(
        lang, ["1. Journalen skal inneholde:", f"a) {a}", f"b) {b}", f"c) {c}", "2. Slutt."]
    )
    assert kinds(before, after) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_point_split_with_the_same_sentences_says_the_same(lang: str) -> None:
    a, b, c = POINTS[lang]
    before = letter(lang, numbered([f"{a} {b}", c]))
    assert kinds(before, letter(lang, numbered([a, b, c]))) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_point_added_dropped_moved_or_reworded_is_told(lang: str) -> None:
    a, b, c = POINTS[lang]
    before = letter(lang, numbered([a, b, c]))
    for after in (
        [a, "Ny: planen skal øves årlig.", b, c],
        [a, c],
        [b, a, c],
        [a, b.replace("sikre", "vurdere"), c],
    ):
        assert kinds(before, letter(lang, numbered(after))) == ["changed"]


def test_a_lone_ordinal_made_another_is_told() -> None:
    before = letter("nb", ["3. dose gis etter seks måneder.", "Ta kontakt med fastlegen."])
    after = letter("nb", ["4. dose gis etter seks måneder.", "Ta kontakt med fastlegen."])
    assert kinds(before, after) == ["changed"]


HEADERS = {
    "nb": ("Kommune", "Kommuneoverlege", "Telefon"),
    "nn": ("Kommune", "Kommuneoverlege", "Telefon"),
}
ROWS = [("Hamar", "Tone Kristiansen", "62 56 30 00"), ("Løten", "Espen Moen", "62 41 40 00")]


def table(lang: str, rows: list[tuple[str, str, str]]) -> PageContent:
    head = "".join(f"<th>{h}</th>" for h in HEADERS[lang])
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return article(
        "Kommuneoverleger", f"<h2>Hamarregionen</h2><table><tr>{head}</tr>{body}</table>"
    )


def listed(lang: str, rows: list[tuple[str, str, str]], labels: bool = True) -> PageContent:
    label = "telefon " if labels else ""
    items = "".join(f"<li>{k}: {n}, {label}{t}</li>" for k, n, t in rows)
    return article("Kommuneoverleger", f"<h2>Hamarregionen</h2><ul>{items}</ul>")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("labels", [True, False])
def test_a_table_turned_into_a_list_says_the_same(lang: str, labels: bool) -> None:
    assert kinds(table(lang, ROWS), listed(lang, ROWS, labels)) == []
    assert kinds(listed(lang, ROWS, labels), table(lang, ROWS)) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_cell_changed_or_a_row_added_in_the_turn_is_told(lang: str) -> None:
    other = [ROWS[0], ("Løten", "Espen Moen", "62 41 40 99")]
    assert kinds(table(lang, ROWS), listed(lang, other)) == ["changed"]
    more = [*ROWS, ("Stange", "Halvor Berg", "62 56 20 00")]
    assert kinds(table(lang, ROWS), listed(lang, more)) == ["changed"]
    assert kinds(table(lang, ROWS), listed(lang, ROWS[::-1])) == ["changed"]
