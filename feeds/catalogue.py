"""The source catalogue: which feeds and pages we watch, as data (TOML).

Every field of a source is declared once, in ``SourceBase``: its type, default, limits and
meaning. ``SourceSpec`` adds the checks and is what a check works with (frozen, validated);
the ``source`` table (``feeds.store.models.Source``) is ``SourceBase`` with the health columns,
so its catalogue columns, and the store's writing and reading of them
(``feeds.store.sources``), follow from these fields: a new field is one line here and a
migration.

A catalogue is a list of ``[[source]]`` tables::

    [[source]]
    key = "fhi-nyheter"                 # unique, stable; used in the CLI and in URLs
    kind = "feed"                       # one of feeds.read.READERS
    url = "https://www.fhi.no/rss/nyheter/"
    authority = "fhi"                   # regjeringen | fhi | helsedirektoratet | lovdata | ...
    name = "FHI: nyheter"               # shown to readers
    interval_minutes = 30               # optional, default 60
    selector = "main article"           # optional, pages: CSS selector of the main content
    drop = [".cookie-banner"]           # optional, pages: CSS selectors of noise to remove
    subtopics = ["vaksinasjon"]         # optional: subtopics that always apply to this source
    noise = ["^Sist oppdatert .*$"]     # optional, pages: regexes of phrases that are noise
    link_selector = "nav.toc a"         # document/listing (and follow_pdfs): CSS of the <a>s
    link_pattern = "^https://.*/kap"    # optional: regex the absolute link URL must match
    follow_pdfs = false                 # optional, pages: also watch linked PDF attachments

``notes`` (free text for maintainers, e.g. the evidence for an address) is read and not
stored. Kinds (``feeds.read.READERS``, one reader each): ``feed`` (RSS/Atom), ``page`` (one
HTML page, sectioned by heading), ``document`` (a guide whose chapters are linked from a table
of contents at ``url``: every chapter is watched and reported on its own; ``link_selector``
picks the chapter links), ``listing`` (a list of letters or news without a feed: every new
link is a new item, like a feed item), ``changelog`` (the publisher's own list of changes,
e.g. a table 'Kapittel | Endret/nytt' under each date: every row is an item, a new row is new
and an edited description an update; ``selector``, ``drop`` and ``noise`` apply; see
``feeds/read/changelog.py``), ``hapi`` (Helsedirektoratet's content API).

Loading refuses, naming the source and field: a ``url`` that is not absolute http(s), or that
carries credentials (``user@``), a backslash or control characters, or whose host is not a
valid host name or address (``feeds.fetch.netguard.canonical_request_url``); and a
``selector``, ``drop`` or ``link_selector`` that is neither CSS nor a plain XPath calling only
functions that look at the page (``feeds.read.selectors``), so nothing in a catalogue can make
us read a file or an address. ``subtopics`` must be slugs of the taxonomy
(``feeds/data/subtopics.json``). A catalogue file's errors start with ``<file>:<line>:``, the
line of the offending field (or of the entry's ``[[source]]``), then the reason.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from pydantic import ConfigDict, ValidationError, field_validator, model_validator
from sqlmodel import Field, SQLModel

from feeds.classify.taxonomy import load_taxonomy
from feeds.errors import BlockedAddressError, CatalogueError, SelectorError
from feeds.fetch.netguard import canonical_request_url
from feeds.read import READERS
from feeds.read.selectors import check_selector

#: the source kinds: one reader each (``feeds.read.READERS``)
KINDS = frozenset(READERS)
DEFAULT_CATALOGUE = Path(__file__).parent / "data" / "sources.toml"
#: fields a catalogue entry may have that are not a source's (read, not stored)
NOT_STORED = frozenset({"notes"})


class StringList(sa.types.TypeDecorator[tuple[str, ...]]):
    """A list of strings, stored as JSON; read back as a tuple (``[]`` for NULL)."""

    impl = sa.JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        return list(value or ())

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> tuple[str, ...]:
        return tuple(value or ())


class SourceBase(SQLModel):
    """The fields of one watched source, declared once (type, default, limits, meaning)."""

    #: unique, stable; used in the CLI and in URLs
    key: str = Field(unique=True, index=True, max_length=100)
    #: one of ``feeds.read.READERS``: how the source is fetched and read
    kind: str = Field(max_length=20)
    #: the watched address: an absolute http(s) URL the outbound gate accepts
    url: str
    #: the publisher: regjeringen, fhi, helsedirektoratet, lovdata, statsforvalteren, ...
    authority: str = Field(max_length=50)
    #: shown to readers; the key when not given
    name: str = ""
    #: minutes between two checks (at least 1)
    interval_minutes: int = 60
    #: pages: CSS selector (or plain XPath) of the main content; a generic fallback if None
    selector: str | None = None
    #: pages: selectors of noise to remove
    drop: tuple[str, ...] = Field(default=(), sa_type=StringList)
    #: subtopics that always apply to the source's changes
    subtopics: tuple[str, ...] = Field(default=(), sa_type=StringList)
    #: whether the source is checked
    enabled: bool = True
    #: pages: regexes of phrases that are noise
    noise: tuple[str, ...] = Field(default=(), sa_type=StringList)
    #: documents, listings, follow_pdfs: selector of the links to follow
    link_selector: str | None = None
    #: a regex the absolute URL of a followed link must match
    link_pattern: str | None = None
    #: pages and documents: also watch linked PDF attachments
    follow_pdfs: bool = False


#: the catalogue's fields, in their declared order (the store's columns of them too)
SOURCE_FIELDS: tuple[str, ...] = tuple(SourceBase.model_fields)


class SourceSpec(SourceBase):
    """One watched source, as the catalogue describes it: validated, frozen. Built from a
    catalogue entry by ``parse_catalogue``; from the store without checks again
    (``feeds.store.sources``: what it stored was checked when it was loaded)."""

    # SQLModel types its own config (SQLModelConfig); this is the same dict, frozen
    model_config = ConfigDict(frozen=True, extra="forbid")  # type: ignore[assignment]

    @model_validator(mode="before")
    @classmethod
    def _name_defaults_to_key(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("name") and isinstance(data.get("key"), str):
            data = {**data, "name": data["key"].strip()}
        return data

    @field_validator("key", "kind", "url", "authority", mode="before")
    @classmethod
    def _required(cls, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("is required and must be a non-empty string")
        return value.strip()

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in READERS:
            raise ValueError(f"must be one of {', '.join(sorted(READERS))}, not {kind!r}")
        return kind

    @field_validator("url")
    @classmethod
    def _checked_url(cls, url: str) -> str:
        """The URL as written, once the outbound gate accepts its form
        (``feeds.fetch.netguard``): an absolute http(s) URL without credentials, backslashes or
        control characters, whose host is a valid host name or address. Whether that address
        is private is judged at fetch time, by the settings of the service that fetches it."""
        if not urlsplit(url).scheme:
            raise ValueError(f"must be an absolute http(s) URL, not {url!r}")
        try:
            canonical_request_url(url)
        except BlockedAddressError as exc:
            raise ValueError(f"is refused: {exc}") from exc
        return url

    @field_validator("interval_minutes", mode="before")
    @classmethod
    def _whole_minutes(cls, value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError("must be a whole number >= 1")
        return value

    @field_validator("name", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str:
        return str(value)

    @field_validator("selector", "link_selector", "link_pattern", mode="before")
    @classmethod
    def _optional_text(cls, value: Any) -> str | None:
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ValueError("must be a non-empty string")
        return value.strip() if isinstance(value, str) else None

    @field_validator("drop", "subtopics", "noise", mode="before")
    @classmethod
    def _strings(cls, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError("must be a list of strings")
        return tuple(value)

    @field_validator("selector", "link_selector")
    @classmethod
    def _selector(cls, selector: str | None) -> str | None:
        return None if selector is None else _checked_selector(selector)

    @field_validator("drop")
    @classmethod
    def _selectors(cls, selectors: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_checked_selector(s) for s in selectors)

    @field_validator("link_pattern")
    @classmethod
    def _pattern(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            _compile(pattern)
        return pattern

    @field_validator("noise")
    @classmethod
    def _patterns(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            _compile(pattern)
        # They are applied as one alternation (normalize.compile_noise): inline global flags
        # such as (?i) in the middle would break it, so that form is checked here too.
        _compile("|".join(f"(?:{p})" for p in patterns), "(combined) ")
        return patterns

    @field_validator("enabled", mode="before")
    @classmethod
    def _truth(cls, value: Any) -> bool:
        return bool(value)

    @field_validator("follow_pdfs", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value

    @model_validator(mode="after")
    def _as_the_reader_asks(self) -> SourceSpec:
        """What the kind's reader asks of a source (``feeds.read.reader``)."""
        reader = READERS[self.kind]
        if reader.link_rule and self.link_selector is None and self.link_pattern is None:
            raise ValueError(f"kind {self.kind!r} needs link_selector or link_pattern")
        if self.follow_pdfs and not reader.allows_follow_pdfs:
            allowed = ", ".join(sorted(k for k, r in READERS.items() if r.allows_follow_pdfs))
            raise ValueError(f"follow_pdfs applies to these kinds only: {allowed}")
        return self


