"""The eighth outside check's cases met after the round (tests/fixtures/detect_open/OPEN.md):
a robot check, F5's firewall page and ID-porten's login page as source problems; "§3" and
"§ 3"; a number grouped by points and by spaces; an amount of kroner in its notations; a
change date in a line of labelled fields; an "Oppdatert" badge in a heading; a photo credit;
an emoji at the edge of a line; a list written as a sentence. Each rule with a guard that a
real change beside it is still read."""

from __future__ import annotations

import pytest

from feeds.detect.diff import diff_pages
from feeds.detect.notation import same_notation
from feeds.errors import SourceProblem
from feeds.types import fold
from tests.support.pages import changed, page


def _main(text: str, heading: str = "<h2>Pris</h2>") -> str:
    return f"<main><h1>Eigendel</h1>{heading}{text}<p>Les meir om ordninga.</p></main>"


# ----------------------------------------------------------------------------- problem pages

PROBLEM_PAGES = [
    # a robot check in Norwegian, with Google's widget
    (
        "Sikkerhetskontroll",
        "<main><h1>Bekreft at du ikke er en robot</h1><p>For å fortsette må du bekrefte at du "
        'er et menneske.</p><div class="g-recaptcha"></div><button>Fortsett</button></main>',
    ),
    (
        "Tryggleikskontroll",
        "<main><h1>Stadfest at du ikkje er ein robot</h1><p>Kryss av i boksen.</p></main>",
    ),
    ("Kontroll", "<main><p>Denne sida er verna av reCAPTCHA.</p></main>"),
    ("Kontroll", "<main><p>Protected by hCaptcha. Please continue.</p></main>"),
    # F5's web application firewall, outside any <main>
    (
        "Request Rejected",
        "The requested URL was rejected. Please consult with your administrator.<br><br>"
        "Your support ID is: 14298751122654371234<br><br>"
        '<a href="javascript:history.back();">[Go Back]</a>',
    ),
    # ID-porten's login page, where a redirect was followed
    (
        "ID-porten",
        '<main id="main-content"><h1>Logg inn</h1><p>Vel innloggingsmetode</p><ul><li>'
        '<a href="/bankid">BankID</a></li><li><a href="/minid">MinID</a></li><li>'
        '<a href="/buypass">Buypass ID</a></li></ul><p>Du vert send vidare til tenesta etter '
        "innlogging.</p></main>",
    ),
    (
        "Innlogging - ID-porten",
        "<main><h1>Innlogging</h1><ul><li>MinID</li><li>BankID på mobil</li>"
        "<li>Commfides</li></ul></main>",
    ),
]


@pytest.mark.parametrize(("title", "body"), PROBLEM_PAGES)
def test_a_robot_check_firewall_or_login_page_is_a_problem(title: str, body: str) -> None:
    with pytest.raises(SourceProblem):
        page(body, selector=None, title=title)


CONTENT_PAGES = [
    (
        "Vaksinasjonsattest",
        "<main><h1>Vaksinasjonsattest</h1><p>Du hentar attesten når du loggar inn med BankID "
        "eller MinID via ID-porten på helsenorge.no.</p></main>",
    ),
    (
        "Timebestilling",
        "<main><h1>Timebestilling</h1><p>Logg inn på helsenorge.no for å bestille time. Du kan "
        "bruke BankID, MinID eller Buypass.</p></main>",
    ),
    (
        "Logg inn på helsenorge.no",
        "<main><h1>Logg inn på helsenorge.no</h1><p>Vel innloggingsmetode: BankID eller "
        "MinID. Ring 23 32 70 00 om du ikkje kjem inn.</p></main>",
    ),
    (
        "Robotar i helsetenesta",
        "<main><h1>Robotar i helsetenesta</h1><p>Ein robot deler ut legemiddel på "
        "sjukeheimen.</p></main>",
    ),
]


@pytest.mark.parametrize(("title", "body"), CONTENT_PAGES)
def test_an_article_about_logging_in_or_robots_is_content(title: str, body: str) -> None:
    assert page(body, selector=None, title=title).sections


# ----------------------------------------------------------------------------- "§3" and "§ 3"


def test_a_space_after_a_section_sign_is_typography() -> None:
    assert fold("jf. §3.") == fold("jf. § 3.") == fold("jf. §\u00a03.")
    assert fold("§§ 3-4") == fold("§§3-4")
    before = _main("<p>Kommunen skal rullere planen kvart fjerde år, jf. §3.</p>")
    after = _main("<p>Kommunen skal rullere planen kvart fjerde år, jf. §&#160;3.</p>")
    assert changed(before, after) == []
    # as a heading too
    assert (
        changed(
            _main("<p>X.</p>", "<h2>§3. Plikter</h2>"), _main("<p>X.</p>", "<h2>§ 3. Plikter</h2>")
        )
        == []
    )


