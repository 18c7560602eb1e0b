"""The ``listing`` reader: a list of letters or news without a feed, read as a feed. Every
matching link is an item whose identity is the link's identity form
(``feeds.read.feed.item_identity``), so each new link is a new item.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from feeds.errors import SourceProblem
from feeds.read.feed import item_identity
from feeds.read.html import extract_listed
from feeds.read.reader import ItemReader
from feeds.types import FeedContent, FeedItem, FetchResult

if TYPE_CHECKING:
    from feeds.catalogue import SourceSpec


def listing_feed(spec: SourceSpec, result: FetchResult) -> FeedContent:
    """A list of letters or news without a feed, as a feed: every matching link is an item
    whose identity is its canonical URL, so each new link is a new item; dated by the date its
    item in the list shows, if any, and with the teaser it shows (``extract_listed``)."""
    links = extract_listed(
        result.body, result.url or spec.url, result.headers, spec.link_selector, spec.link_pattern
    )
    if not links:
        raise SourceProblem("the listing shows no matching links: has the layout changed?")
    items: dict[str, FeedItem] = {}
    for link, day, teaser in links:
        item_id = item_identity("", link.url)
        # the identity of a link before identities were canonical, for older snapshots
        legacy_id = hashlib.sha256(f"link:{link.url}".encode()).hexdigest()[:32]
        item = FeedItem(
            item_id=item_id,
            title=link.title,
            link=link.url,
            summary="",
            published=datetime(day.year, day.month, day.day) if day is not None else None,
            legacy_id="" if legacy_id == item_id else legacy_id,
            teaser=teaser,
        )
        items.setdefault(item_id, item)  # the same letter under two forms of its address
    return FeedContent(title=spec.name, items=tuple(items.values()))


class ListingReader(ItemReader):
    """``listing``: a list of letters or news without a feed (``link_selector`` or
    ``link_pattern`` pick its links)."""

    kind = "listing"
    link_rule = True

    def read(self, spec: SourceSpec, result: FetchResult) -> FeedContent:
        return listing_feed(spec, result)
