"""A list inside a list item (blind round 294): its items belong to the item above them.

The items of an unordered list inside another list item are read with a mark of their own
("◦ ", ``feeds.types.SUB_BULLET``). An unordered list shuffled, its items taking their
sub-items along, says the same; so do an item's sub-items in another order. A sub-item moved
to another item says something else ("Egen stellevogn" under the gown instead of the single
room; FFP2 for contact instead of airborne infection) and is told. Both ways, bokmål and
nynorsk; a page without nested lists is read and compared exactly as before.
"""

from __future__ import annotations

import pytest

from feeds.types import Section
from tests.support.pages import changed, detect_steps, text

URL = "https://www.example.no/side"


def checklist(items: list[tuple[str, list[str]]], heading: str = "Kontaktsmitte") -> str:
    """A <main> with one unordered list: each item with its sub-items (a list inside it)."""
    lis = "".join(
        f"<li>{item}<ul>{''.join(f'<li>{s}</li>' for s in subs)}</ul></li>"
        if subs
        else f"<li>{item}</li>"
        for item, subs in items
    )
    return f"<main><h1>Sjekkliste</h1><h2>{heading}</h2><ul>{lis}</ul></main>"


NB = [
    (
        "Beboeren skal ha enerom med eget toalett",
        ["Skilt på døren om kontaktsmitte", "Egen stellevogn inne på rommet"],
    ),
    ("Personalet skal bruke smittefrakk og hansker", ["Smittefrakken skal kastes etter bruk"]),
]
NN = [
    (
        "Pasienten skal ha eige rom med eige toalett",
        ["Skilt på døra om kontaktsmitte", "Eiga stellevogn inne på rommet"],
    ),
    ("Personalet skal bruke smittefrakk og hanskar", ["Smittefrakken skal kastast etter bruk"]),
]


