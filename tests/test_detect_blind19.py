"""Blind round 19's two rules, both ways, bokmål and nynorsk: an image's alt text is read for
its numbers, not for a disease's name that holds digits ("covid-19"); a share button's count
("Del (41)") in the page's toolbar line is noise, as the toolbar is."""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import changed
from tests.support.pages import page as body_page


def main(inner: str) -> str:
    return f"<main><h1>Luftveisinfeksjonar</h1><p>Vekerapport for sesongen.</p>{inner}</main>"


def page(inner: str) -> PageContent:
    return body_page(main(inner))


def changes(before: str, after: str) -> list[tuple[str, tuple[str, ...]]]:
    return changed(main(before), main(after))


def figure(alt: str) -> str:
    return f"<figure><img src='/graf.png' alt='{alt}'><figcaption>Figur 1</figcaption></figure>"


@pytest.mark.parametrize(
    "old, new",
    [
        (
            "Grafen viser andel positive prøver for influensa, covid-19 og RS-virus per uke",
            "Linjediagram som viser andelen positive prøver for influensa, covid-19 og RS-virus",
        ),
        (
            "Grafen viser delen positive prøver for SARS-CoV-2 og H5N1 kvar veke",
            "Linjediagram som viser delen positive prøver for SARS-CoV-2 og H5N1",
        ),
    ],
)
def test_an_alt_text_reworded_around_a_names_digits_is_quiet(old: str, new: str) -> None:
    assert changes(figure(old), figure(new)) == []


@pytest.mark.parametrize(
    "old, new",
    [
        (
            "412 laboratoriepåviste tilfeller av covid-19 i uke 48",
            "437 laboratoriepåviste tilfeller av covid-19 i uke 48",
        ),
        (
            "Delen positive prøver steig til 12,5 % i veke 48",
            "Delen positive prøver steig til 14,1 % i veke 48",
        ),
    ],
)
def test_an_alt_texts_numbers_are_read(old: str, new: str) -> None:
    assert changes(figure(old), figure(new)) == [("changed", ("Luftveisinfeksjonar",))]


def toolbar(count: int, subscribe: str = "Abonner på nytt eller oppdatert innhold") -> str:
    return (
        f"<div class='tools'><button>Del ({count})</button> <button>Skriv ut/lag PDF</button> "
        f"<a href='/abonner'>{subscribe}</a></div>"
    )


@pytest.mark.parametrize(
    "subscribe", ["Abonner på nytt eller oppdatert innhold", "Abonner på endra innhald", "Abonner"]
)
def test_a_share_count_in_the_toolbar_is_noise(subscribe: str) -> None:
    assert changes(toolbar(41, subscribe), toolbar(58, subscribe)) == []
    assert "Del (" not in page(toolbar(41, subscribe)).sections[0].text


@pytest.mark.parametrize(
    "old, new",
    [
        # a count in a line of content is content
        ("<p>Del (41) av kommunane har svart.</p>", "<p>Del (58) av kommunane har svart.</p>"),
        ("<p>Del ut vaksinar (4) til bebuarane.</p>", "<p>Del ut vaksinar (6) til bebuarane.</p>"),
    ],
)
def test_a_count_in_a_line_of_content_is_read(old: str, new: str) -> None:
    assert changes(old, new) == [("changed", ("Luftveisinfeksjonar",))]
