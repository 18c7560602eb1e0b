"""Blind rounds 99 to 102's rules, both ways, bokmål and nynorsk:

- a "Sist oppdatert" stamp after a labelled field of a line of fields is furniture; in a
  sentence it is read;
- a figure's caption that calls its picture an illustration is no content;
- a page's tools under its title ("Utskriftsvennlig versjon", "Del på e-post") are furniture;
- questions in <details> turned into headings of their own, and back, say the same (a table
  rebuilt as cards without a header row);
- a page's text swept away for less of another page's is held for review;
- links to loans without a credit check and to potency pills are link spam;
- a page whose sections after its lead are printed twice is read once.
"""

from __future__ import annotations

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import MOST_REPLACED, detect
from feeds.errors import SourceProblem
from feeds.read.html import extract_page
from feeds.types import FetchResult
from tests.support.pages import article, kinds

ADVICE = {
    "nb": "<h2>Basale rutiner</h2><p>Håndhygiene skal utføres før og etter all pasientkontakt.</p>",
    "nn": "<h2>Basale rutinar</h2><p>Handhygiene skal utførast før og etter all pasientkontakt.</p>",
}
OWNER = {"nb": "Dokumentansvarlig: kommuneoverlegen", "nn": "Dokumentansvarleg: kommuneoverlegen"}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_stamp_after_a_labelled_field_is_furniture(lang: str) -> None:
    a, b = (
        article(
            "Smittevernrutiner",
            f"<div class='meta'><span>{OWNER[lang]}</span> <span>Sist oppdatert {day}. "
            f"desember 2026</span></div>{ADVICE[lang]}",
        )
        for day in (2, 5)
    )
    assert kinds(a, b) == []
    assert kinds(b, a) == []


def test_a_stamp_in_a_sentence_is_read() -> None:
    a, b = (
        article("Rutiner", f"<p>Merk: rutinen vart sist oppdatert {day}. desember 2026</p>")
        for day in (2, 5)
    )
    assert kinds(a, b) == ["changed"]


