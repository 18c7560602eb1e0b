"""Atom 1.0 (RFC 4287) feeds of published changes: a pure renderer, values in, bytes out.

``render`` writes a feed with lxml (``id``, ``title``, ``updated``, ``author``, ``link``
``rel="self"`` and ``rel="alternate"``; per entry ``id``, ``title``, ``updated``,
``published``, ``author``, ``link rel="alternate"`` to our change page and ``rel="related"``
to the publisher's page, ``category`` per subtopic, and ``content type="html"``).

Text from the web is untrusted. The entry content is HTML we build ourselves from plain text
(``change_html``): every piece of source text is escaped, the only markup is ours (``p``,
``del``, ``ins``, ``a`` with an http(s) address), so a feed reader shows the text and runs
nothing. Characters XML 1.0 cannot hold (C0 controls, lone surrogates, U+FFFE/U+FFFF) are
dropped before anything is written (``xml_text``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from urllib.parse import urlsplit

from lxml import etree

from notifier.textsafe import ascii_host, clean

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
#: the ``updated`` of a feed without entries (fixed, so its bytes and ETag are stable)
EMPTY_UPDATED = datetime(2026, 1, 1, tzinfo=UTC)
#: how much of a change's word diff an entry carries
MAX_DIFF_CHARS = 6000
#: how much of the summary
MAX_SUMMARY_CHARS = 4000
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class AtomEntry:
    id: str  # a URI, stable for the change
    title: str
    link: str  # our change page
    updated: datetime
    published: datetime
    author: str  # the publisher
    content_html: str  # from ``change_html``: escaped text in our own markup
    related: str = ""  # the publisher's page
    categories: tuple[tuple[str, str], ...] = ()  # (term, label)


@dataclass(frozen=True)
class AtomFeed:
    id: str
    title: str
    self_url: str
    alternate_url: str
    author: str
    lang: str
    entries: tuple[AtomEntry, ...]
    subtitle: str = ""

    @property
    def updated(self) -> datetime:
        return max((e.updated for e in self.entries), default=EMPTY_UPDATED)


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold, nor those no reader should get
    (``textsafe.clean``: bidi overrides, zero-width characters, lone surrogates) (pure)."""
    return _NOT_XML.sub("", clean(text))


def one_line(text: str, limit: int = 500) -> str:
    """``text`` as one line of at most ``limit`` characters (titles)."""
    line = " ".join(xml_text(text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def safe_url(url: str) -> str:
    """``url`` if it is an absolute http(s) address without spaces or controls, else ""."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    if any(ch.isspace() for ch in url) or _NOT_XML.search(url) or "\x7f" in url:
        return ""
    # the host in ASCII: a homograph shows as the different name it is (``textsafe``)
    return ascii_host(clean(url))


def atom_time(value: datetime) -> str:
    """RFC 3339 in UTC, whole seconds: ``2026-11-23T08:00:00Z``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def change_html(
    summary: str,
    diff: Sequence[Sequence[str]],
    source_url: str,
    source_label: str,
) -> str:
    """The HTML of an entry, from plain text only: the summary in paragraphs, the word diff
    with ``del``/``ins``, and a link to the publisher's page (http(s) only). Every text is
    escaped; nothing of the source's own markup survives (pure)."""
    parts: list[str] = []
    for para in xml_text(_cut(summary.strip(), MAX_SUMMARY_CHARS)).split("\n\n"):
        if para.strip():
            parts.append(f"<p>{escape(' '.join(para.split()))}</p>")
    pieces: list[str] = []
    used = 0
    for segment in diff:
        if len(segment) != 2 or used >= MAX_DIFF_CHARS:
            continue
        op, text = str(segment[0]), xml_text(_cut(str(segment[1]), MAX_DIFF_CHARS - used))
        used += len(text)
        tag = {"-": "del", "+": "ins"}.get(op)
        pieces.append(f"<{tag}>{escape(text)}</{tag}>" if tag else escape(text))
    if pieces:
        parts.append("<p>" + "".join(pieces) + "</p>")
    url = safe_url(source_url)
    if url:
        parts.append(f'<p><a href="{escape(url)}">{escape(one_line(source_label))}</a></p>')
    return "\n".join(parts)


def render(feed: AtomFeed) -> bytes:
    """The feed as UTF-8 Atom XML (pure)."""
    root = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})  # type: ignore[dict-item]
    root.set(XML_LANG, feed.lang)
    _text(root, "id", feed.id)
    _text(root, "title", one_line(feed.title))
    if feed.subtitle:
        _text(root, "subtitle", one_line(feed.subtitle))
    _text(root, "updated", atom_time(feed.updated))
    _author(root, feed.author)
    _link(root, "self", feed.self_url, "application/atom+xml")
    _link(root, "alternate", feed.alternate_url, "text/html")
    _text(root, "generator", "Helsevarsel")
    for entry in feed.entries:
        node = etree.SubElement(root, f"{{{ATOM_NS}}}entry")
        _text(node, "id", entry.id)
        _text(node, "title", one_line(entry.title))
        _text(node, "updated", atom_time(entry.updated))
        _text(node, "published", atom_time(entry.published))
        _author(node, entry.author)
        _link(node, "alternate", entry.link, "text/html")
        related = safe_url(entry.related)
        if related:
            _link(node, "related", related, "text/html")
        for term, label in entry.categories:
            category = etree.SubElement(node, f"{{{ATOM_NS}}}category")
            category.set("term", xml_text(term))
            category.set("label", one_line(label))
        content = _text(node, "content", entry.content_html)
        content.set("type", "html")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def etag(*parts: object) -> str:
    """A strong entity tag from what decides a feed's bytes (pure)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8", "replace"))
    return f'"{digest.hexdigest()[:32]}"'


def _text(parent: etree._Element, name: str, value: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{ATOM_NS}}}{name}")
    node.text = xml_text(value)
    return node


def _author(parent: etree._Element, name: str) -> None:
    author = etree.SubElement(parent, f"{{{ATOM_NS}}}author")
    _text(author, "name", one_line(name) or "Helsevarsel")


def _link(parent: etree._Element, rel: str, href: str, media_type: str) -> None:
    link = etree.SubElement(parent, f"{{{ATOM_NS}}}link")
    link.set("rel", rel)
    link.set("type", media_type)
    link.set("href", xml_text(href))
