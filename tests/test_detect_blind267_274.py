"""Blind rounds 267-278's rules, both ways, bokmål and nynorsk:

- a fact box in a column beside the article (an <aside> named "factbox" or headed "Fakta …")
  is read on a page watched without a selector; another aside there is not (268);
- a back-to-top link with an arrow ("Tilbake til toppen ↑") is navigation (268);
- a name and its other name swapped around their brackets in a heading is no change (271);
- a feedback widget's counts ("Ja (412) Nei (37)") are furniture (272);
- a table's column of the days its rows were last checked ("Sist kontrollert") is furniture,
  a change log's "Sist endra" per row is not (273);
- a page's date labels left without their dates ("Publisert Sist oppdatert
  Helsedirektoratet") are no content: such a shell is empty (274);
- a count of views by its label ("Visningar siste veke: 1 204") and a listing's "Vis flere
  (308 gjenstår)" are furniture (277, 278).
"""

from __future__ import annotations

import pytest

from tests.support.pages import article, changed


def grant(box: str) -> str:
    return (
        "<html><body><header><nav><a href='/'>Statsforvaltaren</a></nav></header><main>"
        "<div class='col'><article><h1>Skjønnsmidlar 2027</h1><p>Kommunane kan søkje om "
        f"skjønnsmidlar til folkehelse.</p></article></div><div class='right'>{box}</div>"
        "</main><footer><p>Statsforvaltaren</p></footer></body></html>"
    )


def read(html: str) -> str:
    from feeds.read.html import extract_page

    return "\n".join(s.text for s in extract_page(html.encode(), selector=None).sections)


@pytest.mark.parametrize(
    "box",
    [
        "<aside class='factbox'><h2>Fakta om ordninga</h2><ul><li>Søknadsfrist: {}</li></ul></aside>",
        "<aside><h2>Fakta om ordningen</h2><p>Søknadsfrist: {}</p></aside>",
    ],
)
def test_a_fact_box_beside_the_article_is_read(box: str) -> None:
    before, after = grant(box.format("1. mars 2027")), grant(box.format("15. februar 2027"))
    assert "1. mars 2027" in read(before) and read(before) != read(after)


def test_another_aside_beside_the_article_is_not_read() -> None:
    box = "<aside><h2>Kontakt</h2><p>Ring sentralbordet på {}.</p></aside>"
    assert read(grant(box.format("55 57 20 00"))) == read(grant(box.format("55 57 20 01")))
    links = (
        "<aside class='factbox'><h2>Fakta</h2><ul><li><a href='/a'>{}</a></li>"
        "<li><a href='/b'>Rettleiar for søknaden</a></li><li><a href='/c'>Tidlegare tildelingar"
        "</a></li></ul></aside>"
    )  # a box of links named so: furniture as any box of links
    assert read(grant(links.format("Søknadsportalen"))) == read(grant(links.format("Skjema")))


@pytest.mark.parametrize("link", ["Tilbake til toppen ↑", "↑ Til toppen", "Gå til toppen ▲"])
def test_a_back_to_top_link_with_an_arrow_is_navigation(link: str) -> None:
    def page(top: str) -> str:
        return f"<main><h1>Søknad</h1><h2>Kven kan søkje?</h2><p>Alle kommunar.</p>{top}</main>"

    assert (
        changed(
            page("<p><a href='#top'>Til toppen</a></p>"), page(f"<p><a href='#top'>{link}</a></p>")
        )
        == []
    )
    assert article("Søknad", f"<p>Alle kommunar.</p><p><a href='#top'>{link}</a></p>").sections


# --- rounds 271-274 ------------------------------------------------------------------------


def test_a_name_and_its_other_name_swapped_in_a_heading_is_no_change() -> None:
    text = "<p>Barnet bør vere heime til såra er tørka inn.</p>"
    before = f"<main><h1>Sjukdom hos barn</h1><h2>Brennkoppar (impetigo)</h2>{text}</main>"
    after = f"<main><h1>Sjukdom hos barn</h1><h2>Impetigo (brennkoppar)</h2>{text}</main>"
    assert changed(before, after) == []
    other = f"<main><h1>Sjukdom hos barn</h1><h2>Impetigo (skabb)</h2>{text}</main>"
    assert changed(before, other) != []


def votes(yes: int, no: int, advice: str = "Sår arm er vanleg.") -> str:
    return (
        f"<main><h1>Gulfebervaksine</h1><h2>Biverknader</h2><p>{advice}</p>"
        f"<p>Var denne sida nyttig?</p><p>Ja ({yes}) Nei ({no})</p></main>"
    )


def test_a_feedback_widgets_counts_are_furniture() -> None:
    assert changed(votes(412, 37), votes(431, 38)) == []
    assert changed(votes(412, 37), votes(431, 38, "Feber er vanleg.")) != []


def shortages(checked: str, back: str = "Uke 3 2027", header: str = "Sist kontrollert") -> str:
    return (
        "<main><h1>Legemiddelmangel</h1><h2>Aktuelle mangler</h2><table><tr><th>Legemiddel</th>"
        f"<th>Forventet tilbake</th><th>{header}</th></tr><tr><td>Kåvepenin</td><td>{back}</td>"
        f"<td>{checked}</td></tr><tr><td>Ozempic</td><td>Uke 9 2027</td><td>{checked}</td></tr>"
        "</table></main>"
    )


def test_a_column_of_check_dates_is_furniture_a_change_logs_dates_are_not() -> None:
    assert changed(shortages("30.11.2026"), shortages("07.12.2026")) == []
    assert changed(shortages("30.11.2026"), shortages("07.12.2026", "Uke 7 2027")) != []
    log = "Sist endra"  # a change log's date per row is what it tells
    assert changed(shortages("30.11.2026", header=log), shortages("07.12.2026", header=log)) != []


@pytest.mark.parametrize(
    "labels", ["Publisert Sist oppdatert Helsedirektoratet", "Publisert: Sist endra:"]
)
def test_date_labels_left_without_dates_are_no_content(labels: str) -> None:
    from feeds.errors import SourceProblem
    from feeds.read.html import extract_page

    shell = f"<html><body><main><article><div class='meta'>{labels}</div></article></main></body></html>"
    with pytest.raises(SourceProblem):
        extract_page(shell.encode(), selector="main")
    dated = "<main><h1>Hygiene</h1><p>Publisert 12.03.2026 Sist oppdatert 14.03.2026</p><p>Vask hendene.</p></main>"
    assert "Vask hendene." in read(f"<html><body>{dated}</body></html>")


# --- rounds 275-278 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Visningar siste veke: 1 204", "Visningar siste veke: 1 377"),
        ("Visninger: 980", "Visninger: 2 511"),
        ("Vis flere nyheter", "Vis flere (308 gjenstår)"),
        ("Vis fleire", "Vis fleire (12)"),
    ],
)
def test_a_view_count_by_its_label_and_a_show_more_button_are_furniture(
    before: str, after: str
) -> None:
    def page(line: str, rule: str = "Nærkontakt: over 15 minutter.") -> str:
        return f"<main><h1>Smittesporing</h1><h2>Hvem er nærkontakt?</h2><p>{rule}</p><p>{line}</p></main>"

    assert changed(page(before), page(after)) == []
    assert changed(page(before), page(after, "Nærkontakt: over 10 minutter.")) != []
