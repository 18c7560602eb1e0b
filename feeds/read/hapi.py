"""Helsedirektoratet's content API (HAPI): one JSON object to our ``PageContent``.

HAPI (``https://api.helsedirektoratet.no/innhold``) serves guidelines, guides, circulars and
their chapters and recommendations as JSON objects (NLOD licence: credit Helsedirektoratet, do
not alter professional content; we only read the text to notice changes and link to ``url``).
Each object has ``tittel``, ``intro`` and ``tekst`` (HTML), a ``data`` map of further HTML
fields (``praktisk``, ``rasjonale``, ...), ``status``, ``links`` (``rel`` ``root`` / ``forelder``
/ ``barn``) and several dates.

Pure: bytes in, values out. What becomes a section (and so counts for change detection):

- ``intro``, ``tekst`` and every HTML field of ``data``, as text (``html_to_text``);
- ``status`` (e.g. "Gjeldende"), since a guidance being withdrawn is news;
- the titles of the child objects (``links`` with ``rel = "barn"``): a chapter added or
  removed is a change of the table of contents;
- embedded children (a list of objects under ``barn``/``children``), recursively.

Each section's path is the title chain: root title, parent title, the object's own title
(then the field's Norwegian label, for fields other than ``tekst``). Dates are left out of the
sections: ``sistImportertTilHapi`` changes on every re-import and ``sistOppdatert`` on any edit,
neither is a change of content. ``sistFagligOppdatert`` (last *professional* change) is the
publisher's own signal: :func:`hapi_signal`, and ``PageContent.updated``.

Dates come as ``2024-01-18T14:41`` (ISO, Norwegian local time when without offset) or
``03/12/2019 10:53:46``. The slash form is what .NET's invariant culture writes, which is
month/day/year; we read it so, unless the first number cannot be a month.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from feeds.errors import SourceProblem
from feeds.read.html import html_to_text
from feeds.read.normalize import clean_text
from feeds.read.reader import PageInput, PageRead, PageReader
from feeds.types import PageContent, Section

OSLO = ZoneInfo("Europe/Oslo")
#: fields never part of what is compared (they change without the content changing)
VOLATILE_FIELDS = frozenset(
    {"sistImportertTilHapi", "sistOppdatert", "opprettet", "tekniskeData", "attachments"}
)
#: reader-facing labels of the HTML fields in ``data``; other fields keep their own name
DATA_LABELS: Mapping[str, str] = {
    "praktisk": "Praktisk",
    "rasjonale": "Begrunnelse",
    "nokkelInfo": "Nøkkelinformasjon",
    "fordelerOgUlemper": "Fordeler og ulemper",
    "kvalitetAvDokumentasjonen": "Kvalitet av dokumentasjonen",
    "verdierOgPreferanser": "Verdier og preferanser",
    "ressurshensyn": "Ressurshensyn",
}
_LABEL_ORDER = {name: i for i, name in enumerate(DATA_LABELS)}
#: a field name's generic ending, which the API adds or drops in a new version of its schema
#: ("praktisk" -> "praktiskInfo", "nokkelInfo" -> "nokkelInformasjon")
_GENERIC_ENDING = re.compile(r"(?:info|informasjon|tekst|text)$", re.I)


def _field_key(name: str) -> str:
    """A field's name without its generic ending, in lower case: the same field under the
    names of two versions of the schema."""
    return _GENERIC_ENDING.sub("", name).lower() or name.lower()


_LABELS_BY_KEY = {_field_key(name): label for name, label in DATA_LABELS.items()}


def data_label(name: str) -> str:
    """The reader-facing label of a field of ``data`` (``DATA_LABELS``), also under a name the
    API gave it in another version of its schema (``_field_key``: "praktiskInfo" is
    "Praktisk"); another field keeps its own name."""
    return DATA_LABELS.get(name) or _LABELS_BY_KEY.get(_field_key(name), name)


_CHILD_KEYS = ("barn", "children")
_MAX_DEPTH = 8
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")


class HapiReader(PageReader):
    """``hapi``: Helsedirektoratet's content API (JSON: no </html> to check)."""

    kind = "hapi"

    def read(self, source: PageInput) -> PageRead:
        return PageRead(extract_hapi(source.result.body))


def extract_hapi(body: bytes) -> PageContent:
    """Sections of one HAPI object (or a list of them) and its embedded children."""
    data = load_hapi(body)
    objects = data if isinstance(data, list) else [data]
    sections: list[Section] = []
    for obj in objects:
        sections.extend(_object_sections(obj, _ancestors(obj), 0))
    first = objects[0] if objects else {}
    if not sections:
        raise SourceProblem("the HAPI answer holds no object with text, status or children")
    signal = _signal_of(first)
    return PageContent(
        title=_title(first),
        sections=tuple(sections),
        updated=signal.isoformat() if signal else None,
    )


