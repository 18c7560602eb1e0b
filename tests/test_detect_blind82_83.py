"""Blind round 83's rules and round 43's last open cases, both ways, bokmål and nynorsk:

- Arabic-Indic digits read as the digits they are, and Arabic letters stored in their
  presentation forms read as the letters: the same date, the same text; a digit changed is
  told;
- Cyrillic and Greek letters that look like Latin ones are folded when versions are
  compared: a text or a heading retyped in look-alikes says the same; a letter readers see
  changed ("ø" as a Cyrillic "о") is told;
- an icon drawn as an inline SVG with a short title is read as its label, so a label moved to
  text for screen readers reads the same; a chart's long title and a link's icon are not;
- an abbreviation is read with the explanation its ``title`` gives, the first time the page
  uses it; an explanation changed is told.
"""

from __future__ import annotations

import unicodedata

import pytest

from tests.support.pages import article, kinds, text

ARABIC = "موعد الفحص يوم {} مارس {} في مركز الصحة."
EASTERN = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def arabic(day: str, year: str, eastern: bool = False, forms: bool = False) -> str:
    words = ARABIC.format(day, year)
    if eastern:
        words = words.translate(EASTERN)
    if forms:
        # each letter in the presentation form a shaping engine would store
        words = "".join(_isolated(c) for c in words)
    return f"<h2>العربية</h2><p dir='rtl'>{words}</p>"


def _isolated(char: str) -> str:
    for code in [*range(0xFE70, 0xFEFF)]:
        if unicodedata.normalize("NFKC", chr(code)) == char:
            return chr(code)
    return char


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_arabic_digits_and_presentation_forms_say_the_same(lang: str) -> None:
    title = "Informasjon på fleire språk" if lang == "nn" else "Informasjon på flere språk"
    plain = article(title, arabic("15", "2027"))
    for other in (arabic("15", "2027", eastern=True), arabic("15", "2027", forms=True)):
        assert kinds(plain, article(title, other)) == []
        assert kinds(article(title, other), plain) == []
    assert "15" in text(f"<main><h1>T</h1>{arabic('15', '2027', eastern=True)}</main>")


def test_an_arabic_date_changed_in_arabic_digits_is_told() -> None:
    before = article("Språk", arabic("15", "2027", eastern=True))
    assert kinds(before, article("Språk", arabic("22", "2027", eastern=True))) == ["changed"]


UKRAINIAN = "<h2>Українська</h2><p>Вакцина проти кору: друга доза через 4 тижні.</p>"
LOOKALIKE = str.maketrans("аоеірсх", "aoeipcx")


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_text_retyped_in_look_alike_letters_says_the_same(lang: str) -> None:
    title = "Vaksine til nykomne" if lang == "nb" else "Vaksine til nyleg komne"
    retyped = UKRAINIAN.replace("<p>Вакцина", "<p>Вакцина".translate(LOOKALIKE))
    retyped = retyped.replace("друга доза", "друга доза".translate(LOOKALIKE))
    assert retyped != UKRAINIAN
    assert kinds(article(title, UKRAINIAN), article(title, retyped)) == []
    assert kinds(article(title, retyped), article(title, UKRAINIAN)) == []


def test_a_cyrillic_word_changed_is_told() -> None:
    edited = UKRAINIAN.replace("через 4 тижні", "через 12 тижнів")
    assert kinds(article("Vaksine", UKRAINIAN), article("Vaksine", edited)) == ["changed"]


@pytest.mark.parametrize(
    ("heading", "body"),
    [
        ("Meslinger og røde hund", "Helsepersonell bør være vaksinert mot meslinger."),
        ("Meslingar og raude hundar", "Helsepersonell bør vere vaksinert mot meslingar."),
    ],
)
def test_a_heading_retyped_in_look_alikes_says_the_same_and_a_letter_changed_is_told(
    heading: str, body: str
) -> None:
    retyped = heading.replace("e", "\u0435").replace("o", "\u043e")
    before = article("Vaksinasjon", f"<h2>{heading}</h2><p>{body}</p>")
    assert kinds(before, article("Vaksinasjon", f"<h2>{retyped}</h2><p>{body}</p>")) == []
    # a letter readers see changed: "ø" or "au" written with a Cyrillic "о", shown as "o"
    seen = retyped.replace("ø", "\u043e").replace("au", "\u043e")
    assert seen != retyped
    assert kinds(before, article("Vaksinasjon", f"<h2>{seen}</h2><p>{body}</p>")) == ["changed"]


ICON = "<svg class='icon' role='img' aria-labelledby='t1'><title id='t1'>{}</title><use href='#w'/></svg>"
WARNING = {"nb": "Advarsel", "nn": "Åtvaring"}
ADVICE = {
    "nb": "<p>Valproat skal ikke brukes av kvinner som kan bli gravide.</p>",
    "nn": "<p>Valproat skal ikkje brukast av kvinner som kan bli gravide.</p>",
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_icons_label_reads_the_same_as_text_for_screen_readers(lang: str) -> None:
    drawn = (
        f"<h2>Graviditet</h2><div class='alert'>{ICON.format(WARNING[lang])}{ADVICE[lang]}</div>"
    )
    spoken = (
        f"<h2>Graviditet</h2><div class='alert'><span aria-hidden='true' class='icon'></span>"
        f"<span class='visually-hidden'>{WARNING[lang]}</span>{ADVICE[lang]}</div>"
    )
    assert kinds(article("Valproat", drawn), article("Valproat", spoken)) == []
    assert kinds(article("Valproat", spoken), article("Valproat", drawn)) == []
    info = drawn.replace(WARNING[lang], "Informasjon")
    assert kinds(article("Valproat", drawn), article("Valproat", info)) == ["changed"]


def test_a_charts_long_title_and_a_links_icon_are_not_read() -> None:
    chart = ICON.format("Stolpediagram over meldte tilfeller per uke")
    link = "<a href='https://who.int/'>WHO " + ICON.format("Ekstern lenke") + "</a>"
    read = text(f"<main><h1>T</h1><h2>Tall</h2><p>{chart} Se tabellen.</p><p>{link}</p></main>")
    assert "Stolpediagram" not in read and "Ekstern lenke" not in read


def abbreviated(expansion: str, twice: bool = True) -> str:
    use = f"<abbr title='{expansion}'>LMWH</abbr>"
    again = f"<p>Ved nyresvikt justeres {use}.</p>" if twice else ""
    return f"<h2>Anbefaling</h2><p>Pasienter med høy risiko bør få {use} i 6–14 dager.</p>{again}"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("lavmolekylært heparin", "ufraksjonert heparin"),
        ("lågmolekylært heparin", "ufraksjonert heparin"),
    ],
)
def test_an_abbreviations_explanation_is_read_and_a_new_one_told(old: str, new: str) -> None:
    read = text(f"<main><h1>Trombose</h1>{abbreviated(old)}</main>")
    assert read.count(f"LMWH ({old})") == 1  # the first use only
    assert kinds(article("Trombose", abbreviated(old)), article("Trombose", abbreviated(new))) == [
        "changed"
    ]


def test_an_abbreviation_its_sentence_explains_is_read_as_it_stands() -> None:
    body = (
        "<h2>NAV</h2><p>Arbeids- og velferdsetaten (<abbr title='Arbeids- og velferdsetaten'>"
        "NAV</abbr>) får sjukmeldinga.</p>"
    )
    assert "NAV (Arbeids" not in text(f"<main><h1>Sjukmelding</h1>{body}</main>")