def _checked_selector(selector: str) -> str:
    """A selector once it is CSS or a plain XPath that reads nothing but the page."""
    try:
        check_selector(selector)
    except SelectorError as exc:
        raise ValueError(str(exc)) from exc
    return selector


def _compile(pattern: str, what: str = "") -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{what}{pattern!r} is not a valid regex: {exc}") from exc


def load_catalogue(
    path: Path | None = None, subtopics: Collection[str] | None = None
) -> list[SourceSpec]:
    """Read and validate a catalogue file; the bundled real catalogue by default. An error
    starts with ``<file>:<line>:``."""
    path = path or DEFAULT_CATALOGUE
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError as exc:
        raise CatalogueError(f"catalogue {path} does not exist") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"catalogue {path} cannot be read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"catalogue {path} is not valid TOML: {exc}") from exc
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"catalogue {path} has no [[source]] tables")
    return parse_catalogue(entries, origin=str(path), subtopics=subtopics, text=text)


def parse_catalogue(
    entries: Iterable[Mapping[str, Any]],
    origin: str = "catalogue",
    subtopics: Collection[str] | None = None,
    text: str | None = None,
) -> list[SourceSpec]:
    """Validate catalogue entries; every error names the source and the field, and with the
    catalogue's ``text`` the line (``origin:line:``). ``subtopics``: the known slugs (the
    bundled taxonomy's by default)."""
    known = _taxonomy_slugs() if subtopics is None else frozenset(subtopics)
    lines = text.splitlines() if text is not None else None
    starts = _entry_starts(lines) if lines is not None else []
    specs: list[SourceSpec] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        where = f"{origin}: source #{index}"
        try:
            spec = parse_entry(entry, where, known)
        except _EntryError as exc:
            line = _line_of(lines, starts, index, exc.field)
            at = f"{origin}:{line}: source #{index}" if line else where
            raise CatalogueError(f"{at}{exc.where_suffix}: {exc.reason}") from None
        if spec.key in seen:
            line = _line_of(lines, starts, index, "key")
            at = f"{origin}:{line}:" if line else f"{origin}:"
            raise CatalogueError(f"{at} source key {spec.key!r} appears twice")
        seen.add(spec.key)
        specs.append(spec)
    return specs


