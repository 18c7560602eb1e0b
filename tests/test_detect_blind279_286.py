"""Blind rounds 279-286's rules, both ways, bokmål and nynorsk:

- a verb's e- and a-infinitive after "å" or a modal verb ("kan vente" / "kan venta", "då kan
  sjukepleiaren vurdere" / "vurdera") are one word; "gjev" / "gir", "vert" / "blir" and
  "difor" / "derfor" are accepted forms of one word (279, 280, 289; two known false alarms of
  round 254 met);
- a section whose heading and text both differ only in such forms is the same section
  ("Når skal du ringje legevakta?" -> "… ringe …") (280);
- a feed item's title with a colon between its parts set as a spaced dash is typography (281);
- a paragraph inserted in one chapter of a regulation moves the paragraphs of the chapters
  after it up as well: their renumbering is not told (282);
- a time of day in four digits after "kl." ("kl. 1200") is "kl. 12.00" (286);
- a quotation marked by a dialogue dash or by guillemets says the same (285);
- (a feed built after its newest item's date and without it: tests/test_feed_withdrawn.py;)
- "sjølv" / "sjøl", and "være" for "vere" in a nynorsk text, are one word (291, 292);
- a table split in two with its header row printed again, cells of up to six words, says the
  same (291);
- "twitter.com/share", "linkedin.com/share" and a bare "mailto:" are share links (292);
- a live page's countdown to its next refresh is furniture (293).
"""

from __future__ import annotations

import pytest

from feeds.detect.detection import Detection
from tests.support.pages import changed, detect_steps, text

URL = "https://www.example.no/side"


def advice(text: str, heading: str = "Når skal du ringje legevakta?") -> str:
    return f"<main><h1>Legevakt</h1><h2>{heading}</h2><p>{text}</p></main>"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Skaden kan ikkje vente til fastlegen opnar.", "Skaden kan ikkje venta til fastlegen opnar."),
        ("Då kan sjukepleiaren vurdere om du treng time.",
         "Då kan sjukepleiaren vurdera om du treng time."),
        ("Legen bør vurdere risikoen saman med pasienten.",
         "Legen bør vurdera risikoen saman med pasienten."),
        ("Det er viktig å melde frå tidleg.", "Det er viktig å melda frå tidleg."),
        ("Smerter som ikkje gjev seg, må sjåast på.", "Smerter som ikkje gir seg, må sjåast på."),
        ("Alle barn vert tilbodne vaksinar.", "Alle barn blir tilbodne vaksinar."),
        ("Dokumentet har difor ikkje underskrift.", "Dokumentet har derfor ikkje underskrift."),
        ("Kommunen må sjølv vurdere dette.", "Kommunen må sjøl vurdere dette."),
        ("Endringa vil kome til å vere viktig.", "Endringa vil komme til å være viktig."),
        # bokmål's own infinitive, written with -a in old style: the same word
        ("Du må vente i 15 minutter etter vaksinen.", "Du må venta i 15 minutter etter vaksinen."),
    ],
)  # fmt: skip
def test_an_infinitive_and_a_passive_in_other_accepted_forms_say_the_same(
    before: str, after: str
) -> None:
    assert changed(advice(before), advice(after)) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # -e to -a where no "å" or modal verb comes before: another word (a noun's form)
        ("Send svaret til avdelinge.", "Send svaret til avdelinga."),
        # the modal verb in another clause: not its infinitive
        ("Du kan ringe. Dei kaste prøvene.", "Du kan ringe. Dei kasta prøvene."),
        # the forms beside an edit: the edit is told
        ("Du må vente i 15 minutt.", "Du må venta i 30 minutt."),
        ("Alle barn vert tilbodne vaksinar.", "Alle barn blir ikkje tilbodne vaksinar."),
    ],
)  # fmt: skip
def test_other_forms_hide_no_other_word_or_edit(before: str, after: str) -> None:
    assert changed(advice(before), advice(after)) != []


def test_a_section_renamed_and_rewritten_in_other_forms_only_is_the_same_section() -> None:
    before = advice("Du bør ringje legevakta dersom det ikkje kan vente.")
    same = advice(
        "Du bør ringe legevakta dersom det ikkje kan venta.", "Når skal du ringe legevakta?"
    )
    edited = advice(
        "Du bør ringe legevakta dersom det ikkje kan venta til i morgon.",
        "Når skal du ringe legevakta?",
    )
    assert changed(before, same) == []
    assert changed(before, edited) != []  # an edit beside the forms is told


def run_feed(*versions: bytes) -> Detection:
    return detect_steps(URL, *versions, kind="feed", name="Nyhende")


