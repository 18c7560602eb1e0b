"""PDF text: an attachment's bytes to normalised lines (pypdf), nothing else.

A PDF is compared like a page's section: its text, one line per sentence, normalised and
stripped of noise. Page breaks, running headers and page numbers are layout, not content, so
they are dropped; a document that reflows onto other pages is the same text.
"""

from __future__ import annotations

import io
import logging
import re
import time

from feeds.errors import SourceProblem
from feeds.read.normalize import MONTHS, clean_text, strip_noise

#: a PDF larger than this many pages is read up to it (a bound on CPU per check)
MAX_PAGES = 400
#: pypdf's limits, tighter than its defaults (75 MB per stream, 2 million tokens per content
#: stream: an 88 KB "PDF bomb" took 17 s and 330 MB before pypdf gave up)
MAX_STREAM_BYTES = 16_000_000
MAX_STREAM_TOKENS = 200_000
#: reading one PDF stops after this many seconds (checked between pages: pages can share
#: one hostile content stream, each costing up to MAX_STREAM_TOKENS of parsing)
MAX_SECONDS = 20.0
_SENTENCE_END = (".", "!", "?", ":")
_PAGE_NUMBER = re.compile(r"^(side\s+)?\d{1,4}(\s*(av|/|of)\s*\d{1,4})?$", re.I)


def pdf_text(body: bytes) -> str:
    """The text of a PDF, one paragraph per line; a file pypdf cannot read is a problem."""
    # imported here: only sources with follow_pdfs pay for it
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PyPdfError

    if not body.lstrip()[:5] == b"%PDF-":
        raise SourceProblem("the attachment is not a PDF")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    deadline = time.monotonic() + MAX_SECONDS
    pages: list[str] = []
    try:
        with apply_configuration(
            zlib_maximum_output_length=MAX_STREAM_BYTES,
            lzw_maximum_output_length=MAX_STREAM_BYTES,
            run_length_maximum_output_length=MAX_STREAM_BYTES,
            array_based_stream_maximum_output_length=MAX_STREAM_BYTES,
            stream_decoding_work_maximum_length=4 * MAX_STREAM_BYTES,
            stream_parsing_work_maximum_count=MAX_STREAM_TOKENS,
        ):
            reader = PdfReader(io.BytesIO(body))
            for page in reader.pages[:MAX_PAGES]:
                if time.monotonic() > deadline:
                    raise SourceProblem(
                        f"the PDF took more than {MAX_SECONDS:g} s to read; it is not read"
                    )
                pages.append(page.extract_text() or "")
    except LimitReachedError as exc:
        raise SourceProblem(f"the PDF is too large or too complex to read: {exc}") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise SourceProblem(f"the PDF cannot be read: {exc}") from exc
    return "\n".join(_paragraphs("\n".join(pages)))


def _paragraphs(text: str) -> list[str]:
    """The words of the text, one sentence per line.

    Where a sentence ends is read from the words alone, never from where the PDF broke its
    lines or pages: a word ending in '.', '!', '?' or ':' ends one when the next word starts
    with a capital, a digit or an opening mark ('innen 1. mars' does not). The same text
    exported again with other line breaks, columns or page breaks gives the same lines; page
    numbers ('3', 'Side 3 av 12') on a line of their own are dropped. A word hyphenated at
    a line's end is joined again: without its hyphen before a small letter ('smitte-' +
    'vernplan'), with it before a capital or a digit ('covid-' + '19'); 'helse-' + 'og' is a
    word left open ('helse- og omsorg') and stays two."""
    words: list[str] = []
    broken = False  # the last line ended inside a word ('smitte-' + 'vernplan')
    for raw in text.split("\n"):
        line = clean_text(raw)
        if not line or _PAGE_NUMBER.match(line):
            continue
        more = line.split()
        if broken and words and more:
            words[-1] = _joined(words[-1], more.pop(0))
        words.extend(more)
        end = raw.rstrip()
        broken = end.endswith(("-", "\u00ad"))
        if end.endswith("\u00ad") and words and not words[-1].endswith("-"):
            words[-1] += "-"  # a soft hyphen: clean_text dropped it
    out: list[str] = []
    current: list[str] = []
    skip = 0
    for i, word in enumerate(words):
        if skip:
            skip -= 1
            continue
        if word.casefold() == "dato:" and (n := _date_words(words, i + 1)):
            # a letter's date field on a line of its own, where the letterhead ran it into
            # the title ("Dato: 20. februar 2024 Oppdaterte råd ...", blind round 105): read
            # as the field it is (``strip_noise``: a letter re-issued under a new date)
            if current:
                out.append(" ".join(current))
            out.append(" ".join(words[i : i + 1 + n]))
            current, skip = [], n
            continue
        current.append(word)
        following = words[i + 1] if i + 1 < len(words) else ""
        if word.endswith(_SENTENCE_END) and (not following or _starts_sentence(following)):
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return [kept for kept in (strip_noise(p) for p in out) if kept]


#: a date in words after a letter's "Dato:" ("20.02.2024"; "20.", "februar", "2024")
_NUMERIC_DATE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}")
_DAY = re.compile(r"\d{1,2}\.")
_YEAR = re.compile(r"\d{4}")


def _date_words(words: list[str], at: int) -> int:
    """How many of ``words`` from ``at`` are a date (1 or 3); 0 when they are none."""
    if at < len(words) and _NUMERIC_DATE.fullmatch(words[at]):
        return 1
    if (
        at + 2 < len(words)
        and _DAY.fullmatch(words[at])
        and words[at + 1].casefold().rstrip(".") in MONTHS
        and _YEAR.fullmatch(words[at + 2])
    ):
        return 3
    return 0


def _starts_sentence(word: str) -> bool:
    first = word.lstrip("«»\"'“”‘’([")[:1]
    return bool(first) and (first.isupper() or first.isdigit() or first in "•–-")


#: words after which a hyphen at a line's end leaves its word open ('helse- og omsorg')
_OPEN_BEFORE = frozenset({"og", "eller", "enn", "til", "samt", "and", "or", "to"})


def _joined(head: str, tail: str) -> str:
    """A word broken over two lines, joined (``head`` ends in its hyphen)."""
    if not head.endswith("-") or len(head) < 2 or not head[-2].isalnum():
        return f"{head} {tail}"  # a dash, not a hyphen
    if tail.casefold().rstrip(".,:;") in _OPEN_BEFORE:
        return f"{head} {tail}"
    if head[-2].isalpha() and tail[:1].islower():
        return head[:-1] + tail
    return head + tail
