"""Blind rounds 295-314's rules besides nested lists (tests/test_detect_nested_lists.py):

- a page's toolbar with the size of its PDF after the download link ("Skriv ut Last ned PDF
  (1,2 MB) Vist 14 233 ganger") is furniture, as the same bar without the size was (296);
  a sentence that gives a document's size is read;
- Lovdata's tools with the document's id ("Del (FOR-2005-06-17-610) Lenke til dokumentet
  (FOR-…)"), "Skriv ut / lagre som PDF", and its stamp "Hentet fra Lovdata 07.12.2026 kl.
  08:14" (nynorsk "Henta frå Lovdata") are furniture (300);
- a paragraph inserted in a regulation whose page has text before its first heading is told
  (300: the renumbering rule failed on the heading-less part);
- a consent wall that says the cookies must be decided on before reading, and a login page
  "Logg inn på Helsenorge" that says the page is behind it, are not the page (302);
- a footnote mark points to the first note of its id after it, where a page numbers its
  notes anew under each table (two notes "fn1"), and a note that sets its own sign ("*") in
  its text is read without it (304);
- a date with a two-digit year ("1.3.27") and a span of days with the year once ("1.–5.
  mars 2027") say what the dates in full say (305);
- another consultation served at the address, under the same subheadings and with the same
  list of consultation bodies, is held for review: its title and its case number both
  changed (round 292's open case);
- a number of months written short or out ("3 mnd.", "3 måneder", "3 månader") is one
  unit (308);
- a feed item's summary rewritten as a teaser of its unchanged content, and its text cut to
  a first paragraph and "Les mer …", are no edit (310);
- a toolbar's "Lytt til teksten" is a tool (312); "sykdom" and "sjukdom", "syk" and "sjuk"
  are one word (313); text for screen readers in a Norwegian class ("visuelt-skjult") is
  read as such (314);
- a chart drawn as an SVG in a figure is read by its description, as an image's alt text in
  a figure is: new figures in it are told; its title, and a description that names the tool
  it was drawn with, are not read (314).
"""

from __future__ import annotations

import pytest

from feeds.errors import SourceProblem
from tests.support.pages import changed, detect_steps, text
from tests.support.pages import page as read


def page(tools: str, advice: str = "Alle pasienter skal få tilbud om vaksine.") -> str:
    return f"<main><h1>Forskrift om smittevern</h1><div>{tools}</div><h2>Krav</h2><p>{advice}</p></main>"


@pytest.mark.parametrize(
    "tools",
    [
        "<button>Del på e-post</button> <button>Del på LinkedIn</button> <a href='#'>Skriv ut</a>"
        " <a href='/pdf'>Last ned PDF (1,2 MB)</a> <span>Vist 14 233 ganger</span>",
        "<a href='#'>Skriv ut</a> <a href='/pdf'>Last ned PDF (850 kB)</a>",
        "<a href='#'>Skriv ut</a> · <a href='/pdf'>Last ned PDF (12 MB)</a> · <a href='#'>Del</a>",
    ],
)
def test_a_toolbar_with_the_size_of_its_pdf_is_furniture(tools: str) -> None:
    assert "PDF" not in text(page(tools))
    assert (
        changed(page("<a href='#'>Skriv ut</a> <a href='/pdf'>Last ned PDF</a>"), page(tools)) == []
    )


def test_a_sentence_with_a_documents_size_is_read() -> None:
    said = "Last ned rapporten som PDF (1,2 MB) før møtet."
    assert said in text(page("", said))
    assert changed(page("", said), page("", "Last ned rapporten som PDF (2,4 MB) før møtet.")) == [
        ("changed", ("Forskrift om smittevern", "Krav"))
    ]


LAW = "Forskrift om smittevern i helse- og omsorgstjenesten"


def lovdata(tools: str, stamp: str, paragraphs: list[tuple[str, str]]) -> str:
    """A Lovdata page read without a selector's help: its tools before the title."""
    body = "".join(
        f"<h3>§ {n}. {title}</h3><p>Reglene om {title.lower()}.</p>" for n, title in paragraphs
    )
    return (
        f"<main><div>{tools}</div><h1>{LAW}</h1><p>{stamp}</p>"
        f"<h2>Kapittel 1. Innledende bestemmelser</h2>{body}</main>"
    )


