"""Blind rounds 86 and 87's rules, bokmål and nynorsk:

- an index of initial letters over an A-Z table ("A B C ... Å", the letters without entries
  shown but not linked) is a control, whatever letters it shows; a list of single letters
  that leads nowhere on the page is read;
- a section whose text went, unchanged, under new subheadings of its own heading (an A-Z
  table split into one table per continent, its header row printed again over each) says
  the same; a row edited in the split is told;
- an eight-digit phone number written 3-2-3 ("905 11 240") says the same as its digits
  alone, both ways; another number is told.
"""

from __future__ import annotations

import pytest

from tests.support.pages import article, kinds, text

ROWS = {
    "nb": [
        ("Angola", "Hepatitt A, gulfeber", "Afrika"),
        ("Egypt", "Hepatitt A", "Afrika"),
        ("India", "Hepatitt A, tyfoid", "Asia"),
        ("Peru", "Hepatitt A, gulfeber", "Sør-Amerika"),
    ],
    "nn": [
        ("Angola", "Hepatitt A, gulfeber", "Afrika"),
        ("Egypt", "Hepatitt A", "Afrika"),
        ("India", "Hepatitt A, tyfoid", "Asia"),
        ("Peru", "Hepatitt A, gulfeber", "Sør-Amerika"),
    ],
}
TITLE = {"nb": "Vaksineanbefalinger for reisende", "nn": "Vaksinetilrådingar for reisande"}


def letters(shown: str, linked: str) -> str:
    items = "".join(
        f"<li><a href='#bokstav-{c}'>{c}</a></li>" if c in linked else f"<li><span>{c}</span></li>"
        for c in shown
    )
    return f"<nav class='letter-nav'><ul>{items}</ul></nav>"


def rows_table(rows: list[tuple[str, str, str]]) -> str:
    body = "".join(f"<tr><td>{land}</td><td>{vaccines}</td></tr>" for land, vaccines, _ in rows)
    return f"<table><thead><tr><th>Land</th><th>Vaksiner</th></tr></thead><tbody>{body}</tbody></table>"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_index_of_initial_letters_is_a_control(lang: str) -> None:
    table = f"<h2>Etter land</h2>{rows_table(ROWS[lang])}"
    before = article(TITLE[lang], letters("ABCDEFGHIJKLMNOP", "AEIP") + table)
    after = article(TITLE[lang], letters("ABCDEFGHIJKLMNOPQRSTUVWXYZÆØÅ", "AEIP") + table)
    assert kinds(before, after) == []
    assert "Q" not in text(f"<main><h1>T</h1>{letters('ABCDEFGHIJKLMNOPQ', 'AE')}<p>x</p></main>")


def test_a_list_of_letters_that_leads_nowhere_is_read() -> None:
    items = "".join(f"<li>{c}</li>" for c in "ABCDEFGHIJ")
    assert "• A\n• B" in text(f"<main><h1>Grupper</h1><h2>Grupper</h2><ul>{items}</ul></main>")


def split(rows: list[tuple[str, str, str]]) -> str:
    parts = []
    for continent in dict.fromkeys(c for _, _, c in rows):
        mine = [r for r in rows if r[2] == continent]
        parts.append(f"<h3>{continent}</h3>{rows_table(mine)}")
    return "<h2>Etter land</h2>" + "".join(parts)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_table_split_under_new_subheadings_says_the_same(lang: str) -> None:
    whole = article(TITLE[lang], f"<h2>Etter land</h2>{rows_table(ROWS[lang])}")
    assert kinds(whole, article(TITLE[lang], split(ROWS[lang]))) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_row_edited_in_the_split_is_told(lang: str) -> None:
    whole = article(TITLE[lang], f"<h2>Etter land</h2>{rows_table(ROWS[lang])}")
    edited = [(r[0], r[1] + ", kolera", r[2]) if r[0] == "India" else r for r in ROWS[lang]]
    assert kinds(whole, article(TITLE[lang], split(edited))) != []


ROLES = {
    "nb": ("Kommuneoverlege", "Smittevernsykepleier"),
    "nn": ("Kommuneoverlege", "Smittevernsjukepleiar"),
}


def roles(lang: str, numbers: tuple[str, str]) -> str:
    rows = "".join(
        f"<tr><td>{role}</td><td>{number}</td></tr>"
        for role, number in zip(ROLES[lang], numbers, strict=True)
    )
    return article(
        "Beredskapsplan",
        f"<h2>Roller</h2><table><tr><th>Rolle</th><th>Telefon</th></tr>{rows}</table>",
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_phone_number_written_three_two_three_says_the_same(lang: str) -> None:
    plain, grouped = (
        roles(lang, ("90511240", "47630812")),
        roles(lang, ("905 11 240", "476 30 812")),
    )
    assert kinds(plain, grouped) == []
    assert kinds(grouped, plain) == []
    assert kinds(plain, roles(lang, ("905 11 241", "476 30 812"))) == ["changed"]
