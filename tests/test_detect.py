"""Detection: the verb and the changes of one check, from values."""

from __future__ import annotations

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect import detect, state_from_json, state_to_json
from feeds.diff import render_segments_text, word_diff
from feeds.errors import ContentCollapse, FeedEmptied
from feeds.fetch import FetchResult

PAGE_SPEC = SourceSpec("veileder", "page", "https://x.no/v", "fhi", "Veileder", selector="main")
FEED_SPEC = SourceSpec("nyheter", "feed", "https://x.no/rss", "fhi", "Nyheter")


def page(*sections: tuple[str, str]) -> FetchResult:
    body = "".join(f"<h2>{h}</h2><p>{t}</p>" for h, t in sections)
    return FetchResult("https://x.no/v", 200, f"<html><main>{body}</main></html>".encode())


def feed(*items: tuple[str, str, str]) -> FetchResult:
    body = "".join(
        f"<item><guid>{g}</guid><title>{t}</title><description>{d}</description></item>"
        for g, t, d in items
    )
    xml = f'<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>{body}</channel></rss>'
    return FetchResult("https://x.no/rss", 200, xml.encode())


LONG = "Dette er en lang tekst om smittevern i kommunene. " * 20


def test_first_check_is_a_baseline_without_changes() -> None:
    d = detect(PAGE_SPEC, page(("A", "a")), None)
    assert (d.outcome, d.baseline, d.changes) == ("new", True, ())


def test_not_modified_and_same_body_are_unchanged_without_parsing() -> None:
    base = detect(PAGE_SPEC, page(("A", "a")), None).state
    assert detect(PAGE_SPEC, FetchResult("u", 304), base).outcome == "unchanged"
    assert detect(PAGE_SPEC, page(("A", "a")), base).note == "same body"


def test_a_changed_section_is_reported_with_its_path_and_word_diff() -> None:
    base = detect(PAGE_SPEC, page(("A", "a"), ("B", "gammel tekst her")), None).state
    d = detect(PAGE_SPEC, page(("A", "a"), ("B", "ny tekst her")), base)
    assert d.outcome == "changed"
    (change,) = d.changes
    assert change.section == ("B",)
    assert change.kind == "changed"
    assert render_segments_text(change.segments) == "[-gammel-]{+ny+} tekst her"


def test_reordering_sections_alone_is_not_a_change() -> None:
    base = detect(PAGE_SPEC, page(("A", "a"), ("B", "b")), None).state
    assert detect(PAGE_SPEC, page(("B", "b"), ("A", "a")), base).changes == ()


def test_added_and_removed_sections() -> None:
    base = detect(PAGE_SPEC, page(("A", "a"), ("B", "b")), None).state
    d = detect(PAGE_SPEC, page(("A", "a"), ("C", "c")), base)
    assert sorted((c.kind, c.section) for c in d.changes) == [
        ("added", ("C",)),
        ("removed", ("B",)),
    ]


def test_collapse_is_a_problem_then_held_when_it_persists() -> None:
    base = detect(PAGE_SPEC, page(("A", LONG), ("B", LONG)), None).state
    with pytest.raises(ContentCollapse) as info:
        detect(PAGE_SPEC, page(("A", "kort")), base)
    d = detect(PAGE_SPEC, page(("A", "kort")), base, accept_collapse=info.value.digest)
    assert d.held and d.changes
    assert d.held_reason == "mass_deletion" and "held for review: mass_deletion" in d.note


def test_feed_new_edited_and_reappearing_items() -> None:
    base = detect(FEED_SPEC, feed(("1", "En", "a"), ("2", "To", "b")), None).state
    d = detect(FEED_SPEC, feed(("3", "Tre", "c"), ("1", "En", "a endret")), base)
    assert sorted((c.kind, c.title) for c in d.changes) == [("changed", "En"), ("new", "Tre")]
    assert d.outcome == "new"
    # item 2 left the feed and comes back: it is not new
    again = detect(
        FEED_SPEC, feed(("2", "To", "b"), ("3", "Tre", "c"), ("1", "En", "a endret")), d.state
    )
    assert again.changes == ()


def test_a_feed_that_loses_every_item_is_refused_and_keeps_no_new_state() -> None:
    base = detect(FEED_SPEC, feed(("1", "En", "a"), ("2", "To", "b"), ("3", "Tre", "c")), None)
    with pytest.raises(FeedEmptied) as info:
        detect(FEED_SPEC, feed(), base.state)
    assert info.value.before == 3
    # the count is of the items of the last version, not of every identity remembered
    fewer = detect(FEED_SPEC, feed(("3", "Tre", "c")), base.state)
    assert fewer.outcome == "unchanged"  # losing some items is no problem (issue 10)
    assert fewer.state is not None
    restored = state_from_json(state_to_json(fewer.state))
    with pytest.raises(FeedEmptied) as info:
        detect(FEED_SPEC, feed(), restored)
    assert info.value.before == 1


def test_an_empty_feed_is_no_problem_when_nothing_was_lost() -> None:
    empty = detect(FEED_SPEC, feed(), None)
    assert (empty.outcome, empty.baseline) == ("new", True)
    retitled = feed().body.replace(b"<title>N</title>", b"<title>M</title>")
    again = detect(FEED_SPEC, FetchResult("https://x.no/rss", 200, retitled), empty.state)
    assert (again.outcome, again.note) == ("unchanged", "0 item(s)")


def test_fingerprints_are_stable_and_state_survives_json() -> None:
    base = detect(FEED_SPEC, feed(("1", "En", "a")), None).state
    assert base is not None
    restored = state_from_json(state_to_json(base))
    a = detect(FEED_SPEC, feed(("2", "To", "b")), base)
    b = detect(FEED_SPEC, feed(("2", "To", "b")), restored)
    assert [c.fingerprint for c in a.changes] == [c.fingerprint for c in b.changes]


