"""Whole numbers from outside (a form field, a path or query parameter, a server's header).

``str.isdigit()`` is true for "²" and "٣", which ``int()`` then refuses or reads as another
digit, and an unbounded run of digits overflows the databases' 64-bit integers: both ended
requests with a server error. ``digits`` is the one rule: ASCII digits only, at most ``most``
of them, else None.
"""

from __future__ import annotations


def digits(text: str | None, most: int = 18) -> int | None:
    """``text`` as a non-negative integer when it is 1 to ``most`` ASCII digits, else None
    (18 digits always fit a signed 64-bit integer)."""
    if not text or len(text) > most or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
