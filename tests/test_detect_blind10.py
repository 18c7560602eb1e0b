"""The tenth outside check's cases met after the round (tests/fixtures/detect_open/OPEN.md):
a nynorsk page counter and a print time in a line of fields as furniture; a nynorsk address
serving the bokmål version as a language variant; notation that says the same ("2026/27",
"t.o.m.", "kl. 08–16"); a renamed or re-levelled section with nearly the same text as one
changed section. Each rule with a guard that a real change beside it is still read."""

from __future__ import annotations

import pytest

from feeds.detect.detection import language_variant, written_standard
from feeds.detect.diff import diff_pages
from feeds.detect.notation import same_notation
from tests.support.pages import changed, page, text

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


# ----------------------------------------------------------------------------- notation


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Influensavaksine for sesongen 2026/27.", "Influensavaksine for sesongen 2026/2027."),
        ("Sesongen 1999/00 var lang.", "Sesongen 1999/2000 var lang."),
        (
            "Forskrifta gjeld t.o.m. 31. desember 2026.",
            "Forskrifta gjeld til og med 31. desember 2026.",
        ),
        ("Gjeld f.o.m. 1. mars.", "Gjeld frå og med 1. mars."),
        ("Gjelder f.o.m. 1. mars.", "Gjelder fra og med 1. mars."),
        ("Ope kl. 08.00–16.00 på kvardagar.", "Ope kl. 08–16 på kvardagar."),
        ("Open kl. 8:00 - 15:30.", "Open kl. 08.00–15.30."),
        # a date in ISO form (blind round 18): the same date written out or in numbers
        ("Søknadsfrist 2027-01-15.", "Søknadsfrist 15. januar 2027."),
        ("Fristen er 2027-03-01", "Fristen er 01.03.2027"),
        ("Frå 2027-03-01 til 2027-12-31.", "Frå 1. mars 2027 til 31. des. 2027."),
    ],
)
def test_the_same_in_another_notation(before: str, after: str) -> None:
    assert same_notation(before, after)
    assert same_notation(after, before)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Sesongen 2026/27.", "Sesongen 2026/2028."),
        ("Søknadsfrist 2027-01-15.", "Søknadsfrist 15. februar 2027."),  # another month
        ("Frist 2027-01-15.", "Frist 2027-01-16."),
        ("Frist 2027-02-31.", "Frist 3. mars 2027."),  # no such date: as written
        ("Sak 2027-01-15-3.", "Sak 15. januar 2027-3."),  # not a date: a longer run
        ("Sesongen 2026/28.", "Sesongen 2026/2028."),  # no season: left as written
        ("Ope kl. 08–16.", "Ope kl. 08–15.30."),
        ("Ope kl. 08.00–16.00.", "Ope kl. 08.00–15.30."),
        ("Gjeld t.o.m. 31. desember.", "Gjeld f.o.m. 31. desember."),
        ("Gjeld til og med 31. desember.", "Gjeld fra og med 31. desember."),
    ],
)
def test_another_season_time_or_limit_is_not_notation(before: str, after: str) -> None:
    assert not same_notation(before, after)


SEASON = (
    "<main><h1>Influensasesongen</h1><h2>Vaksinasjon 2026/27</h2><p>Vaksine for sesongen "
    "2026/27 er levert. Ope kl. 08.00–16.00. Gjeld t.o.m. 31. desember 2026.</p>"
    "<h2>Kontakt</h2><p>Ring oss.</p></main>"
)


def test_a_heading_in_another_notation_keeps_its_section() -> None:
    after = (
        SEASON.replace("2026/27", "2026/2027")
        .replace("08.00–16.00", "08–16")
        .replace("t.o.m.", "til og med")
    )
    assert changed(SEASON, after) == []
    # a real change beside it is read, under the new heading
    edited = after.replace("er levert", "er ikkje levert")
    assert changed(SEASON, edited) == [("changed", ("Influensasesongen", "Vaksinasjon 2026/2027"))]
    assert changed(SEASON, SEASON.replace("16.00", "15.30")) != []


# ----------------------------------------------------------------------------- renamed in place

