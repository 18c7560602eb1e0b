"""The acceptance corpus: one directory per case under tests/fixtures/detect/, written in the
structure of the real pages (regjeringen, FHI nettpub, Helsedirektoratet's Enonic pages,
Lovdata, statsforvalter), each with the changes a reader must get (or none, or a source
problem). See tests/support/corpus.py for the format; a held case may also name its
``"held_reason"`` in ``expect`` (the review rules, docs/detection.md)."""

from __future__ import annotations

import pytest

from feeds.detect.detection import Detection
from feeds.errors import SourceProblem
from feeds.read.html import extract_page
from tests.support import corpus
from tests.support.corpus import CORPUS, Outcome, cases, expected, load, run, spec_of


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


@pytest.mark.parametrize("name", [n for n in cases() if "held_reason" in load(n)["expect"]])
def test_a_held_case_is_held_for_its_reason(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    last: list[Detection] = []
    outcome = corpus._outcome

    def keep(d: Detection) -> Outcome:
        last.append(d)
        return outcome(d)

    monkeypatch.setattr(corpus, "_outcome", keep)
    run(name)
    assert last[-1].held_reason == load(name)["expect"]["held_reason"]


def test_the_corpus_holds_for_every_content_rule() -> None:
    reasons = {load(n)["expect"].get("held_reason") for n in cases()}
    assert {"mass_deletion", "most_replaced", "feed_replaced"} <= reasons


@pytest.mark.parametrize("name", [n for n in cases() if (CORPUS / n / "after.html").exists()])
def test_reusing_the_last_sections_extracts_exactly_what_a_full_extraction_does(
    name: str,
) -> None:
    """A check takes the unchanged sections of the last version over instead of cleaning them
    again; the result must be the very page a full extraction gives, dates included."""
    spec = spec_of(load(name))
    before, after = ((CORPUS / name / f).read_bytes() for f in ("before.html", "after.html"))
    args = (None, spec.selector, spec.drop, spec.noise)
    try:
        last = extract_page(before, *args)
        full = extract_page(after, *args)
    except SourceProblem:
        return  # a problem page: nothing to reuse
    reused = extract_page(after, *args, reuse=last.sections)
    assert reused == full
    assert reused.updated == full.updated
    assert [(s.source, s.signals) for s in reused.sections] == [
        (s.source, s.signals) for s in full.sections
    ]
    # and a page extracted against itself takes every section over (a section printed twice,
    # the same path and text, may be taken over from its first print: blind round 138's
    # featured teaser)
    again = extract_page(after, *args, reuse=full.sections)
    taken = {id(s) for s in full.sections}
    assert again == full
    assert all(id(a) in taken for a in again.sections)
