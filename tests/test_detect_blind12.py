"""The twelfth outside check's cases met after the round (tests/fixtures/detect_open/OPEN.md):
a box of recommended or related pages ("Anbefalt for deg", "Les også") as furniture, a
reading time and a relative time in a byline as noise, the labels of text-size, contrast and
cookie-notice buttons as controls, a cookie notice that names the site by its domain, and a
consent wall in new wording as a source problem. Each rule with a guard that a real change
beside it, or content of a similar form, is still read."""

from __future__ import annotations

import pytest

from feeds.errors import SourceProblem
from feeds.read.html import extract_page
from tests.support.pages import changed, page, text

ARTICLE = "<main><h1>Kikhoste</h1><p>Gravide tilbys vaksine i andre trimester.</p>{}</main>"


def _links(*titles: str) -> str:
    return "<ul>" + "".join(f'<li><a href="/{t[:3]}">{t}</a></li>' for t in titles) + "</ul>"


# ----------------------------------------------------------------------------- recommended boxes


@pytest.mark.parametrize(
    "box",
    [
        "<div><h2>Anbefalt for deg</h2>{}</div>",
        "<div class='box'><h2>Tilrådd for deg</h2>{}</div>",
        "<section><h2>Relatert innhold</h2>{}</section>",
        "<aside><h3>Relatert innhald</h3>{}</aside>",
        "<div><h2>Les også</h2>{}</div>",
        "<div><h2>Les òg</h2>{}</div>",
        "<div><h2>Andre leste også</h2>{}</div>",
        "<div class='recommended-content'>{}</div>",
    ],
)
def test_a_box_of_recommended_pages_is_furniture(box: str) -> None:
    before = ARTICLE.format(box.format(_links("Influensa", "RS-virus", "Meslinger")))
    after = ARTICLE.format(box.format(_links("Vannkopper", "Reisevaksiner")))
    assert changed(before, after) == []
    assert "Influensa" not in text(before)


def test_a_real_change_beside_the_box_and_boxes_of_text_are_read() -> None:
    box = "<div class='recommended-content'><h2>Anbefalt for deg</h2>{}</div>"
    before = ARTICLE.format(box.format(_links("Influensa")))
    after = ARTICLE.format(box.format(_links("Meslinger"))).replace("andre", "tredje")
    assert changed(before, after) == [("changed", ("Kikhoste",))]
    # under such a heading, or of such a class, a box of text is content
    prose = "<p>Vi anbefaler {} vaksine til alle gravide.</p>" + _links("Les mer")
    for shell in (
        "<div><h2>Anbefalt for deg</h2>{}</div>",
        "<div><h2>Tilrådd for deg</h2>{}</div>",
        "<div class='recommended-content'>{}</div>",
    ):
        assert (
            changed(
                ARTICLE.format(shell.format(prose.format("kikhoste"))),
                ARTICLE.format(shell.format(prose.format("influensa"))),
            )
            != []
        )
    # a plain "Anbefalt" or "Anbefalinger" heading over links is the article's
    for heading in ("Anbefalt", "Anbefalinger"):
        section = f"<div><h2>{heading}</h2>{{}}</div>"
        assert "Influensa" in text(ARTICLE.format(section.format(_links("Influensa"))))
    # a guideline's recommendation box (class "recommendation") is content
    assert "Influensa" in text(
        ARTICLE.format(f"<div class='recommendation'>{_links('Influensa')}</div>")
    )


# ----------------------------------------------------------------------------- reading time


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Lesetid: 4 min", "Lesetid: 5 min"),
        ("Lesetid 4 minutter", "Lesetid 6 minutter"),
        ("Lesetid: 4 minutt", "Lesetid: 3 minutt"),
        ("4 min lesetid", "5 min lesetid"),
        ("Lesetid: ca. 4 min", "Lesetid: ca. 5 min"),
    ],
)
def test_a_reading_time_is_noise(before: str, after: str) -> None:
    assert "esetid" not in text(ARTICLE.format(f"<p>{after}</p>"))
    assert changed(ARTICLE.format(f"<p>{before}</p>"), ARTICLE.format(f"<p>{after}</p>")) == []


