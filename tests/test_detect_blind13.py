"""The thirteenth outside check's cases met after the round (tests/fixtures/detect_open/OPEN.md):
a footnote mark read as the note it points to (marks renumbered together stay quiet, one
re-pointed to another note is a change), a notice that the page moved as a source problem
with or without a refresh, a site search's results served at the address as a source
problem, review-date labels ("Fagleg gjennomgått") as noise (their dates, as those of "Sist
sjekket", no change signal), and a link that names a form read with the form it points to.
Each rule with a guard that content of a similar form is still read."""

from __future__ import annotations

import pytest

from feeds.errors import SourceProblem
from feeds.read.html import extract_page, form_name
from tests.support.pages import changed, page, text

# ----------------------------------------------------------------------------- footnote marks

NOTES = {
    "fn1": "Kan vurderes etter samråd med behandlende spesialist.",
    "fn2": "Kun ved CD4-tall over 200 celler/µl.",
    "fn3": "Gjelder bare etter avsluttet immunsuppressiv behandling.",
}


def _table(marks: dict[str, str], notes: dict[str, str]) -> str:
    """A table whose cells carry footnote marks (row -> note id) and the notes in order."""
    rows = "".join(
        f'<tr><td>{row}</td><td>Ja<sup><a href="#{note}">{list(notes).index(note) + 1}</a>'
        "</sup></td></tr>"
        for row, note in marks.items()
    )
    listed = "".join(f'<li id="{i}">{t}</li>' for i, t in notes.items())
    return (
        "<main><h1>Levende vaksiner</h1><h2>Oversikt</h2><table><tr><th>Vaksine</th>"
        f"<th>Immunsvekkede</th></tr>{rows}</table><h2>Noter</h2><ol>{listed}</ol></main>"
    )


def test_footnote_marks_renumbered_together_are_no_change() -> None:
    marks = {"MMR": "fn1", "Varicella": "fn2"}
    before = _table(marks, {k: NOTES[k] for k in ("fn1", "fn2")})
    # a note put in first: every mark moves one up, and points to the same text
    after = _table(marks, {"fn0": "Ny merknad om gravide.", **{k: NOTES[k] for k in NOTES}})
    assert changed(before, after) == [("changed", ("Levende vaksiner", "Noter"))]
    # marks as letters, the notes the same: no change at all
    lettered = before.replace('href="#fn1">1', 'href="#fn-a">a').replace('id="fn1"', 'id="fn-a"')
    assert changed(before, lettered) == []
    # a mark whose note is not on the page is dropped as before: its number is no content
    lost = "<main><h1>A</h1><p>Verdien er 5,3<sup><a href='#x9'>9</a></sup>.</p></main>"
    assert text(lost) == "Verdien er 5,3."
    assert changed(lost, lost.replace(">9<", ">4<")) == []


def test_a_footnote_mark_repointed_to_another_note_is_a_change() -> None:
    before = _table({"MMR": "fn1", "Varicella": "fn2"}, NOTES)
    after = _table({"MMR": "fn1", "Varicella": "fn3"}, NOTES)
    assert changed(before, after) == [("changed", ("Levende vaksiner", "Oversikt"))]
    assert "Ja [fotnote: Gjelder bare etter avsluttet immunsuppressiv behandling.]" in text(after)
    # a long note is read by its first words
    assert "[fotnote: Kan vurderes etter samråd med behandlende …]" in text(after)
    # an empty anchor in the note, and an old-style <a name>, point to the note around them
    for anchor in ('<a id="n1"></a>', '<a name="n1"></a>'):
        body = (
            "<main><h1>A</h1><p>Ja<sup><a href='#n1'>1</a></sup></p>"
            f"<ol><li>{anchor}Gjeld ikkje gravide.</li></ol></main>"
        )
        assert "Ja [fotnote: Gjeld ikkje gravide.]" in text(body)


# ----------------------------------------------------------------------------- moved notices


