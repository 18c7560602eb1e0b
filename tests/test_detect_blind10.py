"""The tenth outside check's cases met after the round (tests/fixtures/detect_open/OPEN.md):
a nynorsk page counter and a print time in a line of fields as furniture; a nynorsk address
serving the bokmål version as a language variant; notation that says the same ("2026/27",
"t.o.m.", "kl. 08–16"); a renamed or re-levelled section with nearly the same text as one
changed section. Each rule with a guard that a real change beside it is still read."""

from __future__ import annotations

import pytest

from feeds.detect.detection import language_variant, written_standard
from feeds.detect.diff import diff_pages
from feeds.read.html import extract_page
from feeds.types import PageContent


def page(body: str, selector: str | None = "main", title: str = "Side") -> PageContent:
    html = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    return extract_page(html.encode(), selector=selector)


def changed(before: str, after: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.kind, c.path) for c in diff_pages(page(before), page(after))]


def text(body: str) -> str:
    return "\n".join(s.text for s in page(body).sections)


# ----------------------------------------------------------------------------- counters

ARTICLE = "<main><h1>Testing</h1><p>Tilsette kan testast før første vakt.</p>{}</main>"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Lese 1 204 gonger", "Lese 1 377 gonger"),
        ("Lest 1 204 gonger", "Lest 1 377 gonger"),
        ("Lesen 12 gonger", "Lesen 13 gonger"),
        ("Lest 1 204 ganger", "Lest 1 377 ganger"),
    ],
)
def test_a_nynorsk_page_counter_is_noise(before: str, after: str) -> None:
    assert "gonger" not in text(ARTICLE.format(f'<p class="views">{before}</p>'))
    assert changed(ARTICLE.format(f"<p>{before}</p>"), ARTICLE.format(f"<p>{after}</p>")) == []


def test_a_real_change_beside_the_counter_is_reported() -> None:
    before = ARTICLE.format("<p>Lese 1 204 gonger</p>")
    after = before.replace("1 204", "1 377").replace("kan testast", "må testast")
    assert changed(before, after) == [("changed", ("Testing",))]
    # a sentence that counts times is content
    assert "gonger" in text(ARTICLE.format("<p>Vaksina skal givast 3 gonger.</p>"))


# ----------------------------------------------------------------------------- print time

LAW = (
    '<main><h1>Forskrift om smittevern</h1><p class="article-date">{}</p>'
    "<p>Verksemda skal gjennomføre tiltak.</p></main>"
)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "Kunngjort 01.03.2026 · Utskrift 01.12.2026 kl. 09.00",
            "Kunngjort 01.03.2026 · Utskrift 05.12.2026 kl. 14.22",
        ),
        (
            "Kunngjort 01.03.2026 | Utskrive: 01.12.2026",
            "Kunngjort 01.03.2026 | Utskrive: 05.12.2026",
        ),
        ("Rundskriv – Skrive ut 1. desember 2026", "Rundskriv – Skrive ut 5. desember 2026"),
        ("Forskrift | Generert 01.12.2026 09:00", "Forskrift | Generert 05.12.2026 14:22"),
    ],
)
def test_a_print_time_in_a_line_of_fields_is_furniture(before: str, after: str) -> None:
    assert changed(LAW.format(before), LAW.format(after)) == []


def test_the_other_fields_of_the_line_are_still_read() -> None:
    assert "Kunngjort 01.03.2026" in text(
        LAW.format("Kunngjort 01.03.2026 · Utskrift 05.12.2026 kl. 14.22")
    )
    before = LAW.format("Kunngjort 01.03.2026 · Utskrift 01.12.2026 kl. 09.00")
    after = LAW.format("Kunngjort 02.03.2026 · Utskrift 05.12.2026 kl. 14.22")
    assert changed(before, after) == [("changed", ("Forskrift om smittevern",))]
    # a sentence about printing is content
    sentence = "Skjemaet skal skrivast ut og sendast inn innan 01.12.2026 · Sjå vedlegg"
    assert "skrivast ut" in text(LAW.format(sentence))


# ----------------------------------------------------------------------------- language variant

KIKHOSTE_NN = (
    "<main><h1>Kikhoste</h1><h2>Symptom</h2><p>Kikhoste byrjar som ei vanleg forkjøling og gir "
    "etter kvart kraftige hosteanfall.</p><h2>Behandling</h2><p>Ta kontakt med lege dersom "
    "barnet er under 1 år.</p></main>"
)
KIKHOSTE_NB = (
    "<main><h1>Kikhoste</h1><h2>Symptomer</h2><p>Kikhoste begynner som en vanlig forkjølelse "
    "og gir etter hvert kraftige hosteanfall.</p><h2>Behandling</h2><p>Ta kontakt med lege "
    "hvis barnet er under 1 år.</p></main>"
)


def test_a_short_page_tells_its_written_standard() -> None:
    assert written_standard(page(KIKHOSTE_NN)) == "nn"
    assert written_standard(page(KIKHOSTE_NB)) == "nb"


def test_the_nynorsk_address_serving_the_bokmal_version_is_held() -> None:
    assert language_variant(page(KIKHOSTE_NN), page(KIKHOSTE_NB))
    assert language_variant(page(KIKHOSTE_NB), page(KIKHOSTE_NN))


def test_a_nynorsk_edit_is_not_held() -> None:
    # every section edited, still nynorsk
    edited = KIKHOSTE_NN.replace("kraftige", "svært kraftige").replace("1 år", "2 år")
    assert not language_variant(page(KIKHOSTE_NN), page(edited))
    # a section in bokmål written in, the other stands unchanged
    mixed = KIKHOSTE_NN.replace(
        "byrjar som ei vanleg forkjøling og gir etter kvart",
        "begynner som en vanlig forkjølelse og gir etter hvert",
    )
    assert not language_variant(page(KIKHOSTE_NN), page(mixed))
    assert changed(KIKHOSTE_NN, mixed) == [("changed", ("Kikhoste", "Symptom"))]
