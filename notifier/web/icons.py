"""The web app's icons, drawn here as PNG (no image library, no binary in the repository):
the site's blue with a white cross, 192 and 512 pixels, and a maskable 512 whose cross stays
inside the safe zone (the middle 80 %) of any mask. Deterministic: the same bytes every time.
"""

from __future__ import annotations

import struct
import zlib
from functools import cache

BLUE = (0x0B, 0x57, 0xA4)
WHITE = (0xFF, 0xFF, 0xFF)
#: the sizes served, by file name
ICONS = {
    "ikon-192.png": (192, False),
    "ikon-512.png": (512, False),
    "ikon-maskable-512.png": (512, True),
}


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _inside_cross(x: int, y: int, size: int, maskable: bool) -> bool:
    """A plus sign: arms a fifth of the icon wide, reaching 70 % (maskable: 50 %) across."""
    reach = size * (0.25 if maskable else 0.35)
    half = size * (0.08 if maskable else 0.11)
    dx, dy = abs(x + 0.5 - size / 2), abs(y + 0.5 - size / 2)
    return (dx <= half and dy <= reach) or (dy <= half and dx <= reach)


def _inside_round_square(x: int, y: int, size: int) -> bool:
    """A rounded square (radius 18 % of the size); corners transparent."""
    radius = size * 0.18
    cx = min(max(x + 0.5, radius), size - radius)
    cy = min(max(y + 0.5, radius), size - radius)
    return (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radius**2


@cache
def png(size: int, maskable: bool = False) -> bytes:
    """The icon as PNG bytes (RGBA; a maskable icon fills the whole square)."""
    rows = []
    for y in range(size):
        row = bytearray(b"\x00")  # filter: none
        for x in range(size):
            if not maskable and not _inside_round_square(x, y, size):
                row += b"\x00\x00\x00\x00"
                continue
            colour = WHITE if _inside_cross(x, y, size, maskable) else BLUE
            row += bytes((*colour, 0xFF))
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    data = zlib.compress(b"".join(rows), 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )
