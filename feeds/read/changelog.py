"""The ``changelog`` kind: a publisher's own list of changes, read as a feed.

Some guides keep a page of what changed in them, row by row: FHI's 'Siste oppdateringer i
koronaveilederen' had one table 'Kapittel | Endret/nytt' under each date heading ('17. mars
2021'); later versions listed the chapters under date headings or accordion buttons
('17.06.2022'). Each row becomes one ``FeedItem``, so ``diff_feed`` reports a new row as
``new`` and an edited description as ``changed``. Pure: bytes in, values out.

What is read, inside ``spec.selector`` (or the generic main content), in document order:

- *date markers*: a heading (``h1``-``h6``) or a short element (a paragraph, a button, a
  ``dt``, a caption, a full-width table row) whose whole text is a date: '12. mars 2021',
  '12.03.2021', '2021-03-12', optionally after a weekday or 'Endringer'. A date holds until
  the next date, or until a heading without a date at the same or a higher level ('Mars 2022',
  'Relaterte lenker').
- *tables*: the header row gives the columns: the chapter ('Kapittel', 'Artikkel', 'Tittel',
  ...), the description ('Endret/nytt', 'Endring', 'Beskrivelse', 'Hva er endret', ...; when
  two columns qualify, the last one is the description and the other the kind), and an
  optional date ('Dato'); without a header, 'date | chapter | description' when the first cell
  is a date, else 'chapter | description'. A row without its own date takes the one above it
  in its table, else the date marker in force. ``rowspan``/``colspan`` are honoured.
- *lists*: under a date, each list item is a row: its chapter is the link (or the first line)
  it starts with, the rest is the description. Lists of in-page anchors (a table of contents)
  are skipped.
- *definition lists*: ``dt`` chapter + ``dd`` description under a date, or ``dt`` date +
  ``dd`` rows.

Rows without a date are not change rows. A page without change rows raises ``SourceProblem``.

Identity: a hash of (date, chapter, chapter link in its identity form), never of the
description, so an edited description is an update of the same item; the n-th repeat of the
same chapter on the same date is a distinct row (FHI lists a chapter twice on one day), but a
row printed twice word for word is one. Title: 'Nytt: <chapter>'
when the row's kind cell says new ('Nytt', 'Ny artikkel'), or, without a kind cell, when the
description starts with 'Nytt kapittel', 'Ny artikkel', 'Ny side' or the like; otherwise
'Endret: <chapter>' (bokmål on nynorsk pages too: it is our wording, not the publisher's).

Relabelling: a row whose chapter is a link names that link; renaming it ('Kontraindikasjoner
og forsiktighetsregler' -> 'Kontraindikasjoner') re-keys the row but says nothing new. Such a
row's item carries its link in identity form (``FeedItem.anchor``) and the digest of its kind
and description (``FeedItem.gist``), so a renamed row with the same date, link, kind and
description is known as the row it was and is no edit (``feeds.detect.diff.match_items``).
A row without a link of its own carries neither: its chapter is all it says of where the
change was, and a new chapter there is news.

The page is untrusted: scripts, styles and embedded objects are dropped before reading, only
text is kept, links that are not http(s) fall back to the page address, texts are capped and
only the newest ``MAX_ITEMS`` rows are kept.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from lxml import etree

from feeds.errors import SourceProblem
from feeds.read.html import (
    BLOCKS,
    FALLBACK_DROP_CSS,
    FALLBACK_MAIN,
    HEADING_SET,
    canonical_url,
    drop_elements,
    identity_url,
    parse_page,
    select,
    table_grid,
)
from feeds.read.normalize import clean_text, compile_noise, parse_date
from feeds.read.reader import ItemReader
from feeds.types import FeedContent, FeedItem, FetchResult, label_gist

if TYPE_CHECKING:
    from feeds.catalogue import SourceSpec

#: only the newest rows are kept as items
MAX_ITEMS = 500
#: rows read at most (document order) before the newest are chosen
MAX_ROWS = 20000
MAX_CHAPTER_CHARS = 300
MAX_SUMMARY_CHARS = 2000

_UNTRUSTED = "script, style, noscript, template, svg, math, iframe, object, embed, frame, frameset"
#: elements whose whole text may be a date marker
_MARKERS = frozenset(
    {"p", "div", "span", "strong", "b", "em", "button", "summary", "time", "caption", "dt"}
)
#: elements that end a line of a cell or an item: the page extraction's, and headings
_BLOCKS = BLOCKS | HEADING_SET
_CONTAINERS = "ul, ol, dl, table"
#: not a heading level: a marker of this level is ended by any heading without a date
_NO_LEVEL = 7
#: no date marker or date cell is longer than this
_DATE_MAX = 60
#: a date marker is a small element ('<h3><button><span>17.06.2022</span></button></h3>')
_MARKER_NODES = 6
#: no column name is longer than this
_HEADER_MAX = 40

_DATE_ONLY = re.compile(
    r"^(?:(?:endringer|endringar|oppdateringer|oppdateringar)\s+)?"
    r"(?:(?:man|tirs|tys|ons|tors|fre|lør|laur|søn|sun|mån)dag\s*,?\s*)?(?:den\s+)?"
    r"(\d{1,2}\.\s*(?:\d{1,2}\.\s*|[a-zæøå]+\.?\s*)\d{4}|\d{4}-\d{2}-\d{2})\s*:?$",
    re.I,
)
_DATE_HEAD = re.compile(r"(dato|endringsdato|dato for endring(a)?|date)", re.I)
_CHAPTER_HEAD = re.compile(
    r"(kapittel|kapitler|kapitel|artikkel|artikler|artiklar|tittel|side|sida|avsnitt|tema"
    r"|dokument|del|(kapittel|artikkel|side) ?/ ?(kapittel|artikkel|avsnitt|side))",
    re.I,
)
_CHANGE_HEAD = re.compile(
    r"((endret|endra|nytt|ny) ?/ ?(endret|endra|nytt|ny)|endret|endra|nytt|endring(er|ar)?"
    r"|beskrivelse|skildring|omtale|(hva|kva) er (endret|endra|nytt)|merknad|kommentar"
    r"|type( endring)?|status)",
    re.I,
)
_NEW_KIND = re.compile(r"^(ny|nytt|nye)\b", re.I)
_NEW_DESCRIPTION = re.compile(
    r"^(?:helt\s+)?(?:ny|nytt|nye)(?:\s*[.:!]|\s*$|\s+(?:kapittel|kapitler|artikkel|artikler"
    r"|artiklar|side|sider|sida|sidene|veileder|rettleiar|rettleiaren)\b)",
    re.I,
)
_LEAD_PUNCTUATION = " :;,.–—-"


@dataclass(frozen=True)
class _Row:
    """One change row as read from the page, before it becomes a FeedItem."""

    day: date
    chapter: str
    link: str  # canonical http(s) link of the chapter, '' if none
    description: str
    kind: str  # the row's kind cell ('Nytt', 'Endret'), '' if the table has none


class ChangelogReader(ItemReader):
    """``changelog``: the publisher's own list of changes, each row an item."""

    kind = "changelog"

    def read(self, spec: SourceSpec, result: FetchResult) -> FeedContent:
        return changelog_feed(spec, result)