def moved(items: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """The last sub-item of the first item moved to the second item's sub-items."""
    (first, subs1), (second, subs2) = items
    return [(first, subs1[:-1]), (second, [subs1[-1], *subs2])]


def shuffled(items: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """The items in the other order, each with its sub-items reversed."""
    return [(item, subs[::-1]) for item, subs in items[::-1]]


@pytest.mark.parametrize("items", [NB, NN], ids=["nb", "nn"])
def test_a_sub_item_moved_to_another_item_is_told(items: list[tuple[str, list[str]]]) -> None:
    assert changed(checklist(items), checklist(moved(items))) == [
        ("changed", ("Sjekkliste", "Kontaktsmitte"))
    ]
    assert changed(checklist(moved(items)), checklist(items)) == [
        ("changed", ("Sjekkliste", "Kontaktsmitte"))
    ]


@pytest.mark.parametrize("items", [NB, NN], ids=["nb", "nn"])
def test_items_shuffled_with_their_sub_items_say_the_same(
    items: list[tuple[str, list[str]]],
) -> None:
    assert changed(checklist(items), checklist(shuffled(items))) == []
    assert changed(checklist(shuffled(items)), checklist(items)) == []


@pytest.mark.parametrize("items", [NB, NN], ids=["nb", "nn"])
def test_the_move_is_told_through_a_stored_snapshot(items: list[tuple[str, list[str]]]) -> None:
    """As a check finds it: the last version read back from its stored form."""
    first = checklist(items).encode()
    assert detect_steps(URL, first, first).changes == ()
    last = detect_steps(URL, first, checklist(moved(items)).encode())
    assert [(c.kind, c.section) for c in last.changes] == [
        ("changed", ("Sjekkliste", "Kontaktsmitte"))
    ]
    assert (
        "◦ Egen stellevogn" in last.changes[0].after or "◦ Eiga stellevogn" in last.changes[0].after
    )
    assert detect_steps(URL, first, checklist(shuffled(items)).encode()).changes == ()


def test_a_sub_item_is_read_with_its_own_mark_and_an_item_with_the_bullet() -> None:
    assert text(checklist(NB)).split("\n") == [
        "• Beboeren skal ha enerom med eget toalett",
        "◦ Skilt på døren om kontaktsmitte",
        "◦ Egen stellevogn inne på rommet",
        "• Personalet skal bruke smittefrakk og hansker",
        "◦ Smittefrakken skal kastes etter bruk",
    ]
    # a third level has a mark of its own, and deeper ones share it
    deep = (
        "<main><h1>S</h1><ul><li>A<ul><li>a<ul><li>aa<ul><li>aaa</li></ul></li></ul></li></ul>"
        "</li></ul></main>"
    )
    assert text(deep).split("\n") == ["• A", "◦ a", "▫ aa", "▫ aaa"]
    # a list wrapped in an item with no words of its own (a CMS's indentation) is the list
    wrapped = "<main><h1>S</h1><p>Grupper:</p><ul><li><ul><li>a</li><li>b<ul><li>c</li></ul></li></ul></li></ul></main>"
    assert text(wrapped).split("\n") == ["Grupper:", "• a", "• b", "◦ c"]
    # a list inside an <ol> item is a list of its own, under the numbered line (no mark)
    ordered = "<main><h1>S</h1><ol><li>Først<ul><li>b</li><li>a</li></ul></li></ol></main>"
    assert text(ordered).split("\n") == ["Først", "• b", "• a"]  # between the numbered lines


def test_sub_items_move_with_their_item_when_the_list_is_sorted() -> None:
    section = Section(("S",), "Før\n• B\n◦ b2\n◦ b1\n• A\n◦ a1\nEtter\n◦ y\n◦ x")
    assert section.canonical == "Før\n• A\n◦ a1\n• B\n◦ b1\n◦ b2\nEtter\n◦ x\n◦ y"
    other = Section(("S",), "Før\n• A\n◦ a1\n◦ b2\n• B\n◦ b1\nEtter\n◦ x\n◦ y")
    assert other.canonical != section.canonical


def test_a_list_without_sub_items_is_sorted_as_before() -> None:
    """The digests of stored versions of pages without nested lists stay as they were."""
    section = Section(("S",), "Innledning\n• c\n• a\n• b\nMellom\n• z\n• y")
    assert section.canonical == "Innledning\n• a\n• b\n• c\nMellom\n• y\n• z"
    assert Section(("S",), "Bare tekst").canonical == "Bare tekst"


def _levels(items: list[tuple[str, int]]) -> str:
    """A <main> with one list nested as ``items`` say: each (text, depth 1-3) in order."""
    html, depth = "", 0
    for words, level in items:
        if level > depth:
            html += "<ul><li>" * (level - depth)
        elif level < depth:
            html += "</li></ul>" * (depth - level) + "</li><li>"
        else:
            html += "</li><li>"
        html += words
        depth = level
    html += "</li></ul>" * depth
    return f"<main><h1>Utbrudd</h1><h2>Tiltak</h2>{html}</main>"


THIRD = {
    "nb": [
        "Begrens smitte",
        "Beboere",
        "isoler syke beboere på eget rom",
        "vurder antiviral profylakse til nærkontakter",
        "Ansatte",
        "syke ansatte holder seg hjemme",
    ],
    "nn": [
        "Avgrens smitte",
        "Bebuarar",
        "isoler sjuke bebuarar på eige rom",
        "vurder antiviral profylakse til nærkontaktar",
        "Tilsette",
        "sjuke tilsette held seg heime",
    ],
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_third_level_item_moved_to_another_sub_item_is_told(lang: str) -> None:
    """Round 295: prophylaxis moved from the residents to the staff, a level deeper."""
    top, residents, isolate, prophylaxis, staff, home = THIRD[lang]
    before = _levels(
        [(top, 1), (residents, 2), (isolate, 3), (prophylaxis, 3), (staff, 2), (home, 3)]
    )
    after = _levels(
        [(top, 1), (residents, 2), (isolate, 3), (staff, 2), (home, 3), (prophylaxis, 3)]
    )
    shuffled = _levels(
        [(top, 1), (staff, 2), (home, 3), (residents, 2), (prophylaxis, 3), (isolate, 3)]
    )
    assert changed(before, after) == [("changed", ("Utbrudd", "Tiltak"))]
    assert changed(before, shuffled) == []


@pytest.mark.parametrize(
    ("item", "point"),
    [
        ("Pasienter med luftveissymptomer", "Helsepersonell bruker munnbind ved undersøkelse"),
        ("Terskelen for behandling bør senkast ved", "Følg opp lipidverdiar etter 6–12 veker"),
    ],
    ids=["nb", "nn"],
)
def test_a_point_made_a_sub_point_or_back_is_told(item: str, point: str) -> None:
    """Rounds 295 and 296: the words and their order the same, the nesting not (a measure
    for every examination made one for patients with symptoms only); also with the case of
    its first letter changed, which alone is typography."""
    flat = _levels([(item, 1), ("første", 2), (point, 1), ("Siste punkt", 1)])
    nested = _levels([(item, 1), ("første", 2), (point, 2), ("Siste punkt", 1)])
    lowered = _levels(
        [(item, 1), ("første", 2), (point[0].lower() + point[1:], 2), ("Siste punkt", 1)]
    )
    for a, b in [(flat, nested), (nested, flat), (flat, lowered), (lowered, flat)]:
        assert changed(a, b) == [("changed", ("Utbrudd", "Tiltak"))]
    assert changed(nested, lowered) == []