TOOLS = "<a>Skriv ut</a> <a>Del</a> (FOR-2005-06-17-610) <a>Lenke til dokumentet</a> (FOR-2005-06-17-610)"
PARAGRAPHS = [("1", "Formål"), ("2", "Virkeområde"), ("3", "Plikter")]


@pytest.mark.parametrize(
    ("tools", "stamp"),
    [
        (
            "<a>Skriv ut / lagre som PDF</a> <a>Del</a> (FOR-2005-06-17-610) <a>Kopier lenke</a> (FOR-2005-06-17-610)",
            "Hentet fra Lovdata 08.12.2026 kl. 06:02",
        ),
        (
            "<a>Skriv ut dokumentet</a> <a>Del</a> (FOR-2005-06-17-610) <a>Lenkje til dokumentet</a> (FOR-2005-06-17-610)",
            "Henta frå Lovdata 09.12.2026 kl. 11:47",
        ),
    ],
    ids=["nb", "nn"],
)
def test_lovdatas_tools_and_fetch_stamp_are_furniture(tools: str, stamp: str) -> None:
    before = lovdata(TOOLS, "Hentet fra Lovdata 07.12.2026 kl. 08:14", PARAGRAPHS)
    after = lovdata(tools, stamp, PARAGRAPHS)
    assert "Lovdata" not in text(after) and "FOR-2005" not in text(after)
    assert changed(before, after) == []


def test_a_paragraph_inserted_is_told_on_a_page_with_text_before_its_title() -> None:
    before = lovdata("<p>Utskriftsvennlig side for fastleger og kommuner.</p>", "", PARAGRAPHS)
    inserted = [("1", "Formål"), ("2", "Virkeområde"), ("3", "Definisjoner"), ("4", "Plikter")]
    after = lovdata("<p>Utskriftsvennlig side for fastleger og kommuner.</p>", "", inserted)
    assert changed(before, after) == [
        ("added", (LAW, "Kapittel 1. Innledende bestemmelser", "§ 3. Definisjoner"))
    ]


WALL = (
    "<main><div role='dialog'><h1>{heading}</h1><p>Vi bruker informasjonskapsler for å få "
    "nettstedet til å fungere og for å lage statistikk. {decide}</p><button>Godta alle</button>"
    "<button>Bare nødvendige</button></div></main>"
)


@pytest.mark.parametrize(
    ("heading", "decide"),
    [
        ("Før du går videre", "Du må ta stilling til bruken før du kan lese innholdet."),
        ("Før du held fram", "Du må ta stilling til bruken før du kan lese innhaldet."),
    ],
    ids=["nb", "nn"],
)
def test_a_consent_wall_that_asks_to_decide_on_cookies_is_not_the_page(
    heading: str, decide: str
) -> None:
    with pytest.raises(SourceProblem, match="consent wall"):
        read(WALL.format(heading=heading, decide=decide))


def test_a_page_about_cookies_that_asks_to_decide_is_read() -> None:
    about = WALL.format(
        heading="Informasjonskapsler på nettstedet", decide="Du må ta stilling til bruken."
    )
    assert "Du må ta stilling til bruken." in text(about)


LOGIN = "<main><h1>Logg inn på Helsenorge</h1><p>{words}</p><ul><li>BankID</li><li>MinID</li></ul></main>"


@pytest.mark.parametrize(
    "words",
    [
        "For å se denne siden må du logge inn med ID-porten.",
        "For å sjå denne sida må du logge inn med ID-porten.",
    ],
    ids=["nb", "nn"],
)
def test_a_login_page_that_names_the_site_is_not_the_page(words: str) -> None:
    with pytest.raises(SourceProblem, match="login page"):
        read(LOGIN.format(words=words))


def test_an_article_on_how_to_log_in_is_read() -> None:
    guide = LOGIN.format(words="Du kan logge inn med BankID, MinID, Buypass eller Commfides.")
    assert "Du kan logge inn med BankID" in text(guide)


def two_tables(first: tuple[str, str], second: tuple[str, str]) -> str:
    """Two tables, each with its own list of notes numbered from its own first."""
    (mark1, id1), (mark2, id2) = first, second
    return (
        "<main><h1>Prioriteringsveileder</h1>"
        f"<h2>2.1 Hodepine</h2><table><tr><th>Tilstand</th><th>Frist (uker)</th></tr>"
        f"<tr><td>Trigeminusnevralgi</td><td>4<sup><a href='#{id1}'>{mark1}</a></sup></td></tr></table>"
        f"<ol><li id='{id1}'>Fristen gjelder når MR caput ikke er tatt før henvisning.</li></ol>"
        f"<h2>2.2 Epilepsi</h2><table><tr><th>Tilstand</th><th>Frist (uker)</th></tr>"
        f"<tr><td>Førstegangs anfall</td><td>2<sup><a href='#{id2}'>{mark2}</a></sup></td></tr></table>"
        f"<ol><li id='{id2}'>Pasienten skal informeres om forbud mot å kjøre bil.</li></ol></main>"
    )


