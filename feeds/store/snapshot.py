"""The snapshot format: how a version's state (``feeds.types.SnapshotState``) is stored in
``Snapshot.packed_state`` and read back (rows from before migration 0004 hold JSON in
``Snapshot.state``; both are read).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any

from feeds.packing import deflate, inflate
from feeds.types import (
    EXTRACTION_VERSION,
    PageContent,
    PartState,
    Section,
    SeenItem,
    SnapshotState,
)


def state_to_json(state: SnapshotState, texts: bool = True) -> dict[str, Any]:
    """The state as JSON; without the section texts when ``texts`` is false (the head of a
    packed state, whose texts are stored apart)."""
    data: dict[str, Any] = {
        "version": state.version,
        "kind": state.kind,
        "body_hash": state.body_hash,
        "content_digest": state.content_digest,
    }
    if state.page is not None:
        data["title"] = state.page.title
        data["digest"] = state.page.digest
        data["sections"] = [_section_json(s, texts) for s in state.page.sections]
        if state.page.updated:
            data["updated"] = state.page.updated
    if state.history:
        data["history"] = {k: list(v) for k, v in state.history.items()}
    if state.seen:
        data["seen"] = {k: _seen_json(v) for k, v in state.seen.items()}
    if state.feed_updated:
        data["feed_updated"] = state.feed_updated
    if state.parts:
        data["parts"] = {
            url: [p.title, p.etag, p.last_modified, p.body_hash] for url, p in state.parts.items()
        }
    return data


def _seen_json(item: SeenItem) -> list[Any]:
    """A remembered feed item as a list (``SeenItem``'s fields in order, those at the end
    that are empty left off; three at least, as snapshots stored them before). Its
    enclosures, when known (``SeenItem.enclosures``), are a list after the seven texts, which
    are then all kept: an item stored without that list did not know its enclosures. Its
    teaser, when known (``SeenItem.teaser``), follows them (the enclosures then null when
    they are not known): an item stored without it did not know its teaser. Its link, when it
    has one (``SeenItem.link``), comes after them (the teaser then null when it is not
    known), and last a tombstone's withdrawal (``SeenItem.withdrawn``), when it has one."""
    fields: list[Any] = [
        item.digest,
        item.title,
        item.summary,
        item.content,
        item.published,
        item.anchor,
        item.gist,
    ]
    enclosures = None if item.enclosures is None else list(item.enclosures)
    if item.withdrawn:
        return [*fields, enclosures, item.teaser, item.link, item.withdrawn]
    if item.link:
        return [*fields, enclosures, item.teaser, item.link]
    if item.teaser is not None:
        return [*fields, enclosures, item.teaser]
    if enclosures is not None:
        return [*fields, enclosures]
    while len(fields) > 3 and not fields[-1]:
        fields.pop()
    return fields


def _seen_of(data: Sequence[Any]) -> SeenItem:
    """``_seen_json`` read back."""
    if len(data) > _SEEN_TEXTS:
        digest, title, summary, content, published, anchor, gist = data[:_SEEN_TEXTS]
        files = data[_SEEN_TEXTS]
        enclosures = None if files is None else tuple(files)
        teaser = data[_SEEN_TEXTS + 1] if len(data) > _SEEN_TEXTS + 1 else None
        link = data[_SEEN_TEXTS + 2] if len(data) > _SEEN_TEXTS + 2 else ""
        withdrawn = int(data[_SEEN_TEXTS + 3]) if len(data) > _SEEN_TEXTS + 3 else 0
        return SeenItem(
            digest, title, summary, content, published, anchor, gist, enclosures, teaser, link,
            withdrawn,
        )  # fmt: skip
    return SeenItem(*data)


#: the texts of a remembered item (``_seen_json``), before its enclosures
_SEEN_TEXTS = 7


def _section_json(section: Section, text: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"path": list(section.path), "digest": section.digest}
    if text:
        data["text"] = section.text
    else:
        data["length"] = section.length
    if section.source:
        data["source"] = section.source
    if section.signals:
        data["signals"] = list(section.signals)
    return data


