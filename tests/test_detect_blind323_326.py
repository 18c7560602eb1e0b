"""Blind rounds 323-326's rules:

- a headline that begins with "Feil" ("Feil i tal for vaksinasjonsdekning i vekerapporten")
  is content; "Feil" or "Error" as the title, alone or before a code, a dash or a colon, is
  still an error page (326);
- the multiplication sign and the letter x are one mark ("3 × daglig", 325);
- a unit per a unit or a time with "per" says what it says with a slash ("mg/kg per døgn"
  and "mg/kg/døgn", 325);
- "mens" in a nynorsk text is "medan" (324).
"""

from __future__ import annotations

import pytest

from feeds.errors import SourceProblem
from tests.support.pages import changed, page

NEWS = {
    "nb": "Feil i tall for vaksinasjonsdekning i ukerapporten",
    "nn": "Feil i tal for vaksinasjonsdekning i vekerapporten",
}
BODY = {
    "nb": "I ukerapporten for uke 10 var dekningen for andre dose oppgitt for høyt. Tallene er nå rettet.",
    "nn": "I vekerapporten for veke 10 var dekninga for andre dose oppgitt for høgt. Tala er no retta.",
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_headline_about_an_error_is_content(lang: str) -> None:
    body = f"<main><h1>{NEWS[lang]}</h1><p>{BODY[lang]}</p></main>"
    read = page(body, title=f"{NEWS[lang]} - FHI")
    assert read.sections and BODY[lang] in read.sections[0].text
    later = body.replace(
        "</main>", "<h2>Oppdatering 12. mars</h2><p>Ny rapport er lagd ut.</p></main>"
    )
    assert changed(body, later) == [("added", (NEWS[lang], "Oppdatering 12. mars"))]


@pytest.mark.parametrize(
    "title",
    ["Feil", "Feil - Helsedirektoratet", "Feil: siden kan ikke vises", "Error 500", "Feil oppstod"],
)
def test_an_error_title_is_still_an_error_page(title: str) -> None:
    with pytest.raises(SourceProblem, match="error, maintenance"):
        page(f"<main><h1>{title}</h1><p>Vi beklager.</p></main>", title=title)


def table(dose: str) -> str:
    return f"<main><h1>Dosering</h1><h2>Mikstur</h2><table><tr><td>Amoksicillin</td><td>{dose}</td></tr></table></main>"


def test_the_multiplication_sign_is_the_letter_x() -> None:
    assert changed(table("250 mg x 3 daglig"), table("250 mg × 3 daglig")) == []
    assert changed(table("250 mg x 3 daglig"), table("250 mg × 2 daglig")) == [
        ("changed", ("Dosering", "Mikstur"))
    ]


@pytest.mark.parametrize("unit", ["døgn", "dag", "kg"])
def test_a_unit_per_a_unit_with_per_or_a_slash(unit: str) -> None:
    assert changed(table(f"40 mg/kg/{unit}"), table(f"40 mg/kg per {unit}")) == []
    assert changed(table(f"5 ml/{unit}"), table(f"5 ml per {unit}")) == []
    other = "veke" if unit != "veke" else "dag"
    assert changed(table(f"40 mg/kg/{unit}"), table(f"40 mg/kg per {other}")) == [
        ("changed", ("Dosering", "Mikstur"))
    ]


def test_mens_in_a_nynorsk_text_is_medan() -> None:
    def advice(word: str) -> str:
        return f"<main><h1>Smittevern</h1><h2>Isolering</h2><p>Bebuaren skal vere på rommet {word} prøvesvaret kjem.</p></main>"

    assert changed(advice("medan"), advice("mens")) == []
    assert changed(advice("medan"), advice("før")) == [("changed", ("Smittevern", "Isolering"))]
