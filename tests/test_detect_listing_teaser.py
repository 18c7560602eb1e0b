"""A listing's items read with their teasers (tests/fixtures/detect_open/OPEN.md,
``listing_teaser_date_edited_nynorsk``): the text of each item's own element besides its link,
its date and its furniture (``feeds.read.html.extract_listed``); an edit of it is an edit of
the item, an item stored before teasers were read takes its teaser silently
(``SeenItem.teaser``: None = not known), a teaser in another notation is no edit."""

from __future__ import annotations

from dataclasses import replace

from feeds.catalogue import SourceSpec
from feeds.detect.detection import Detection, detect
from feeds.detect.diff import render_segments_text, same_teaser
from feeds.read.html import TEASER_MAX
from feeds.store.snapshot import state_from_blob, state_from_json, state_to_blob, state_to_json
from feeds.types import FeedItem, SeenItem, SnapshotState
from tests.support.pages import listing, teasers

LISTING = SourceSpec(
    key="nyheter",
    kind="listing",
    url="https://www.example.no/nyheter",
    authority="test",
    name="Nyheter",
    link_selector="ul.news h3 a",
)


def _news(*items: tuple[str, str], counter: int = 12, badge: str = "") -> str:
    """A news list of (title, teaser) items, each a <li> card with its category, date,
    reading counter, badge and "Les meir" link; linked and dated by its title."""
    cards = "".join(
        f'<li class="card"><span class="category">Smittevern</span>{badge}'
        f'<h3><a href="/nyheter/{_slug(title)}/">{title}</a></h3>'
        f'<p class="meta"><time datetime="2026-11-{len(title):02}">{len(title)}.11.2026</time>'
        f" · i går · Lese {counter + n} gonger</p>"
        f'<p class="teaser">{teaser}</p><a href="/nyheter/{_slug(title)}/">Les meir</a></li>'
        for n, (title, teaser) in enumerate(items)
    )
    return f'<main><h1>Nyheiter</h1><ul class="news">{cards}</ul></main>'


def _slug(title: str) -> str:
    return title.lower().replace(" ", "-")


_ITEMS = (
    ("Ny forskrift om helseberedskap", "Forskrifta trer i kraft 1. mars."),
    ("Endra reglar for smittesporing", "Kommunane får nye oppgåver."),
    ("Rettleiar for legevakt", "Kapittel 3 er revidert."),
)


def _checked(before: str, after: str) -> Detection:
    first = detect(LISTING, listing(before), None)
    assert first.state is not None
    return detect(LISTING, listing(after), state_from_blob(state_to_blob(first.state)))


def _edited(n: int, teaser: str) -> tuple[tuple[str, str], ...]:
    return tuple((t, teaser if i == n else s) for i, (t, s) in enumerate(_ITEMS))


# ----------------------------------------------------------------------------- reading


def test_an_items_teaser_is_its_elements_text_but_link_date_and_furniture() -> None:
    assert teasers(_news(*_ITEMS), "ul.news h3 a") == list(_ITEMS)


def test_a_cards_teaser_in_an_article() -> None:
    body = "".join(
        f'<article class="card"><div class="card__body"><span class="badge">Nyhet</span>'
        f'<h2><a href="/n/{n}">Sak {n}</a></h2><span class="date">0{n}.12.2026</span>'
        f"<p>Tekst {n} om saken. <span>1 204 visninger</span></p>"
        f'<p><a href="/n/{n}">Les mer</a> <span>(PDF, 245 kB)</span></p></div></article>'
        for n in (1, 2)
    )
    assert teasers(f"<main>{body}</main>", "article h2 a") == [
        ("Sak 1", "Tekst 1 om saken."),
        ("Sak 2", "Tekst 2 om saken."),
    ]