CAPTION = {
    "nb": ("Barn får MMR-vaksine på helsestasjonen. Illustrasjonsfoto.", "Illustrasjonsfoto."),
    "nn": ("Born får MMR-vaksine på helsestasjonen. Illustrasjonsbilete.", "Illustrasjonsbilete."),
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_illustrations_caption_is_no_content(lang: str) -> None:
    a, b = (
        article("Meslingar", f"<figure><img src='/a.jpg' alt=''><figcaption>{c}</figcaption></figure>"
                + ADVICE[lang])
        for c in CAPTION[lang]
    )  # fmt: skip
    assert kinds(a, b) == []
    assert kinds(b, a) == []


def test_a_caption_that_says_what_happened_is_read() -> None:
    a, b = (
        article("Flaum", f"<figure><img src='/a.jpg' alt=''><figcaption>{c}</figcaption></figure>")
        for c in ("Legevakta i Førde er stengd.", "Legevakta i Førde er open att.")
    )
    assert kinds(a, b) == ["changed"]


TOOLS = (
    "<div class='article__tools'><a class='print' href='?print=true'>Utskriftsvennlig versjon</a>"
    "<button onclick='window.print()'>Skriv ut</button>"
    "<a href='mailto:?subject=x'>Del på e-post</a></div>"
)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_pages_tools_under_its_title_are_furniture(lang: str) -> None:
    a, b = article("Reise med legemiddel", ADVICE[lang]), article("Reise", TOOLS + ADVICE[lang])
    a, b = article("Reise", ADVICE[lang]), article("Reise", TOOLS + ADVICE[lang])
    assert kinds(a, b) == []
    assert kinds(b, a) == []


FAQ = {
    "nb": [("Hvordan fjerner jeg flåtten?", "Bruk en flåttfjerner eller pinsett."),
           ("Når bør jeg kontakte lege?", "Ved rødt utslett som vokser seg større enn 5 cm."),
           ("Bør jeg ta TBE-vaksine?", "TBE-vaksine anbefales for personer i risikoområder.")],
    "nn": [("Korleis fjernar eg flåtten?", "Bruk ein flåttreiskap eller ei pinsett."),
           ("Når bør eg kontakte lege?", "Ved raudt utslett som veks seg større enn 5 cm."),
           ("Bør eg ta TBE-vaksine?", "TBE-vaksine er tilrådd for personar i risikoområde.")],
}  # fmt: skip


def as_details(pairs: list[tuple[str, str]]) -> str:
    body = "".join(f"<details><summary>{q}</summary><p>{a}</p></details>" for q, a in pairs)
    return article("Flått", f"<h2>Spørsmål og svar</h2>{body}")


def as_headings(pairs: list[tuple[str, str]]) -> str:
    body = "".join(f"<h3>{q}</h3><p>{a}</p>" for q, a in pairs)
    return article("Flått", f"<h2>Spørsmål og svar</h2>{body}")


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_questions_made_headings_say_the_same(lang: str) -> None:
    assert kinds(as_details(FAQ[lang]), as_headings(FAQ[lang])) == []
    assert kinds(as_headings(FAQ[lang]), as_details(FAQ[lang])) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_answer_changed_as_questions_are_made_headings_is_told(lang: str) -> None:
    edited = [(q, a.replace("5 cm", "10 cm")) for q, a in FAQ[lang]]
    assert kinds(as_details(FAQ[lang]), as_headings(edited)) != []


SPEC = SourceSpec(key="s", kind="page", url="https://www.example.no/s", authority="t", name="S")
WORDS = {
    "nb": "Kommunen skal ha en oppdatert plan for helsemessig beredskap og øve på den jevnlig. ",
    "nn": "Kommunen skal ha ein oppdatert plan for helsemessig beredskap og øve på han jamleg. ",
}
OTHER = {
    "nb": "Søknad om produksjonstilskudd i jordbruket må sendes inn innen fristen i mars. ",
    "nn": "Søknad om produksjonstilskot i jordbruket må sendast inn innan fristen i mars. ",
}


def page_of(body: str) -> FetchResult:
    html = f"<html><body><main><h1>Helseberedskap</h1>{body}</main></body></html>"
    return FetchResult(SPEC.url, 200, html.encode())


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_pages_text_swept_away_for_less_of_another_is_held(lang: str) -> None:
    before = "".join(f"<h2>Del {i}</h2><p>{WORDS[lang] * 3}</p>" for i in range(5))
    after = "".join(f"<h2>Frist {i}</h2><p>{OTHER[lang] * 3}</p>" for i in range(4))
    first = detect(SPEC, page_of(before), None)
    found = detect(SPEC, page_of(after), first.state)
    assert found.held_reason == MOST_REPLACED


def test_a_deletion_with_a_short_note_in_its_place_is_not_a_replacement() -> None:
    before = "".join(f"<h2>Del {i}</h2><p>{WORDS['nb'] * 3}</p>" for i in range(5))
    kept = "".join(f"<h2>Del {i}</h2><p>{WORDS['nb'] * 3}</p>" for i in range(3))
    after = f"{kept}<h2>Flytta</h2><p>Del 3 og 4 står no på ei ny side.</p>"
    first = detect(SPEC, page_of(before), None)
    found = detect(SPEC, page_of(after), first.state)
    assert found.changes and found.held_reason is None


def test_loans_without_a_credit_check_and_potency_pills_are_link_spam() -> None:
    links = (
        "<a href='https://nettcasino.example.top/'>nettcasino med norsk lisens</a>, "
        "<a href='https://lan-uten-kredittsjekk.example.biz/'>lån utan kredittsjekk</a>, "
        "<a href='https://billig.example.xyz/'>potensmiddel billig</a>"
    )
    html = f"<main><h1>Tiltak</h1><p>{WORDS['nn']}</p><div><p>Les også: {links}</p></div></main>"
    with pytest.raises(SourceProblem):
        extract_page(html.encode())


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_sections_printed_twice_after_the_lead_are_read_once(lang: str) -> None:
    sections = "".join(f"<h2>Del {i}</h2><p>{WORDS[lang]}</p>" for i in range(4))
    once = article("Smittevern", f"<p>Innleiing.</p>{sections}")
    twice = article("Smittevern", f"<p>Innleiing.</p>{sections}{sections}")
    assert kinds(once, twice) == []
    assert kinds(twice, once) == []
