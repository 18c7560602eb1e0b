"""Blind round 20's rules, both ways, bokmål and nynorsk: a weather box is no content; a photo
credit naming a municipality is a credit; a footnote mark without a link is read as its note;
a HAPI field renamed by a new version of the API's schema is the same field."""

from __future__ import annotations

import json

import pytest

from feeds.detect.diff import diff_pages
from feeds.read.hapi import data_label, extract_hapi
from feeds.types import PageContent
from tests.support.pages import changed
from tests.support.pages import page as body_page


def main(inner: str) -> str:
    return f"<main><h1>Sunnfjord legevakt</h1><p>Ring 116 117 ved behov.</p>{inner}</main>"


def page(inner: str) -> PageContent:
    return body_page(main(inner))


def changes(before: str, after: str) -> list[tuple[str, tuple[str, ...]]]:
    return changed(main(before), main(after))


# ------------------------------------------------------------ a weather box


@pytest.mark.parametrize(
    "box",
    [
        "<div class='widget weather-widget'><h3>Vêret i Førde no</h3><p>4 °C, lett regn.</p></div>",
        "<aside id='weather'><h3>Været i Gjøvik</h3><p>-2 °C, klarvær. Kilde: Yr</p></aside>",
        "<div class='yr-widget'><p>Meldt snø i morgon.</p></div>",
    ],
)
def test_a_weather_box_added_is_no_change(box: str) -> None:
    assert changes("", box) == []


def test_advice_about_the_weather_is_read() -> None:
    advice = "<h2>Kulde og glatte vegar</h2><p>Ring legevakta ved frostskadar.</p>"
    assert changes("", advice) == [("added", ("Sunnfjord legevakt", "Kulde og glatte vegar"))]


# ------------------------------------------------------------ photo credits


@pytest.mark.parametrize(
    "old, new",
    [
        ("Foto: Gjøvik kommune", "Foto: Marte Lien / Oppland Arbeiderblad"),
        ("Bilete: Kvam herad", "Foto: privat"),
        ("Foto: Helse Bergen helseforetak", "Foto: NTB"),
    ],
)
def test_a_photo_credit_changed_is_no_change(old: str, new: str) -> None:
    fig = "<figure><img src='/a.jpg' alt=''><figcaption>{}</figcaption></figure>"
    assert changes(fig.format(old), fig.format(new)) == []


@pytest.mark.parametrize(
    "old, new",
    [
        ("Foto: Utslett ved meslingar", "Foto: Utslett ved vannkoppar"),
        ("Foto: kommune", "Foto: legevakt"),  # no name before the noun: not a credit
    ],
)
def test_a_caption_that_says_something_is_read(old: str, new: str) -> None:
    fig = "<figure><img src='/a.jpg' alt=''><figcaption>{}</figcaption></figure>"
    assert changes(fig.format(old), fig.format(new)) == [("changed", ("Sunnfjord legevakt",))]


# ------------------------------------------------------------ footnote marks without a link


def table(
    mark: str, note: str = "Land med forekomst over 40 per 100 000.", value: str = "IGRA"
) -> str:
    return (
        f"<table><tr><th>Gruppe</th><th>Undersøking</th></tr>"
        f"<tr><td>Personar frå land med høg forekomst<sup>{mark}</sup></td><td>{value}</td></tr>"
        f"<tr><td>Helsepersonell</td><td>IGRA</td></tr></table>"
        f"<p><sup>{mark}</sup> {note}</p>"
    )


@pytest.mark.parametrize("old, new", [("1", "a"), ("a", "*"), ("2", "1")])
def test_footnote_marks_renamed_together_are_no_change(old: str, new: str) -> None:
    assert changes(table(old), table(new)) == []


def test_a_bare_mark_is_read_as_its_note_and_never_as_a_digit_of_the_value() -> None:
    text = page(table("1", value="3")).sections[0].text
    assert "forekomst [fotnote: Land med forekomst over 40 per …]" in text
    assert "\nLand med forekomst over 40 per 100 000." in text  # the note, without its mark
    # a note's words changed, or a value beside a mark: both are changes
    assert changes(table("1"), table("1", note="Land med forekomst over 50 per 100 000.")) != []
    assert changes(table("1", value="3"), table("1", value="2")) != []


def test_a_superscript_without_such_a_note_is_read_as_it_stands() -> None:
    text = page("<p>Rommet er 12 m<sup>2</sup>.</p><p>Blodplater 150 × 10<sup>9</sup>/L.</p>")
    assert "12 m2." in text.sections[0].text and "10" in text.sections[0].text
    assert changes("<p>Rommet er 12 m<sup>2</sup>.</p>", "<p>Rommet er 12 m<sup>3</sup>.</p>") == [
        ("changed", ("Sunnfjord legevakt",))
    ]


# ------------------------------------------------------------ HAPI fields renamed


def hapi(data: dict[str, str]) -> bytes:
    obj = {
        "id": "x1",
        "tittel": "Vent med antibiotika ved akutt mellomørebetennelse",
        "tekst": "<p>Vent og se i 2–3 dagar.</p>",
        "status": "Gjeldende",
        "data": data,
    }
    return json.dumps(obj, ensure_ascii=False).encode()


def hapi_changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [c.kind for c in diff_pages(extract_hapi(hapi(before)), extract_hapi(hapi(after)))]


@pytest.mark.parametrize(
    "old, new",
    [
        ("praktisk", "praktiskInfo"),
        ("nokkelInfo", "nokkelInformasjon"),
        ("rasjonale", "rasjonaleTekst"),
    ],
)
def test_a_hapi_field_renamed_by_the_schema_is_the_same_field(old: str, new: str) -> None:
    text = "<p>Gi paracetamol eller ibuprofen i aldersriktig dose.</p>"
    assert hapi_changes({old: text}, {new: text}) == []
    assert data_label(old) == data_label(new) != new
    # its text changed under the new name: a change
    assert hapi_changes({old: text}, {new: text.replace("ibuprofen", "naproksen")}) == ["changed"]


def test_another_hapi_field_keeps_its_name() -> None:
    text = "<p>Gjeld born under 12 år.</p>"
    assert data_label("maalgruppeTekst") == "maalgruppeTekst"
    assert hapi_changes({"maalgruppe": text}, {"avgrensing": text}) == ["changed"]
