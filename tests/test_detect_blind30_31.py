"""Blind rounds 30 and 31's rules, both ways, bokmål and nynorsk: Lovdata's correction record
("Rettet") and consolidation log are bookkeeping, and so is the list of a text's earlier
versions; a share bar written "Del:" is no content; a feedback box titled "Tilbakemelding"
that asks a question with buttons is a widget; a list of references re-typeset says the same;
and a section added or removed with the sections under it is one change."""

from __future__ import annotations

import pytest

from feeds.detect.diff import diff_pages, subtrees_as_one
from feeds.types import PageContent
from tests.support.pages import article

TITLE = {"nb": "Forskrift om smittevern i helse- og omsorgstjenesten",
         "nn": "Forskrift om smittevern i helse- og omsorgstenesta"}  # fmt: skip
RULE = {
    "nb": "<h2>§ 1. Formål</h2><p>Forskriften skal sikre at smittevernet er forsvarlig.</p>",
    "nn": "<h2>§ 1. Formål</h2><p>Forskrifta skal sikre at smittevernet er forsvarleg.</p>",
}


def page(lang: str, head: str = "", tail: str = "") -> PageContent:
    return article(TITLE[lang], f"{head}{RULE[lang]}{tail}", site="Lovdata")


def changes(before: PageContent, after: PageContent) -> list[tuple[str, str]]:
    return [
        (c.kind, c.path[-1] if c.path else "") for c in subtrees_as_one(diff_pages(before, after))
    ]


def key_info(rows: list[tuple[str, str]]) -> str:
    return "<dl class='data-document-key-info'>" + "".join(
        f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows
    ) + "</dl>"  # fmt: skip


BASE = [("Datokode", "FOR-2005-06-17-610"), ("Sist endret", "FOR-2024-11-22-2910 fra 01.01.2025")]
RETTET = {"nb": "Rettet", "nn": "Retta"}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_lovdatas_correction_record_is_bookkeeping(lang: str) -> None:
    rettet = (RETTET[lang], "26.05.2021 (kapittel 2 overskrift), 04.12.2026 (note til § 1-2)")
    before = page(lang, key_info([*BASE, (RETTET[lang], "26.05.2021 (kapittel 2 overskrift)")]))
    assert changes(before, page(lang, key_info([*BASE, rettet]))) == []
    assert changes(page(lang, key_info(BASE)), page(lang, key_info([*BASE, rettet]))) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_key_information_naming_a_new_amendment_is_read(lang: str) -> None:
    amended = [BASE[0], ("Sist endret", "FOR-2026-11-27-2150 fra 01.01.2027")]
    assert changes(page(lang, key_info(BASE)), page(lang, key_info(amended))) == [
        ("changed", TITLE[lang])
    ]


@pytest.mark.parametrize(
    "text",
    ["Rettet: Tallet på tilsette var feil i første versjon av pressemeldinga.",
     "Retta 04.12.2026: fristen er 1. mars, ikkje 1. april."],
)  # fmt: skip
def test_a_correction_told_in_words_is_read(text: str) -> None:
    assert changes(page("nb"), page("nb", f"<p>{text}</p>")) == [("added", TITLE["nb"])]


LOG = {"nb": "Endringer i den konsoliderte teksten", "nn": "Endringar i den konsoliderte teksten"}
VERSIONS = {"nb": "Tidligere versjoner", "nn": "Tidlegare versjonar"}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_consolidation_log_and_earlier_versions_are_bookkeeping(lang: str) -> None:
    def tail(entries: list[str]) -> str:
        log = "".join(f"<li>{e}</li>" for e in entries)
        versions = "".join(f"<li><a href='/v/{e[:10]}'>{e[:10]}</a></li>" for e in entries)
        return f"<h2>{LOG[lang]}</h2><ul>{log}</ul><h2>{VERSIONS[lang]}</h2><ul>{versions}</ul>"

    old = ["22.11.2024: FOR-2024-11-22-2910 (i kraft 01.01.2025) endret § 2-2."]
    new = ["04.12.2026: Rettet nummer på endringsforskrift i note til § 1-2.", *old]
    assert changes(page(lang, tail=tail(old)), page(lang, tail=tail(new))) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_share_bar_written_with_a_colon_is_no_content(lang: str) -> None:
    bar = "<p>{}: <a href='/f'>Facebook</a> <a href='/x'>X</a> <a href='/l'>LinkedIn</a></p>"
    label = "Del denne siden" if lang == "nb" else "Del denne sida"
    assert changes(page(lang, tail=bar.format("Del")), page(lang, tail=bar.format(label))) == []


FEEDBACK = {
    "nb": ("Tilbakemelding", "Var denne siden nyttig?", "Vi svarer ikke på tilbakemeldinger.",
           "Har du innspill? Vi leser alt, men svarer ikke. Trenger du svar, send e-post."),
    "nn": ("Tilbakemeldingar", "Var denne sida nyttig?", "Tilbakemeldinga di blir ikkje svara på.",
           "Har du innspel? Vi les alt, men svarar ikkje. Treng du svar, send e-post."),
}  # fmt: skip