def changelog_feed(spec: SourceSpec, result: FetchResult) -> FeedContent:
    """A publisher's change log as a feed: each row an item (see the module docstring).
    Raises SourceProblem when the page has no recognisable change rows."""
    page_url = canonical_url(result.url or spec.url) or spec.url
    root = parse_page(result.body, result.headers)
    drop_elements(root, (_UNTRUSTED,))
    mains = _mains(root, spec)
    reader = _Reader(page_url, compile_noise(spec.noise), mains)
    try:
        for main in mains:
            reader.visit(main)
    except RecursionError as exc:  # libxml2 stops at depth 256; the soup fallback does not
        raise SourceProblem("the page is nested too deeply to be read") from exc
    if not reader.rows:
        where = f"in {spec.selector!r}" if spec.selector else "on the page"
        raise SourceProblem(
            f"no change rows found {where} (a table 'Kapittel | Endret/nytt' or a list under "
            "a date): the page layout may have changed"
        )
    return FeedContent(title=spec.name, items=_items(reader.rows, page_url))


def _mains(root: Any, spec: SourceSpec) -> list[Any]:
    if spec.selector:
        found = select(root, spec.selector)
        if not found:
            raise SourceProblem(
                f"the content selector {spec.selector!r} matched nothing: "
                "the page layout may have changed"
            )
    else:
        found = next((f for css in FALLBACK_MAIN if (f := select(root, css))), [root])
        for main in found:
            drop_elements(main, (FALLBACK_DROP_CSS,))
    for main in found:
        drop_elements(main, spec.drop)
    # an element inside another match is read with it, not twice
    chosen = set(found)
    return [m for m in found if not any(a in chosen for a in m.iterancestors())]


