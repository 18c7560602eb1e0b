"""Blind rounds 62 and 63's rules, both ways, bokmål and nynorsk: a live queue or waiting-time
widget (it refreshes itself) is no content, the emergency department's rules beside it are;
a dose in micrograms written "mikrogram", "µg" (micro sign) or "μg" (Greek mu) is the same
dose, another number of micrograms or milligrams is not."""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds

RULES = {
    "nb": "Ring legevakt før du kommer til akuttmottaket.",
    "nn": "Ring legevakt før du kjem til akuttmottaket.",
}


def emergency(lang: str, wait: str, queue: str, rules: str = "", attrs: str = "") -> PageContent:
    widget = (
        f"<div {attrs or 'class=queue-widget'}><p>Forventet ventetid nå</p><p>{wait}</p>"
        f"<p>{queue} pasienter venter · oppdatert kl. 13.05</p></div>"
    )
    return article("Akuttmottaket", f"{widget}<h2>Før du kommer</h2><p>{rules or RULES[lang]}</p>")


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize("attrs", ["class='queue-widget'", "class='box' data-refresh='300'"])
def test_a_live_waiting_time_widget_is_no_content(lang: str, attrs: str) -> None:
    before = emergency(lang, "2 t 40 min", "23", attrs=attrs)
    assert kinds(before, emergency(lang, "1 t 15 min", "9", attrs=attrs)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_rules_beside_the_widget_are_read(lang: str) -> None:
    before = emergency(lang, "2 t 40 min", "23")
    after = emergency(lang, "1 t 15 min", "9", RULES[lang].replace("Ring", "Ring alltid"))
    assert kinds(before, after) == ["changed"]


DOSE = {
    "nb": "Samtidig gis første dose Engerix-B 10 {} på motsatt side.",
    "nn": "Samtidig blir det gitt første dose Engerix-B 10 {} på motsett side.",
}


def dose(lang: str, unit: str) -> PageContent:
    return article("Hepatitt B", f"<h2>Dosering</h2><p>{DOSE[lang].format(unit)}</p>")


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize(
    ("old", "new"), [("mikrogram", "\u00b5g"), ("mikrogram", "\u03bcg"), ("\u00b5g", "\u03bcg")]
)
def test_micrograms_written_otherwise_are_the_same_dose(lang: str, old: str, new: str) -> None:
    assert kinds(dose(lang, old), dose(lang, new)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_another_unit_is_another_dose(lang: str) -> None:
    assert kinds(dose(lang, "mikrogram"), dose(lang, "mg")) == ["changed"]
