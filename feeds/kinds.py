"""Source kinds that need more than one fetch: ``document`` (a guide whose chapters are linked
from a table of contents) and pages with ``follow_pdfs`` (PDF attachments). A ``listing`` needs
one fetch only: its links become feed items (``listing_feed``), whose identity is the link's
identity form (``feeds.extract.identity_url``).

``fetch_linked`` is the I/O half: it fetches the linked pages through the shared Fetcher, so
per-host politeness stays the fetcher's job, and turns every failure into a note on that link.
``linked_page`` is the pure half: the chapters' sections under their chapter titles, in one
``PageContent`` that is diffed like any page. A chapter that fails keeps its last version and is
reported as a problem of that chapter only, never as removed.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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
    item_identity,
)
from feeds.fetch import Fetcher, FetchResult, Validators
from feeds.pdf import pdf_text

#: a document never fetches more chapters than this per check
MAX_CHAPTERS = 200
#: nor more PDF attachments than this per page
MAX_PDFS = 20


@dataclass(frozen=True)
class PartState:
    """What a snapshot keeps of one linked part (a chapter, an attachment) for the next check:
    its title in the table of contents, its validators and the hash of its body."""

    title: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str = ""


#: the parts of a source's last version, by canonical URL, in the order they are linked
Parts = Mapping[str, PartState]


@dataclass(frozen=True)
class Linked:
    """One linked page or attachment: its body (or a 304: unchanged since the last check),
    or why it could not be had."""

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


async def fetch_linked(
    fetcher: Fetcher,
    spec: SourceSpec,
    result: FetchResult,
    known: Parts | None = None,
    force_full: bool = False,
) -> list[Linked]:
    """Fetch every wanted link of a page concurrently (the fetcher enforces per-host limits).

    A part known from the last check is asked for conditionally (its ETag / Last-Modified),
    unless ``force_full`` (the periodic unconditional fetch) or its title in the table of
    contents changed; an unchanged chapter then costs a 304. A table of contents that was
    itself not modified (304) links to the parts it linked to last time."""
    known = known or {}
    if result.not_modified:
        links = tuple(Link(url, part.title) for url, part in known.items())
    else:
        links = wanted_links(spec, result)
    if spec.kind == "document" and not links:
        raise SourceProblem("the table of contents links to no chapters: has the layout changed?")
    return list(
        await asyncio.gather(
            *(_fetch_one(fetcher, link, known.get(link.url), force_full) for link in links)
        )
    )


async def _fetch_one(
    fetcher: Fetcher, link: Link, known: PartState | None, force_full: bool
) -> Linked:
    validators = None
    if known is not None and known.title == link.title and not force_full:
        validators = Validators(known.etag, known.last_modified)
    try:
        result = await fetcher.fetch(link.url, validators)
    except FeedsError as exc:
        return Linked(link, problem=f"{type(exc).__name__}: {exc}")
    if result.status >= 400 or (not result.body and not result.not_modified):
        return Linked(link, problem=f"HTTP {result.status}")
    return Linked(link, result)


@dataclass(frozen=True)
class LinkedPage:
    page: PageContent
    problems: tuple[str, ...] = ()
    #: what to keep of every part for the next check
    parts: Parts = field(default_factory=dict)


def linked_page(
    spec: SourceSpec,
    base: PageContent | None,
    linked: Sequence[Linked],
    previous: PageContent | None,
    known: Parts | None = None,
) -> LinkedPage:
    """The sections of ``base`` (the page itself; None for a document) followed by every
    linked part's sections, each under the part's title. A part that answered 304, or the
    same body as last time (``known``), keeps the sections it had in ``previous`` without
    being read again; so does a part that fails. Raises SourceProblem when every part of a
    document failed."""
    known = known or {}
    sections: list[Section] = list(base.sections) if base else []
    problems: list[str] = []
    parts: dict[str, PartState] = {}
    for part in linked:
        title = _part_title(spec, part.link)
        url = part.link.url
        last = known.get(url)
        try:
            state = _part_state(title, part, last)
            if last is not None and previous is not None and _unchanged(last, state):
                sections.extend(_kept(previous, title))
            else:
                sections.extend(_part_sections(spec, part, title))
            parts[url] = state
        except SourceProblem as exc:
            problems.append(f"{title}: {part.problem or exc}")
            sections.extend(_kept(previous, title))
            if last is not None:
                parts[url] = last
    if linked and len(problems) == len(linked) and spec.kind == "document":
        raise SourceProblem(f"no chapter could be read ({problems[0]} ...)")
    title = base.title if base else spec.name
    updated = base.updated if base else None
    page = PageContent(title, tuple(sections), updated)
    return LinkedPage(page, tuple(problems), parts)


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


def _part_title(spec: SourceSpec, link: Link) -> str:
    if spec.kind == "document":
        return link.title or link.url
    return f"Vedlegg: {link.title or link.url.rsplit('/', 1)[-1]}"


def _part_sections(spec: SourceSpec, part: Linked, title: str) -> list[Section]:
    if part.result is None or part.result.not_modified:
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
    items: dict[str, FeedItem] = {}
    for link in links:
        item_id = item_identity("", link.url)
        # the identity of a link before identities were canonical, for older snapshots
        legacy_id = hashlib.sha256(f"link:{link.url}".encode()).hexdigest()[:32]
        item = FeedItem(
            item_id=item_id,
            title=link.title,
            link=link.url,
            summary="",
            legacy_id="" if legacy_id == item_id else legacy_id,
        )
        items.setdefault(item_id, item)  # the same letter under two forms of its address
    return FeedContent(title=spec.name, items=tuple(items.values()))
