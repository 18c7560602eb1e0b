"""Blind round 26's rules, both ways, bokmål and nynorsk: a list's text marks ("– ", "• "),
spaces around a slash ("og / eller"), common abbreviations written out ("t.d.", "til dømes")
and a heading's trailing colon say nothing new; a small word that flips the meaning ("skal" ->
"bør", "ikkje" added, "alle" -> "ingen") is always a change."""

from __future__ import annotations

import pytest

from feeds.detect.diff import diff_pages
from feeds.read.html import extract_page
from feeds.types import PageContent


def page(heading: str, body: str) -> PageContent:
    html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Side</title></head><body>"
        f"<main><h1>Smittevern i sjukeheim</h1><h2>{heading}</h2>{body}</main></body></html>"
    )
    return extract_page(html.encode(), selector="main")


def changed(a: tuple[str, str], b: tuple[str, str]) -> bool:
    return bool(diff_pages(page(*a), page(*b)))


QUIET = [
    (
        ("Risikogrupper", "<p>– Eldre over 65 år</p><p>– Gravide</p>"),
        ("Risikogrupper", "<p>• Eldre over 65 år</p><p>• Gravide</p>"),
    ),
    (
        ("Melding", "<p>Meld frå til lege og / eller sjukepleiar.</p>"),
        ("Melding", "<p>Meld frå til lege og/eller sjukepleiar.</p>"),
    ),
    (
        ("Tiltak", "<p>Bruk munnbind, t.d. ved utbrot, osv.</p>"),
        ("Tiltak", "<p>Bruk munnbind, til dømes ved utbrot, og så vidare.</p>"),
    ),
    (
        ("Tiltak", "<p>Bruk munnbind, bl.a. ved utbrudd, ca. 40 dager.</p>"),
        ("Tiltak", "<p>Bruk munnbind, blant annet ved utbrudd, cirka 40 dager.</p>"),
    ),
    (
        ("Vilkår for vaksinasjon:", "<p>Alle tilsette skal få tilbod.</p>"),
        ("Vilkår for vaksinasjon", "<p>Alle tilsette skal få tilbod.</p>"),
    ),
]


@pytest.mark.parametrize("a, b", QUIET)
def test_notation_alone_is_no_change(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert not changed(a, b) and not changed(b, a)


FLIPS = [
    (
        "<p>Tilsette skal vaksinere seg før sesongen.</p>",
        "<p>Tilsette bør vaksinere seg før sesongen.</p>",
    ),
    ("<p>Besøkande skal bruke munnbind.</p>", "<p>Besøkande skal ikkje bruke munnbind.</p>"),
    ("<p>Alle besøkende må vaske hendene.</p>", "<p>Ingen besøkende må vaske hendene.</p>"),
    ("<p>– Eldre over 65 år</p><p>– Gravide</p>", "<p>• Eldre over 65 år</p>"),
    (
        "<p>Meld frå til lege og / eller sjukepleiar.</p>",
        "<p>Meld frå til lege og sjukepleiar.</p>",
    ),
    ("<p>Bruk munnbind, t.d. ved utbrot.</p>", "<p>Bruk munnbind ved utbrot.</p>"),
]


@pytest.mark.parametrize("a, b", FLIPS)
def test_a_word_that_flips_the_meaning_is_a_change(a: str, b: str) -> None:
    assert changed(("Tiltak", a), ("Tiltak", b))


def test_a_heading_renamed_beyond_its_colon_is_a_change() -> None:
    body = "<p>Alle tilsette skal få tilbod.</p>"
    assert changed(("Vilkår for vaksinasjon:", body), ("Vilkår for oppfriskingsdose", body))
