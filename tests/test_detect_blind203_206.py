"""Blind rounds 203-206's rules, both ways, bokmål and nynorsk:

- a Norwegian page served in another language (its text without Norwegian's common words),
  every section replaced, is a source problem: the Norwegian baseline is kept, and its
  return is no news; a page in English from its first check is read; a Norwegian page
  rewritten in Norwegian is told;
- "PDF" among a page's tools ("Skriv ut PDF Lenke til denne siden") is furniture with them;
  a link named "Last ned PDF" alone in the text is read;
- a range in words and with its dash ("2 til 4 uker", "2–4 uker"; "mellom 150 og 250",
  "mellom 150–250") is one range; another end is told.
"""

from __future__ import annotations

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import detect
from feeds.errors import SourceProblem
from feeds.store.snapshot import state_from_blob, state_to_blob
from feeds.types import FetchResult
from tests.support.pages import changed, text

SPEC = SourceSpec(
    key="m", name="Meslinger", url="https://www.fhi.no/meslinger", kind="page",
    authority="test", selector="main",
)  # fmt: skip
NORWEGIAN = {
    "nb": ("Meslinger – råd til befolkningen", "Hva er meslinger?",
           "Meslinger er en svært smittsom sykdom som skyldes et virus. Sykdommen kan gi høy "
           "feber, hoste og utslett, og den kan være alvorlig for små barn og for voksne som "
           "ikke har hatt sykdommen eller er vaksinert.", "Vaksine",
           "Barn får MMR-vaksine ved 15 måneder og i 6. klasse. Voksne som ikke er vaksinert, "
           "bør ta kontakt med fastlegen eller helsestasjonen for å få vaksinen."),
    "nn": ("Meslingar – råd til befolkninga", "Kva er meslingar?",
           "Meslingar er ein svært smittsam sjukdom som kjem av eit virus. Sjukdommen kan gje "
           "høg feber, hoste og utslett, og han kan vere alvorleg for små born og for vaksne som "
           "ikkje har hatt sjukdommen eller er vaksinerte.", "Vaksine",
           "Born får MMR-vaksine ved 15 månader og i 6. klasse. Vaksne som ikkje er vaksinerte, "
           "bør ta kontakt med fastlegen eller helsestasjonen for å få vaksinen."),
}  # fmt: skip
ENGLISH = (
    "Measles – advice to the public", "What is measles?",
    "Measles is a highly contagious disease caused by a virus. The disease can cause high "
    "fever, cough and rash, and it can be serious for small children and for adults who have "
    "not had the disease or been vaccinated.", "Vaccine",
    "Children get the MMR vaccine at 15 months and in the 6th grade. Adults who are not "
    "vaccinated should contact their GP or the health centre to get the vaccine.",
)  # fmt: skip


def page(words: tuple[str, ...], lang: str = "no") -> bytes:
    title, h1, p1, h2, p2 = words
    return (
        f"<html lang='{lang}'><body><main><h1>{title}</h1><h2>{h1}</h2><p>{p1}</p>"
        f"<h2>{h2}</h2><p>{p2}</p></main></body></html>"
    ).encode()


def checks(*bodies: bytes) -> list[object]:
    state = None
    out: list[object] = []
    for body in bodies:
        try:
            d = detect(SPEC, FetchResult(SPEC.url, 200, body), state)
        except SourceProblem:
            out.append("problem")
            continue
        if d.state is not None and (d.changes or d.baseline or d.refresh):
            state = state_from_blob(state_to_blob(d.state))
        out.append([c.kind for c in d.changes])
    return out


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_norwegian_page_served_in_english_is_a_source_problem(lang: str) -> None:
    norwegian = page(NORWEGIAN[lang])
    got = checks(norwegian, page(ENGLISH, "en"), norwegian)
    assert got == [[], "problem", []]  # the baseline kept: its return is no news


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_norwegian_page_rewritten_in_norwegian_is_told(lang: str) -> None:
    words = list(NORWEGIAN[lang])
    words[4] = words[4].replace("15", "12")
    got = checks(page(NORWEGIAN[lang]), page(tuple(words)))
    assert got == [[], ["changed"]]


def test_a_page_in_english_from_its_first_check_is_read() -> None:
    words = list(ENGLISH)
    words[4] = words[4].replace("15", "12")
    assert checks(page(ENGLISH, "en"), page(tuple(words), "en")) == [[], ["changed"]]