def test_another_section_number_is_a_change() -> None:
    before = _main("<p>Kommunen skal rullere planen, jf. §3.</p>")
    after = _main("<p>Kommunen skal rullere planen, jf. § 4.</p>")
    assert changed(before, after) == [("changed", ("Eigendel", "Pris"))]
    assert fold("§ 3") != fold("§ 33")


# ----------------------------------------------------------------------------- grouped numbers

SAME_NUMBER = [
    ("Kommunene får 1.000 kroner per person.", "Kommunene får 1 000 kroner per person."),
    ("Kommunene får 1.000 kroner per person.", "Kommunene får 1000 kroner per person."),
    ("Ramma er 12.500.000 kroner.", "Ramma er 12 500 000 kroner."),
]


@pytest.mark.parametrize(("before", "after"), SAME_NUMBER)
def test_a_number_grouped_by_points_or_spaces_is_one_number(before: str, after: str) -> None:
    assert same_notation(before, after)
    assert changed(_main(f"<p>{before}</p>"), _main(f"<p>{after}</p>")) == []


OTHER_NUMBER = [
    ("Kommunene får 1.000 kroner per person.", "Kommunene får 1 001 kroner per person."),
    ("Kommunene får 1.000 kroner per person.", "Kommunene får 10 000 kroner per person."),
    ("Gi 1.5 ml.", "Gi 1 500 ml."),  # a point and one digit is a decimal
    ("Gi 0.5 ml.", "Gi 5 ml."),
    ("Ramma er 12.500.000 kroner.", "Ramma er 12 500 kroner."),
]


@pytest.mark.parametrize(("before", "after"), OTHER_NUMBER)
def test_another_number_beside_a_point_grouping_is_a_change(before: str, after: str) -> None:
    assert not same_notation(before, after)
    assert changed(_main(f"<p>{before}</p>"), _main(f"<p>{after}</p>")) == [
        ("changed", ("Eigendel", "Pris"))
    ]


# ----------------------------------------------------------------------------- kroner

SAME_AMOUNT = [
    ("Eigendelen er kr 500 for konsultasjon.", "Eigendelen er 500 kroner for konsultasjon."),
    ("Eigendelen er kr 500 for konsultasjon.", "Eigendelen er 500 kr for konsultasjon."),
    ("Eigendelen er NOK 500 for konsultasjon.", "Eigendelen er kr 500,- for konsultasjon."),
    ("Eigendelen er kr. 1 500 for konsultasjon.", "Eigendelen er 1500 kroner for konsultasjon."),
    ("Eigendelen er kr 375,50.", "Eigendelen er 375,50 kroner."),
]


@pytest.mark.parametrize(("before", "after"), SAME_AMOUNT)
def test_an_amount_of_kroner_in_another_notation_is_no_change(before: str, after: str) -> None:
    assert same_notation(before, after)
    assert changed(_main(f"<p>{before}</p>"), _main(f"<p>{after}</p>")) == []


OTHER_AMOUNT = [
    ("Eigendelen er kr 500 for konsultasjon.", "Eigendelen er kr 550 for konsultasjon."),
    ("Eigendelen er kr 500 for konsultasjon.", "Eigendelen er 550 kroner for konsultasjon."),
    ("Eigendelen er kr 500 for konsultasjon.", "Eigendelen er 500 euro for konsultasjon."),
    ("Eigendelen er kr 375,50.", "Eigendelen er 375 kroner."),
]


@pytest.mark.parametrize(("before", "after"), OTHER_AMOUNT)
def test_another_amount_is_a_change(before: str, after: str) -> None:
    assert not same_notation(before, after)
    assert changed(_main(f"<p>{before}</p>"), _main(f"<p>{after}</p>")) == [
        ("changed", ("Eigendel", "Pris"))
    ]


# ----------------------------------------------------------------------------- a line of fields


def _facts(line: str) -> str:
    return f'<main><h1>Tilskudd</h1><div class="article-info">{line}</div><h2>Beløp</h2><p>X.</p></main>'


def test_a_change_date_in_a_line_of_fields_is_furniture() -> None:
    before = page(_facts("<span>Rundskriv</span> | Dato: 12.11.2026 | Sist oppdatert: 01.12.2026"))
    after = page(_facts("<span>Rundskriv</span> | Dato: 12.11.2026 | Sist oppdatert: 02.12.2026"))
    assert before.sections[0].text == "Rundskriv | Dato: 12.11.2026"
    assert after.updated == "2026-12-02"
    assert diff_pages(before, after) == []
    # "·" and "–" separate fields too
    line = "Pressemelding · Sist endra: 1. desember 2026 · Nr.: 45/2026"
    assert page(_facts(line)).sections[0].text == "Pressemelding · Nr.: 45/2026"


