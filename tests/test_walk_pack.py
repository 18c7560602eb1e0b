"""A new version's texts compressed in a worker thread (``feeds.check._pack_in_thread``): the
same bytes as ``Section.packed``, the same stored state, and only the sections not taken over
from the last version."""

from __future__ import annotations

import asyncio
import zlib

from bench.pages import page
from feeds.check import PACK_IN_THREAD_CHARS, _pack_in_thread
from feeds.detect.detection import Detection
from feeds.read.html import extract_page
from feeds.store.snapshot import (
    keep_packed,
    pack_texts,
    state_from_blob,
    state_to_blob,
    unpacked_sections,
)
from feeds.types import PageContent, SnapshotState


def state_of(content: PageContent) -> SnapshotState:
    return SnapshotState("page", "raw", content.digest, page=content)


def test_texts_packed_apart_are_the_sections_own() -> None:
    body = page(1, 0)
    apart, inline = state_of(extract_page(body)), state_of(extract_page(body))
    sections = unpacked_sections(apart)
    assert len(sections) == len(apart.page.sections) > 10  # type: ignore[union-attr]
    keep_packed(sections, pack_texts(sections))
    assert unpacked_sections(apart) == []
    assert state_to_blob(apart) == state_to_blob(inline)
    for section in state_from_blob(state_to_blob(apart)).page.sections:  # type: ignore[union-attr]
        assert zlib.decompress(section.packed).decode() == section.text


def test_a_new_versions_changed_sections_only_are_left_to_pack() -> None:
    last = state_from_blob(state_to_blob(state_of(extract_page(page(1, 0)))))
    assert last.page is not None
    now = state_of(extract_page(page(1, 1), reuse=last.page.sections))
    left = unpacked_sections(now)
    assert [s.path for s in left] == [("Veileder nummer 1", "Kapittel 3")]


def test_a_long_new_version_is_packed_in_a_thread_a_short_one_where_it_is_stored() -> None:
    long = state_of(extract_page(page(2, 0)))
    short_page = extract_page(page(3, 0, target_bytes=2_000))
    short = state_of(short_page)
    assert short_page.text_length < PACK_IN_THREAD_CHARS

    async def both() -> None:
        await _pack_in_thread(Detection("new", long, baseline=True))
        await _pack_in_thread(Detection("new", short, baseline=True))

    asyncio.run(both())
    assert unpacked_sections(long) == []
    assert len(unpacked_sections(short)) == len(short_page.sections)
