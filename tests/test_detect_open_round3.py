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
