"""Blind rounds 195-198's rules, both ways, bokmål and nynorsk:

- a citation's date of the last professional change alone, in parentheses, is a stamp; the
  citation is read;
- a feedback widget's tally of answers is furniture, on a line of its own and in its box;
- when the figures were fetched ("Datagrunnlag hentet ...", "Tala vart henta ut ...", also
  as a paragraph's last sentence) is a stamp; a deadline in such words is read;
- a footnote mark written as a link around a <sup> reads as one written the other way; a
  mark pointed at another note is told;
- a document's contents across its pages, this chapter marked current, is navigation; a
  list of links to other pages without a current one is read;
- the size of the page's own unnamed PDF ("Last ned PDF (PDF, 2,1 MB)") is furniture; a
  file named by its title keeps its size;
- a listing's card wrapped whole in its link is read as its heading and teaser: an edit of
  the teaser is told, a snapshot of the whole card as title is taken silently.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import detect
from feeds.store.snapshot import state_from_blob, state_to_blob
from feeds.types import FetchResult
from tests.support.pages import changed, text

TITLE = {"nb": "Pakkeforløp for lungekreft", "nn": "Pakkeforløp for lungekreft"}
CITE = {
    "nb": "Helsedirektoratet (Pakkeforløp for lungekreft). Oslo: Helsedirektoratet (sist "
    "faglig oppdatert {}). Tilgjengelig fra https://www.helsedirektoratet.no/pakkeforlop",
    "nn": "Helsedirektoratet (Pakkeforløp for lungekreft). Oslo: Helsedirektoratet (sist "
    "fagleg oppdatert {}). Tilgjengeleg frå https://www.helsedirektoratet.no/pakkeforlop",
}
BODY = {
    "nb": "<h2>Forløpstider</h2><p>Fra henvisning til start utredning: {} kalenderdager.</p>",
    "nn": "<h2>Forløpstider</h2><p>Frå tilvising til start utgreiing: {} kalenderdagar.</p>",
}


def guide(lang: str, cited: str, days: str = "7", extra: str = "") -> str:
    return (
        f"<main><h1>{TITLE[lang]}</h1>{BODY[lang].format(days)}{extra}"
        f"<aside><h2>Slik refererer du</h2><p>{CITE[lang].format(cited)}</p></aside></main>"
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_citation_date_of_the_last_change_is_a_stamp(lang: str) -> None:
    assert changed(guide(lang, "14. mars 2025"), guide(lang, "2. desember 2026")) == []
    assert "Tilgj" in text(guide(lang, "14. mars 2025"))


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_guide_beside_the_citation_is_still_read(lang: str) -> None:
    got = changed(guide(lang, "14. mars 2025"), guide(lang, "2. desember 2026", days="14"))
    assert got == [("changed", (TITLE[lang], "Forløpstider"))]


TALLY = {"nb": "412 personer har svart.", "nn": "412 personar har svart på dette."}
ASK = {
    "nb": ("Fant du det du lette etter?", "Tilbakemeldingen brukes til å gjøre innholdet "
           "bedre. Vi kan ikke svare på spørsmål om helsen din eller behandlingen din."),
    "nn": ("Fann du det du leita etter?", "Tilbakemeldinga blir brukt til å gjere innhaldet "
           "betre. Vi kan ikkje svare på spørsmål om helsa di eller behandlinga di."),
}  # fmt: skip


def feedback(lang: str, tally: str = "") -> str:
    question, info = ASK[lang]
    counted = f"<p class='count'>{tally}</p>" if tally else ""
    box = (
        f"<section class='tilbakemelding'><p>{question}</p><button>Ja</button>"
        f"<button>Nei</button>{counted}<p>{info}</p></section>"
    )
    return guide(lang, "14. mars 2025", extra=box)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_feedback_tally_is_furniture(lang: str) -> None:
    assert changed(feedback(lang), feedback(lang, TALLY[lang])) == []
    assert TALLY[lang] not in text(feedback(lang, TALLY[lang]))
    # on a line of its own, outside a widget's box
    alone = guide(lang, "14. mars 2025", extra=f"<p>{TALLY[lang]}</p>")
    assert changed(guide(lang, "14. mars 2025"), alone) == []


STATS = {
    "nb": ("Influensa – ukerapport", "Datagrunnlag hentet {} kl. 06:00",
           "Ukentlig oversikt over influensa. Tallene ble hentet ut {}.",
           "Andel positive prøver: {} prosent."),
    "nn": ("Influensa – vekerapport", "Datagrunnlag henta {} kl. 06:00",
           "Oversikt over RS-virus i Noreg. Tala vart henta ut {}.",
           "Del positive prøver: {} prosent."),
}  # fmt: skip


def report(lang: str, day: str, share: str = "9,8") -> str:
    title, stamp, lead, figure = STATS[lang]
    return (
        f"<main><h1>{title}</h1><p>{lead.format(day)}</p><p>{stamp.format(day)}</p>"
        f"<h2>Nøkkeltal</h2><p>{figure.format(share)}</p></main>"
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_when_the_figures_were_fetched_is_a_stamp(lang: str) -> None:
    assert changed(report(lang, "30.11.2026"), report(lang, "01.12.2026")) == []
    got = changed(report(lang, "30.11.2026"), report(lang, "01.12.2026", share="10,4"))
    assert got == [("changed", (STATS[lang][0], "Nøkkeltal"))]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_deadline_to_fetch_is_read(lang: str) -> None:
    said = {
        "nb": "<p>Prøvene må være hentet ut {} av kommunen.</p>",
        "nn": "<p>Prøvene må vere henta ut {} av kommunen.</p>",
    }[lang]
    before = f"<main><h1>Prøver</h1>{said.format('30.11.2026')}</main>"
    after = f"<main><h1>Prøver</h1>{said.format('07.12.2026')}</main>"
    assert changed(before, after) == [("changed", ("Prøver",))]


NOTE = {
    "nb": ("Statsforvalterne var bindeledd til kommunene.", "NOU 2022: 5, kapittel 14.",
           "Helsedirektoratet, Kartlegging av TISK-arbeidet (2021)."),
    "nn": ("Statsforvaltarane var bindeledd til kommunane.", "NOU 2022: 5, kapittel 14.",
           "Helsedirektoratet, Kartlegging av TISK-arbeidet (2021)."),
}  # fmt: skip


def noted(lang: str, inverted: bool, target: str = "fn1") -> str:
    said, one, two = NOTE[lang]
    mark = (
        f"<a href='#{target}' class='fn'><sup>1</sup></a>"
        if inverted
        else f"<sup><a href='#{target}'>1</a></sup>"
    )
    return (
        f"<main><h1>Meld. St. 5</h1><h2>3.1 Innledning</h2><p>{said}{mark}</p>"
        f"<h2>Fotnoter</h2><ol><li id='fn1'><span>1</span> {one}</li>"
        f"<li id='fn2'><span>2</span> {two}</li></ol></main>"
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_footnote_mark_written_either_way_reads_the_same(lang: str) -> None:
    assert changed(noted(lang, inverted=False), noted(lang, inverted=True)) == []
    assert changed(noted(lang, inverted=True), noted(lang, inverted=False)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_mark_pointed_at_another_note_is_told(lang: str) -> None:
    got = changed(noted(lang, inverted=False), noted(lang, inverted=True, target="fn2"))
    assert ("changed", ("Meld. St. 5", "3.1 Innledning")) in got


CHAPTERS = {
    "nb": ["1 Hovedinnholdet", "5 Smittesporing", "6 Isolering og smittekarantene",
           "7 Økonomiske konsekvenser"],
    "nn": ["1 Hovudinnhaldet", "5 Smittesporing", "6 Isolering og smittekarantene",
           "7 Økonomiske konsekvensar"],
}  # fmt: skip


def chapter(lang: str, other: str, current: bool = True) -> str:
    names = list(CHAPTERS[lang])
    names[3] = other
    items = "".join(
        f"<li{' class=active' if current and n == 2 else ''}><a href='../doc/?ch={n}'>{name}</a></li>"
        for n, name in enumerate(names)
    )
    return (
        f"<main><h1>Prop. 88 L</h1><aside class='doc-toc'><p>Innhald</p><ol>{items}</ol></aside>"
        f"<h2>{CHAPTERS[lang][2]}</h2><p>Departementet foreslår ein heimel.</p></main>"
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_document_contents_across_its_pages_is_navigation(lang: str) -> None:
    assert changed(chapter(lang, "7 Konsekvensar"), chapter(lang, "7 Kostnader")) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_list_of_links_without_this_page_marked_is_read(lang: str) -> None:
    got = changed(chapter(lang, "7 Konsekvensar", False), chapter(lang, "7 Kostnader", False))
    assert got == [("changed", ("Prop. 88 L",))]


def tools(size: str, named: bool = False) -> str:
    label = "Veileder for smittevern i barnehager" if named else "Last ned PDF"
    return (
        f"<main><h1>Meld. St. 5</h1><ul><li><a href='/dok.pdf'>{label} (PDF, {size})</a></li>"
        "<li><a href='javascript:print()'>Skriv ut</a></li></ul><h2>3.1</h2><p>Tekst.</p></main>"
    )


def test_the_size_of_the_page_own_pdf_is_furniture() -> None:
    assert changed(tools("2,1 MB"), tools("2,3 MB")) == []
    assert "Last ned PDF" in text(tools("2,1 MB"))


def test_a_file_named_by_its_title_keeps_its_size() -> None:
    assert changed(tools("2,1 MB", named=True), tools("2,3 MB", named=True)) == [
        ("changed", ("Meld. St. 5",))
    ]


CARDS = {
    "nb": [("01.12.2026", "Koronavaksine til eldre over 75", "Bestill hos fastlegen før {}."),
           ("28.11.2026", "Legevakta har ny telefon", "Ring 116 117 hele døgnet."),
           ("25.11.2026", "Kikhoste i barnehagene", "Foreldre bes følge med på hoste.")],
    "nn": [("01.12.2026", "Koronavaksine til eldre over 75", "Bestill hos fastlegen før {}."),
           ("28.11.2026", "Legevakta har ny telefon", "Ring 116 117 heile døgeret."),
           ("25.11.2026", "Kikhoste i barnehagane", "Foreldre blir bedne følgje med på hoste.")],
}  # fmt: skip
SPEC = SourceSpec(
    key="l", name="Nyheter", url="https://kommune.example.no/nyheter", kind="listing",
    authority="test", selector="main", link_pattern="/nyheter/",
)  # fmt: skip


def listing(lang: str, day: str, whole: bool = True) -> bytes:
    cards = ""
    for n, (date, title, teaser) in enumerate(CARDS[lang]):
        body = f"<p>{date}</p><h2>{title}</h2><p>{teaser.format(day)}</p>"
        href = f"https://kommune.example.no/nyheter/sak-{n}"
        cards += (
            f"<article class='card'><a href='{href}'>{body}</a></article>"
            if whole
            else f"<li><h3><a href='{href}'>{title}</a></h3><p>{teaser.format(day)}</p></li>"
        )
    tag = "div" if whole else "ul"
    return f"<html><body><main><h1>Nyheter</h1><{tag}>{cards}</{tag}></main></body></html>".encode()


def check(*bodies: bytes) -> list[tuple[str, str]]:
    state = None
    told: list[tuple[str, str]] = []
    for body in bodies:
        d = detect(SPEC, FetchResult(SPEC.url, 200, body), state)
        if d.state is not None:
            state = state_from_blob(state_to_blob(d.state))
        told = [(c.kind, c.title) for c in d.changes]
    return told


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_card_wrapped_in_its_link_is_read_as_its_heading_and_teaser(lang: str) -> None:
    # redesigned from a list to cards wrapped in their links: the same items
    assert check(listing(lang, "15. desember", whole=False), listing(lang, "15. desember")) == []
    # the teaser edited inside the link
    title = CARDS[lang][0][1]
    told = check(listing(lang, "15. desember"), listing(lang, "15. januar"))
    assert told == [("changed", title)]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_snapshot_of_whole_cards_as_titles_is_taken_silently(lang: str) -> None:
    body = listing(lang, "15. desember")
    first = detect(SPEC, FetchResult(SPEC.url, 200, body), None)
    assert first.state is not None
    # as an older notifier stored it: the whole card as the title, no teaser
    whole = {
        k: replace(
            v, title=f"{v.title} {v.teaser} {CARDS[lang][n][0]}", teaser=None, digest="0" * 32
        )
        for n, (k, v) in enumerate(first.state.seen.items())
    }
    old = state_from_blob(state_to_blob(replace(first.state, seen=whole, body_hash="x")))
    again = detect(SPEC, FetchResult(SPEC.url, 200, body), old)
    assert again.changes == ()
    assert "read as heading and teaser" in again.note


# --- blind round 200: a section shown at one check only ------------------------------------

FLASH = {
    "nb": ("Smittevernplan", "Beredskap ved utbrudd", "Kommunen har en plan for utbrudd."),
    "nn": ("Smittevernplan", "Beredskap ved utbrot", "Kommunen har ein plan for utbrot."),
}


def plan(lang: str, extra: bool) -> str:
    title, heading, said = FLASH[lang]
    more = f"<h2>{heading}</h2><p>{said}</p>" if extra else ""
    return f"<main><h1>{title}</h1><h2>Formål</h2><p>Planen gjeld alle.</p>{more}</main>"


def history(*bodies: str) -> list[tuple[str, tuple[str, ...]]]:
    from feeds.catalogue import SourceSpec as Spec

    spec = Spec(key="p", name="Plan", url="https://k.example.no/plan", kind="page",
                authority="test", selector="main")  # fmt: skip
    state = None
    told: list[tuple[str, tuple[str, ...]]] = []
    for body in bodies:
        page = f"<html><body>{body}</body></html>".encode()
        d = detect(spec, FetchResult(spec.url, 200, page), state)
        if d.state is not None and (d.changes or d.baseline or d.refresh):
            state = state_from_blob(state_to_blob(d.state))
        told = [(c.kind, c.section) for c in d.changes]
    return told


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_section_shown_at_one_check_only_goes_as_it_came(lang: str) -> None:
    # added at one check and gone at the next: an A/B variant, as a text that flips back
    assert history(plan(lang, False), plan(lang, True), plan(lang, False)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_section_that_lasted_is_told_when_it_goes(lang: str) -> None:
    title, heading, _ = FLASH[lang]
    got = history(plan(lang, False), plan(lang, True), plan(lang, True), plan(lang, False))
    assert got == [("removed", (title, heading))]


# --- blind round 200: a typo fixed ------------------------------------------------------------

COSTS = {
    "nb": "<main><h1>Influensavaksinasjon</h1><h2>Gjennomføring</h2><p>Vaksinasjonen skjer på "
    "arbeidsplassen. Arbeidsgiver dekker kostnadene til {}.</p><p>Bedriftshelsetjenesten kan "
    "stå for vaksinasjonsarbeidet.</p></main>",
    "nn": "<main><h1>Influensavaksinasjon</h1><h2>Gjennomføring</h2><p>Vaksinasjonen skjer på "
    "arbeidsstaden. Arbeidsgjevar dekkjer kostnadane til {}.</p><p>Bedriftshelsetenesta kan "
    "stå for vaksinasjonsarbeidet.</p></main>",
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize("typo", ["vaksinsajon", "vaksinasjn", "vaksinasjoon"])
def test_a_typo_fixed_in_a_word_used_elsewhere_is_no_news(lang: str, typo: str) -> None:
    assert changed(COSTS[lang].format(typo), COSTS[lang].format("vaksinasjon")) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("vaksinasjon", "vaksinering"),  # another word
        ("reiseutgifter", "reiseutgiftene"),  # two letters more
        ("legemidler", "legemiddel"),  # not used elsewhere, nor one slip
        ("testing", "testinga"),  # the new word stands nowhere else
    ],
)
def test_another_word_is_told(lang: str, before: str, after: str) -> None:
    got = changed(COSTS[lang].format(before), COSTS[lang].format(after))
    assert got == [("changed", ("Influensavaksinasjon", "Gjennomføring"))]
