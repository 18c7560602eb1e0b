"""Blind rounds 92 to 98's rules, both ways, bokmål and nynorsk:

- footnote marks in numbers without links whose notes are the items of a footnote list
  (``<ol class="fotnotar">``) read as their notes: notes renumbered with their marks say the
  same; a mark pointed at another note is told; a power (m<sup>2</sup>) is no mark;
- a table whose cells hold several lines, re-sorted, says the same; a line moved to another
  row is told;
- a table rebuilt as one section per row (cards), and back, says the same; a price moved to
  another card is told;
- page furniture: a view counter with today's count, a counter ending a listing's line, the
  share of readers who found the page useful, an advert box, a table of contents opened by
  buttons, the page's own "Last ned PDF" in its toolbar, a yes/no button beside an icon, an
  item's age in an element of its own;
- a date written with the month's short name and no point after the day ("22 des 2021")
  says the same as written out.
"""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds, page, text

WORDS = {
    "nb": ("Vaksiner og alder", "Vaksine mot", "Gis før barnet er 12 uker gammelt.",
           "Barn som har fått to doser, trenger ikke denne dosen.", "Fotnoter"),
    "nn": ("Vaksinar og alder", "Vaksine mot", "Blir gitt før barnet er 12 veker gammalt.",
           "Barn som har fått to dosar, treng ikkje denne dosen.", "Fotnotar"),
}  # fmt: skip


def noted(lang: str, swap: bool, repoint: bool = False) -> str:
    heading, col, first, second, notes = WORDS[lang]
    a, b = ("2", "1") if swap else ("1", "2")
    if repoint:
        a = b
    items = [second, first] if swap else [first, second]
    rows = f"<tr><td>6 uker</td><td>Rotavirus<sup>{a}</sup></td></tr>"
    rows += f"<tr><td>11 år</td><td>MMR<sup>{b}</sup></td></tr>"
    lis = "".join(f"<li>{item}</li>" for item in items)
    return article(
        "Barnevaksinasjonsprogrammet",
        f"<h2>{heading}</h2><table><tr><th>Alder</th><th>{col}</th></tr>{rows}</table>"
        f"<p><strong>{notes}</strong></p><ol class='fotnotar'>{lis}</ol>",
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_notes_renumbered_with_their_marks_say_the_same(lang: str) -> None:
    assert kinds(noted(lang, False), noted(lang, True)) == []
    assert kinds(noted(lang, True), noted(lang, False)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_mark_pointed_at_another_note_is_told(lang: str) -> None:
    assert kinds(noted(lang, False), noted(lang, False, repoint=True)) == ["changed"]


def test_a_power_is_no_footnote_mark() -> None:
    body = "<p>Rommet er 20 m<sup>2</sup>.</p><ol class='footnotes'><li>Ein note.</li><li>To.</li></ol>"
    assert "20 m2" in text(f"<main>{body}</main>")


SCHEDULE = {
    "nb": [("3 måneder", ["6-i-1", "Pneumokokksykdom"], "Sprøyte i låret"),
           ("5 måneder", ["6-i-1"], "Sprøyte i låret"),
           ("15 måneder", ["MMR"], "Sprøyte i overarmen")],
    "nn": [("3 månader", ["6-i-1", "Pneumokokksjukdom"], "Sprøyte i låret"),
           ("5 månader", ["6-i-1"], "Sprøyte i låret"),
           ("15 månader", ["MMR"], "Sprøyte i overarmen")],
}  # fmt: skip


def schedule(rows: list[tuple[str, list[str], str]]) -> str:
    body = "".join(
        f"<tr><td>{age}</td><td>{'<br>'.join(vaccines)}</td><td>{how}</td></tr>"
        for age, vaccines, how in rows
    )
    return article(
        "Barnevaksinasjonsprogrammet",
        "<h2>Alder</h2><table><thead><tr><th>Alder</th><th>Vaksine</th><th>Korleis</th></tr>"
        f"</thead><tbody>{body}</tbody></table>",
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_table_of_cells_of_several_lines_re_sorted_says_the_same(lang: str) -> None:
    rows = SCHEDULE[lang]
    assert kinds(schedule(rows), schedule(rows[::-1])) == []
    assert kinds(schedule(rows[::-1]), schedule(rows)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_line_moved_to_another_row_is_told(lang: str) -> None:
    rows = SCHEDULE[lang]
    (a, va, ha), (b, vb, hb), c = rows
    moved = [(a, va[:1], ha), (b, [*vb, va[1]], hb), c]
    assert kinds(schedule(rows), schedule(moved[::-1])) == ["changed"]


PRICES = {
    "nb": ("Priser", "Pris per dose", "Prisene gjelder doser utover det gratis kvantumet."),
    "nn": ("Prisar", "Pris per dose", "Prisane gjeld dosar utover det gratis kvantumet."),
}
VACCINES = [("Influvac Tetra", "96 kr"), ("Vaxigrip Tetra", "98 kr"), ("Fluenz", "214 kr")]


def as_table(lang: str, rows: list[tuple[str, str]]) -> str:
    heading, label, lead = PRICES[lang]
    body = "".join(f"<tr><td>{name}</td><td>{price}</td></tr>" for name, price in rows)
    return article(
        "Influensavaksine",
        f"<h2>{heading}</h2><p>{lead}</p><table><tr><th>Vaksine</th><th>{label}</th></tr>"
        f"{body}</table>",
    )


def as_cards(lang: str, rows: list[tuple[str, str]]) -> str:
    heading, label, lead = PRICES[lang]
    cards = "".join(f"<h3>{name}</h3><p>{label}: {price}</p>" for name, price in rows)
    return article("Influensavaksine", f"<h2>{heading}</h2><p>{lead}</p>{cards}")


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_table_rebuilt_as_cards_says_the_same(lang: str) -> None:
    assert kinds(as_table(lang, VACCINES), as_cards(lang, VACCINES)) == []
    assert kinds(as_cards(lang, VACCINES), as_table(lang, VACCINES)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_price_moved_to_another_card_is_told(lang: str) -> None:
    swapped = [(VACCINES[0][0], VACCINES[1][1]), (VACCINES[1][0], VACCINES[0][1]), VACCINES[2]]
    assert kinds(as_table(lang, VACCINES), as_cards(lang, swapped)) != []


FURNITURE = [
    # (before, after): what the page's furniture said one day and the next
    ("<p>Vist 48 213 ganger · 312 i dag</p>", "<p>Vist 48 977 ganger · 1 076 i dag</p>"),
    ("<ul><li><a href='/u47'>Ukerapport uke 47</a> 1203 visninger</li></ul>",
     "<ul><li><a href='/u47'>Ukerapport uke 47</a> 1 542 visninger</li></ul>"),
    ("<p>87 % syntes denne siden var nyttig (231 svar)</p>",
     "<p>86 % syntes denne siden var nyttig (236 svar)</p>"),
    ("", "<div role='toolbar'><a href='/side/pdf?t=1'>Last ned PDF</a></div>"),
    ("<div class='feedback'><button>Ja</button> <button>Nei</button></div>",
     "<div class='feedback'><div><button><span aria-hidden='true'>👍</span> Ja</button> "
     "<button><span aria-hidden='true'>👎</span> Nei</button></div></div>"),
    ("<ul><li><a href='/a'>Kokevarsel for Førde vassverk</a> <span class='age'>i dag</span>"
     "<p>Kok vatnet.</p></li></ul>",
     "<ul><li><a href='/a'>Kokevarsel for Førde vassverk</a> <span class='age'>i går</span>"
     "<p>Kok vatnet.</p></li></ul>"),
]  # fmt: skip
BODY = {
    "nb": "<h2>Råd</h2><p>Personer med luftveissymptomer bør holde seg hjemme.</p>{}",
    "nn": "<h2>Råd</h2><p>Personar med luftvegssymptom bør halde seg heime.</p>{}",
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize(("before", "after"), FURNITURE)
def test_furniture_changes_nothing(lang: str, before: str, after: str) -> None:
    a, b = (article("Smittevern", BODY[lang].format(x)) for x in (before, after))
    assert kinds(a, b) == []
    assert kinds(b, a) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("<p>Legevakta er stengd <strong>i dag</strong>.</p>",
         "<p>Legevakta er stengd <strong>i går</strong>.</p>"),
        ("<p><a href='/brev.pdf'>Last ned PDF</a></p>", ""),
        ("<p>Videoen er vist 3 000 ganger.</p>", "<p>Videoen er vist 3 100 ganger.</p>"),
    ],
)  # fmt: skip
def test_content_that_looks_like_furniture_is_read(before: str, after: str) -> None:
    a, b = (article("Smittevern", BODY["nn"].format(x)) for x in (before, after))
    assert kinds(a, b) == ["changed"]


TOC = (
    "<nav class='documentToc'><p>Innhald</p><ul>"
    "<li><button aria-controls='k1'>Kapittel 1. Formål</button><ul id='k1' hidden>"
    "<li><a href='#p1'>§ 1. Formål</a></li><li><a href='#p2'>§ 2. Verkeområde</a></li></ul></li>"
    "<li><button aria-controls='k2'>Kapittel 2. Tiltak</button><ul id='k2' hidden>"
    "<li><a href='#p3'>§ 3. Munnbind</a></li>{}</ul></li></ul></nav>"
)
REGULATION = (
    "<h2 id='p1'>§ 1. Formål</h2><p>Forskrifta skal avgrense smitte.</p>"
    "<h2 id='p2'>§ 2. Verkeområde</h2><p>Forskrifta gjeld i kommunen.</p>"
    "<h2 id='p3'>§ 3. Munnbind</h2><p>Munnbind skal nyttast.</p>{}"
)


def in_main(body: str) -> PageContent:
    """``body`` under an <h1> in <main>, read with the selector "main" (as Lovdata's sources
    are): its boxes are not dropped as the site's chrome."""
    return page(f"<main><h1>Forskrift</h1>{body}</main>")


def test_a_contents_list_opened_by_buttons_is_not_read() -> None:
    extra = "<h2 id='p4'>§ 4. Straff</h2><p>Brot kan straffast.</p>"
    a = in_main(TOC.format("") + REGULATION.format(""))
    b = in_main(TOC.format("<li><a href='#p4'>§ 4. Straff</a></li>") + REGULATION.format(extra))
    assert kinds(a, b) == ["added"]


@pytest.mark.parametrize(
    "box",
    [
        "<aside class='lovdataPromo'><p>{}</p></aside>",
        "<div aria-label='Annonse'><p>{}</p></div>",
        "<div class='annonse'><p>{}</p></div>",
    ],
)
def test_an_advert_box_is_not_read(box: str) -> None:
    a, b = (
        in_main(REGULATION.format("") + box.format(ad))
        for ad in ("Prøv Lovdata Pro gratis i 14 dagar.", "Kurs: forvaltning i praksis.")
    )
    assert kinds(a, b) == []


@pytest.mark.parametrize(
    ("short", "long"),
    [("22 des 2021", "22. desember 2021"), ("3 mai 2027", "3. mai 2027")],
)
@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_date_with_the_months_short_name_says_the_same(lang: str, short: str, long: str) -> None:
    note = {"nb": "Endret ved forskrift {} nr. 3921.", "nn": "Endra ved forskrift {} nr. 3921."}[
        lang
    ]
    a, b = (article("Forskrift", f"<h2>§ 3</h2><p>{note.format(d)}</p>") for d in (short, long))
    assert kinds(a, b) == []
    assert kinds(b, a) == []


def test_another_date_with_the_months_short_name_is_told() -> None:
    a, b = (
        article("Forskrift", f"<h2>§ 3</h2><p>I kraft {d}.</p>")
        for d in ("22 des 2021", "23. desember 2021")
    )
    assert kinds(a, b) == ["changed"]


@pytest.mark.parametrize("mark", ["²", "٣", "9" * 40])
def test_a_mark_that_is_no_plain_number_is_read_as_it_stands(mark: str) -> None:
    # a superscript digit, an Arabic-Indic digit or a number past the list's end beside a
    # footnote list: read as it stands, never an error (``int("²")`` raised)
    body = f"<p>Dosen<sup>{mark}</sup> gjeld.</p><ol class='footnotes'><li>Ein note.</li></ol>"
    assert "[fotnote" not in text(f"<main><h1>T</h1>{body}</main>")
