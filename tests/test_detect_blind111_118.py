"""Blind rounds 111 to 118's rules, both ways, bokmål and nynorsk:

- footnote marks renamed together ("1" -> "a") whose notes start with their own mark say the
  same;
- a share counter after a page's stamp on its date line is furniture;
- a clinical text's characters written another way say the same: "½" and "1/2", "℃" and
  "°C", "β" and "beta", subscript digits and <sub>, "±" and "+/-"; a dose changed is told;
- a group's heading numbered another way ("Gruppe 1: X" -> "1. X") says the same;
- a feedback widget's count of answers or share of yes, and a stock photo's credit on a line
  of its own ("Illustrasjonsfoto: Colourbox"), are furniture (rounds 116 to 118).
"""

from __future__ import annotations

import pytest

from tests.support.pages import article, kinds


def noted(marks: tuple[str, str], lang: str) -> str:
    a, b = marks
    cond = {
        "nb": ("Revmatoid artritt", "Bekhterevs sykdom"),
        "nn": ("Revmatoid artritt", "Bekhterevs sjukdom"),
    }[lang]
    rows = (
        f"<tr><td>{cond[0]}<sup><a href='#fn1'>{a}</a></sup></td><td>2 veker</td></tr>"
        f"<tr><td>{cond[1]}<sup><a href='#fn2'>{b}</a></sup></td><td>8 veker</td></tr>"
    )
    notes = (
        f"<ol><li id='fn1'><span class='fn-mark'>{a}</span> Gjeld pasientar utan kjend sjukdom.</li>"
        f"<li id='fn2'><span class='fn-mark'>{b}</span> MR bør vere teken før tilvising.</li></ol>"
    )
    return article(
        "Prioriteringsrettleiar",
        f"<h2>Fristar</h2><table><tr><th>Tilstand</th><th>Frist</th></tr>{rows}</table>{notes}",
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_footnote_marks_renamed_with_their_notes_own_marks_say_the_same(lang: str) -> None:
    assert kinds(noted(("1", "2"), lang), noted(("a", "b"), lang)) == []
    assert kinds(noted(("a", "b"), lang), noted(("1", "2"), lang)) == []


STAMP = {
    "nb": "<p><span>Sist oppdatert {d}.02.2021 kl. 09:14</span> <span>Delt {n} ganger</span> <a href='#'>Skriv ut</a></p>",
    "nn": "<p><span>Sist oppdatert {d}.02.2021 kl. 09:14</span> <span>Delt {n} gonger</span> <a href='#'>Skriv ut</a></p>",
}
BODY = {
    "nb": "<h2>Råd</h2><p>Vaksinen anbefales for alle over 65 år.</p>",
    "nn": "<h2>Råd</h2><p>Vaksinen er tilrådd for alle over 65 år.</p>",
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_share_counter_after_the_stamp_is_furniture(lang: str) -> None:
    a, b = (
        article("Koronavaksine", STAMP[lang].format(d=d, n=n) + BODY[lang])
        for d, n in ((12, 214), (15, 231))
    )
    assert kinds(a, b) == []
    assert kinds(b, a) == []


WRITTEN = [
    ("Gi ½ tablett paracetamol.", "Gi 1/2 tablett paracetamol."),
    ("Oppbevar ved 2–8 ℃.", "Oppbevar ved 2–8 °C."),
    ("Ved β-laktamallergi gis klindamycin.", "Ved beta-laktamallergi gis klindamycin."),
    ("Ta blodgass ved SpO₂ under 94 %.", "Ta blodgass ved SpO<sub>2</sub> under 94 %."),
    ("Base excess: 0 ± 3 mmol/L.", "Base excess: 0 +/- 3 mmol/L."),
]


@pytest.mark.parametrize(("a", "b"), WRITTEN)
@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_clinical_text_written_with_other_characters_says_the_same(
    lang: str, a: str, b: str
) -> None:
    x, y = (article("Dosering", f"{BODY[lang]}<h2>Dose</h2><p>{t}</p>") for t in (a, b))
    assert kinds(x, y) == []
    assert kinds(y, x) == []


@pytest.mark.parametrize(
    ("a", "b"),
    [("Gi ½ tablett paracetamol.", "Gi 1 tablett paracetamol."),
     ("Oppbevar ved 2–8 ℃.", "Oppbevar ved 2–25 °C."),
     ("Base excess: 0 ± 3 mmol/L.", "Base excess: 0 +/- 5 mmol/L.")],
)  # fmt: skip
def test_a_dose_or_a_range_changed_is_told(a: str, b: str) -> None:
    x, y = (article("Dosering", f"<h2>Dose</h2><p>{t}</p>") for t in (a, b))
    assert kinds(x, y) == ["changed"]


GROUPS = {
    "nb": ["Personer over 85 år", "Personer 75–84 år", "Personer med risikotilstander"],
    "nn": ["Personar over 85 år", "Personar 75–84 år", "Personar med risikotilstandar"],
}


def grouped(groups: list[str], style: str) -> str:
    body = "".join(
        f"<h2>{style.format(n=n, g=g)}</h2><p>Tilbod frå veke {n + 6}.</p>"
        for n, g in enumerate(groups, 1)
    )
    return article("Prioritering", body)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_groups_heading_numbered_another_way_says_the_same(lang: str) -> None:
    a, b = grouped(GROUPS[lang], "Gruppe {n}: {g}"), grouped(GROUPS[lang], "{n}. {g}")
    assert kinds(a, b) == []
    assert kinds(b, a) == []


def test_a_group_renamed_is_told() -> None:
    renamed = ["Personar over 80 år", *GROUPS["nn"][1:]]
    assert kinds(grouped(GROUPS["nn"], "Gruppe {n}: {g}"), grouped(renamed, "{n}. {g}")) != []


# ----------------------------------------------------------------------------- rounds 115-118

WIDGETS = [
    ("<p>Var denne siden nyttig? 41 personer har svart.</p>",
     "<p>Var denne siden nyttig? 57 personer har svart.</p>"),
    ("<p>87 % svarte ja (1 204 svar)</p>", "<p>88 % svarte ja (1 219 svar)</p>"),
    ("", "<figure><img src='/a.jpg' alt=''><p>Illustrasjonsfoto: Colourbox</p></figure>"),
]  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize(("before", "after"), WIDGETS)
def test_a_feedback_tally_and_a_photo_credit_are_furniture(
    lang: str, before: str, after: str
) -> None:
    a, b = (article("Melding til MSIS", BODY[lang] + x) for x in (before, after))
    assert kinds(a, b) == []
    assert kinds(b, a) == []


def test_a_sentence_about_a_photo_is_read() -> None:
    a, b = (
        article("Flaum", f"<h2>Flaum</h2><p>{t}</p>")
        for t in ("Foto: Bilete frå i går.", "Foto: Bilete frå i dag.")
    )
    assert kinds(a, b) == ["changed"]
