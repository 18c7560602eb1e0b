"""Blind rounds 315-318's rules:

- an amount of kroner followed by the sentence's full stop says the same as the amount in
  "kr." ("250 kroner. Kveld" and "250 kr. Kveld", 318);
- a range of times of day with both ends' minutes and without "kl." ("10.00–22.00" in an
  opening-hours table) says what it says after "kl." ("kl. 10:00 - 22:00", 318);
- a verb joined by "og" or "eller" to an infinitive after "å" or a modal verb is an
  infinitive too, and its e- and a-forms are one word, also where its stem is written two
  ways ("for å kunne gjere tilsyn og kome med pålegg" / "for å kunna gjera tilsyn og komma
  med pålegg", 315).

Each is told where the words or the figures change.
"""

from __future__ import annotations

import pytest

from tests.support.pages import changed


def page(title: str, heading: str, body: str) -> str:
    return f"<main><h1>{title}</h1><h2>{heading}</h2>{body}</main>"


PAY = {
    "nb": (
        "Bergen legevakt",
        "Betaling",
        "Egenandel dag: {a}. Kveld og natt: {b}. Barn betaler ikke.",
    ),
    "nn": (
        "Voss legevakt",
        "Betaling",
        "Eigendel dag: {a}. Kveld og natt: {b}. Born betaler ikkje.",
    ),
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_kroner_before_a_full_stop_say_what_kr_says(lang: str) -> None:
    title, heading, said = PAY[lang]

    def version(a: str, b: str) -> str:
        return page(title, heading, f"<p>{said.format(a=a, b=b)}</p>")

    assert changed(version("250 kroner", "405 kroner"), version("250 kr", "405 kr")) == []
    assert changed(version("250 kr", "405 kr"), version("kr 250", "kr 405")) == []
    assert changed(version("250 kroner", "405 kroner"), version("250 kr", "450 kr")) == [
        ("changed", (title, heading))
    ]


HOURS = {
    "nb": ("Bergen legevakt", "Åpningstider", "Lørdag"),
    "nn": ("Voss legevakt", "Opningstider", "Laurdag"),
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_range_of_times_without_kl_says_what_it_says_with_it(lang: str) -> None:
    title, heading, day = HOURS[lang]

    def version(hours: str) -> str:
        return page(title, heading, f"<table><tr><td>{day}</td><td>{hours}</td></tr></table>")

    assert changed(version("10.00–22.00"), version("kl. 10:00 - 22:00")) == []
    assert changed(version("08.00–15.30"), version("kl. 8-15.30")) == []
    assert changed(version("kl. 10:00 - 22:00"), version("10.00–22.00")) == []
    for other in ("kl. 10:00 - 21:00", "11.00–22.00", "10.00–22.30"):
        assert changed(version("10.00–22.00"), version(other)) == [("changed", (title, heading))]


LAW = "Forskrift om smittevern og tiltak mot utbrot av legionella"


def rule(text: str) -> str:
    return page(LAW, "§ 6. Tilsyn og sanksjonar", f"<p>{text}</p>")


def test_an_infinitive_joined_by_og_is_written_either_way() -> None:
    before = "Eigar skal gje tilgang til dei opplysningane som trengst for å kunne gjere tilsyn og kome med pålegg."
    for after in (
        "Eigar skal gje tilgang til dei opplysningane som trengst for å kunna gjera tilsyn og komma med pålegg.",
        "Eigar skal gje tilgang til dei opplysningane som trengst for å kunne gjere tilsyn og komme med pålegg.",
        "Eigar skal gje tilgang til dei opplysningane som trengst for å kunne gjere tilsyn eller koma med pålegg.",
    ):
        if " eller " in after:
            before_or = before.replace(" og ", " eller ")
            assert changed(rule(before_or), rule(after)) == []
        else:
            assert changed(rule(before), rule(after)) == []
    # another verb is told
    told = [("changed", (LAW, "§ 6. Tilsyn og sanksjonar"))]
    assert changed(rule(before), rule(before.replace("og kome med", "og gå med"))) == told
