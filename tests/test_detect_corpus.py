"""The acceptance corpus: one directory per case under tests/fixtures/detect/, written in the
structure of the real pages (regjeringen, FHI nettpub, Helsedirektoratet's Enonic pages,
Lovdata, statsforvalter), each with the changes a reader must get (or none, or a source
problem). See tests/support/corpus.py for the format."""

from __future__ import annotations

import pytest

from tests.support.corpus import cases, expected, run


def test_the_corpus_covers_every_kind_of_case() -> None:
    names = cases()
    assert len(names) >= 30
    outcomes = {expected(n).outcome for n in names}
    assert outcomes == {"changes", "none", "problem"}


@pytest.mark.parametrize("name", cases())
def test_corpus_case(name: str) -> None:
    want, got = expected(name), run(name)
    assert got.outcome == want.outcome, got
    if want.outcome != "changes":
        assert got.problems == want.problems
    else:
        assert sorted(got.changes) == sorted(want.changes)
        assert got.held == want.held
        if want.published:
            assert got.published == want.published
    if want.signal:
        assert got.signal == want.signal