def feed(title: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Nyhende"
        "</title><link>https://www.example.no/</link><item>"
        f"<title>{title}</title><link>https://www.example.no/sak/1</link>"
        "<guid>https://www.example.no/sak/1</guid>"
        "<pubDate>Tue, 01 Dec 2026 13:05:00 +0100</pubDate>"
        "<description>Statsforvaltaren ber kommunane gå gjennom planane.</description>"
        "</item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("before", "after", "told"),
    [
        ("Helseberedskap i vinter: kommunane må oppdatere planane",
         "Helseberedskap i vinter – kommunane må oppdatere planane", False),
        ("Helseberedskap i vinteren: kommunene må oppdatere planene",
         "Helseberedskap i vinteren - kommunene må oppdatere planene", False),
        ("Helseberedskap i vinter: kommunane må oppdatere planane",
         "Helseberedskap i vinter – kommunane bør oppdatere planane", True),
        ("Frist: 1. mars", "Frist – 1. april", True),
    ],
)  # fmt: skip
def test_a_feed_titles_colon_set_as_a_dash_is_typography(
    before: str, after: str, told: bool
) -> None:
    found = run_feed(feed(before), feed(after)).changes
    assert [c.kind for c in found] == (["changed"] if told else [])


LAW = "Forskrift om smitteverntiltak ved utbrudd"


def para(number: str, title: str, body: str) -> str:
    return f"<h3>§ {number}. {title}</h3><p>{body}</p>"


def law(chapter2: str, chapter3: str) -> str:
    return (
        f"<main><h1>{LAW}</h1><h2>Kapittel 2. Plikter</h2>{chapter2}"
        f"<h2>Kapittel 3. Avsluttende bestemmelser</h2>{chapter3}</main>"
    )


BEFORE = law(
    para("5", "Varsling", "Kommunen skal varsle Folkehelseinstituttet.")
    + para("6", "Rapportering", "Kommunen skal rapportere hver uke."),
    para("7", "Dispensasjon", "Helsedirektoratet kan gi dispensasjon.")
    + para("8", "Ikrafttredelse", "Forskriften trer i kraft 1. juli 2024."),
)


def test_a_paragraph_inserted_moves_the_next_chapters_paragraphs_up_untold() -> None:
    after = law(
        para("5", "Varsling", "Kommunen skal varsle Folkehelseinstituttet.")
        + para("6", "Meldeplikt for laboratorier", "Laboratorier skal melde funn samme dag.")
        + para("7", "Rapportering", "Kommunen skal rapportere hver uke."),
        para("8", "Dispensasjon", "Helsedirektoratet kan gi dispensasjon.")
        + para("9", "Ikrafttredelse", "Forskriften trer i kraft 1. juli 2024."),
    )
    assert changed(BEFORE, after) == [
        ("added", (LAW, "Kapittel 2. Plikter", "§ 6. Meldeplikt for laboratorier"))
    ]


def test_a_renumbering_in_the_next_chapter_that_is_no_shift_is_told() -> None:
    # chapter 3's paragraphs moved up by two, not by the one inserted: told
    after = law(
        para("5", "Varsling", "Kommunen skal varsle Folkehelseinstituttet.")
        + para("6", "Meldeplikt for laboratorier", "Laboratorier skal melde funn samme dag.")
        + para("7", "Rapportering", "Kommunen skal rapportere hver uke."),
        para("9", "Dispensasjon", "Helsedirektoratet kan gi dispensasjon.")
        + para("10", "Ikrafttredelse", "Forskriften trer i kraft 1. juli 2024."),
    )
    moved = [path[1:] for kind, path in changed(BEFORE, after) if kind == "moved"]
    assert ("Kapittel 3. Avsluttende bestemmelser", "§ 9. Dispensasjon") in moved
    assert ("Kapittel 3. Avsluttende bestemmelser", "§ 10. Ikrafttredelse") in moved


@pytest.mark.parametrize(
    ("before", "after", "told"),
    [
        ("Oppsummeringa skal sendast innan fredag kl. 1200.",
         "Oppsummeringa skal sendast innan fredag kl. 12.00.", False),
        ("Oppsummeringen sendes innen fredag kl 0830.",
         "Oppsummeringen sendes innen fredag klokken 08.30.", False),
        ("Oppsummeringen sendes innen fredag kl. 1200.",
         "Oppsummeringen sendes innen fredag kl. 13.00.", True),
        ("Ring nummer 1200 for timebestilling.", "Ring nummer 12.00 for timebestilling.", True),
    ],
)  # fmt: skip
def test_a_time_of_day_in_four_digits_is_notation(before: str, after: str, told: bool) -> None:
    assert (changed(advice(before), advice(after)) != []) is told


