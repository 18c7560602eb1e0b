"""Whole numbers from outside (a form field, a path or query parameter, a server's header).

``str.isdigit()`` is true for "²" and "٣", which ``int()`` then refuses or reads as another
digit, and an unbounded run of digits overflows the databases' 64-bit integers: both ended
requests with a server error. ``digits`` is the one rule: ASCII digits only, at most ``most``
of them, else None.

It lives in ``subscribers.validate`` because ``subscribers/`` may not import ``notifier/``
(the layering rule) and reads numbers from CSV files and links too; the shell takes it from
here. ``subscribers.tokens`` checks its three numbers with the same rule as a pattern
(``validate`` imports ``tokens``).
"""

from __future__ import annotations

from subscribers.validate import digits

__all__ = ["digits"]