# ----------------------------------------------------------------------------- reading


class _Reader:
    """Walks the main content in document order, keeping the date in force."""

    def __init__(self, page_url: str, noise: re.Pattern[str] | None, mains: list[Any]) -> None:
        self.page_url = page_url
        self.noise = noise
        self.day: date | None = None
        self.day_level = _NO_LEVEL
        self.rows: list[_Row] = []
        # Elements holding a list or table, found in one pass: asking each element in turn
        # would cost the depth of the tree times its size.
        self.holders: set[Any] = set()
        for main in mains:
            for container in select(main, _CONTAINERS):
                for ancestor in container.iterancestors():
                    if ancestor in self.holders:
                        break
                    self.holders.add(ancestor)

    @property
    def full(self) -> bool:
        return len(self.rows) >= MAX_ROWS

    def visit(self, el: Any) -> None:
        tag = el.tag
        if not isinstance(tag, str) or self.full:
            return
        if tag in HEADING_SET:
            self._heading(int(tag[1]), _text(el))
        elif tag == "table":
            self._table(el)
        elif tag == "dl":
            self._definitions(el)
        elif tag == "li":
            self._item(el)
        elif tag in _MARKERS and self._marker(el):
            return
        else:
            for child in el:
                self.visit(child)

    def _heading(self, level: int, text: str) -> None:
        day = _date_only(text)
        if day is not None:
            self.day, self.day_level = day, level
        elif text and level <= self.day_level:
            self.day, self.day_level = None, _NO_LEVEL

    def _marker(self, el: Any) -> bool:
        """Whether ``el`` is a date marker (its whole text a date); it is then in force."""
        text = _short_text(el)
        day = _date_only(text) if text is not None else None
        if day is None or el in self.holders:
            return False
        self.day, self.day_level = day, _NO_LEVEL
        return True

    def _add(
        self, day: date | None, chapter: str, link: str, lines: Sequence[str], kind: str
    ) -> None:
        chapter = _cap(chapter, MAX_CHAPTER_CHARS)
        if day is None or not chapter:
            return
        description = _cap("\n".join(self._denoise(lines)), MAX_SUMMARY_CHARS)
        self.rows.append(_Row(day, chapter, link, description, _cap(kind, 40)))

    def _denoise(self, lines: Iterable[str]) -> Iterator[str]:
        for line in lines:
            if self.noise is not None:
                line = clean_text(self.noise.sub("", line))
            if line:
                yield line

    # -- lists and definition lists

    def _item(self, li: Any) -> None:
        if li in self.holders:  # a date with its rows nested inside
            day = _date_only(clean_text(li.text or ""))
            if day is not None:
                self.day, self.day_level = day, _NO_LEVEL
            for child in li:
                self.visit(child)
        elif not _is_toc(li) and not self._marker(li):
            self._leaf(li)

    def _leaf(self, el: Any) -> None:
        """A list item (or a ``dd``) that is one row: chapter first, then the description."""
        lines = _lines(el)
        if not lines:
            return
        link, title = self._first_link(el)
        first = lines[0]
        if link and title and first.startswith(title):
            chapter, rest = title, first[len(title) :].lstrip(_LEAD_PUNCTUATION)
            lines = [rest, *lines[1:]] if rest else lines[1:]
        else:
            chapter, link, lines = first, "", lines[1:]
        self._add(self.day, chapter, link, lines, "")

    def _definitions(self, dl: Any) -> None:
        pending: tuple[str, str] | None = None  # chapter and link of the last dt
        lines: list[str] = []
        for el in _definition_parts(dl):
            if el.tag == "dt":
                if pending is not None:
                    self._add(self.day, *pending, lines, "")
                pending, lines = None, []
                if not self._marker(el):
                    link, _title = self._first_link(el)
                    pending = (_text(el), link)
            elif pending is not None:
                lines.extend(_lines(el))
            elif el in self.holders:
                for child in el:
                    self.visit(child)
            else:
                self._leaf(el)
        if pending is not None:
            self._add(self.day, *pending, lines, "")

    def _first_link(self, el: Any) -> tuple[str, str]:
        """The first http(s) link in ``el`` (resolved, canonical) and its text; ('', '')."""
        for a in select(el, "a[href]"):
            href = (a.get("href") or "").strip()
            if not href or href.startswith("#"):
                continue
            url = canonical_url(urljoin(self.page_url, href))
            if url:
                return url, _text(a)
        return "", ""

    # -- tables

    def _table(self, table: Any) -> None:
        day = self.day
        for caption in table.findall("caption"):
            day = _date_only(_text(caption)) or day
        columns: _Columns | None = None
        texts: dict[Any, str] = {}
        for _, row in table_grid(table):
            if self.full:
                return
            cells = [(_cached_text(c, texts) if c is not None else "") for c in row]
            distinct = {t for t in cells if t}
            if len(distinct) == 1 and (row_day := _date_only(next(iter(distinct)))):
                day = row_day  # a full-width row holding the date of the rows below it
                continue
            header = _Columns.of_header(cells)
            if header is not None:
                columns = header
                continue
            if all(c is None or c.tag == "th" for c in row):
                continue  # a header we do not understand
            used = columns or _Columns.guess(cells)
            if used is not None:
                day = self._table_row(used, row, cells, day)

    def _table_row(
        self, columns: _Columns, row: list[Any], cells: list[str], day: date | None
    ) -> date | None:
        """Reads one data row; returns the date in force for the next row of the table."""
        if columns.date is not None:
            text = _at(cells, columns.date)
            if text:
                day = parse_date(text) if len(text) <= _DATE_MAX else None
                if day is None:
                    return None  # a date cell we cannot read: not a change row
        chapter_cell = _at(row, columns.chapter)
        if chapter_cell is None:
            return day
        link, _title = self._first_link(chapter_cell)
        description_cell = _at(row, columns.description)
        lines = _lines(description_cell) if description_cell is not None else []
        kind = _at(cells, columns.kind) if columns.kind is not None else ""
        self._add(day, _at(cells, columns.chapter), link, lines, kind or "")
        return day


