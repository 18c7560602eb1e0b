"""Blind rounds 219-222's rules, both ways, bokmål and nynorsk:

- a table's data row said twice and dropped once is a change; a header row printed again
  is not (only a row where a table begins, after a sentence or a caption, is a header);
- a link back to a place on the page drawn as a glyph ("↩") is a control;
- a part of the page's own stamp ("Sjekkliste oppdatert 3.12.2026") is furniture;
- the numbers an ordered list's steps print for the eye, hidden from screen readers, are the
  list's order; a hidden number that is not its step's place is read;
- "Veileder" over the title is the page's type, "Følg siden" among its tools a tool;
- a citation's date of the last change with its read date taken out ("(siste faglige
  endring 05.12.2026, )") is furniture;
- a line of labelled fields and the same fields as a definition list say the same; a value
  changed is told.
"""

from __future__ import annotations

import pytest

from tests.support.pages import changed, text

ROWS = {
    "nb": [("3 måneder", "Rotavirusvaksine", "Rotavirusinfeksjon"),
           ("", "Pneumokokkvaksine", "Pneumokokksykdom"),
           ("5 måneder", "DTP-IPV-Hib-HepB", "Difteri, stivkrampe, kikhoste, poliomyelitt, Hib"),
           ("", "Pneumokokkvaksine", "Pneumokokksykdom")],
    "nn": [("3 månader", "Rotavirusvaksine", "Rotavirusinfeksjon"),
           ("", "Pneumokokkvaksine", "Pneumokokksjukdom"),
           ("5 månader", "DTP-IPV-Hib-HepB", "Difteri, stivkrampe, kikhoste, poliomyelitt, Hib"),
           ("", "Pneumokokkvaksine", "Pneumokokksjukdom")],
}  # fmt: skip


def schedule(rows: list[tuple[str, str, str]]) -> str:
    body = "".join(
        "<tr>" + (f"<td>{age}</td>" if age else "") + f"<td>{v}</td><td>{d}</td></tr>"
        for age, v, d in rows
    )
    return (
        "<main><h1>Program</h1><h2>Alder</h2><p>Tabellen viser vaksinane.</p><table>"
        f"<tr><th>Alder</th><th>Vaksine</th><th>Vern</th></tr>{body}</table></main>"
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_data_row_said_twice_and_dropped_once_is_a_change(lang: str) -> None:
    rows = ROWS[lang]
    assert changed(schedule(rows), schedule(rows[:3])) == [("changed", ("Program", "Alder"))]


def test_a_back_link_glyph_is_a_control() -> None:
    note = "<main><h1>P</h1><ol><li id='fn1'>Første dose før 12 veker.{}</li></ol></main>"
    assert changed(note.format(""), note.format(" <a href='#ref1'>↩</a>")) == []
    assert "↩" not in text(note.format(" <a href='#ref1'>↩</a>"))
    # a link of words back to the text is read
    assert "Tilbake" in text(note.format(" <a href='#ref1'>Tilbake</a>"))


STAMP = {"nb": "Sjekkliste oppdatert {}", "nn": "Sjekklista oppdatert {}"}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_part_of_the_pages_stamp_is_furniture(lang: str) -> None:
    page = (
        "<main><h1>Smittevern</h1><h2>Sjekkliste</h2><p class='label'>{}</p><p>Kryss av.</p></main>"
    )
    before = page.format(STAMP[lang].format("14.10.2026"))
    assert changed(before, page.format(STAMP[lang].format("3.12.2026"))) == []
    said = page.format("Sjekklista er oppdatert med eit nytt punkt om Vesuv.")
    assert "Vesuv" in text(said)


STEPS = {
    "nb": ["Fjern ringer og smykker.", "Påfør hånddesinfeksjon.", "Gni i minst 30 sekunder."],
    "nn": ["Fjern ringar og smykke.", "Påfør handdesinfeksjon.", "Gni i minst 30 sekund."],
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_step_numbers_hidden_from_screen_readers_are_the_lists_order(lang: str) -> None:
    steps = STEPS[lang]
    plain = "<main><h1>H</h1><ol>" + "".join(f"<li>{s}</li>" for s in steps) + "</ol></main>"
    marked = (
        "<main><h1>H</h1><ol class='steps'>"
        + "".join(
            f"<li><span class='n' aria-hidden='true'>{n}</span> {s}</li>"
            for n, s in enumerate(steps, 1)
        )
        + "</ol></main>"
    )
    assert changed(plain, marked) == []
    wrong = marked.replace(">2</span>", ">5</span>")
    assert "5 " in text(wrong)


def test_veileder_over_the_title_and_follow_the_page_are_furniture() -> None:
    plain = "<main><h1>Kikhoste</h1><p>Kikhoste er ein luftvegsinfeksjon.</p></main>"
    dressed = (
        "<main><p class='type'>Veileder</p><h1>Kikhoste</h1><p>Kikhoste er ein "
        "luftvegsinfeksjon.</p><p>Del Skriv ut Følg siden</p></main>"
    )
    assert changed(plain, dressed) == []


CITE = {
    "nb": "Oslo: Helsedirektoratet (siste faglige endring {}, ). Tilgjengelig fra hdir.no",
    "nn": "Oslo: Helsedirektoratet (siste faglege endring {}, ). Tilgjengeleg frå hdir.no",
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_citations_change_date_with_its_read_date_taken_out_is_furniture(lang: str) -> None:
    page = "<main><h1>Bihulebetennelse</h1><h2>Sitere</h2><p>{}</p></main>"
    before = page.format(CITE[lang].format("02.12.2026"))
    assert changed(before, page.format(CITE[lang].format("05.12.2026"))) == []


META = {
    "nb": ("Ansvarlig", "Helse- og omsorgsdepartementet", "Dokumentnummer", "I-6/2026"),
    "nn": ("Ansvarleg", "Helse- og omsorgsdepartementet", "Dokumentnummer", "I-6/2026"),
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_line_of_fields_made_a_definition_list_says_the_same(lang: str) -> None:
    la, va, lb, vb = META[lang]
    line = (
        f"<main><h1>Rundskriv</h1><p>Rundskriv Dato: 16.02.2026 {la}: {va} {lb}: {vb}</p>"
        "<p>Rundskrivet gjeld smittevern.</p></main>"
    )
    listed = (
        "<main><h1>Rundskriv</h1><p>Rundskriv Dato: 16.02.2026</p><dl><dt>{}</dt><dd>{}</dd>"
        "<dt>{}</dt><dd>{}</dd></dl><p>Rundskrivet gjeld smittevern.</p></main>"
    )
    assert changed(line, listed.format(lb, vb, la, va)) == []
    assert changed(line, listed.format(lb, "I-7/2026", la, va)) != []
