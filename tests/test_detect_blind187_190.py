"""Blind rounds 187-190's rules, both ways, bokmål and nynorsk:

- the lines that close a page (a guideline's self-citation, read into its last section)
  follow whichever section is last: the last recommendation removed, or two swapped, does
  not tell the one now last as changed; lines the two sections both end with, or a line
  added to the one now last, are told as before;
- when the shown version was shown ("Gjeldende versjon – vist 06.12.2026 kl. 07:12") is a
  field of a line of fields, as a print time is, and a link cited with its act at Lovdata
  ("Tidligere versjoner (FOR-2005-06-17-610)") is a field beside it.
"""

from __future__ import annotations

import pytest

from tests.support.pages import changed, text

CITE = {
    "nb": "Helsedirektoratet (2024). Antibiotika i primærhelsetjenesten [nettdokument]. Oslo: "
    "Helsedirektoratet. Tilgjengelig fra https://www.helsedirektoratet.no/retningslinjer/ab",
    "nn": "Helsedirektoratet (2024). Antibiotika i primærhelsetenesta [nettdokument]. Oslo: "
    "Helsedirektoratet. Tilgjengeleg frå https://www.helsedirektoratet.no/retningslinjer/ab",
}
RECS = {
    "nb": [
        ("1. Penicillin bør vurderes ved tre eller fire Centor-kriterier",
         "Fenoksymetylpenicillin 660 mg x 4 i 5 dager.", "Spinks A et al. Cochrane 2021."),
        ("2. Pasienter med peritonsillær abscess bør henvises",
         "Henvis til øre-nese-hals-lege samme dag.", "Klug TE et al. 2020."),
        ("3. Antibiotika bør ikke gis ved forkjølelse",
         "Forkjølelse går over av seg selv.", "Kenealy T et al. 2013."),
    ],
    "nn": [
        ("1. Penicillin bør vurderast ved tre eller fire Centor-kriterium",
         "Fenoksymetylpenicillin 660 mg x 4 i 5 dagar.", "Spinks A et al. Cochrane 2021."),
        ("2. Pasientar med peritonsillær abscess bør tilvisast",
         "Tilvis til øyre-nase-hals-lege same dag.", "Klug TE et al. 2020."),
        ("3. Antibiotika bør ikkje givast ved forkjøling",
         "Forkjøling går over av seg sjølv.", "Kenealy T et al. 2013."),
    ],
}  # fmt: skip


def guideline(lang: str, picks: list[int], cite: str | None = None, extra: str = "") -> str:
    recs = "".join(
        f"<h2>{RECS[lang][n][0]}</h2><p>{RECS[lang][n][1]}</p>"
        f"<h3>Referanser</h3><ol><li>{RECS[lang][n][2]}</li></ol>"
        for n in picks
    )
    return (
        f"<main><h1>Halsinfeksjonar</h1>{recs}{extra}"
        f"<div class='article-footer'><p class='citation'>{cite or CITE[lang]}</p></div></main>"
    )


