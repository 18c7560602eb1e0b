"""The source catalogue: which feeds and pages we watch, as data (TOML).

A catalogue is a list of ``[[source]]`` tables::

    [[source]]
    key = "fhi-nyheter"                 # unique, stable; used in the CLI and in URLs
    kind = "feed"                       # feed | page
    url = "https://www.fhi.no/rss/nyheter/"
    authority = "fhi"                   # regjeringen | fhi | helsedirektoratet | lovdata | ...
    name = "FHI: nyheter"               # shown to readers
    interval_minutes = 30               # optional, default 60
    selector = "main article"           # optional, pages: CSS selector of the main content
    drop = [".cookie-banner"]           # optional, pages: CSS selectors of noise to remove
    subtopics = ["vaksinasjon"]         # optional: subtopics that always apply to this source
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from feeds.errors import CatalogueError

KINDS = frozenset({"feed", "page"})
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
    url = _required_str(entry, "url", where)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CatalogueError(f"{where}: url must be an absolute http(s) URL, not {url!r}")
    interval = entry.get("interval_minutes", 60)
    if not isinstance(interval, int) or isinstance(interval, bool) or interval < 1:
        raise CatalogueError(f"{where}: interval_minutes must be a whole number >= 1")
    selector = entry.get("selector")
    if selector is not None and not isinstance(selector, str):
        raise CatalogueError(f"{where}: selector must be a CSS selector string")
    return SourceSpec(
        key=key,
        kind=kind,
        url=url,
        authority=_required_str(entry, "authority", where),
        name=str(entry.get("name") or key),
        interval_minutes=interval,
        selector=selector,
        drop=_str_tuple(entry, "drop", where),
        subtopics=_str_tuple(entry, "subtopics", where),
        enabled=bool(entry.get("enabled", True)),
    )


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
