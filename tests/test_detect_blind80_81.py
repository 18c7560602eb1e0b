"""Blind round 80's rules, both ways, bokmål and nynorsk:

- a badge that only says a text is new or updated ("Ny tilråding", "Oppdatert"), put up or
  taken down over the same text, is furniture; the text under it edited is told, and a
  status that is content ("Utgått") is read;
- buttons side by side are boxes of their own: tabs read "Praktisk Begrunnelse", not
  "PraktiskBegrunnelse".
"""

from __future__ import annotations

import pytest

from tests.support.pages import article, kinds, text

ADVICE = {
    "nb": "Personer over 75 år kan tilbys statin etter en individuell vurdering.",
    "nn": "Personar over 75 år kan tilbydast statin etter ei individuell vurdering.",
}
BADGE = {"nb": ["Ny anbefaling", "Oppdatert", "Ny"], "nn": ["Ny tilråding", "Endra", "Nytt"]}


def box(lang: str, badge: str = "", words: str = "") -> str:
    mark = f"<span class='b-badge'>{badge}</span>" if badge else ""
    return (
        f"<h2>Statin til eldre</h2><div class='content'>{mark}<p>{words or ADVICE[lang]}</p></div>"
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_new_or_updated_badge_put_up_or_taken_down_is_furniture(lang: str) -> None:
    for badge in BADGE[lang]:
        plain, marked = article("Kolesterol", box(lang)), article("Kolesterol", box(lang, badge))
        assert kinds(plain, marked) == [], badge
        assert kinds(marked, plain) == [], badge


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_text_under_a_badge_edited_is_told(lang: str) -> None:
    edited = ADVICE[lang].replace("75", "80")
    before = article("Kolesterol", box(lang))
    assert kinds(before, article("Kolesterol", box(lang, BADGE[lang][1], edited))) == ["changed"]


def test_a_status_that_is_content_is_read() -> None:
    assert "Utgått" in text(f"<main><h1>Kolesterol</h1>{box('nb', 'Utgått')}</main>")
    # a badge's words outside a badge's class are read as they stand
    body = "<main><h1>Kolesterol</h1><h2>Statin</h2><p><span>Oppdatert</span></p><p>x</p></main>"
    assert "Oppdatert" in text(body)


@pytest.mark.parametrize(
    ("lang", "tabs"),
    [("nb", ["Praktisk", "Begrunnelse", "Referanser"]), ("nn", ["Praktisk", "Grunngiving"])],
)
def test_buttons_side_by_side_are_read_apart(lang: str, tabs: list[str]) -> None:
    buttons = "".join(f"<button role='tab'>{t}</button>" for t in tabs)
    body = f"<main><h1>Retningslinje</h1><h2>Tilråding</h2><div role='tablist'>{buttons}</div>"
    body += f"<div role='tabpanel'><p>{ADVICE[lang]}</p></div></main>"
    assert " ".join(tabs) in text(body)
