"""The seventh outside check's cases met after the round (tests/fixtures/detect_open/OPEN.md):
typography (an ellipsis, spaces around a range's dash, the micro sign), a heading's permalink,
a nynorsk citation's read date, a copy of a line for another screen size, a maintenance page
in nynorsk, and an address that serves another article; each rule with a guard that a real
change beside it is still read."""

from __future__ import annotations

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import OTHER_ARTICLE, Detection, detect
from feeds.detect.diff import diff_pages
from feeds.errors import SourceProblem
from feeds.read.html import extract_page
from feeds.read.normalize import strip_noise
from feeds.types import FetchResult, PageContent, fold
from notifier.review import HELD_REASONS


def page(body: str, selector: str | None = "main") -> PageContent:
    html = f"<html><head><title>Side</title></head><body>{body}</body></html>"
    return extract_page(html.encode(), selector=selector)


def changed(before: str, after: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.kind, c.path) for c in diff_pages(page(before), page(after))]


def _main(text: str, heading: str = "<h2>Smitte</h2>") -> str:
    return f"<main><h1>Hepatitt A</h1>{heading}<p>{text}</p><p>Les meir om vaksinen.</p></main>"


# ----------------------------------------------------------------------------- typography

SAME_TYPOGRAPHY = [
    ("Smitter via mat og vann...", "Smitter via mat og vann…"),
    ("Smitter via mat… Se også råd.", "Smitter via mat... Se også råd."),
    ("Hald deg heime i 5 – 7 dagar.", "Hald deg heime i 5–7 dagar."),
    ("Hald deg heime i 5– 7 dagar.", "Hald deg heime i 5–7 dagar."),
    ("Hald deg heime i 5 -7 dagar.", "Hald deg heime i 5–7 dagar."),
    ("Opne 1 000 – 2 000 gonger.", "Opne 1000–2000 gonger."),
    ("Spedbarn: 10 µg per døgn.", "Spedbarn: 10 μg per døgn."),
]


@pytest.mark.parametrize(("before", "after"), SAME_TYPOGRAPHY)
def test_the_same_words_in_other_typography_are_no_change(before: str, after: str) -> None:
    assert fold(before) == fold(after)
    assert changed(_main(before), _main(after)) == []


REAL_CHANGES = [
    ("Smitter via mat og vann...", "Smitter via mat og is…"),
    ("Hald deg heime i 5 – 7 dagar.", "Hald deg heime i 5–8 dagar."),
    ("Hald deg heime i 5–7 dagar.", "Hald deg heime i 5 – 8 dagar."),
    ("Hald deg heime i 5 – 7 dagar.", "Hald deg heime i 57 dagar."),
    ("Spedbarn: 10 µg per døgn.", "Spedbarn: 10 mg per døgn."),
    ("Spedbarn: 10 µg per døgn.", "Spedbarn: 20 μg per døgn."),
]


@pytest.mark.parametrize(("before", "after"), REAL_CHANGES)
def test_a_real_change_beside_typography_is_seen(before: str, after: str) -> None:
    assert changed(_main(before), _main(after)) == [("changed", ("Hepatitt A", "Smitte"))]


def test_no_other_compatibility_folding() -> None:
    # only the micro sign: a superscript or a vulgar fraction stays what it is
    assert fold("10 m²") != fold("10 m2")
    assert fold("½ tablett") != fold("1/2 tablett")
    assert fold("ΜΜ") == "μμ"  # the Greek capital mu lower-cases to the small one


# ----------------------------------------------------------------------------- permalinks

PERMALINKS = [
    '<a class="heading-anchor" href="#handhygiene" aria-label="Lenke til denne delen">#</a>',
    '<a href="#handhygiene">¶</a>',
    '<a class="anchorjs-link" href="https://x.no/side#annan">🔗</a>',
    '<a href="/side#annan" aria-hidden="true">#</a>',
    '<a aria-hidden="true" href="/side"><span>§</span></a>',
]