def test_notes_numbered_anew_under_each_table_are_read_where_they_stand() -> None:
    through = two_tables(("3", "fn3"), ("4", "fn4"))
    anew = two_tables(("1", "fn1"), ("1", "fn1"))
    assert changed(through, anew) == []
    assert "4 [fotnote: Fristen gjelder" in text(anew)
    assert "2 [fotnote: Pasienten skal informeres" in text(anew)


def starred(mark: str, note: str) -> str:
    return (
        "<main><h1>Rundskriv</h1><h2>2.1 Allmennlegetjenesten</h2><table><tr><th>Mål</th>"
        f"<th>Nivå</th></tr><tr><td>Lister uten fast lege</td><td>Under 2 prosent<sup>"
        f"<a href='#fn2'>{mark}</a></sup></td></tr></table><ol><li id='fn2'>{note}</li></ol></main>"
    )


def test_a_note_that_sets_its_sign_in_its_text_reads_the_same() -> None:
    note = "Beregnet ut fra rapportering til fastlegeregisteret per 1. juli."
    assert changed(starred("2", note), starred("*", f"* {note}")) == []
    # a number at the start of a note is its text, not its mark
    told = starred("2", "2 prosent av listene er uten lege.")
    assert "2 prosent av listene" in text(told)


def letter(sentence: str) -> str:
    return f"<main><h1>Brev til kommunane</h1><h2>Frist</h2><p>{sentence}</p></main>"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "Kommunen sender planen innan 1. mars 2027 kl. 12.",
            "Kommunen sender planen innan 1.3.27 kl. 12.",
        ),
        ("Kommunen sender planen innen 15. april 2027.", "Kommunen sender planen innen 15.04.27."),
        ("Kontrollveka er 1.–5. mars 2027.", "Kontrollveka er 01.03.2027–05.03.2027."),
        ("Kontrolluken er 22.–24. oktober 2027.", "Kontrolluken er 22.10.2027–24.10.2027."),
    ],
)
def test_a_date_in_another_notation_says_the_same(before: str, after: str) -> None:
    assert changed(letter(before), letter(after)) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "Kommunen sender planen innan 1. mars 2027 kl. 12.",
            "Kommunen sender planen innan 1.3.26 kl. 12.",
        ),
        ("Kontrollveka er 1.–5. mars 2027.", "Kontrollveka er 01.03.2027–06.03.2027."),
        ("Kontrollveka er 1.–5. mars 2027.", "Kontrollveka er 02.03.2027–05.03.2027."),
        ("Kontrollveka er 1.–5. mars 2027.", "Kontrollveka er 01.04.2027–05.04.2027."),
    ],
)
def test_a_date_moved_in_another_notation_is_told(before: str, after: str) -> None:
    assert changed(letter(before), letter(after)) == [("changed", ("Brev til kommunane", "Frist"))]


BODIES = "".join(f"<li>{m} kommune</li>" for m in ("Alver", "Asker", "Bergen", "Bodø", "Drammen"))


def consultation(title: str, ref: str, background: str, label: str = "Vår referanse:") -> bytes:
    return (
        f"<main><h1>{title}</h1><dl><dt>Høringsfrist:</dt><dd>15. mars 2027</dd><dt>{label}</dt>"
        f"<dd>{ref}</dd></dl><h2>Bakgrunn</h2><p>{background}</p><h2>Høringsinstanser</h2>"
        f"<ul>{BODIES}</ul></main>"
    ).encode()


GP = "Høring – forslag til endringer i forskrift om fastlegeordning i kommunene"
JOURNAL = "Høring – forslag til endringer i pasientjournalloven"
GP_TEXT = "Departementet sender på høring forslag om listetak og legevaktplikt for fastleger."
JOURNAL_TEXT = (
    "Departementet sender på høring forslag om tilgang til journal på tvers av virksomheter."
)
URL = "https://www.regjeringen.no/no/dokumenter/horing/id1"


