"""Detection: the verb and the changes of one check, from values."""

from __future__ import annotations

import hashlib
import random

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import detect, feed_replaced
from feeds.detect.diff import render_segments_text, word_diff
from feeds.errors import ContentCollapse, FeedEmptied
from feeds.read.feed import extract_feed
from feeds.read.listing import listing_feed
from feeds.store.snapshot import state_from_blob, state_from_json, state_to_blob, state_to_json
from feeds.types import FetchResult, Section, SeenItem, SnapshotState

PAGE_SPEC = SourceSpec(
    key="veileder",
    kind="page",
    url="https://x.no/v",
    authority="fhi",
    name="Veileder",
    selector="main",
)
FEED_SPEC = SourceSpec(
    key="nyheter", kind="feed", url="https://x.no/rss", authority="fhi", name="Nyheter"
)


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


def test_a_sections_digest_is_that_of_its_path_and_canonical_text() -> None:
    """``Section.digest`` works on UTF-8 bytes; stored digests were made from the joined
    text: the two agree for shuffled runs of items, other lines, non-ASCII and any path."""
    rng = random.Random(13)
    lines = ["• b", "• a", "• æ", "• Ø", "• z", "x", "y", "", "å ved", "•no space", "• ✓"]
    for n in range(600):
        text = "\n".join(rng.choice(lines) for _ in range(rng.randint(0, 12)))
        path = tuple(rng.choice(["A", "Bø", "C – d"]) for _ in range(n % 3))
        section = Section(path, text)
        joined = "\x1f".join((*path, section.canonical)).encode()
        assert section.digest == hashlib.sha256(joined).hexdigest()[:32]
    shuffled = Section(("A",), "intro\n• b\n• a\nslutt")
    assert shuffled.digest == Section(("A",), "intro\n• a\n• b\nslutt").digest
    assert shuffled.digest != Section(("A",), "intro\n• a\nslutt\n• b").digest


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

    from feeds.read.normalize import parse_date, signal_dates

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
    from feeds.store.snapshot import state_from_blob, state_to_blob
    from feeds.types import PageContent, Section

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

    from feeds.store.snapshot import PACKED_MARK, state_from_blob, state_to_blob

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
    from feeds.store.snapshot import state_from_blob, state_to_blob

    state = detect(PAGE_SPEC, page(("A", LONG), ("B", "b")), None).state
    assert state is not None
    with pytest.raises(ValueError, match="damaged"):
        state_from_blob(state_to_blob(state)[:-3])


def test_section_titles_do_not_repeat_the_page_title() -> None:
    from feeds.detect.detection import section_title

    page = "Smittevern i sykehjem - Helsedirektoratet"
    assert section_title(page, ("Smittevern i sykehjem", "Testing")) == (
        "Smittevern i sykehjem › Testing"
    )
    assert section_title("Veileder", ("Testing",)) == "Veileder: Testing"
    assert section_title("Veileder", ()) == "Veileder"


# ----------------------------------------------------------------------------- issue 10


def rss_items(*items: tuple[str, str, str, str], content: str = "") -> FetchResult:
    """RSS with (guid, link, title, description) items and, if given, content:encoded."""
    body = "".join(
        f"<item><guid>{g}</guid><link>{ln}</link><title>{t}</title><description>{d}</description>"
        + (f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else "")
        + "</item>"
        for g, ln, t, d in items
    )
    ns = "xmlns:content='http://purl.org/rss/1.0/modules/content/'"
    xml = f"<rss version='2.0' {ns}><channel><title>N</title>{body}</channel></rss>"
    return FetchResult("https://x.no/rss", 200, xml.encode())


NEWS = [(f"Sak nummer {n}", f"Ingress til sak {n} om smittevern.") for n in range(8)]


def news(host: str, guid: bool = True, slash: str = "/", drop: int = -1) -> FetchResult:
    items = [
        (
            f"https://{host}/no/sak-{n}{slash}" if guid else "",
            f"https://{host}/no/sak-{n}{slash}",
            t,
            d,
        )
        for n, (t, d) in enumerate(NEWS)
        if n != drop
    ]
    return rss_items(*items)