@pytest.mark.parametrize("anchor", PERMALINKS)
def test_a_permalink_added_to_a_heading_renames_nothing(anchor: str) -> None:
    before = '<h2 id="handhygiene">Handhygiene</h2>'
    after = f'<h2 id="handhygiene">Handhygiene{anchor}</h2>'
    assert changed(_main("Vask hendene.", before), _main("Vask hendene.", after)) == []
    assert page(_main("x", after)).sections[0].path == ("Hepatitt A", "Handhygiene")


@pytest.mark.parametrize(
    "anchor",
    [
        # a "§" that links elsewhere (an act at Lovdata) is read, as is a word or a number
        '<a href="https://lovdata.no/lov/2011-06-24-29">§</a>',
        '<a class="heading-anchor" href="#handhygiene">Rettleiar</a>',
        '<a href="#handhygiene">2</a>',
    ],
)
def test_a_link_in_a_heading_that_is_no_permalink_is_read(anchor: str) -> None:
    before = '<h2 id="handhygiene">Handhygiene</h2>'
    after = f'<h2 id="handhygiene">Handhygiene {anchor}</h2>'
    assert changed(_main("Vask hendene.", before), _main("Vask hendene.", after)) != []


def test_a_renamed_heading_with_a_permalink_is_reported() -> None:
    before = '<h2 id="h">Handhygiene<a class="heading-anchor" href="#h">#</a></h2>'
    after = '<h2 id="h">Hostehygiene<a class="heading-anchor" href="#h">#</a></h2>'
    assert changed(_main("Vask hendene.", before), _main("Vask hendene.", after)) != []


# ----------------------------------------------------------------------------- citations

CITATION = (
    "Helsedirektoratet (2026). Nasjonal fagleg retningslinje for diabetes [nettdokument]. Oslo:"
    " Helsedirektoratet (siste faglege endring 4. november 2026, lese {read}. desember 2026)."
    " Henta frå https://www.helsedirektoratet.no/retningslinjer/diabetes"
)


def test_a_nynorsk_citations_read_date_is_noise() -> None:
    five, six = strip_noise(CITATION.format(read=5)), strip_noise(CITATION.format(read=6))
    assert five == six and "lese" not in five and "Henta frå" in five


def test_a_nynorsk_citation_read_on_another_day_is_no_change() -> None:
    def citing(read: int) -> str:
        cited = f'<div class="b-citation"><p>{CITATION.format(read=read)}</p></div></main>'
        return _main("Årleg fotundersøking.").replace("</main>", cited)

    assert "Henta frå" in page(citing(5)).sections[-1].text
    assert changed(citing(5), citing(6)) == []


def test_lese_before_a_date_in_a_sentence_is_read() -> None:
    line = "Du kan lese 6. desember 2026 kva som er endra."
    assert strip_noise(line) == line
    before, after = _main(line), _main(line.replace("6.", "7."))
    assert changed(before, after) == [("changed", ("Hepatitt A", "Smitte"))]


# ----------------------------------------------------------------------------- screen sizes

RESPONSIVE = [
    ('class="d-none d-md-block"', 'class="d-md-none"'),
    ('class="hidden-xs"', 'class="visible-xs"'),
    ('class="desktop-only"', 'class="mobile-only"'),
    ('class="show-for-large"', 'class="hide-for-large"'),
    ('class="hidden md:block"', 'class="md:hidden"'),
]


@pytest.mark.parametrize(("desktop", "mobile"), RESPONSIVE)
def test_a_copy_for_another_screen_size_is_read_once(desktop: str, mobile: str) -> None:
    before = _main("Bestill time i god tid.", f"<h2>Frist</h2><p {desktop}>Frist: 15. mars</p>")
    for copies in (
        f"<p {desktop}>Frist: 15. mars</p><p {mobile}>Frist: 15. mars</p>",
        f"<p {mobile}>Frist: 15. mars</p><p {desktop}>Frist: 15. mars</p>",
    ):
        after = _main("Bestill time i god tid.", f"<h2>Frist</h2>{copies}")
        assert changed(before, after) == []