@pytest.mark.parametrize("label", ["Vår referanse:", "Saksnummer:"])
def test_another_consultation_at_the_address_is_held(label: str) -> None:
    before = consultation(GP, "26/412", GP_TEXT, label)
    after = consultation(JOURNAL, "26/733", JOURNAL_TEXT, label)
    found = detect_steps(URL, before, after)
    assert found.changes and found.held_reason == "other_article"


@pytest.mark.parametrize(
    ("title", "ref"),
    [(GP + " (listetak)", "26/412"), (GP, "26/733")],
    ids=["renamed, same case", "case number corrected, same title"],
)
def test_a_consultation_renamed_or_its_number_corrected_is_told(title: str, ref: str) -> None:
    before = consultation(GP, "26/412", GP_TEXT)
    found = detect_steps(URL, before, consultation(title, ref, JOURNAL_TEXT))
    assert found.changes and found.held_reason is None


@pytest.mark.parametrize(
    ("before", "after"),
    [("3 måneder", "3 mnd."), ("15 månader", "15 mnd"), ("5 mnd", "5 md.")],
)
def test_months_written_short_or_out_say_the_same(before: str, after: str) -> None:
    table = "<main><h1>Barnevaksinasjonsprogrammet</h1><h2>Vaksiner etter alder</h2><table><tr><th>Alder</th><th>Vaksine</th></tr><tr><td>{}</td><td>Rotavirusvaksine</td></tr></table></main>"
    assert changed(table.format(before), table.format(after)) == []
    assert changed(table.format(before), table.format(after.replace(after.split()[0], "4"))) == [
        ("changed", ("Barnevaksinasjonsprogrammet", "Vaksiner etter alder"))
    ]


FEED_URL = "https://www.helsedirektoratet.no/nyheter.atom"
CONTENT = (
    "&lt;p&gt;Helsedirektoratet og FHI anbefaler nå at gravide tilbys vaksine mot kikhoste i "
    "hvert svangerskap, helst fra uke 16 til 27.&lt;/p&gt;&lt;p&gt;Vaksinen gir vern til "
    "barnet de første månedene.&lt;/p&gt;"
)


def atom(summary: str, content: str = CONTENT) -> bytes:
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        "<title>Nyheter</title><id>urn:hdir</id><updated>2027-03-11T09:30:00Z</updated><entry>"
        "<title>Gravide anbefales vaksine mot kikhoste</title><id>urn:hdir:1</id>"
        "<link href='https://www.helsedirektoratet.no/nyheter/kikhoste'/>"
        "<updated>2027-03-11T09:30:00Z</updated>"
        f"<summary type='html'>{summary}</summary><content type='html'>{content}</content>"
        "</entry></feed>"
    ).encode()


FULL = "Helsedirektoratet og FHI anbefaler nå at gravide tilbys vaksine mot kikhoste i hvert svangerskap, helst fra uke 16 til 27."


def test_a_summary_rewritten_as_a_teaser_of_the_unchanged_content_is_no_edit() -> None:
    found = detect_steps(
        FEED_URL, atom(FULL), atom("Gravide anbefales vaksine mot kikhoste …"), kind="feed"
    )
    assert found.changes == ()


@pytest.mark.parametrize(
    "teaser",
    [
        "Gravide anbefales vaksine mot kikhoste fra uke 12 …",  # a word the content does not say
        "Gravide anbefales vaksine mot kikhoste",  # not cut: a summary of its own
    ],
)
def test_a_summary_that_says_more_or_is_not_cut_is_told(teaser: str) -> None:
    found = detect_steps(FEED_URL, atom(FULL), atom(teaser), kind="feed")
    assert [c.kind for c in found.changes] == ["changed"]


def test_a_summary_made_a_teaser_while_the_content_changed_is_told() -> None:
    edited = CONTENT.replace("uke 16 til 27", "uke 20 til 32")
    found = detect_steps(
        FEED_URL, atom(FULL), atom("Gravide anbefales vaksine mot kikhoste …", edited), kind="feed"
    )
    assert [c.kind for c in found.changes] == ["changed"]


def rss(description: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>FHI</title>"
        "<link>https://www.fhi.no</link><description>Nyheter</description><item>"
        "<title>Meslinger i Oslo</title><link>https://www.fhi.no/nyheter/meslinger</link>"
        "<guid>https://www.fhi.no/nyheter/meslinger</guid>"
        f"<description>{description}</description></item></channel></rss>"
    ).encode()


