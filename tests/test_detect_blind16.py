"""The sixteenth outside check's cases met after the round (tests/fixtures/detect_open/OPEN.md):
a chapter pager, a feedback widget under its question, a live chat's box and a section menu
as furniture; a version stamp as a date line; a print and share toolbar as noise; a short page
of a bot check or of a notice that it needs JavaScript as a source problem; a feed whose
every item lost its text as a source problem. In bokmål and nynorsk, each rule with a guard
that content of a similar form is still read."""

from __future__ import annotations

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import Detection, detect
from feeds.errors import SourceProblem
from feeds.read.normalize import is_signal_line, signal_dates, strip_noise
from feeds.types import FetchResult, SnapshotState
from tests.support.pages import changed, page, text

ARTICLE = (
    "<main><article><h1>Kikhoste</h1><p>Kikhoste smittar som dropesmitte.</p>"
    "<h2>Smitteperiode</h2><p>{p}</p></article>{box}</main>"
)
P = "Smittsemda er størst i den første fasen og varer i tre veker."


def _body(box: str, p: str = P) -> str:
    return ARTICLE.format(p=p, box=box)


def _quiet_and_edit_seen(before_box: str, after_box: str, gone: str) -> None:
    """``before_box`` -> ``after_box`` beside the text changes nothing, ``gone`` is not
    read, and an edit of the text beside it is reported as ever."""
    assert changed(_body(before_box), _body(after_box)) == []
    assert gone not in text(_body(before_box))
    edited = _body(after_box, p="Smittsemda varer i fem veker.")
    assert changed(_body(before_box), edited) == [("changed", ("Kikhoste", "Smitteperiode"))]


# ------------------------------------------------------------------------------------ pagers


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "<div class='pager'><a href='?s=1'>‹ Førre</a> <a href='?s=1'>1</a> "
            "<span>2</span> <a href='?s=3'>3</a> <a href='?s=3'>Neste ›</a></div>",
            "<div class='pager'><a href='../a/'><span>Førre kapittel</span> Kikhoste – "
            "symptom</a> <a href='../b/'><span>Neste kapittel</span> Kikhoste – tiltak</a></div>",
        ),
        (
            "<nav class='x'><ul><li><a href='/1'>« Forrige side</a></li><li><a href='/3'>"
            "Neste side »</a></li></ul></nav>",
            "<div><ul><li><a href='/1'>Forrige: Symptomer</a></li><li>Side 2 av 5</li>"
            "<li><a href='/3'>Neste: Tiltak</a></li></ul></div>",
        ),
    ],
)
def test_a_chapter_pager_is_navigation(before: str, after: str) -> None:
    _quiet_and_edit_seen(before, after, "Neste")


def test_a_link_to_the_next_chapter_in_a_sentence_or_beside_other_links_is_read() -> None:
    sentence = "<p>Les meir i <a href='/b/'>Neste kapittel</a> om tiltak i barnehagen.</p>"
    assert "om tiltak i barnehagen" in text(_body(sentence))
    toc = (
        "<div><a href='/a/'>Innleiing</a> <a href='/b/'>Tiltak</a> "
        "<a href='/c/'>Neste kapittel</a></div>"
    )
    assert "Innleiing" in text(_body(toc))
    after = toc.replace("Tiltak", "Tiltak i skulen")
    assert changed(_body(toc), _body(after)) != []


# ---------------------------------------------------------------------------- feedback widget


@pytest.mark.parametrize(
    "question",
    ["Fann du det du leita etter?", "Fant du det du lette etter?", "Var denne sida nyttig?",
     "Var denne siden nyttig?"],
)  # fmt: skip
def test_a_feedback_widget_with_its_tally_is_a_widget(question: str) -> None:
    box = "<div class='fb'><h2>{q}</h2><button>Ja</button> <button>Nei</button><p>{n}</p></div>"
    before = box.format(q=question, n="124 av 142 svarte ja")
    after = box.format(q=question, n="131 av 150 svarte ja")
    _quiet_and_edit_seen(before, after, "svarte ja")


def test_a_section_under_a_feedback_question_with_text_or_without_a_control_is_read() -> None:
    long = (
        "<div><h2>Fann du det du leita etter?</h2><p>Ring smittevernlegen på 55 00 00 00 "
        "kvardagar, eller send e-post til smittevern@kommune.no. Utanom kontortid kan du "
        "ringje legevakta på 116 117 for råd om smitte og tiltak.</p><button>Ja</button></div>"
    )
    assert "smittevernlegen" in text(_body(long))
    plain = "<div><h2>Var denne sida nyttig?</h2><p>124 av 142 svarte ja</p></div>"
    assert "124 av 142" in text(_body(plain))


# ----------------------------------------------------------------------------------- chat box


