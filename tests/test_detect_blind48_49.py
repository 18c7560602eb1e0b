"""Blind rounds 48 and 49's rules, both ways, bokmål and nynorsk:

- a file's size written to another precision ("62 kB" -> "61,8 kB") is the same file; a
  size that differs at the same precision ("318 kB" -> "322 kB") is a new file, told;
- a countdown to an event ("om 13 dagar") in a line of fields is the clock, as a time ago
  is; a date, a span of days and a place beside it are read;
- a share bar's count of shares ("Del 14 delinger") follows the readers;
- an entry filed word for word from the list of what is ahead to the list of what is over
  ("Kommende arrangementer" -> "Tidligere arrangementer") is the calendar's clock; a new
  entry beside it, an entry changed on the way, or a guideline moved from "Gjeldende" to
  "Utgått" is told.
"""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds

TITLE = {"nb": "Maler og veiledere", "nn": "Malar og rettleiarar"}


def files(lang: str, size_a: str, size_b: str) -> PageContent:
    name = {"nb": "Mal for beredskapsplan", "nn": "Mal for beredskapsplan"}[lang]
    body = (
        "<h2>Maler</h2><ul>"
        f"<li><a href='/mal.docx'>{name}</a> <span>(docx, {size_a})</span></li>"
        f"<li><a href='/ros.pdf'>Veileder for ROS-analyse</a> <span>(pdf, {size_b})</span></li>"
        "</ul>"
    )
    return article(TITLE[lang], body)


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize(
    ("old", "new"),
    [(("62 kB", "1,6 MB"), ("61,8 kB", "1,57 MB")), (("28,9 kB", "2 MB"), ("29 kB", "1,95 MB"))],
)
def test_a_size_written_to_another_precision_is_the_same_file(
    lang: str, old: tuple[str, str], new: tuple[str, str]
) -> None:
    assert kinds(files(lang, *old), files(lang, *new)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize(
    ("old", "new"),
    [
        (("318 kB", "1,2 MB"), ("322 kB", "1,2 MB")),  # the same precision, another size
        (("62 kB", "1,6 MB"), ("61,4 kB", "1,6 MB")),  # 61,4 is not 62 to whole kB
        (("62 kB", "1,6 MB"), ("62 kB", "1,6 GB")),  # another unit
    ],
)
def test_another_size_is_a_new_file(lang: str, old: tuple[str, str], new: tuple[str, str]) -> None:
    assert kinds(files(lang, *old), files(lang, *new)) == ["changed"]


EVENTS = {
    "nb": ("Kurs og konferanser", "Kommende arrangementer", "Tidligere arrangementer"),
    "nn": ("Kurs og konferansar", "Kommande arrangement", "Tidlegare arrangement"),
}
MEETING = "Kommuneoverlegemøte – 16. mars 2027, Bergen"
WEBINAR = "Webinar om legemiddelhandtering – 19. november 2026, Teams"
PAST = "Beredskapsdagen – 15. september 2026, Kristiansund"


def calendar(
    lang: str, ahead: list[str], over: list[str], heads: tuple[str, str] = ("", "")
) -> PageContent:
    title, first, second = EVENTS[lang]
    first, second = heads[0] or first, heads[1] or second
    items = {k: "".join(f"<li>{e}</li>" for e in v) for k, v in (("a", ahead), ("o", over))}
    body = f"<h2>{first}</h2><ul>{items['a']}</ul><h2>{second}</h2><ul>{items['o']}</ul>"
    return article(title, body)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_entry_filed_from_ahead_to_over_is_the_clock(lang: str) -> None:
    before = calendar(lang, [WEBINAR, MEETING], [PAST])
    assert kinds(before, calendar(lang, [MEETING], [WEBINAR, PAST])) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_new_entry_beside_one_filed_is_told_in_its_list_only(lang: str) -> None:
    before = calendar(lang, [WEBINAR, MEETING], [PAST])
    new = "Fagdag om smittevern i sjukeheim – 4. desember 2026, Ålesund"
    assert kinds(before, calendar(lang, [new, MEETING], [WEBINAR, PAST])) == ["changed"]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_entry_changed_on_its_way_to_the_past_is_told(lang: str) -> None:
    before = calendar(lang, [WEBINAR, MEETING], [PAST])
    cancelled = WEBINAR + " (avlyst)"
    assert kinds(before, calendar(lang, [MEETING], [cancelled, PAST])) == ["changed", "changed"]


def test_a_guideline_moved_from_in_force_to_withdrawn_is_told() -> None:
    heads = ("Gjeldende veiledere", "Utgåtte veiledere")
    before = calendar("nb", [WEBINAR, MEETING], [PAST], heads)
    after = calendar("nb", [MEETING], [WEBINAR, PAST], heads)
    assert kinds(before, after) == ["changed", "changed"]


COUNTDOWN = {
    "nb": ("Kurs og konferanser", "Bergen og Teams", "om 13 dager", "om 12 dager"),
    "nn": ("Kurs og konferansar", "Bergen og Teams", "om 13 dagar", "om 12 dagar"),
}


def countdown(lang: str, date: str, place: str, left: str) -> PageContent:
    title = COUNTDOWN[lang][0]
    body = f"<h2>Kommuneoverlegemøte</h2><p>{date} · {place} · {left}</p>"
    return article(title, body)


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize("date", ["19. november 2026", "1.–2. desember 2026"])
def test_a_countdown_beside_a_date_and_a_place_is_the_clock(lang: str, date: str) -> None:
    _, place, old, new = COUNTDOWN[lang]
    assert kinds(countdown(lang, date, place, old), countdown(lang, date, place, new)) == []
    assert (
        kinds(countdown(lang, date, place, "om 3 dagar"), countdown(lang, date, place, "i morgon"))
        == []
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_date_or_place_beside_a_countdown_is_read(lang: str) -> None:
    _, place, old, new = COUNTDOWN[lang]
    before = countdown(lang, "19. november 2026", place, old)
    assert kinds(before, countdown(lang, "26. november 2026", place, new)) == ["changed"]
    assert kinds(before, countdown(lang, "19. november 2026", "Voss", new)) == ["changed"]


def test_a_sentence_with_a_countdown_is_read() -> None:
    before = article("Påmelding", "<p>Fristen for påmelding går ut om 13 dagar.</p>")
    after = article("Påmelding", "<p>Fristen for påmelding går ut om 20 dagar.</p>")
    assert kinds(before, after) == ["changed"]


@pytest.mark.parametrize(
    ("old", "new"), [("14 delinger", "17 delinger"), ("3 delingar", "41 delingar")]
)
def test_a_share_bars_count_follows_the_readers(old: str, new: str) -> None:
    def page(count: str) -> PageContent:
        body = (
            "<h2>Kommunehelsetjenesten</h2><p>Seniorrådgiver Tone Mydland, tlf. 37 01 78 51</p>"
            f"<aside class='share'><a href='#'>Del</a> <span>{count}</span></aside>"
        )
        return article("Kontaktpersoner", body)

    assert kinds(page(old), page(new)) == []


def test_a_sentence_counting_shares_is_read() -> None:
    before = article("Kampanjen", "<p>Kampanjen ble delt 14 ganger i uke 1.</p>")
    after = article("Kampanjen", "<p>Kampanjen ble delt 17 ganger i uke 1.</p>")
    assert kinds(before, after) == ["changed"]


def test_a_hostile_size_of_many_digits_is_another_file_not_an_error() -> None:
    huge = "9" * 40
    before, after = files("nb", f"{huge} kB", "1 MB"), files("nb", f"{huge},5 kB", "1 MB")
    assert kinds(before, after) == ["changed"]
