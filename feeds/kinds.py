"""Source kinds that need more than one fetch: ``document`` (a guide whose chapters are linked
from a table of contents) and pages with ``follow_pdfs`` (PDF attachments). A ``listing`` needs
one fetch only: its links become feed items (``listing_feed``).

``fetch_linked`` is the I/O half: it fetches the linked pages through the shared Fetcher, so
per-host politeness stays the fetcher's job, and turns every failure into a note on that link.
``linked_page`` is the pure half: the chapters' sections under their chapter titles, in one
``PageContent`` that is diffed like any page. A chapter that fails keeps its last version and is
reported as a problem of that chapter only, never as removed.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from feeds.catalogue import SourceSpec
from feeds.errors import FeedsError, SourceProblem
from feeds.extract import (
    FeedContent,
    FeedItem,
    Link,
    PageContent,
    Section,
    extract_links,
    extract_page,
)
from feeds.fetch import Fetcher, FetchResult
from feeds.pdf import pdf_text

#: a document never fetches more chapters than this per check
MAX_CHAPTERS = 200
#: nor more PDF attachments than this per page
MAX_PDFS = 20


@dataclass(frozen=True)
class Linked:
    """One linked page or attachment: its body, or why it could not be had."""

    link: Link
    result: FetchResult | None = None
    problem: str = ""


def needs_links(spec: SourceSpec) -> bool:
    """Whether a check of this source fetches linked pages too."""
    return spec.kind == "document" or spec.follow_pdfs


def wanted_links(spec: SourceSpec, result: FetchResult) -> tuple[Link, ...]:
    """The chapters (document) or PDF attachments (follow_pdfs) a fetched page links to."""
    links = extract_links(
        result.body, result.url or spec.url, result.headers, spec.link_selector, spec.link_pattern
    )
    if spec.kind == "document":
        return links[:MAX_CHAPTERS]
    return tuple(link for link in links if _is_pdf(link.url))[:MAX_PDFS]


def _is_pdf(url: str) -> bool:
    return url.lower().split("?", 1)[0].endswith(".pdf")


async def fetch_linked(fetcher: Fetcher, spec: SourceSpec, result: FetchResult) -> list[Linked]:
    """Fetch every wanted link of a page concurrently (the fetcher enforces per-host limits)."""
    links = wanted_links(spec, result)
    if spec.kind == "document" and not links:
        raise SourceProblem("the table of contents links to no chapters: has the layout changed?")
    return list(await asyncio.gather(*(_fetch_one(fetcher, link) for link in links)))


async def _fetch_one(fetcher: Fetcher, link: Link) -> Linked:
    try:
        result = await fetcher.fetch(link.url, None)
    except FeedsError as exc:
        return Linked(link, problem=f"{type(exc).__name__}: {exc}")
    if result.status >= 400 or not result.body:
        return Linked(link, problem=f"HTTP {result.status}")
    return Linked(link, result)


@dataclass(frozen=True)
class LinkedPage:
    page: PageContent
    problems: tuple[str, ...] = ()


def linked_page(
    spec: SourceSpec,
    base: PageContent | None,
    linked: Sequence[Linked],
    previous: PageContent | None,
) -> LinkedPage:
    """The sections of ``base`` (the page itself; None for a document) followed by every
    linked part's sections, each under the part's title. A part that fails keeps the sections
    it had in ``previous``. Raises SourceProblem when every part of a document failed."""
    sections: list[Section] = list(base.sections) if base else []
    problems: list[str] = []
    for part in linked:
        title = _part_title(spec, part.link)
        try:
            sections.extend(_part_sections(spec, part, title))
        except SourceProblem as exc:
            problems.append(f"{title}: {part.problem or exc}")
            sections.extend(_kept(previous, title))
    if linked and len(problems) == len(linked) and spec.kind == "document":
        raise SourceProblem(f"no chapter could be read ({problems[0]} ...)")
    title = base.title if base else spec.name
    updated = base.updated if base else None
    return LinkedPage(PageContent(title, tuple(sections), updated), tuple(problems))


def _part_title(spec: SourceSpec, link: Link) -> str:
    if spec.kind == "document":
        return link.title or link.url
    return f"Vedlegg: {link.title or link.url.rsplit('/', 1)[-1]}"


def _part_sections(spec: SourceSpec, part: Linked, title: str) -> list[Section]:
    if part.result is None:
        raise SourceProblem(part.problem or "not fetched")
    if spec.kind != "document":
        text = pdf_text(part.result.body)
        if not text:
            raise SourceProblem("the PDF has no text (a scan?)")
        return [Section((title,), text)]
    page = extract_page(part.result.body, part.result.headers, spec.selector, spec.drop, spec.noise)
    return [Section(_under(title, s.path), s.text) for s in page.sections]


def _under(title: str, path: tuple[str, ...]) -> tuple[str, ...]:
    """The chapter title first; a chapter page that repeats it as its own h1 is not doubled."""
    if path and path[0] == title:
        return path
    return (title, *path)


def _kept(previous: PageContent | None, title: str) -> list[Section]:
    if previous is None:
        return []
    return [s for s in previous.sections if s.path[:1] == (title,)]


# ----------------------------------------------------------------------------- listing


def listing_feed(spec: SourceSpec, result: FetchResult) -> FeedContent:
    """A list of letters or news without a feed, as a feed: every matching link is an item
    whose identity is its canonical URL, so each new link is a new item."""
    links = extract_links(
        result.body, result.url or spec.url, result.headers, spec.link_selector, spec.link_pattern
    )
    if not links:
        raise SourceProblem("the listing shows no matching links: has the layout changed?")
    items = tuple(
        FeedItem(
            item_id=hashlib.sha256(f"link:{link.url}".encode()).hexdigest()[:32],
            title=link.title,
            link=link.url,
            summary="",
        )
        for link in links
    )
    return FeedContent(title=spec.name, items=items)
