"""A table cell that spans rows is read in each row it spans (open cases of blind rounds 164,
216 and 220): a table re-made without its merged cells, every cell saying what it said, is
no change; a spanning cell's new text is told; columns are counted with ``colspan``."""

from __future__ import annotations

import pytest

from tests.support.pages import changed, text

DAYS = {
    "nb": ("Legevakt", "Åpningstider", ["Mandag", "Tirsdag", "Onsdag"], "Fredag"),
    "nn": ("Legevakt", "Opningstider", ["Måndag", "Tysdag", "Onsdag"], "Fredag"),
}


def merged(lang: str, hours: str = "08.00–16.00", place: str = "Helsehuset") -> str:
    title, heading, days, friday = DAYS[lang]
    first, *rest = days
    rows = f"<tr><td>{first}</td><td rowspan='3'>{hours}</td><td rowspan='4'>{place}</td></tr>"
    rows += "".join(f"<tr><td>{d}</td></tr>" for d in rest)
    rows += f"<tr><td>{friday}</td><td>08.00–14.00</td></tr>"
    return f"<main><h1>{title}</h1><h2>{heading}</h2><table>{rows}</table></main>"


def unfolded(lang: str, hours: str = "08.00–16.00", place: str = "Helsehuset") -> str:
    title, heading, days, friday = DAYS[lang]
    rows = "".join(f"<tr><td>{d}</td><td>{hours}</td><td>{place}</td></tr>" for d in days)
    rows += f"<tr><td>{friday}</td><td>08.00–14.00</td><td>{place}</td></tr>"
    return f"<main><h1>{title}</h1><h2>{heading}</h2><table>{rows}</table></main>"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_table_remade_without_merged_cells_is_no_change(lang: str) -> None:
    assert text(merged(lang)) == text(unfolded(lang))
    assert changed(merged(lang), unfolded(lang)) == []
    assert changed(unfolded(lang), merged(lang)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_spanning_cells_new_text_is_told(lang: str) -> None:
    title, heading, *_ = DAYS[lang]
    told = [("changed", (title, heading))]
    assert changed(merged(lang), merged(lang, hours="08.00–15.00")) == told
    assert changed(merged(lang), unfolded(lang, place="Legesenteret")) == told
    # a merged cell that now spans one day fewer: Wednesday's hours are gone
    fewer = merged(lang).replace("rowspan='3'", "rowspan='2'")
    assert changed(merged(lang), fewer) == told


def test_each_row_reads_the_spanning_cell_in_its_column() -> None:
    body = (
        "<main><h1>T</h1><h2>A</h2><table>"
        "<tr><th>Dag</th><th>Tid</th><th>Sted</th></tr>"
        "<tr><td>Man</td><td rowspan='3'>8-16</td><td rowspan='2'>X</td></tr>"
        "<tr><td>Tir</td></tr>"
        "<tr><td>Ons</td><td>Y</td></tr>"
        "<tr><td colspan='2'>Tor</td><td>Z</td></tr>"
        "</table></main>"
    )
    assert text(body).split("\n") == [
        *("Dag", "Tid", "Sted", "Man", "8-16", "X", "Tir", "8-16", "X"),
        *("Ons", "8-16", "Y", "Tor", "Z"),
    ]


def test_a_span_past_the_last_row_or_unreadable_is_read_as_it_stands() -> None:
    past = "<main><h1>T</h1><h2>A</h2><table><tr><td>A</td><td rowspan='9'>B</td></tr><tr><td>C</td></tr></table></main>"
    assert text(past).split("\n") == ["A", "B", "C", "B"]
    odd = past.replace("rowspan='9'", "rowspan='x'")
    assert text(odd).split("\n") == ["A", "B", "C"]
    # a span to the end of its table ("0"), and a nested table's rows kept apart
    zero = past.replace("rowspan='9'", "rowspan='0'")
    assert text(zero).split("\n") == ["A", "B", "C", "B"]
    nested = (
        "<main><h1>T</h1><h2>A</h2><table><tr><td rowspan='2'>Ute</td><td>"
        "<table><tr><td>Inne</td></tr><tr><td>Inne 2</td></tr></table></td></tr>"
        "<tr><td>Neste</td></tr></table></main>"
    )
    assert text(nested).split("\n") == ["Ute", "Inne", "Inne 2", "Ute", "Neste"]
