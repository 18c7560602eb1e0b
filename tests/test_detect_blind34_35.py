"""Blind rounds 34 and 35's rules, both ways, bokmål and nynorsk: right-to-left marks, an
English page's date line, a notice that the translations lag behind and a translation's own
update date are no change; a bidi override, and the sentences that carry content in those
words, are read. (A feed of four items replaced at once is held for review: the corpus case
``rss_feed_switched_to_english_nynorsk``.)"""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds

TITLE = {"nb": "Influensavaksine", "nn": "Influensavaksine i kommunen"}


def page(lang: str, body: str) -> PageContent:
    return article(TITLE[lang], f"<p>Vaksinen bør takast før sesongen.</p>{body}", site="FHI")


ARABIC = "<h2>Informasjon på arabisk</h2><p dir='rtl'>{}احصل على اللقاح قبل الشتاء{}</p>"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_right_to_left_marks_are_no_change(lang: str) -> None:
    before = page(lang, ARABIC.format("", ""))
    assert kinds(before, page(lang, ARABIC.format("\u200f", "\u200f\u061c"))) == []


def test_a_bidi_override_is_read() -> None:
    phone = "<h2>Telefon</h2><p>Ring {}</p>"
    before = page("nn", phone.format("57 65 00 00"))
    assert kinds(before, page("nn", phone.format("\u202e57 65 00 00\u202c"))) == ["changed"]


ENGLISH_DATE = {"nb": "Last updated 3 November 2026", "nn": "Last updated: 3 November 2026"}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_english_date_line_is_furniture(lang: str) -> None:
    old = f"<p>{ENGLISH_DATE[lang]}</p>"
    new = f"<p>{ENGLISH_DATE[lang].replace('3 November', '17 December')}</p>"
    assert kinds(page(lang, old), page(lang, new)) == []


def test_an_english_sentence_with_a_date_is_read() -> None:
    text = "<p>The vaccine is offered from {} to everyone over 65.</p>"
    before, after = (
        page("nb", text.format("3 November 2026")),
        page("nb", text.format("17 November 2026")),
    )
    assert kinds(before, after) == ["changed"]


LAG = {
    "nb": "<p>Oversettelsene er ikke oppdatert med endringene fra 26. september. Les den norske "
    "teksten for gjeldende råd.</p>",
    "nn": "<p>Omsetjingane er ikkje oppdaterte med endringane frå 26. september. Les den norske "
    "teksten.</p>",
}
TRANSLATION_DATE = {
    "nb": "<p>Engelsk versjon (oversettelsen er sist oppdatert {}; den er ikke offisiell)</p>",
    "nn": "<p>Engelsk versjon (omsetjinga er sist oppdatert {}; ho er ikkje offisiell)</p>",
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_notices_about_the_translations_are_no_change(lang: str) -> None:
    assert kinds(page(lang, ""), page(lang, LAG[lang])) == []
    form = TRANSLATION_DATE[lang]
    assert kinds(page(lang, form.format("12.03.2024")), page(lang, form.format("30.10.2026"))) == []


def test_a_sentence_about_translations_is_read() -> None:
    text = "<p>Kommunen har fått {} oversettelser av rådene.</p>"
    assert kinds(page("nb", text.format("fire")), page("nb", text.format("sju"))) == ["changed"]
