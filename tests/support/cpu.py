"""CPU time measured fairly in the bounded-time tests (tests/security/).

A bound there catches a rule made quadratic again (tens to thousands of times slower), not a
few per cent: that is ``bench/``. But a bound in plain seconds also fails a machine that runs
everything twice as slowly (a CI machine measured ~1.9x once, and a case of 3.1 s against its
4 s budget failed there). So a case over its bound is judged by ``within`` against the bound
scaled by ``pace``: how much more slowly this machine runs a fixed piece of plain Python
right now than the machine the bounds were set on, measured beside the case, at least 1 and
at most ``MAX_PACE``. The reference work uses
nothing of notifier, so a slower notifier cannot loosen its own bounds."""

from __future__ import annotations

import contextlib
import gc
import re
import time
from collections.abc import Iterator

#: CPU seconds ``_reference`` took, the best of five, on the machine the bounds were set on
#: (a 2-CPU CI machine at rest, 2026-12-07)
NOMINAL = 0.020
#: the most a bound is widened: a quadratic rule costs far more than this on a hostile body
MAX_PACE = 3.0

_WORDS = re.compile(r"\w+")


def _reference() -> float:
    """CPU seconds of a fixed mix of what the readers do: regex, string and dict work."""
    started = time.process_time()
    text = " ".join(f"ord{i % 97} {i}. mars" for i in range(16_000))
    counts: dict[str, int] = {}
    for word in _WORDS.findall(text):
        counts[word.lower()] = counts.get(word.lower(), 0) + 1
    sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    text.replace("mars", "april").split(" ")
    return time.process_time() - started


def pace() -> float:
    """How many times more slowly this machine runs plain Python now than at ``NOMINAL``."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        best = min(_reference() for _ in range(5))
    finally:
        if enabled:
            gc.enable()
    return min(MAX_PACE, max(1.0, best / NOMINAL))


def within(spent: float, seconds: float) -> bool:
    """Whether ``spent`` CPU seconds keep within a bound of ``seconds`` on the machine the
    bounds were set on. Measured against this machine's ``pace`` only when it is over: the
    calibration (~0.1 s) is not paid by the hundreds of cases well within their bounds."""
    return spent < seconds or spent < seconds * pace()


@contextlib.contextmanager
def own_cpu() -> Iterator[None]:
    """The timed work without the garbage collector: a full collection it sets off would
    walk the heap every earlier test of this worker left (a CI run measured 1.08 s CPU for
    0.09 s of diffing), which is no cost of the code under test."""
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
