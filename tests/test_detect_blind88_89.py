"""Blind rounds 88 and 89's rules, bokmål and nynorsk:

- the sections of a repeated heading path (two "Merknad" under one vaccine) are matched by
  their text first: the first of two taken out is told removed with its own text, two that
  swap places say the same, and the second edited is told there ("Merknad #2");
- a page's own change log that only lost its oldest entries says the same; an entry added or
  edited while it was pruned is told, a log emptied but for its header is told, and any other
  section that loses its last lines is told.
"""

from __future__ import annotations

import pytest

from feeds.detect.diff import diff_pages
from tests.support.pages import article, kinds

LOG = {
    "nb": (
        "Endringer i denne versjonen",
        [
            "14.03.2026: Frist for røntgensvar endret fra 14 til 7 dager.",
            "02.12.2025: Nytt avsnitt om direkte observert behandling.",
            "18.09.2025: Lenke til nytt henvisningsskjema.",
            "05.05.2025: Helsepersonell i barnehager tatt inn.",
            "20.08.2024: Første versjon publisert.",
        ],
    ),
    "nn": (
        "Endringar",
        [
            "20.02.2026: Fristen for rapportering er flytta til 1. desember.",
            "04.11.2025: Nytt avsnitt om tilsette som ikkje vil vaksinerast.",
            "19.08.2025: MMR-vaksine teken inn i tilrådinga.",
            "30.04.2025: Skjema for rapportering lagt ut.",
            "14.01.2025: Rettleiaren publisert.",
        ],
    ),
}


def page(heading: str, entries: list[str]) -> str:
    items = "".join(f"<li>{e}</li>" for e in entries)
    return article(
        "Tuberkulosekontroll",
        f"<h2>Hvem skal undersøkes</h2><p>Alle fra land med høy forekomst.</p>"
        f"<h2>{heading}</h2><ul>{items}</ul>",
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_change_log_that_lost_its_oldest_entries_says_the_same(lang: str) -> None:
    heading, entries = LOG[lang]
    assert kinds(page(heading, entries), page(heading, entries[:3])) == []
    assert kinds(page(heading, entries), page(heading, entries[:2])) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_entry_added_or_edited_while_pruning_is_told(lang: str) -> None:
    heading, entries = LOG[lang]
    added = ["01.12.2026: Ny veiledning om latent tuberkulose.", *entries[:3]]
    assert kinds(page(heading, entries), page(heading, added)) == ["changed"]
    edited = [entries[0].replace("2026", "2027"), *entries[1:3]]
    assert kinds(page(heading, entries), page(heading, edited)) == ["changed"]


def test_a_log_emptied_and_another_section_cut_short_are_told() -> None:
    heading, entries = LOG["nb"]
    assert kinds(page(heading, entries), page(heading, entries[:1])) == ["changed"]
    assert kinds(page("Tiltak", entries), page("Tiltak", entries[:3])) == ["changed"]


NOTES = {
    "nb": ("Merknad", "Gis ikke ved feber over 38 grader.", "Kan gis samtidig med andre vaksiner."),
    "nn": (
        "Merknad",
        "Blir ikkje gitt ved feber over 38 grader.",
        "Kan givast saman med andre vaksinar.",
    ),
}


def vaccine(lang: str, notes: list[str]) -> str:
    heading = NOTES[lang][0]
    body = "".join(f"<h3>{heading}</h3><p>{n}</p>" for n in notes)
    return article("Vaksinane", f"<h2>MMR-vaksine</h2><p>To doser.</p>{body}")


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_first_of_two_like_headed_sections_taken_out_is_told_removed(lang: str) -> None:
    _, first, second = NOTES[lang]
    changes = diff_pages(vaccine(lang, [first, second]), vaccine(lang, [second]))
    assert [(c.kind, c.before) for c in changes] == [("removed", first)]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_two_like_headed_sections_that_swap_places_say_the_same(lang: str) -> None:
    _, first, second = NOTES[lang]
    assert kinds(vaccine(lang, [first, second]), vaccine(lang, [second, first])) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_second_of_two_like_headed_sections_edited_is_told_there(lang: str) -> None:
    heading, first, second = NOTES[lang]
    changes = diff_pages(vaccine(lang, [first, second]), vaccine(lang, [first, second + " Merk."]))
    assert [(c.kind, c.path[-2:]) for c in changes] == [("changed", (heading, "#2"))]