def feedback(heading: str, question: str, info: str) -> str:
    return (
        f"<div class='b-feedback'><h2>{heading}</h2><p>{question}</p>"
        f"<div><button type='button'>Ja</button><button type='button'>Nei</button></div>"
        f"<p>{info}</p></div>"
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_feedback_box_titled_tilbakemelding_is_a_widget(lang: str) -> None:
    heading, question, old, new = FEEDBACK[lang]
    before = page(lang, tail=feedback(heading, question, old))
    assert changes(before, page(lang, tail=feedback(heading, question, new))) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_section_titled_tilbakemelding_without_a_question_is_read(lang: str) -> None:
    heading = FEEDBACK[lang][0]
    text = "<h2>{}</h2><p>Klager sendes til Statsforvalteren innen {}.</p>"
    before, after = (
        page(lang, tail=text.format(heading, "tre uker")),
        page(lang, tail=text.format(heading, "fire uker")),
    )
    assert changes(before, after) == [("changed", heading)]


REFERENCES = {
    "nb": ("Referanser",
           "UKPDS Group. Effect of metformin. Lancet 1998;352(9131):854-65. doi:10.1016/S0140-6736(98)07037-8",
           "UKPDS Group. Effect of metformin. Lancet. 1998;352(9131):854–65. https://doi.org/10.1016/S0140-6736(98)07037-8"),
    "nn": ("Referansar",
           "Griffin SJ. Metformin. Diabetologia 2017;60(9):1620-9. DOI 10.1007/s00125-017-4337-9",
           "Griffin SJ. Metformin. Diabetologia. 2017;60(9):1620–9. http://dx.doi.org/10.1007/s00125-017-4337-9"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_references_retypeset_say_the_same(lang: str) -> None:
    heading, old, new = REFERENCES[lang]
    section = "<h2>{}</h2><p>{}</p>"
    before = page(lang, tail=section.format(heading, old))
    assert changes(before, page(lang, tail=section.format(heading, new))) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_reference_with_another_year_or_added_is_read(lang: str) -> None:
    heading, old, new = REFERENCES[lang]
    section = "<h2>{}</h2><p>{}</p>"
    before = page(lang, tail=section.format(heading, old))
    other_year = page(
        lang,
        tail=section.format(
            heading, new.replace("9;", "8;").replace(" 1998", " 1997").replace(" 2017", " 2016")
        ),
    )
    assert changes(before, other_year) == [("changed", heading)]
    added = page(
        lang,
        tail=section.format(heading, old + "</p><p>Maruthur NM. Ann Intern Med 2016;164:740-51."),
    )
    assert changes(before, added) == [("changed", heading)]


def test_retyped_text_outside_a_reference_list_is_read() -> None:
    _, old, new = REFERENCES["nb"]
    before, after = (
        page("nb", tail=f"<h2>Kilde</h2><p>{old}</p>"),
        page("nb", tail=f"<h2>Kilde</h2><p>{new}</p>"),
    )
    assert changes(before, after) == [("changed", "Kilde")]


PANELS = {
    "nb": ("Insulinbehandling bør starte med NPH-insulin", "Insulin bør startes ved HbA1c over 64.",
           [("Praktisk", "Start med 10 enheter om kvelden."), ("Begrunnelse", "Lav risiko for føling.")]),
    "nn": ("Helsestasjonen bør kartleggje språket", "Kartlegg språket ved 2-årskonsultasjonen.",
           [("Praktisk", "Bruk kartleggingsverktøyet."), ("Grunngiving", "Tidleg hjelp verkar.")]),
}  # fmt: skip


def recommendation(lang: str) -> str:
    title, text, panels = PANELS[lang]
    inner = "".join(f"<h3>{h}</h3><p>{t}</p>" for h, t in panels)
    return f"<h2>{title}</h2><p>{text}</p>{inner}"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_section_added_with_its_subsections_is_one_change(lang: str) -> None:
    title, text, panels = PANELS[lang]
    before, after = page(lang), page(lang, tail=recommendation(lang))
    assert changes(before, after) == [("added", title)]
    (added,) = subtrees_as_one(diff_pages(before, after))
    assert added.after == "\n".join([text] + [line for h, t in panels for line in (h, t)])
    assert changes(after, before) == [("removed", title)]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_subsection_added_under_a_section_that_stays_is_its_own_change(lang: str) -> None:
    before = page(lang, tail=recommendation(lang))
    after = page(lang, tail=recommendation(lang) + "<h3>Vurdering</h3><p>Sterk anbefaling.</p>")
    assert changes(before, after) == [("added", "Vurdering")]
    assert changes(after, before) == [("removed", "Vurdering")]