def test_a_real_change_beside_a_reading_time_and_sentences_about_it_are_read() -> None:
    before = ARTICLE.format("<p class='reading-time'>Lesetid: 4 min</p>")
    after = before.replace("4 min", "5 min").replace("andre", "tredje")
    assert changed(before, after) == [("changed", ("Kikhoste",))]
    for sentence in (
        "Lesetida er om lag 4 minutt.",
        "Rekn med 4 min lesetid for kvar side i skjemaet.",
        "Lesetid: 4 min for pasientar, 2 min for helsepersonell",
    ):
        assert sentence in text(ARTICLE.format(f"<p>{sentence}</p>"))


# ----------------------------------------------------------------------------- text-size controls


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            '<div class="font-size-controls"><button>A</button><button>A+</button></div>',
            '<div class="font-size-controls"><button>A</button><button>A+</button>'
            "<button>A++</button><button>Kontrast</button></div>",
        ),
        (
            '<div role="toolbar"><span role="button">A</span></div>',
            '<div role="toolbar"><span role="button">A</span><span role="button">Kontrast'
            "</span></div>",
        ),
        ("<p>Tekst</p>", "<p>Tekst <button>A+</button> <button>A-</button></p>"),
        ("", "<div><button>Tekststørrelse</button><button>Høy kontrast</button></div>"),
        ("", '<div class="tools"><button>Tekststorleik</button><button>A++</button></div>'),
        ("", '<div><span role="button">Endre tekststørrelse</span></div>'),
    ],
)
def test_text_size_and_contrast_controls_are_no_content(before: str, after: str) -> None:
    assert changed(ARTICLE.format(before), ARTICLE.format(after)) == []


def test_links_and_text_in_a_toolbar_and_other_buttons_are_read() -> None:
    toolbar = '<div class="text-size-toolbar"><button>A+</button>{}</div>'
    before = ARTICLE.format(toolbar.format('<a href="/kontrast">Kontrastvaksine</a>'))
    after = ARTICLE.format(toolbar.format('<a href="/kontrast">Kontrastmiddel</a>'))
    assert changed(before, after) == [("changed", ("Kikhoste",))]
    assert "Bruk høy kontrast" in text(ARTICLE.format(toolbar.format("<p>Bruk høy kontrast</p>")))
    # outside a toolbar a button "A" or "Kontrast" is read; so is an accordion's heading
    assert "Kontrast" in text(ARTICLE.format("<div><button>Kontrast</button></div>"))
    accordion = '<div class="toolbar"><button><h3>Kontrast</h3></button><p>Gis i åre.</p></div>'
    assert ("Kikhoste", "Kontrast") in [s.path for s in page(ARTICLE.format(accordion)).sections]
    # a button of the reader's tools with a long label is content
    long = "Kontrast: vis tabellen med høy kontrast og store tal"
    assert long in text(ARTICLE.format(f'<div class="toolbar"><button>{long}</button></div>'))


# ----------------------------------------------------------------------------- relative times

NEWS = "<main><h1>Norovirus</h1>{}<p>Besøk er avgrensa til éin per bebuar.</p></main>"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Kommuneoverlegen · for 3 timar sidan", "Kommuneoverlegen · for 5 timar sidan"),
        ("Kari Nordmann, kommuneoverlege | for 2 timer siden", "Kari Nordmann, kommuneoverlege "
         "| for 3 timer siden"),
        ("Smittevern – for 5 minutt sidan", "Smittevern – i går"),
        ("for 2 timer siden", "for 4 timer siden"),
        ("3 dagar sidan", "4 dagar sidan"),
        ("i går", "for 2 dagar sidan"),
    ],
)  # fmt: skip
def test_a_relative_time_in_a_byline_or_alone_is_noise(before: str, after: str) -> None:
    assert "sidan" not in text(NEWS.format(f"<p>{after}</p>"))
    assert "siden" not in text(NEWS.format(f"<p>{after}</p>"))
    assert changed(NEWS.format(f"<p>{before}</p>"), NEWS.format(f"<p>{after}</p>")) == []


def test_the_byline_and_sentences_telling_how_long_ago_are_read() -> None:
    assert "Kommuneoverlegen" in text(NEWS.format("<p>Kommuneoverlegen · for 3 timar sidan</p>"))
    before = NEWS.format("<p>Kommuneoverlegen · for 3 timar sidan</p>")
    after = NEWS.format("<p>Smittevernlegen · for 5 timar sidan</p>")
    assert changed(before, after) == [("changed", ("Norovirus",))]
    for sentence in (
        "Vaksinen vart gitt for 3 dagar sidan.",
        "Utbrotet starta for 2 timer siden · 14 er sjuke",
        "Smitta vart påvist i går. Alle bebuarar er testa · sjå under",
    ):
        assert sentence in text(NEWS.format(f"<p>{sentence}</p>"))


