"""CPU time measured fairly in the bounded-time tests (tests/security/)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def own_cpu() -> Iterator[None]:
    """The timed work without the garbage collector: a full collection it sets off would
    walk the heap every earlier test of this worker left (a CI run measured 1.08 s CPU for
    0.09 s of diffing), which is no cost of the code under test."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
