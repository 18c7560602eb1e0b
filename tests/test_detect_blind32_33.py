"""Blind rounds 32 and 33's rules, both ways, bokmål and nynorsk: a link line to the English
version naming its title, a letter's reference written "ref.", and regjeringen.no's sentence
labelling a page of its historical archive are no change; the sentences that carry content in
those words are read."""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds

TITLE = {"nb": "Brev til kommunene om vaksinasjon", "nn": "Brev til kommunane om vaksinasjon"}
BODY = {
    "nb": "<p>Departementet ber kommunene gi tilbud om vaksine innen utgangen av januar.</p>",
    "nn": "<p>Departementet ber kommunane gi tilbod om vaksine innan utgangen av januar.</p>",
}


def page(lang: str, top: str = "", tail: str = "") -> PageContent:
    return article(TITLE[lang], f"{BODY[lang]}{tail}", top, site="Regjeringen")


ENGLISH = {
    "nb": "<p><a href='/en/x'>English version: Letter to the municipalities on vaccination</a></p>",
    "nn": "<p><a href='/en/x'>Read the letter in English</a></p>",
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_link_to_the_english_version_is_no_change(lang: str) -> None:
    assert kinds(page(lang), page(lang, tail=ENGLISH[lang])) == []


def test_a_sentence_about_an_english_version_is_read() -> None:
    text = "<p>English version: the letter will be translated and sent to {} by Friday.</p>"
    before, after = (
        page("nb", tail=text.format("all municipalities")),
        page("nb", tail=text.format("the counties")),
    )
    assert kinds(before, after) == ["changed"]


REFERENCE = {
    "nb": ("<p>Vår referanse: 26/4471-3</p><p>Dato: 02.12.2026</p>",
           "<p>Vår ref.: 26/4471 - 3</p><p>Dato: 2. desember 2026</p>"),
    "nn": ("<p>Vår referanse: 26/4471-3</p><p>Dato: 02.12.2026</p>",
           "<p>Vår ref.: 26/4471-3</p><p>Dato: 2. desember 2026</p>"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_reference_written_ref_is_the_same(lang: str) -> None:
    old, new = REFERENCE[lang]
    assert kinds(page(lang, tail=old), page(lang, tail=new)) == []


def test_another_reference_number_is_read() -> None:
    old = "<p>Vår referanse: 26/4471-3</p>"
    assert kinds(page("nb", tail=old), page("nb", tail="<p>Vår ref.: 26/4471-4</p>")) == ["changed"]


ARCHIVE = {
    "nb": "<div class='archive'><p>Denne siden er en del av regjeringens historiske arkiv. "
    "Innholdet kan være utdatert.</p></div>",
    "nn": "<div class='archive'><p>Denne sida er ein del av det historiske arkivet til "
    "regjeringa. Innhaldet kan vere utdatert.</p></div>",
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_historical_archive_sentence_is_no_change(lang: str) -> None:
    assert kinds(page(lang), page(lang, top=ARCHIVE[lang])) == []


def test_a_sentence_about_the_archive_is_read() -> None:
    text = "<p>Arkivet til kommunen vert flytta til {}.</p>"
    before, after = page("nn", tail=text.format("Sogndal")), page("nn", tail=text.format("Førde"))
    assert kinds(before, after) == ["changed"]
