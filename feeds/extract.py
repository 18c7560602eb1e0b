"""Extraction: fetched bytes to our own values (``FeedContent``, ``PageContent``).

Nothing past this module sees a ``FeedParserDict`` or an lxml element. Pages are parsed with
lxml (its HTML parser is ~20x cheaper than BeautifulSoup's on the same tree, perf-notes.md);
feeds with feedparser, from bytes, after refusing any document that declares XML entities.
"""

from __future__ import annotations

import hashlib
import io
import re
import xml.sax
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import feedparser
import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import soupparser

from feeds.errors import SourceProblem
from feeds.normalize import clean_text, decode_body, strip_noise

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCKS = frozenset(
    {
        "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th", "caption",
        "section", "article", "blockquote", "pre", "figure", "figcaption", "br", "hr",
        "details", "summary", "main", "header", "footer", "address",
    }
)  # fmt: skip
_ALWAYS_DROP = ("script", "style", "noscript", "template", "svg", "iframe", "object", "form")
_FALLBACK_DROP = ("nav", "header", "footer", "aside")
_FALLBACK_MAIN = ("main", "[role=main]", "article", "#content", "#main-content", "body")
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_PROBLEM_PAGES = tuple(
    re.compile(p, re.I)
    for p in (
        r"just a moment\.\.\.|checking your browser|cf-challenge|enable javascript and cookies",
        r"\bcaptcha\b|are you a robot|er du en robot",
        r"under maintenance|temporarily unavailable|service unavailable|scheduled maintenance",
        r"(vi )?(utfører|gjer|gjør) vedlikehold|midlertidig utilgjengelig|mellombels utilgjengeleg",
        r"nettstedet er (nede|utilgjengelig)|siden er midlertidig nede",
        r"(siden|sida) (finnes|finst) ikke|(siden|sida) (ble|vart) ikke funnet|page not found",
        r"^(error|feil)\b|internal server error|noe gikk galt|noko gjekk gale",
    )
)
_PROBLEM_MAX_CHARS = 1500
_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")