def heading(lang: str, n: int) -> str:
    return RECS[lang][n][0]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_last_section_removed_does_not_tell_the_one_now_last(lang: str) -> None:
    got = changed(guideline(lang, [0, 1, 2]), guideline(lang, [0, 1]))
    assert sorted(got) == [
        ("removed", ("Halsinfeksjonar", heading(lang, 2))),
        ("removed", ("Halsinfeksjonar", heading(lang, 2), "Referanser")),
    ]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_section_added_last_does_not_tell_the_one_before(lang: str) -> None:
    got = changed(guideline(lang, [0, 1]), guideline(lang, [0, 1, 2]))
    assert sorted(got) == [
        ("added", ("Halsinfeksjonar", heading(lang, 2))),
        ("added", ("Halsinfeksjonar", heading(lang, 2), "Referanser")),
    ]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_closing_lines_themselves_changed_are_told(lang: str) -> None:
    # the citation edited as the last section goes: the section now last gains a line it
    # never had in that wording, and that is told
    other = CITE[lang].replace("(2024)", "(2026)").replace("Antibiotika", "Antibiotikabruk")
    got = changed(guideline(lang, [0, 1, 2]), guideline(lang, [0, 1], cite=other))
    assert ("changed", ("Halsinfeksjonar", heading(lang, 1), "Referanser")) in got


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_line_both_sections_end_with_is_not_taken_for_the_page_end(lang: str) -> None:
    # both recommendations' references end with the same source; the last one removed: the
    # one left says what it said, nothing more is told of it
    same = {"nb": "Helsedirektoratet 2024.", "nn": "Helsedirektoratet 2024."}[lang]

    def page(picks: list[int]) -> str:
        recs = "".join(
            f"<h2>{RECS[lang][n][0]}</h2><p>{RECS[lang][n][1]}</p>"
            f"<h3>Referanser</h3><ol><li>{RECS[lang][n][2]}</li><li>{same}</li></ol>"
            for n in picks
        )
        return f"<main><h1>Halsinfeksjonar</h1>{recs}</main>"

    got = changed(page([0, 1]), page([0]))
    assert sorted(got) == [
        ("removed", ("Halsinfeksjonar", heading(lang, 1))),
        ("removed", ("Halsinfeksjonar", heading(lang, 1), "Referanser")),
    ]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_edit_of_the_section_now_last_is_told(lang: str) -> None:
    # the last recommendation removed and a reference added to the one now last
    before = guideline(lang, [0, 1, 2])
    after = guideline(lang, [0, 1]).replace(
        f"<li>{RECS[lang][1][2]}</li>", f"<li>{RECS[lang][1][2]}</li><li>Ny kjelde 2026.</li>"
    )
    assert ("changed", ("Halsinfeksjonar", heading(lang, 1), "Referanser")) in changed(
        before, after
    )


SHOWN = {
    "nb": "Gjeldende versjon – vist {} kl. {} · "
    "<a href='https://lovdata.no/dokument/SF/forskrift/2005-06-17-610'>Tidligere versjoner</a>",
    "nn": "Gjeldande versjon – vist {} kl. {} · "
    "<a href='https://lovdata.no/dokument/SF/forskrift/2005-06-17-610'>Tidlegare versjonar</a>",
}


