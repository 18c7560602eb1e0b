"""Blind round 25's notation rules, both ways, bokmål and nynorsk: "kl 8" and "kl. 08.00",
"500 milligram" and "500 mg", "m²" and "m<sup>2</sup>", "62 56 30 00" and "62563000", "éin"
and "1" say the same; another hour, dose, area, number or count is a change."""

from __future__ import annotations

import pytest

from feeds.detect.diff import diff_pages
from feeds.detect.notation import fold_forms
from feeds.read.html import extract_page
from feeds.types import PageContent


@pytest.mark.parametrize(
    "a, b",
    [
        ("Opent kl. 08.00-15.30", "Opent kl 8-15.30"),
        ("Ope frå klokka 08.00", "Ope frå kl. 8"),
        ("Gi 500 milligram tre gonger dagleg", "Gi 500 mg 3 gonger dagleg"),
        ("Rommet skal vere 12 m² stort", "Rommet skal vere 12 m2 stort"),
        ("Ring 62 56 30 00", "Ring 62563000"),
        ("Ring 625 63 000", "Ring 62563000"),
        ("Vaksinen gir éin dose og ett år vern", "Vaksinen gir 1 dose og 1 år vern"),
        ("Blanda 5 milliliter i 1 liter vatn", "Blanda 5 ml i 1 l vatn"),
    ],
)
def test_the_same_number_in_another_notation_folds_alike(a: str, b: str) -> None:
    assert fold_forms(a) == fold_forms(b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("Opent kl. 08.00-15.30", "Opent kl 8-14"),
        ("Gi 500 milligram", "Gi 50 mg"),
        ("Rommet skal vere 12 m² stort", "Rommet skal vere 12 m3 stort"),
        ("Ring 62 56 30 00", "Ring 62563080"),
        ("Vaksinen gir éin dose", "Vaksinen gir 2 dosar"),
        ("Gi 500 gram", "Gi 500 mg"),
        ("Ring 116 117", "Ring 113"),
        # an article is no numeral: "ein dose" is not "1 dose"
        ("Ta ein dose til", "Ta 2 dosar til"),
    ],
)
def test_another_number_stays_another(a: str, b: str) -> None:
    assert fold_forms(a) != fold_forms(b)


def page(text: str) -> PageContent:
    html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Side</title></head><body>"
        f"<main><h1>Isolat i sjukeheim</h1><h2>Romstorleik</h2><p>{text}</p></main></body></html>"
    )
    return extract_page(html.encode(), selector="main")


@pytest.mark.parametrize(
    "a, b, changed",
    [
        (
            "Isolatet skal vere minst 12 m² stort.",
            "Isolatet skal vere minst 12 m<sup>2</sup> stort.",
            False,
        ),
        (
            "Isolatet skal være minst 12 m² stort.",
            "Isolatet skal være minst 15 m<sup>2</sup> stort.",
            True,
        ),
        (
            "Smittevernkontoret er ope kl. 08.00–15.30.",
            "Smittevernkontoret er ope kl 8–15.30.",
            False,
        ),
        (
            "Smittevernkontoret er åpent kl. 08.00–15.30.",
            "Smittevernkontoret er åpent kl 8–14.",
            True,
        ),
    ],
)
def test_on_a_page(a: str, b: str, changed: bool) -> None:
    assert bool(diff_pages(page(a), page(b))) is changed
