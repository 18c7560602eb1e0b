"""Detection: one fetched response plus the last snapshot gives the verb and the changes.

Pure: ``detect`` takes values and returns values, so every case (baseline, 304, same body,
noise only, a real edit, a collapse) is tested without a server or a database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from feeds.catalogue import SourceSpec
from feeds.diff import (
    DiffSegment,
    ItemChange,
    SectionChange,
    SeenItem,
    diff_feed,
    diff_pages,
)
from feeds.errors import ContentCollapse
from feeds.extract import PageContent, Section, extract_feed, extract_page
from feeds.fetch import FetchResult

#: How many item identities a feed snapshot remembers (tombstones included).
SEEN_LIMIT = 5000
#: A page whose text falls below this share of the last version in one check is suspect ...
COLLAPSE_RATIO = 0.3
#: ... provided the last version was at least this long.
COLLAPSE_MIN_CHARS = 400


@dataclass(frozen=True)
class SnapshotState:
    """What we keep of a source's last version."""

    kind: str
    body_hash: str
    content_digest: str
    page: PageContent | None = None
    seen: Mapping[str, SeenItem] = field(default_factory=dict)


@dataclass(frozen=True)
class DetectedChange:
    fingerprint: str
    kind: str  # new | changed | added | removed
    title: str
    url: str
    section: tuple[str, ...] = ()
    summary: str = ""
    before: str = ""
    after: str = ""
    segments: tuple[DiffSegment, ...] = ()
    published: datetime | None = None


@dataclass(frozen=True)
class Detection:
    outcome: str  # new | changed | unchanged
    state: SnapshotState | None  # None: nothing new to store
    changes: tuple[DetectedChange, ...] = ()
    baseline: bool = False
    held: bool = False  # a confirmed collapse: store, but hold for staff review
    note: str = ""


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def detect(
    spec: SourceSpec,
    result: FetchResult,
    previous: SnapshotState | None,
    accept_collapse: str | None = None,
) -> Detection:
    """Compare a fetched response with the last snapshot. Raises SourceProblem."""
    if result.not_modified:
        return Detection("unchanged", None, note="304 not modified")
    raw = body_hash(result.body)
    if previous is not None and previous.body_hash == raw:
        return Detection("unchanged", None, note="same body")
    if spec.kind == "feed":
        return _detect_feed(spec, result, raw, previous)
    return _detect_page(spec, result, raw, previous, accept_collapse)


def _detect_feed(
    spec: SourceSpec, result: FetchResult, raw: str, previous: SnapshotState | None
) -> Detection:
    feed = extract_feed(result.body, result.headers)
    seen = dict(previous.seen) if previous else {}
    item_changes = diff_feed(seen, feed)
    current = {i.item_id: SeenItem(i.digest, i.title, i.summary) for i in feed.items}
    # Items that left the feed are kept as bare tombstones, newest last, up to the limit.
    merged = {k: SeenItem(v.digest) for k, v in seen.items() if k not in current}
    merged.update(current)
    if len(merged) > SEEN_LIMIT:
        merged = dict(list(merged.items())[-SEEN_LIMIT:])
    digest = hashlib.sha256("".join(sorted(current)).encode()).hexdigest()[:32]
    state = SnapshotState("feed", raw, digest, seen=merged)
    if previous is None:
        return Detection("new", state, baseline=True, note=f"baseline: {len(feed.items)} items")
    changes = tuple(_item_change(spec, c) for c in item_changes)
    outcome = _outcome(changes)
    return Detection(outcome, state, changes, note=f"{len(changes)} item(s)")


def _item_change(spec: SourceSpec, change: ItemChange) -> DetectedChange:
    item = change.item
    return DetectedChange(
        fingerprint=_fingerprint(spec.key, "item", item.item_id, change.kind, item.digest),
        kind=change.kind,
        title=item.title or spec.name,
        url=item.link or spec.url,
        summary=item.summary,
        before=f"{change.before_title}\n{change.before_summary}".strip(),
        after=f"{item.title}\n{item.summary}".strip(),
        segments=change.segments,
        published=item.updated or item.published,
    )


def _detect_page(
    spec: SourceSpec,
    result: FetchResult,
    raw: str,
    previous: SnapshotState | None,
    accept_collapse: str | None,
) -> Detection:
    page = extract_page(result.body, result.headers, spec.selector, spec.drop)
    state = SnapshotState("page", raw, page.digest, page=page)
    if previous is None or previous.page is None:
        return Detection(
            "new", state, baseline=True, note=f"baseline: {len(page.sections)} sections"
        )
    if previous.page.digest == page.digest:
        return Detection("unchanged", state, note="same content, other markup or noise")
    held = _collapse_check(previous.page, page, accept_collapse)
    changes = tuple(_section_change(spec, page, c) for c in diff_pages(previous.page, page))
    if not changes:  # only the order of sections changed
        return Detection("unchanged", state, note="sections reordered")
    return Detection("changed", state, changes, held=held, note=f"{len(changes)} section(s)")


def _collapse_check(before: PageContent, after: PageContent, accept: str | None) -> bool:
    old, new = before.text_length, after.text_length
    if old < COLLAPSE_MIN_CHARS or new >= old * COLLAPSE_RATIO:
        return False
    if accept == after.digest:
        return True
    raise ContentCollapse(
        f"the main content fell from {old} to {new} characters in one check; "
        "kept the last version (if it persists it is held for staff review)",
        digest=after.digest,
    )


def _section_change(spec: SourceSpec, page: PageContent, change: SectionChange) -> DetectedChange:
    where = " › ".join(change.path)
    title = page.title or spec.name
    return DetectedChange(
        fingerprint=_fingerprint(
            spec.key, "section", *change.path, change.before_digest, change.after_digest
        ),
        kind=change.kind,
        title=f"{title}: {where}" if where else title,
        url=spec.url,
        section=change.path,
        summary=(change.after or change.before)[:600],
        before=change.before,
        after=change.after,
        segments=change.segments,
    )


def _outcome(changes: tuple[DetectedChange, ...]) -> str:
    if any(c.kind == "new" for c in changes):
        return "new"
    return "changed" if changes else "unchanged"


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


# ----------------------------------------------------------------------------- (de)serialise


def state_to_json(state: SnapshotState) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": state.kind,
        "body_hash": state.body_hash,
        "content_digest": state.content_digest,
    }
    if state.page is not None:
        data["title"] = state.page.title
        data["sections"] = [{"path": list(s.path), "text": s.text} for s in state.page.sections]
    if state.seen:
        data["seen"] = {k: [v.digest, v.title, v.summary] for k, v in state.seen.items()}
    return data


def state_from_json(data: Mapping[str, Any]) -> SnapshotState:
    page = None
    if "sections" in data:
        page = PageContent(
            title=data.get("title", ""),
            sections=tuple(Section(tuple(s["path"]), s["text"]) for s in data["sections"]),
        )
    seen = {k: SeenItem(*v) for k, v in (data.get("seen") or {}).items()}
    return SnapshotState(
        kind=data["kind"],
        body_hash=data["body_hash"],
        content_digest=data["content_digest"],
        page=page,
        seen=seen,
    )
