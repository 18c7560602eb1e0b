"""Blind rounds 107 to 110's rules, both ways, bokmål and nynorsk:

- a line of fields with a page's stamp, its share counter and a feedback link is furniture;
- words spelt in another accepted form of nynorsk ("heime" / "heima", "nokre" / "nokon",
  "berre" / "bare") are no change in a section's text, as in a heading; a synonym is told;
- a letter's note that it was approved electronically is furniture, in any office's words;
- a share bar's "Skriv ut / lagre som PDF" is furniture.
"""

from __future__ import annotations

import pytest

from tests.support.pages import article, kinds

ADVICE = {
    "nb": "<h2>Råd</h2><p>Barn med feber skal være hjemme til de er feberfrie.</p>",
    "nn": "<h2>Råd</h2><p>Born med feber skal vere heime til dei er feberfrie.</p>",
}
FIELDS = [
    ("<p>Sist oppdatert 01.12.2026 · Delt 128 ganger · Gi tilbakemelding på siden</p>",
     "<p>Sist oppdatert 05.12.2026 · Delt 341 ganger · Gi tilbakemelding på siden</p>"),
    ("<p>Sist endra 01.12.2026 · Lese 1 204 gonger</p>",
     "<p>Sist endra 05.12.2026 · Lese 2 310 gonger</p>"),
    ("<p>Dokumentet er elektronisk godkjent</p>",
     "<p>Dokumentet er elektronisk godkjent og har difor ikkje handskrivne signaturar.</p>"),
    ("<p>Dokumentet er elektronisk godkjent.</p>",
     "<p>Dokumentet er elektronisk godkjent og har derfor ingen håndskrevne signaturer.</p>"),
    ("", "<div class='tools'><button>Del på Facebook</button> <button>Skriv ut / lagre som PDF</button></div>"),
]  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize(("before", "after"), FIELDS)
def test_furniture_of_letters_and_stamps_changes_nothing(
    lang: str, before: str, after: str
) -> None:
    a, b = (article("Brev", ADVICE[lang] + x) for x in (before, after))
    assert kinds(a, b) == []
    assert kinds(b, a) == []


def test_a_counter_in_a_sentence_is_read() -> None:
    a, b = (
        article("Brev", f"<p>Rettleiaren er delt {n} gonger med kommunane i år.</p>")
        for n in (12, 14)
    )
    assert kinds(a, b) == ["changed"]


VARIANTS = [
    ("Born med feber skal vere heime.", "Born med feber skal vere heima."),
    ("Nokre abonnentar må koke vatnet.", "Nokon abonnentar må koke vatnet."),
    ("Det gjeld berre for tilsette.", "Det gjeld bare for tilsette."),
    ("Skulen held ope kvar veke.", "Skolen held ope kvar uke."),
]


@pytest.mark.parametrize(("a", "b"), VARIANTS)
def test_words_spelt_in_another_accepted_form_say_the_same(a: str, b: str) -> None:
    x, y = (
        article("Råd", f"<h2>Råd</h2><p>{t} Elles gjeld dei vanlege reglane.</p>") for t in (a, b)
    )
    assert kinds(x, y) == []
    assert kinds(y, x) == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Vaksinen er tilrådd for alle.", "Vaksinen er anbefalt for alle."),
        ("Born med feber skal vere heime.", "Born med feber skal vere heime i to dagar."),
        ("Det gjeld berre for tilsette.", "Det gjeld ikkje for tilsette."),
    ],
)
def test_a_synonym_or_another_word_is_told(a: str, b: str) -> None:
    x, y = (article("Råd", f"<h2>Råd</h2><p>{t}</p>") for t in (a, b))
    assert kinds(x, y) == ["changed"]