def regulation(lang: str, shown: str, rule: str = "Forskrifta gjeld frå 1. januar 2027.") -> str:
    return (
        "<main><h1>Forskrift om smittevern i helsetenesta</h1>"
        f"<p>{SHOWN[lang].format(*shown.split())}</p><h2>§ 1 Føremål</h2><p>{rule}</p></main>"
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_when_the_version_was_shown_is_no_news(lang: str) -> None:
    assert changed(regulation(lang, "06.12.2026 07:12"), regulation(lang, "07.12.2026 05:48")) == []
    assert "vist" not in text(regulation(lang, "06.12.2026 07:12"))
    assert "(FOR-2005-06-17-610)" in text(regulation(lang, "06.12.2026 07:12"))


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_regulation_beside_the_shown_version_is_still_read(lang: str) -> None:
    got = changed(
        regulation(lang, "06.12.2026 07:12"),
        regulation(lang, "07.12.2026 05:48", rule="Forskrifta gjeld frå 1. juli 2027."),
    )
    assert got == [("changed", ("Forskrift om smittevern i helsetenesta", "§ 1 Føremål"))]


# --- a table and its rows as records (open cases of blind rounds 174 and 180) ---------------

DOSES = {
    "nb": (["Legemiddel", "Voksne", "Barn", "Varighet"],
           [["Fenoksymetylpenicillin", "660 mg x 4", "10 mg/kg x 4", "5 dager"],
            ["Amoksicillin", "500 mg x 3", "15 mg/kg x 3", "5 dager"],
            ["Klaritromycin", "250 mg x 2", "7,5 mg/kg x 2", "5 dager"]]),
    "nn": (["Legemiddel", "Vaksne", "Born", "Varigheit"],
           [["Fenoksymetylpenicillin", "660 mg x 4", "10 mg/kg x 4", "5 dagar"],
            ["Amoksicillin", "500 mg x 3", "15 mg/kg x 3", "5 dagar"],
            ["Klaritromycin", "250 mg x 2", "7,5 mg/kg x 2", "5 dagar"]]),
}  # fmt: skip


def dosing(inner: str) -> str:
    return (
        f"<main><h1>Akutt otitt</h1><h2>Dosering</h2><p>Doser etter vekt.</p>{inner}"
        "<p>Vurder på nytt etter tre dagar.</p></main>"
    )


def as_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{c}</th>" for c in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def as_cards(header: list[str], rows: list[list[str]], first_label: bool = True) -> str:
    cards = []
    for row in rows:
        first = f"<dt>{header[0]}</dt><dd>{row[0]}</dd>" if first_label else f"<h4>{row[0]}</h4>"
        rest = "".join(
            f"<dt>{h}</dt><dd>{v}</dd>" for h, v in zip(header[1:], row[1:], strict=True)
        )
        cards.append(f"<div class='card'>{first}<dl>{rest}</dl></div>")
    return "".join(cards)


def as_fields(header: list[str], rows: list[list[str]]) -> str:
    return "".join(
        f"<div class='card'><p><strong>{row[0]}</strong></p>"
        + "".join(f"<p>{h}: {v}</p>" for h, v in zip(header[1:], row[1:], strict=True))
        + "</div>"
        for row in rows
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize("form", ["cards", "fields"])
def test_a_table_redrawn_as_records_says_the_same(lang: str, form: str) -> None:
    header, rows = DOSES[lang]
    records = as_cards(header, rows) if form == "cards" else as_fields(header, rows)
    table = as_table(header, rows)
    assert changed(dosing(table), dosing(records)) == []
    assert changed(dosing(records), dosing(table)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_list_of_pairs_redrawn_as_a_table_of_two_columns_says_the_same(lang: str) -> None:
    pairs = [["6 uker", "rotavirusvaksine"], ["3 måneder", "6-valent vaksine"],
             ["15 måneder", "MMR-vaksine"]]  # fmt: skip
    header = ["Alder", "Vaksine"] if lang == "nb" else ["Alder", "Vaksine (nynorsk)"]
    listed = "<ul>" + "".join(f"<li>{k}: {v}</li>" for k, v in pairs) + "</ul>"
    table = as_table(header, pairs)
    assert changed(dosing(listed), dosing(table)) == []
    assert changed(dosing(table), dosing(listed)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize(
    "edit",
    ["a dose", "a row dropped", "two values swapped", "a row moved", "a label changed"],
)
def test_records_that_say_otherwise_are_told(lang: str, edit: str) -> None:
    header, rows = DOSES[lang]
    after_rows = [list(r) for r in rows]
    after_header = list(header)
    if edit == "a dose":
        after_rows[1][1] = "750 mg x 3"
    elif edit == "a row dropped":
        del after_rows[2]
    elif edit == "two values swapped":
        after_rows[0][1], after_rows[0][2] = after_rows[0][2], after_rows[0][1]
    elif edit == "a row moved":
        after_rows = [after_rows[1], after_rows[0], after_rows[2]]
    else:
        after_header[2] = "Eldre"
    got = changed(dosing(as_table(header, rows)), dosing(as_cards(after_header, after_rows)))
    assert got == [("changed", ("Akutt otitt", "Dosering"))]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_wide_table_whose_header_goes_is_told(lang: str) -> None:
    # which value is the adult's and which the child's is lost with the header
    header, rows = DOSES[lang]
    bare = "".join("<p>" + "</p><p>".join(row) + "</p>" for row in rows)
    got = changed(dosing(as_table(header, rows)), dosing(bare))
    assert got == [("changed", ("Akutt otitt", "Dosering"))]
