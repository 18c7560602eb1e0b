"""Hostile bodies that made reading or comparing cost far more than their size (a fuzzing
round of our own, 2026-12-05): each took seconds to minutes before, and grew faster than the
body. The budgets are far above what they cost now and far below what they cost then."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator

import pytest

from feeds.detect.diff import diff_pages, keyed_sections, word_diff
from feeds.read.html import MAX_HEADING_CHARS, extract_page
from feeds.store.snapshot import state_to_blob
from feeds.types import PageContent, Section, SnapshotState
from tests.support.cpu import own_cpu, within


@pytest.fixture(autouse=True)
def _without_collector() -> Iterator[None]:
    """Every case timed without the garbage collector (``own_cpu``): a collection of what
    earlier tests of the worker left is no cost of the code under test."""
    with own_cpu():
        yield


def test_a_diff_of_repeated_words_is_bounded_and_still_exact() -> None:
    """``word_diff("x a b " * 800, "x b a " * 800)`` took 92 s (SequenceMatcher walks every
    occurrence of each repeated word once per block it finds)."""
    for before, after in (("x a b " * 800, "x b a " * 800), ("x a " * 800, "y a " * 800)):
        started = time.process_time()
        segments = word_diff(before, after)
        assert within(time.process_time() - started, 1.0)
        assert "".join(text for kind, text in segments if kind != "+") == before
        assert "".join(text for kind, text in segments if kind != "-") == after


def test_a_diff_of_repeated_lines_is_bounded() -> None:
    before, after = "x a b\n" * 3000, "x b a\n" * 3000
    started = time.process_time()
    segments = word_diff(before, after)
    assert within(time.process_time() - started, 1.0)
    assert "".join(text for kind, text in segments if kind != "-") == after


def test_a_long_section_rewritten_is_diffed_line_by_line_then_by_word() -> None:
    """Past the pairs a word diff may walk, the lines are compared first: the one edited
    paragraph is still shown word by word."""
    paragraphs = [f"Avsnitt {i} om smittevern og testing i kommunen." for i in range(400)]
    edited = list(paragraphs)
    edited[200] = "Avsnitt 200 om smittevern og isolasjon i kommunen."
    segments = word_diff("\n".join(paragraphs), "\n".join(edited))
    assert [(kind, text.strip()) for kind, text in segments if kind != "="] == [
        ("-", "testing"),
        ("+", "isolasjon"),
    ]


def test_a_page_of_elements_dropped_with_text_after_each_is_read_in_bounded_time() -> None:
    """2 MB of ``<script></script>x`` took 13 s: each dropped element's tail was appended to
    the text gathered so far, copying it again."""
    body = ("<main><h1>T</h1><p>" + "<script></script>x" * 120_000 + "</p></main>").encode()
    started = time.process_time()
    page = extract_page(body)
    assert within(time.process_time() - started, 3.0)
    assert page.sections[0].text == "x" * 120_000


def test_tails_of_dropped_elements_stay_in_order_after_the_element_that_stays() -> None:
    body = (
        b"<main><h1>T</h1><p>a<script>s</script>b<b>c</b>d<script>s</script>e"
        b"<script>s</script>f</p></main>"
    )
    assert extract_page(body).sections[0].text == "abcdef"


def test_a_long_heading_over_many_sections_is_bounded_in_time_and_memory() -> None:
    """A 100 KB "heading" over 400 sections took 45 s and 80 MB (the problem-page check made
    a sample of every section's whole path); 200 KB over 700 sections 173 s and 280 MB, and
    the stored state held the heading once per section."""
    body = "<main><h1>" + "Overskrift " * 9090 + "</h1>" + "<h2>a</h2><p>t</p>" * 400 + "</main>"
    tracemalloc.start()
    started = time.process_time()
    try:
        page = extract_page(body.encode())
        blob = state_to_blob(SnapshotState("page", "x", page.digest, page=page))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert within(time.process_time() - started, 2.0)
    assert peak < 40 * 1024 * 1024
    assert len(blob) < 100_000
    assert all(len(h) <= MAX_HEADING_CHARS for s in page.sections for h in s.path)


def test_a_heading_longer_than_any_real_one_is_read_as_text() -> None:
    long = "Ord " * 100  # 400 characters
    page = extract_page(f"<main><h1>Tittel</h1><h2>{long}</h2><p>Tekst</p></main>".encode())
    assert [(s.path, s.text) for s in page.sections] == [(("Tittel",), f"{long.strip()}\nTekst")]


def test_many_sections_of_one_path_are_keyed_in_linear_time() -> None:
    """4,000 sections of one heading path took 5.4 s to diff: each repeat counted its number
    from 1 again."""
    sections = tuple(Section(("a",), f"t{i}") for i in range(4000))
    before, after = (
        PageContent("T", sections),
        PageContent("T", (*sections[:-1], Section(("a",), "x"))),
    )
    started = time.process_time()
    changes = diff_pages(before, after)
    assert within(time.process_time() - started, 1.0)
    assert [(c.kind, c.path) for c in changes] == [("changed", ("a", "#4000"))]
    keys = list(keyed_sections((*sections[:3], Section(("a", "#2"), "y"))))
    assert keys == [("a",), ("a", "#2"), ("a", "#3"), ("a", "#2", "#2")]


def test_many_marks_to_one_id_given_many_times_are_read_in_bounded_time() -> None:
    """A page of thousands of notes with one id ("fn1" again and again, as a page that
    numbers its notes anew under each table gives a few) and thousands of marks pointing to
    it after them: each mark's note was looked for by walking every note of that id (8,000
    of each took ~7 s); now by bisection. Each mark still reads a note of that id."""
    n = 8000
    notes = "".join(f"<ol><li id='fn1'>Note nummer {i} om smittevern.</li></ol>" for i in range(n))
    marks = "".join(f"<p>Verdi {i}<sup><a href='#fn1'>1</a></sup></p>" for i in range(n))
    body = f"<main><h1>T</h1>{notes}{marks}</main>".encode()
    started = time.process_time()
    page = extract_page(body)
    assert within(time.process_time() - started, 3.0)
    assert "Verdi 7999 [fotnote: Note nummer 0 om smittevern.]" in page.sections[0].text


def test_a_cell_spanning_thousands_of_rows_is_copied_within_bounds() -> None:
    """A hostile table: a cell of 10 KB spanning 65,534 rows over 4,000 rows, and thousands
    of such cells. Copies of spanning cells are made within ``UNFOLD_CELLS`` and
    ``UNFOLD_CHARS`` a page, in bounded time; the rest is read as it stands."""
    big = "smittevern " * 1000
    rows = "".join(f"<tr><td>{i}</td></tr>" for i in range(4000))
    spans = "".join(f"<td rowspan='65534'>{big}</td>" for _ in range(50))
    body = f"<main><h1>T</h1><table><tr>{spans}</tr>{rows}</table></main>".encode()
    started = time.process_time()
    tracemalloc.start()
    try:
        page = extract_page(body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert within(time.process_time() - started, 5.0)
    assert peak < 200_000_000
    assert sum(len(s.text) for s in page.sections) < 2_000_000
    assert "3999" in page.sections[-1].text


def test_thousands_of_sections_moved_between_actors_are_diffed_in_bounded_time() -> None:
    """Every one of 4,000 subsections moved from "Kommunen" to "Statsforvalteren": each is
    told as moved, and the headings that stand on each version are gathered once a diff, not
    once a moved section."""
    n = 4000
    subs = "".join(f"<h3>Plikt {i}</h3><p>Oppgåve nummer {i} skal gjerast.</p>" for i in range(n))

    def version(first: bool) -> PageContent:
        one = f"<h2>Kommunen</h2><p>Planar.</p>{subs if first else ''}"
        two = f"<h2>Statsforvaltaren</h2><p>Tilsyn.</p>{'' if first else subs}"
        return extract_page(f"<main><h1>Roller</h1>{one}{two}</main>".encode())

    before, after = version(True), version(False)
    started = time.process_time()
    changes = diff_pages(before, after)
    assert within(time.process_time() - started, 3.0)
    assert len(changes) == n and {c.kind for c in changes} == {"moved"}