LEAD = "FHI har mottatt melding om tre tilfeller av meslinger i Oslo den siste uken."
WHOLE = f"&lt;p&gt;{LEAD}&lt;/p&gt;&lt;p&gt;Nærkontakter uten kjent immunitet bør tilbys MMR-vaksine innen 72 timer.&lt;/p&gt;"


@pytest.mark.parametrize("more", ["Les mer …", "Les mer", "Les meir …"])
def test_an_items_text_cut_to_its_lead_and_les_mer_is_no_edit(more: str) -> None:
    found = detect_steps("https://www.fhi.no/rss", rss(WHOLE), rss(f"{LEAD} {more}"), kind="feed")
    assert found.changes == ()
    other = detect_steps(
        "https://www.fhi.no/rss",
        rss(WHOLE),
        rss(f"FHI har fått melding om fire tilfeller. {more}"),
        kind="feed",
    )
    assert [c.kind for c in other.changes] == ["changed"]


def ward(tools: str) -> str:
    return (
        "<main><h1>Solbakken sjukeheim</h1><h2>Telefonnummer til avdelingane</h2>"
        f"<p>Vakthavande sjukepleiar: 57 65 43 00</p><div>{tools}</div></main>"
    )


def test_a_toolbar_that_reads_the_text_aloud_is_furniture() -> None:
    before = ward("<a>Del sida:</a> <a>Facebook</a> <a>E-post</a>")
    after = ward("<button>Skriv ut</button> <button>Del</button> <button>Lytt til teksten</button>")
    assert changed(before, after) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("risiko for sykdom", "risiko for sjukdom"),
        ("når du er syk", "når du er sjuk"),
        ("på sykehuset", "på sjukehuset"),
    ],
)
def test_sjuk_and_syk_are_one_word(before: str, after: str) -> None:
    page_of = "<main><h1>Reisevaksiner</h1><h2>Generelle råd</h2><p>Ta kontakt {}.</p></main>"
    assert changed(page_of.format(before), page_of.format(after)) == []


def hint(words: str, cls: str = "visuelt-skjult") -> str:
    return (
        "<main><h1>Kurs i akuttmedisin</h1><h2>Krav</h2><p><a href='https://lovdata.no/f'>"
        f"Akuttmedisinforskriften § 7<span class='{cls}'>{words}</span></a></p></main>"
    )


def test_a_screen_readers_hint_in_a_norwegian_class_is_no_content() -> None:
    assert changed(hint(" (åpnes i nytt vindu)"), hint(" (lenken åpner i en ny fane)")) == []
    assert "åpnes" not in text(hint(" (åpnes i nytt vindu)"))
    # the same words in a class of no such meaning are read
    assert "åpnes i nytt vindu" in text(hint(" (åpnes i nytt vindu)", "merknad"))


def chart(desc: str, title: str = "MRSA-tilfeller per år", figure: bool = True) -> str:
    svg = (
        f"<svg role='img' viewBox='0 0 400 200'><title>{title}</title><desc>{desc}</desc>"
        "<rect x='20' y='60' width='40' height='140'/><text x='40' y='55'>2 680</text></svg>"
    )
    drawn = f"<figure>{svg}<figcaption>Kilde: MSIS</figcaption></figure>" if figure else svg
    return (
        f"<main><h1>Antibiotikaresistens</h1><h2>MRSA</h2><p>Forekomsten er lav.</p>{drawn}</main>"
    )


MRSA_2022 = "Stolpediagram. I 2022 ble det meldt 2 680 MRSA-tilfeller til MSIS."
MRSA_2023 = "Stolpediagram. I 2023 ble det meldt 3 015 MRSA-tilfeller til MSIS."


def test_a_charts_description_with_new_figures_is_told() -> None:
    assert MRSA_2022 in text(chart(MRSA_2022))
    assert changed(chart(MRSA_2022), chart(MRSA_2023)) == [
        ("changed", ("Antibiotikaresistens", "MRSA"))
    ]


def test_a_charts_title_or_its_tools_credit_is_not_read() -> None:
    assert changed(chart(MRSA_2022), chart(MRSA_2022, title="Diagram")) == []
    credit = "Created with Highcharts 11.4.1"
    assert changed(chart(credit), chart("Created with Highcharts 11.4.3")) == []
    # outside a figure, a chart's description is not read (as an image's alt text is not)
    assert MRSA_2022 not in text(chart(MRSA_2022, figure=False))