@dataclass(frozen=True)
class _Columns:
    """Which column of a change table holds what."""

    chapter: int
    description: int
    date: int | None = None
    kind: int | None = None

    @staticmethod
    def of_header(cells: Sequence[str]) -> _Columns | None:
        """The columns named by a header row; None if ``cells`` is not one."""
        chapter = date_col = None
        changes: list[int] = []
        for i, cell in enumerate(cells):
            text = cell.rstrip(" :?.")
            if _DATE_HEAD.fullmatch(text):
                date_col = i
            elif chapter is None and _CHAPTER_HEAD.fullmatch(text):
                chapter = i
            elif _CHANGE_HEAD.fullmatch(text):
                changes.append(i)
            elif len(text) > _HEADER_MAX:
                return None  # a header names its columns: long texts are data
        if chapter is None or not changes:
            return None
        kind = changes[0] if len(changes) > 1 else None
        return _Columns(chapter, changes[-1], date_col, kind)

    @staticmethod
    def guess(cells: Sequence[str]) -> _Columns | None:
        """Columns of a table without a header: date | chapter | description, or
        chapter | description."""
        if len(cells) >= 3 and _date_only(cells[0]):
            return _Columns(1, 2, date=0)
        if len(cells) >= 2:
            return _Columns(0, 1)
        return None


# ----------------------------------------------------------------------------- text


def _text(el: Any) -> str:
    """The text of an element on one line."""
    return clean_text(el.text_content())


def _short_text(el: Any) -> str | None:
    """The text of an element on one line if it is short enough to be a date; else None.
    Stops reading early: a large element costs no more than a small one."""
    if next(itertools.islice(el.iter(), _MARKER_NODES, None), None) is not None:
        return None
    parts: list[str] = []
    length = 0
    for part in el.itertext():
        length += len(part.strip())
        if length > _DATE_MAX:
            return None
        parts.append(part)
    return clean_text("".join(parts))


