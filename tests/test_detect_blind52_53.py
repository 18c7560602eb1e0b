"""Blind rounds 52 and 53's rules, both ways, bokmål and nynorsk:

- round 52 (technical churn): an element the ``hidden`` attribute hides (a description only
  ``aria-describedby`` reads out) is no content, unless a control opens it; an address behind
  Cloudflare's e-mail protection is read as the browser shows it, so a new address is told
  and a new encoding of the same one is not;
- round 53 (pages restructured): sections split or merged with the same lines are no change,
  and with a line edited are one change where it stands now; a subsection moved under
  another heading and edited is one change; a section removed with its text is told.
"""

from __future__ import annotations

import pytest

from feeds.detect.diff import diff_pages
from feeds.types import PageContent
from tests.support.pages import article, kinds

LANGS = ["nb", "nn"]
NOTE = {"nb": "åpnes i nytt vindu", "nn": "opnar i nytt vindauge"}


def school(lang: str, note: str, control: str = "") -> PageContent:
    body = (
        "<h2>Skolehelsetjenesten</h2><p>Helsesykepleier er på skolen hver dag.</p>"
        f"<p><a href='https://www.helsenorge.no' aria-describedby='ny'>Helsenorge</a></p>{control}"
        f"<span id='ny' hidden>{note}</span>"
    )
    return article("Helsestasjon", body)


@pytest.mark.parametrize("lang", LANGS)
def test_text_the_hidden_attribute_hides_is_no_content(lang: str) -> None:
    assert kinds(school(lang, ""), school(lang, NOTE[lang])) == []
    assert kinds(school(lang, NOTE[lang]), school(lang, NOTE[lang] + ".")) == []


@pytest.mark.parametrize("lang", LANGS)
def test_hidden_text_a_control_opens_is_read(lang: str) -> None:
    button = "<button aria-controls='ny' aria-expanded='false'>Vis</button>"
    assert kinds(school(lang, "Åpent 8-15", button), school(lang, "Åpent 8-16", button)) == [
        "changed"
    ]


def _cf(address: str, key: int = 0x5A) -> str:
    return f"{key:02x}" + "".join(f"{ord(c) ^ key:02x}" for c in address)


def contact(lang: str, address: str, key: int, in_link: bool) -> PageContent:
    head = {"nb": "Kontakt smittevernkontoret", "nn": "Kontakt smittevernkontoret"}[lang]
    if in_link:
        mail = f"<a href='/cdn-cgi/l/email-protection#{_cf(address, key)}'>Send e-post</a>"
    else:
        mail = (
            "<a href='/cdn-cgi/l/email-protection' class='__cf_email__' "
            f"data-cfemail='{_cf(address, key)}'>[email&#160;protected]</a>"
        )
    return article("Smittevern", f"<h2>{head}</h2><p>Meld gruppe A-sykdommer til {mail}.</p>")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("in_link", [False, True])
def test_an_address_behind_cloudflare_is_read_as_shown(lang: str, in_link: bool) -> None:
    before = contact(lang, "kommuneoverlege@oslo.kommune.no", 0x5A, in_link)
    same = contact(lang, "kommuneoverlege@oslo.kommune.no", 0x13, in_link)
    other = contact(lang, "smittevern@oslo.kommune.no", 0x13, in_link)
    assert kinds(before, same) == []
    assert kinds(before, other) == ["changed"]


def test_a_cloudflare_token_that_holds_no_address_is_left_alone() -> None:
    body = "<h2>Kontakt</h2><p><span data-cfemail='zz12'>[email&#160;protected]</span></p>"
    page = article("Smittevern", body)
    assert "[email" in page.sections[-1].text


GUIDE = {
    "nb": (
        "Smittevern i kommunene",
        [
            "Alle med symptomer bør teste seg.",
            "Selvtest kan brukes.",
            "Positiv test gir 3 dager hjemme.",
        ],
    ),
    "nn": (
        "Smittevern i kommunane",
        [
            "Alle med symptom bør teste seg.",
            "Sjølvtest kan brukast.",
            "Positiv test gir 3 dagar heime.",
        ],
    ),
}


def sections(lang: str, parts: list[tuple[str, list[str]]]) -> PageContent:
    title, _ = GUIDE[lang]
    body = "".join(
        f"<h2>{h}</h2>" + "".join(f"<p>{line}</p>" for line in lines) for h, lines in parts
    )
    return article(title, f"{body}<h2>Kontakt</h2><p>Ring kommunen.</p>")


@pytest.mark.parametrize("lang", LANGS)
def test_sections_split_or_merged_with_the_same_lines_are_no_change(lang: str) -> None:
    _, (a, b, c) = GUIDE[lang]
    whole = sections(lang, [("Testing og isolering", [a, b, c])])
    split = sections(lang, [("Testing", [a, b]), ("Isolering", [c])])
    assert diff_pages(whole, split) == []
    assert diff_pages(split, whole) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_line_edited_in_a_split_is_one_change_where_it_stands(lang: str) -> None:
    _, (a, b, c) = GUIDE[lang]
    whole = sections(lang, [("Testing og isolering", [a, b, c])])
    edited = c.replace("3", "5")
    split = sections(lang, [("Testing", [a, b]), ("Isolering", [edited])])
    found = diff_pages(whole, split)
    assert [(ch.kind, ch.path[-1], ch.before, ch.after) for ch in found] == [
        ("changed", "Isolering", c, edited)
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_a_line_dropped_in_a_merge_is_told(lang: str) -> None:
    _, (a, b, c) = GUIDE[lang]
    d = "Isolering skjer på eget rom."
    apart = sections(lang, [("Testing", [a, b]), ("Isolering", [c, "Karantene gjelder ikke.", d])])
    merged = sections(lang, [("Testing", [a, b, c, d])])
    found = diff_pages(apart, merged)
    assert [(ch.kind, ch.path[-1]) for ch in found] == [("changed", "Testing")]
    assert "Karantene gjelder ikke." in found[0].before and "Karantene" not in found[0].after


@pytest.mark.parametrize("lang", LANGS)
def test_a_section_removed_with_its_text_is_told(lang: str) -> None:
    _, (a, b, c) = GUIDE[lang]
    before = sections(lang, [("Testing", [a, b]), ("Isolering", [c])])
    after = sections(lang, [("Testing", [a, b.replace(".", " hjemme.")])])
    assert sorted(ch.kind for ch in diff_pages(before, after)) == ["changed", "removed"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_subsection_moved_and_edited_is_one_change(lang: str) -> None:
    _, (a, b, _) = GUIDE[lang]
    text = "Helsepersonell med symptomer tester seg og holder seg hjemme i fem dager etter testen."

    def page(under: str, what: str) -> PageContent:
        body = (
            f"<h2>Testing</h2><p>{a}</p>{'<h3>Testing av helsepersonell</h3><p>' + what + '</p>' if under == 'T' else ''}"
            f"<h2>Bemanning</h2><p>{b}</p>{'<h3>Testing av helsepersonell</h3><p>' + what + '</p>' if under == 'B' else ''}"
        )
        return article(GUIDE[lang][0], body)

    found = diff_pages(page("T", text), page("B", text.replace("fem", "sju")))
    assert [(ch.kind, ch.path[1:]) for ch in found] == [
        ("changed", ("Bemanning", "Testing av helsepersonell"))
    ]
    other = "Alle ansatte skal bruke munnbind i hele bygget fra mandag."
    assert sorted(ch.kind for ch in diff_pages(page("T", text), page("B", other))) == [
        "added",
        "removed",
    ]
