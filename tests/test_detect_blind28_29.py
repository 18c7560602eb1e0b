"""Blind rounds 28 and 29's rules, both ways, bokmål and nynorsk: furniture that follows the
clock or the visit (a "Neste oppdatering" line, a "Sist oppdatert" date beside a sentence, a
countdown, a loading placeholder asking the reader to wait, a box of today's opening hours, a
campaign banner or hero of links, a rotating box, an events calendar's teasers) is no content,
and lines rebuilt as a list say the same; the sentences, boxes and lists that carry content
in those words are read."""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds

TITLE = {"nb": "Luftveisinfeksjoner – ukerapport", "nn": "Situasjonsbilete for tenestene"}
BODY = {
    "nb": "<p>Influensaaktiviteten er lav, men økende. Det er meldt to utbrudd i sykehjem.</p>",
    "nn": "<p>Influensasesongen har starta i fylket. Fleire kommunar melder om utbrot.</p>",
}


def page(lang: str, top: str = "", lede: str = "", aside: str = "") -> PageContent:
    """A report with a lede and a section of findings (``aside`` after it), read as the
    sites lay it out."""
    return article(TITLE[lang], f"{lede}<h2>Hovudfunn</h2>{BODY[lang]}{aside}", top)


# ------------------------------------------------------------ dates that follow the calendar

NEXT_UPDATE = {
    "nb": ("Neste oppdatering: onsdag 3. desember 2026", "Neste oppdatering: torsdag 4. "
           "desember 2026 (forsinket på grunn av teknisk feil)"),
    "nn": ("Sist endra 24.11.2026 · Neste oppdatering 1. desember", "Sist endra 01.12.2026 · "
           "Neste oppdatering 8. desember"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_next_update_line_is_furniture(lang: str) -> None:
    old, new = NEXT_UPDATE[lang]
    assert kinds(page(lang, lede=f"<p>{old}</p>"), page(lang, lede=f"<p>{new}</p>")) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Neste oppdatering av vaksinen kommer i mars.", "Neste oppdatering av vaksinen kommer i mai."),
        ("Neste rapport kjem 8. desember, med tal for heile fylket.",
         "Neste rapport kjem 8. desember, med tal for kvar kommune."),
    ],
)  # fmt: skip
def test_a_sentence_about_the_next_update_is_read(old: str, new: str) -> None:
    assert kinds(page("nb", lede=f"<p>{old}</p>"), page("nb", lede=f"<p>{new}</p>")) == ["changed"]


SENTENCE_AND_DATE = {
    "nb": ("Tallene oppdateres hver mandag. Sist oppdatert: {}", "30.11.2026", "07.12.2026"),
    "nn": ("Sist endra {}. Tala er førebelse.", "24.11.2026", "01.12.2026"),
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_last_changed_date_beside_a_sentence_is_furniture(lang: str) -> None:
    form, old, new = SENTENCE_AND_DATE[lang]
    before = page(lang, lede=f"<p>{form.format(old)}</p>")
    assert kinds(before, page(lang, lede=f"<p>{form.format(new)}</p>")) == []


@pytest.mark.parametrize(
    "form",
    [
        "Forskriften ble sist endret {} og gjelder fra samme dag.",
        "Forskrifta vart sist endra {} og gjeld frå same dag.",
    ],
)
def test_a_last_changed_date_inside_a_sentence_is_read(form: str) -> None:
    before = page("nb", lede=f"<p>{form.format('1. desember 2026')}</p>")
    after = page("nb", lede=f"<p>{form.format('8. desember 2026')}</p>")
    assert kinds(before, after) == ["changed"]


COUNTDOWN = {
    "nb": ("46 dager igjen av høringsfristen", "39 dager igjen av høringsfristen"),
    "nn": ("12 dagar att til søknadsfristen", "5 dagar att til søknadsfristen"),
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_countdown_line_is_furniture(lang: str) -> None:
    old, new = COUNTDOWN[lang]
    box = "<div class='b-countdown'><span>{}</span></div>"
    assert kinds(page(lang, lede=box.format(old)), page(lang, lede=box.format(new))) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Du må vente 14 dager til ny test.", "Du må vente 7 dager til ny test."),
        ("Isolasjonen varer 5 dagar frå symptomstart.", "Isolasjonen varer 3 dagar frå symptomstart."),
    ],
)  # fmt: skip
def test_days_counted_in_a_sentence_are_read(old: str, new: str) -> None:
    assert kinds(page("nb", lede=f"<p>{old}</p>"), page("nb", lede=f"<p>{new}</p>")) == ["changed"]


@pytest.mark.parametrize(
    ("old", "new"),
    [("Laster kart …", "Laster inn kartet, vennligst vent …"),
     ("Lastar kart …", "Lastar inn kartet, vent litt …")],
)  # fmt: skip
def test_a_loading_placeholder_asking_to_wait_is_furniture(old: str, new: str) -> None:
    lede = "<div class='map'><p>{}</p></div>"
    assert kinds(page("nb", lede=lede.format(old)), page("nb", lede=lede.format(new))) == []


# --------------------------------------------------------------- boxes that follow the day

