"""The linked parts of a source, fetched: a document's chapters, a page's PDF attachments.

The I/O half of ``feeds.read.document``: ``fetch_linked`` fetches the linked pages through the
shared Fetcher, so per-host politeness stays the fetcher's job, and turns every failure into a
note on that link.
"""

from __future__ import annotations

import asyncio

from feeds.catalogue import SourceSpec
from feeds.errors import FeedsError, SourceProblem
from feeds.fetch.client import Fetcher
from feeds.read import reader_for
from feeds.read.document import NO_CHAPTERS
from feeds.types import FetchResult, Link, Linked, Parts, PartState, Validators


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
    reader = reader_for(spec)
    if result.not_modified:
        links = tuple(Link(url, part.title) for url, part in known.items())
        if reader.contents and not links:
            raise SourceProblem(NO_CHAPTERS)
    else:
        links = reader.links(spec, result)
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
