"""Blind rounds 319-322's rules:

- a section moved word for word from under one actor's heading to another's, both standing
  on the page before and after ("Kommunen" -> "Statsforvalteren": who must warn the health
  trust), is told as moved (322); a section moved between chapters of topics, or under a
  renamed parent, is filing, as before (rounds 53, 80, 100);
- "kvifor" and "korfor" are one word, both accepted in nynorsk (322).
"""

from __future__ import annotations

import pytest

from tests.support.pages import changed

ROLES = {
    "nb": ("Roller og ansvar i helseberedskapen", "Kommunen", "Statsforvalteren", "Varsling"),
    "nn": ("Roller og ansvar i helseberedskapen", "Kommunen", "Statsforvaltaren", "Varsling"),
}
DUTY = {
    "nb": "Ved hendelser med mange skadde varsles AMK-sentralen umiddelbart.",
    "nn": "Ved hendingar med mange skadde vert AMK-sentralen varsla straks.",
}


def roles(lang: str, duty_with: int, first: str = "", second: str = "") -> str:
    title, one, two, duty_heading = ROLES[lang]
    duty = f"<h3>{duty_heading}</h3><p>{DUTY[lang]}</p>"
    parts = [
        f"<h2>{first or one}</h2><h3>Planverk</h3><p>Planen dekker alle tenester.</p>",
        f"<h2>{second or two}</h2><h3>Samordning</h3><p>Samordnar arbeidet i fylket.</p>",
    ]
    parts[duty_with] += duty
    return f"<main><h1>{title}</h1>{''.join(parts)}</main>"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_duty_moved_to_another_actor_is_told(lang: str) -> None:
    title, one, two, duty_heading = ROLES[lang]
    assert changed(roles(lang, 0), roles(lang, 1)) == [("moved", (title, two, duty_heading))]
    assert changed(roles(lang, 1), roles(lang, 0)) == [("moved", (title, one, duty_heading))]
    # as duties: "Kommunens ansvar" -> "Statsforvalterens ansvar"
    mine, theirs = f"{one}s ansvar", f"{two}s ansvar"
    assert changed(roles(lang, 0, mine, theirs), roles(lang, 1, mine, theirs)) == [
        ("moved", (title, theirs, duty_heading))
    ]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_section_moved_between_topics_or_under_a_renamed_actor_is_filing(lang: str) -> None:
    # chapters of topics, not actors
    assert (
        changed(roles(lang, 0, "Testing", "Isolering"), roles(lang, 1, "Testing", "Isolering"))
        == []
    )
    # the actor's heading renamed: the same section under its parent's new name
    one = ROLES[lang][1]
    assert changed(roles(lang, 0), roles(lang, 0, f"{one} og bydelane")) == []


def test_kvifor_and_korfor_are_one_word() -> None:
    def page(word: str, pronoun: str) -> str:
        return (
            f"<main><h1>Beredskap ved straumbrot</h1><h2>{word.capitalize()} {pronoun} har naudstraum</h2>"
            f"<p>{word.capitalize()} {pronoun} har valt 72 timar, står i analysen.</p></main>"
        )

    assert changed(page("kvifor", "me"), page("korfor", "vi")) == []
    assert changed(page("kvifor", "me"), page("korleis", "me")) != []
