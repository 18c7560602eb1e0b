"""Blind round 57's rules, both ways, bokmål and nynorsk: a FAQ's control over all its answers
("Vis alle svar") and a count of the readers who found the page useful ("1 204 personer synes
denne siden var nyttig") are furniture; an answer or a sentence that says as much is read."""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds

FAQ = {
    "nb": ("Ofte stilte spørsmål", "Her finner du svar på det vi oftest får spørsmål om.",
           "Vis alle svar", "{} personer synes denne siden var nyttig"),
    "nn": ("Ofte stilte spørsmål", "Her finn du svar på det vi oftast får spørsmål om.",
           "Vis alle svara", "{} personar synest sida var nyttig"),
}  # fmt: skip


def faq(lang: str, control: bool, count: str = "1 204", extra: str = "") -> PageContent:
    title, lead, show, useful = FAQ[lang]
    button = f"<button>{show}</button>" if control else ""
    body = (
        f"<p>{lead}</p>{button}<h2>Hvor lenge er en e-resept gyldig?</h2>"
        f"<p>En e-resept er gyldig i ett år.{extra}</p><p>{useful.format(count)}</p>"
    )
    return article(title, body)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_control_over_all_answers_is_no_content(lang: str) -> None:
    assert kinds(faq(lang, False), faq(lang, True)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_the_count_of_readers_who_found_it_useful_is_furniture(lang: str) -> None:
    assert kinds(faq(lang, False, "1 204"), faq(lang, False, "1 311")) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_answer_changed_beside_them_is_read(lang: str) -> None:
    before = faq(lang, False)
    assert kinds(before, faq(lang, True, "1 311", " Vanedannende legemidler: kortere.")) == [
        "changed"
    ]


def test_a_sentence_about_usefulness_or_answers_is_read() -> None:
    before = article("Undersøkelse", "<p>Vis alle svar fra undersøkelsen i tabellen under.</p>")
    after = article("Undersøkelse", "<p>Vis alle svar fra undersøkelsen i figuren under.</p>")
    assert kinds(before, after) == ["changed"]
    before = article("Undersøkelse", "<p>I fjor mente 80 prosent at tjenesten var nyttig.</p>")
    after = article("Undersøkelse", "<p>I fjor mente 60 prosent at tjenesten var nyttig.</p>")
    assert kinds(before, after) == ["changed"]
