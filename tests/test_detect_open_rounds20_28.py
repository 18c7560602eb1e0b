"""Blind rounds 20 and 28's open cases, met: a table of two columns rendered as a list of its rows
without the header row says the same, and so does a FAQ whose questions (with their answers)
are re-sorted; a row or an answer changed, a notice of short lines removed, or an answer
moved to another question is told. Bokmål and nynorsk."""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds

ROWS = [("Blodtrykk, behandlingsmål", "under 140/90 mmHg"), ("HbA1c", "48 mmol/mol eller høyere")]
HEAD = {"nb": ("Mål", "Grense"), "nn": ("Mål", "Grense")}


def table(lang: str, rows: list[tuple[str, str]]) -> PageContent:
    head = "".join(f"<th>{h}</th>" for h in HEAD[lang])
    body = "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in rows)
    return article("Behandlingsmål", f"<h2>Terskelverdier</h2><table><tr>{head}</tr>{body}</table>")


def pairs(rows: list[tuple[str, str]], top: str = "") -> PageContent:
    items = "".join(f"<dt>{a}</dt><dd>{b}</dd>" for a, b in rows)
    return article("Behandlingsmål", f"<h2>Terskelverdier</h2>{top}<dl>{items}</dl>")


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_table_as_its_rows_without_the_header_says_the_same(lang: str) -> None:
    assert kinds(table(lang, ROWS), pairs(ROWS)) == []
    assert kinds(pairs(ROWS), table(lang, ROWS)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_row_changed_in_the_turn_is_told(lang: str) -> None:
    other = [ROWS[0], ("HbA1c", "42 mmol/mol eller høyere")]
    assert kinds(table(lang, ROWS), pairs(other)) == ["changed"]


def test_a_notice_of_short_lines_removed_above_rows_is_told() -> None:
    notice = "<p>Viktig melding</p><p>Vaksinasjonen er utsett</p>"
    assert kinds(pairs(ROWS, notice), pairs(ROWS)) == ["changed"]


FAQ = {
    "nb": [("Kan arbeidsgiver kreve vaksine?", "Nei, det finnes ingen hjemmel."),
           ("Hvem betaler vaksinen?", "Arbeidsgiver dekker utgiftene."),
           ("Skal vaksinen registreres i SYSVAK?", "Ja, all vaksinasjon registreres.")],
    "nn": [("Kan arbeidsgjevar krevje vaksine?", "Nei, det finst ingen heimel."),
           ("Kven betaler vaksinen?", "Arbeidsgjevar dekkjer utgiftene."),
           ("Skal vaksinen registrerast i SYSVAK?", "Ja, all vaksinasjon blir registrert.")],
}  # fmt: skip


def faq(pairs_: list[tuple[str, str]]) -> PageContent:
    body = "".join(f"<details><summary>{q}</summary><p>{a}</p></details>" for q, a in pairs_)
    return article("Spørsmål og svar", f"<h2>Spørsmål og svar</h2><p>Om vaksinasjon.</p>{body}")


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_questions_re_sorted_with_their_answers_say_the_same(lang: str) -> None:
    a, b, c = FAQ[lang]
    assert kinds(faq([a, b, c]), faq([c, a, b])) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_answer_changed_or_moved_to_another_question_is_told(lang: str) -> None:
    a, b, c = FAQ[lang]
    assert kinds(
        faq([a, b, c]), faq([c, a, (b[0], b[1].replace("utgiftene", "halve utgiftene"))])
    ) == ["changed"]
    assert kinds(faq([a, b, c]), faq([(a[0], b[1]), (b[0], a[1]), c])) == ["changed"]


def test_a_table_of_three_columns_losing_its_header_is_told() -> None:
    head = "<tr><th>Legemiddel</th><th>Voksne</th><th>Barn</th></tr>"
    rows = "<tr><td>Amoksicillin</td><td>500 mg</td><td>250 mg</td></tr>" * 2
    before = article("Doser", f"<h2>Doser</h2><table>{head}{rows}</table>")
    cells = "<p>Amoksicillin</p><p>500 mg</p><p>250 mg</p>" * 2
    assert kinds(before, article("Doser", f"<h2>Doser</h2>{cells}")) == ["changed"]