TOOLS = {
    "nb": "<main><h1>Forskrift om smittevern</h1><p>{}</p><h2>§ 1 Formål</h2>"
    "<p>Forskriften skal sikre smittevern.</p></main>",
    "nn": "<main><h1>Forskrift om smittevern</h1><p>{}</p><h2>§ 1 Føremål</h2>"
    "<p>Forskrifta skal sikre smittevern.</p></main>",
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_pdf_among_the_page_tools_is_furniture(lang: str) -> None:
    before = TOOLS[lang].format("Skriv ut PDF Lenke til denne siden")
    after = TOOLS[lang].format("")
    assert changed(before, after) == []
    assert "Skriv ut" not in text(before)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_pdf_link_alone_in_the_text_is_read(lang: str) -> None:
    before = TOOLS[lang].format("<a href='/brev.pdf'>Last ned PDF</a>")
    assert "Last ned PDF" in text(before)


RANGES = {
    "nb": "<main><h1>Vitamin B12</h1><h2>Dosering</h2><p>Injeksjon hver {} uke. Målet er "
    "en verdi {} pmol/l.</p></main>",
    "nn": "<main><h1>Vitamin B12</h1><h2>Dosering</h2><p>Injeksjon kvar {} veke. Målet er "
    "ein verdi {} pmol/l.</p></main>",
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_range_in_words_and_with_its_dash_is_one_range(lang: str) -> None:
    words = RANGES[lang].format("2 til 4", "mellom 150 og 250")
    dashes = RANGES[lang].format("2–4", "mellom 150–250")
    assert changed(words, dashes) == []
    assert changed(dashes, words) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize(
    ("before", "after"),
    [(("2 til 4", "mellom 150 og 250"), ("2–5", "mellom 150–250")),
     (("2–4", "mellom 150 og 250"), ("2 til 4", "mellom 150–300"))],
)  # fmt: skip
def test_a_range_with_another_end_is_told(
    lang: str, before: tuple[str, str], after: tuple[str, str]
) -> None:
    got = changed(RANGES[lang].format(*before), RANGES[lang].format(*after))
    assert got == [("changed", ("Vitamin B12", "Dosering"))]


# --- blind rounds 208-210 ---------------------------------------------------------------------

FEED = {
    "nb": ("Influensaen øker", "Influensaen øker i alle fylker, og flere legges inn på sykehus. "
           "FHI anbefaler risikogruppene å ta vaksinen nå."),
    "nn": ("Influensaen aukar", "Influensaen aukar i alle fylke, og fleire blir lagde inn på "
           "sjukehus. FHI rår risikogruppene til å ta vaksinen no."),
}  # fmt: skip
FEED_SPEC = SourceSpec(
    key="f", name="FHI", url="https://www.fhi.no/rss", kind="feed", authority="test"
)


def rss(*items: tuple[str, str, str]) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>https://www.fhi.no/n/{g}</link><guid>{g}</guid>"
        f"<pubDate>Mon, 07 Dec 2026 08:00:00 +0100</pubDate><description>{d}</description></item>"
        for t, g, d in items
    )
    return f"<rss version='2.0'><channel><title>FHI</title>{body}</channel></rss>".encode()


def feed_checks(*bodies: bytes) -> list[list[str]]:
    state = None
    out = []
    for body in bodies:
        d = detect(FEED_SPEC, FetchResult(FEED_SPEC.url, 200, body), state)
        if d.state is not None:
            state = state_from_blob(state_to_blob(d.state))
        out.append([c.kind for c in d.changes])
    return out


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_item_printed_twice_once_cut_shorter_is_one_item(lang: str) -> None:
    title, said = FEED[lang]
    other = ("Ny rapport", "a1", "Rapporten er ute.")
    item = (title, "g1", said)
    cut = (title, "g1", said[:40] + " …")
    assert feed_checks(rss(item, other), rss(item, other, cut)) == [[], []]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_guid_shared_by_two_items_of_other_titles_is_no_identity(lang: str) -> None:
    # a CMS that gives every item one GUID: each item known by its text, a new one is new
    title, said = FEED[lang]
    first = ("Ny rapport", "felles", "Rapporten er ute.")
    second = (title, "felles", said)
    assert feed_checks(rss(first), rss(second, first)) == [[], ["new"]]


COUNTED = {
    "nb": "<main><h1>MSIS</h1><h2>Frister</h2><p>Meldes innen 7 dager.</p><p>{}</p></main>",
    "nn": "<main><h1>MSIS</h1><h2>Fristar</h2><p>Meldast innan 7 dagar.</p><p>{}</p></main>",
}
PERIOD = {"nb": "{} visninger siste 30 dager", "nn": "{} visningar siste 30 dagar"}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_view_count_over_a_period_is_furniture(lang: str) -> None:
    before = COUNTED[lang].format(PERIOD[lang].format("1 204"))
    after = COUNTED[lang].format(PERIOD[lang].format("1 391"))
    assert changed(before, after) == []
    # a count of cases over a period is read
    cases = {"nb": "{} tilfeller siste 30 dager", "nn": "{} tilfelle siste 30 dagar"}[lang]
    assert changed(COUNTED[lang].format(cases.format(12)), COUNTED[lang].format(cases.format(21)))


READERS = {"nb": "{} personer har lest denne siden", "nn": "{} har lese denne sida"}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_count_of_the_page_readers_is_furniture(lang: str) -> None:
    # blind round 207: the count first, in a sentence of its own at the end of the article
    before = COUNTED[lang].format(READERS[lang].format("587"))
    after = COUNTED[lang].format(READERS[lang].format("1 204"))
    assert changed(before, after) == []
    # a count of those who must act is read
    must = {"nb": "{} personer har fått brev", "nn": "{} har fått brev"}[lang]
    assert changed(COUNTED[lang].format(must.format(587)), COUNTED[lang].format(must.format(604)))
