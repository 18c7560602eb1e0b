"""The ``feed`` reader's parsing: an RSS or Atom document to ``FeedContent``.

Feeds are parsed with feedparser, from text we decoded and checked ourselves
(``feeds.read.feedxml``): whatever its encoding, feedparser is handed the characters from the
root element on, as UTF-8, and never a DOCTYPE; the simple entities a DOCTYPE declares are
expanded by us, bounded, and a feed whose DTD cannot be read that way is a problem. An item's
identity survives the forms of its link and GUID (``item_identity``).
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import xml.sax
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urljoin

import feedparser

from feeds.errors import SourceProblem
from feeds.read.feedxml import feed_document
from feeds.read.html import attachment_name, canonical_url, html_to_text, identity_url
from feeds.read.normalize import clean_text, strip_noise
from feeds.read.reader import ItemReader
from feeds.types import FeedContent, FeedItem, FetchResult, cut_elsewhere

if TYPE_CHECKING:
    from feeds.catalogue import SourceSpec

#: a GUID that is an address (scheme, or a host with a www. form)
_ADDRESS_GUID = re.compile(r"(?:https?://|www\.)", re.I)
#: a path segment that is or ends in a page's stable numeric id (regjeringen.no's
#: ".../nye-krav-til-smittevernplan/id3101122/", a CMS's ".../nye-krav-id3101122"): the
#: slug before the token follows the title, the token stays (``link_key``)
_ID_SEGMENT = re.compile(r"(?:(.+)[-_.])?(id\d{5,})", re.I)


class FeedReader(ItemReader):
    """``feed``: the items of an RSS or Atom document."""

    kind = "feed"
    match_by_text = True

    def read(self, spec: SourceSpec, result: FetchResult) -> FeedContent:
        return extract_feed(result.body, result.headers, result.url)


def extract_feed(
    body: bytes, headers: Mapping[str, str] | None = None, base_url: str = ""
) -> FeedContent:
    """Parse an RSS/Atom document; a document feedparser cannot read as a feed is a problem.
    The parser never sees a DTD: the entities a DOCTYPE declares are read and expanded by us,
    bounded, or the feed is a problem (``feeds.read.feedxml``). An item's relative link
    (``/nyheter/x``: no xml:base resolved it) is read against ``base_url``, the address the
    feed was fetched from; without one it is no link ('')."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    document = feed_document(body, lowered)
    # The charset is ours now: the text was decoded, checked and re-encoded as UTF-8.
    lowered["content-type"] = "application/xml; charset=utf-8"
    parsed = feedparser.parse(
        io.BytesIO(document),
        response_headers=lowered,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    entries: Sequence[Any] = parsed.get("entries") or []
    version = parsed.get("version") or ""
    problem = parsed.get("bozo_exception")
    if isinstance(problem, xml.sax.SAXException):
        # A feed that is not well-formed (truncated, broken markup) would be salvaged by
        # feedparser's loose parser into half items; we keep the last good version instead.
        raise SourceProblem(f"the feed is not well-formed XML: {problem}")
    if not entries and (problem or not version):
        raise SourceProblem(f"not a readable feed: {problem or 'no RSS or Atom root element'}")
    read = [_read_entry(entry, base_url) for entry in entries]
    shared = shared_keys(read)
    items: dict[str, FeedItem] = {}
    for entry, fields in zip(entries, read, strict=True):
        item = _feed_item(entry, fields, shared)
        items.setdefault(item.item_id, item)
    feed_info = parsed.get("feed") or {}
    built = _entry_time(dict.get(feed_info, "updated_parsed")) or _entry_time(
        dict.get(feed_info, "published_parsed")
    )
    return FeedContent(
        title=clean_text(str(feed_info.get("title", ""))),
        items=tuple(items.values()),
        updated=built.isoformat() if built is not None else None,
    )


class _Entry(NamedTuple):
    """What identifies an entry, read from it."""

    guid: str
    link: str  # canonical
    title: str
    summary: str
    content: str


def _read_entry(entry: dict[str, Any], base_url: str) -> _Entry:
    title = _escaped_twice(clean_text(html_to_text(str(entry.get("title", "")))))
    link = canonical_url(item_link(str(entry.get("link", "")), base_url))
    summary = _entry_summary(entry)
    content = _entry_content(entry, summary)
    guid = str(entry.get("id") or "").strip()
    return _Entry(guid, link, title, summary, content)


def shared_keys(entries: Sequence[_Entry]) -> frozenset[str]:
    """The GUIDs and links (in their identity forms, ``guid:``/``link:`` keys) that more than
    one item of a feed carries: no identity. A CMS that gives every item the feed's address
    as its GUID, or links every item to the news page, would otherwise make its items one
    item (the first), and every new item an edit of it. The same item printed twice (the
    same title and text) is one item and shares nothing."""
    owners: dict[str, set[tuple[str, str, str]]] = {}
    for e in entries:
        text = (e.title, e.summary, e.content)
        if e.guid:
            owners.setdefault(f"guid:{identity_guid(e.guid)}", set()).add(text)
        if e.link:
            owners.setdefault(f"link:{link_key(e.link)}", set()).add(text)
    return frozenset(k for k, texts in owners.items() if len(texts) > 1 and not _one_item(texts))


def _one_item(texts: set[tuple[str, str, str]]) -> bool:
    """Whether the texts under one GUID or link are one item printed twice, once cut
    shorter (blind round 209): the same title, and each summary and content the longest
    one's or that text cut at another length (``cut_elsewhere``): a repeat, not a CMS's
    shared GUID."""
    if len({title for title, _, _ in texts}) != 1:
        return False
    _, summary, content = max(texts, key=lambda t: len(t[1]) + len(t[2]))
    return all(
        (s == summary or cut_elsewhere(s, summary)) and (c == content or cut_elsewhere(c, content))
        for _, s, c in texts
    )


def _feed_item(entry: dict[str, Any], fields: _Entry, shared: frozenset[str]) -> FeedItem:
    guid, link, title, summary, content = fields
    # a GUID or link shared by other items identifies none of them (``shared_keys``)
    if guid and f"guid:{identity_guid(guid)}" in shared:
        guid = ""
    key_link = "" if link and f"link:{link_key(link)}" in shared else link
    item_id = item_identity(guid, key_link, title, summary)
    legacy = (
        f"guid:{guid}" if guid else f"link:{key_link}" if key_link else f"text:{title}\x1f{summary}"
    )
    legacy_id = _hash_id(legacy)
    return FeedItem(
        item_id=item_id,
        title=title,
        link=link,
        summary=summary,
        # dict.get: feedparser's own get() maps updated->published with a DeprecationWarning
        published=_entry_time(dict.get(entry, "published_parsed")),
        updated=_entry_time(dict.get(entry, "updated_parsed")),
        content=content,
        legacy_id="" if legacy_id == item_id else legacy_id,
        enclosures=_enclosures(entry),
        former_id=former_guid_identity(guid) if guid else "",
    )


def _enclosures(entry: dict[str, Any]) -> tuple[str, ...]:
    """The file names of the documents an entry encloses (RSS ``<enclosure>``, Atom
    ``<link rel="enclosure">``), sorted, each once: a file's name, not its folder or length
    (``attachment_name``); an image or a sound is no document."""
    found = entry.get("enclosures") or ()  # FeedParserDict: gathered from the links
    names = {attachment_name(str(e.get("href") or "").strip()) for e in found}
    names.discard("")
    return tuple(sorted(names))


def item_link(link: str, base_url: str) -> str:
    """An item's link made absolute against ``base_url`` (when there is one; a link with a
    scheme of its own stays as it is)."""
    link = link.strip()
    return urljoin(base_url, link) if link and base_url else link


def item_identity(guid: str, link: str, title: str = "", text: str = "") -> str:
    """A feed item's identity: its GUID, else its link, else its title and text; GUIDs that
    are addresses and links in their identity form (``identity_url``), so a publisher that
    changes the host form, scheme, trailing slash, percent-encoding or tracking parameters of
    every link and GUID at once still has the same items."""
    guid = guid.strip()
    if guid:
        return _hash_id(f"guid:{identity_guid(guid)}")
    key = link_key(link)
    if key:
        return _hash_id(f"link:{key}")
    return _hash_id(f"text:{title}\x1f{text}")


#: a law or regulation's document at Lovdata, by its kind and id, in any of its addresses
_LOVDATA_DOCUMENT = re.compile(
    r"lovdata\.no/(?:dokument/)?(?:[A-Za-z]{2,4}/)?(lov|forskrift)/(\d{4}-\d{2}-\d{2}-\d+)(?:[/?#]|$)",
    re.I,
)


def link_key(link: str) -> str:
    """A link as an item's identity: its ``identity_url`` with the slug around a stable
    numeric id token set aside (``_ID_SEGMENT``: "id" and five digits or more, a segment of
    its own or a segment's end). A CMS that writes the slug from the title changes the link
    when the title is edited and keeps the token: the same item, edited. The slug is the
    segment before a token of its own (".../aktuelt/<slug>/id3101122" -> ".../aktuelt/
    id3101122"), or what comes before the token in its segment; links that differ in the
    token are different items. '' for a non-HTTP link."""
    key = identity_url(link)
    if "lovdata" in key and (act := _LOVDATA_DOCUMENT.search(key)) is not None:
        # Lovdata's document in its long or short address ("/dokument/LTI/forskrift/<id>",
        # "/LTI/forskrift/<id>", blind round 229): one document, one identity
        return f"lovdata.no/{act[1].lower()}/{act[2]}"
    if "id" not in key.lower():
        return key
    path, mark, query = key.partition("?")
    segments = path.split("/")  # the first is the host
    for at in range(len(segments) - 1, 0, -1):
        found = _ID_SEGMENT.fullmatch(segments[at])
        if found is None:
            continue
        if found.group(1):
            segments[at] = found.group(2)
        elif at > 1:
            del segments[at - 1]
        return "/".join(segments) + mark + query
    return key


def former_identity(link: str) -> str:
    """The identity an item without a GUID had before ``link_key`` set the slug of its link
    aside (its ``identity_url``): how a snapshot stored before knows the item
    (``feeds.detect.diff.match_items``); '' where the two are the same."""
    key = identity_url(link)
    return _hash_id(f"link:{key}") if key and link_key(link) != key else ""


def _hash_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _entry_summary(entry: dict[str, Any]) -> str:
    summary = entry.get("summary")
    if not summary:
        content = entry.get("content") or []
        summary = content[0].get("value", "") if content else ""
    return _item_text(str(summary or ""))


def _entry_content(entry: dict[str, Any], summary: str) -> str:
    """The item's full text (every Atom <content>, RSS content:encoded), unless it is just
    what the summary says (feedparser copies a lone content into the summary)."""
    texts: list[str] = []
    for part in entry.get("content") or ():
        text = _item_text(str(part.get("value", "") or ""))
        if text and text != summary and text not in texts:
            texts.append(text)
    return "\n".join(texts)


def _item_text(fragment: str) -> str:
    lines = (strip_noise(line) for line in _escaped_twice(html_to_text(fragment)).split("\n"))
    return "\n".join(line for line in lines if line)


#: an HTML character reference left in an item's text once its HTML is read ("&quot;",
#: "&amp;", "&#248;"): the publisher escaped the text twice
_ENTITY_LEFT = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,30}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")


