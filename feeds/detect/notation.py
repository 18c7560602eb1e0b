"""The same words in another notation: what a publisher's template or editor writes one way
one day and another way the next, saying the same (``same_notation``).

``feeds.types.fold`` folds typography a character at a time (quotation marks, dashes, case,
digit groups). The forms here change a text's length and need a look at both versions: a
file's format and size noted in a link's text ("Høringsnotat (PDF, 1,2 MB)") is no news
when it is added or dropped, but a size that changes where both versions give one is (a
new file). Compared line by line, each version's lines folded; a text with another number
of lines is never the same here.
"""

from __future__ import annotations

import re

from feeds.types import fold

_FORMAT = r"(?:pdf|docx?|xlsx?|pptx?|odt|ods|rtf|csv|zip|word|excel)"
_SIZE = r"\d+(?:[.,]\d+)?\s?(?:[kmg]i?b|bytes?|kilobytes?|megabytes?)"
_PAGES = r"\d+\s?(?:sider|side|s\.|pages?)"
_PART = rf"(?:{_FORMAT}|{_SIZE}|{_PAGES})(?![\w-])"
#: a file note in brackets ("(pdf, 1,2 mb)", "[pdf 345 kb]", "(230 kb)"), or after a comma or
#: dash at the end of a line ("rettleiar - pdf, 12 sider"), with the space before it
_FILE_NOTE = re.compile(
    rf"\s*[(\[]\s*{_PART}(?:\s*[,;/]?\s*{_PART})*\s*[)\]]"
    rf"|\s*[,|-]\s*{_PART}(?:\s*[,;/]?\s*{_PART})*\s*$"
)
#: a file's size or page count in a note: what must agree where both versions give one
_MEASURE = re.compile(rf"{_SIZE}|{_PAGES}")
#: the characters a line must hold for a file note to be in it
_NOTE_HINT = re.compile(r"pdf|docx?|xlsx?|pptx?|odt|ods|rtf|csv|zip|word|excel|\db|\ds|kb|mb")


def same_notation(before: str, after: str) -> bool:
    """Whether two texts differ only in notation: line for line, folded (``fold``), the same
    once file notes are dropped, and where both lines note a file, the same sizes and page
    counts in those notes."""
    lines_a, lines_b = before.split("\n"), after.split("\n")
    if len(lines_a) != len(lines_b):
        return False
    for a, b in zip(lines_a, lines_b, strict=True):
        if a != b and not _same_line(fold(a), fold(b)):
            return False
    return True


def _same_line(a: str, b: str) -> bool:
    if a == b:
        return True
    notes_a, bare_a = _file_notes(a)
    notes_b, bare_b = _file_notes(b)
    if bare_a != bare_b:
        return False
    # a size or page count given by both versions must be the same (a new file otherwise)
    measures_a = [m for n in notes_a for m in _MEASURE.findall(n)]
    measures_b = [m for n in notes_b for m in _MEASURE.findall(n)]
    return not (measures_a and measures_b) or measures_a == measures_b


def _file_notes(line: str) -> tuple[list[str], str]:
    """A folded line's file notes, and the line without them."""
    if not _NOTE_HINT.search(line):
        return [], line
    notes = [m.group(0) for m in _FILE_NOTE.finditer(line)]
    return notes, _FILE_NOTE.sub("", line) if notes else line