@dataclass(frozen=True)
class Section:
    """A part of a page under one heading path; ``text`` is normalised, one line per block."""

    path: tuple[str, ...]
    text: str

    @property
    def digest(self) -> str:
        return hashlib.sha256("\x1f".join((*self.path, self.text)).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class PageContent:
    title: str
    sections: tuple[Section, ...]

    @property
    def text_length(self) -> int:
        return sum(len(s.text) for s in self.sections)

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for s in self.sections:
            h.update(s.digest.encode())
        return h.hexdigest()[:32]


@dataclass(frozen=True)
class FeedItem:
    item_id: str
    title: str
    link: str
    summary: str
    published: datetime | None = None
    updated: datetime | None = None

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"{self.title}\x1f{self.summary}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class FeedContent:
    title: str
    items: tuple[FeedItem, ...] = field(default_factory=tuple)


# ----------------------------------------------------------------------------- feeds


def extract_feed(body: bytes, headers: Mapping[str, str] | None = None) -> FeedContent:
    """Parse an RSS/Atom document; a document feedparser cannot read as a feed is a problem."""
    if _ENTITY_DECL.search(body[:65536]):
        raise SourceProblem("the feed declares XML entities; refused (XXE / entity expansion)")
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={k.lower(): v for k, v in (headers or {}).items()},
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
    items: dict[str, FeedItem] = {}
    for entry in entries:
        item = _feed_item(entry)
        items.setdefault(item.item_id, item)
    feed_info = parsed.get("feed") or {}
    return FeedContent(
        title=clean_text(str(feed_info.get("title", ""))), items=tuple(items.values())
    )


def _feed_item(entry: dict[str, Any]) -> FeedItem:
    title = clean_text(html_to_text(str(entry.get("title", ""))))
    link = canonical_url(str(entry.get("link", "")))
    summary = _entry_summary(entry)
    guid = str(entry.get("id") or "").strip()
    identity = f"guid:{guid}" if guid else f"link:{link}" if link else f"text:{title}\x1f{summary}"
    return FeedItem(
        item_id=hashlib.sha256(identity.encode()).hexdigest()[:32],
        title=title,
        link=link,
        summary=summary,
        # dict.get: feedparser's own get() maps updated->published with a DeprecationWarning
        published=_entry_time(dict.get(entry, "published_parsed")),
        updated=_entry_time(dict.get(entry, "updated_parsed")),
    )


def _entry_summary(entry: dict[str, Any]) -> str:
    summary = entry.get("summary")
    if not summary:
        content = entry.get("content") or []
        summary = content[0].get("value", "") if content else ""
    lines = (strip_noise(line) for line in html_to_text(str(summary or "")).split("\n"))
    return "\n".join(line for line in lines if line)


def _entry_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime(*tuple(value)[:6]).replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def canonical_url(url: str) -> str:
    """Drop tracking parameters and the fragment, so the same link has one identity; a
    non-HTTP link becomes ''."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return ""  # javascript:, data: and the like never reach a reader
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PARAMS)
    ]  # fmt: skip
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment, block elements on lines of their own; '' for empty input."""
    if "<" not in fragment and "&" not in fragment:
        return clean_text(fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return clean_text(fragment)
    _drop_elements(root, _ALWAYS_DROP)
    return "\n".join(_block_lines(root))


# ----------------------------------------------------------------------------- pages


def extract_page(
    body: bytes,
    headers: Mapping[str, str] | None = None,
    selector: str | None = None,
    drop: Sequence[str] = (),
) -> PageContent:
    """Main content of a page as sections; a page that is no real content is a problem."""
    text = decode_body(body, headers)
    if not text.strip():
        raise SourceProblem("the page is empty")
    root = _parse_html(text)
    title = clean_text(root.findtext(".//title") or "")
    _drop_elements(root, _ALWAYS_DROP)
    main = _main_element(root, selector)
    if main is None:
        raise SourceProblem(
            f"the content selector {selector!r} matched nothing: the page layout may have changed"
        )
    if not selector:
        _drop_elements(main, _FALLBACK_DROP)
    for css in drop:
        _drop_elements(main, (css,))
    sections = tuple(_sections(main))
    _refuse_problem_page(title, sections)
    return PageContent(title=title, sections=sections)


def _parse_html(text: str) -> Any:
    """lxml's parser first (fast); BeautifulSoup, through lxml's soupparser, for markup that
    libxml2 refuses. An XML declaration (XHTML) is dropped: the text is decoded already."""
    text = _XML_DECLARATION.sub("", text, count=1)
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        pass
    try:
        return soupparser.fromstring(text)
    except Exception as exc:
        raise SourceProblem(f"the page cannot be parsed as HTML: {exc}") from exc


def _main_element(root: Any, selector: str | None) -> Any:
    for css in (selector,) if selector else _FALLBACK_MAIN:
        found = _select(root, css)
        if found:
            if len(found) == 1:
                return found[0]
            wrapper = lxml.html.Element("div")
            wrapper.extend(found)
            return wrapper
    return None


def _select(root: Any, css: str) -> list[Any]:
    return list(CSSSelector(css)(root))  # type: ignore[arg-type]


def _drop_elements(root: Any, selectors: Sequence[str]) -> None:
    for css in selectors:
        for el in _select(root, css):
            parent = el.getparent()
            if parent is not None:
                el.drop_tree()


def _refuse_problem_page(title: str, sections: Sequence[Section]) -> None:
    length = sum(len(s.text) for s in sections)
    if length == 0 and not any(s.path for s in sections):
        raise SourceProblem("the main content is empty")
    if length > _PROBLEM_MAX_CHARS:
        return
    sample = " ".join([title, *(" ".join((*s.path, s.text)) for s in sections)])
    for pattern in _PROBLEM_PAGES:
        m = pattern.search(sample)
        if m:
            raise SourceProblem(
                f"looks like an error, maintenance or challenge page («{m.group(0)}»)"
            )


def _sections(main: Any) -> Iterator[Section]:
    """Split the main content at its headings; each section keeps its heading path."""
    path: list[tuple[int, str]] = []
    lines: list[str] = []

    def current() -> Section:
        return Section(tuple(h for _, h in path), "\n".join(lines))

    for kind, value in _walk(main):
        if kind == "heading":
            level, heading = value
            if lines or not path:
                if lines:
                    yield current()
                lines = []
            path = [(lvl, h) for lvl, h in path if lvl < level]
            path.append((level, heading))
        else:
            line = strip_noise(clean_text(value[1]))
            if line:
                lines.append(line)
    if lines:
        yield current()


def _walk(main: Any) -> Iterator[tuple[str, tuple[int, str]]]:
    """Yield ('heading', (level, text)) and ('line', (0, text)) in document order."""
    buffer: list[str] = []
    for event, el in etree.iterwalk(main, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in HEADINGS:
                yield from _flush(buffer)
                heading = clean_text(el.text_content())
                if heading:
                    yield "heading", (int(tag[1]), heading)
                continue
            if tag in _BLOCKS:
                yield from _flush(buffer)
            if el.text and not _inside_heading(el):
                buffer.append(el.text)
        else:
            if tag in _BLOCKS or tag in HEADINGS:
                yield from _flush(buffer)
            if el.tail and el is not main and not _inside_heading(el.getparent()):
                buffer.append(el.tail)
    yield from _flush(buffer)


def _inside_heading(el: Any) -> bool:
    while el is not None:
        if isinstance(el.tag, str) and el.tag in HEADINGS:
            return True
        el = el.getparent()
    return False


def _flush(buffer: list[str]) -> Iterator[tuple[str, tuple[int, str]]]:
    if buffer:
        text = "".join(buffer)
        buffer.clear()
        if text.strip():
            yield "line", (0, text)


def _block_lines(root: Any) -> list[str]:
    out = []
    for _kind, (_level, text) in _walk(root):
        line = clean_text(text)
        if line:
            out.append(line)
    return out
