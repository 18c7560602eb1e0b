"""The source catalogue: which feeds and pages we watch, as data (TOML).

A catalogue is a list of ``[[source]]`` tables::

    [[source]]
    key = "fhi-nyheter"                 # unique, stable; used in the CLI and in URLs
    kind = "feed"                       # feed | page | document | listing | changelog
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

Kinds: ``feed`` (RSS/Atom), ``page`` (one HTML page, sectioned by heading), ``document`` (a
guide whose chapters are linked from a table of contents at ``url``: every chapter is watched
and reported on its own; ``link_selector`` picks the chapter links), ``listing`` (a list of
letters or news without a feed: every new link is a new item, like a feed item), ``changelog``
(the publisher's own list of changes, e.g. a table 'Kapittel | Endret/nytt' under each date:
every row is an item, a new row is new and an edited description an update; ``selector``,
``drop`` and ``noise`` apply; see ``feeds/read/changelog.py``).

Loading refuses, naming the source and field: a ``url`` that is not absolute http(s), or that
carries credentials (``user@``), a backslash or control characters, or whose host is not a
valid host name or address (``feeds.fetch.netguard.canonical_request_url``); and a ``selector``,
``drop`` or ``link_selector`` that is neither CSS nor a plain XPath calling only functions
that look at the page (``feeds.read.selectors``), so nothing in a catalogue can make us read a
file or an address.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from feeds.errors import BlockedAddressError, CatalogueError, SelectorError
from feeds.fetch.netguard import canonical_request_url
from feeds.read import READERS
from feeds.read.selectors import check_selector

#: the source kinds: one reader each (``feeds.read.READERS``)
KINDS = frozenset(READERS)
DEFAULT_CATALOGUE = Path(__file__).parent / "data" / "sources.toml"
_KNOWN_FIELDS = frozenset(
    {
        "key",
        "kind",
        "url",
        "authority",
        "name",
        "interval_minutes",
        "selector",
        "drop",
        "subtopics",
        "enabled",
        "notes",
        "noise",
        "link_selector",
        "link_pattern",
        "follow_pdfs",
    }
)


@dataclass(frozen=True)
class SourceSpec:
    """One watched source, as the catalogue describes it."""

    key: str
    kind: str
    url: str
    authority: str
    name: str
    interval_minutes: int = 60
    selector: str | None = None
    drop: tuple[str, ...] = field(default_factory=tuple)
    subtopics: tuple[str, ...] = field(default_factory=tuple)
    enabled: bool = True
    noise: tuple[str, ...] = field(default_factory=tuple)
    link_selector: str | None = None
    link_pattern: str | None = None
    follow_pdfs: bool = False


def load_catalogue(path: Path | None = None) -> list[SourceSpec]:
    """Read and validate a catalogue file; the bundled real catalogue by default."""
    path = path or DEFAULT_CATALOGUE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogueError(f"catalogue {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"catalogue {path} is not valid TOML: {exc}") from exc
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"catalogue {path} has no [[source]] tables")
    return parse_catalogue(entries, origin=str(path))


def parse_catalogue(
    entries: Iterable[Mapping[str, Any]], origin: str = "catalogue"
) -> list[SourceSpec]:
    """Validate catalogue entries; every error names the source and the field."""
    specs: list[SourceSpec] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        spec = _parse_entry(entry, f"{origin}: source #{index}")
        if spec.key in seen:
            raise CatalogueError(f"{origin}: source key {spec.key!r} appears twice")
        seen.add(spec.key)
        specs.append(spec)
    return specs


def _parse_entry(entry: Mapping[str, Any], where: str) -> SourceSpec:
    unknown = set(entry) - _KNOWN_FIELDS
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    key = _required_str(entry, "key", where)
    where = f"{where} ({key})"
    kind = _required_str(entry, "kind", where)
    if kind not in KINDS:
        raise CatalogueError(
            f"{where}: kind must be one of {', '.join(sorted(KINDS))}, not {kind!r}"
        )
    url = _checked_url(_required_str(entry, "url", where), where)
    interval = entry.get("interval_minutes", 60)
    if not isinstance(interval, int) or isinstance(interval, bool) or interval < 1:
        raise CatalogueError(f"{where}: interval_minutes must be a whole number >= 1")
    selector = _optional_selector(entry, "selector", where)
    links = _parse_links(entry, kind, where)
    return SourceSpec(
        key=key,
        kind=kind,
        url=url,
        authority=_required_str(entry, "authority", where),
        name=str(entry.get("name") or key),
        interval_minutes=interval,
        selector=selector,
        drop=tuple(_selector(css, "drop", where) for css in _str_tuple(entry, "drop", where)),
        subtopics=_str_tuple(entry, "subtopics", where),
        enabled=bool(entry.get("enabled", True)),
        noise=_regex_tuple(entry, "noise", where),
        link_selector=links[0],
        link_pattern=links[1],
        follow_pdfs=links[2],
    )


def _parse_links(
    entry: Mapping[str, Any], kind: str, where: str
) -> tuple[str | None, str | None, bool]:
    link_selector = _optional_selector(entry, "link_selector", where)
    link_pattern = _optional_str(entry, "link_pattern", where)
    if link_pattern is not None:
        _compile(link_pattern, "link_pattern", where)
    follow_pdfs = entry.get("follow_pdfs", False)
    if not isinstance(follow_pdfs, bool):
        raise CatalogueError(f"{where}: follow_pdfs must be true or false")
    reader = READERS[kind]
    if reader.link_rule and link_selector is None and link_pattern is None:
        raise CatalogueError(f"{where}: kind {kind!r} needs link_selector or link_pattern")
    if follow_pdfs and not reader.allows_follow_pdfs:
        allowed = ", ".join(sorted(k for k, r in READERS.items() if r.allows_follow_pdfs))
        raise CatalogueError(f"{where}: follow_pdfs applies to these kinds only: {allowed}")
    return link_selector, link_pattern, follow_pdfs


def _checked_url(url: str, where: str) -> str:
    """The URL as written, once the outbound gate accepts its form (``feeds.fetch.netguard``): an
    absolute http(s) URL without credentials, backslashes or control characters, whose host
    is a valid host name or address. Whether that address is private is judged at fetch time,
    by the settings of the service that fetches it."""
    if not urlsplit(url).scheme:
        raise CatalogueError(f"{where}: url must be an absolute http(s) URL, not {url!r}")
    try:
        canonical_request_url(url)
    except BlockedAddressError as exc:
        raise CatalogueError(f"{where}: url is refused: {exc}") from exc
    return url


def _optional_selector(entry: Mapping[str, Any], name: str, where: str) -> str | None:
    selector = _optional_str(entry, name, where)
    return None if selector is None else _selector(selector, name, where)


def _selector(selector: str, name: str, where: str) -> str:
    """A selector once it is CSS or a plain XPath that reads nothing but the page."""
    try:
        check_selector(selector)
    except SelectorError as exc:
        raise CatalogueError(f"{where}: {name}: {exc}") from exc
    return selector


def _optional_str(entry: Mapping[str, Any], name: str, where: str) -> str | None:
    value = entry.get(name)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise CatalogueError(f"{where}: {name} must be a non-empty string")
    return value.strip() if isinstance(value, str) else None


def _compile(pattern: str, name: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise CatalogueError(f"{where}: {name} {pattern!r} is not a valid regex: {exc}") from exc


def _regex_tuple(entry: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    patterns = _str_tuple(entry, name, where)
    for pattern in patterns:
        _compile(pattern, name, where)
    # They are applied as one alternation (normalize.compile_noise): inline global flags such
    # as (?i) in the middle would break it, so that form is checked here too.
    _compile("|".join(f"(?:{p})" for p in patterns), f"{name} (combined)", where)
    return patterns


def _required_str(entry: Mapping[str, Any], name: str, where: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: field {name!r} is required and must be a non-empty string")
    return value.strip()


def _str_tuple(entry: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    value = entry.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogueError(f"{where}: {name} must be a list of strings")
    return tuple(value)
