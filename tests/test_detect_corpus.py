"""The acceptance corpus: one directory per case under tests/fixtures/detect/, written in the
structure of the real pages (regjeringen, FHI nettpub, Helsedirektoratet's Enonic pages,
Lovdata, statsforvalter), each with the changes a reader must get (or none, or a source
problem). See tests/support/corpus.py for the format; a held case may also name its
``"held_reason"`` in ``expect`` (the review rules, docs/detection.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import feeds.read.page
from feeds.detect.detection import Detection
from feeds.read.html import extract_page
from feeds.types import PageContent
from tests.support import corpus
from tests.support.corpus import Outcome, cases, expected, load, run


def test_the_corpus_covers_every_kind_of_case() -> None:
    names = cases()
    assert len(names) >= 30
    outcomes = {expected(n).outcome for n in names}
    assert outcomes == {"changes", "none", "problem"}


@pytest.mark.parametrize("name", cases())
def test_corpus_case(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feeds.read.page, "extract_page", _reuse_checked(extract_page))
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


def _reuse_checked(extract: Callable[..., PageContent]) -> Callable[..., PageContent]:
    """``extract_page`` as a check calls it, checking what reuse must not change: a check
    takes the unchanged sections of the last version over instead of cleaning them again,
    and the result must be the very page a full extraction gives, dates, sources and
    signals included; and a page extracted against itself takes every section over (a
    section printed twice, the same path and text, may be taken over from its first print:
    blind round 138's featured teaser). Checked at every step of every page case that has
    a last version, through the stored form the harness reads it back from."""

    def checked(body: bytes, *args: Any, **kwargs: Any) -> PageContent:
        page = extract(body, *args, **kwargs)
        reuse = args[4] if len(args) > 4 else kwargs.get("reuse", ())
        if not reuse:
            return page
        plain = (*args[:4], ())
        full = extract(body, *plain, **kwargs)
        assert page == full
        assert page.updated == full.updated
        assert [(s.source, s.signals) for s in page.sections] == [
            (s.source, s.signals) for s in full.sections
        ]
        again = extract(body, *args[:4], full.sections, **kwargs)
        taken = {id(s) for s in full.sections}
        assert again == full
        assert all(id(a) in taken for a in again.sections)
        return page

    return checked


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