def _cached_text(el: Any, cache: dict[Any, str]) -> str:
    if el not in cache:
        cache[el] = _text(el)
    return cache[el]


def _lines(el: Any) -> list[str]:
    """The text of an element, one line per block (paragraph, list item, line break)."""
    lines: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        line = clean_text("".join(buffer))
        buffer.clear()
        if line:
            lines.append(line)

    for event, node in etree.iterwalk(el, events=("start", "end", "comment", "pi")):
        if event == "start":
            if node.tag in _BLOCKS:
                flush()
            buffer.append(node.text or "")
            continue
        # the end of an element, or a comment or processing instruction: no text, a tail
        if event == "end" and node.tag in _BLOCKS:
            flush()
        if node is not el and node.tail:
            buffer.append(node.tail)
    flush()
    return lines


def _date_only(text: str) -> date | None:
    if len(text) > _DATE_MAX:
        return None
    m = _DATE_ONLY.match(text)
    return parse_date(m.group(1)) if m else None


def _is_toc(li: Any) -> bool:
    """A list item whose links all point inside the page: a table of contents entry."""
    hrefs = [(a.get("href") or "").strip() for a in select(li, "a[href]")]
    return bool(hrefs) and all(h.startswith("#") for h in hrefs)


def _definition_parts(dl: Any) -> Iterator[Any]:
    """The dt and dd of a dl, also those grouped in div wrappers (allowed by HTML)."""
    for child in dl:
        if child.tag in ("dt", "dd"):
            yield child
        elif child.tag == "div":
            yield from (c for c in child if c.tag in ("dt", "dd"))


def _at(values: Sequence[Any], index: int) -> Any:
    return values[index] if index < len(values) else None


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ----------------------------------------------------------------------------- items


def _verb(row: _Row) -> str:
    """'Nytt' or 'Endret', from the kind cell if the table has one, else the description."""
    if row.kind:
        return "Nytt" if _NEW_KIND.match(row.kind) else "Endret"
    return "Nytt" if _NEW_DESCRIPTION.match(row.description) else "Endret"


def _items(rows: Sequence[_Row], page_url: str) -> tuple[FeedItem, ...]:
    """Rows as items, newest first (document order among rows of one date), at most
    MAX_ITEMS. A row printed twice (the same date, chapter, link and description) is one row.
    The link in the identity is its identity form (``identity_url``): a site that moves its
    links to another scheme, 'www.' or trailing slash re-keys no row; the identity with the
    canonical link, as stored before, is the row's ``legacy_id``."""
    seen: dict[str, int] = {}
    printed: set[tuple[str, str]] = set()
    items: list[tuple[date, FeedItem]] = []
    for row in rows:
        stem = f"changelog:{row.day.isoformat()}\x1f{row.chapter.casefold()}\x1f"
        key, legacy = stem + identity_url(row.link), stem + row.link
        if (key, row.description) in printed:
            continue  # the CMS printed the row twice
        printed.add((key, row.description))
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:  # the same chapter twice on one date: the n-th is its own row
            key, legacy = f"{key}\x1f#{seen[key]}", f"{legacy}\x1f#{seen[key]}"
        item_id = hashlib.sha256(key.encode()).hexdigest()[:32]
        legacy_id = hashlib.sha256(legacy.encode()).hexdigest()[:32]
        when = datetime(row.day.year, row.day.month, row.day.day, tzinfo=UTC)
        verb = _verb(row)
        anchor = identity_url(row.link) if row.link else ""
        item = FeedItem(
            item_id=item_id,
            title=f"{verb}: {row.chapter}",
            link=row.link or page_url,
            summary=row.description,
            published=when,
            updated=when,
            legacy_id="" if legacy_id == item_id else legacy_id,
            anchor=anchor,
            gist=label_gist(verb, row.description) if anchor else "",
        )
        items.append((row.day, item))
    items.sort(key=lambda pair: pair[0], reverse=True)  # stable: document order kept per date
    return tuple(item for _day, item in items[:MAX_ITEMS])
