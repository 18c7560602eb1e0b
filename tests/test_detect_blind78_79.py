"""Blind rounds 78 and 79's rules, both ways, bokmål and nynorsk:

- a regulation's paragraphs whose numbers written in the text ("(1)", "(2)") are dropped where
  the site's list numbers them itself say the same; an item edited on the way is told;
- labels that gain or lose a colon ("Hjemmel" as "Hjemmel:") say the same; a label reworded
  is told;
- what a reader sees though it stands in markup that is otherwise dropped is read: a
  <dialog> shown open that is no consent box, a declarative shadow root, a <noscript>
  fallback that holds the content and is its only copy, a frame's document in ``srcdoc``;
  a closed dialog, an open consent dialog, a plain <template>, a short "turn on JavaScript"
  notice and a fallback that copies a table the page shows are not.
"""

from __future__ import annotations

import pytest

from tests.support.pages import article, kinds, text

LEDD = {
    "nb": [
        "Det er ikke tillatt å ha mer enn 20 personer samlet innendørs.",
        "Det anbefales munnbind på offentlig transport.",
        "Besøkende til sykehjemmet skal registrere seg.",
    ],
    "nn": [
        "Det er ikkje tillate å ha meir enn 20 personar samla innandørs.",
        "Det er tilrådd munnbind på offentleg transport.",
        "Besøkande til sjukeheimen skal registrere seg.",
    ],
}


def numbered(items: list[str]) -> str:
    return "<h2>§ 3 Tiltak</h2>" + "".join(f"<p>({i}) {t}</p>" for i, t in enumerate(items, 1))


def listed(items: list[str]) -> str:
    return "<h2>§ 3 Tiltak</h2><ol>" + "".join(f"<li>{t}</li>" for t in items) + "</ol>"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_numbers_left_to_the_list_say_the_same(lang: str) -> None:
    before, after = (
        article("Forskrift", numbered(LEDD[lang])),
        article("Forskrift", listed(LEDD[lang])),
    )
    assert kinds(before, after) == []
    assert kinds(after, before) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_item_edited_while_its_number_is_dropped_is_told(lang: str) -> None:
    edited = [LEDD[lang][0].replace("20", "10"), *LEDD[lang][1:]]
    assert kinds(
        article("Forskrift", numbered(LEDD[lang])), article("Forskrift", listed(edited))
    ) == ["changed"]


def test_a_lone_number_dropped_is_told() -> None:
    before = article("Vaksine", "<h2>Dosering</h2><p>3. dose gis etter seks måneder.</p>")
    after = article("Vaksine", "<h2>Dosering</h2><p>Dose gis etter seks måneder.</p>")
    assert kinds(before, after) == ["changed"]


META = {
    "nb": [
        ("Hjemmel", "Smittevernloven § 4-1"),
        ("Vedtatt", "Fjellvik kommunestyre 3. desember 2026"),
    ],
    "nn": [
        ("Heimel", "Smittevernlova § 4-1"),
        ("Vedteke", "Fjellvik kommunestyre 3. desember 2026"),
    ],
}


def meta(pairs: list[tuple[str, str]], colon: str = "") -> str:
    return "<dl>" + "".join(f"<dt>{k}{colon}</dt><dd>{v}</dd>" for k, v in pairs) + "</dl>"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_labels_with_or_without_colons_say_the_same(lang: str) -> None:
    bare, colons = (
        article("Forskrift", meta(META[lang])),
        article("Forskrift", meta(META[lang], ":")),
    )
    assert kinds(bare, colons) == []
    assert kinds(colons, bare) == []


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_label_reworded_beside_a_colon_is_told(lang: str) -> None:
    other = [("Endra ved" if lang == "nn" else "Endret ved", META[lang][0][1]), META[lang][1]]
    assert kinds(
        article("Forskrift", meta(META[lang])), article("Forskrift", meta(other, ":"))
    ) == ["changed"]


NOTICE = {
    "nb": "Leveransen av MMR-vaksine er forsinket. Utsett dosen ved 15 måneder.",
    "nn": "Leveransen av MMR-vaksine er forseinka. Utset dosen ved 15 månader.",
}


def body(inner: str) -> str:
    return f"<main><h1>Vaksinasjonsprogrammet</h1><h2>Leveranse</h2><p>Se under.</p>{inner}</main>"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_open_dialog_with_a_notice_is_read(lang: str) -> None:
    assert NOTICE[lang] in text(body(f"<dialog open class='varsel'><p>{NOTICE[lang]}</p></dialog>"))


@pytest.mark.parametrize(
    "dialog",
    [
        "<dialog class='varsel'><p>{}</p></dialog>",
        "<dialog open class='cookie-consent'><p>{}</p></dialog>",
        "<dialog open id='nyhetsbrev-popup'><p>{}</p></dialog>",
    ],
)
def test_a_closed_dialog_or_an_open_overlay_is_not_read(dialog: str) -> None:
    assert NOTICE["nb"] not in text(body(dialog.format(NOTICE["nb"])))


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_declarative_shadow_root_is_read_and_a_template_is_not(lang: str) -> None:
    shadow = f"<div><template shadowrootmode='open'><p>{NOTICE[lang]}</p></template></div>"
    assert NOTICE[lang] in text(body(shadow))
    assert NOTICE[lang] not in text(body(f"<template><p>{NOTICE[lang]}</p></template>"))


def dose_table(dose: str) -> str:
    return (
        "<table><tr><th>Alder</th><th>Dose</th></tr><tr><td>6–35 månader</td>"
        f"<td>{dose}</td></tr><tr><td>3 år og eldre</td><td>0,5 ml</td></tr></table>"
    )


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_noscript_fallback_that_is_the_only_copy_is_read(lang: str) -> None:
    def page(dose: str) -> str:
        return body(f"<div id='dosetabell'></div><noscript>{dose_table(dose)}</noscript>")

    assert "0,7 ml" in text(page("0,7 ml"))
    before, after = article("Influensa", page("0,7 ml")), article("Influensa", page("0,5 ml"))
    assert kinds(before, after) == ["changed"]


def test_a_noscript_copy_of_a_table_shown_and_a_script_notice_are_not_read() -> None:
    copy = body(f"<noscript>{dose_table('0,7 ml')}</noscript>{dose_table('0,7 ml')}")
    assert text(copy).count("0,7 ml") == 1
    notice = body("<noscript><p>Slå på JavaScript for å se hele siden.</p></noscript>")
    assert "JavaScript" not in text(notice)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_frames_document_in_srcdoc_is_read(lang: str) -> None:
    def page(age: str) -> str:
        srcdoc = f"&lt;p&gt;Paxlovid kan forskrivast til personar over {age} år.&lt;/p&gt;"
        return body(f"<iframe title='Forskriving' srcdoc='{srcdoc}'></iframe>")

    assert "over 65 år" in text(page("65"))
    assert kinds(article("Covid", page("65")), article("Covid", page("75"))) == ["changed"]
