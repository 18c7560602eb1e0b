"""Reading: a fetched body to our own values (``feeds.types``), one reader per source kind.

``READERS`` is the one table of source kinds: the catalogue admits exactly these kinds and asks
of each source what its reader declares (``feeds.read.reader``), and a check fetches, reads and
compares a source as its reader says. A new kind of source is one module with its reader and
one row here (and its name in the console's texts, ``notifier/web/texts_sources.py``).

    kind        reader                                  module
    feed        RSS/Atom items                          feed (feedxml: the DTD, read by us)
    page        sections of one HTML page (+ its PDFs)  page (html, normalize, selectors, pdf)
    document    a guide's chapters from its contents    document
    listing     a list of links, each one an item       listing
    changelog   the publisher's own list of changes     changelog
    hapi        Helsedirektoratet's content API (JSON)  hapi
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from feeds.read.changelog import ChangelogReader
from feeds.read.document import DocumentReader
from feeds.read.feed import FeedReader
from feeds.read.hapi import HapiReader
from feeds.read.listing import ListingReader
from feeds.read.page import WebPageReader
from feeds.read.reader import ItemReader, PageInput, PageRead, PageReader, Reader

if TYPE_CHECKING:
    from feeds.catalogue import SourceSpec

__all__ = [
    "READERS",
    "ItemReader",
    "PageInput",
    "PageRead",
    "PageReader",
    "Reader",
    "reader_for",
]

#: every source kind and its reader
READERS: Mapping[str, Reader] = MappingProxyType(
    {
        reader.kind: reader
        for reader in (
            FeedReader(),
            WebPageReader(),
            DocumentReader(),
            ListingReader(),
            ChangelogReader(),
            HapiReader(),
        )
    }
)


def reader_for(spec: SourceSpec) -> Reader:
    """The reader of a source's kind (the catalogue admits no other kinds)."""
    return READERS[spec.kind]