def legacy_state(result: FetchResult, kind: str = "feed") -> SnapshotState:
    """The state the notifier before issue 10 stored for this feed: identities from the raw
    GUID or the canonical link (host and scheme kept), digests of title and summary alone,
    extraction version 2; read back through the stored form."""
    feed = extract_feed(result.body)
    seen = {}
    for item in feed.items:
        old_id = item.legacy_id or item.item_id
        seen[old_id] = SeenItem(item.legacy_digest, item.title, item.summary)
    digest = hashlib.sha256("".join(sorted(seen)).encode()).hexdigest()[:32]
    state = SnapshotState(kind, "old-body", digest, seen=seen, version=2)
    # as the store holds it (packed), and as rows from before migration 0004 hold it (JSON)
    packed = state_from_blob(state_to_blob(state))
    assert packed == state_from_json(state_to_json(state))
    return packed


def test_a_snapshot_stored_before_identities_were_canonical_makes_nothing_new() -> None:
    """After the upgrade, a feed whose every item has a URL GUID (so every stored identity is
    of the old form) and a content the old digests never covered reports nothing."""
    spec = SourceSpec(key="n", kind="feed", url="https://x.no/rss", authority="fhi", name="N")
    before = news("www.regjeringen.no")
    old = legacy_state(before)
    assert all(
        k not in old.seen for k in (i.item_id for i in extract_feed(before.body).items)
    )  # the stored identities are really the old ones
    d = detect(spec, before, old)
    assert d.changes == () and d.refresh and "new identity" in d.note
    # ... and re-keyed at the same time as the upgrade: found by title and text
    d = detect(spec, news("regjeringen.no", slash=""), old)
    assert d.changes == ()
    # the next check reads the stored new identities
    assert detect(spec, news("regjeringen.no", slash=""), d.state).changes == ()
    # an item with a content the old snapshot never saw is no edit; a later edit of it is
    with_content = rss_items(("g1", "https://x.no/1", "T", "S"), content="<p>Full tekst</p>")
    old = legacy_state(with_content)
    d = detect(spec, with_content, old)
    assert d.changes == ()
    edited = rss_items(("g1", "https://x.no/1", "T", "S"), content="<p>Endret tekst</p>")
    (change,) = detect(spec, edited, d.state).changes
    assert change.kind == "changed" and "Endret" in change.after and "Full" in change.before


def test_a_listing_stored_before_identities_were_canonical_makes_nothing_new() -> None:
    spec = SourceSpec(
        key="l",
        kind="listing",
        url="https://x.no/brev",
        authority="hdir",
        name="Brev",
        link_selector="a",
    )
    html = "".join(f"<a href='https://www.x.no/brev/{n}/'>Brev {n}</a>" for n in range(6))
    result = FetchResult(spec.url, 200, f"<html><main>{html}</main></html>".encode())
    feed = listing_feed(spec, result)
    seen = {i.legacy_id or i.item_id: SeenItem(i.legacy_digest, i.title) for i in feed.items}
    assert not set(seen) & {i.item_id for i in feed.items}
    old = SnapshotState("listing", "old", "x", seen=seen, version=2)
    d = detect(spec, result, old)
    assert d.changes == () and d.refresh and d.state is not None
    # once stored with the new identities, the links may move
    moved = FetchResult(spec.url, 200, result.body.replace(b"https://www.", b"http://"))
    assert detect(spec, moved, d.state).changes == ()


def test_a_re_keyed_feed_reports_nothing_and_stores_its_new_identities() -> None:
    spec = SourceSpec(key="n", kind="feed", url="https://x.no/rss", authority="fhi", name="N")
    base = detect(spec, news("regjeringen.no"), None).state
    d = detect(spec, news("www.regjeringen.no", slash=""), base)
    assert d.changes == () and not d.refresh  # the same identities: nothing to store
    # GUIDs dropped: the items are known by their links' identities ... or by their texts
    d = detect(spec, news("www.regjeringen.no", guid=False), base)
    assert d.changes == () and d.refresh


def test_an_item_that_reappears_under_a_new_guid_is_the_same_item() -> None:
    spec = SourceSpec(key="n", kind="feed", url="https://x.no/rss", authority="fhi", name="N")
    items = [(f"g{n}", f"https://x.no/{n}", t, d) for n, (t, d) in enumerate(NEWS[:4])]
    base = detect(spec, rss_items(*items), None).state
    gone = detect(spec, rss_items(*items[:3]), base).state
    assert gone is not None
    back = [*items[:3], ("g99", "https://x.no/ny-adresse", *items[3][2:])]
    d = detect(spec, rss_items(*back), gone)
    assert d.changes == ()
    # and it is edited later under its new GUID: a change, not a new item
    assert d.state is not None
    edited = [*items[:3], ("g99", "https://x.no/ny-adresse", items[3][2], "Ny ingress.")]
    assert [c.kind for c in detect(spec, rss_items(*edited), d.state).changes] == ["changed"]


