"""Blind round 58's rules, both ways, bokmål and nynorsk: a document converted from PDF or
Word to a page repeats its running header and footer and numbers its pages; a re-conversion
moves them, breaks words at other line ends and prints a split table's header again. None of
that is news: running headers and footers (a class of theirs standing twice or more), page
numbers ("Side 2 av 4"), words broken at a line's end ("komm- unane") and a table's header
repeated inside it. A dose changed among them, a single "page-header" around the title, a
sentence said twice and dropped once are read."""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds

TEXT = {
    "nb": ("Kommunene skal ha en oppdatert plan for helsemessig beredskap.",
           "Statsforvalteren fører tilsyn med planverket."),
    "nn": ("Kommunane skal ha ein oppdatert plan for helsemessig beredskap.",
           "Statsforvaltaren fører tilsyn med planverket."),
}  # fmt: skip


def converted(
    lang: str, pages: int, first: str = "", second: str = "", total: int = 0
) -> PageContent:
    a, b = TEXT[lang]
    head = "<div class='page-header'><p>Helsedirektoratet · Brev til kommunene · 2027</p></div>"
    body = ""
    for n, text in enumerate((first or a, second or b), 1):
        if n <= pages:
            body += f"{head}<h2>Del {n}</h2><p>{text}</p>"
            body += f"<div class='page-footer'><p>Side {n} av {total or pages}</p></div>"
        else:
            body += f"<h2>Del {n}</h2><p>{text}</p>"
    return article("Brev om beredskap", body)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_running_heads_and_page_numbers_are_no_content(lang: str) -> None:
    assert kinds(converted(lang, 2), converted(lang, 2, total=5)) == []  # re-paginated
    assert kinds(converted(lang, 2), converted(lang, 0)) == []  # running heads dropped


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_change_among_running_heads_is_read(lang: str) -> None:
    a, _ = TEXT[lang]
    edited = a.replace("oppdatert", "ny")
    assert kinds(converted(lang, 2), converted(lang, 2, edited, total=5)) == ["changed"]


def test_one_page_header_around_the_title_is_read() -> None:
    def page(title: str) -> PageContent:
        body = f"<div class='page-header'><p>{title}</p></div><p>Tekst.</p>"
        return article("Forside", body)

    assert kinds(page("Vaksinasjon høsten 2026"), page("Vaksinasjon våren 2027")) == ["changed"]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_words_broken_at_line_ends_are_the_words(lang: str) -> None:
    a, _ = TEXT[lang]
    broken = a.replace("oppdatert", "opp- datert").replace("beredskap", "bered- skap")
    assert kinds(converted(lang, 0, broken), converted(lang, 0)) == []
    assert kinds(converted(lang, 0), converted(lang, 0, broken)) == []


def test_a_real_edit_beside_broken_words_is_read() -> None:
    a, _ = TEXT["nb"]
    broken = a.replace("oppdatert", "opp- datert")
    assert kinds(converted("nb", 0, broken), converted("nb", 0, a.replace("en ", "to "))) == [
        "changed"
    ]


def table(rows: list[tuple[str, str]], split_at: int = 0) -> PageContent:
    head = "<tr><th>Uke</th><th>Influensa A</th></tr>"
    cells = ["<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows]
    if split_at:
        cells.insert(split_at, head)
    return article("Ukerapport", f"<h2>Tilfeller</h2><table>{head}{''.join(cells)}</table>")


ROWS = [("1", "1 587"), ("2", "2 011"), ("3", "2 498"), ("4", "2 902")]


def test_a_split_tables_header_printed_again_is_no_content() -> None:
    assert kinds(table(ROWS, split_at=2), table(ROWS)) == []
    assert kinds(table(ROWS), table(ROWS, split_at=2)) == []


def test_a_value_changed_in_a_split_table_is_read() -> None:
    other = [*ROWS[:3], ("4", "3 902")]
    assert kinds(table(ROWS, split_at=2), table(other)) == ["changed"]


def test_a_sentence_said_twice_and_dropped_once_is_read() -> None:
    warn = "<p>Ikke bruk ved graviditet.</p><p>Kontakt lege.</p>"
    before = article(
        "Legemidler", f"<h2>Legemidler</h2><p>Ibuprofen</p>{warn}<p>Naproksen</p>{warn}"
    )
    after = article("Legemidler", f"<h2>Legemidler</h2><p>Ibuprofen</p>{warn}<p>Naproksen</p>")
    assert kinds(before, after) == ["changed"]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_footnotes_re_styled_as_bracketed_links_read_the_same(lang: str) -> None:
    a, _ = TEXT[lang]
    note = "Gjelder også barn som har fått behandling via legevakt."
    sup = f"<p>{a}<sup>1</sup></p><p class='footnote'><sup>1</sup> {note}</p>"
    linked = (
        f"<p>{a}<a class='fnref' href='#fn1'>[1]</a></p><p class='footnote' id='fn1'>[1] {note}</p>"
    )
    assert kinds(article("Brev", sup), article("Brev", linked)) == []
    other = linked.replace("via legevakt", "via fastlege")
    assert kinds(article("Brev", sup), article("Brev", other)) == ["changed"]


def test_a_bracketed_link_to_no_note_is_read_as_it_stands() -> None:
    before = article("Brev", "<p>Se punkt <a href='#x'>[2]</a> under.</p>")
    after = article("Brev", "<p>Se punkt <a href='#x'>[3]</a> under.</p>")
    assert kinds(before, after) == ["changed"]
