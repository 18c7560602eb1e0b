"""Blind rounds 211-214's rules, both ways, bokmål and nynorsk:

- a status word that labels a date ("<span class="meta__label">Oppdatert</span>
  <time>01.12.2026</time>") is the stamp's field, read with its date as the page's stamp; a
  badge of a badge's class that labels no date still goes, and a status after a date is read;
- "Abonner på endringar i «<the page's title>»" is the page's tool, as "Abonner på endringar
  på denne sida" was;
- the page's own PDF in its toolbar with the file's size ("Last ned PDF (1,4 MB)") is a tool;
  a link to another document is read with its size;
- an abbreviation whose explanation stands before it across a soft hyphen is read as it
  stands ("glukose&shy;måling (<abbr>CGM</abbr>)"), once;
- "høgt" / "høyt", "hjå" / "hos", "fyrst" / "først" are one word written in two accepted forms;
  a word beside them changed is told;
- a list of references put in another order, with the citations by number that followed it,
  is no change; citations left pointing to other references, or a list that nothing cites, are
  told;
- a press contact's line ("Pressekontakt: ...") added to a feed item is no change; a sentence
  that names the press contact is read;
- a feed whose items were replaced by one error notice ("Feil ved henting av innhold ... Prøv
  igjen senere") is a source problem; one new item that is news, or news of an error among the
  items, is told;
- Lovdata's toolbar links to places on the page ("Vis versjoner (4)") are tools; its "Sist
  endret" field's date written otherwise is no change, another amending regulation named is; a
  toolbar's link elsewhere is read;
- Lovdata's offer beside a paragraph ("PRO 3 avgjørelser ... Logg inn i Lovdata Pro ...") is
  furniture.
"""

from __future__ import annotations

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import detect
from feeds.errors import SourceProblem
from feeds.store.snapshot import state_from_blob, state_to_blob
from feeds.types import FetchResult
from tests.support.pages import changed, page, text

STAMP = {
    "nb": ('<span class="meta__label">Publisert</span> <time datetime="2026-09-12">'
           '12.09.2026</time> <span class="meta__label">Oppdatert</span> <time>{}</time>'),
    "nn": ('<span class="meta-label">Publisert</span> <time datetime="2026-09-12">'
           '12.09.2026</time> <span class="meta-label">Endra</span> <time>{}</time>'),
}  # fmt: skip
LEDE = {
    "nb": "Her publiserer FHI tall fra overvåkingen av influensa gjennom sesongen.",
    "nn": "Her publiserer FHI tal frå overvakinga av influensa gjennom sesongen.",
}


def stamped(lang: str, day: str, lede: str | None = None) -> str:
    meta = STAMP[lang].format(day)
    return f"<main><h1>Influensa</h1><p>{lede or LEDE[lang]}</p><div>{meta}</div></main>"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_status_word_that_labels_a_date_is_the_stamps_field(lang: str) -> None:
    assert changed(stamped(lang, "30.11.2026"), stamped(lang, "01.12.2026")) == []
    assert page(stamped(lang, "01.12.2026")).updated == "2026-12-01"
    edited = stamped(lang, "01.12.2026", LEDE[lang].replace("FHI", "FHI og kommunane"))
    assert changed(stamped(lang, "30.11.2026"), edited) == [("changed", ("Influensa",))]


def test_a_badge_that_labels_no_date_still_goes_and_a_status_after_a_date_is_read() -> None:
    badge = '<main><h1>Råd</h1><p>Tekst om vaksine. <span class="badge">{}</span></p></main>'
    assert text(badge.format("Oppdatert")) == text(badge.format("Ny"))
    status = "<main><h1>Råd</h1><p>12.03.2026 <span class='label'>{}</span> Tekst.</p></main>"
    assert changed(status.format("Revidert"), status.format("Utgått")) != []