@pytest.mark.parametrize(
    "body",
    [
        "<h1>Denne siden har fått ny adresse</h1><p>Innholdet finner du nå på <a "
        "href='https://www.helsedirektoratet.no/veiledere/x'>helsedirektoratet.no/veiledere/x"
        "</a>.</p><p>Husk å oppdatere bokmerkene dine.</p>",
        "<h1>Ny adresse</h1><p>Sida er flytta.</p><p>Oppdater bokmerka dine.</p>",
        "<p>Veilederen har fått ny adresse: <a href='/ny'>Gå til veilederen</a></p>",
        "<h1>Rettleiinga har fått ny adresse</h1><p>Du blir send vidare.</p>",
        "<h2>Siden er flyttet</h2><p><a href='/ny-side'>www.fhi.no/ny-side</a></p>",
    ],
)
def test_a_notice_that_the_page_moved_is_a_source_problem(body: str) -> None:
    html = f"<html><head><title>Ny adresse</title></head><body><main>{body}</main></body></html>"
    with pytest.raises(SourceProblem):
        extract_page(html.encode(), selector="main")


def test_an_article_about_a_new_address_is_read() -> None:
    for body in (
        "<h1>Legevakta har fått ny adresse</h1><p>Frå 1. mars held legevakta til i Storgata "
        "5. Opningstidene er som før, og telefonnummeret er det same.</p>",
        "<h1>Flytting</h1><p>Helsestasjonen har fått ny adresse: Storgata 5. Husk å ta med "
        "helsekortet til barnet ved neste konsultasjon.</p>",
        "<h1>Ny adresse</h1><p>Legekontoret held til i Storgata 5 frå 1. mars.</p>",
        "<h1>Smittevern</h1><p>Rundskrivet har fått ny adresse på regjeringen.no. Kommunane "
        "skal vurdere tiltak etter smittevernloven § 4-1 når smittetrykket aukar, og "
        "kommuneoverlegen gir råd om kva tiltak som trengst.</p>",
    ):
        read = text(f"<main>{body}</main>")
        assert "Storgata" in read or "kommuneoverlegen" in read


# ----------------------------------------------------------------------------- search results


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Søk - regjeringen.no",
            "<h1>Søk</h1><p>Viser 1–10 av 1 245 treff for «smittevern»</p><ol><li><a "
            "href='/a'>Smittevernloven</a><p>Høring …</p></li></ol>",
        ),
        ("Søkeresultater", "<h1>Søkeresultater</h1><p>1 245 treff</p><ul><li>A</li></ul>"),
        ("Helsedirektoratet", "<h1>Søkjeresultat</h1><p>Ingen treff på «kikhoste».</p>"),
        ("Søk", "<h1>Resultat for «smittevern»</h1><p>12 treff</p>"),
        ("Søk etter smittevern", "<h2>Treff</h2><p>Viser 1-20 av 312 treff</p>"),
    ],
)
def test_a_site_search_results_page_is_a_source_problem(title: str, body: str) -> None:
    html = f"<html><head><title>{title}</title></head><body><main>{body}</main></body></html>"
    with pytest.raises(SourceProblem, match="search results"):
        extract_page(html.encode(), selector="main")


def test_a_search_results_page_is_known_at_any_length() -> None:
    hits = "".join(
        f"<li><a href='/{i}'>Treff {i}</a><p>{'Smittevern. ' * 30}</p></li>" for i in range(10)
    )
    html = f"<main><h1>Søk</h1><p>Viser 1–10 av 1 245 treff</p><ol>{hits}</ol></main>"
    with pytest.raises(SourceProblem, match="search results"):
        page(html)


def test_links_to_search_and_hits_in_prose_are_read() -> None:
    body = (
        "<main><h1>Smittevern</h1><p><a href='/sok'>Søk</a> i regelverket.</p>"
        "<p>Eit søk i registeret gav 12 treff på kikhoste i veke 48.</p></main>"
    )
    assert "12 treff" in text(body)
    # a page headed "Søk" without a hit count (a page about the site's search)
    assert "Bruk søket" in text("<main><h1>Søk</h1><p>Bruk søket øvst på sida.</p></main>")
    # a heading that starts with "Søk" and names more, over a count in prose
    grants = "<main><h1>Søk om tilskudd</h1><p>Ordningen ga 12 treff i fjor.</p></main>"
    assert "12 treff" in text(grants)


# ----------------------------------------------------------------------------- review dates