def test_another_date_in_a_line_of_fields_is_a_change() -> None:
    before = page(_facts("Rundskriv | Dato: 12.11.2026 | Sist oppdatert: 01.12.2026"))
    after = page(_facts("Rundskriv | Dato: 13.11.2026 | Sist oppdatert: 01.12.2026"))
    assert [(c.kind, c.path) for c in diff_pages(before, after)] == [("changed", ("Tilskudd",))]


def test_a_sentence_that_says_when_it_was_updated_is_read() -> None:
    for line in (
        "Retningslinja vart sist oppdatert 01.12.2026 etter nye råd frå FHI.",
        "Lista er revidert – sist oppdatert 01.12.2026",
        "Sjå tabellen under | Sist oppdatert: 01.12.2026 | Kjelde: FHI, som oppdaterer kvar veke.",
    ):
        assert page(_facts(line)).sections[0].text == line


# ----------------------------------------------------------------------------- badges


@pytest.mark.parametrize(
    "badge",
    [
        '<span class="badge badge--updated">Oppdatert</span>',
        '<span class="tag">Oppdatert!</span>',
        '<em class="label label-info">Endra</em>',
        '<span class="c-pill">Endret</span>',
        '<span class="badge">Nytt</span>',
        "<span>Ny</span>",
    ],
)
def test_an_updated_or_new_badge_in_a_heading_is_not_its_text(badge: str) -> None:
    before = _main("<p>Voksne: 500 mg tre ganger daglig.</p>", "<h2>Dosering</h2>")
    after = _main("<p>Voksne: 500 mg tre ganger daglig.</p>", f"<h2>Dosering {badge}</h2>")
    assert changed(before, after) == []


def test_oppdatert_in_a_heading_without_a_badge_is_read() -> None:
    text = "<p>Voksne: 500 mg tre ganger daglig.</p>"
    for heading, path in (
        ("<h2>Dosering <span>Oppdatert</span></h2>", ("Eigendel", "Dosering Oppdatert")),
        ("<h2>Oppdatert dosering</h2>", ("Eigendel", "Oppdatert dosering")),
        ('<h2>Dosering <span class="badge">Utgått</span></h2>', ("Eigendel", "Dosering Utgått")),
    ):
        assert changed(_main(text, "<h2>Dosering</h2>"), _main(text, heading)) == [
            ("changed", path)
        ]


def test_a_badge_beside_a_changed_text_leaves_the_change() -> None:
    before = _main("<p>Voksne: 500 mg tre ganger daglig.</p>", "<h2>Dosering</h2>")
    after = _main(
        "<p>Voksne: 750 mg tre ganger daglig.</p>",
        '<h2>Dosering <span class="badge">Oppdatert</span></h2>',
    )
    assert changed(before, after) == [("changed", ("Eigendel", "Dosering"))]


# ----------------------------------------------------------------------------- photo credits

CREDITS = [
    ("Foto: NTB", "Foto: Colourbox"),
    ("Foto: NTB", "Bilete: Ole Hansen / NTB"),
    ("Illustrasjon: Helsedirektoratet", "Ill.: colourbox.com"),
    ("Foto/ill.: iStock", "Foto: Kari Nordmann, Helsedirektoratet"),
]


@pytest.mark.parametrize(("before", "after"), CREDITS)
def test_a_photo_credit_is_noise(before: str, after: str) -> None:
    def figure(credit: str) -> str:
        return f'<figure><img src="/a.jpg" alt=""><figcaption>{credit}</figcaption></figure>'

    text = "<p>Gravide bør vaksineres i uke 16–32.</p>"
    assert changed(_main(figure(before) + text), _main(figure(after) + text)) == []
    assert changed(_main(text), _main(figure(after) + text)) == []


@pytest.mark.parametrize(
    "line",
    [
        "Foto: Utslett ved meslinger",
        "Illustrasjon: Slik tek du testen",
        "Fotograf Ole Hansen tok bileta på legevakta i Bergen.",
        "Bilde: 1",
    ],
)
def test_a_caption_or_a_sentence_naming_a_photographer_is_read(line: str) -> None:
    assert line in page(_main(f"<p>{line}</p>")).sections[-1].text.split("\n")


# ----------------------------------------------------------------------------- emoji