# ----------------------------------------------------------------------------- consent walls


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Før du fortsetter",
            "<h1>Før du fortsetter</h1><p>Vi og våre partnere trenger ditt samtykke til bruk av "
            "informasjonskapsler og persondata for å vise deg innholdet.</p>"
            "<button>Godta alle</button><button>Avvis alle</button>",
        ),
        (
            "Testing for covid-19",
            "<h1>Før du held fram</h1><p>Vi treng samtykket ditt til å bruke "
            "informasjonskapslar.</p><button>Godta alle</button><button>Avvis alle</button>",
        ),
        (
            "Vi trenger ditt samtykke",
            "<h2>Personvern</h2><p>Nettstedet trenger ditt samtykke før vi bruker cookies til "
            "analyse.</p><a href='/valg'>Administrer valg</a>",
        ),
    ],
)
def test_a_consent_wall_is_a_source_problem(title: str, body: str) -> None:
    html = f"<html><head><title>{title}</title></head><body><main>{body}</main></body></html>"
    with pytest.raises(SourceProblem, match="consent wall"):
        extract_page(html.encode(), selector="main")


def test_an_article_about_consent_is_content() -> None:
    # consent asked for in the text, under a heading of the article's own
    article = (
        "<main><h1>Samtykke</h1><p>Helsepersonell trenger ditt samtykke før de deler "
        "personopplysninger om deg med andre.</p></main>"
    )
    assert "samtykke" in text(article)
    # a page about the site's cookies
    cookies = (
        "<main><h1>Informasjonskapsler</h1><p>Vi trenger ditt samtykke til å bruke "
        "informasjonskapsler til analyse.</p></main>"
    )
    assert "analyse" in text(cookies)
    # a wall's heading over text that asks for nothing
    steps = "<main><h1>Før du fortsetter</h1><p>Ha legitimasjon klar.</p></main>"
    assert "legitimasjon" in text(steps)
    # a long article under such a heading
    long = "".join(
        f"<p>Punkt {i}: vi trenger ditt samtykke til å lagre personopplysninger i journalen.</p>"
        for i in range(30)
    )
    assert "journalen" in text(f"<main><h1>Før du fortsetter</h1>{long}</main>")


# ----------------------------------------------------------------------------- cookie notices

SITE = "<main><h1>Vaksinasjon</h1>{}<p>Programmet gjelder hele landet.</p></main>"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "<p>Vi bruker informasjonskapsler for å forbedre nettstedet.</p>",
            "<p>Regjeringen.no bruker informasjonskapsler (cookies) til analyse og for at "
            "nettstedet skal fungere. Du kan endre valget ditt når som helst.</p>",
        ),
        (
            "<p>Helsenorge.no bruker informasjonskapsler.</p>",
            "<p>Helsenorge.no bruker informasjonskapsler på helsenorge.no og fhi.no til "
            "statistikk.</p>",
        ),
        (
            "<p>Vi bruker informasjonskapsler.</p><button>Godta alle</button>",
            "<p>Fhi.no nyttar informasjonskapslar.</p><button>Godta alle</button>"
            "<button>Berre naudsynte</button>",
        ),
        ("<div><button>Godta alle</button></div>", "<div><button>Bare nødvendige</button></div>"),
    ],
)
def test_a_cookie_notice_naming_the_site_by_its_domain_is_noise(before: str, after: str) -> None:
    assert changed(SITE.format(before), SITE.format(after)) == []
    assert text(SITE.format(after)) == "Programmet gjelder hele landet."


def test_sentences_beside_a_cookie_notice_and_such_words_as_text_are_read() -> None:
    notice = "<p>Les mer på fhi.no. Regjeringen.no bruker informasjonskapsler.</p>"
    assert "Les mer på fhi.no." in text(SITE.format(notice))
    before = SITE.format(notice)
    after = before.replace("hele landet", "Viken")
    assert changed(before, after) == [("changed", ("Vaksinasjon",))]
    for line in ("Berre naudsynte reiser er tillatne.", "Bare nødvendige besøk", "Godta alle"):
        assert line in text(SITE.format(f"<p>{line}</p>"))
