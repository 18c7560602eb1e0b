"""Blind rounds 74 to 77's rules, both ways, bokmål and nynorsk:

- a letter re-filed (a new document number after "Vår ref.", another archive code) says the
  same, on the label's line or the next; the letter's date, deadline and text are told;
- a tab list over panels that open with their own headings is a control whatever its tabs'
  words (a tab renamed "Kommuner" over a panel headed "For kommunen"), and so is the label
  that leads in to it ("Velg målgruppe:"); a tab that is its panel's only title is read.
"""

from __future__ import annotations

import pytest

from tests.support.pages import article, kinds, text

BODY = {
    "nb": "<p>Statsforvalteren ber kommunene gjøre rede for vaksinasjonen i sykehjem.</p>",
    "nn": "<p>Statsforvaltaren ber kommunane gjere greie for vaksinasjonen i sjukeheimar.</p>",
}


def letter_head(lang: str, ref: str, code: str, deadline: str, one_line: bool = False) -> str:
    theirs = "Vår ref." if lang == "nb" else "Dykkar ref."
    if one_line:
        head = f"<p>{theirs}: {ref}</p><p>Arkivkode: {code}</p><p>Svarfrist: {deadline}</p>"
    else:
        head = (
            f"<dl><dt>{theirs}</dt><dd>{ref}</dd><dt>Saksnr.</dt><dd>24/18842</dd>"
            f"<dt>Arkivkode</dt><dd>{code}</dd><dt>Svarfrist</dt><dd>{deadline}</dd></dl>"
        )
    return article("Oppfølging av sesongvaksinasjon", head + BODY[lang])


@pytest.mark.parametrize("one_line", [False, True])
@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_letter_refiled_says_the_same(lang: str, one_line: bool) -> None:
    before = letter_head(lang, "2024/18842-3", "G00", "1. november 2024", one_line)
    after = letter_head(lang, "2024/18842-4", "G10", "1. november 2024", one_line)
    assert kinds(before, after) == []
    assert kinds(after, before) == []


@pytest.mark.parametrize("one_line", [False, True])
@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_letters_deadline_moved_is_told_beside_a_new_reference(lang: str, one_line: bool) -> None:
    before = letter_head(lang, "2024/18842-3", "G10", "1. november 2024", one_line)
    after = letter_head(lang, "2024/18842-4", "G10", "15. november 2024", one_line)
    assert kinds(before, after) == ["changed"]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_reference_in_a_sentence_is_read(lang: str) -> None:
    before = article("Brev", "<p>Svaret merkes med referanse 2024/18842-3.</p>" + BODY[lang])
    after = article("Brev", "<p>Svaret merkes med referanse 2024/18842-4.</p>" + BODY[lang])
    assert kinds(before, after) == ["changed"]


PANELS = {
    "nb": [
        ("helse", "For helsepersonell", "Behandle med makrolid i fem døgn."),
        ("kommune", "For kommunen", "Kommuneoverlegen vurderer smitteoppsporing."),
    ],
    "nn": [
        ("helse", "For helsepersonell", "Behandle med makrolid i fem døgn."),
        ("kommune", "For kommunen", "Kommuneoverlegen vurderer smitteoppsporing."),
    ],
}


def tabs(lang: str, labels: dict[str, str], lead: str = "Velg målgruppe:") -> str:
    buttons = "".join(
        f"<li><button role='tab' aria-controls='panel-{key}'>{labels.get(key, title)}</button></li>"
        for key, title, _ in PANELS[lang]
    )
    panels = "".join(
        f"<div id='panel-{key}' role='tabpanel'><h2>{title}</h2><p>{words}</p></div>"
        for key, title, words in PANELS[lang]
    )
    return article(
        "Kikhoste",
        f"<h2>Smitteperiode</h2><p>Kikhoste smitter ved dråpesmitte.</p>"
        f"<p>{lead}</p><ul role='tablist'>{buttons}</ul>{panels}",
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_tab_renamed_over_a_panel_with_its_own_heading_says_the_same(lang: str) -> None:
    lead = "Velg målgruppe:" if lang == "nb" else "Vel målgruppe:"
    before = tabs(lang, {}, lead)
    after = tabs(lang, {"kommune": "Kommuner"}, lead)
    assert kinds(before, after) == []
    assert "målgruppe" not in "\n".join(s.text for s in after.sections)
    assert "Kommuner" not in "\n".join(s.text for s in after.sections)


def test_tabs_that_are_their_panels_only_titles_are_read() -> None:
    body = (
        "<h2>Råd</h2><p>Velg målgruppe:</p><ul role='tablist'>"
        "<li><button role='tab' aria-controls='p1'>Praktisk</button></li>"
        "<li><button role='tab' aria-controls='p2'>Begrunnelse</button></li></ul>"
        "<div id='p1'><p>Gi vaksinen i overarmen.</p></div>"
        "<div id='p2'><p>Studier viser god effekt.</p></div>"
    )
    read = text(f"<main><h1>Vaksine</h1>{body}</main>")
    assert "Praktisk" in read and "Velg målgruppe:" in read