def _escaped_twice(text: str) -> str:
    """An item's text (or title) with character references that were escaped twice read
    once more: a CMS that escapes "&" again sends "&amp;quot;" and readers would be shown
    "&quot;" for a quotation mark, and told the item changed when only the escaping did
    (blind round 38). Only where such a reference is left; at most once more."""
    if "&" not in text or not _ENTITY_LEFT.search(text):
        return text
    return "\n".join(clean_text(line) for line in html.unescape(text).split("\n"))


def _entry_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime(*tuple(value)[:6]).replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def identity_guid(guid: str) -> str:
    """A GUID as an identity: one that is an address as a link is (``link_key``: its
    ``identity_url`` form, the slug around a stable id token set aside: regjeringen.no's
    permalink GUIDs follow the title, "…/rettelse-styrkjer-…/id3101105/"), any other (a
    number, a tag: or urn: URI) as it is."""
    guid = guid.strip()
    if _ADDRESS_GUID.match(guid):
        address = guid if "://" in guid[:8] else f"https://{guid}"
        return link_key(address) or guid
    return guid


def former_guid_identity(guid: str) -> str:
    """The identity an item with an address GUID had before its slug was set aside (the
    whole ``identity_url``): how a snapshot stored before knows the item
    (``feeds.detect.diff.match_items``); '' where the two are the same."""
    guid = guid.strip()
    if not _ADDRESS_GUID.match(guid):
        return ""
    address = guid if "://" in guid[:8] else f"https://{guid}"
    whole = identity_url(address)
    return _hash_id(f"guid:{whole}") if whole and link_key(address) != whole else ""