DECORATED = [
    ("<h2>Viktig</h2>", "<h2>⚠️ Viktig</h2>", "<p>Det er mangel på penicillin.</p>"),
    ("<h2>Viktig</h2>", "<h2>Viktig 🚨</h2>", "<p>Det er mangel på penicillin.</p>"),
    ("<h2>Viktig</h2>", "<h2>Viktig</h2>", "<p>⚠️ Det er mangel på penicillin.</p>"),
    ("<h2>Viktig</h2>", "<h2>Viktig</h2>", "<p>👩‍⚕️</p><p>Det er mangel på penicillin.</p>"),
    ("<h2>Viktig</h2>", "<h2>Viktig</h2>", "<ul><li>📍 Bergen</li><li>Voss</li></ul>"),
]


@pytest.mark.parametrize(("old", "new", "text"), DECORATED)
def test_an_emoji_before_or_after_the_words_is_decoration(old: str, new: str, text: str) -> None:
    plain = text.replace("⚠️ ", "").replace("<p>👩‍⚕️</p>", "").replace("📍 ", "")
    assert changed(_main(plain, old), _main(text, new)) == []
    assert changed(_main(text, new), _main(plain, old)) == []


def test_a_change_beside_an_emoji_is_seen() -> None:
    before = _main("<p>Det er mangel på penicillin.</p>", "<h2>Viktig</h2>")
    after = _main("<p>⚠️ Det er mangel på amoksicillin.</p>", "<h2>Viktig</h2>")
    assert changed(before, after) == [("changed", ("Eigendel", "Viktig"))]
    # a heading's words changed beside an emoji
    text = "<p>Det er mangel på penicillin.</p>"
    assert changed(_main(text, "<h2>Viktig</h2>"), _main(text, "<h2>⚠️ Svært viktig</h2>")) == [
        ("changed", ("Eigendel", "⚠️ Svært viktig"))
    ]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("<p>🔴 Høg risiko</p>", "<p>🟢 Høg risiko</p>"),  # one emoji for another
        ("<p>Vaksine A</p><p>✅</p>", "<p>Vaksine A</p>"),  # an answer mark is no emoji here
        ("<p>Ta med 💉 til timen.</p>", "<p>Ta med til timen.</p>"),  # inside the words
        ("<p>Oslo</p>", "<p>Oslo</p><p>🔴</p>"),  # a status's coloured circle
    ],
)
def test_an_emoji_replaced_or_inside_words_or_a_mark_is_read(before: str, after: str) -> None:
    assert changed(_main(before), _main(after)) == [("changed", ("Eigendel", "Pris"))]


# ----------------------------------------------------------------------------- lists as sentences

_LEAD = "<p>Følgjande kommunar har auka beredskap:</p>"
_LIST = "<ul><li>Bergen</li><li>Askøy</li><li>Øygarden</li><li>Bjørnafjorden</li></ul>"


@pytest.mark.parametrize(
    "sentence",
    [
        "Følgjande kommunar har auka beredskap: Bergen, Askøy, Øygarden og Bjørnafjorden.",
        "Følgjande kommunar har auka beredskap: Askøy, Bergen, Bjørnafjorden og Øygarden.",
        "Følgjande kommunar har auka beredskap: Bergen, Askøy, Øygarden, Bjørnafjorden",
    ],
)
def test_a_list_written_as_a_sentence_of_the_same_items_is_no_change(sentence: str) -> None:
    assert changed(_main(_LEAD + _LIST), _main(f"<p>{sentence}</p>")) == []
    assert changed(_main(f"<p>{sentence}</p>"), _main(_LEAD + _LIST)) == []


def test_a_list_after_its_lead_in_written_as_a_sentence_is_no_change() -> None:
    after = _LEAD + "<p>Bergen, Askøy, Øygarden og Bjørnafjorden.</p>"
    assert changed(_main(_LEAD + _LIST), _main(after)) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Følgjande kommunar har auka beredskap: Bergen, Askøy og Øygarden.",  # one dropped
        "Følgjande kommunar har auka beredskap: Bergen, Askøy, Voss, Øygarden og Bjørnafjorden.",
        "Desse kommunane har auka beredskap: Bergen, Askøy, Øygarden og Bjørnafjorden.",
        "Følgjande kommunar har auka beredskap: Bergen, Askøy, Øygarden og Bjørnafjorden. "
        "Voss kjem til.",
    ],
)
def test_a_list_written_as_another_sentence_is_a_change(sentence: str) -> None:
    assert changed(_main(_LEAD + _LIST), _main(f"<p>{sentence}</p>")) == [
        ("changed", ("Eigendel", "Pris"))
    ]


def test_a_numbered_list_as_a_sentence_is_a_change() -> None:
    steps = "<ol><li>Vask hendene</li><li>Ta på hanskar</li></ol>"
    after = "<p>Gjer slik: Vask hendene og Ta på hanskar.</p>"
    assert changed(_main("<p>Gjer slik:</p>" + steps), _main(after)) == [
        ("changed", ("Eigendel", "Pris"))
    ]
