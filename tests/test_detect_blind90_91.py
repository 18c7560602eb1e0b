"""Blind rounds 90 and 91's rules, both ways, bokmål and nynorsk:

- an amount in millions of kroner ("120 mill. kr", "1,25 mill. kr") says the same as the
  amount written out ("kr 120 000 000"); another amount is told;
- a day and a month in numbers after a weekday ("lør. 24.12.", "Tysdag 24.12."), and a span
  of days in one month ("27.12.–30.12."), say the same as the month's name written out; a
  day changed is told, and a day and month in numbers without a weekday is read as a number;
- a table turned into a list under a paragraph both versions keep says the same.
"""

from __future__ import annotations

import pytest

from tests.support.pages import article, kinds

GRANT = {
    "nb": "<h2>Om ordningen</h2><p>Ramme: {}. Tilskudd gis for ett år om gangen.</p>",
    "nn": "<h2>Om ordninga</h2><p>Ramme: {}. Tilskot blir gitt for eitt år om gongen.</p>",
}


@pytest.mark.parametrize(
    ("long", "short"), [("kr 120 000 000", "120 mill. kr"), ("kr 1 250 000", "1,25 mill. kr")]
)
@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_amount_in_millions_says_the_same(lang: str, long: str, short: str) -> None:
    written, counted = (
        article("Tilskudd", GRANT[lang].format(long)),
        article("Tilskudd", GRANT[lang].format(short)),
    )
    assert kinds(written, counted) == []
    assert kinds(counted, written) == []


def test_another_amount_in_millions_is_told() -> None:
    before = article("Tilskudd", GRANT["nb"].format("kr 120 000 000"))
    assert kinds(before, article("Tilskudd", GRANT["nb"].format("95 mill. kr"))) == ["changed"]


HOURS = {
    "nb": (
        "Åpningstider i jula",
        [("lør. 24.12.", "Stengt"), ("søn. 25.12.", "Kl. 10–14"), ("27.12.–30.12.", "Kl. 08–15")],
    ),
    "nn": (
        "Opningstider i jula",
        [("Tysdag 24.12.", "Stengt"), ("Onsdag 25.12.", "Stengt"), ("27.12.–30.12.", "Kl. 09–14")],
    ),
}
WRITTEN = {
    "lør. 24.12.": "Lørdag 24. desember",
    "søn. 25.12.": "Søndag 25. desember",
    "Tysdag 24.12.": "Tysdag 24. desember",
    "Onsdag 25.12.": "Onsdag 25. desember",
    "27.12.–30.12.": "27.–30. desember",
}


def hours(lang: str, rows: list[tuple[str, str]]) -> str:
    heading, _ = HOURS[lang]
    body = "".join(f"<tr><td>{day}</td><td>{time}</td></tr>" for day, time in rows)
    return article(
        "Legevakt", f"<h2>{heading}</h2><table><tr><th>Dag</th><th>Tid</th></tr>{body}</table>"
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_holiday_dates_written_out_say_the_same(lang: str) -> None:
    rows = HOURS[lang][1]
    written = [(WRITTEN[day], time) for day, time in rows]
    assert kinds(hours(lang, rows), hours(lang, written)) == []
    assert kinds(hours(lang, written), hours(lang, rows)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_holiday_date_changed_is_told(lang: str) -> None:
    rows = HOURS[lang][1]
    moved = [(WRITTEN[day].replace("24.", "23."), time) for day, time in rows]
    assert kinds(hours(lang, rows), hours(lang, moved)) == ["changed"]


def test_a_day_and_month_in_numbers_without_a_weekday_is_read_as_it_stands() -> None:
    before = article("Regler", "<h2>Punkt</h2><p>Se punkt 24.12. i rundskrivet.</p>")
    after = article("Regler", "<h2>Punkt</h2><p>Se punkt 24. desember i rundskrivet.</p>")
    assert kinds(before, after) == ["changed"]


INTRO = {
    "nb": "<p>Skadepoliklinikken har egne åpningstider i jula. Ring 116 117 døgnet rundt.</p>",
    "nn": "<p>Skadepoliklinikken har eigne opningstider i jula. Ring 116 117 heile døgnet.</p>",
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_table_turned_into_a_list_under_a_kept_paragraph_says_the_same(lang: str) -> None:
    rows = [
        ("Lørdag 24. desember", "Stengt"),
        ("Søndag 25. desember", "Kl. 10–14"),
        ("Mandag 26. desember", "Kl. 10–14"),
    ]
    table = (
        "<table><tr><th>Dag</th><th>Skadepoliklinikken</th></tr>"
        + "".join(f"<tr><td>{d}</td><td>{t}</td></tr>" for d, t in rows)
        + "</table>"
    )
    listed = "<ul>" + "".join(f"<li>{d}: {t}</li>" for d, t in rows) + "</ul>"
    before = article("Legevakt", f"<h2>Jul</h2>{INTRO[lang]}{table}")
    after = article("Legevakt", f"<h2>Jul</h2>{INTRO[lang]}{listed}")
    assert kinds(before, after) == []
    edited = listed.replace("Kl. 10–14</li></ul>", "Stengt</li></ul>")
    assert kinds(before, article("Legevakt", f"<h2>Jul</h2>{INTRO[lang]}{edited}")) == ["changed"]
