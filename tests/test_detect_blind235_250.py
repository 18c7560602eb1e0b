"""Blind rounds 235-250's rules, both ways, bokmål and nynorsk:

- a space set before a comma or a full stop ("i form , jf.") is a typo, the same words;
  a space inside a number ("1 ,5") is not taken for one;
- a range in words at a sentence's end ("uke 16 til 32.") is the range with its dash;
- a registrar's page for a domain for sale or lapsed ("Dette domenet er til salgs!") is a
  source problem, with its own words for the staff;
- a toolbar's link to the page's permanent address ("Permalenke", "Kopier permanent lenke")
  is a tool, and so is a link to a place on the page that shows its versions ("Vis
  endringer", "Sammenlign versjoner") wherever it stands;
- a stamp in brackets ("Gjeldende versjon (sist kontrollert 07.12.2026)") is furniture;
- "forskr." is "forskrift" ("Jf. forskr. 5 juli 2002 nr. 740");
- a feedback widget asking "Hjalp innholdet deg?" is a widget, as "Fant du det du lette
  etter?" is;
- a language picker whose links carry a flag, and a link "Les på bokmål her" to the page in
  another language, are furniture (247);
- a translation's note ("Translated by … The Norwegian version applies.") and a letter's
  "Dokumentet er godkjent elektronisk." are furniture (247, 250).
"""

from __future__ import annotations

import pytest

from feeds.errors import SourceProblem
from feeds.read.html import extract_page
from notifier.source_admin import explain_error
from notifier.web.texts_sources import TEXTS
from tests.support.pages import changed, text


def page(text: str) -> str:
    return f"<main><h1>Hand-, fot- og munnsjuke</h1><h2>Barnehage</h2><p>{text}</p></main>"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Dei kan gå i barnehagen når dei er i form , jf. rettleiaren.",
         "Dei kan gå i barnehagen når dei er i form, jf. rettleiaren."),
        ('Barna kan gå i barnehagen når de er "i form" , jf. veilederen .',
         "Barna kan gå i barnehagen når de er «i form», jf. veilederen."),
        ("Ring legevakta ; ikkje kom utan avtale !", "Ring legevakta; ikkje kom utan avtale!"),
    ],
)  # fmt: skip
def test_a_space_before_a_comma_or_a_full_stop_is_a_typo(before: str, after: str) -> None:
    assert changed(page(before), page(after)) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Dosen er 1 ,5 ml.", "Dosen er 1,5 ml."),  # inside a number: not a sentence's comma
        ("Dei er i form , jf. rettleiaren.", "Dei er ikkje i form, jf. rettleiaren."),
        ("Barna er friske .", "Barna er syke."),
    ],
)
def test_a_space_before_punctuation_hides_no_other_edit(before: str, after: str) -> None:
    assert changed(page(before), page(after)) != []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Gravide anbefales vaksine i uke 16–32.", "Gravide anbefales vaksine i uke 16 til 32."),
        ("Gravide blir tilrådde vaksine i veke 16 – 32.",
         "Gravide blir tilrådde vaksine i veke 16 til 32."),
    ],
)  # fmt: skip
def test_a_range_in_words_at_a_sentences_end_is_the_range(before: str, after: str) -> None:
    assert changed(page(before), page(after)) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Gravide anbefales vaksine i uke 16–32.", "Gravide anbefales vaksine i uke 16 til 30."),
        ("Vaksinen gis frå 1 til 15.3.2027.", "Vaksinen gis frå 1-15.3.2026."),
        (
            "Tiltaka galdt 12.03.2020–12.02.2022.",
            "Tiltaka galdt frå 12. mars 2020 til 12. mai 2022.",
        ),
    ],
)
def test_a_range_moved_is_told(before: str, after: str) -> None:
    assert changed(page(before), page(after)) != []


PARKED = {
    "nb": "<h1>smittevern-kommune.no</h1><p>Dette domenet er til salgs! Kontakt oss for "
    "pristilbud.</p><h2>Relaterte søk</h2><ul><li><a href='/s?q=1'>Helseforsikring</a></li>"
    "<li><a href='/s?q=2'>Billig tannlege</a></li></ul><p>Parkert gratis hos leverandøren.</p>",
    "nn": "<h1>smittevern-kommune.no</h1><p>Domenet har gått ut. Kjøp dette domenet i dag.</p>",
    "en": "<h1>smittevern-kommune.no</h1><p>This domain is for sale. Buy this domain.</p>",
}


