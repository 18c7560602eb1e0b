"""Blind round 66's rule, both ways, bokmål and nynorsk: a newsletter's publication date after
its issue's number on one line ("Nr. 11 – 2026. Publisert 27. november 2026.") is furniture,
as a "Sist oppdatert" date beside a sentence is; the issue's number, and a sentence that says
when something was published, are read."""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds

LEAD = {
    "nb": "Nyhetsbrevet til kommunene i Vestland om helse- og omsorgstjenester.",
    "nn": "Nyheitsbrevet til kommunane i Vestland om helse- og omsorgstenester.",
}


def issue(lang: str, line: str) -> PageContent:
    return article("Nytt fra helse og omsorg", f"<p>{line}</p><p>{LEAD[lang]}</p>")


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize("label", ["Publisert", "Først publisert"])
def test_the_publication_date_after_the_issue_number_is_furniture(lang: str, label: str) -> None:
    before = issue(lang, f"Nr. 11 – 2026. {label} 27. november 2026.")
    assert kinds(before, issue(lang, f"Nr. 11 – 2026. {label} 28. november 2026.")) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_issue_number_is_read(lang: str) -> None:
    before = issue(lang, "Nr. 11 – 2026. Publisert 27. november 2026.")
    assert kinds(before, issue(lang, "Nr. 12 – 2026. Publisert 4. desember 2026.")) == ["changed"]


def test_a_sentence_saying_when_something_was_published_is_read() -> None:
    before = issue("nb", "Rapporten ble publisert 27. november 2026.")
    assert kinds(before, issue("nb", "Rapporten ble publisert 4. desember 2026.")) == ["changed"]
