"""Blind rounds 223-226's rules, both ways, bokmål and nynorsk:

- "Sjekkes mot fremføring" over a speech and "Følg sida og få varsel" are furniture (a
  contact person under their own heading stays content: who readers call);
- a status told by an icon alone in a table cell is read by its alt text; an image beside
  words in a cell is not;
- a right-to-left isolate or embedding around right-to-left writing only is invisible; a
  right-to-left override is read in the order it is shown ("\\u202e21\\u202c" shows "12");
- a visually hidden label before a note ("Merk:") is the site's wording; a hidden sentence is
  read;
- a page taken over by casino or loan advertising is a source problem; a page on gambling
  addiction that names casinos in its title from the start is read.
"""

from __future__ import annotations

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import detect
from feeds.errors import SourceProblem
from feeds.types import FetchResult
from tests.support.pages import changed, text


@pytest.mark.parametrize(
    "line", ["Sjekkes mot fremføring", "Sjekkast mot framføring", "Følg sida og få varsel",
             "Følg siden"],
)  # fmt: skip
def test_a_speech_note_and_follow_the_page_are_furniture(line: str) -> None:
    page = "<main><h1>Tale</h1><p><strong>{}</strong></p><p>Vi treng fleire fastlegar.</p></main>"
    assert changed(page.format(line), page.format("")) == []
    said = (
        "<main><h1>Tale</h1><p>Talen må sjekkes mot fremføringen i Stortinget i morgon.</p></main>"
    )
    assert "fremføringen" in text(said)


STATUS = {"nb": ("Åpen", "Lukket"), "nn": ("Ope", "Lukka")}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_status_told_by_an_icon_in_a_cell_is_read(lang: str) -> None:
    before, after = STATUS[lang]
    row = "<tr><td>Herøy</td><td>Legevakt</td><td><img src='/s.svg' alt='{}'></td></tr>"
    page = (
        "<main><h1>Tilsyn</h1><h2>Status</h2><table><tr><th>Kommune</th><th>Tema</th>"
        "<th>Status</th></tr>{}</table></main>"
    )
    assert changed(page.format(row.format(before)), page.format(row.format(after))) == [
        ("changed", ("Tilsyn", "Status"))
    ]
    beside = "<tr><td>Herøy <img src='/flag.svg' alt='{}'></td><td>Legevakt</td><td>x</td></tr>"
    assert changed(page.format(beside.format(before)), page.format(beside.format(after))) == []


def test_direction_marks_are_invisible_and_an_override_reads_as_shown() -> None:
    names = "<main><h1>Språk</h1><ul><li>Arabisk – {}العربية{} (PDF)</li></ul></main>"
    assert changed(names.format("", ""), names.format("\u2067", "\u2069")) == []
    assert changed(names.format("", ""), names.format("\u202b", "\u202c")) == []
    dose = "<main><h1>HPV</h1><p>Minst {} uker mellom dosene.</p></main>"
    assert changed(dose.format("12"), dose.format("\u202e21\u202c")) == []
    assert "Minst 12 uker" in text(dose.format("\u202e21\u202c"))
    assert changed(dose.format("12"), dose.format("\u202e31\u202c")) != []


HINT = {"nb": ("Info:", "Merk:"), "nn": ("Info:", "Merk deg:")}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_visually_hidden_label_is_the_sites_wording(lang: str) -> None:
    before, after = HINT[lang]
    page = "<main><h1>Svangerskap</h1><p><span class='visually-hidden'>{}</span> Første konsultasjon før uke 12.</p></main>"
    assert changed(page.format(before), page.format(after)) == []
    sentence = page.format("Denne teksten blir lesen opp.")
    assert "lesen opp" in text(sentence)


SPEC = SourceSpec(key="s", kind="page", url="https://www.example.no/s", authority="t", name="S")


def body(title: str, *sections: tuple[str, str]) -> FetchResult:
    parts = "".join(f"<h2>{h}</h2><p>{p}</p>" for h, p in sections)
    html = f"<html><body><main><h1>{title}</h1>{parts}</main></body></html>"
    return FetchResult(SPEC.url, 200, html.encode())


def test_a_page_taken_over_by_casino_advertising_is_a_source_problem() -> None:
    health = body("Smittevern i barnehagar", ("Når skal barn vere heime", "Ved feber."),
                  ("Handhygiene", "Vask hendene."))  # fmt: skip
    first = detect(SPEC, health, None)
    casino = body("Beste casino på nett 2026", ("Beste casino", "Casino med bonus og free spins."),
                  ("Forbrukslån", "Søk forbrukslån nå."))  # fmt: skip
    with pytest.raises(SourceProblem, match="hijacked"):
        detect(SPEC, casino, first.state)
    # a page on gambling addiction, about casinos from the start, is read
    addiction = body(
        "Spelavhengigheit og casino på nett", ("Råd", "Casino og betting kan gi avhengigheit.")
    )
    start = detect(SPEC, addiction, None)
    rewritten = body(
        "Spelavhengigheit og casino på nett",
        ("Hjelp", "Ring Hjelpelinja om casino, poker og betting."),
    )
    assert detect(SPEC, rewritten, start.state).changes