def test_word_diff_keeps_whitespace() -> None:
    segs = word_diff("a b c", "a x c")
    assert "".join(t for k, t in segs if k != "-") == "a x c"
    assert "".join(t for k, t in segs if k != "+") == "a b c"


def test_a_snapshot_of_an_older_extraction_is_rebaselined_silently() -> None:
    from dataclasses import replace

    base = detect(PAGE_SPEC, page(("A", "a"), ("B", "b")), None).state
    assert base is not None
    old = replace(base, version=1)
    d = detect(PAGE_SPEC, page(("A", "a endret"), ("B", "b")), old)
    assert (d.outcome, d.changes, d.refresh) == ("unchanged", (), True)
    assert (
        state_from_json({k: v for k, v in state_to_json(base).items() if k != "version"}).version
        == 1
    )


def test_a_flip_back_is_not_reported_again_even_after_a_json_round_trip() -> None:
    a, b = page(("A", "variant en")), page(("A", "variant to"))
    s1 = detect(PAGE_SPEC, a, None).state
    assert s1 is not None
    d2 = detect(PAGE_SPEC, b, state_from_json(state_to_json(s1)))
    assert [c.kind for c in d2.changes] == ["changed"]
    assert d2.state is not None
    d3 = detect(PAGE_SPEC, a, state_from_json(state_to_json(d2.state)))
    assert (d3.changes, d3.refresh) == ((), True)


def test_publisher_dates_are_parsed_in_every_form() -> None:
    from datetime import date

    from feeds.normalize import parse_date, signal_dates

    assert parse_date("3. mars 2024") == date(2024, 3, 3)
    assert parse_date("03.03.2024") == date(2024, 3, 3)
    assert parse_date("2024-03-03") == date(2024, 3, 3)
    assert parse_date("31.02.2024") is None
    line = "Først publisert: 12.01.2020 Siste faglige endring: 3. mars 2023 Se tidligere versjoner"
    assert signal_dates(line) == [date(2023, 3, 3)]  # publication is not a change signal


def test_word_diff_of_one_word_in_a_long_text_is_that_word() -> None:
    before = LONG + "Versjon 1 av anbefalingen gjelder. " + LONG
    after = LONG + "Versjon 2 av anbefalingen gjelder. " + LONG
    segs = word_diff(before, after)
    assert [k for k, _ in segs] == ["=", "-", "+", "="]
    assert (segs[1][1], segs[2][1]) == ("1", "2")
    assert "".join(t for k, t in segs if k != "-") == after
    assert "".join(t for k, t in segs if k != "+") == before


def test_a_packed_state_keeps_its_digests_and_detects_the_same() -> None:
    from feeds.detect import state_from_blob, state_to_blob
    from feeds.extract import PageContent, Section

    s1 = detect(PAGE_SPEC, page(("A", "en • to"), ("B", LONG)), None).state
    assert s1 is not None and s1.page is not None
    back = state_from_blob(state_to_blob(s1))
    assert back == s1 and back.page is not None
    fresh = PageContent(back.page.title, tuple(Section(s.path, s.text) for s in back.page.sections))
    assert [s.digest for s in back.page.sections] == [s.digest for s in fresh.sections]
    assert back.page.digest == fresh.digest
    b = page(("A", "en • tre"), ("B", LONG))
    assert [c.fingerprint for c in detect(PAGE_SPEC, b, back).changes] == [
        c.fingerprint for c in detect(PAGE_SPEC, b, s1).changes
    ]


def test_a_check_compresses_only_the_sections_that_changed() -> None:
    import zlib

    from feeds.detect import PACKED_MARK, state_from_blob, state_to_blob

    s1 = detect(PAGE_SPEC, page(("A", LONG), ("B", LONG + "b"), ("C", "c")), None).state
    assert s1 is not None
    back = state_from_blob(state_to_blob(s1))
    d2 = detect(PAGE_SPEC, page(("A", LONG), ("B", LONG + "B!"), ("C", "c")), back)
    assert d2.state is not None and d2.state.page is not None and back.page is not None
    [a, b, c] = d2.state.page.sections
    # the unchanged sections are the last version's own objects, compressed bytes and all
    assert a is back.page.sections[0] and c is back.page.sections[2]
    assert b is not back.page.sections[1] and "packed" not in b.__dict__
    blob = state_to_blob(d2.state)
    assert blob.startswith(PACKED_MARK) and a.__dict__["packed"] in blob
    assert state_from_blob(blob) == d2.state
    # format 1 (the whole state as compressed JSON) is still read
    old = zlib.compress(__import__("json").dumps(state_to_json(d2.state)).encode())
    assert state_from_blob(old) == d2.state


def test_a_damaged_packed_state_is_refused_not_misread() -> None:
    from feeds.detect import state_from_blob, state_to_blob

    state = detect(PAGE_SPEC, page(("A", LONG), ("B", "b")), None).state
    assert state is not None
    with pytest.raises(ValueError, match="damaged"):
        state_from_blob(state_to_blob(state)[:-3])


def test_section_titles_do_not_repeat_the_page_title() -> None:
    from feeds.detect import section_title

    page = "Smittevern i sykehjem - Helsedirektoratet"
    assert section_title(page, ("Smittevern i sykehjem", "Testing")) == (
        "Smittevern i sykehjem › Testing"
    )
    assert section_title("Veileder", ("Testing",)) == "Veileder: Testing"
    assert section_title("Veileder", ()) == "Veileder"
