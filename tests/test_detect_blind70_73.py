"""Blind rounds 70 to 73's rules, both ways, bokmål and nynorsk:

- a live log's stamp without a year ("Sist oppdatert 6. desember kl. 09.15. Neste
  oppdatering kl. 16."), a publisher named after a stamp, and a ticking countdown with its
  seconds are furniture; a sentence that starts so is read;
- entries whose headings only got their words shared out otherwise (a day heading put above
  them, or taken away) say the same; a word of a heading changed on the way is told;
- a passage laid out as a list, or a list written out as a passage, with the same words says
  the same; an item dropped or a hyphen taken out on the way is told;
- a name written out beside its abbreviation, or the abbreviation alone, says the same;
  another abbreviation is told;
- a <summary> that only tells the reader to open it ("Vis tidligere sesonger") is the
  toggle's wording; a question as the summary is read.
"""

from __future__ import annotations

import pytest

from tests.support.pages import article, kinds, text

ENTRY = {
    "nb": "Det er satt ut en vanntank ved Fjellvik skule. Ta med egne kanner.",
    "nn": "Det er sett ut ein vasstank ved Fjellvik skule. Ta med eigne kanner.",
}


def log(stamp: str, lang: str = "nb", extra: str = "") -> str:
    return f"<p>{stamp}</p>{extra}<h2>Kl. 09.15: Vanntank</h2><p>{ENTRY[lang]}</p>"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "Sist oppdatert 6. desember kl. 09.15. Neste oppdatering kl. 12.",
            "Sist oppdatert 6. desember kl. 11.40. Neste oppdatering kl. 16.",
        ),
        ("Sist oppdatert kl. 09.15", "Sist oppdatert kl. 11.40"),
        ("Sist endra måndag 6. des. kl. 09.15", "Sist endra tysdag 7. des. kl. 08.00"),
        (
            "Oppdatert 6. desember kl. 14.30 · Helse- og omsorgsdepartementet",
            "Oppdatert 6. desember kl. 16.05 · Helse- og omsorgsdepartementet",
        ),
        (
            "Publisert 01.12.2026 · Statsforvaltaren i Vestland",
            "Publisert 04.12.2026 · Statsforvaltaren i Vestland",
        ),
        ("Neste pressebrifing om 02:14:32", "Neste pressebrifing om 00:09:05"),
    ],
)
@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_live_logs_stamps_and_clocks_are_furniture(lang: str, old: str, new: str) -> None:
    assert kinds(article("Kokevarsel", log(old, lang)), article("Kokevarsel", log(new, lang))) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Endret 5. ledd om karantene.", "Endret 6. ledd om karantene."),
        (
            "Oppdatert 6. desember · Nye råd om testing",
            "Oppdatert 6. desember · Nye råd om isolasjon",
        ),
        (
            "Oppdatert 6. desember · Nye råd fra Helsedirektoratet",
            "Oppdatert 6. desember · Nye råd fra Folkehelseinstituttet",
        ),
        (
            "Skolene stenger om 02:14:32. Hold barna hjemme.",
            "Skolene stenger om 00:09:05. Hold barna hjemme.",
        ),
        (
            "Sist oppdatert 6. desember kl. 09.15: skolene stenger",
            "Sist oppdatert 6. desember kl. 09.15: skolene åpner",
        ),
    ],
)
def test_lines_that_start_like_a_stamp_are_read(old: str, new: str) -> None:
    assert kinds(article("Kokevarsel", log(old)), article("Kokevarsel", log(new))) == ["changed"]


def flat(lang: str, entry: str = "Vanntank utplassert") -> str:
    return (
        f"<h2>6. desember kl. 09.15: {entry}</h2><p>{ENTRY[lang]}</p>"
        f"<h2>5. desember kl. 12.30: Kokevarsel innført</h2><p>{ENTRY[lang]} Kok vannet.</p>"
    )