GUIDE = "<main><h1>Vaksinasjon av helsepersonell</h1>{}<p>Alle bør ha MMR.</p></main>"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Fagleg gjennomgått 15. mai 2026", "Fagleg gjennomgått 4. desember 2026"),
        ("Faglig gjennomgått: 01.02.2026", "Faglig gjennomgått: 03.11.2026"),
        ("Gjennomgått 3. mars 2026", "Gjennomgått 9. oktober 2026"),
        ("Sist gjennomgått 12.10.2026", "Sist gjennomgått 01.12.2026"),
    ],
)
def test_a_review_date_is_noise_and_no_change_signal(before: str, after: str) -> None:
    assert changed(GUIDE.format(f"<p>{before}</p>"), GUIDE.format(f"<p>{after}</p>")) == []
    assert text(GUIDE.format(f"<p>{after}</p>")) == "Alle bør ha MMR."
    # as "Sist sjekket": the text vouched for anew, not changed (``signal_dates``)
    assert page(GUIDE.format(f"<p>{after}</p>")).updated is None
    assert page(GUIDE.format("<p>Sist sjekket 01.12.2026</p>")).updated is None


def test_a_sentence_about_a_review_is_read() -> None:
    for line in (
        "Rutinen er gjennomgått av smittevernlegen 3. mars 2026.",
        "Gjennomgått av fagrådet: tilrådinga står ved lag.",
    ):
        assert line in text(GUIDE.format(f"<p>{line}</p>"))
    before = GUIDE.format("<p>Fagleg gjennomgått 15. mai 2026</p>")
    after = before.replace("15. mai", "4. desember").replace("MMR", "MMR og kikhoste")
    assert changed(before, after) == [("changed", ("Vaksinasjon av helsepersonell",))]


# ----------------------------------------------------------------------------- form links

ROUTINE = "<main><h1>Varsling av utbrot</h1><p>Send {} så snart som mogleg.</p></main>"


def _link(href: str, words: str = "meldeskjemaet") -> str:
    return ROUTINE.format(f'<a href="{href}">{words}</a>')


def test_a_link_naming_a_form_repointed_to_another_form_is_a_change() -> None:
    before = _link("https://www.fhi.no/skjema/vesuv-varsling-av-utbrot/")
    after = _link("https://www.fhi.no/skjema/msis-melding-om-smittsam-sjukdom/")
    assert changed(before, after) == [("changed", ("Varsling av utbrot",))]
    assert "meldeskjemaet (msis-melding-om-smittsam-sjukdom)" in text(after)
    for words in ("søknadsskjema", "skjemaet", "Skjema for melding", "meldeskjema", "e-skjema"):
        assert changed(_link("/skjema/a-12", words), _link("/skjema/b-13", words)) != []
    # a form named by its id
    assert changed(_link("/skjema/?id=1204"), _link("/skjema/?id=1377")) != []
    assert form_name("https://x.no/skjema/?id=1204") == "1204"
    assert form_name("https://x.no/skjema/index.html?skjemaid=77") == "77"


def test_the_same_form_at_a_new_folder_and_other_links_are_no_change() -> None:
    before = _link("https://www.fhi.no/skjema/vesuv-varsling-av-utbrot/")
    after = _link("https://www.fhi.no/nyheter/skjemaer/smitte/vesuv-varsling-av-utbrot")
    assert changed(before, after) == []
    # a hash-like token in the form's address only makes it unique
    assert changed(_link("/s/melding-3f9a2b7c1d"), _link("/s/melding-8e1b0c4d2f")) == []
    # a link that names no form is read by its text only
    assert changed(_link("/smitte/a", "rettleiaren"), _link("/smitte/b", "rettleiaren")) == []
    assert text(_link("/smitte/a", "rettleiaren")) == "Send rettleiaren så snart som mogleg."
    # a link whose text names the form already, or in a heading, is read as it stands
    named = _link("/skjema/msis-melding", "MSIS-melding")
    assert text(named) == "Send MSIS-melding så snart som mogleg."
    heading = "<main><h1>A</h1><h2><a href='/skjema/vesuv'>Meldeskjema</a></h2><p>B</p></main>"
    assert [s.path for s in page(heading).sections][-1] == ("A", "Meldeskjema")
    # a link to a document keeps its file name
    assert "(meldeskjema-v2.pdf)" in text(_link("/filer/meldeskjema-v2.pdf", "skjemaet"))