@pytest.mark.parametrize(
    ("heading", "before", "after"),
    [
        ("Chat med oss", "Chatten er open. Gjennomsnittleg ventetid: 2 minutt.",
         "Chatten er stengd no. Vi svarar igjen måndag kl. 08.00."),
        ("Chatt med en veileder", "Chatten er åpen. Ventetid: 4 minutter.",
         "Chatten er stengt. Vi svarer igjen mandag kl. 08.00."),
    ],
)  # fmt: skip
def test_a_chat_box_is_a_widget_whatever_its_class(heading: str, before: str, after: str) -> None:
    box = "<aside class='hjelpeboks'><h2>{h}</h2><p>{s}</p><button>Start samtale</button></aside>"
    _quiet_and_edit_seen(box.format(h=heading, s=before), box.format(h=heading, s=after), "Chat")


def test_a_section_about_the_chat_service_is_read() -> None:
    long = (
        "<section><h2>Chat med oss</h2><p>Helsestasjonen har chat for foreldre kvardagar "
        "kl. 08–15. Du treng ikkje logge inn, og du kan vere anonym. Vi svarar på spørsmål om "
        "amming, søvn, vaksinar og utvikling, men ikkje om akutt sjukdom.</p>"
        "<button>Start samtale</button></section>"
    )
    assert "amming, søvn" in text(_body(long))
    no_control = "<section><h2>Chat med oss</h2><p>Chatten er open kvardagar.</p></section>"
    assert "Chatten er open kvardagar." in text(_body(no_control))


# ------------------------------------------------------------------------------ section menu

MENU = "<ul><li><a href='/a/'>Helsestasjon 0–5 år</a></li><li><a href='/b/'>Skulehelse</a></li>{x}</ul>"
EXTRA = "<li><a href='/c/'>Jordmor</a></li>"


@pytest.mark.parametrize("heading", ["I denne delen", "I denne seksjonen", "Meir om helsestasjon"])
def test_a_section_menu_printed_twice_is_navigation(heading: str) -> None:
    def box(extra: str) -> str:
        menu = MENU.format(x=extra)
        return (
            f"<div class='menu d-lg-none'><button aria-expanded='false'>{heading}</button>{menu}"
            f"</div><div class='menu d-none d-lg-block'><h2>{heading}</h2>{menu}</div>"
        )

    _quiet_and_edit_seen(box(""), box(EXTRA), "Skulehelse")


def test_a_section_menu_heading_over_text_is_read() -> None:
    section = (
        "<div><h2>Meir om helsestasjon</h2><p>Helsestasjonen tilbyr helsekontrollar og "
        "vaksinar etter det nasjonale programmet, og jordmor har kontor i same bygg.</p>"
        "<a href='/a/'>Opningstider</a></div>"
    )
    assert "jordmor har kontor" in text(_body(section))


# ----------------------------------------------------------------------------- version stamp


@pytest.mark.parametrize(
    "line",
    ["Versjon 4 – 01.12.2026", "Versjon 2.1: 1. desember 2026", "Version 3 - 2026-12-01",
     "Versjon 4 – 01.12.2026 | Skriv ut"],
)  # fmt: skip
def test_a_version_stamp_is_a_date_line_and_its_date_a_signal(line: str) -> None:
    assert is_signal_line(line) and strip_noise(line) == ""
    assert signal_dates(line)
    before = _body("", p=P).replace("<h2>", "<p>Versjon 3 – 01.09.2026</p><h2>")
    after = _body("", p="Smittsemda varer i fem veker.").replace(
        "<h2>", "<p>Versjon 4 – 01.12.2026</p><h2>"
    )
    assert changed(before, after) == [("changed", ("Kikhoste", "Smitteperiode"))]
    assert page(after).updated == "2026-12-01"


@pytest.mark.parametrize(
    "line",
    ["Versjon 4 av rettleiaren gjeld frå 01.12.2026.", "Versjon 4", "Versjon 4 – ny dosering"],
)
def test_a_sentence_about_a_version_is_read(line: str) -> None:
    assert strip_noise(line) == line


# ---------------------------------------------------------------------------------- toolbars


@pytest.mark.parametrize(
    "line",
    ["Skriv ut | Del | Abonner", "Skriv ut Del på Facebook Del på X Del på LinkedIn Kopier lenkja",
     "Del på e-post · Abonner · Skriv ut"],
)  # fmt: skip
def test_a_print_and_share_toolbar_is_noise(line: str) -> None:
    assert strip_noise(line) == ""


@pytest.mark.parametrize(
    "line",
    ["Abonner på nyhetsbrevet vårt for å få vaksineråd.", "Skriv ut skjemaet og del det ut."],
)
def test_a_sentence_with_toolbar_words_is_read(line: str) -> None:
    assert strip_noise(line) == line


