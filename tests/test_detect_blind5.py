"""The fifth outside check's open cases (tests/fixtures/detect_open/OPEN.md): stock server error
pages, Latin ligatures, copyright lines, a post's counters, popularity boxes, carousels and
chat widgets; each rule with a guard that a real change beside it is still read."""

from __future__ import annotations

import pytest

from feeds.detect.diff import diff_pages
from feeds.errors import SourceProblem
from feeds.read.html import extract_page
from feeds.read.normalize import clean_lines, clean_text, strip_noise
from feeds.types import PageContent


def page(body: str, selector: str | None = "main") -> PageContent:
    html = f"<html><head><title>Side</title></head><body>{body}</body></html>"
    return extract_page(html.encode(), selector=selector)


def texts(body: str, selector: str | None = "main") -> list[tuple[tuple[str, ...], str]]:
    return [(s.path, s.text) for s in page(body, selector).sections]


def changed(before: str, after: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.kind, c.path) for c in diff_pages(page(before), page(after))]


ARTICLE = (
    "<main><article><h1>Smittevernplan</h1><p>Kommunen skal ha en oppdatert plan.</p>"
    "<h2>Beredskap</h2><p>Lager av smittevernutstyr for minst tre måneder.</p>{}</article>"
    "{}</main>"
)


# ----------------------------------------------------------------------------- server errors

STOCK_ERRORS = {
    "aspnet": "<span><h1>Server Error in '/Helse' Application.<hr></h1><h2><i>Runtime Error"
    "</i></h2></span><b>Description:</b> An application error occurred on the server.",
    "iis": "<div id='header'><h1>Server Error</h1></div><div id='content'><h2>HTTP Error"
    " 500.19 - Internal Server Error</h2><h3>The requested page cannot be accessed.</h3><p>Most likely causes: the"
    " configuration data for the page is invalid.</p></div>",
    "nginx": "<center><h1>502 Bad Gateway</h1></center><hr><center>nginx/1.24.0</center>",
    "nginx-timeout": "<center><h1>504 Gateway Time-out</h1></center><hr><center>nginx</center>",
    "apache": "<h1>Not Found</h1><p>The requested URL /helse/tema was not found on this"
    " server.</p><hr><address>Apache/2.4.41 (Ubuntu) Server at www.example.no Port 443</address>",
    "apache-500": "<h1>Internal Server Error</h1><p>The server encountered an internal error or"
    " misconfiguration and was unable to complete your request.</p>",
    "varnish": "<h1>Error 503 Backend fetch failed</h1><p>Backend fetch failed</p>"
    "<h3>Guru Meditation:</h3><p>XID: 32770</p><hr><p>Varnish cache server</p>",
}


@pytest.mark.parametrize("name", sorted(STOCK_ERRORS))
@pytest.mark.parametrize("selector", [None, "body"])
def test_stock_server_error_pages_are_source_problems(name: str, selector: str | None) -> None:
    with pytest.raises(SourceProblem, match="error, maintenance or challenge"):
        page(STOCK_ERRORS[name], selector)


def test_a_short_page_about_servers_and_errors_is_content() -> None:
    body = (
        "<main><h1>Feil i journalsystemet</h1><p>Serveren til journalsystemet var nede i to"
        " timer. Legevakta brukte reserverutinene, og ingen pasienter fikk feil behandling.</p>"
        "<p>Gatewayen mellom systemene er byttet.</p></main>"
    )
    assert texts(body)[0][0] == ("Feil i journalsystemet",)


def test_error_words_in_a_long_page_are_content() -> None:
    long = "<p>" + "Legevakta har åpent hele døgnet og tar imot alle pasienter. " * 30 + "</p>"
    body = f"<main><h1>Drift</h1>{long}<p>Meldingen «502 Bad Gateway» kom i natt.</p></main>"
    assert "502 Bad Gateway" in texts(body)[0][1]


# ----------------------------------------------------------------------------- ligatures