def test_an_item_that_shows_nothing_else_has_an_empty_teaser() -> None:
    body = "".join(
        f'<li><a href="/b/{n}">Brev {n}</a> <span class="dato">0{n}.11.2026</span> '
        f'<span class="badge">Oppdatert</span></li>'
        for n in (1, 2)
    )
    assert teasers(f"<ul>{body}</ul>") == [("Brev 1", ""), ("Brev 2", "")]


def test_a_table_rows_other_cells_are_its_teaser() -> None:
    rows = "".join(
        f'<tr><td>0{n}.11.2026</td><td><a href="/b/{n}">Brev {n}</a></td><td>Kommunene</td></tr>'
        for n in (1, 2)
    )
    assert teasers(f"<table>{rows}</table>", "table a") == [
        ("Brev 1", "Kommunene"),
        ("Brev 2", "Kommunene"),
    ]


def test_links_in_one_paragraph_have_no_teaser() -> None:
    body = '<p class="r">Se <a href="/a">Brev A</a>, <a href="/b">Brev B</a> og mer.</p>'
    assert teasers(body, ".r a") == [("Brev A", None), ("Brev B", None)]


def test_a_group_of_one_item_is_not_its_element() -> None:
    # a year's group that holds one letter: its element would be the group, with its heading
    body = (
        '<section><h2>2026</h2><ul><li><a href="/a">Brev A</a><p>Om A.</p></li></ul></section>'
        '<section><h2>2025</h2><ul><li><a href="/b">Brev B</a><p>Om B.</p></li>'
        '<li><a href="/c">Brev C</a><p>Om C.</p></li></ul></section>'
    )
    assert teasers(body, "li a") == [("Brev A", None), ("Brev B", "Om B."), ("Brev C", "Om C.")]
    # ... nor a list of one among lists (no heading)
    lists = (
        '<ul><li><a href="/a">Brev A</a> Om A.</li></ul>'
        '<ul><li><a href="/b">Brev B</a> Om B.</li><li><a href="/c">Brev C</a> Om C.</li></ul>'
    )
    assert teasers(lists, "li a")[0] == ("Brev A", None)


def test_the_only_link_of_a_listing_has_no_teaser() -> None:
    # its element would be the page
    assert teasers('<h1>Brev</h1><ul><li><a href="/a">Brev A</a> Om A.</li></ul>') == [
        ("Brev A", None)
    ]


def test_a_huge_item_element_gives_a_teaser_cut_at_its_cap() -> None:
    long = " ".join(f"Setning {n} om saken." for n in range(2000))
    body = f'<ul><li><a href="/a">A</a><p>{long}</p></li><li><a href="/b">B</a></li></ul>'
    (_, teaser), _ = teasers(body)
    assert teaser is not None and teaser.endswith(" …") and len(teaser) <= TEASER_MAX + 2
    assert teaser.startswith("Setning 0 om saken. Setning 1")


# ----------------------------------------------------------------------------- detecting


def test_a_teaser_edited_is_an_edit_of_its_item() -> None:
    d = _checked(_news(*_ITEMS), _news(*_edited(0, "Forskrifta trer i kraft 1. april.")))
    assert [(c.kind, c.title) for c in d.changes] == [("changed", _ITEMS[0][0])]
    change = d.changes[0]
    assert change.before.endswith("1. mars.") and change.after.endswith("1. april.")
    assert "[-mars.-]{+april.+}" in render_segments_text(change.segments)


def test_two_edits_of_a_teaser_are_two_changes() -> None:
    one = _checked(_news(*_ITEMS), _news(*_edited(0, "Forskrifta trer i kraft 1. april.")))
    two = _checked(_news(*_ITEMS), _news(*_edited(0, "Forskrifta trer i kraft 1. mai.")))
    assert one.changes[0].fingerprint != two.changes[0].fingerprint


def test_counters_relative_times_and_badges_are_no_edit() -> None:
    after = _news(*_ITEMS, counter=480, badge='<span class="badge">Oppdatert</span>')
    after = after.replace("i går", "3 dagar sidan")
    assert _checked(_news(*_ITEMS), after).changes == ()


