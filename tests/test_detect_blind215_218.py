"""Blind rounds 215-218's rules, both ways, bokmål and nynorsk:

- a feed that uses HTML's named entities without a DTD ("&nbsp;", "&oslash;") is read as
  every feed reader reads it; a name HTML does not know is refused, and CDATA is left as it is;
- a field of free places ("Ledige plasser" / "6") ticks: not read; "Fullt" in its place is;
- the page's type over its title ("Artikkel", "Nyheit") is the template's label; the word in
  the text is read;
- a range of days with spaces around its dash ("mandag - fredag") is the range without them;
- a language picker's link named in a Sami language's own form ("Davvisámegillii") is one;
- a section renamed whose old text stands whole in its longer new text is one section changed;
- a stamp said in a sentence ("Kapitlet vart sist fagleg oppdatert 2. september 2025.") is
  furniture; the sentence with more after the date is read;
- a fact box's fields (label, then value) in another order say the same; a value moved to
  another label is told.
"""

from __future__ import annotations

import pytest

from feeds.errors import SourceProblem
from feeds.read.feed import extract_feed
from feeds.read.feedxml import feed_document
from feeds.types import fold
from tests.support.pages import changed, text

ENTITY_FEED = (
    "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>SF</title>"
    "<item><title>{title}</title><guid>1</guid><description>{text}</description></item>"
    "</channel></rss>"
)
ENTITIES = {
    "nb": ("Tilskudd til legevakt i M&oslash;re", "S&oslash;knadsfrist&nbsp;1. mars &laquo;nå&raquo;"),
    "nn": ("Tilskot til legevakt i M&oslash;re", "S&oslash;knadsfrist&nbsp;1. mars &laquo;no&raquo;"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_html_entities_without_a_dtd_are_read(lang: str) -> None:
    title, words = ENTITIES[lang]
    feed = extract_feed(ENTITY_FEED.format(title=title, text=words).encode())
    item = feed.items[0]
    assert item.title.endswith("i Møre") and "Søknadsfrist 1. mars «" in item.summary
    plain = ENTITY_FEED.format(
        title=title.replace("&oslash;", "ø"),
        text=words.replace("&oslash;", "ø").replace("&nbsp;", "\xa0")
        .replace("&laquo;", "«").replace("&raquo;", "»"),
    )  # fmt: skip
    assert extract_feed(plain.encode()).items[0].digest == item.digest


def test_an_unknown_entity_is_refused_and_cdata_is_left_alone() -> None:
    with pytest.raises(SourceProblem):
        extract_feed(ENTITY_FEED.format(title="A &lol9; B", text="x").encode())
    cdata = ENTITY_FEED.format(title="A &nbsp; B", text="<![CDATA[Skriv &oslash; for ø]]>")
    document = feed_document(cdata.encode())
    assert b"A &#160; B" in document and b"<![CDATA[Skriv &oslash; for \xc3\xb8]]>" in document


COURSE = {
    "nb": ("Akuttmedisinkurs for leger", "Påmeldingsfrist", "8. januar 2027", "Ledige plasser"),
    "nn": ("Akuttmedisinkurs for legar", "Påmeldingsfrist", "8. januar 2027", "Ledige plassar"),
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_free_places_tick_and_full_is_read(lang: str) -> None:
    title, label, day, places = COURSE[lang]
    body = (
        f"<main><h1>Kurs</h1><h2>{title}</h2><dl><dt>{label}</dt><dd>{day}</dd>"
        f"<dt>{places}</dt><dd>{{}}</dd></dl><p>Kurset gir 40 timar.</p></main>"
    )
    assert changed(body.format("14"), body.format("6")) == []
    assert changed(body.format("14"), body.format("Fullt")) == [("changed", ("Kurs", title))]


TYPE_PAGE = "<main>{label}<h1>{title}</h1><p>{lede}</p></main>"
TYPES = {
    "nb": ("Artikkel", "Beredskap for atomhendelser", "Kommunene skal ha jodtabletter."),
    "nn": ("Nyheit", "Beredskap for atomhendingar", "Kommunane skal ha jodtablettar."),
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_pages_type_over_its_title_is_the_templates_label(lang: str) -> None:
    label, title, lede = TYPES[lang]
    bare = TYPE_PAGE.format(label="", title=title, lede=lede)
    marked = TYPE_PAGE.format(label=f"<p class='type'>{label}</p>", title=title, lede=lede)
    assert changed(bare, marked) == []
    said = f"<main><h1>{title}</h1><p>{label}</p><p>{lede}</p></main>"
    assert label in text(said)


@pytest.mark.parametrize(
    ("before", "after"),
    [("mandag–fredag kl. 08–15", "mandag - fredag kl. 08–15"),
     ("måndag–fredag", "måndag - fredag"), ("januar–mars", "januar - mars")],
)  # fmt: skip
def test_a_range_of_days_with_spaces_around_its_dash_is_the_same(before: str, after: str) -> None:
    assert fold(before) == fold(after)
    assert fold("måndag - fredag") != fold("måndag - torsdag")


def test_a_sami_languages_own_name_makes_a_language_picker() -> None:
    links = "".join(
        f"<li><a href='/{code}/side/' hreflang='{code}'>{name}</a></li>"
        for code, name in (("nb", "Bokmål"), ("se", "Davvisámegillii"), ("en", "English"))
    )
    body = f"<main><h1>Sjuke barn</h1><p>Hald barnet heime.</p><h2>Andre språk</h2><ul>{links}</ul></main>"
    assert "Davvisámegillii" not in text(body)


RENAMED = {
    "nb": ("Postekspoisjonsprofylakse", "Profylakse etter eksponering",
           "Uvaksinerte nærkontakter over 6 måneder bør tilbys MMR-vaksine innen 72 timer.",
           " Spedbarn 6–11 måneder kan også få vaksine."),
    "nn": ("Postekspoisjonsprofylakse", "Profylakse etter eksponering",
           "Uvaksinerte nærkontaktar over 6 månader bør få tilbod om MMR-vaksine innan 72 timar.",
           " Spedborn 6–11 månader kan òg få vaksine."),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_section_renamed_and_extended_is_one_section_changed(lang: str) -> None:
    old_name, new_name, words, more = RENAMED[lang]
    page = "<main><h1>Meslinger</h1><h2>Vaksine</h2><p>MMR.</p><h2>{}</h2><p>{}</p><h2>Annet</h2><p>x</p></main>"
    got = changed(page.format(old_name, words), page.format(new_name, words + more))
    assert got == [("changed", ("Meslinger", new_name))]
    other = changed(page.format(old_name, words), page.format(new_name, "Heilt anna tekst."))
    assert sorted(k for k, _ in other) == ["added", "removed"]


STAMP = {
    "nb": "Kapittelet ble sist faglig oppdatert 2. september 2025.",
    "nn": "Kapitlet vart sist fagleg oppdatert 2. september 2025.",
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_stamp_said_in_a_sentence_is_furniture(lang: str) -> None:
    page = "<main><h1>Kikhoste</h1><h2>Meldeplikt</h2><p>Meldepliktig til MSIS.</p><p>{}</p></main>"
    later = STAMP[lang].replace("2. september 2025", "6. desember 2026")
    assert changed(page.format(STAMP[lang]), page.format(later)) == []
    more = STAMP[lang][:-1] + ", og rådet gjeld framleis."
    assert "gjeld framleis" in text(page.format(more)) and "2025" in text(page.format(more))


FIELDS = [("Smittestoff", "Meslingvirus"), ("Smittemåte", "Luftsmitte og dråpesmitte"),
          ("Inkubasjonstid", "10–12 dagar"), ("Meldingsplikt", "Gruppe A")]  # fmt: skip


def fact_box(fields: list[tuple[str, str]]) -> str:
    rows = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in fields)
    return f"<main><h1>Meslinger</h1><p>Fakta</p><dl>{rows}</dl><h2>Om</h2><p>x</p></main>"


def test_a_fact_boxs_fields_in_another_order_say_the_same() -> None:
    assert changed(fact_box(FIELDS), fact_box([FIELDS[3], *FIELDS[:3]])) == []
    swapped = [FIELDS[0], (FIELDS[1][0], FIELDS[2][1]), (FIELDS[2][0], FIELDS[1][1]), FIELDS[3]]
    assert changed(fact_box(FIELDS), fact_box(swapped)) != []