def test_latin_ligatures_are_their_letters() -> None:
    assert clean_text("Deﬁnisjon av eﬀekt, inﬂuensa, eﬃkt, eﬄ, ﬅ ﬆ") == (
        "Definisjon av effekt, influensa, effikt, effl, st st"
    )
    assert clean_lines(["Eﬀekt", "inﬂuensa – «ny»"]) == ["Effekt", "influensa – «ny»"]


def test_other_compatibility_characters_stay() -> None:
    assert clean_text("10 m² og ½ tablett, 5 µg") == "10 m² og ½ tablett, 5 µg"


def test_a_heading_set_with_a_ligature_is_the_same_heading() -> None:
    before = ARTICLE.format("<h2>Effekt av profylakse</h2><p>God effekt innen 48 timer.</p>", "")
    after = ARTICLE.format("<h2>Eﬀekt av profylakse</h2><p>God eﬀekt innen 48 timer.</p>", "")
    assert changed(before, after) == []


def test_a_real_change_beside_a_ligature_is_seen() -> None:
    before = ARTICLE.format("<h2>Effekt av profylakse</h2><p>God effekt innen 48 timer.</p>", "")
    after = ARTICLE.format("<h2>Eﬀekt av profylakse</h2><p>God eﬀekt innen 24 timer.</p>", "")
    assert changed(before, after) == [("changed", ("Smittevernplan", "Effekt av profylakse"))]


# ----------------------------------------------------------------------------- copyright


@pytest.mark.parametrize(
    "line",
    [
        "© Helse- og omsorgsdepartementet 2026",
        "© 2026 Helsedirektoratet",
        "©Folkehelseinstituttet 2019–2027",
        "Copyright © 2019-2026 Helsedirektoratet. Alle rettigheter reservert.",
        "Copyright 2027 Statsforvaltaren i Vestland. Alle rettar reserverte",
        "(c) Regjeringen 2026",
        "© Folkehelseinstituttet",
    ],
)
def test_a_copyright_line_is_noise(line: str) -> None:
    assert strip_noise(line) == ""


@pytest.mark.parametrize(
    "line",
    [
        "Copyright-reglene gjelder fra 2026 for alle bilder",
        "© Foto: NTB. Bildet viser vaksinasjon i 2026.",
        "Opphavsrett 2026: bildene kan brukes fritt.",
        "Kommunen har copyright på planen fra 2026 og deler den.",
    ],
)
def test_a_sentence_about_copyright_is_content(line: str) -> None:
    assert strip_noise(line) == line


def test_a_change_beside_a_copyright_footer_is_seen() -> None:
    footer = "<footer><p>Gjelder fra 1. januar.</p><p>© Helsedirektoratet {}</p></footer>"
    before = ARTICLE.format(footer.format("2026"), "")
    assert changed(before, ARTICLE.format(footer.format("2027"), "")) == []
    moved = ARTICLE.format(footer.format("2027").replace("1. januar", "1. mars"), "")
    assert changed(before, moved) == [("changed", ("Smittevernplan", "Beredskap"))]


# ----------------------------------------------------------------------------- counters


@pytest.mark.parametrize(
    "line",
    [
        "1 204 liker · 87 delinger",
        "1 388 liker · 102 delinger · 12 kommentarer",
        "12 kommentarar",
        "3 delingar | 5 reaksjonar",
        "1 kommentar",
        "245 likes, 17 shares",
    ],
)
def test_a_posts_counters_are_noise(line: str) -> None:
    assert strip_noise(line) == ""


@pytest.mark.parametrize(
    "line",
    [
        "1 204 liker kampanjen på Facebook.",
        "87 delinger av resepter ble registrert i november.",
        "Det kom 12 kommentarer til høringen.",
    ],
)
def test_a_sentence_with_counts_is_content(line: str) -> None:
    assert strip_noise(line) == line


