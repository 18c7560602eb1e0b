"""Blind rounds 191-194's page rules, both ways, bokmål and nynorsk (the feed rules of round
191 are in tests/test_feed_withdrawn.py):

- a copy of a neighbour's content hidden from screen readers (a table's header row cloned to
  stay on screen, the table again as cards for phones) is read once; a hidden element with
  text of its own is read;
- a table split into parts by its group rows, its header printed over each part, says the
  same; a row moved to the other part is told;
- the mark after a table's number ("Tabell 1:" as "Tabell 1.") is punctuation;
- a section that differs in several places, each said the same by a rule of one place (a
  caption's mark, an abbreviation explained, a dash for an empty cell), says the same; one
  place no rule explains is told;
- a table's rows as records may leave out their last values where the cells are empty; a
  card that skips a column is told.
"""

from __future__ import annotations

import pytest

from tests.support.pages import changed, text

HEAD = {
    "nb": ["Vaksine", "Aldersgruppe", "Dose"],
    "nn": ["Vaksine", "Aldersgruppe", "Dose (nynorsk)"],
}
ROWS = {
    "nb": [["Engerix-B", "16 år og eldre", "20 µg"], ["Fendrix", "15 år og eldre", "20 µg"],
           ["HBVaxPro", "16 år og eldre", "10 µg"]],
    "nn": [["Engerix-B", "16 år og eldre", "20 µg"], ["Fendrix", "15 år og eldre", "20 µg"],
           ["HBVaxPro", "16 år og eldre", "10 µg"]],
}  # fmt: skip


