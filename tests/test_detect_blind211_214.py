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
  told.
"""

from __future__ import annotations

import pytest

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
