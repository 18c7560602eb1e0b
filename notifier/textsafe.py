"""Text from a watched source made fit to show: valid, visible as what it is, and bounded.
Pure.

A source's title, summary, section path or diff can hold what no reader should get: a lone
surrogate (from a JSON ``\\udcff`` escape; it cannot be encoded, so the page or payload that
holds it ends in an error), NUL and other control characters, noncharacters, the bidi
embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069: "Faktura
\\u202efdp.exe" shows as "Faktura exe.pdf", a sender or link turned around) and zero-width
characters hiding in URL-looking text. ``clean`` drops all of these (the decision: bidi
controls are stripped everywhere, in plain text and in HTML alike, not isolated with
``<bdi>``: no Norwegian health authority's text needs them, and stripped they cannot be
misread by any reader) and turns the Unicode line breaks (U+0085, U+2028, U+2029) into
``\\n``. ``bounded`` cuts a text to a length at a character boundary, with "…".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: control characters but tab and line feed, surrogates, the noncharacters, the bidi
#: embedding/override/isolate controls and the zero-width characters
_UNSHOWN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f"
    "\u180e\u200b-\u200d\u202a-\u202e\u2060\u2066-\u2069\ufeff"
    "\ud800-\udfff\ufdd0-\ufdef"
    + "".join(chr(plane * 0x10000 + end) for plane in range(17) for end in (0xFFFE, 0xFFFF))
    + "]"
)
_BREAKS = re.compile("\r\n?|[\x85\u2028\u2029]")
ELLIPSIS = "…"


def clean(text: object) -> str:
    """``text`` without what should never be shown (see the module), line breaks as ``\\n``."""
    value = text if isinstance(text, str) else str(text or "")
    if value.isascii() and value.isprintable():
        return value
    return _UNSHOWN.sub("", _BREAKS.sub("\n", value))


def bounded(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters (a code point boundary), "…" where cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def shown(text: object, limit: int) -> str:
    """``text`` cleaned and bounded: what a page, a mail or a push may carry of it."""
    value = text if isinstance(text, str) else str(text or "")
    # cut before cleaning (a megabyte is not scanned to show its first thousand characters),
    # then again: cleaning only shortens
    return bounded(clean(bounded(value, limit + 1)), limit)


def segments(
    segs: Sequence[Sequence[str]], max_segments: int = 400, max_chars: int = 20_000
) -> tuple[tuple[str, str], ...]:
    """A word diff cleaned and bounded: at most ``max_segments`` segments and ``max_chars``
    characters in all (each segment cut to what is left); a final ``("=", "…")`` says the
    rest was left out. Malformed segments are skipped."""
    out: list[tuple[str, str]] = []
    left = max_chars
    for seg in segs:
        if len(seg) != 2 or seg[0] not in ("=", "-", "+") or not isinstance(seg[1], str):
            continue
        if len(out) >= max_segments or left <= 0:
            out.append(("=", ELLIPSIS))
            break
        text = shown(seg[1], left)
        left -= len(text)
        out.append((seg[0], text))
    return tuple(out)


def ascii_host(url: str) -> str:
    """``url`` (absolute) with its host in ASCII (IDNA, "xn--" labels), so that a homograph
    ("www.fhі.no" with a Cyrillic "і") shows as the different name it is wherever the link
    is shown or followed; "" when the host is no valid name. An ASCII host stays as it is."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return ""
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    if authority.isascii():
        return url
    userinfo, at, hostport = authority.rpartition("@")
    host, colon, port = hostport.partition(":")
    try:
        ascii_form = host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    if not userinfo.isascii():
        return ""
    return f"{scheme}{sep}{userinfo}{at}{ascii_form}{colon}{port}{tail}"
