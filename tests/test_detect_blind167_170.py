"""Blind rounds 167 to 170's rule, both ways, bokmål and nynorsk: the stamp of a page's last
change among the fields of a line ("Brev · Dato: 12. august 2026 · Sist oppdatert: 19.08.2026
kl. 09:14", a guideline's "Siste faglige endring" beside its tools, a live banner's
"Oppdatert kl. 04:11" beside "Direkte") is furniture; the other fields are read, and a stamp
inside a sentence, a list item's or a table cell's fields, or a field that is no stamp is
content."""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds, text

ROWS = {
    "nb": (
        '<span class="type">Brev</span> <span>Dato: 12. august 2026</span> '
        '<span class="updated">Sist oppdatert: {d}.08.2026 kl. 09:14</span>',
        "<span>Siste faglige endring: {d}. mars 2025</span> <button>Del</button> "
        '<button>Skriv ut</button> <a href="/pdf">Last ned PDF</a>',
        '<span class="label">Direkte</span> <span class="time">Oppdatert kl. 04:{d}</span>',
        '<span>Pressemelding</span> <span class="sep">|</span> <span>Nr: 191/2026</span> '
        '<span class="sep">|</span> <span>Sist oppdatert: {d}.12.2026</span>',
    ),
    "nn": (
        '<span class="type">Brev</span> <span>Dato: 12. august 2026</span> '
        '<span class="updated">Sist endra: {d}.08.2026 kl. 09:14</span>',
        "<span>Siste faglege endring: {d}. mars 2025</span> <button>Del</button> "
        '<button>Skriv ut</button> <a href="/pdf">Last ned PDF</a>',
        '<span class="label">Direkte</span> <span class="time">Oppdatert kl. 04:{d}</span>',
        '<span>Pressemelding</span> <span class="sep">|</span> <span>Nr: 191/2026</span> '
        '<span class="sep">|</span> <span>Sist oppdatert: {d}.12.2026</span>',
    ),
}
CASES = [(lang, i) for lang in ROWS for i in range(len(ROWS["nb"]))]
#: each row's line as read: its other fields, no mark left at its end
KEPT = (
    "Brev Dato: 12. august 2026",
    "Del Skriv ut Last ned PDF",
    "Direkte",
    "Pressemelding | Nr: 191/2026",
)
ADVICE = {"nb": "Alle over 65 år bør ta vaksinen.", "nn": "Alle over 65 år bør ta vaksinen."}


def letter(row: str, advice: str, lang: str) -> PageContent:
    return article(
        "Brev til kommunene om vaksinasjon",
        f'<div class="meta">{row}</div><h2>{"Tilråding" if lang == "nn" else "Anbefaling"}</h2>'
        f"<p>{advice}</p>",
    )


@pytest.mark.parametrize(("lang", "i"), CASES)
def test_a_stamp_among_a_lines_fields_is_furniture(lang: str, i: int) -> None:
    row = ROWS[lang][i]
    assert (
        kinds(
            letter(row.format(d=12), ADVICE[lang], lang),
            letter(row.format(d=19), ADVICE[lang], lang),
        )
        == []
    )


@pytest.mark.parametrize(("lang", "i"), CASES)
def test_the_lines_other_fields_are_read_and_the_advice_told(lang: str, i: int) -> None:
    row = ROWS[lang][i]
    page = letter(row.format(d=12), ADVICE[lang], lang)
    assert KEPT[i] in page.sections[0].text.split("\n")
    changed = ADVICE[lang].replace("65", "75")
    assert kinds(page, letter(row.format(d=19), changed, lang)) == ["changed"]


@pytest.mark.parametrize(
    "body",
    [
        # in a sentence: read
        "<p>Siden ble <span>sist oppdatert {d}.08.2026</span> etter nye råd.</p>",
        "<p>Sida vart <span>sist endra {d}.08.2026</span> etter nye råd.</p>",
        # a list item's fields are the entry's own (a change log's date)
        "<ul><li><span>Endret {d}.08.2026</span> <span>Ny anbefaling om dose</span></li></ul>",
        "<ul><li><span>Endra {d}.08.2026</span> <span>Ny tilråding om dose</span></li></ul>",
        # a field that is no stamp: a deadline beside the letter's type
        "<div><span>Høring</span> <span>Høringsfrist: {d}. mars 2027</span></div>",
        "<div><span>Høyring</span> <span>Høyringsfrist: {d}. mars 2027</span></div>",
    ],
)
def test_a_stamp_that_is_no_field_of_a_line_or_no_stamp_is_read(body: str) -> None:
    before, after = (text(f"<main><h1>T</h1>{body.format(d=d)}</main>") for d in (12, 19))
    assert before != after