def test_a_copy_beside_an_unmarked_original_is_read_once() -> None:
    before = _main("Bestill time.", "<h2>Frist</h2><p>Frist: 15. mars</p>")
    after = _main(
        "Bestill time.",
        '<h2>Frist</h2><p>Frist: 15. mars</p><p class="d-md-none">Frist: 15. mars</p>',
    )
    assert changed(before, after) == []


def test_a_responsive_copy_with_other_text_is_read() -> None:
    desktop = '<p class="d-none d-md-block">Frist: 15. mars</p>'
    before = _main("Bestill time.", f"<h2>Frist</h2>{desktop}")
    after = _main(
        "Bestill time.", f'<h2>Frist</h2>{desktop}<p class="d-md-none">Frist: 1. april</p>'
    )
    assert changed(before, after) == [("changed", ("Hepatitt A", "Frist"))]
    assert "1. april" in page(after).sections[-1].text


def test_both_copies_changed_is_one_change() -> None:
    def copies(age: int) -> str:
        line = f"Gi éin dose til personar over {age} år."
        return _main(
            "Bestill time.",
            f'<h2>Dose</h2><div class="d-block d-md-none"><p>{line}</p></div>'
            f'<div class="d-none d-md-block"><p>{line}</p></div>',
        )

    assert changed(copies(65), copies(60)) == [("changed", ("Hepatitt A", "Dose"))]
    assert page(copies(60)).sections[-1].text.count("60 år") == 1


def test_a_tables_cells_of_one_value_are_read_each() -> None:
    # guard: a column hidden on phones often holds the value of the one beside it
    def table(value: str) -> str:
        cells = f'<td>Influensa</td><td class="hidden-xs">{value}</td><td class="hidden-xs">Ja</td>'
        return _main("Bestill time.", f"<h2>Tilbod</h2><table><tr>{cells}</tr></table>")

    assert page(table("Ja")).sections[-1].text.count("Ja") == 2
    assert changed(table("Nei"), table("Ja")) == [("changed", ("Hepatitt A", "Tilbod"))]


def test_the_same_line_twice_without_a_screen_class_is_read_twice() -> None:
    # guard: only a class for another screen size says a line is a copy
    once = _main("Bestill time.", "<h2>Frist</h2><p>Ring oss.</p>")
    twice = _main("Bestill time.", '<h2>Frist</h2><p>Ring oss.</p><p class="note">Ring oss.</p>')
    assert changed(once, twice) == [("changed", ("Hepatitt A", "Frist"))]


# ----------------------------------------------------------------------------- maintenance

MAINTENANCE = [
    "<h1>Planlagt vedlikehald</h1><p>Nettstaden er utilgjengeleg medan vi gjer planlagt"
    " vedlikehald. Prøv igjen om ei stund.</p>",
    "<h1>Vedlikehald</h1><p>Nettstaden er nede. Kom tilbake om ei stund.</p>",
    "<h1>Vedlikehold</h1><p>Vi gjør planlagt vedlikehold i natt. Kom tilbake i morgen.</p>",
]


@pytest.mark.parametrize("body", MAINTENANCE)
def test_a_maintenance_page_in_nynorsk_is_a_problem(body: str) -> None:
    with pytest.raises(SourceProblem):
        page(f"<main>{body}</main>")


def test_a_page_about_maintenance_of_something_else_is_read() -> None:
    # guard: maintenance as a topic ("vedlikehald av utstyr") in a page of content
    for text in (
        "Rutinar for vedlikehald av utstyr skal vere skriftlege.",
        "Kommunen gjer planlagt vedlikehald av ventilasjonen kvar haust.",
    ):
        body = f"<main><h1>Smittevern i sjukeheim</h1><p>{text}</p></main>"
        assert page(body).sections[0].path == ("Smittevern i sjukeheim",)


