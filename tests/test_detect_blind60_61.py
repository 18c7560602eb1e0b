"""Blind rounds 60 and 61's rules, both ways, bokmål and nynorsk: a link to an act in
Lovdata's short form ("/forskrift/2003-06-20-740") is cited as the long form is, so the same
act under a new address form is no change and another act is; a printed copy's "Sist henta"
stamp is furniture; a page's view and usefulness counters on one line follow the readers; a
booking button re-pointed under the same words stays quiet, as blind round 18 decided."""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds

LANGS = ["nb", "nn"]
RULE = {
    "nb": "Smittevernlegen skal straks melde utbrudd, jf. <a href='{}'>MSIS-forskriften § 3-1</a>.",
    "nn": "Smittevernlegen skal straks melde utbrot, jf. <a href='{}'>MSIS-forskrifta § 3-1</a>.",
}


def regulation(lang: str, href: str) -> PageContent:
    return article(
        "Forskrift om smittevern", f"<h2>§ 5. Meldeplikt</h2><p>{RULE[lang].format(href)}</p>"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_an_act_linked_in_lovdatas_short_form_is_cited(lang: str) -> None:
    before = regulation(lang, "/dokument/SF/forskrift/2003-06-20-740/§3-1")
    same = regulation(lang, "/forskrift/2003-06-20-740/§3-1?utm_source=lovdata&ref=intern")
    other = regulation(lang, "/forskrift/2009-02-13-205/§3-1")
    assert kinds(before, same) == []
    assert kinds(before, other) == ["changed"]


@pytest.mark.parametrize(("stamp", "lang"), [("Sist hentet", "nb"), ("Sist henta", "nn")])
def test_a_printed_copys_fetch_stamp_is_furniture(stamp: str, lang: str) -> None:
    def page(day: str) -> PageContent:
        line = f"Utskrift fra Lovdata - {day}.12.2026 09:12 · {stamp} {day}.12.2026"
        return article("Forskrift", f"<p>{line}</p><h2>§ 1</h2><p>Formål.</p>")

    assert kinds(page("04"), page("06")) == []


COUNTERS = {
    "nb": "Denne siden er vist {} ganger. {} personer synes siden var nyttig.",
    "nn": "Denne sida er vist {} gonger. {} personar synest sida var nyttig.",
}


@pytest.mark.parametrize("lang", LANGS)
def test_both_counters_on_one_line_follow_the_readers(lang: str) -> None:
    def page(views: str, useful: str) -> PageContent:
        body = f"<h2>Drop-in</h2><p>Drop-in kvar onsdag.</p><p>{COUNTERS[lang].format(views, useful)}</p>"
        return article("Helsestasjon for ungdom", body)

    assert kinds(page("1 284", "37"), page("1 317", "39")) == []


def test_a_sentence_with_a_count_and_more_is_read() -> None:
    def page(n: str) -> PageContent:
        return article("Ungdom", f"<p>Siden er vist {n} ganger. Tilbudet utvides fra mars.</p>")

    assert kinds(page("12"), page("14")) == ["changed"]


BOOK = {"nb": "Bestill time hos smittevernkontoret", "nn": "Bestill time hjå smittevernkontoret"}


def booking(lang: str, href: str) -> PageContent:
    body = f"<h2>Bestill time</h2><p><a class='btn' href='{href}'>{BOOK[lang]}</a></p>"
    return article("Smittevernkontoret", body)


@pytest.mark.parametrize("lang", LANGS)
def test_a_booking_button_re_pointed_under_the_same_words_stays_quiet(lang: str) -> None:
    """Blind round 18's decision, kept against round 61's case: a link is read with its host
    only where its words name another site (sites re-point links to trackers and
    redirectors; a new booking system is announced in the words, which are read)."""
    before = booking(lang, "https://bodo.timebestilling.infodoc.no/smittevern")
    assert kinds(before, booking(lang, "https://www.helsenorge.no/timebestilling/?org=bodo")) == []