@pytest.mark.parametrize("lang", list(PARKED))
def test_a_parked_domains_page_is_a_source_problem(lang: str) -> None:
    body = f"<html><head><title>Til salgs</title></head><body>{PARKED[lang]}</body></html>"
    with pytest.raises(SourceProblem, match="parked domain") as raised:
        extract_page(body.encode(), selector=None)
    key, _ = explain_error(f"SourceProblem: {raised.value}") or ("", {})
    assert key == "err_parked_domain"
    for texts in TEXTS.values():
        assert "parkert domeneside" in texts[key]


def test_a_page_that_speaks_of_domains_is_read() -> None:
    """A page of content that quotes a parking page's words is no parking page (the words
    are looked for on short pages only)."""
    text = " ".join(["Kommunen har flyttet nettsidene sine til ny adresse."] * 40)
    body = (
        "<main><h1>Ny nettadresse</h1><p>Den gamle adressen viser «Dette domenet er til salgs»: "
        f"bruk den nye.</p><p>{text}</p></main>"
    )
    page = extract_page(f"<html><body>{body}</body></html>".encode(), selector="main")
    assert "Dette domenet er til salgs" in page.sections[0].text


LOVDATA = (
    "<main><h1>Forskrift om tuberkulosekontroll</h1><div class='versionInfo'>{badge}</div>"
    "<div class='documentTools' role='toolbar' aria-label='Verktøy'><button>Skriv ut</button>"
    "<a href='/dokument/SF/forskrift/2009-02-13-205' class='permalink'>{link}</a></div>"
    "<h2>§ 3. Plikt</h2><p>Undersøkelsen skal gjennomføres innen 14 dager.</p></main>"
)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Permalenke", "Kopier permanent lenke"),
        ("Kopier lenke", "Kopier lenke til sida"),
    ],
)
def test_a_toolbars_permanent_link_is_a_tool(before: str, after: str) -> None:
    badge = "<span class='badge'>Gjeldende versjon</span>"
    one = LOVDATA.format(badge=badge, link=before)
    assert changed(one, LOVDATA.format(badge=badge, link=after)) == []
    assert "Permalenke" not in text(one) and "Kopier lenke" not in text(one)


def test_a_permanent_link_outside_a_toolbar_is_read() -> None:
    body = "<main><h1>T</h1><p>Sjå <a href='/dokument/x'>permalenke</a> for kjelda.</p></main>"
    assert "permalenke" in text(body)


@pytest.mark.parametrize(
    "links",
    [
        "<a href='#endringer'>Vis endringer</a> <a href='#sammenlign'>Sammenlign versjoner</a>",
        "<a href='#endringar'>Vis endringar</a> <a href='#versjonar'>Tidlegare versjonar</a>",
    ],
)
def test_links_to_the_pages_versions_are_tools(links: str) -> None:
    badge = "<span class='badge'>Gjeldende versjon</span>"
    before = LOVDATA.format(badge=badge, link="Permalenke")
    after = LOVDATA.format(badge=f"{badge} {links}", link="Permalenke")
    assert changed(before, after) == []


def test_a_link_to_another_pages_changes_is_read() -> None:
    body = "<main><h1>T</h1><p><a href='/endringslogg'>Vis endringer</a> i regelverket.</p></main>"
    assert "Vis endringer" in text(body)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Gjeldende versjon (sist kontrollert 07.12.2026)",
         "Gjeldende versjon (sist kontrollert 08.12.2026)"),
        ("Gjeldande versjon", "Gjeldande versjon (sist oppdatert 7. desember 2026)"),
        ("Tabellen (sist endra 1.12.2026) viser tal frå MSIS.",
         "Tabellen (sist endra 7.12.2026) viser tal frå MSIS."),
    ],
)  # fmt: skip
def test_a_stamp_in_brackets_is_furniture(before: str, after: str) -> None:
    assert changed(page(before), page(after)) == []


def test_a_stamp_in_brackets_hides_no_edit_beside_it() -> None:
    before = page("Tabellen (sist endra 1.12.2026) viser 12 utbrot.")
    assert changed(before, page("Tabellen (sist endra 7.12.2026) viser 13 utbrot.")) != []
    # a bracket of other words is read
    assert changed(page("Møtet (sist flytta) er i dag."), page("Møtet er i dag.")) != []


@pytest.mark.parametrize(
    ("before", "after", "same"),
    [
        ("Jf. forskr. 5 juli 2002 nr. 740.", "Jf. forskrift 5. juli 2002 nr. 740.", True),
        ("Jf. forskr. 5 juli 2002 nr. 740.", "Jf. forskrift 5. juli 2002 nr. 741.", False),
    ],
)
def test_forskr_is_forskrift(before: str, after: str, same: bool) -> None:
    assert (changed(page(before), page(after)) == []) is same