BORRELIOSE = (
    "<main><h1>Behandling av borreliose</h1><h2>{}</h2><p>{}</p>"
    "<h2>Oppfølging</h2><p>Kontroll etter 4 uker.</p></main>"
)
DOSERING = "Doksysyklin gis i minst 14 dager. Ved allergi, se avsnittet under."


def test_a_renamed_heading_over_nearly_the_same_text_is_one_section_changed() -> None:
    before = BORRELIOSE.format("Dosering", DOSERING)
    after = BORRELIOSE.format(
        "Dosering og behandlingsvarighet", DOSERING.replace("minst", "inntil")
    )
    assert changed(before, after) == [
        ("changed", ("Behandling av borreliose", "Dosering og behandlingsvarighet"))
    ]
    (change,) = diff_pages(page(before), page(after))
    assert ("-", "minst") in change.segments and ("+", "inntil") in change.segments
    # the heading's diff and the text's, joined, give both versions whole
    assert "".join(t for k, t in change.segments if k != "+") == change.before
    assert "".join(t for k, t in change.segments if k != "-") == change.after
    assert change.before.startswith("Dosering\n")


HELSEPERSONELL = (
    "<main><h1>Vaksinasjon av helsepersonell</h1><h2>Generelt</h2><p>Alle tilsette får "
    "tilbod.</p>{}<h2>Kontakt</h2><p>Ring oss.</p></main>"
)


def test_a_heading_promoted_over_nearly_the_same_text_is_one_section_changed() -> None:
    before = HELSEPERSONELL.format("<h3>Dosering</h3><p>Tilsette skal ta ein dose kvar haust.</p>")
    after = HELSEPERSONELL.format("<h2>Dosering</h2><p>Tilsette bør ta ein dose kvar haust.</p>")
    assert changed(before, after) == [("changed", ("Vaksinasjon av helsepersonell", "Dosering"))]


def test_a_section_replaced_by_another_text_stays_removed_and_added() -> None:
    before = BORRELIOSE.format("Dosering", DOSERING)
    after = BORRELIOSE.format(
        "Biverknader", "Kvalme og lysfølsomhet er vanlig. Ved utslett, kontakt lege."
    )
    assert sorted(changed(before, after)) == [
        ("added", ("Behandling av borreliose", "Biverknader")),
        ("removed", ("Behandling av borreliose", "Dosering")),
    ]
    # nearly the same text, but two sections removed at that place: which is which is unknown
    two = BORRELIOSE.format("Dosering", DOSERING).replace(
        "<h2>Oppfølging", "<h2>Varighet</h2><p>To uker.</p><h2>Oppfølging"
    )
    after = BORRELIOSE.format("Dosering og varighet", DOSERING.replace("minst", "inntil"))
    assert sorted(kind for kind, _ in changed(two, after)) == ["added", "removed", "removed"]
    # promoted, and its text rewritten
    before = HELSEPERSONELL.format("<h3>Dosering</h3><p>Tilsette skal ta ein dose kvar haust.</p>")
    after = HELSEPERSONELL.format("<h2>Dosering</h2><p>Kven som helst kan få vaksine gratis.</p>")
    assert sorted(kind for kind, _ in changed(before, after)) == ["added", "removed"]


# ----------------------------------------------------------------------------- two counts


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Avhengig av vaksine gis 1–2 doser.", "Avhengig av vaksine gis 1 eller 2 doser."),
        ("Symptoma varer i 2-3 dagar.", "Symptoma varer i 2 eller 3 dagar."),
    ],
)
def test_two_consecutive_counts_as_a_range_or_alternatives_are_the_same(
    before: str, after: str
) -> None:
    assert same_notation(before, after)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Avhengig av vaksine gis 1–3 doser.", "Avhengig av vaksine gis 1 eller 3 doser."),
        ("Det gis 1–2 doser.", "Det gis 2 eller 3 doser."),
        ("Det gis 1–2 doser.", "Det gis 1 eller 2 dager."),
        ("Sesongen 2026–2027 startar.", "Sesongen 2026 eller 2027 startar."),
        ("Ope kl. 8–9 i dag.", "Ope kl. 8 eller 9 i dag."),
    ],
)
def test_a_wider_range_or_other_counts_are_not_the_same(before: str, after: str) -> None:
    assert not same_notation(before, after)
