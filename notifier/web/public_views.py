"""What the public pages show, built from stored changes: the filters of the change log read
from the query string, a change with its names in the page language, links that keep the
language, and the Atom feeds a page links to. Pure logic; the routes do the I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from feeds.classify import Gazetteer, Taxonomy
from feeds.store.models import Change, Source
from notifier.public_changes import ChangeQuery, change_id

KINDS = ("new", "changed", "added", "removed", "moved")
AUTHORITY_NAMES = {
    "nb": {
        "fhi": "Folkehelseinstituttet",
        "helsedirektoratet": "Helsedirektoratet",
        "lovdata": "Lovdata",
        "regjeringen": "Regjeringen",
        "statsforvalteren": "Statsforvalteren",
    },
    "nn": {
        "fhi": "Folkehelseinstituttet",
        "helsedirektoratet": "Helsedirektoratet",
        "lovdata": "Lovdata",
        "regjeringen": "Regjeringa",
        "statsforvalteren": "Statsforvaltaren",
    },
}
#: the filter parameters of the change log (the Atom feeds take the same names)
FILTER_NAMES = ("q", "subtopic", "authority", "region", "kind", "urgent", "since", "until")
FEED_NAMES = ("subtopic", "authority", "region", "urgent")


def authority_name(key: str, lang: str) -> str:
    return AUTHORITY_NAMES["nn" if lang == "nn" else "nb"].get(key, key)


class Href:
    """Links within the public pages: on a nynorsk page each carries ``lang=nn``, so the
    language stays with the reader even without the cookie (a link opened from a mail)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, path: str, params: Mapping[str, str | None] | None = None) -> str:
        pairs = [(k, v) for k, v in (params or {}).items() if v not in (None, "")]
        if self.lang == "nn":
            pairs.append(("lang", "nn"))
        return f"{path}?{urlencode(pairs)}" if pairs else path


@dataclass(frozen=True)
class Filters:
    """The change log's filters as read from the query string: the query, the values to show
    back in the form (only those used), and the fields whose value was not understood."""

    query: ChangeQuery
    values: dict[str, str]
    errors: tuple[str, ...] = ()
    before: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.values)


def read_filters(params: Mapping[str, str], known: Names) -> Filters:
    """``Filters`` from a query string; unknown choices are dropped (a stale link still shows
    the log), an unreadable date is named in ``errors``."""
    values: dict[str, str] = {}
    errors: list[str] = []

    def choice(name: str, allowed: Mapping[str, str] | tuple[str, ...]) -> str | None:
        value = (params.get(name) or "").strip()
        if value and value in allowed:
            values[name] = value
            return value
        return None

    def day(name: str) -> date | None:
        value = (params.get(name) or "").strip()
        if not value:
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            errors.append(name)
            return None
        values[name] = parsed.isoformat()
        return parsed

    text = (params.get("q") or "").strip()[:200]
    if text:
        values["q"] = text
    urgent = params.get("urgent") in ("1", "true", "ja")
    if urgent:
        values["urgent"] = "1"
    since, until = day("since"), day("until")
    if since is not None and until is not None and until < since:
        errors.append("range")  # named at the "to" field (shown as typed), which is left out
        until = None
    query = ChangeQuery(
        subtopic=choice("subtopic", known.subtopics),
        authority=choice("authority", known.authorities),
        region=choice("region", known.regions),
        kind=choice("kind", KINDS),
        urgent=True if urgent else None,
        since=since,
        until=until,
        text=text or None,
    )
    before = params.get("before", "")
    return Filters(query, values, tuple(errors), change_id(before))


@dataclass(frozen=True)
class Names:
    """Names in the page language: subtopics, regions (counties, municipalities), authorities,
    and the watched sources."""

    lang: str
    subtopics: dict[str, str]
    counties: tuple[tuple[str, str], ...]
    municipalities: tuple[tuple[str, str], ...]
    authorities: dict[str, str]
    sources: dict[int, Source] = field(default_factory=dict)

    @property
    def regions(self) -> dict[str, str]:
        return dict(self.counties) | dict(self.municipalities)

    def region(self, code: str) -> str:
        return self.regions.get(code, code)

    def authority_of(self, change: Change) -> str:
        source = self.sources.get(change.source_id)
        return authority_name(source.authority, self.lang) if source else ""

    def source_name(self, change: Change) -> str:
        source = self.sources.get(change.source_id)
        return source.name or source.key if source else ""


def names(lang: str, taxonomy: Taxonomy, gazetteer: Gazetteer, sources: list[Source]) -> Names:
    subtopics = {s.slug: s.label_nn if lang == "nn" else s.label_nb for s in taxonomy.subtopics}
    authorities = {s.authority: authority_name(s.authority, lang) for s in sources}
    return Names(
        lang=lang,
        subtopics=subtopics,
        counties=gazetteer.counties(),
        municipalities=gazetteer.municipalities(),
        authorities=dict(sorted(authorities.items(), key=lambda kv: kv[1])),
        sources={s.id: s for s in sources if s.id is not None},
    )


def moved_heads(change: Change) -> tuple[str, str]:
    """A moved section's old and new heading (the first lines of its texts)."""
    return change.before.split("\n", 1)[0], change.after.split("\n", 1)[0]


def feeds_for(
    t: Mapping[str, str], filters: Filters | None = None, lang: str = "nb"
) -> list[tuple[str, str]]:
    """The Atom feeds a page links to (``<link rel="alternate">``): all changes, the urgent
    ones, and the page's own selection when it is one a feed can follow; in ``lang`` (a
    nynorsk page offers the nynorsk feeds)."""
    feed = Href(lang)
    out = [
        (t["feed_all"], feed("/endringer.atom")),
        (t["feed_urgent"], feed("/endringer.atom", {"urgent": "1"})),
    ]
    if filters is not None:
        params = {k: filters.values[k] for k in FEED_NAMES if k in filters.values}
        if params and set(filters.values) <= set(FEED_NAMES) and params != {"urgent": "1"}:
            out.append((t["feed_filtered"], feed("/endringer.atom", params)))
    return out