@pytest.mark.parametrize("question", ["Hjalp innholdet deg?", "Hjalp innhaldet dykk?"])
def test_a_feedback_widget_asking_if_the_content_helped_is_furniture(question: str) -> None:
    box = (
        "<aside class='feedback'><h3>{q}</h3><button>Ja</button><button>Nei</button>{thanks}"
        "</aside>"
    )
    body = "<main><h1>Mål for HbA1c</h1><h2>Referanser</h2><p>Kilde 1.</p>{box}</main>"
    before = body.format(box=box.format(q="Fant du det du lette etter?", thanks=""))
    after = body.format(box=box.format(q=question, thanks="<p>Takk for tilbakemeldingen!</p>"))
    assert changed(before, after) == []
    assert question not in text(after)


def test_a_section_that_asks_if_the_content_helped_is_read() -> None:
    """A heading that asks it over a section of text (no control to answer) is read."""
    body = (
        "<main><h1>Evaluering</h1><h2>Hjalp innholdet deg?</h2><p>Vi spurde 400 legar om "
        "rettleiaren hjelpte dei i arbeidet, og 312 svarte ja.</p></main>"
    )
    assert "312 svarte ja" in text(body)


def picker(langs: list[str], flags: bool = True) -> str:
    flag = "<img src='/img/flag.svg' alt='' width='16'> " if flags else ""
    links = "".join(
        f"<li><a href='/{code}/side/' lang='{code}' hreflang='{code}'>{flag}{name}</a></li>"
        for code, name in langs
    )
    return f"<nav class='language-picker' aria-label='Andre språk'><ul>{links}</ul></nav>"


LANGS = [("nb", "Norsk bokmål"), ("nn", "Norsk nynorsk"), ("en", "English"), ("pl", "Polski")]


@pytest.mark.parametrize("title", ["Vaksinar til barn", "Vaksiner til barn"])
def test_a_language_picker_with_flags_is_furniture(title: str) -> None:
    body = "<main>{}<h1>" + title + "</h1><h2>Når?</h2><p>Første dose ved 15 månader.</p></main>"
    before = body.format(picker(LANGS))
    after = body.format(picker([*LANGS, ("ti", "ትግርኛ"), ("so", "Soomaali")]))
    assert changed(before, after) == []
    assert changed(before, body.format(picker(LANGS, flags=False))) == []
    assert "Polski" not in text(before)


def test_a_link_with_a_flag_and_words_is_read() -> None:
    body = (
        "<main><h1>T</h1><ul><li><a href='/a'><img src='f.svg' alt=''> English lessons for "
        "refugees</a></li><li><a href='/b'><img src='i.svg' alt='Ikon'> Polski</a></li></ul></main>"
    )
    assert "English lessons for refugees" in text(body) and "Polski" in text(body)


@pytest.mark.parametrize(
    ("before", "after"),
    [("Les på bokmål", "Les på bokmål her"), ("Les på nynorsk", "Les denne sida på nynorsk")],
)
def test_a_link_to_the_page_in_another_language_is_furniture(before: str, after: str) -> None:
    link = "<p class='lang-switch'><a href='/nb/side/' hreflang='nb'>{}</a></p>"
    body = "<main><h1>Smittevern i barnehagen</h1>{}<p>Gode rutinar for handvask.</p></main>"
    assert changed(body.format(link.format(before)), body.format(link.format(after))) == []


def test_a_link_that_says_les_pa_without_a_language_is_read() -> None:
    body = "<main><h1>T</h1><p><a href='/x' hreflang='nb'>Les på helsenorge.no</a></p></main>"
    assert "Les på helsenorge.no" in text(body)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Translated by Semantix on 14.03.2026. The Norwegian version applies.",
         "Translated by Semantix on 03.12.2026. The Norwegian version applies."),
        ("Translated by Semantix AS, 2025. Ved tvil gjeld den norske teksten.",
         "Oversatt av Tolketjenesten i Trondheim kommune, 2026. Ved tvil gjelder den norske "
         "teksten."),
        ("Dokumentet er elektronisk godkjent og har difor ikkje handskrivne signaturar.",
         "Dokumentet er godkjent elektronisk."),
    ],
)  # fmt: skip
def test_a_translations_note_and_a_letters_approval_are_furniture(before: str, after: str) -> None:
    body = "<main><h1>T</h1><h2>Kvar?</h2><p>Ved helsestasjonen.</p><p>{}</p></main>"
    assert changed(body.format(before), body.format(after)) == []


def test_a_sentence_on_a_translation_is_read() -> None:
    said = "Oversatt av kommunen til polsk og ukrainsk, og delt ut på helsestasjonen."
    assert said in text(f"<main><h1>T</h1><p>{said}</p></main>")
