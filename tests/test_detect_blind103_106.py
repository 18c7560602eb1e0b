"""Blind rounds 103 to 106's rules, both ways, bokmål and nynorsk:

- a point inserted before numbered points renumbers them and the references to them on the
  whole page ("se punkt 4.2" -> "4.3"): the point inserted is the news;
- an event's booking badges (seats left, sign-ups, countdowns) are furniture; "Avlyst" is
  told;
- a definition list turned into a list of "label value" items says the same;
- React's streamed segments are read where the browser shows them;
- a letter's "Dato:" run into its title by the PDF's letterhead is read as the field it is.
"""

from __future__ import annotations

import pytest

from feeds.read.pdf import _paragraphs
from tests.support.pages import article, kinds, page

POINTS = {
    "nb": ("Kommunelegen bør ha en stedfortreder. Se også punkt {a}.",
           [("Hastevedtak", "Kommunelegen kan treffe vedtak i hastetilfeller, se punkt {b}."),
            ("Varighet", "Et vedtak kan gjelde i inntil 30 dager.")],
           ("Tiltak i flere kommuner", "Statsforvalteren kan be kommunene samordne tiltak.")),
    "nn": ("Kommunelegen bør ha ein stedfortredar. Sjå òg punkt {a}.",
           [("Hastevedtak", "Kommunelegen kan gjere vedtak i hastetilfelle, sjå punkt {b}."),
            ("Varigheit", "Eit vedtak kan gjelde i inntil 30 dagar.")],
           ("Tiltak i fleire kommunar", "Statsforvaltaren kan be kommunane samordne tiltak.")),
}  # fmt: skip


def commentary(lang: str, inserted: bool) -> str:
    intro, points, new = POINTS[lang]
    items = [new, *points] if inserted else points
    first = 3 if inserted else 2
    numbers = {"Hastevedtak": f"4.{first}"}
    body = f"<h2>3.1 Kommunelegen</h2><p>{intro.format(a=numbers['Hastevedtak'])}</p>"
    body += "<h2>4 Tiltak</h2><p>Innleiing.</p>"
    for n, (heading, text) in enumerate(items, 2):
        body += f"<h3>4.{n} {heading}</h3><p>{text.format(b=f'4.{first + 1}')}</p>"
    return body


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_point_inserted_is_the_news_and_references_follow(lang: str) -> None:
    before, after = (article("Lova med kommentarar", commentary(lang, x)) for x in (False, True))
    assert kinds(before, after) == ["added"]
    assert kinds(after, before) == ["removed"]


def test_a_reference_moved_to_another_point_is_told() -> None:
    before = article("K", commentary("nb", False))
    # the reference renumbered otherwise than its point: "4.2" -> "4.4" where 4.2 became 4.3
    after = article("K", commentary("nb", True).replace("Se også punkt 4.3", "Se også punkt 4.4"))
    assert "changed" in kinds(before, after)


EVENTS = {
    "nb": ("Smitteverndagene 2027", "Sted: Oslo", ["Åpen for påmelding Starter om 100 dager 214 påmeldte",
           "Få plasser igjen Starter om 97 dager 238 påmeldte"]),
    "nn": ("Fagdag for kommuneoverlegar", "Stad: Bergen", ["Ope for påmelding om 59 dagar 31 ledige plassar",
           "Berre 3 plassar igjen"]),
}  # fmt: skip


def event(lang: str, badge: str) -> str:
    title, place, _ = EVENTS[lang]
    return article(
        "Kurs og konferansar",
        f"<h2>{title}</h2><div><span class='badge'>{badge}</span></div><p>{place}</p>",
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_booking_badges_are_furniture(lang: str) -> None:
    a, b = EVENTS[lang][2]
    assert kinds(event(lang, a), event(lang, b)) == []
    assert kinds(event(lang, b), event(lang, a)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_event_cancelled_is_told(lang: str) -> None:
    assert kinds(event(lang, EVENTS[lang][2][0]), event(lang, "Avlyst")) == ["changed"]


FACTS = {
    "nb": [("Tid", "kl. 10.00–12.00"), ("Sted", "Digitalt (Teams)"), ("Pris", "Gratis")],
    "nn": [("Tid", "kl. 09.00–15.00"), ("Stad", "Scandic Ørnen, Bergen"), ("Pris", "Gratis")],
}


def as_dl(pairs: list[tuple[str, str]]) -> str:
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in pairs)
    return article("Kurs", f"<h2>Fagdag</h2><dl>{body}</dl><p>Velkomen.</p>")


def as_ul(pairs: list[tuple[str, str]]) -> str:
    body = "".join(f"<li><strong>{k}</strong> {v}</li>" for k, v in pairs)
    return article("Kurs", f"<h2>Fagdag</h2><ul>{body}</ul><p>Velkomen.</p>")


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_definition_list_as_a_list_of_items_says_the_same(lang: str) -> None:
    assert kinds(as_dl(FACTS[lang]), as_ul(FACTS[lang])) == []
    assert kinds(as_ul(FACTS[lang]), as_dl(FACTS[lang])) == []


def test_a_value_changed_as_the_list_is_rebuilt_is_told() -> None:
    edited = [(k, v.replace("10.00", "11.00")) for k, v in FACTS["nb"]]
    assert kinds(as_dl(FACTS["nb"]), as_ul(edited)) == ["changed"]


ARTICLE = {
    "nb": "<h1>Tuberkuloseundersøkelse</h1><h2>Hvem skal undersøkes?</h2><p>Personer fra land med høy forekomst.</p>",
    "nn": "<h1>Tuberkuloseundersøking</h1><h2>Kven skal undersøkjast?</h2><p>Personar frå land med høg førekomst.</p>",
}  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_streamed_page_reads_as_the_browser_shows_it(lang: str) -> None:
    plain = page(f"<main>{ARTICLE[lang]}</main>")
    streamed = page(
        "<main><div><template id='B:0'></template><div aria-busy='true'><span>Laster…</span>"
        f"</div></div></main><div hidden id='S:0'>{ARTICLE[lang]}</div>"
        "<script>$RC('B:0','S:0')</script>"
    )
    assert kinds(plain, streamed) == []
    assert kinds(streamed, plain) == []


LETTER = {
    "nb": "Folkehelseinstituttet Vår ref.:\n23/04512-7 Dato:\n{} Oppdaterte råd om tuberkulosekontroll.\nRådene gjelder fra 1. mars 2024.",
    "nn": "Statsforvaltaren Vår ref:\n2024/5120 Dato:\n{} Sesongvaksinasjon hausten 2024.\nVaksinasjonen startar 14. oktober 2024.",
}  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize(
    ("a", "b"), [("20. februar 2024", "27. februar 2024"), ("20.02.2024", "27.02.2024")]
)
def test_a_letters_date_field_run_into_its_title_is_furniture(lang: str, a: str, b: str) -> None:
    first, second = (_paragraphs(LETTER[lang].format(d)) for d in (a, b))
    assert first == second
    assert not any(d in line for line in first for d in (a, b))


def test_a_date_in_a_letters_text_is_read() -> None:
    first, second = (
        _paragraphs(LETTER["nb"].format("20. februar 2024").replace("1. mars", d))
        for d in ("1. mars", "8. mars")
    )
    assert first != second