def dated(guid: str, title: str, text: str, when: str) -> FetchResult:
    item = (
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://x.no/{guid}</link>"
        f"<description>{text}</description><pubDate>{when}</pubDate></item>"
    )
    xml = f'<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>{item}</channel></rss>'
    return FetchResult("https://x.no/rss", 200, xml.encode())


def test_the_same_text_under_a_new_identity_is_the_same_item_only_if_its_date_agrees() -> None:
    """Next week's report under the same title and teaser is new; the same item re-keyed with
    its date, or moved by a time zone, is not; and the date is kept in the stored snapshot and
    by the tombstone of an item that left, so the report of the week after is new as well."""
    title, text = "Ukerapport om luftveisinfeksjoner", "Les ukens rapport."
    week47 = detect(FEED_SPEC, dated("u47", title, text, "Wed, 18 Nov 2026 12:00:00 +0100"), None)
    assert week47.state is not None
    stored = state_from_json(state_to_json(week47.state))
    (key,) = stored.seen
    assert stored.seen[key].published == "2026-11-18T11:00"
    week48 = detect(FEED_SPEC, dated("u48", title, text, "Wed, 25 Nov 2026 12:00:00 +0100"), stored)
    assert [c.kind for c in week48.changes] == ["new"]
    assert week48.state is not None
    after = state_from_json(state_to_json(week48.state))
    tomb = after.seen[key]
    assert (tomb.title, tomb.published) == ("", "2026-11-18T11:00")
    week49 = detect(FEED_SPEC, dated("u49", title, text, "Wed, 02 Dec 2026 12:00:00 +0100"), after)
    assert [c.kind for c in week49.changes] == ["new"]
    # the same item re-keyed: the same instant in another zone, or an hour off
    for when in ("Wed, 18 Nov 2026 11:00:00 GMT", "Wed, 18 Nov 2026 12:00:00 GMT"):
        moved = detect(FEED_SPEC, dated("ny-guid", title, text, when), stored)
        assert moved.changes == () and moved.refresh


def test_a_snapshot_stored_before_dates_were_kept_still_matches_by_text() -> None:
    title, text = "Ukerapport om luftveisinfeksjoner", "Les ukens rapport."
    base = detect(FEED_SPEC, dated("u47", title, text, "Wed, 18 Nov 2026 12:00:00 +0100"), None)
    assert base.state is not None
    data = state_to_json(base.state)
    data["seen"] = {k: v[:3] for k, v in data["seen"].items()}  # the form stored until now
    old = state_from_json(data)
    assert {v.published for v in old.seen.values()} == {""}
    d = detect(FEED_SPEC, dated("u48", title, text, "Wed, 25 Nov 2026 12:00:00 +0100"), old)
    assert d.changes == ()  # unknown date: as before, the same item


def test_text_matching_is_only_for_feed_items_with_a_title_and_text() -> None:
    """Two letters titled alike are two letters; an item without text is matched by identity
    only; a listing never matches by text."""
    spec = SourceSpec(key="n", kind="feed", url="https://x.no/rss", authority="fhi", name="N")
    base = detect(spec, rss_items(("g1", "https://x.no/1", "Ukebrev", "")), None).state
    d = detect(spec, rss_items(("g2", "https://x.no/2", "Ukebrev", "")), base)
    assert [c.kind for c in d.changes] == ["new"]
    # the same title and text while the first item is still in the feed: a second item
    both = rss_items(
        ("g1", "https://x.no/1", "Ukebrev", "Tekst"), ("g2", "https://x.no/2", "Ukebrev", "Tekst")
    )
    base = detect(spec, rss_items(("g1", "https://x.no/1", "Ukebrev", "Tekst")), None).state
    assert [c.kind for c in detect(spec, both, base).changes] == ["new"]


def test_an_edit_of_the_content_alone_is_a_change() -> None:
    spec = SourceSpec(key="n", kind="feed", url="https://x.no/rss", authority="fhi", name="N")
    base = detect(
        spec, rss_items(("g1", "https://x.no/1", "T", "S"), content="<p>Frist 1. mars.</p>"), None
    ).state
    d = detect(
        spec, rss_items(("g1", "https://x.no/1", "T", "S"), content="<p>Frist 1. april.</p>"), base
    )
    (change,) = d.changes
    assert change.kind == "changed"
    assert render_segments_text(change.segments).endswith("Frist 1. [-mars.-]{+april.+}")
    assert change.summary == "S"


