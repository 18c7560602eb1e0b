"""Text beside an HTML comment or a processing instruction is content (an independent read of
the walk found ``<p>Start <!-- cms --> Viktig tekst</p>`` read as "Start": a change in the
text after a CMS marker went unreported). Pages, feed items' HTML and headings alike."""

from __future__ import annotations

import pytest

from feeds.read.html import extract_page, html_to_text, without_comments

MARKERS = ["<!-- cms -->", "<!---->", "<?php echo 1 ?>", "<!--[if IE]>x<![endif]-->"]


def _texts(markup: str) -> list[tuple[tuple[str, ...], str]]:
    page = extract_page(f"<html><body><main>{markup}</main></body></html>".encode())
    return [(s.path, s.text) for s in page.sections]


@pytest.mark.parametrize("marker", MARKERS)
def test_text_after_a_comment_in_a_paragraph_is_read(marker: str) -> None:
    texts = _texts(f"<h2>Frist</h2><p>Start {marker} Høringsfrist 4. april 2025</p>")
    assert texts == [(("Frist",), "Start Høringsfrist 4. april 2025")]


@pytest.mark.parametrize("marker", MARKERS)
def test_a_change_after_a_comment_is_a_change(marker: str) -> None:
    before = _texts(f"<h2>Frist</h2><p>Frist {marker} 14. mars 2025</p><p>Annet</p>")
    after = _texts(f"<h2>Frist</h2><p>Frist {marker} 4. april 2025</p><p>Annet</p>")
    assert before != after


def test_comments_between_blocks_and_in_headings_and_lists() -> None:
    assert _texts(
        "<h2>Tittel <!-- a --> del to</h2><!-- b -->løs tekst<p>a</p><!-- c -->"
        "<ul><li>én <!-- d --> to</li></ul>"
    ) == [(("Tittel del to",), "løs tekst\na\n• én to")]


def test_the_fallback_parser_leaves_comments_out_as_the_others_do() -> None:
    # markup libxml2 refuses is read by BeautifulSoup, which keeps comments as nodes
    from lxml.html import soupparser

    root = without_comments(
        soupparser.fromstring("<main><p>Frist <!-- cms --> 4. april</p></main>")
    )
    assert [p.text for p in root.iter("p")] == ["Frist  4. april"]
    assert not [n for n in root.iter() if not isinstance(n.tag, str)]


@pytest.mark.parametrize("marker", MARKERS)
def test_a_feed_items_html_keeps_text_after_a_comment(marker: str) -> None:
    assert html_to_text(f"<p>Gjelder fra {marker} 1. mai</p>") == "Gjelder fra 1. mai"