SUBSCRIBE = {
    "nb": ("Abonner på endringer i «Risikovurdering: kikhoste i Norge»",
           "Få varsel ved oppdateringer av «Risikovurdering: kikhoste i Norge»"),
    "nn": ("Abonner på endringar i «Risikovurdering: kikhoste i Noreg»",
           "Få varsel ved oppdateringar av «Risikovurdering: kikhoste i Noreg»"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_subscribe_button_naming_the_page_is_a_tool(lang: str) -> None:
    now, before = SUBSCRIBE[lang]
    body = (
        "<main><h1>Risikovurdering</h1><p>Risikoen er moderat.</p>"
        "<div class='subscribe'><button type='button'>{}</button></div></main>"
    )
    assert changed(body.format(before), body.format(now)) == []
    assert "Abonner" not in text(body.format(now))
    # a sentence that asks readers to subscribe to something else is read
    other = "<main><h1>R</h1><p>Abonner på endringar i «Nyheitsbrev for legar» i dag.</p></main>"
    assert "Abonner" in text(other)


TOOLBAR = (
    "<main><h1>Ved akutt mellomørebetennelse anbefales fenoksymetylpenicillin</h1>"
    "<div class='toolbar'><a class='toolbar__pdf' href='/_/attachment/download/{f}.pdf'>"
    "Last ned PDF ({size})</a> <a href='#' class='toolbar__print'>Skriv ut</a></div>"
    "<h2>{h}</h2><p>{p}</p></main>"
)
RECOMMENDATION = {
    "nb": ("Anbefaling", "Fenoksymetylpenicillin i 5 dager."),
    "nn": ("Tilråding", "Fenoksymetylpenicillin i 5 dagar."),
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_pages_own_pdf_with_its_size_is_a_tool(lang: str) -> None:
    h, p = RECOMMENDATION[lang]
    before = TOOLBAR.format(f="pdf-a81f3c2", size="1,4 MB", h=h, p=p)
    after = TOOLBAR.format(f="pdf-f0933de", size="1,5 MB", h=h, p=p)
    assert changed(before, after) == []
    assert "Last ned" not in text(after)
    edited = TOOLBAR.format(f="pdf-f0933de", size="1,5 MB", h=h, p=p.replace("5", "7"))
    assert len(changed(before, edited)) == 1


def test_a_document_linked_in_the_text_is_read_with_its_size() -> None:
    body = "<main><h1>R</h1><p>Sjå <a href='/brev.pdf'>Last ned PDF ({})</a> om tiltaka.</p></main>"
    assert changed(body.format("1,4 MB"), body.format("1,5 MB")) != []


ABBR = {
    "nb": ("Kontinuerlig glukose{s}måling (<abbr title='kontinuerlig glukosemåling'>CGM</abbr>) "
           "kan gi bedre kontroll."),
    "nn": ("Kontinuerleg glukose{s}måling (<abbr title='kontinuerleg glukosemåling'>CGM</abbr>) "
           "kan gi betre kontroll."),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_abbreviation_explained_across_a_soft_hyphen_reads_as_it_stands(lang: str) -> None:
    plain = f"<main><h1>Gravide</h1><p>{ABBR[lang].format(s='')}</p></main>"
    soft = f"<main><h1>Gravide</h1><p>{ABBR[lang].format(s='&shy;')}</p></main>"
    assert "(CGM)" in text(soft) and "(CGM (" not in text(soft)
    assert changed(plain.replace("<abbr title='kontinuerleg glukosemåling'>CGM</abbr>", "CGM")
                   .replace("<abbr title='kontinuerlig glukosemåling'>CGM</abbr>", "CGM"),
                   soft) == []  # fmt: skip
    alone = (
        "<main><h1>G</h1><p>Bruk <abbr title='kontinuerleg glukosemåling'>CGM</abbr>.</p></main>"
    )
    assert "CGM (kontinuerleg glukosemåling)" in text(alone)


VARIANTS = [
    ("Risikoen er vurdert som høyt for spedborn hos fastlegen.",
     "Risikoen er vurdert som høgt for spedborn hjå fastlegen."),
    ("Talet er tre gonger høyare enn først venta.",
     "Talet er tre gonger høgare enn fyrst venta."),
]  # fmt: skip


@pytest.mark.parametrize(("before", "after"), VARIANTS)
def test_nynorsk_words_in_two_accepted_forms_are_one_word(before: str, after: str) -> None:
    body = "<main><h1>Kikhoste</h1><h2>Samla vurdering</h2><p>{}</p></main>"
    assert changed(body.format(before), body.format(after)) == []
    moved = after.replace("tre", "fire").replace("spedborn", "eldre")
    assert changed(body.format(before), body.format(moved)) != []


REFERENCES = {
    "nb": ("Begrunnelse", "Referanser", "og er på nivå med psykoterapi"),
    "nn": ("Grunngjeving", "Referansar", "og er på nivå med psykoterapi"),
}
REFS = ["Cooney GM. Exercise for depression. 2013.", "Schuch FB. Exercise as a treatment. 2016.",
        "Heissel A. Exercise as medicine. 2023."]  # fmt: skip


def cited(lang: str, marks: tuple[str, str, str], refs: list[str]) -> str:
    why, heading, tail = REFERENCES[lang]
    items = "".join(f"<li>{r}</li>" for r in refs)
    return (
        f"<main><h1>Fysisk aktivitet</h1><h2>{why}</h2><p>Moderat effekt ({marks[0]}). Størst i "
        f"grupper ({marks[1]}), {tail} ({marks[2]}).</p><h2>{heading}</h2><ol>{items}</ol></main>"
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_references_resorted_with_their_citations_are_no_change(lang: str) -> None:
    resorted = [REFS[0], REFS[2], REFS[1]]
    assert changed(cited(lang, ("1", "2", "3"), REFS), cited(lang, ("1", "3", "2"), resorted)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_references_resorted_under_citations_left_or_uncited_are_told(lang: str) -> None:
    resorted = [REFS[0], REFS[2], REFS[1]]
    why, heading, _ = REFERENCES[lang]
    left = changed(cited(lang, ("1", "2", "3"), REFS), cited(lang, ("1", "2", "3"), resorted))
    assert [p[-1] for _, p in left] == [heading]
    swapped = changed(cited(lang, ("1", "2", "3"), REFS), cited(lang, ("1", "3", "3"), resorted))
    assert {p[-1] for _, p in swapped} == {why, heading}
    bare = "<main><h1>F</h1><h2>" + heading + "</h2><ol>{}</ol></main>"
    items = ["".join(f"<li>{r}</li>" for r in refs) for refs in (REFS, resorted)]
    assert changed(bare.format(items[0]), bare.format(items[1])) != []


# ----------------------------------------------------------------------------- rounds 213, 214

FEED = SourceSpec(
    key="f", name="HOD", url="https://www.regjeringen.no/rss", kind="feed", authority="test"
)


def rss(*items: tuple[str, str, str]) -> FetchResult:
    body = "".join(
        f"<item><title>{t}</title><link>https://www.regjeringen.no/no/{i}/</link>"
        f"<guid>{i}</guid><description><![CDATA[{d}]]></description></item>"
        for i, t, d in items
    )
    xml = (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>HOD</title>{body}</channel></rss>"
    )
    return FetchResult(FEED.url, 200, xml.encode())


def feed_changes(*versions: FetchResult) -> list[str]:
    state = None
    detection = None
    for result in versions:
        detection = detect(FEED, result, state)
        if detection.state is not None:
            state = state_from_blob(state_to_blob(detection.state))
    assert detection is not None
    return [c.kind for c in detection.changes]


NEWS = [
    ("id1", "Nye råd om RS-vaksine", "<p>FHI anbefaler RS-vaksine til personer over 75 år.</p>"),
    ("id2", "Tilskudd til legevakt", "<p>Kommunene kan søke tilskudd innen 1. mars.</p>"),
    ("id3", "Ny forskrift om smittevern", "<p>Forskriften gjelder fra 1. januar.</p>"),
]
CONTACT = {
    "nb": "<p><strong>Pressekontakt:</strong> Pressevakten i HOD, tlf. 22 24 90 90</p>",
    "nn": "<p><strong>Pressekontaktar:</strong> Pressevakta i HOD, tlf. 22 24 90 90</p>",
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_press_contact_added_to_an_item_is_no_change(lang: str) -> None:
    edited = [(i, t, d + CONTACT[lang]) if i == "id1" else (i, t, d) for i, t, d in NEWS]
    assert feed_changes(rss(*NEWS), rss(*edited)) == []
    told = [(i, t, d.replace("75", "65") + CONTACT[lang]) if i == "id1" else (i, t, d)
            for i, t, d in NEWS]  # fmt: skip
    assert feed_changes(rss(*NEWS), rss(*told)) == ["changed"]
    said = "<main><h1>Råd</h1><p>Kontakt pressekontakten vår om intervju.</p></main>"
    assert "pressekontakten" in text(said)
    # a sentence for patients after the press contact is read, with it
    more = "<main><h1>Råd</h1><p>Pressevakt: 55 97 50 00. Pasientar kan ringje posten.</p></main>"
    assert "Pasientar kan ringje posten" in text(more)


ERROR = {
    "nb": ("Feil ved henting av innhold",
           "Det oppstod en feil ved generering av RSS-strømmen. Prøv igjen senere."),
    "nn": ("Feil ved henting av innhald",
           "Det oppstod ein feil ved generering av RSS-straumen. Prøv igjen seinare."),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_feed_whose_items_became_one_error_notice_is_a_problem(lang: str) -> None:
    title, words = ERROR[lang]
    with pytest.raises(SourceProblem, match="error notice"):
        feed_changes(rss(*NEWS), rss(("id9", title, words)))
    # one new item that is news, or news of an error among the items, is told
    assert feed_changes(rss(*NEWS), rss(("id9", "Nye råd om influensa", "<p>Ta vaksine.</p>")))
    news = ("id9", "Feil i vaksinasjonsregisteret er rettet", "<p>Registreringene er trygge.</p>")
    assert feed_changes(rss(*NEWS), rss(news, *NEWS)) == ["new"]


LOVDATA = (
    "<main><div class='documentToolbar' role='toolbar'><a href='/print'>Skriv ut</a> "
    "<a href='#versjoner'>Vis versjoner ({n})</a> <a href='#toc'>Innholdsfortegnelse</a>{more}"
    "</div><h1>Forskrift om smitteverntiltak, {place}</h1><dl><dt>Ikrafttredelse</dt>"
    "<dd>19.01.2021</dd><dt>Sist endret</dt><dd>FOR-2021-02-02-212 fra {day}</dd></dl>"
    "<h2>§ 1. Formål</h2><p>{purpose}</p></main>"
)
PLACES = {
    "nb": ("Oslo kommune", "Forskriften skal begrense spredning av smitte i kommunen."),
    "nn": ("Stord kommune", "Forskrifta skal avgrense spreiing av smitte i kommunen."),
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_lovdatas_toolbar_links_in_the_page_are_tools(
    lang: str,
) -> None:
    place, purpose = PLACES[lang]
    before = LOVDATA.format(n=4, more="", place=place, day="03.02.2021", purpose=purpose)
    after = LOVDATA.format(
        n=5, more=" <a href='#sammenlign'>Sammenlign versjoner</a>", place=place,
        day="3. februar 2021", purpose=purpose,
    )  # fmt: skip
    assert changed(before, after) == []
    assert "Vis versjoner" not in text(after) and "Sammenlign" not in text(after)
    # the field names the amending regulation: a new one is told (the lead's decision)
    amended = after.replace("FOR-2021-02-02-212", "FOR-2021-03-01-400")
    assert [p for _, p in changed(before, amended)] == [
        (f"Forskrift om smitteverntiltak, {place}",)
    ]
    edited = after.replace("smitte i", "koronasmitte i")
    assert [p[-1] for _, p in changed(before, edited)] == ["§ 1. Formål"]
    # a toolbar's link that runs a script ("Print") is a tool too
    printed = after.replace(
        "<a href='/print'>Skriv ut</a>", "<a href='javascript:window.print()'>Print</a>"
    )
    assert "Print" not in text(printed)
    # a toolbar's link to another page is read
    other = after.replace("href='#toc'", "href='/forskrift/2020-11-09-2264'")
    assert "Innholdsfortegnelse" in text(other)


@pytest.mark.parametrize("count", ["3 avgjørelser og 1 kommentar", "1 avgjørelse"])
def test_lovdatas_pro_offer_beside_a_paragraph_is_furniture(count: str) -> None:
    plain = "<main><h1>Forskrift</h1><h2>§ 3. Private sammenkomster</h2><p>Maks to gjester.</p>"
    offer = (
        f"<aside class='proTeaser'><span class='badge'>PRO</span> {count} viser til § 3. "
        "<a href='https://lovdata.no/pro/auth/login'>Logg inn i Lovdata Pro for å lese mer</a>."
        "</aside>"
    )
    assert changed(plain + "</main>", plain + offer + "</main>") == []
    told = plain.replace("to", "fem") + offer + "</main>"
    assert len(changed(plain + "</main>", told)) == 1