def test_a_change_of_an_embedded_posts_words_is_seen() -> None:
    embed = (
        "<blockquote class='social-embed'><p>Statsråden besøkte {} legevakt i dag.</p>"
        "<p class='social-embed__meta'><span>{} liker</span> · <span>87 delinger</span></p>"
        "</blockquote>"
    )
    before = ARTICLE.format(embed.format("Bergen", "1 204"), "")
    assert changed(before, ARTICLE.format(embed.format("Bergen", "1 388"), "")) == []
    assert changed(before, ARTICLE.format(embed.format("Voss", "1 388"), "")) == [
        ("changed", ("Smittevernplan", "Beredskap"))
    ]


# ----------------------------------------------------------------------------- boxes


def _links(*titles: str) -> str:
    return (
        "<ol>"
        + "".join(f"<li><a href='/a/{i}'>{t}</a></li>" for i, t in enumerate(titles))
        + "</ol>"
    )


@pytest.mark.parametrize(
    "box",
    [
        "<div class='most-read'><h2>Mest lese</h2>{}</div>",
        "<div class='box box--mest-lest'><h3>Populære saker</h3>{}</div>",
        "<div><h2>Mest lest</h2>{}</div>",
        "<div><h2><span class='ikon'></span>Mest <em>lest</em></h2>{}</div>",
        "<section><h2>Mest populære</h2>{}</section>",
        "<section class='news-carousel swiper'><h2>Flere nyheter fra FHI</h2>{}</section>",
        "<div class='carousel'><h2>Aktuelt</h2>{}</div>",
        "<div class='slick-slider'>{}</div>",
        "<div class='slider'>{}</div>",
        "<div><h2>Fleire nyhende frå Statsforvaltaren</h2>{}</div>",
        "<div class='box'><h2>Andre saker</h2>{}</div>",
    ],
)
def test_boxes_of_other_pages_are_furniture(box: str) -> None:
    before = ARTICLE.format("", box.format(_links("Statsbudsjettet 2027", "Pasientreiser")))
    after = ARTICLE.format("", box.format(_links("Fastlegeordninga", "Statsbudsjettet 2027")))
    assert changed(before, after) == []
    assert all("Statsbudsjettet" not in text for _, text in texts(before))


def test_a_mest_lest_heading_in_the_article_is_content() -> None:
    section = "<h2>Mest lest</h2><p>{} er den mest leste veilederen i år.</p>"
    before = ARTICLE.format(section.format("Smittevernveilederen"), "")
    after = ARTICLE.format(section.format("Antibiotikaveilederen"), "")
    assert changed(before, after) == [("changed", ("Smittevernplan", "Mest lest"))]


def test_a_box_under_such_a_heading_with_text_is_content() -> None:
    box = "<div><h2>Flere nyheter</h2><p>{}</p>{}</div>"
    before = ARTICLE.format("", box.format("Vaksinen gis fra uke 3.", _links("Les mer")))
    after = ARTICLE.format("", box.format("Vaksinen gis fra uke 5.", _links("Les mer")))
    assert changed(before, after) == [("changed", ("Smittevernplan", "Flere nyheter"))]


def test_a_wrapper_flagged_with_a_carousel_is_content() -> None:
    body = (
        "<main><div class='page has-carousel'><h1>Råd</h1><p>Vask hendene {}.</p></div>"
        "<div class='carousel'>{}</div></main>"
    )
    before, after = body.format("ofte", _links("A")), body.format("alltid", _links("B"))
    assert changed(before, after) == [("changed", ("Råd",))]


def test_an_article_beside_a_carousel_is_seen() -> None:
    carousel = "<section class='swiper'><h2>Flere nyheter</h2>{}</section>"
    before = ARTICLE.format("", carousel.format(_links("A", "B")))
    after = ARTICLE.format("<p>Planen skal øves hvert år.</p>", carousel.format(_links("B", "C")))
    assert changed(before, after) == [("changed", ("Smittevernplan", "Beredskap"))]


# ----------------------------------------------------------------------------- chat