class _EntryError(CatalogueError):
    """An entry refused: the field at fault (None: the entry), and why."""

    def __init__(self, where: str, suffix: str, field: str | None, reason: str) -> None:
        super().__init__(f"{where}{suffix}: {reason}")
        self.where_suffix = suffix
        self.field = field
        self.reason = reason


def parse_entry(
    entry: Mapping[str, Any], where: str, subtopics: Collection[str] | None = None
) -> SourceSpec:
    """One catalogue entry as a source; raises CatalogueError naming ``where``, the source's
    key and the field."""
    unknown = sorted(set(entry) - set(SOURCE_FIELDS) - NOT_STORED)
    if unknown:
        raise _EntryError(where, "", unknown[0], f"unknown field(s) {', '.join(unknown)}")
    key = entry.get("key")
    suffix = f" ({key.strip()})" if isinstance(key, str) and key.strip() else ""
    try:
        spec = SourceSpec(**{k: v for k, v in entry.items() if k not in NOT_STORED})
    except ValidationError as exc:
        field, reason = _problem(exc)
        raise _EntryError(where, suffix, field, f"{field}: {reason}" if field else reason) from None
    known = _taxonomy_slugs() if subtopics is None else subtopics
    strangers = [slug for slug in spec.subtopics if slug not in known]
    if strangers:
        raise _EntryError(
            where,
            suffix,
            "subtopics",
            f"subtopics: {', '.join(map(repr, strangers))} not in the taxonomy "
            "(feeds/data/subtopics.json); use its slugs (`notifier subtopics` lists them)",
        )
    return spec


def _problem(exc: ValidationError) -> tuple[str | None, str]:
    """The first problem of a validation: (field, what is wrong)."""
    error = exc.errors(include_url=False)[0]
    cause = (error.get("ctx") or {}).get("error")
    message = str(cause) if cause is not None else error["msg"]
    field = ".".join(str(part) for part in error["loc"][:1])
    return (field or None), message


@functools.cache
def _taxonomy_slugs() -> frozenset[str]:
    return load_taxonomy().slugs()


#: a ``[[source]]`` header line, and a ``field =`` line (TOML bare keys)
_HEADER_RE = re.compile(r"^\s*\[\[\s*source\s*\]\]")
_FIELD_RE = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


def _entry_starts(lines: Sequence[str]) -> list[int]:
    """The index (0-based) of each ``[[source]]`` line, in order."""
    return [i for i, line in enumerate(lines) if _HEADER_RE.match(line)]


def _line_of(
    lines: Sequence[str] | None, starts: Sequence[int], index: int, field: str | None
) -> int | None:
    """The 1-based line of ``field`` in entry ``index`` (1-based), else of its header."""
    if lines is None or index > len(starts):
        return None
    start = starts[index - 1]
    end = starts[index] if index < len(starts) else len(lines)
    if field is not None:
        for number in range(start + 1, end):
            match = _FIELD_RE.match(lines[number])
            if match and match.group(1) == field:
                return number + 1
    return start + 1