def test_a_teaser_in_another_notation_is_no_edit_and_is_stored() -> None:
    before = _news(*_edited(1, 'Kommunane får 1.000 dosar - sjå "Rettleiar" (PDF, 1,2 MB).'))
    after = _news(*_edited(1, "Kommunane får 1 000 dosar – sjå «Rettleiar»."))
    d = _checked(before, after)
    assert d.changes == () and d.refresh
    assert d.state is not None
    assert "Kommunane får 1 000 dosar – sjå «Rettleiar»." in {
        s.teaser for s in d.state.seen.values()
    }


def test_same_teaser() -> None:
    assert same_teaser("Frist 1. mars.", "Frist 1. mars.")
    assert same_teaser("Frist «1. mars».", 'frist "1. mars".')
    assert same_teaser(
        "Kommunane får nye oppgåver i samband med …",
        "Kommunane får nye oppgåver i samband med smittesporing.",
    )
    assert not same_teaser("Frist 1. mars.", "Frist 1. april.")
    assert not same_teaser("", "Frist 1. april.")


def test_items_resorted_with_their_teasers_are_no_edit() -> None:
    assert _checked(_news(*_ITEMS), _news(*_ITEMS[::-1])).changes == ()


def test_a_teaser_edited_while_the_items_are_resorted_is_one_edit() -> None:
    after = _news(*_edited(2, "Kapittel 3 og 4 er reviderte.")[::-1])
    assert [(c.kind, c.title) for c in _checked(_news(*_ITEMS), after).changes] == [
        ("changed", _ITEMS[2][0])
    ]


def test_a_new_item_on_top_is_new_and_shows_its_teaser() -> None:
    new = ("Auke i kikhoste", "Kommuneoverlegane bør minne om vaksinasjon.")
    d = _checked(_news(*_ITEMS), _news(new, *_ITEMS))
    assert [c.kind for c in d.changes] == ["new"]
    assert d.changes[0].summary == new[1] and d.changes[0].after.endswith(new[1])


def test_teasers_that_appear_or_go_are_the_layout_not_an_edit() -> None:
    bare = _news(*((t, "") for t, _ in _ITEMS))
    shown = _checked(bare, _news(*_ITEMS))
    assert shown.changes == () and shown.refresh
    assert _checked(_news(*_ITEMS), bare).changes == ()


def test_an_item_whose_teaser_is_no_longer_read_is_no_edit() -> None:
    # the items now stand in one paragraph: no element of their own, no teaser read
    para = '<main><ul class="news"><li><h3>' + "".join(
        f'<a href="/nyheter/{_slug(t)}/">{t}</a> ' for t, _ in _ITEMS
    )
    d = _checked(_news(*_ITEMS), para + "</h3></li></ul></main>")
    assert d.changes == ()


# ----------------------------------------------------------------------------- upgrade


def _stored_before_teasers(state: SnapshotState) -> SnapshotState:
    """``state`` as a version that read no teasers stored it: each item a list of its seven
    texts and its enclosures, read back."""
    data = state_to_json(state)
    data["seen"] = {k: v[:8] for k, v in data["seen"].items()}
    return state_from_json(data)


def test_an_upgrade_reports_nothing_and_stores_the_teasers() -> None:
    first = detect(LISTING, listing(_news(*_ITEMS)), None)
    assert first.state is not None
    old = _stored_before_teasers(first.state)
    assert {v.teaser for v in old.seen.values()} == {None}
    assert {v.enclosures for v in old.seen.values()} == {()}
    # the first check after the upgrade (another body: a counter ticked)
    d = detect(LISTING, listing(_news(*_ITEMS, counter=13)), old)
    assert d.changes == () and d.refresh
    assert d.state is not None
    assert {v.teaser for v in d.state.seen.values()} == {s for _, s in _ITEMS}
    # ... and the next edit is reported
    again = detect(
        LISTING,
        listing(_news(*_edited(0, "Forskrifta trer i kraft 1. april."))),
        state_from_blob(state_to_blob(d.state)),
    )
    assert [c.kind for c in again.changes] == ["changed"]


