"""Blind round 22's rule, both ways, bokmål and nynorsk: a feed whose items are all rewritten at
once (its English edition served in the Norwegian feed, a new text template) is held for review
as one thing (``items_rewritten``), never an alert per item; an edit of a few items is news."""

from __future__ import annotations

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import ITEMS_REWRITTEN, Detection, detect
from feeds.types import FetchResult
from notifier.review import HELD_REASONS

FEED = SourceSpec(key="f", kind="feed", url="https://www.fhi.no/rss", authority="t", name="F")

NORSK = {
    "bokmål": ("Nye råd om vaksine {n}", "Helsedirektoratet har oppdatert rådene, del {n}."),
    "nynorsk": ("Nye råd om vaksine {n}", "Helsedirektoratet har oppdatert råda, del {n}."),
}
ENGLISH = ("New advice on vaccines {n}", "The Directorate has updated its advice, part {n}.")


def rss(texts: dict[int, tuple[str, str]]) -> bytes:
    items = "".join(
        f"<item><title>{title.format(n=n)}</title><link>https://www.fhi.no/nyheter/{n}/</link>"
        f"<guid isPermaLink='false'>g{n}</guid><description>{text.format(n=n)}</description></item>"
        for n, (title, text) in texts.items()
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>F</title>"
        f"<link>https://www.fhi.no/</link>{items}</channel></rss>"
    ).encode()


def check(before: dict[int, tuple[str, str]], after: dict[int, tuple[str, str]]) -> Detection:
    first = detect(FEED, FetchResult(FEED.url, 200, rss(before)), None)
    assert first.state is not None
    return detect(FEED, FetchResult(FEED.url, 200, rss(after)), first.state)


@pytest.mark.parametrize("lang", sorted(NORSK))
@pytest.mark.parametrize("items, rewritten", [(10, 10), (10, 8), (6, 5)])
def test_a_feed_rewritten_at_once_is_held_as_one(lang: str, items: int, rewritten: int) -> None:
    before = {n: NORSK[lang] for n in range(items)}
    after = {n: ENGLISH if n < rewritten else NORSK[lang] for n in range(items)}
    found = check(before, after)
    assert found.held_reason == ITEMS_REWRITTEN
    assert [c.kind for c in found.changes] == ["changed"] * rewritten


@pytest.mark.parametrize("lang", sorted(NORSK))
@pytest.mark.parametrize("items, rewritten", [(10, 2), (10, 7), (4, 4)])
def test_a_few_items_edited_are_news_as_ever(lang: str, items: int, rewritten: int) -> None:
    # 7 of 10 is not more than the share (0.7); 4 items are too few to tell a template
    before = {n: NORSK[lang] for n in range(items)}
    after = {n: ENGLISH if n < rewritten else NORSK[lang] for n in range(items)}
    found = check(before, after)
    assert found.held_reason is None
    assert [c.kind for c in found.changes] == ["changed"] * rewritten


def test_the_reason_has_texts_in_both_standards() -> None:
    bokmal, nynorsk = HELD_REASONS[ITEMS_REWRITTEN]
    assert "skrevet om" in bokmal and "skrivne om" in nynorsk
