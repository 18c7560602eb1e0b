"""Blind rounds 327-330's rules:

- a chapter inserted in a numbered guideline moves the chapters after it up by one, and
  their subsections with them ("3.1 Erysipelas" under "3 Hud" -> "4.1 Erysipelas" under "4
  Hud"): only the new chapter is told (327; the chapters alone were quiet before, their
  subsections were told as moved);
- a chapter renumbered in that run and edited at once ("4 Smittevern" -> "5 Smittevern"
  with a new sentence) is told as changed at its new number, not as removed and added
  (327, and round 219's open case);
- a comma after a full date is punctuation ("Torsdag 5. mars 2026, kl. 9–15" and "5.3.2026
  kl. 09.00–15.00", 328);
- a lone "(1)" set before a paragraph's one ledd, as its other paragraphs number theirs, is
  no change (330).
"""

from __future__ import annotations

import pytest

from tests.support.pages import changed

TITLE = "Smittevernrettleiar for kommunehelsetenesta"


def guide(chapters: list[tuple[str, list[str]]], edit: str = "") -> str:
    body = ""
    for n, (name, subs) in enumerate(chapters, 1):
        body += (
            f"<h2>{n} {name}</h2><p>Om {name.lower()}.{edit if name == 'Smittevern' else ''}</p>"
        )
        for m, sub in enumerate(subs, 1):
            body += f"<h3>{n}.{m} {sub}</h3><p>Råd om {sub.lower()}.</p>"
    return f"<main><h1>{TITLE}</h1>{body}</main>"


BEFORE = [
    ("Innleiing", []),
    ("Vaksinasjon", ["Barn", "Risikogrupper"]),
    ("Smittevern", ["Basale rutinar", "Kontaktsmitte"]),
]


@pytest.mark.parametrize("at", [1, 2])
def test_a_chapter_inserted_moves_the_later_ones_and_their_subsections_quietly(at: int) -> None:
    after = [*BEFORE[:at], ("Tuberkulose", []), *BEFORE[at:]]
    new = f"{at + 1} Tuberkulose"
    assert changed(guide(BEFORE), guide(after)) == [("added", (TITLE, new))]
    # removed again: only the removal is told
    assert changed(guide(after), guide(BEFORE)) == [("removed", (TITLE, new))]


def test_a_chapter_renumbered_and_edited_is_told_as_changed() -> None:
    after = [BEFORE[0], ("Tuberkulose", []), *BEFORE[1:]]
    edit = " Bebuarar med symptom skal isolerast."
    assert changed(guide(BEFORE), guide(after, edit)) == [
        ("added", (TITLE, "2 Tuberkulose")),
        ("changed", (TITLE, "4 Smittevern")),
    ]


def test_a_subsection_that_changed_its_own_place_is_still_told() -> None:
    after = [
        BEFORE[0],
        ("Tuberkulose", []),
        BEFORE[1],
        ("Smittevern", ["Kontaktsmitte", "Basale rutinar"]),
    ]
    found = changed(guide(BEFORE), guide(after))
    assert ("added", (TITLE, "2 Tuberkulose")) in found
    assert any(kind == "moved" for kind, _ in found)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("5.3.2026 kl. 09.00–15.00, Statens hus.", "Torsdag 5. mars 2026, kl. 9–15, Statens hus."),
        ("Torsdag 5.3.2026 i Statens hus.", "Torsdag 5. mars 2026, i Statens hus."),
    ],
)
def test_a_comma_after_a_date_is_punctuation(before: str, after: str) -> None:
    def invitation(when: str) -> str:
        return (
            f"<main><h1>Fagdag om barn som pårørende</h1><h2>Tid og sted</h2><p>{when}</p></main>"
        )

    assert changed(invitation(before), invitation(after)) == []
    assert changed(invitation(before), invitation(after.replace("5. mars", "6. mars"))) == [
        ("changed", ("Fagdag om barn som pårørende", "Tid og sted"))
    ]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_lone_ledd_number_is_no_change(lang: str) -> None:
    said = {
        "nb": "Kommunen skal ha en smittevernplan.",
        "nn": "Kommunen skal ha ein smittevernplan.",
    }[lang]

    def paragraph(text: str) -> str:
        return f"<main><h1>Forskrift om smittevern</h1><h2>§ 3. Plan</h2><p>{text}</p></main>"

    assert changed(paragraph(said), paragraph(f"(1) {said}")) == []
    assert changed(paragraph(f"(1) {said}"), paragraph(said)) == []
    told = [("changed", ("Forskrift om smittevern", "§ 3. Plan"))]
    assert changed(paragraph(said), paragraph(f"(2) {said}")) == told
    assert changed(paragraph(said), paragraph(f"(1) {said.replace('skal', 'kan')}")) == told
