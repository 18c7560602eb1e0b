"""The third round's open detection cases (tests/fixtures/detect_open/OPEN.md), met by general
rules: each rule tested here on values of its own, apart from the corpus case that asked
for it."""

from __future__ import annotations

from feeds.detect.diff import SectionChange, diff_pages
from feeds.types import PageContent, Section


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
