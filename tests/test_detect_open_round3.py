"""The third round's open detection cases (tests/fixtures/detect_open/OPEN.md), met by general
rules: each rule tested here on values of its own, apart from the corpus case that asked
for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import Detection, detect
from feeds.detect.diff import SectionChange, diff_pages, match_items
from feeds.read.html import extract_dated_links, extract_links, extract_page
from feeds.read.listing import listing_feed
from feeds.store.snapshot import state_from_blob, state_to_blob
from feeds.types import (
    FeedContent,
    FeedItem,
    FetchResult,
    PageContent,
    Section,
    SeenItem,
    SnapshotState,
    fold,
)


def _page(*sections: tuple[tuple[str, ...], str]) -> PageContent:
    return PageContent("Forskrift", tuple(Section(path, text) for path, text in sections))


def _kinds(changes: list[SectionChange]) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((c.kind, c.path) for c in changes)


# ----------------------------------------------------------------------------- renumbering


def test_a_paragraph_with_a_letter_suffix_renumbered_is_moved() -> None:
    before = _page((("Lov", "§ 2 a. Tilsyn"), "Kommunen fører tilsyn."))
    after = _page((("Lov", "§ 3. Tilsyn"), "Kommunen fører tilsyn."))
    assert _kinds(diff_pages(before, after)) == [("moved", ("Lov", "§ 3. Tilsyn"))]


def test_a_paragraph_given_a_letter_suffix_is_moved_also_written_without_a_space() -> None:
    before = _page((("Lov", "§ 7. Unntak"), "Ingen unntak."))
    after = _page((("Lov", "§ 6b Unntak"), "Ingen unntak."))
    assert _kinds(diff_pages(before, after)) == [("moved", ("Lov", "§ 6b Unntak"))]


def test_a_renamed_paragraph_with_a_letter_suffix_is_changed_not_moved() -> None:
    before = _page((("Lov", "§ 2 a. Tilsyn"), "Kommunen fører tilsyn."))
    after = _page((("Lov", "§ 2 a. Kontroll"), "Kommunen fører tilsyn."))
    assert _kinds(diff_pages(before, after)) == [("changed", ("Lov", "§ 2 a. Kontroll"))]


def test_a_word_after_the_number_is_no_letter_suffix() -> None:
    # "2 i praksis" -> "3 praksis": the "i" is a word of the heading, not a suffix
    before = _page((("Veileder", "2 i praksis"), "Slik gjør du."))
    after = _page((("Veileder", "3 praksis"), "Slik gjør du."))
    assert _kinds(diff_pages(before, after)) == [("changed", ("Veileder", "3 praksis"))]


def test_a_chapter_paragraph_number_renumbered_is_moved() -> None:
    # Lovdata numbers a law's paragraphs by chapter: "§ 2-1", "§ 2-1 a"
    before = _page((("Lov", "§ 2-1 a. Rett til vaksine"), "Alle har rett til vaksine."))
    after = _page((("Lov", "§ 2-2. Rett til vaksine"), "Alle har rett til vaksine."))
    assert _kinds(diff_pages(before, after)) == [("moved", ("Lov", "§ 2-2. Rett til vaksine"))]


# ----------------------------------------------------------------------------- § numbers


def test_a_repealed_paragraph_is_one_change_of_its_number() -> None:
    before = _page(
        (("Forskrift", "§ 3. Program"), "Institusjonen skal ha et program."),
        (("Forskrift", "§ 4. Isolering"), "Pasienter skal isoleres."),
    )
    after = _page(
        (("Forskrift", "§ 3. Program"), "Institusjonen skal ha et program."),
        (("Forskrift", "§ 4. (Opphevet)"), "Opphevet ved forskrift 1. des 2026 nr. 2040."),
    )
    changes = diff_pages(before, after)
    assert _kinds(changes) == [("changed", ("Forskrift", "§ 4. (Opphevet)"))]
    (change,) = changes
    assert change.before.startswith("§ 4. Isolering\nPasienter")
    assert change.after.startswith("§ 4. (Opphevet)\nOpphevet ved")
    assert any(kind == "+" and "(Opphevet)" in text for kind, text in change.segments)
    assert any(kind == "-" and "Isolering" in text for kind, text in change.segments)


def test_a_paragraph_with_a_letter_is_paired_by_number_and_letter() -> None:
    before = _page(
        (("Lov", "§ 4. Isolering"), "Pasienter skal isoleres."),
        (("Lov", "§ 4 a. Testing"), "Ansatte skal testes."),
    )
    after = _page(
        (("Lov", "§ 4. Isolering"), "Pasienter skal isoleres."),
        (("Lov", "§ 4 a. (Opphevet)"), "Opphevet ved lov 1. des 2026."),
    )
    assert _kinds(diff_pages(before, after)) == [("changed", ("Lov", "§ 4 a. (Opphevet)"))]


def test_sections_are_not_paired_by_a_number_without_a_paragraph_sign() -> None:
    # a chapter's number is its place, not its identity: a new chapter 4 is another chapter
    before = _page((("Veileder", "4. Isolering"), "Pasienter skal isoleres."))
    after = _page((("Veileder", "4. Testing"), "Ansatte skal testes."))
    assert _kinds(diff_pages(before, after)) == [
        ("added", ("Veileder", "4. Testing")),
        ("removed", ("Veileder", "4. Isolering")),
    ]


def test_paragraphs_are_not_paired_across_parents_or_numbers() -> None:
    before = _page(
        (("Lov", "Kapittel 1", "§ 4. Isolering"), "Pasienter skal isoleres."),
        (("Lov", "Kapittel 2", "§ 7. Tilsyn"), "Kommunen fører tilsyn."),
    )
    after = _page(
        (("Lov", "Kapittel 2", "§ 4. Testing"), "Ansatte skal testes."),
        (("Lov", "Kapittel 2", "§ 8. Kontroll"), "Staten fører kontroll."),
    )
    assert [c.kind for c in diff_pages(before, after)] == ["added", "added", "removed", "removed"]


def test_paragraphs_are_not_paired_when_the_number_names_two_sections() -> None:
    before = _page(
        (("Lov", "§ 4. Isolering"), "Pasienter skal isoleres."),
        (("Lov", "§ 4. Karantene"), "Nærkontakter skal i karantene."),
    )
    after = _page(
        (("Lov", "§ 4. Isolering"), "Pasienter skal isoleres."),
        (("Lov", "§ 4. (Opphevet)"), "Opphevet."),
    )
    assert _kinds(diff_pages(before, after)) == [
        ("added", ("Lov", "§ 4. (Opphevet)")),
        ("removed", ("Lov", "§ 4. Karantene")),
    ]


# ----------------------------------------------------------------------------- table rows

_ROWS = (("Bergen", "78,4"), ("Oslo", "71,2"), ("Trondheim", "80,1"), ("Tromsø", "76,9"))


def _table_page(
    rows: Sequence[tuple[str, ...]],
    header: tuple[str, ...] = ("Kommune", "Dekning (%)"),
    head: str = "thead",
    after: str = "<p>Kilde: SYSVAK.</p>",
) -> bytes:
    def row(cells: Sequence[str], tag: str) -> str:
        return "<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>"

    top = row(header, "th")
    top = f"<thead>{top}</thead>" if head == "thead" else top
    body = "".join(row(r, "td") for r in rows)
    table = f"<table>{top}<tbody>{body}</tbody></table>"
    return (
        f"<html><main><h1>Dekning</h1><h2>Influensa</h2><p>Andel vaksinerte.</p>{table}"
        f"{after}</main></html>"
    ).encode()


def _section(body: bytes) -> Section:
    return extract_page(body, selector="main").sections[0]


def _resorted(before: bytes, after: bytes) -> list[tuple[str, tuple[str, ...]]]:
    """The changes between two versions, the old one read back from a snapshot."""
    old = extract_page(before, selector="main")
    stored = state_from_blob(state_to_blob(SnapshotState("page", "x", old.digest, page=old)))
    assert stored.page is not None
    return _kinds(diff_pages(stored.page, extract_page(after, selector="main")))


def test_a_table_with_a_header_row_is_known_by_where_its_rows_stand() -> None:
    section = _section(_table_page(_ROWS))
    assert section.text.split("\n")[:4] == ["Andel vaksinerte.", "Kommune", "Dekning (%)", "Bergen"]
    assert section.tables == ((3, 2, 4),)
    # its first row's cells in <th>, no <thead>: a header row too
    assert _section(_table_page(_ROWS, head="")).tables == ((3, 2, 4),)


@pytest.mark.parametrize(
    "body",
    [
        _table_page(_ROWS, header=("Nr.", "Kommune")),  # a rank column
        _table_page(_ROWS, header=("Rangering", "Kommune")),
        _table_page([("1", "Vask hendene"), ("2", "Ta på munnbind"), ("3", "Test deg")]),  # steps
        _table_page([("Bergen", ""), ("Oslo", "71,2")]),  # an empty cell
        _table_page(_ROWS).replace(b"<td>Oslo", b'<td rowspan="2">Oslo'),  # a spanning cell
        _table_page(_ROWS)
        .replace(b"<thead>", b"")
        .replace(b"</thead>", b"")
        .replace(b"th>", b"td>"),
        _table_page(_ROWS[:1]),  # one row: nothing to sort
    ],
)
def test_a_table_whose_rows_have_an_order_is_not_sortable(body: bytes) -> None:
    assert _section(body).tables == ()


def test_rows_sorted_another_way_say_the_same() -> None:
    resorted = sorted(_ROWS, key=lambda r: r[1])
    assert _resorted(_table_page(_ROWS), _table_page(resorted)) == []


def test_a_value_changed_among_rows_sorted_another_way_is_a_change() -> None:
    edited = [("Tromsø", "67,9"), *(r for r in _ROWS if r[0] != "Tromsø")]
    assert _resorted(_table_page(_ROWS), _table_page(edited)) == [
        ("changed", ("Dekning", "Influensa"))
    ]


def test_values_swapped_between_rows_are_a_change() -> None:
    # the same cells, in other rows: each row is compared whole
    swapped = [("Bergen", "71,2"), ("Oslo", "78,4"), *_ROWS[2:]]
    assert _resorted(_table_page(_ROWS), _table_page(swapped)) == [
        ("changed", ("Dekning", "Influensa"))
    ]


def test_rows_of_a_ranked_table_sorted_another_way_are_a_change() -> None:
    ranked = [(str(n), r[0]) for n, r in enumerate(_ROWS, 1)]
    header = ("Plass", "Kommune")
    before, after = _table_page(ranked, header), _table_page(ranked[::-1], header)
    assert _resorted(before, after) == [("changed", ("Dekning", "Influensa"))]


def test_rows_sorted_another_way_with_other_text_around_them_are_a_change() -> None:
    before = _table_page(_ROWS)
    after = _table_page(_ROWS[::-1], after="<p>Kilde: SYSVAK, 2. desember.</p>")
    assert _resorted(before, after) == [("changed", ("Dekning", "Influensa"))]


# ----------------------------------------------------------------------------- listings

LISTING = SourceSpec(
    key="nyhende",
    kind="listing",
    url="https://www.sf.no/nyhende",
    authority="sf",
    name="Nyhende",
    link_selector="ul.news a",
)


def _listing(*items: tuple[str, str, str]) -> FetchResult:
    """A listing of (category, title, date) items, linked under their category."""
    body = "".join(
        f'<li><span class="category">{c}</span><h3><a href="/{c}/{t.split()[0]}/">{t}</a></h3>'
        f'<p class="meta"><time datetime="{d}">{d}</time> · 1 veke sidan</p>'
        f"<p>Om {t.lower()}.</p></li>"
        for c, t, d in items
    )
    return FetchResult(LISTING.url, 200, f'<html><ul class="news">{body}</ul></html>'.encode())


_ITEMS = (
    ("helse", "Vaksinasjon mot influensa", "2026-12-04"),
    ("helse", "Øving i atomberedskap", "2026-11-27"),
)


def _checked(before: FetchResult, after: FetchResult) -> Detection:
    first = detect(LISTING, before, None)
    assert first.state is not None
    return detect(LISTING, after, state_from_blob(state_to_blob(first.state)))


def test_a_listing_item_is_dated_by_the_date_its_item_shows() -> None:
    html = (
        '<ul class="r"><li><h2><a href="/a">Brev A</a></h2><span class="date">05.12.2026</span>'
        "<p>Frist 1. januar 2027.</p></li>"
        '<li><h2><a href="/b">Brev B</a></h2><p>Frist 2. januar 2027.</p></li></ul>'
        '<table class="r"><tr><td>02.11.2026</td><td><a href="/c">Brev C</a></td></tr></table>'
        '<p class="r"><a href="/d">Brev D</a> <a href="/e">Brev E</a> 3. mars 2026</p>'
    )
    found = extract_dated_links(html.encode(), "https://x.no/", selector=".r a")
    assert [(link.title, day) for link, day in found] == [
        ("Brev A", date(2026, 12, 5)),  # by its class, before a date in the text
        ("Brev B", date(2027, 1, 2)),  # the first date of its text but its link's
        ("Brev C", date(2026, 11, 2)),  # a table's row
        ("Brev D", None),  # two links in one paragraph: neither has an item of its own
        ("Brev E", None),
    ]
    assert tuple(link for link, _ in found) == extract_links(
        html.encode(), "https://x.no/", selector=".r a"
    )
    feed = listing_feed(LISTING, _listing(*_ITEMS))
    assert [i.date for i in feed.items] == ["2026-12-04T00:00", "2026-11-27T00:00"]


def test_a_listing_item_moved_to_another_category_is_the_same_item() -> None:
    moved = (_ITEMS[0], ("beredskap", *_ITEMS[1][1:]))
    d = _checked(_listing(*_ITEMS), _listing(*moved))
    assert d.changes == () and d.refresh
    assert d.state is not None and len(d.state.seen) == 3  # the old link a tombstone


def test_a_listing_item_of_another_date_under_another_link_is_new() -> None:
    other = (_ITEMS[0], ("beredskap", _ITEMS[1][1], "2026-12-05"))
    assert [c.kind for c in _checked(_listing(*_ITEMS), _listing(*other)).changes] == ["new"]


def test_two_listing_items_of_one_title_and_date_under_new_links_are_new() -> None:
    title, day = _ITEMS[1][1:]
    after = (_ITEMS[0], ("beredskap", title, day), ("smitte", title, day))
    changes = _checked(_listing(*_ITEMS), _listing(*after)).changes
    assert [c.kind for c in changes] == ["new", "new"]


def test_a_listing_item_is_not_known_by_title_without_dates() -> None:
    seen = {"x.no/helse/Øving": SeenItem(FeedItem("", "Øving i atomberedskap", "", "").digest)}
    item = FeedItem(
        "x.no/beredskap/Øving", "Øving i atomberedskap", "", "", published=datetime(2026, 11, 27)
    )
    assert match_items(seen, FeedContent("L", (item,))) == {}
    dated = {k: replace(v, published="2026-11-27T00:00") for k, v in seen.items()}
    assert match_items(dated, FeedContent("L", (item,))) == {item.item_id: "x.no/helse/Øving"}


def test_a_listing_title_edited_under_its_link_is_still_an_edit() -> None:
    edited = (_ITEMS[0], (_ITEMS[1][0], f"{_ITEMS[1][1]} - endra", _ITEMS[1][2]))
    assert [c.kind for c in _checked(_listing(*_ITEMS), _listing(*edited)).changes] == ["changed"]


def test_a_listing_stored_without_dates_is_stored_again_with_them() -> None:
    first = detect(LISTING, _listing(*_ITEMS), None)
    assert first.state is not None
    undated = replace(
        first.state, seen={k: replace(v, published="") for k, v in first.state.seen.items()}
    )
    same = _listing(*_ITEMS)
    # (an unchanged body is not read again: the next body that differs)
    again = detect(LISTING, replace(same, body=same.body.replace(b"1 veke", b"2 veker")), undated)
    assert again.changes == () and again.refresh
    assert again.state is not None
    assert sorted(v.published for v in again.state.seen.values()) == [
        "2026-11-27T00:00",
        "2026-12-04T00:00",
    ]


# ----------------------------------------------------------------------------- decimal point


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Volumet er 0.5 ml eller 1.0 ml.", "Volumet er 0,5 ml eller 1,0 ml."),
        ("Gi 2.25 mg/kg.", "Gi 2,25 mg/kg."),
        ("0.5 ml", "0,5 ml"),
        ("Kunngjort kl. 15:10, dose 0.5 ml", "Kunngjort kl. 15.10, dose 0,5 ml"),
    ],
)
def test_a_decimal_point_set_as_a_decimal_comma_folds_away(before: str, after: str) -> None:
    assert fold(before) == fold(after)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("dosene 1.2, 3 og 4 ml", "dosene 1,2, 3 og 4 ml"),  # 1.2 and 3, or 1, 2 and 3
        ("dosene 3, 1.2 ml", "dosene 3, 1,2 ml"),
        ("dosene 1.22, 3 ml", "dosene 1,22, 3 ml"),
        ("0.5 ml", "0,6 ml"),
        ("0.5 ml", "5 ml"),
    ],
)
def test_a_point_among_numbers_set_apart_by_commas_is_said(before: str, after: str) -> None:
    assert fold(before) != fold(after)


def test_a_section_whose_decimal_points_became_commas_is_unchanged() -> None:
    text = "Nirsevimab gis som én dose. Injeksjonsvolumet er {} ml eller {} ml."
    before = _page((("Dosering",), text.format("0.5", "1.0")))
    assert diff_pages(before, _page((("Dosering",), text.format("0,5", "1,0")))) == []
    assert _kinds(diff_pages(before, _page((("Dosering",), text.format("0,5", "1,5"))))) == [
        ("changed", ("Dosering",))
    ]


# ----------------------------------------------------------------------------- backfill

_SHOWN = (
    ("helse", "Kikhoste i Bergen", "2026-12-05"),
    ("helse", "Vaksinasjon mot influensa", "2026-12-04"),
    ("helse", "Tilsyn med legevakta", "2026-12-02"),
    ("helse", "Øving i atomberedskap", "2026-11-27"),
)
_FURTHER = (
    ("helse", "Ny kommuneoverlege", "2026-10-30"),
    ("helse", "Statsbudsjettet for helse", "2026-10-07"),
)


def test_older_items_a_listing_shows_more_of_are_not_new() -> None:
    d = _checked(_listing(*_SHOWN), _listing(*_SHOWN, *_FURTHER))
    assert d.changes == () and d.refresh and "2 older item(s)" in d.note
    assert d.state is not None and len(d.state.seen) == 6  # known from now on


def test_an_item_dated_back_on_top_or_among_the_known_ones_is_new() -> None:
    on_top = _checked(_listing(*_SHOWN), _listing(_FURTHER[0], *_SHOWN))
    assert [c.kind for c in on_top.changes] == ["new"]
    among = _checked(_listing(*_SHOWN), _listing(*_SHOWN[:2], _FURTHER[0], *_SHOWN[2:]))
    assert [c.kind for c in among.changes] == ["new"]


def test_an_item_below_the_known_ones_but_not_older_than_all_of_them_is_new() -> None:
    late = ("helse", "Forsinka brev", "2026-11-28")
    assert [c.kind for c in _checked(_listing(*_SHOWN), _listing(*_SHOWN, late)).changes] == ["new"]


def test_an_item_older_than_the_shown_ones_but_not_than_one_seen_before_is_new() -> None:
    gone = ("helse", "Gammal nyhende", "2026-09-01")
    first = detect(LISTING, _listing(*_SHOWN, gone), None)
    assert first.state is not None
    second = detect(LISTING, _listing(*_SHOWN), state_from_blob(state_to_blob(first.state)))
    assert second.state is not None  # the old item a tombstone with its date
    third = detect(
        LISTING, _listing(*_SHOWN, *_FURTHER), state_from_blob(state_to_blob(second.state))
    )
    assert [c.kind for c in third.changes] == ["new", "new"]


def test_older_items_of_a_list_without_dates_or_oldest_first_are_new() -> None:
    first = detect(LISTING, _listing(*_SHOWN), None)
    assert first.state is not None
    undated = replace(
        first.state, seen={k: replace(v, published="") for k, v in first.state.seen.items()}
    )
    d = detect(LISTING, _listing(*_SHOWN, *_FURTHER), undated)
    assert [c.kind for c in d.changes] == ["new", "new"]
    oldest_first = _checked(_listing(*_SHOWN[::-1]), _listing(*_SHOWN[::-1], *_FURTHER))
    assert [c.kind for c in oldest_first.changes] == ["new", "new"]


@pytest.mark.parametrize(
    "text", ["fristen er 15.01.2027", "kapittel 1.2.3", "kl. 12.00", "klokka 9.30"]
)
def test_dates_section_numbers_and_times_keep_their_points(text: str) -> None:
    # other notations, which feeds.detect.notation compares as they are written
    assert fold(text) == text