def table(head: list[str], rows: list[list[str]], caption: str = "Tabell 1. Vaksiner") -> str:
    th = "".join(f"<th>{c}</th>" for c in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><caption>{caption}</caption><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def chapter(inner: str) -> str:
    return (
        "<main><h1>Hepatitt B-vaksine</h1><h2>Vaksiner og dosering</h2>"
        f"<p>Vaksinen gis intramuskulært.</p>{inner}<p>Se også kapittelet om boosterdoser.</p></main>"
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_header_row_cloned_for_scrolling_is_read_once(lang: str) -> None:
    head, rows = HEAD[lang], ROWS[lang]
    clone = (
        "<div class='sticky-thead' aria-hidden='true'><table><thead><tr>"
        + "".join(f"<th>{c}</th>" for c in head)
        + "</tr></thead></table></div>"
    )
    plain = chapter(f"<div class='scroll'>{table(head, rows)}</div>")
    sticky = chapter(f"{clone}<div class='scroll'>{table(head, rows)}</div>")
    assert changed(plain, sticky) == []
    assert text(plain) == text(sticky)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_table_again_as_hidden_cards_is_read_once(lang: str) -> None:
    head, rows = HEAD[lang], ROWS[lang]
    cards = "".join(
        "<dl>"
        + "".join(f"<dt>{h}</dt><dd>{v}</dd>" for h, v in zip(head, r, strict=True))
        + "</dl>"
        for r in rows
    )
    plain = chapter(f"<div>{table(head, rows)}</div>")
    both = chapter(f"<div>{table(head, rows)}</div><div aria-hidden='true'>{cards}</div>")
    assert changed(plain, both) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_hidden_element_with_words_of_its_own_is_read(lang: str) -> None:
    head, rows = HEAD[lang], ROWS[lang]
    note = "<div aria-hidden='true'><p>Merk</p><p>Fendrix gis bare til dialysepasienter</p></div>"
    plain = chapter(f"<div>{table(head, rows)}</div>")
    noted = chapter(f"<div>{table(head, rows)}</div>{note}")
    assert changed(plain, noted) == [("changed", ("Hepatitt B-vaksine", "Vaksiner og dosering"))]


GROUPS = {
    "nb": ("Tidligere uvaksinerte", "Tidligere fullvaksinerte"),
    "nn": ("Tidlegare uvaksinerte", "Tidlegare fullvaksinerte"),
}
PEP_HEAD = ["Situasjon", "Vaksinedoser", "Dagar"]
PEP = [
    [["Kategori II", "4 doser", "0, 3, 7 og 14"], ["Kategori III", "4 doser", "0, 3, 7 og 14"]],
    [["Kategori II", "2 doser", "0 og 3"], ["Kategori III", "2 doser", "0 og 3"]],
]


def one_table(lang: str, parts: list[list[list[str]]]) -> str:
    th = "".join(f"<th>{c}</th>" for c in PEP_HEAD)
    body = ""
    for group, rows in zip(GROUPS[lang], parts, strict=True):
        body += f"<tr><th colspan='3'>{group}</th></tr>"
        body += "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return chapter(f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>")


def split_tables(lang: str, parts: list[list[list[str]]]) -> str:
    return chapter(
        "".join(
            table(PEP_HEAD, rows, caption=group)
            for group, rows in zip(GROUPS[lang], parts, strict=True)
        )
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_table_split_by_its_group_rows_says_the_same(lang: str) -> None:
    assert changed(one_table(lang, PEP), split_tables(lang, PEP)) == []
    assert changed(split_tables(lang, PEP), one_table(lang, PEP)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_row_moved_to_the_other_part_is_told(lang: str) -> None:
    moved = [[*PEP[0], PEP[1][0]], [PEP[1][1]]]
    assert changed(one_table(lang, PEP), split_tables(lang, moved)) == [
        ("changed", ("Hepatitt B-vaksine", "Vaksiner og dosering"))
    ]


CAPTION = {
    "nb": "Tabell 1{} Anbefalt pneumokokkvaksinasjon etter alder",
    "nn": "Tabell 1{} Tilrådd pneumokokkvaksinasjon etter alder",
}


def pneumo(lang: str, mark: str, abbr: bool = False, dash: str = "–", dose: str = "1") -> str:
    name = "<abbr title='konjugert pneumokokkvaksine'>PCV20</abbr>" if abbr else "PCV20"
    rows = [["65 år og eldre", name, dose], ["Risikogrupper", "PPV23", dash]]
    return chapter(table(["Gruppe", "Vaksine", "Doser"], rows, caption=CAPTION[lang].format(mark)))


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_caption_number_mark_is_punctuation(lang: str) -> None:
    assert changed(pneumo(lang, ":"), pneumo(lang, ".")) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_several_places_each_said_the_same_say_the_same(lang: str) -> None:
    before = pneumo(lang, ":")
    after = pneumo(lang, ".", abbr=True, dash="-")
    assert changed(before, after) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_one_place_no_rule_explains_is_told_among_them(lang: str) -> None:
    before = pneumo(lang, ":")
    after = pneumo(lang, ".", abbr=True, dash="-", dose="2")
    assert changed(before, after) == [("changed", ("Hepatitt B-vaksine", "Vaksiner og dosering"))]


EXCLUSION = {
    "nb": (["Sykdom", "Holdes hjemme", "Merknad"],
           [["Brennkopper", "Til 24 timer etter antibiotika", "Gjelder også ansatte"],
            ["Streptokokker", "Til 24 timer etter antibiotika", ""],
            ["Vannkopper", "Nei", "Gravide ansatte bør kontakte lege"]]),
    "nn": (["Sjukdom", "Haldast heime", "Merknad"],
           [["Brennkoppar", "Til 24 timar etter antibiotika", "Gjeld òg tilsette"],
            ["Streptokokkar", "Til 24 timar etter antibiotika", ""],
            ["Vasskoppar", "Nei", "Gravide tilsette bør kontakte lege"]]),
}  # fmt: skip


def as_records(head: list[str], rows: list[list[str]]) -> str:
    return "<p>Tabell 1. Vaksiner</p>" + "".join(
        f"<div class='card'><h4>{r[0]}</h4>"
        + "".join(f"<p>{h}: {v}</p>" for h, v in zip(head[1:], r[1:], strict=True) if v)
        + "</div>"
        for r in rows
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_records_may_leave_out_their_last_empty_cells(lang: str) -> None:
    head, rows = EXCLUSION[lang]
    assert changed(chapter(table(head, rows)), chapter(as_records(head, rows))) == []


def as_cards(head: list[str], rows: list[list[str]]) -> str:
    return "<p>Tabell 1. Vaksiner</p>" + "".join(
        f"<dl><dt>{head[0]}</dt><dd>{r[0]}</dd>"
        + "".join(f"<dt>{h}</dt><dd>{v}</dd>" for h, v in zip(head[1:], r[1:], strict=True) if v)
        + "</dl>"
        for r in rows
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_cards_may_leave_out_their_last_empty_cells(lang: str) -> None:
    head, rows = EXCLUSION[lang]
    assert changed(chapter(table(head, rows)), chapter(as_cards(head, rows))) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_card_that_skips_a_column_is_told(lang: str) -> None:
    # the table's lines do not say which cell of a row was the empty one: a card that puts
    # its value under a later column than the next is not taken for the row
    head, rows = EXCLUSION[lang]
    skipped = [list(r) for r in rows]
    skipped[1] = [rows[1][0], "", rows[1][1]]  # the value said under "Merknad" instead
    assert changed(chapter(table(head, rows)), chapter(as_cards(head, skipped))) == [
        ("changed", ("Hepatitt B-vaksine", "Vaksiner og dosering"))
    ]