def state_from_json(
    data: Mapping[str, Any], packed: Sequence[bytes] | None = None
) -> SnapshotState:
    """The state of ``state_to_json``; ``packed`` holds the section texts when they are
    stored apart (compressed, ``state_to_blob``)."""
    version = data.get("version", 1)
    page = None
    if "sections" in data:
        # Digests stored by this extraction version are taken as they are (no re-hashing of
        # every section of the last version); an older version is re-baselined anyway.
        trusted = version == EXTRACTION_VERSION
        entries = data["sections"]
        if packed is None:
            sections = tuple(_section_of(s, trusted) for s in entries)
        else:
            pairs = zip(entries, packed, strict=True)
            sections = tuple(_packed_section(s, chunk, trusted) for s, chunk in pairs)
        page = PageContent(
            title=data.get("title", ""), sections=sections, updated=data.get("updated")
        )
        if trusted and data.get("digest"):
            page.__dict__["digest"] = data["digest"]
    seen = {k: _seen_of(v) for k, v in (data.get("seen") or {}).items()}
    return SnapshotState(
        kind=data["kind"],
        body_hash=data["body_hash"],
        content_digest=data["content_digest"],
        page=page,
        seen=seen,
        history={k: tuple(v) for k, v in (data.get("history") or {}).items()},
        version=version,
        parts={url: PartState(*p) for url, p in (data.get("parts") or {}).items()},
        feed_updated=data.get("feed_updated"),
    )


def _section_of(data: Mapping[str, Any], trusted: bool) -> Section:
    section = Section(
        tuple(data["path"]),
        data["text"],
        source=data.get("source", "") if trusted else "",
        signals=tuple(data.get("signals", ())),
    )
    digest = data.get("digest")
    if trusted and digest:
        # cached_property's own slot: the frozen value is the same, its digest known already
        section.__dict__["digest"] = digest
    return section


class _PackedSection(Section):
    """A section read back from a packed state: its text stays compressed until something
    reads it. A check reads the texts of the sections that changed only; the others are
    compared by digest, counted by their stored length and stored again as they are."""

    @functools.cached_property
    def text(self) -> str:
        return inflate(self.packed).decode()


def _packed_section(data: Mapping[str, Any], chunk: bytes, trusted: bool) -> Section:
    section = _PackedSection.__new__(_PackedSection)
    # the frozen fields and the cached properties, set as the dataclass and cached_property
    # would; ``text`` is left to its property
    section.__dict__.update(
        path=tuple(data["path"]),
        source=data.get("source", "") if trusted else "",
        signals=tuple(data.get("signals", ())),
        packed=chunk,
    )
    if "length" in data:
        section.__dict__["length"] = data["length"]
    if trusted and data.get("digest"):
        section.__dict__["digest"] = data["digest"]
    return section


def packed_only(section: Section) -> Section:
    """The section with its text held compressed only (``Section.packed``), read back when
    something asks for it: what a detection process sends back (feeds/detect/processes.py),
    a quarter of the bytes of the text and its compressed copy together."""
    if isinstance(section, _PackedSection) and "text" not in section.__dict__:
        return section
    return _packed_section(_section_json(section, text=False), section.packed, trusted=True)


#: A packed state (format 2): this mark, the length of the head (4 bytes, big-endian), the head
#: (zlib-compressed JSON of everything but the section texts, with each text's packed size),
#: then every section's text compressed on its own (``Section.packed``). A section carried
#: over from the last version keeps its compressed bytes, so a check where one section of a
#: long page changed compresses that section only. Format 1 (zlib-compressed JSON of the whole
#: state) is still read.
PACKED_MARK = b"NS2\x00"


def state_to_blob(state: SnapshotState) -> bytes:
    """The state as stored in ``Snapshot.packed_state`` (format 2, see ``PACKED_MARK``)."""
    head = state_to_json(state, texts=False)
    chunks = [s.packed for s in state.page.sections] if state.page is not None else []
    if state.page is not None:
        head["sizes"] = [len(c) for c in chunks]
    packed_head = deflate(json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode())
    return b"".join((PACKED_MARK, len(packed_head).to_bytes(4, "big"), packed_head, *chunks))


def state_from_blob(blob: bytes) -> SnapshotState:
    if not blob.startswith(PACKED_MARK):  # format 1
        return state_from_json(json.loads(inflate(blob)))
    start = len(PACKED_MARK) + 4
    end = start + int.from_bytes(blob[len(PACKED_MARK) : start], "big")
    head: Mapping[str, Any] = json.loads(inflate(blob[start:end]))
    chunks: list[bytes] = []
    for size in head.get("sizes", ()):
        chunks.append(blob[end : end + size])
        end += size
    if end != len(blob):
        raise ValueError(f"a packed snapshot state of {len(blob)} bytes is damaged")
    return state_from_json(head, chunks if "sections" in head else None)


#: a stored state as read from the database: packed bytes, JSON (rows before migration 0004)
StoredState = bytes | Mapping[str, Any] | None


def stored_state(stored: StoredState) -> SnapshotState | None:
    """The state of a stored row (``feeds.store.versions.latest_stored``); None: no snapshot yet."""
    if not stored:
        return None
    if isinstance(stored, bytes):
        return state_from_blob(stored)
    return state_from_json(stored)
