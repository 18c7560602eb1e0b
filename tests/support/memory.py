"""How much a piece of work grows this process's memory: the resident set sampled every 10 ms
in a thread (Linux ``/proc/self/statm``), or, where that file does not exist, the growth of
the peak resident set (``resource``), which only sees growth past the earlier peak.

    with rss_growth() as grown:
        work()
    assert grown.mib < 200
"""

from __future__ import annotations

import os
import resource
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_STATM = Path("/proc/self/statm")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass
class Growth:
    bytes: int = 0

    @property
    def mib(self) -> float:
        return self.bytes / (1 << 20)


def _current() -> int | None:
    try:
        return int(_STATM.read_text().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def _peak() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


@contextmanager
def rss_growth() -> Iterator[Growth]:
    growth = Growth()
    start = _current()
    if start is None:
        before = _peak()
        yield growth
        growth.bytes = max(0, _peak() - before)
        return
    highest = start
    done = threading.Event()

    def sample() -> None:
        nonlocal highest
        while not done.wait(0.01):
            now = _current()
            if now is not None and now > highest:
                highest = now

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield growth
    finally:
        done.set()
        thread.join()
        now = _current() or highest
        growth.bytes = max(highest, now) - start
