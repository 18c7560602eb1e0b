"""Typography carries no news: quotation marks, dashes, letter case, digit grouping and where a
paragraph ends (``feeds.types.fold``), in pages (``diff_pages``) and feeds (``diff_feed``)."""

from __future__ import annotations

import pytest

from feeds.detect.diff import diff_feed, diff_pages
from feeds.types import FeedContent, FeedItem, PageContent, Section, SeenItem, fold


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('Bruk "munnbind" i 2-3 dager', "Bruk «munnbind» i 2–3 dager"),
        ("covid-19 hos barn 0-4 år", "Covid\u201119 hos barn 0\u20114 år"),
        ("1245 tilfeller av 120000000", "1 245 tilfeller av 120\u00a0000\u202f000"),
        ("Ta test. Hold deg hjemme.", "Ta test.\nHold deg hjemme."),
        ("IKKE møt opp", "ikke møt opp"),
        ("Kunngjort 3. mars kl. 15.10", "Kunngjort 3. mars kl. 15:10"),
    ],
)
def test_typography_folds_away(before: str, after: str) -> None:
    assert fold(before) == fold(after)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Karantene i 5 dager", "Karantene i 7 dager"),
        ("skal teste seg", "skal ikke teste seg"),
        ("12 45", "1245"),  # not a group of three digits
        ("• A\n• B", "• A B"),  # two items made one
        ("verdi < 5", "verdi > 5"),
        ("0,5 ml", "5 ml"),
        ("kl. 15.10", "kl. 15.20"),
        ("forholdet 1:50", "forholdet 1.50"),  # not a time of day
    ],
)
def test_what_is_said_does_not_fold_away(before: str, after: str) -> None:
    assert fold(before) != fold(after)


def page(*sections: tuple[tuple[str, ...], str]) -> PageContent:
    return PageContent("T", tuple(Section(path, text) for path, text in sections))


def test_a_section_set_in_other_typography_is_unchanged_and_a_real_edit_is_seen() -> None:
    before = page((("Råd",), 'Bruk "munnbind" ved covid-19.'), (("Dose",), "1245 doser"))
    same = page((("Råd",), "Bruk «munnbind»\nved Covid–19."), (("Dose",), "1 245 doser"))
    edited = page((("Råd",), "Bruk «munnbind»\nved Covid–19."), (("Dose",), "1 250 doser"))
    assert diff_pages(before, same) == []
    assert [(c.kind, c.path) for c in diff_pages(before, edited)] == [("changed", ("Dose",))]
    # what readers are shown is the text as published
    assert diff_pages(before, edited)[0].after == "1 250 doser"


def test_a_heading_set_in_other_typography_is_no_change() -> None:
    before = page((("Covid-19",), "Tekst om testing."))
    after = page((("COVID–19",), "Tekst om testing."))
    assert diff_pages(before, after) == []
    renamed = page((("Influensa",), "Tekst om testing."))
    assert [c.kind for c in diff_pages(before, renamed)] == ["changed"]


def remembered(item: FeedItem) -> SeenItem:
    return SeenItem(item.digest, item.title, item.summary, item.content, item.date)


def test_a_feed_item_set_in_other_typography_is_no_edit() -> None:
    old = FeedItem("a", 'Nye råd om "munnbind"', "https://x.no/a", "Gjelder covid-19.")
    same = FeedItem("a", "Nye råd om «munnbind»", "https://x.no/a", "Gjelder Covid–19.")
    edited = FeedItem("a", "Nye råd om «munnbind»", "https://x.no/a", "Gjelder influensa.")
    seen = {"a": remembered(old)}
    assert diff_feed(seen, FeedContent("F", (same,))) == []
    assert [c.kind for c in diff_feed(seen, FeedContent("F", (edited,)))] == ["changed"]
    # a tombstone keeps no texts: nothing to compare, an edit as before
    assert [c.kind for c in diff_feed({"a": SeenItem(old.digest)}, FeedContent("F", (same,)))] == [
        "changed"
    ]


LINKED = "Lederen har ansvar for at legemiddelforskriften (FOR-2008-04-03-320) følges."


def test_a_link_to_an_act_put_on_words_that_stood_there_is_no_change() -> None:
    before = page((("Ansvar",), "Lederen har ansvar for at legemiddelforskriften følges."))
    linked = page((("Ansvar",), LINKED))
    assert diff_pages(before, linked) == []
    # re-pointed to another act, or the words edited as the link is put on: a change
    repointed = page((("Ansvar",), LINKED.replace("2008-04-03-320", "2009-02-13-205")))
    assert [c.kind for c in diff_pages(page((("Ansvar",), LINKED)), repointed)] == ["changed"]
    edited = page((("Ansvar",), LINKED.replace("følges", "ikke følges")))
    assert [c.kind for c in diff_pages(before, edited)] == ["changed"]
    # the link taken away again is reported (conservative)
    assert [c.kind for c in diff_pages(linked, before)] == ["changed"]


def rss(title: str) -> bytes:
    return (
        '<rss version="2.0"><channel><title>F</title><item><guid>a</guid>'
        f"<title>{title}</title><link>https://x.no/a</link><description>Tekst</description>"
        "</item></channel></rss>"
    ).encode()


def test_a_checks_note_says_an_item_was_only_set_in_other_typography() -> None:
    from feeds.catalogue import SourceSpec
    from feeds.detect.detection import detect
    from feeds.types import FetchResult

    spec = SourceSpec(key="f", kind="feed", url="https://x.no/rss", authority="x", name="F")
    first = detect(spec, FetchResult(spec.url, 200, rss('Råd om "munnbind"')), None)
    again = detect(spec, FetchResult(spec.url, 200, rss("Råd om «munnbind»")), first.state)
    assert again.changes == ()
    assert again.refresh and "1 item(s) set in other typography" in again.note
