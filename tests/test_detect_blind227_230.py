"""Blind rounds 227-230's rules, both ways, bokmål and nynorsk:

- the tens and the numbers between them in words ("tjuefire timar", "fireogtjue timar") are
  those numbers in digits; another number is told;
- a word written in another accepted form of nynorsk and a number written otherwise in one
  sentence ("fram ... to vekers" as "frem ... 2 vekers") say the same; a number changed
  beside them is told;
- a link to a regulation at Lovdata in its short address ("/LTI/forskrift/<id>") cites the
  act as the long one does;
- a feed item of Lovdata whose address moved to the short form and whose summary was edited
  in the same check is that item changed, not a new one.
"""

from __future__ import annotations

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import detect
from feeds.detect.notation import same_notation
from feeds.store.snapshot import state_from_blob, state_to_blob
from feeds.types import FetchResult
from tests.support.pages import changed, text


@pytest.mark.parametrize(
    ("words", "digits"),
    [("tjuefire timar", "24 timar"), ("fireogtjue timar", "24 timar"),
     ("tjuge dagar", "20 dagar"), ("trettifem dagar", "35 dagar"),
     ("femti milligram", "50 milligram")],
)  # fmt: skip
def test_the_tens_in_words_are_their_numbers(words: str, digits: str) -> None:
    assert same_notation(f"Isolasjon i {words}.", f"Isolasjon i {digits}.")
    assert not same_notation(f"Isolasjon i {words}.", "Isolasjon i 25 timar.")


SENTENCE = {
    "nb": ("Kommunene skal legge fram en oversikt over planer for to ukers forbruk.",
           "Kommunene skal legge frem en oversikt over planer for 2 ukers forbruk."),
    "nn": ("Kommunane skal leggje fram ei oversikt over planar for to vekers forbruk.",
           "Kommunane skal leggje frem ei oversikt over planar for 2 vekers forbruk."),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_spelling_variant_and_a_number_in_digits_in_one_sentence_say_the_same(
    lang: str,
) -> None:
    before, after = SENTENCE[lang]
    page = "<main><h1>Rapportering</h1><h2>Kva</h2><p>{}</p></main>"
    assert changed(page.format(before), page.format(after)) == []
    told = after.replace("2 ", "3 ")
    assert changed(page.format(before), page.format(told)) != []


def test_a_lovdata_link_in_its_short_address_cites_the_act_as_the_long_one() -> None:
    row = "<main><h1>Nye forskrifter</h1><p><a href='{}'>Forskrift om endring</a></p></main>"
    long = row.format("/dokument/LTI/forskrift/2026-12-03-2390")
    short = row.format("/LTI/forskrift/2026-12-03-2390")
    assert changed(long, short) == []
    assert "(FOR-2026-12-03-2390)" in text(short)
    other = row.format("/LTI/forskrift/2026-12-03-2391")
    assert changed(long, other) != []


FEED = SourceSpec(key="l", kind="feed", url="https://lovdata.no/feed", authority="t", name="L")
SUMMARY = {
    "nb": "Endringen gjelder meldeplikt for legemidler.",
    "nn": "Endringa gjeld meldeplikt for legemiddel.",
}


def lovdata_feed(base: str, extended: str = "") -> FetchResult:
    items = "".join(
        f"<item><title>Forskrift om endring i forskrift om legemidler</title>"
        f"<link>https://lovdata.no/{base}forskrift/2026-11-{d:02d}-23{d:02d}</link>"
        f"<guid>https://lovdata.no/{base}forskrift/2026-11-{d:02d}-23{d:02d}</guid>"
        f"<description>Nr. {d}. {SUMMARY['nb']}{extended if d == 26 else ''}</description></item>"
        for d in range(20, 27)
    )
    xml = (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>L</title>{items}</channel></rss>"
    )
    return FetchResult(FEED.url, 200, xml.encode())


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_lovdata_item_moved_to_the_short_address_and_edited_is_changed(lang: str) -> None:
    first = detect(FEED, lovdata_feed("dokument/LTI/"), None)
    assert first.state is not None
    state = state_from_blob(state_to_blob(first.state))
    moved = detect(FEED, lovdata_feed("LTI/", f" {SUMMARY[lang]}"), state)
    assert [c.kind for c in moved.changes] == ["changed"]
    assert detect(FEED, lovdata_feed("LTI/"), state).changes == ()
