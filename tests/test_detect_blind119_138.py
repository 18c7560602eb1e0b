"""Blind rounds 119 to 138's rules, both ways, bokmål and nynorsk:

- a table's columns of free places and list length (a GP list) tick by the day and are
  furniture, with their caption's day; a doctor who comes or goes is told;
- a legacy footer's line of fields with a stamp, a visit counter and an e-mail address is
  furniture;
- "Siden du ba om finnes ikke" is a problem page;
- an English stamp with the month first ("Updated Dec 3, 2026") is furniture;
- a live waiting time in other words and a share count in words are furniture; a publication's
  number written with a space and a file's size in another unit say the same (rounds 123
  and 125);
- Lovdata's "Dokumentet er hentet fra Lovdata <date>" is furniture, and so is a stamp added to
  a line of fields whose publisher is named in three words (round 128);
- a figure's label abbreviated ("Figur 3." / "Fig. 3.") and a span of two dates in words ("fra
  12. mars 2020 til 12. februar 2022" / "12.03.2020–12.02.2022") say the same (132, 133);
- a span of time or a share told in other units ("48 timar" / "to døgn", "ei veke" / "sju
  dagar", "halvparten" / "50 %", "ein gong i året" / "1 gong årleg") says the same (137).
"""

from __future__ import annotations

import pytest

from feeds.errors import SourceProblem
from feeds.read.html import extract_page
from tests.support.pages import article, kinds

HEAD = {
    "nb": ("Lege", "Listelengde", "Ledige plasser"),
    "nn": ("Lege", "Listelengd", "Ledige plassar"),
}


def gp_list(lang: str, rows: list[tuple[str, int, int]], day: int) -> str:
    a, b, c = HEAD[lang]
    body = "".join(f"<tr><td>{name}</td><td>{n}</td><td>{free}</td></tr>" for name, n, free in rows)
    return article(
        "Fastlege",
        f"<h2>Eid legekontor</h2><p>Telefon 57 88 30 00.</p><table><caption>{c} per {day}. "
        f"desember 2026</caption><tr><th>{a}</th><th>{b}</th><th>{c}</th></tr>{body}</table>",
    )


DOCTORS = [("Kari Nordmann", 1150, 0), ("Ole Hansen", 1320, 14), ("Ingrid Berg", 901, 2)]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_free_places_and_list_length_are_furniture(lang: str) -> None:
    ticked = [(n, length + 7, max(0, free - 1)) for n, length, free in DOCTORS]
    a, b = gp_list(lang, DOCTORS, 5), gp_list(lang, ticked, 6)
    assert kinds(a, b) == []
    assert kinds(b, a) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_doctor_who_leaves_is_told(lang: str) -> None:
    assert kinds(gp_list(lang, DOCTORS, 5), gp_list(lang, DOCTORS[:2], 5)) == ["changed"]