@pytest.mark.parametrize(
    ("last", "current", "new", "held"),
    [
        # a busy day: 8 new on top of a feed of 10, the 8 oldest pushed out
        ("abcdefghij", "ABCDEFGHab", "ABCDEFGH", False),
        # the same in a feed listed oldest first
        ("abcdefghij", "ijABCDEFGH", "ABCDEFGH", False),
        # the 8 newest replaced, the 2 oldest kept: no feed pushes its newest out
        ("abcdefghij", "ABCDEFGHij", "ABCDEFGH", True),
        # every item replaced (re-keyed beyond recognition, another feed)
        ("abcdefghij", "ABCDEFGHIJ", "ABCDEFGHIJ", True),
        # new items among the old ones, as many old ones gone from between them
        ("abcdefghij", "aAbBCDEFGH", "ABCDEFGH", True),
        # a few new on top: news
        ("abcdefghij", "ABabcdefgh", "AB", False),
    ],
)
def test_feed_replaced_tells_a_busy_day_from_a_replaced_feed(
    last: str, current: str, new: str, held: bool
) -> None:
    assert (feed_replaced(list(last), list(current), list(new), 0.7) is not None) is held


def test_a_teaser_cut_at_another_length_is_no_edit_and_is_stored() -> None:
    text = "Helsedirektoratet anbefaler at personer med luftveisinfeksjon holder seg hjemme"
    short = feed(("1", "Råd om isolasjon", text[:45] + " …"), ("2", "Legevakt", "Ny veileder."))
    longer = feed(("1", "Råd om isolasjon", text[:70] + "..."), ("2", "Legevakt", "Ny veileder."))
    base = detect(FEED_SPEC, short, None)
    recut = detect(FEED_SPEC, longer, base.state)
    assert recut.changes == ()
    assert recut.refresh  # the longer teaser is what the next check compares with
    # a word changed inside what both teasers show is an edit
    edited = feed(("1", "Råd om isolasjon", text[:70].replace("personer", "pasienter") + "..."))
    assert detect(FEED_SPEC, edited, recut.state).changes[0].kind == "changed"
    edited = feed(("1", "Råd om isolasjon", text[:45].replace("anbefaler", "krever") + " …"))
    assert detect(FEED_SPEC, edited, recut.state).changes[0].kind == "changed"


@pytest.mark.parametrize(
    ("before", "after", "recut"),
    [
        ("Regjeringen har bestemt at alle …", "Regjeringen har bestemt at alle over 65 år …", True),
        (
            "Regjeringen har bestemt at alle ...",
            "Regjeringen har bestemt at alle over 65 år.",
            True,
        ),
        (
            "Regjeringen har bestemt at alle over 65 år.",
            "Regjeringen har bestemt at alle […]",
            True,
        ),
        # a text that grew, neither cut: an edit
        ("Regjeringen har bestemt at alle.", "Regjeringen har bestemt at alle. Også barn.", False),
        (
            "Regjeringen har bestemt at alle …",
            "Regjeringen har besluttet at alle over 65 år",
            False,
        ),
        ("Kort …", "Kort tekst om noe helt annet", False),  # too short to be known by
    ],
)
def test_cut_elsewhere(before: str, after: str, recut: bool) -> None:
    from feeds.detect.diff import cut_elsewhere

    assert cut_elsewhere(before, after) is recut
    assert cut_elsewhere(after, before) is recut


def test_remembered_items_near_a_date_are_those_a_scan_finds() -> None:
    """``_Gone`` indexes remembered items by title and hour; it finds what a scan of every
    remembered item with ``same_date`` finds, in the same order, dates unknown, unreadable,
    with a time zone or 12 hours apart included."""
    from feeds.detect.diff import _Gone, same_date

    rng = random.Random(7)

    def when() -> str:
        if rng.random() < 0.1:
            return rng.choice(["", "ikke en dato", "2026-11-18T11:00+01:00"])
        minutes = rng.randrange(0, 4 * 24 * 60)
        return f"2026-11-{17 + minutes // 1440:02d}T{minutes % 1440 // 60:02d}:{minutes % 60:02d}"

    seen = {
        f"k{n}": SeenItem(f"d{n % 7}", rng.choice(["A", "B", ""]), "tekst", published=when())
        for n in range(600)
    }
    claimed = {f"k{n}" for n in range(0, 600, 5)}
    gone = _Gone(seen, claimed)
    for _ in range(300):
        title, date = rng.choice(["A", "B", "C"]), when()
        expected = [
            k
            for k, v in seen.items()
            if k not in claimed and v.title == title and same_date(v.published, date)
        ]
        assert gone.near(title, date) == expected, (title, date)