@pytest.mark.parametrize(
    ("before", "after", "told"),
    [
        ("– Alle skal ha en fastlege de kan stole på, sier ministeren. — Vi er ikke i mål.",
         "«Alle skal ha en fastlege de kan stole på», sier ministeren. – Vi er ikke i mål.",
         False),
        ("– Kommunane må ha planar som verkar, seier statsråden.",
         "«Kommunane må ha planar som verkar», seier statsråden.", False),
        ("– Alle skal ha en fastlege de kan stole på, sier ministeren.",
         "«Alle skal ha en fastlege de kan stole på», sier statsråden.", True),
        ("– Kommunane må ha planar som verkar, seier statsråden.",
         "«Kommunane bør ha planar som verkar», seier statsråden.", True),
    ],
)  # fmt: skip
def test_a_quotation_marked_by_a_dash_or_by_guillemets_says_the_same(
    before: str, after: str, told: bool
) -> None:
    assert (changed(advice(before), advice(after)) != []) is told


def table(rows: list[str], split: bool) -> str:
    head = (
        "<tr><th>Tilstand</th><th>Rett til nødvendig helsehjelp</th>"
        "<th>Frist for nødvendig helsehjelp (uker)</th><th>Kommentar</th></tr>"
    )
    cells = ["".join(f"<td>{c}</td>" for c in row.split("|")) for row in rows]
    body = [f"<tr>{c}</tr>" for c in cells]
    if split:
        half = len(body) // 2
        tables = f"<table>{head}{''.join(body[:half])}</table><table>{head}{''.join(body[half:])}</table>"
    else:
        tables = f"<table>{head}{''.join(body)}</table>"
    return f"<main><h1>Prioriteringsveileder</h1><h2>Tilstander og frister</h2>{tables}</main>"


ROWS = [
    "Våt AMD|Ja|2|Rask oppstart",
    "Tørr AMD|Nei|-|Kontroll hos optiker",
    "Grå stær|Ja|26|Ved nedsatt syn",
    "Glaukom|Ja|8|Ved trykk over 30",
]


def test_a_table_split_with_its_header_printed_again_says_the_same() -> None:
    assert changed(table(ROWS, False), table(ROWS, True)) == []
    edited = [*ROWS[:3], "Glaukom|Ja|4|Ved trykk over 30"]
    assert changed(table(ROWS, False), table(edited, True)) != []


def share_bar(links: str) -> str:
    return (
        "<main><h1>Høring</h1><h2>Høringssvar</h2><p>Det er kommet 143 høringssvar.</p>"
        f"<div class='tools'><span>Del</span> <ul class='share'>{links}</ul></div></main>"
    )


def test_older_share_addresses_and_a_bare_mailto_are_share_links() -> None:
    before = share_bar(
        "<li><a href='https://www.facebook.com/sharer'>Facebook</a></li>"
        "<li><a href='https://twitter.com/share'>X</a></li><li><a href='mailto:'>E-post</a></li>"
    )
    after = share_bar(
        "<li><a href='https://www.linkedin.com/share'>LinkedIn</a></li>"
        "<li><a href='https://www.facebook.com/sharer'>Facebook</a></li>"
        "<li><a href='mailto:'>E-post</a></li>"
    )
    assert changed(before, after) == []
    # a mail link with an address is a contact, read
    contact = share_bar("<li><a href='mailto:post@example.no'>post@example.no</a></li>")
    assert "post@example.no" in text(contact)


@pytest.mark.parametrize(
    "line",
    [
        "Siden oppdateres automatisk om {} sekunder",
        "Sida blir oppdatert automatisk om {} sekund",
    ],
)
def test_a_live_pages_refresh_countdown_is_furniture(line: str) -> None:
    def page(n: int) -> str:
        return (
            "<main><h1>Kokevarsel</h1><p>Status: Pågår</p>"
            f"<div class='refresh'>{line.format(n)}</div>"
            "<p>Kok vatnet i eitt minutt før bruk.</p></main>"
        )

    assert changed(page(47), page(12)) == []
    assert "automatisk" not in text(page(47))


@pytest.mark.parametrize(
    ("before", "after", "told"),
    [
        ("Helseberedskap i vinter: kommunane må oppdatere planane.",
         "Helseberedskap i vinter – kommunane må oppdatere planane.", False),
        ("Frist: 1. mars for alle kommunar.", "Frist – 1. mars for alle kommunar.", False),
        ("Helseberedskap i vinter: kommunane må oppdatere planane.",
         "Helseberedskap i vinter – kommunane bør oppdatere planane.", True),
    ],
)  # fmt: skip
def test_a_pages_colon_set_as_a_dash_is_typography_as_in_a_feed(
    before: str, after: str, told: bool
) -> None:
    assert (changed(advice(before), advice(after)) != []) is told
    # ... and in a heading, its text the same
    heading_before = advice("Kommunane må oppdatere planane.", before.rstrip("."))
    heading_after = advice("Kommunane må oppdatere planane.", after.rstrip("."))
    assert (changed(heading_before, heading_after) != []) is told
