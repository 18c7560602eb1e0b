"""Sources that need more than one fetch: ``document`` (a guide whose chapters are linked
from a table of contents) and pages with ``follow_pdfs`` (PDF attachments).

``linked_page`` is the pure half: the chapters' sections under their chapter titles, in one
``PageContent`` that is diffed like any page. A chapter that fails keeps its last version and is
reported as a problem of that chapter only, never as removed. The I/O half, fetching the
parts, is ``feeds.fetch.parts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from feeds.errors import SourceProblem
from feeds.read.html import extract_links, extract_page
from feeds.read.pdf import pdf_text
from feeds.read.reader import PageInput, PageRead, PageReader
from feeds.types import FetchResult, Link, Linked, PageContent, Parts, PartState, Section

if TYPE_CHECKING:
    from feeds.catalogue import SourceSpec

#: a document never fetches more chapters than this per check
MAX_CHAPTERS = 200
#: nor more PDF attachments than this per page
MAX_PDFS = 20


class DocumentReader(PageReader):
    """``document``: a guide whose chapters are linked from a table of contents at the URL
    (``link_selector``/``link_pattern`` pick them); every chapter is watched and reported on
    its own, under its title."""

    kind = "document"
    link_rule = True
    allows_follow_pdfs = True
    contents = True

    def links(self, spec: SourceSpec, result: FetchResult) -> tuple[Link, ...]:
        """The chapters the table of contents links to."""
        links = extract_links(
            result.body,
            result.url or spec.url,
            result.headers,
            spec.link_selector,
            spec.link_pattern,
        )
        if not links:
            raise SourceProblem(NO_CHAPTERS)
        return links[:MAX_CHAPTERS]

    def read(self, source: PageInput) -> PageRead:
        return linked_page(source.spec, None, source.linked, source.last, source.known)


#: a table of contents that links to no chapter
NO_CHAPTERS = "the table of contents links to no chapters: has the layout changed?"


def pdf_links(spec: SourceSpec, result: FetchResult) -> tuple[Link, ...]:
    """The PDF attachments a fetched page links to (``follow_pdfs``)."""
    links = extract_links(
        result.body, result.url or spec.url, result.headers, spec.link_selector, spec.link_pattern
    )
    return tuple(link for link in links if _is_pdf(link.url))[:MAX_PDFS]


def _is_pdf(url: str) -> bool:
    return url.lower().split("?", 1)[0].endswith(".pdf")


def linked_page(
    spec: SourceSpec,
    base: PageContent | None,
    linked: Sequence[Linked],
    previous: PageContent | None,
    known: Parts | None = None,
) -> PageRead:
    """The sections of ``base`` (the page itself; None for a document) followed by every
    linked part's sections, each under the part's title: a document's parts are its chapters
    (read as pages), a page's its PDF attachments. A part that answered 304, or the
    same body as last time (``known``), keeps the sections it had in ``previous`` without
    being read again; so does a part that fails. Raises SourceProblem when every part of a
    document failed."""
    known = known or {}
    chapters = base is None
    sections: list[Section] = list(base.sections) if base else []
    problems: list[str] = []
    parts: dict[str, PartState] = {}
    for part in linked:
        url = part.link.url
        last = known.get(url)
        title = _part_title(chapters, part.link, last)
        try:
            state = _part_state(title, part, last)
            if last is not None and previous is not None and _unchanged(last, state):
                sections.extend(_kept(previous, title))
            else:
                sections.extend(_part_sections(spec, chapters, part, title))
            parts[url] = state
        except SourceProblem as exc:
            problems.append(f"{title}: {part.problem or exc}")
            sections.extend(_kept(previous, title))
            if last is not None:
                parts[url] = last
    if linked and len(problems) == len(linked) and chapters:
        raise SourceProblem(f"no chapter could be read ({problems[0]} ...)")
    title = base.title if base else spec.name
    updated = base.updated if base else None
    page = PageContent(title, tuple(sections), updated)
    return PageRead(page, tuple(problems), parts)


def _part_state(title: str, part: Linked, last: PartState | None) -> PartState:
    """The part's state after this check. Raises SourceProblem for a part not fetched, and
    for a 304 to a part we know nothing of (we sent no validators for it)."""
    result = part.result
    if result is None:
        raise SourceProblem(part.problem or "not fetched")
    if result.not_modified:
        if last is None:
            raise SourceProblem("answered 304 Not Modified to a request without validators")
        return PartState(title, last.etag, last.last_modified, last.body_hash)
    validators = result.validators
    return PartState(title, validators.etag, validators.last_modified, result.body_hash)


def _unchanged(last: PartState, now: PartState) -> bool:
    return last.title == now.title and bool(last.body_hash) and last.body_hash == now.body_hash


def _part_title(chapters: bool, link: Link, last: PartState | None = None) -> str:
    """A chapter's title is its link's text; an attachment is 'Vedlegg: <link text>', and
    keeps the title it had while its address stays the same: the page's link text ('(PDF)'
    becoming '(PDF, 212 kB)' or '(korrigert versjon)') is the page's content, already compared
    there, not the attachment's."""
    if chapters:
        return link.title or link.url
    if last is not None and last.title.startswith("Vedlegg: "):
        return last.title
    return f"Vedlegg: {link.title or link.url.rsplit('/', 1)[-1]}"


def _part_sections(spec: SourceSpec, chapters: bool, part: Linked, title: str) -> list[Section]:
    if part.result is None or part.result.not_modified:
        raise SourceProblem(part.problem or "not fetched")
    if not chapters:
        text = pdf_text(part.result.body)
        if not text:
            raise SourceProblem("the PDF has no text (a scan?)")
        return [Section((title,), text)]
    page = extract_page(part.result.body, part.result.headers, spec.selector, spec.drop, spec.noise)
    return [
        Section(_under(title, s.path), s.text, tables=s.tables, ragged=s.ragged)
        for s in page.sections
    ]


def _under(title: str, path: tuple[str, ...]) -> tuple[str, ...]:
    """The chapter title first; a chapter page that repeats it as its own h1 is not doubled."""
    if path and path[0] == title:
        return path
    return (title, *path)


def _kept(previous: PageContent | None, title: str) -> list[Section]:
    if previous is None:
        return []
    return [s for s in previous.sections if s.path[:1] == (title,)]