def grouped(lang: str, entry: str = "Vanntank utplassert") -> str:
    return (
        f"<h2>6. desember</h2><h3>Kl. 09.15: {entry}</h3><p>{ENTRY[lang]}</p>"
        f"<h2>5. desember</h2><h3>Kl. 12.30: Kokevarsel innført</h3><p>{ENTRY[lang]} Kok vannet.</p>"
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_entries_filed_under_day_headings_say_the_same(lang: str) -> None:
    assert kinds(article("Siste nytt", flat(lang)), article("Siste nytt", grouped(lang))) == []
    assert kinds(article("Siste nytt", grouped(lang)), article("Siste nytt", flat(lang))) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_entrys_heading_edited_while_filed_is_told(lang: str) -> None:
    edited = grouped(lang, "Vanntank fjernet")
    assert kinds(article("Siste nytt", flat(lang)), article("Siste nytt", edited)) == ["changed"]


PASSAGE = {
    "nb": (
        "<p>Syke barn bør holdes hjemme til de har fått antibiotika i 5 dager, eller til det har "
        "gått 3 uker siden hostestart.</p>"
    ),
    "nn": (
        "<p>Sjuke born bør haldast heime til dei har fått antibiotika i 5 dagar, eller til det "
        "har gått 3 veker sidan hostestart.</p>"
    ),
}
LISTED = {
    "nb": (
        "<p>Syke barn bør holdes hjemme til</p><ul><li>de har fått antibiotika i 5 dager, "
        "eller</li><li>til det har gått 3 uker siden hostestart.</li></ul>"
    ),
    "nn": (
        "<p>Sjuke born bør haldast heime til</p><ul><li>dei har fått antibiotika i 5 dagar, "
        "eller</li><li>til det har gått 3 veker sidan hostestart.</li></ul>"
    ),
}
STEPS = {
    "nb": (
        "<p>Ved mistanke om utbrudd skal institusjonen:</p><ul><li>varsle kommuneoverlegen "
        "samme dag,</li><li>registrere alle syke beboere,</li><li>vurdere behandling av "
        "ikke-vaksinerte beboere.</li></ul>"
    ),
    "nn": (
        "<p>Ved mistanke om utbrot skal institusjonen:</p><ul><li>varsle kommuneoverlegen same "
        "dag,</li><li>registrere alle sjuke bebuarar,</li><li>vurdere behandling av "
        "ikkje-vaksinerte bebuarar.</li></ul>"
    ),
}


def as_sentence(listed: str) -> str:
    return (
        listed.replace("</p><ul><li>", " ").replace("</li><li>", " ").replace("</li></ul>", "</p>")
    )


def section(body: str) -> str:
    return f"<h2>Tiltak</h2>{body}<p>Ring legevakt ved forverring.</p>"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_passage_laid_out_as_a_list_says_the_same(lang: str) -> None:
    before, after = (
        article("Kikhoste", section(PASSAGE[lang])),
        article("Kikhoste", section(LISTED[lang])),
    )
    assert kinds(before, after) == []
    assert kinds(after, before) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_list_written_out_as_a_sentence_says_the_same(lang: str) -> None:
    listed, written = section(STEPS[lang]), section(as_sentence(STEPS[lang]))
    assert kinds(article("Utbrot", listed), article("Utbrot", written)) == []
    assert kinds(article("Utbrot", written), article("Utbrot", listed)) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_item_lost_or_a_hyphen_taken_out_in_the_rewrite_is_told(lang: str) -> None:
    listed = section(STEPS[lang])
    dropped = as_sentence(STEPS[lang].replace("<li>registrere", "<li>ikkje registrere"))
    assert kinds(article("Utbrot", listed), article("Utbrot", section(dropped))) == ["changed"]
    unhyphened = as_sentence(STEPS[lang]).replace("-vaksinerte", " vaksinerte")
    assert kinds(article("Utbrot", listed), article("Utbrot", section(unhyphened))) == ["changed"]


SOURCE = {
    "nb": "<h2>Meldte tilfeller</h2><p>Antallet har økt. Kilde: {}, Folkehelseinstituttet.</p>",
    "nn": "<h2>Melde tilfelle</h2><p>Talet har auka. Kjelde: {}, Folkehelseinstituttet.</p>",
}


@pytest.mark.parametrize(
    "long",
    [
        "Meldingssystem for smittsomme sykdommer (MSIS)",
        "MSIS (Meldingssystem for smittsomme sykdommer)",
    ],
)
@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_name_beside_its_abbreviation_or_the_abbreviation_alone_say_the_same(
    lang: str, long: str
) -> None:
    written, short = (
        article("Kikhoste", SOURCE[lang].format(long)),
        article("Kikhoste", SOURCE[lang].format("MSIS")),
    )
    assert kinds(written, short) == []
    assert kinds(short, written) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_another_abbreviation_is_told(lang: str) -> None:
    written = article(
        "Kikhoste", SOURCE[lang].format("Meldingssystem for smittsomme sykdommer (MSIS)")
    )
    other = article("Kikhoste", SOURCE[lang].format("SYSVAK"))
    assert kinds(written, other) == ["changed"]
    assert kinds(article("Kikhoste", SOURCE[lang].format("MSIS")), other) == ["changed"]


ARCHIVE = {
    "nb": "<h3>Sesongen 2025/2026</h3><p>Vaksinen ble tilbudt fra uke 41.</p>",
    "nn": "<h3>Sesongen 2025/2026</h3><p>Vaksinen vart tilboden frå veke 41.</p>",
}


@pytest.mark.parametrize(
    ("lang", "toggle"), [("nb", "Vis tidligere sesonger"), ("nn", "Sjå tidlegare sesongar")]
)
def test_an_archive_put_behind_a_toggle_says_the_same(lang: str, toggle: str) -> None:
    plain = f"<h2>Tidligere sesonger</h2>{ARCHIVE[lang]}"
    folded = (
        f"<h2>Tidligere sesonger</h2><details><summary>{toggle}</summary>{ARCHIVE[lang]}</details>"
    )
    assert kinds(article("Influensa", plain), article("Influensa", folded)) == []
    assert toggle not in text(f"<main><h1>Influensa</h1>{folded}</main>")


@pytest.mark.parametrize(
    ("lang", "question"), [("nb", "Hvem bør vaksineres?"), ("nn", "Kven bør vaksinerast?")]
)
def test_a_question_as_the_summary_is_read(lang: str, question: str) -> None:
    body = (
        f"<h2>Spørsmål</h2><details><summary>{question}</summary><p>Alle over 65 år.</p></details>"
    )
    assert question in text(f"<main><h1>Influensa</h1>{body}</main>")
