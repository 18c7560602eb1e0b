"""PDF text: an attachment's bytes to normalised lines (pypdf), nothing else.

A PDF is compared like a page's section: its text, one line per paragraph, normalised and
stripped of noise. Page breaks, running headers and page numbers are layout, not content, so
they are dropped; a document that reflows onto other pages is the same text.
"""

from __future__ import annotations

import io
import logging
import re

from feeds.errors import SourceProblem
from feeds.read.normalize import clean_text, strip_noise

#: a PDF larger than this many pages is read up to it (a bound on CPU per check)
MAX_PAGES = 400
_PAGE_NUMBER = re.compile(r"^(side\s+)?\d{1,4}(\s*(av|/|of)\s*\d{1,4})?$", re.I)


def pdf_text(body: bytes) -> str:
    """The text of a PDF, one paragraph per line; a file pypdf cannot read is a problem."""
    from pypdf import PdfReader  # imported here: only sources with follow_pdfs pay for it
    from pypdf.errors import PdfReadError

    if not body.lstrip()[:5] == b"%PDF-":
        raise SourceProblem("the attachment is not a PDF")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(body))
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PAGES]]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise SourceProblem(f"the PDF cannot be read: {exc}") from exc
    return "\n".join(_paragraphs("\n".join(pages)))


def _paragraphs(text: str) -> list[str]:
    """Lines joined into paragraphs (a blank line or a line ending a sentence closes one)."""
    out: list[str] = []
    current: list[str] = []
    for raw in text.split("\n"):
        line = clean_text(raw)
        if not line or _PAGE_NUMBER.match(line):
            if current:
                out.append(" ".join(current))
                current = []
            continue
        current.append(line)
        if line.endswith((".", ":", "!", "?")):
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return [kept for kept in (strip_noise(p) for p in out) if kept]
