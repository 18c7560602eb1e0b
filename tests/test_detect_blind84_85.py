"""Blind rounds 84 and 85's rule, both ways, bokmål and nynorsk: a table whose rows may come in
any order says the same when re-sorted also where some of its cells are empty (a "Merknad"
column blank in most rows, read as no line): its rows are found by their first cells. A cell
changed in the re-sort is told, and a table whose first cells repeat is read as it stands."""

from __future__ import annotations

import pytest

from tests.support.pages import article, kinds

ROWS = {
    "nb": [
        ("Hamar", "Nivå 3", "23.11.2020", ""),
        ("Elverum", "Nivå 1", "30.11.2020", "Gjelder også Heradsbygd"),
        ("Gjøvik", "Nivå 2", "02.12.2020", ""),
        ("Alvdal", "Nivå 1", "20.11.2020", ""),
    ],
    "nn": [
        ("Voss", "Nivå 3", "23.11.2020", ""),
        ("Bergen", "Nivå 2", "30.11.2020", "Gjeld òg Arna"),
        ("Stord", "Nivå 1", "02.12.2020", ""),
        ("Askøy", "Nivå 2", "20.11.2020", ""),
    ],
}
HEAD = {
    "nb": ("Kommune", "Nivå", "Gjelder fra", "Merknad"),
    "nn": ("Kommune", "Nivå", "Gjeld frå", "Merknad"),
}


def table(lang: str, rows: list[tuple[str, str, str, str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in HEAD[lang])
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return article(
        "Tiltak i kommunane" if lang == "nn" else "Tiltak i kommunene",
        f"<h2>Tiltaksnivå</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        "<p>Tabellen blir oppdatert kvar veke.</p>",
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_table_with_empty_cells_resorted_says_the_same(lang: str) -> None:
    rows = ROWS[lang]
    by_name = sorted(rows)
    by_level = sorted(rows, key=lambda r: (r[1], r[0]))
    assert kinds(table(lang, rows), table(lang, by_name)) == []
    assert kinds(table(lang, by_name), table(lang, by_level)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_cell_changed_in_the_resort_is_told(lang: str) -> None:
    rows = ROWS[lang]
    raised = [(r[0], "Nivå 3", r[2], r[3]) if i == 2 else r for i, r in enumerate(rows)]
    assert kinds(table(lang, rows), table(lang, sorted(raised))) == ["changed"]
    noted = [(r[0], r[1], r[2], "Skjenkestopp kl. 22") if i == 0 else r for i, r in enumerate(rows)]
    assert kinds(table(lang, rows), table(lang, sorted(noted))) == ["changed"]


def test_a_table_whose_first_cells_repeat_is_read_as_it_stands() -> None:
    rows = [
        ("Hamar", "Nivå 3", "23.11.2020", ""),
        ("Hamar", "Nivå 1", "30.11.2020", "Sentrum"),
        ("Gjøvik", "Nivå 2", "02.12.2020", ""),
    ]
    assert kinds(table("nb", rows), table("nb", list(reversed(rows)))) == ["changed"]
