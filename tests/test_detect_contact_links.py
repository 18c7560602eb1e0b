"""Blind round 43's open case, met: a link to a phone number or an e-mail address whose words
do not show it ("Ring legevakta" to "tel:116117") is read with it, so a new number or
address behind the same words is told; a link that shows its number, or the same number
written another way, is not. Bokmål and nynorsk."""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds

WORDS = {
    "nb": ("Når skal du ringe legevakten?", "Ring legevakten", "Send oss en e-post"),
    "nn": ("Når skal du ringje legevakta?", "Ring legevakta", "Send oss ein e-post"),
}


def call(lang: str, href: str, text: str = "") -> PageContent:
    heading, ring, _ = WORDS[lang]
    body = (
        f"<h2>{heading}</h2><p>Ring alltid før du kommer.</p>"
        f"<p><a class='btn' href='{href}' aria-label='{ring}'><span aria-hidden='true'></span>"
        f" {text or ring}</a></p>"
    )
    return article("Legevakt", body)


def mail(lang: str, href: str, text: str = "") -> PageContent:
    heading, _, send = WORDS[lang]
    body = f"<h2>{heading}</h2><p>Spørsmål om vaksiner: <a href='{href}'>{text or send}</a></p>"
    return article("Kontakt", body)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_new_number_behind_the_same_words_is_told(lang: str) -> None:
    assert kinds(call(lang, "tel:55568700"), call(lang, "tel:116117")) == ["changed"]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_new_address_behind_the_same_words_is_told(lang: str) -> None:
    before = mail(lang, "mailto:vaksine@kommune.no")
    assert kinds(before, mail(lang, "mailto:smittevern@kommune.no?subject=Vaksine")) == ["changed"]


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("tel:55568700", "tel:55568700"),
        ("tel:+4755568700", "tel:55568700"),  # the country code dropped
        ("tel:55%2056%2087%2000", "tel:55568700"),  # spaces encoded
    ],
)
def test_the_same_number_is_no_change(lang: str, old: str, new: str) -> None:
    assert kinds(call(lang, old), call(lang, new)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_link_that_shows_its_number_or_address_is_read_by_its_words(lang: str) -> None:
    shown = "Ring 55 56 87 00"
    assert kinds(call(lang, "tel:55568700", shown), call(lang, "tel:+4755568700", shown)) == []
    address = "vaksine@kommune.no"
    before = mail(lang, f"mailto:{address}", address)
    assert kinds(before, mail(lang, f"mailto:{address}?subject=Sp%C3%B8rsm%C3%A5l", address)) == []