def hapi_signal(body: bytes) -> datetime | None:
    """``sistFagligOppdatert`` of the object (the newest, for a list), in UTC; None if absent."""
    data = load_hapi(body)
    objects = data if isinstance(data, list) else [data]
    dates = [d for d in (_signal_of(o) for o in objects) if d is not None]
    return max(dates) if dates else None


#: a JSON escape of a surrogate ("\\ud800"): alone (no pair), it decodes to a lone surrogate
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_lone_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate in its texts (keys too) as U+FFFD, as the HTML
    parser does with ``&#xd800;``: such a text can be neither encoded nor stored, so one
    escape in a hostile answer failed its source's every check in the store."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_no_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_no_lone_surrogates(k): _no_lone_surrogates(v) for k, v in value.items()}
    return value


def load_hapi(body: bytes) -> dict[str, Any] | list[dict[str, Any]]:
    """The decoded JSON (HAPI prefixes a UTF-8 byte order mark); objects only."""
    try:
        text = body.decode("utf-8-sig")
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise SourceProblem(f"the HAPI answer is not JSON: {exc}") from exc
    if _SURROGATE_ESCAPE.search(text):
        data = _no_lone_surrogates(data)
    if isinstance(data, dict):
        return data
    if isinstance(data, list) and all(isinstance(o, dict) for o in data):
        return data
    raise SourceProblem("the HAPI answer is neither an object nor a list of objects")


def parse_hapi_date(value: object) -> datetime | None:
    """A HAPI date in UTC: ``2024-01-18T14:41``, ISO with offset, or ``03/12/2019 10:53:46``."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    match = _SLASH_DATE.match(text)
    try:
        when = _slash_date(match) if match else datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=OSLO)
    return when.astimezone(UTC)


def _slash_date(match: re.Match[str]) -> datetime:
    first, second, year, hour, minute, sec = match.groups()
    month, day = int(first), int(second)
    if month > 12:  # cannot be month/day: it is day/month
        month, day = day, month
    return datetime(int(year), month, day, int(hour), int(minute), int(sec or 0))


def _signal_of(obj: Mapping[str, Any]) -> datetime | None:
    return parse_hapi_date(obj.get("sistFagligOppdatert"))


def _title(obj: Mapping[str, Any]) -> str:
    return clean_text(str(obj.get("tittel") or obj.get("kortTittel") or ""))


def _ancestors(obj: Mapping[str, Any]) -> tuple[str, ...]:
    """Root title, then parent title (when different): the start of every path."""
    chain: list[str] = []
    for rel in ("root", "forelder"):
        for link in _links(obj, rel):
            title = clean_text(str(link.get("tittel") or ""))
            if title and title not in chain and title != _title(obj):
                chain.append(title)
            break
    return tuple(chain)


def _links(obj: Mapping[str, Any], rel: str) -> Iterator[Mapping[str, Any]]:
    links = obj.get("links")
    if not isinstance(links, list):
        return
    for link in links:
        if isinstance(link, Mapping) and link.get("rel") == rel:
            yield link


def _object_sections(
    obj: Mapping[str, Any], chain: tuple[str, ...], depth: int
) -> Iterator[Section]:
    title = _title(obj)
    path = (*chain, title) if title else chain
    yield from _section(path, "Ingress", obj.get("intro"))
    yield from _section(path, None, obj.get("tekst"))
    data = obj.get("data")
    if isinstance(data, Mapping):
        for name, value in data.items():
            yield from _section(path, data_label(str(name)), value)
    yield from _section(path, "Status", obj.get("status"))
    children = [clean_text(str(link.get("tittel") or "")) for link in _links(obj, "barn")]
    yield from _section(path, "Innhold", children)
    if depth < _MAX_DEPTH:
        for child in _embedded_children(obj):
            yield from _object_sections(child, path, depth + 1)


def _embedded_children(obj: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    for key in _CHILD_KEYS:
        value = obj.get(key)
        if isinstance(value, list):
            return [v for v in value if isinstance(v, Mapping)]
    return []


def _section(path: tuple[str, ...], label: str | None, value: object) -> Iterator[Section]:
    text = _field_text(value)
    if text:
        yield Section(path=(*path, label) if label else path, text=text)


def _field_text(value: object) -> str:
    """Text of an HTML string, or of a map of them (``nokkelInfo``) as 'key: text' lines.

    A map's lines come in one fixed order (the labelled fields in ``DATA_LABELS`` order, then
    the others by name), not in the order of the JSON: a re-serialisation that reorders the
    keys of ``nokkelInfo`` is no change of content."""
    if isinstance(value, str):
        return html_to_text(value).strip()
    if isinstance(value, Mapping):
        keys = sorted((str(k) for k in value), key=_field_order)
        lines = [f"{k}: {t}" for k in keys if (t := _field_text(value[k]))]
        return "\n".join(lines)
    if isinstance(value, list):
        return "\n".join(t for v in value if (t := _field_text(v)))
    return ""


def _field_order(name: str) -> tuple[int, str]:
    return (_LABEL_ORDER.get(name, len(_LABEL_ORDER)), name)