TODAY = {
    "nb": ("Åpningstider i dag", "I dag, fredag: åpent 08.00–14.00", "I dag, lørdag: stengt."),
    "nn": ("Opningstider i dag", "Legekontoret: 08.00–15.30. Forventa ventetid no: ca. 40 "
           "minutt", "Legekontoret: stengt (laurdag). Forventa ventetid no: ca. 1 time"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_box_of_todays_hours_is_furniture(lang: str) -> None:
    heading, old, new = TODAY[lang]
    box = f"<div class='today-box'><h2>{heading}</h2><p>{{}}</p></div>"
    assert kinds(page(lang, lede=box.format(old)), page(lang, lede=box.format(new))) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_section_headed_today_in_the_article_is_read(lang: str) -> None:
    heading, old, new = TODAY[lang]
    section = f"<h2>{heading}</h2><p>{{}}</p>"
    before, after = page(lang, aside=section.format(old)), page(lang, aside=section.format(new))
    assert kinds(before, after) == ["changed"]


def test_a_today_box_of_much_text_is_read() -> None:
    text = "Legevakta flytter til nye lokaler i Sjukehusvegen 5 fra mandag. " * 5
    box = "<div class='today-box'><h2>I dag</h2><p>{}</p></div>"
    before, after = page("nb", lede=box.format(text)), page("nb", lede=box.format(text + "Ny."))
    assert kinds(before, after) == ["changed"]


BANNERS = {
    "nb": (
        "<div class='hero-banner'><a href='/vaksine'><img src='a.jpg' alt=''>"
        "<span>Har du tatt influensavaksinen i år?</span></a></div>",
        "<div class='hero-banner'><a href='/hender'><img src='b.jpg' alt=''>"
        "<span>Vask hendene – stopp smitten</span></a></div>",
    ),
    "nn": (
        "<div class='b-banner' aria-live='polite'><a href='/a'>Slutta med snus? Få hjelp</a></div>",
        "<div class='b-banner' aria-live='polite'><a href='/b'>Ta vaksinen før jul</a></div>",
    ),
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_campaign_banner_of_links_is_furniture(lang: str) -> None:
    old, new = BANNERS[lang]
    assert kinds(page(lang, top=old), page(lang, top=new)) == []


@pytest.mark.parametrize(
    "banner",
    [
        "<div class='alert-banner' aria-live='polite'><p>{}</p></div>",
        "<div class='hero'><p>{} <a href='/meir'>Les meir</a></p></div>",
    ],
)
def test_a_banner_of_text_is_read(banner: str) -> None:
    old = banner.format("Viktig: Legevakta er stengd i dag. Ring 116 117.")
    new = banner.format("Viktig: Legevakta er open igjen frå klokka 15.")
    assert kinds(page("nn", top=old), page("nn", top=new)) == ["changed"]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_rotating_box_is_furniture(lang: str) -> None:
    box = "<div class='tips{}'{}><strong>Tips</strong> {} <a href='/app'>appen</a></div>"
    old = box.format(" rotator", "", "Visste du at du kan abonnere på nyheter?")
    new = box.format("", " data-rotate='true'", "Finn retningslinjene i")
    assert kinds(page(lang, top=box.format(" rotator", "", "Tips A")), page(lang, top=old)) == []
    assert kinds(page(lang, top=old), page(lang, top=new)) == []


EVENTS = {
    "nb": ("Kommende arrangementer", [("09.12.", "Beredskapsøvelse helse", "Bodø"),
                                      ("14.01.", "Fagdag legevakt", "Mo i Rana")],
           ("21.01.", "Smittevernkonferansen 2027", "Narvik")),
    "nn": ("Arrangement", [("09.12.", "Beredskapsøving helse", "Molde"),
                           ("14.01.", "Fagdag legevakt", "Ålesund")],
           ("21.01.", "Smittevernkonferansen 2027", "Kristiansund")),
}  # fmt: skip


def events(heading: str, items: list[tuple[str, str, str]]) -> str:
    lis = "".join(
        f"<li><span class='date'>{d}</span> <a href='/arr/{i}'>{t}</a> <span>{p}</span></li>"
        for i, (d, t, p) in enumerate(items)
    )
    return f"<section class='events'><h2>{heading}</h2><ul>{lis}</ul><a href='/arr'>Sjå alle</a></section>"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_events_calendar_of_teasers_is_furniture(lang: str) -> None:
    heading, items, later = EVENTS[lang]
    before = page(lang, aside=events(heading, items))
    after = page(lang, aside=events(heading, [*items[1:], later]))
    assert kinds(before, after) == []


def test_a_section_about_an_event_is_read() -> None:
    text = "<h2>Arrangement</h2><p>Fagdagen om smittevern i sjukeheimar vert halden {}.</p>"
    before = page("nn", aside=text.format("14. januar i Ålesund"))
    after = page("nn", aside=text.format("21. januar i Molde"))
    assert kinds(before, after) == ["changed"]


# ------------------------------------------------------------------ lines rebuilt as a list

LINES = {
    "nb": [
        "Sogndal interkommunale legevakt",
        "Telefon: 116 117",
        "Åpningstid: hverdager 15.30–08.00",
    ],
    "nn": [
        "Sogndal interkommunale legevakt",
        "Telefon: 116 117",
        "Opningstid: kvardagar 15.30–08.00",
    ],
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_lines_rebuilt_as_a_list_say_the_same(lang: str) -> None:
    first, *rest = LINES[lang]
    lines = "<p>" + "<br>".join(LINES[lang]) + "</p>"
    listed = f"<p>{first}</p><ul>" + "".join(f"<li>{r}</li>" for r in rest) + "</ul>"
    assert kinds(page(lang, aside=lines), page(lang, aside=listed)) == []
    assert kinds(page(lang, aside=listed), page(lang, aside=lines)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_list_rebuilt_with_a_line_changed_is_read(lang: str) -> None:
    first, *rest = LINES[lang]
    lines = "<p>" + "<br>".join(LINES[lang]) + "</p>"
    rest[0] = "Telefon: 70 05 86 50"
    listed = f"<p>{first}</p><ul>" + "".join(f"<li>{r}</li>" for r in rest) + "</ul>"
    assert kinds(page(lang, aside=lines), page(lang, aside=listed)) == ["changed"]