FOOTER = "<p>Sist endret: {d} · Besøkende: {n} · postmottak@kommune.no</p>"
BODY = {
    "nb": "<h2>Råd</h2><p>Barn med feber skal være hjemme.</p>",
    "nn": "<h2>Råd</h2><p>Born med feber skal vere heime.</p>",
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_legacy_footers_line_of_fields_is_furniture(lang: str) -> None:
    a, b = (
        article("Smittevern", BODY[lang] + FOOTER.format(d=d, n=n))
        for d, n in (("14.03.2011", 48213), ("02.12.2026", 48391))
    )
    assert kinds(a, b) == []
    assert kinds(b, a) == []


def test_a_page_that_says_it_is_not_there_is_a_problem() -> None:
    html = "<html><body><h1></h1><p>Siden du ba om finnes ikke eller er flyttet.</p></body></html>"
    with pytest.raises(SourceProblem):
        extract_page(html.encode())


@pytest.mark.parametrize(
    ("a", "b"),
    [("Updated Dec 3, 2026", "Updated Dec 5, 2026"),
     ("Published Nov 20, 2025 · Updated Dec 3, 2026", "Published 20/11/2025 · Updated 03/12/2026")],
)  # fmt: skip
def test_an_english_stamp_with_the_month_first_is_furniture(a: str, b: str) -> None:
    text = "<h2>Who should be tested</h2><p>Everyone who arrives must be tested within 14 days.</p>"
    x, y = (article("Tuberculosis screening", f"<p>{s}</p>{text}") for s in (a, b))
    assert kinds(x, y) == []
    assert kinds(y, x) == []


# ----------------------------------------------------------------------------- rounds 123-126

LIVE = [
    ("<p>Venta ventetid no: ca. 15 min (kl. 12.40)</p>", "<p>Venta ventetid no: ca. 5 min (kl. 09.15)</p>"),
    ("<p>Estimert ventetid nå: ca. 15 min</p>", "<p>Estimert ventetid nå: ca. 45 min</p>"),
    ("<p><a href='#'>Del</a> <span>Delt 112 ganger</span></p>", "<p><a href='#'>Del</a> <span>Delt 187 ganger</span></p>"),
]  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize(("before", "after"), LIVE)
def test_a_waiting_time_and_a_share_count_are_furniture(lang: str, before: str, after: str) -> None:
    a, b = (article("Vaksine", BODY[lang] + x) for x in (before, after))
    assert kinds(a, b) == []
    assert kinds(b, a) == []


DOCUMENTS = [
    ("Rundskriv IS-3/2025 Beredskapslager (PDF, 640 kB)", "Rundskriv IS 3/2025 Beredskapslager (PDF, 0,6 MB)"),
    ("Veileder IS-2855 (PDF, 3,1 MB)", "Veileder IS-2855 (PDF, 3.1 MB)"),
    ("Brev (PDF, 1 200 kB)", "Brev (PDF, 1,2 MB)"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), DOCUMENTS)
def test_a_document_number_or_size_written_another_way_says_the_same(a: str, b: str) -> None:
    x, y = (
        article("Regelverk", f"<h2>Rundskriv</h2><ul><li><a href='/d.pdf'>{t}</a></li></ul>")
        for t in (a, b)
    )
    assert kinds(x, y) == []
    assert kinds(y, x) == []


@pytest.mark.parametrize(
    ("a", "b"),
    [("Rundskriv IS-3/2025 (PDF, 640 kB)", "Rundskriv IS-3/2025 (PDF, 0,9 MB)"),
     ("Rundskriv IS-3/2025 (PDF, 640 kB)", "Rundskriv IS-4/2025 (PDF, 640 kB)")],
)  # fmt: skip
def test_another_size_or_number_is_told(a: str, b: str) -> None:
    x, y = (
        article("Regelverk", f"<h2>Rundskriv</h2><ul><li><a href='/d.pdf'>{t}</a></li></ul>")
        for t in (a, b)
    )
    assert kinds(x, y) == ["changed"]


# ----------------------------------------------------------------------------- rounds 127-130

STAMPS = [
    ("<p>Dokumentet er hentet fra Lovdata 06.12.2026 kl. 08:14</p>",
     "<p>Dokumentet er hentet fra Lovdata 06.12.2026 kl. 21:47</p>"),
    ("<p>Høyring | Publisert: 04.12.2026 | Helse- og omsorgsdepartementet</p>",
     "<p>Høyring | Publisert: 04.12.2026 | Sist endret: 06.12.2026 | Helse- og omsorgsdepartementet</p>"),
]  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize(("before", "after"), STAMPS)
def test_a_copys_fetch_stamp_and_a_stamp_among_fields_are_furniture(
    lang: str, before: str, after: str
) -> None:
    a, b = (article("Helseberedskapsloven", x + BODY[lang]) for x in (before, after))
    assert kinds(a, b) == []
    assert kinds(b, a) == []


def test_a_publisher_changed_among_the_fields_is_told() -> None:
    a, b = (
        article("Høyring", f"<p>Høyring | Publisert: 04.12.2026 | {who}</p>" + BODY["nn"])
        for who in ("Helse- og omsorgsdepartementet", "Justis- og beredskapsdepartementet")
    )
    assert kinds(a, b) == ["changed"]


# ----------------------------------------------------------------------------- rounds 131-134

WRITTEN_AS = [
    ("<p>Figur 3. Del av vaksne som røykjer dagleg.</p>", "<p>Fig. 3. Del av vaksne som røykjer dagleg.</p>"),
    ("<p>Tiltaka gjaldt 12.03.2020–12.02.2022.</p>", "<p>Tiltaka gjaldt frå 12. mars 2020 til 12. februar 2022.</p>"),
    ("<p>Tiltakene gjaldt 12.03.2020–12.02.2022.</p>", "<p>Tiltakene gjaldt fra 12. mars 2020 til 12. februar 2022.</p>"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), WRITTEN_AS)
def test_a_label_abbreviated_and_a_date_span_in_words_say_the_same(a: str, b: str) -> None:
    x, y = (article("Smittevern", f"<h2>Periode</h2>{t}") for t in (a, b))
    assert kinds(x, y) == []
    assert kinds(y, x) == []


def test_another_end_of_a_date_span_is_told() -> None:
    x, y = (
        article("Smittevern", f"<h2>Periode</h2><p>{t}</p>")
        for t in (
            "Tiltaka gjaldt 12.03.2020–12.02.2022.",
            "Tiltaka gjaldt frå 12. mars 2020 til 1. april 2022.",
        )
    )
    assert kinds(x, y) == ["changed"]


# ----------------------------------------------------------------------------- rounds 135-138

UNITS = [
    ("Kontakt smittesporinga innan 48 timar.", "Kontakt smittesporinga innan to døgn."),
    ("Behandlinga skal gjentakast etter ei veke.", "Behandlinga skal gjentakast etter sju dagar."),
    ("Registrer vaksinen innen sju dager.", "Registrer vaksinen innen en uke."),
    ("Om lag halvparten får feber.", "Om lag 50 % får feber."),
    ("Gå gjennom rutinane ein gong i året.", "Gå gjennom rutinane 1 gong årleg."),
    ("Isoler i tre veker.", "Isoler i 21 dagar."),
]


@pytest.mark.parametrize(("a", "b"), UNITS)
def test_a_span_of_time_or_a_share_in_other_units_says_the_same(a: str, b: str) -> None:
    x, y = (article("Smittevern", f"<h2>Råd</h2><p>{t}</p>") for t in (a, b))
    assert kinds(x, y) == []
    assert kinds(y, x) == []


@pytest.mark.parametrize(
    ("a", "b"),
    [("Kontakt smittesporinga innan 48 timar.", "Kontakt smittesporinga innan tre døgn."),
     ("Behandlinga skal gjentakast etter ei veke.", "Behandlinga skal gjentakast etter ti dagar."),
     ("Om lag halvparten får feber.", "Om lag 60 % får feber.")],
)  # fmt: skip
def test_another_span_or_share_is_told(a: str, b: str) -> None:
    x, y = (article("Smittevern", f"<h2>Råd</h2><p>{t}</p>") for t in (a, b))
    assert kinds(x, y) == ["changed"]