# ----------------------------------------------------------------------------- other article


def _article(h1: str, *parts: tuple[str, str]) -> str:
    sections = "".join(f"<h2>{h}</h2><p>{t}</p>" for h, t in parts)
    return f"<html><head><title>{h1}</title></head><body><main><h1>{h1}</h1>{sections}</main></body></html>"


def _detect(before: str, after: str) -> Detection:
    spec = SourceSpec(
        key="t", kind="page", url="https://x.no/", authority="t", name="T", selector="main"
    )
    first = detect(
        spec, FetchResult(url=spec.url, status=200, body=before.encode(), headers={}), None
    )
    return detect(
        spec, FetchResult(url=spec.url, status=200, body=after.encode(), headers={}), first.state
    )


MEDICINES = _article(
    "Retningslinjer for legemiddelhåndtering",
    ("Ansvar", "Virksomhetsleder har ansvar for at legemidler håndteres forsvarlig."),
    ("Oppbevaring", "Legemidler skal oppbevares innelåst."),
)


def test_an_address_serving_another_article_is_held() -> None:
    other = _article(
        "Kosthold for eldre",
        ("Måltider", "Eldre bør få minst fire måltider om dagen."),
        ("Drikke", "Sørg for nok drikke gjennom dagen."),
    )
    detection = _detect(MEDICINES, other)
    assert len(detection.changes) == 4 and detection.held_reason == OTHER_ARTICLE
    assert OTHER_ARTICLE in HELD_REASONS and all(HELD_REASONS[OTHER_ARTICLE])


def test_every_section_rewritten_under_the_same_h1_is_sent() -> None:
    # guard: the h1 stays
    rewritten = _article(
        "Retningslinjer for legemiddelhåndtering",
        ("Ledelsens ansvar", "Leder skal sikre forsvarlig legemiddelhåndtering."),
        ("Lagring", "Legemidler lagres i låst skap."),
    )
    detection = _detect(MEDICINES, rewritten)
    assert detection.changes and detection.held_reason is None


def test_a_new_title_over_a_kept_section_is_sent() -> None:
    # guard: a real update with a new title that keeps a section (or a subheading)
    kept_section = _article(
        "Legemiddelhåndtering i kommunene",
        ("Ansvar", "Virksomhetsleder har ansvar for at legemidler håndteres forsvarlig."),
        ("Oppbevaring", "Legemidler skal oppbevares innelåst og utilgjengelig for barn."),
    )
    kept_heading = _article(
        "Legemiddelhåndtering i kommunene",
        ("Ansvar", "Kommunen har ansvar for legemiddelhåndteringen."),
        ("Lagring", "Legemidler lagres i låst skap."),
    )
    for after in (kept_section, kept_heading):
        detection = _detect(MEDICINES, after)
        assert detection.changes and detection.held_reason is None


def test_a_weekly_page_whose_headings_change_their_numbers_is_sent() -> None:
    # guard: a short report renumbered and rewritten every week is the same page
    def week(n: int, level: str) -> str:
        return _article(
            f"Ukerapport uke {n}",
            (f"Influensa uke {n}", f"{level} aktivitet."),
            (f"Covid-19 uke {n}", f"{level} smitte."),
        )

    detection = _detect(week(48, "Lav"), week(49, "Moderat"))
    assert detection.changes and detection.held_reason is None


def test_a_page_of_one_section_renamed_and_rewritten_is_sent() -> None:
    # guard: too few headings to tell another article from a rewrite
    before = _article("Influensa 2026", ("Status", "Lav aktivitet."))
    after = _article("Influensa 2027", ("Situasjon", "Moderat aktivitet."))
    detection = _detect(before, after)
    assert detection.changes and detection.held_reason is None
