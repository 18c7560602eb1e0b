"""Blind round 27's rule, both ways, bokmål and nynorsk: Google's translation widget inside the
content ("Velg språk", "Powered by Google Translate") is a control, not content; a section
about interpreting and translation for patients is read."""

from __future__ import annotations

import pytest

from feeds.detect.diff import diff_pages
from feeds.read.html import extract_page
from feeds.types import PageContent

WIDGET = (
    "<div id='google_translate_element'><div class='skiptranslate goog-te-gadget'>"
    "<select class='goog-te-combo'><option>Velg språk</option><option>English</option>"
    "</select> Powered by Google Translate</div></div>"
)


def page(inner: str, lang: str) -> PageContent:
    title = "Smittevern i kommunen" if lang == "nb" else "Smittevern i kommunen vår"
    html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Side</title></head><body>"
        f"<main>{inner}<h1>{title}</h1><p>Kommuneoverlegen har ansvar for smittevernet.</p>"
        "</main></body></html>"
    )
    return extract_page(html.encode(), selector="main")


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_translation_widget_is_no_content(lang: str) -> None:
    assert diff_pages(page("", lang), page(WIDGET, lang)) == []


@pytest.mark.parametrize(
    "section",
    [
        "<h2>Tolk og omsetjing</h2><p>Pasientar har rett på tolk. Bestill tolk via kommunen.</p>",
        "<h2>Oversettelse</h2><p>Informasjonen finnes oversatt til polsk og arabisk.</p>",
    ],
)
def test_a_section_about_translation_is_read(section: str) -> None:
    assert [c.kind for c in diff_pages(page("", "nb"), page(section, "nb"))] == ["added"]