@pytest.mark.parametrize(
    "widget",
    [
        "<div id='chat-widget' class='chat chat--floating'><p>Chatten er {}</p></div>",
        "<div class='livechat'><p>Chatten er {}</p><button>Start chat</button></div>",
        "<div id='intercom-container'><p>Chatten er {}</p></div>",
        "<div id='kindly-chat'><p>Chatten er {}</p></div>",
        "<section class='puzzel-chat'><p>Chatten er {}</p></section>",
    ],
)
def test_a_chat_widget_is_dropped(widget: str) -> None:
    before = ARTICLE.format("", widget.format("open no – svartida er 3 minutt"))
    after = ARTICLE.format("", widget.format("stengd. Vi svarar kvardagar 09–15."))
    assert changed(before, after) == []


def test_a_sentence_about_chat_is_content() -> None:
    line = "<p>Du kan chatte med oss på helsenorge.no {}.</p><p>Chatten er {}.</p>"
    before = ARTICLE.format(line.format("hverdager", "open"), "")
    after = ARTICLE.format(line.format("alle dager", "stengd"), "")
    assert changed(before, after) == [("changed", ("Smittevernplan", "Beredskap"))]


# ----------------------------------------------------------------------------- campaigns


@pytest.mark.parametrize(
    "banner",
    [
        "<section class='campaign-banner' aria-label='Kampanje'><p><a href='/k'>{}</a></p></section>",
        "<div class='kampanje'><a href='/k'>{}</a></div>",
        "<div id='campaign-top'><p><a href='/k'>{}</a></p></div>",
        "<div aria-label='Kampanje'><a href='/k'>{}</a></div>",
    ],
)
def test_a_campaign_banner_of_links_is_dropped(banner: str) -> None:
    body = "<main>{}<h1>Opioider</h1><p>Vurder risiko for avhengighet.</p></main>"
    before = body.format(banner.format("Ta stilling til organdonasjon"))
    after = body.format(banner.format("Slutta: få hjelp til å slutte med snus"))
    assert changed(before, after) == []


def test_a_campaign_box_of_text_is_read() -> None:
    body = (
        "<main><section class='campaign-banner'><p>{}</p><a href='/k'>Les mer</a></section>"
        "<h1>Opioider</h1><p>Vurder risiko for avhengighet.</p></main>"
    )
    before = body.format("Vaksinasjonen mot influensa starter 15. oktober for alle over 65 år.")
    after = body.format(
        "Vaksinasjonen mot influensa er utsatt til 1. november for alle over 65 år."
    )
    assert changed(before, after) == [("changed", ())]


# ----------------------------------------------------------------------------- figures

FIGURE = (
    "<main><h1>Ukerapport</h1><h2>Influensa</h2><p>Aktiviteten er økende.</p>"
    "<figure><img src='/{}.png' alt='{}'><figcaption>Figur 1. Tilfeller per uke.</figcaption>"
    "</figure><p>Neste rapport kommer fredag.</p></main>"
)


def test_the_numbers_of_a_figures_alt_text_are_read() -> None:
    before = page(FIGURE.format("f", "Figur 1: 412 tilfeller av influensa i uke 48"))
    assert [s.text for s in before.sections] == [
        "Aktiviteten er økende.\nFigur 1: 412 tilfeller av influensa i uke 48\n"
        "Figur 1. Tilfeller per uke.\nNeste rapport kommer fredag."
    ]
    after = FIGURE.format("f-korrigert", "Figur 1: 587 tilfeller av influensa i uke 48")
    assert changed(FIGURE.format("f", "Figur 1: 412 tilfeller av influensa i uke 48"), after) == [
        ("changed", ("Ukerapport", "Influensa"))
    ]


def test_an_alt_text_without_numbers_or_outside_a_figure_is_not_read() -> None:
    assert changed(FIGURE.format("f", "Flytskjema"), FIGURE.format("f", "Flytskjemaet viser")) == []
    outside = "<main><h1>Råd</h1><p>Vask hendene.</p><img src='/l.png' alt='{}'></main>"
    assert changed(outside.format("Logo 2026"), outside.format("Logo 2027")) == []


def test_a_figure_the_source_drops_is_not_read() -> None:
    html = FIGURE.format("f", "Figur 1: 412 tilfeller").encode()
    sections = extract_page(html, selector="main", drop=("figure img",)).sections
    assert all("412" not in s.text for s in sections)
