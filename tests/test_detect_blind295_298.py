"""Blind rounds 295-298's rules besides nested lists (tests/test_detect_nested_lists.py):

- a page's toolbar with the size of its PDF after the download link ("Skriv ut Last ned PDF
  (1,2 MB) Vist 14 233 ganger") is furniture, as the same bar without the size was (296);
  a sentence that gives a document's size is read.
"""

from __future__ import annotations

import pytest

from tests.support.pages import changed, text


def page(tools: str, advice: str = "Alle pasienter skal få tilbud om vaksine.") -> str:
    return f"<main><h1>Forskrift om smittevern</h1><div>{tools}</div><h2>Krav</h2><p>{advice}</p></main>"


@pytest.mark.parametrize(
    "tools",
    [
        "<button>Del på e-post</button> <button>Del på LinkedIn</button> <a href='#'>Skriv ut</a>"
        " <a href='/pdf'>Last ned PDF (1,2 MB)</a> <span>Vist 14 233 ganger</span>",
        "<a href='#'>Skriv ut</a> <a href='/pdf'>Last ned PDF (850 kB)</a>",
        "<a href='#'>Skriv ut</a> · <a href='/pdf'>Last ned PDF (12 MB)</a> · <a href='#'>Del</a>",
    ],
)
def test_a_toolbar_with_the_size_of_its_pdf_is_furniture(tools: str) -> None:
    assert "PDF" not in text(page(tools))
    assert (
        changed(page("<a href='#'>Skriv ut</a> <a href='/pdf'>Last ned PDF</a>"), page(tools)) == []
    )


def test_a_sentence_with_a_documents_size_is_read() -> None:
    said = "Last ned rapporten som PDF (1,2 MB) før møtet."
    assert said in text(page("", said))
    assert changed(page("", said), page("", "Last ned rapporten som PDF (2,4 MB) før møtet.")) == [
        ("changed", ("Forskrift om smittevern", "Krav"))
    ]
