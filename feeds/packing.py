"""Compression of stored snapshot texts: the zlib format, written by ISA-L.

A page's sections are compressed one by one when a version is stored
(``feeds.types.Section.packed``, ``feeds.store.snapshot.state_to_blob``). zlib's own level 1
compresses Norwegian guidance text at ~30-40 MB/s on this project's machines: ~0.1 ms for a
3.5 KB section, ~3 ms for a 100 KB page, most of the CPU of storing a page seen for the first
time. ISA-L's level 1 writes the same format (any zlib reads it, and it reads what zlib
wrote, so stored snapshots need no migration) ~7x faster, with a slightly smaller result
(docs/benchmarks.md, "The check round").
"""

from __future__ import annotations

import zlib
from typing import cast

from isal import isal_zlib

#: ISA-L's levels are 0-3; 0 skips the Huffman coding of matches and grows short texts
LEVEL = 1
#: ISA-L's error for damaged data (its stubs type it as an instance)
_DAMAGED = cast("type[Exception]", isal_zlib.error)


def deflate(data: bytes) -> bytes:
    """``data`` compressed in the zlib format (RFC 1950)."""
    return isal_zlib.compress(data, LEVEL)


def inflate(data: bytes) -> bytes:
    """What ``deflate`` (or zlib, at any level) compressed; ``zlib.error`` if it is damaged."""
    try:
        return isal_zlib.decompress(data)
    except _DAMAGED as exc:  # the same error as zlib's, for callers that know zlib
        raise zlib.error(str(exc)) from exc