# ------------------------------------------------------------------------------ problem pages


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Ett øyeblikk …", "<h1>www.statsforvalteren.no</h1><h2>Bekreft at du er et menneske "
         "ved å fullføre handlingen nedenfor.</h2><div>www.statsforvalteren.no må se gjennom "
         "sikkerheten til tilkoblingen din før du fortsetter.</div>"),
        ("Eit augneblink …", "<h1>www.fhi.no</h1><p>Stadfest at du er eit menneske.</p>"
         "<p>Ray ID: 8f1a2b3c4d5e6f70</p>"),
        ("Just a moment", "<h1>www.helsedirektoratet.no</h1><p>Verify you are human by "
         "completing the action below.</p><p>Checking if the site connection is secure</p>"),
    ],
)  # fmt: skip
def test_a_bot_check_page_served_with_200_is_a_problem(title: str, body: str) -> None:
    with pytest.raises(SourceProblem, match="challenge"):
        page(body, selector=None, title=title)


@pytest.mark.parametrize(
    "notice",
    ["Du må skru på JavaScript for å sjå innhaldet på denne sida.",
     "Aktiver JavaScript i nettleseren din for å se innholdet.",
     "Denne sida krev JavaScript.", "Please enable JavaScript to view this page."],
)  # fmt: skip
def test_a_javascript_required_notice_in_place_of_the_content_is_a_problem(notice: str) -> None:
    body = (
        f"<main><div id='app'><p>{notice}</p><p>Sjå <a href='/h'>rettleiing</a>.</p></div></main>"
    )
    with pytest.raises(SourceProblem, match="JavaScript"):
        page(body)


def test_a_real_page_with_a_script_notice_beside_its_content_is_read() -> None:
    content = (
        "<h1>Samhandlingsrutine</h1><p>Rutinen gjeld innlegging frå legevakt til "
        "akuttmottaket ved Haukeland universitetssjukehus.</p><h2>Tilvising</h2><p>Legevaktlegen "
        "skal ringje vakthavande lege før innlegging og sende elektronisk tilvising same dag.</p>"
    )
    noscript = f"<main><noscript>Du må skru på JavaScript.</noscript>{content}</main>"
    assert "Rutinen gjeld" in text(noscript)
    visible = f"<main><p class='js'>Denne sida krev JavaScript for kartet.</p>{content}</main>"
    assert "Rutinen gjeld" in text(visible)
    after = visible.replace("same dag", "innan to timar")
    assert changed(visible, after) == [("changed", ("Samhandlingsrutine", "Tilvising"))]


# ------------------------------------------------------------------------------------- feeds

SPEC = SourceSpec(key="f", kind="feed", url="https://x.no/rss", authority="sf", name="Nyhende")
TEXTS = (
    "Statsforvaltaren ber kommunane sende inn beredskapsplanar for legevakta.",
    "Rapporten frå tilsynet med smittevern i tre sjukeheimar er publisert.",
    "Påmeldinga til kurs i akuttmedisin for legevaktlegar er open.",
    "FHI opnar for at kommunane kan tinge fleire dosar influensavaksine.",
)


def _rss(*descriptions: str) -> bytes:
    items = "".join(
        f"<item><title>Sak {i}</title><link>https://x.no/sak/{i}</link><guid>s{i}</guid>"
        f"<description>{d}</description></item>"
        for i, d in enumerate(descriptions)
    )
    return f"<rss version='2.0'><channel><title>N</title>{items}</channel></rss>".encode()


def _run(before: bytes, after: bytes) -> Detection:
    first = detect(SPEC, FetchResult(SPEC.url, 200, before), None)
    state: SnapshotState | None = first.state
    return detect(SPEC, FetchResult(SPEC.url, 200, after), state)


@pytest.mark.parametrize("label", ["Les meir", "Les mer", "Read more", ""])
def test_every_description_replaced_by_a_bare_label_is_a_problem(label: str) -> None:
    with pytest.raises(SourceProblem, match="lost its text"):
        _run(_rss(*TEXTS), _rss(*(label,) * len(TEXTS)))


def test_one_description_replaced_by_les_meir_is_one_changed_item() -> None:
    found = _run(_rss(*TEXTS), _rss("Les meir", *TEXTS[1:]))
    assert [c.kind for c in found.changes] == ["changed"]


def test_a_feed_that_never_had_descriptions_or_a_short_one_is_read_as_ever() -> None:
    bare = ("Les meir",) * 4
    assert _run(_rss(*bare), _rss(*bare)).changes == ()
    found = _run(_rss(*TEXTS[:2]), _rss("Les meir", "Les meir"))
    assert [c.kind for c in found.changes] == ["changed", "changed"]