def test_an_upgrade_with_an_edited_teaser_still_reports_nothing() -> None:
    # what the teaser said before the upgrade is not known: it is taken silently
    first = detect(LISTING, listing(_news(*_ITEMS)), None)
    assert first.state is not None
    old = _stored_before_teasers(first.state)
    d = detect(LISTING, listing(_news(*_edited(0, "Forskrifta trer i kraft 1. april."))), old)
    assert d.changes == ()


# ----------------------------------------------------------------------------- storing


def test_a_seen_items_teaser_is_stored_and_read_back() -> None:
    seen = {
        "a": SeenItem("d", "Brev A", teaser="Om A.", enclosures=()),
        "b": SeenItem("d", "Brev B", teaser=""),  # known, empty; enclosures not known
        "c": SeenItem("d", "Brev C", enclosures=("c.pdf",)),  # a feed's: no teaser
        "d": SeenItem("d", "Brev D"),
    }
    state = SnapshotState("listing", "h", "c", seen=seen)
    assert state_from_blob(state_to_blob(state)).seen == seen
    assert state_to_json(state)["seen"]["d"] == ["d", "Brev D", ""]
    assert state_to_json(state)["seen"]["c"] == ["d", "Brev C", "", "", "", "", "", ["c.pdf"]]


def test_a_feeds_items_have_no_teaser() -> None:
    item = FeedItem("id", "Tittel", "https://x.no/a", "Sammendrag.")
    assert item.teaser is None
    assert replace(item, teaser="Om.").digest == item.digest  # not in the digest


# ----------------------------------------------------------------------------- review rule

_MANY = tuple((f"Sak nummer {n}", f"Tiltak {n} gjeld frå 1. mars.") for n in range(1, 9))


def _rewritten(count: int) -> tuple[tuple[str, str], ...]:
    """``_MANY`` with the first ``count`` teasers rewritten (an author line added)."""
    return tuple(
        (t, f"Skrive av kommuneoverlegen. {s}" if n < count else s)
        for n, (t, s) in enumerate(_MANY)
    )


def test_most_teasers_rewritten_at_once_is_held_for_review() -> None:
    found = _checked(_news(*_MANY), _news(*_rewritten(8)))
    assert found.held_reason == "teasers_rewritten"
    assert [c.kind for c in found.changes] == ["changed"] * 8
    assert "8 of 8 items' teasers rewritten" in found.note


def test_a_few_teasers_edited_are_news_as_ever() -> None:
    found = _checked(_news(*_MANY), _news(*_rewritten(5)))  # 5 of 8: not more than 70 %
    assert found.held_reason is None
    assert [c.kind for c in found.changes] == ["changed"] * 5


def test_a_short_list_rewritten_whole_is_not_held() -> None:
    few = _MANY[:4]
    found = _checked(_news(*few), _news(*_rewritten(4)[:4]))
    assert found.held_reason is None
    assert len(found.changes) == 4


def test_the_teaser_rule_is_off_with_the_feed_rule() -> None:
    from feeds.detect.detection import HoldRules

    first = detect(LISTING, listing(_news(*_MANY)), None)
    assert first.state is not None
    off = HoldRules(feed_replaced_share=0)
    found = detect(LISTING, listing(_news(*_rewritten(8))), first.state, rules=off)
    assert found.held_reason is None and len(found.changes) == 8


def test_the_hold_has_words_for_the_console() -> None:
    from notifier.review import HELD_REASONS

    bokmal, nynorsk = HELD_REASONS["teasers_rewritten"]
    assert "Ingressene" in bokmal and "Ingressane" in nynorsk
