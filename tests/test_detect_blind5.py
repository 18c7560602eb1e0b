"""The fifth outside check's open cases (tests/fixtures/detect_open/OPEN.md): stock server error
pages, Latin ligatures, copyright lines, a post's counters, popularity boxes, carousels and
chat widgets; each rule with a guard that a real change beside it is still read."""

from __future__ import annotations

import pytest

from feeds.errors import SourceProblem
from feeds.read.html import extract_page
from feeds.types import PageContent


def page(body: str, selector: str | None = "main") -> PageContent:
    html = f"<html><head><title>Side</title></head><body>{body}</body></html>"
    return extract_page(html.encode(), selector=selector)


def texts(body: str, selector: str | None = "main") -> list[tuple[tuple[str, ...], str]]:
    return [(s.path, s.text) for s in page(body, selector).sections]


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
