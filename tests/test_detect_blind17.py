"""The seventeenth blind round's two decided cases (tests/fixtures/detect_open/OPEN.md).

A new section is reported with each new section below it, on pages and in HAPI answers alike
(`hapi_list_new_recommendation_added_sinusitis`: the expectation was changed to the corpus's
rule); a heading renamed over the same text is reported as one change
(`doc_chapter_retitled_only_same_text_nynorsk`, open). Both ways: what is new stands on its
own, and what is unchanged beside it is not reported."""

from __future__ import annotations

import json
from typing import Any

from feeds.detect.diff import diff_pages
from feeds.read.hapi import extract_hapi
from tests.support.pages import changed

ROOT = "Antibiotikabruk i primærhelsetjenesten"
CHAPTER = "Halsinfeksjoner"


def _recommendation(title: str, text: str) -> dict[str, Any]:
    return {
        "id": title,
        "tittel": title,
        "tekst": f"<p>{text}</p>",
        "status": "Gjeldende",
        "sistOppdatert": "2025-09-13T12:48",
        "links": [
            {"rel": "forelder", "type": "kapittel", "tittel": CHAPTER},
            {"rel": "root", "type": "retningslinje", "tittel": ROOT},
        ],
    }


TONSIL = _recommendation("Behandling av streptokokktonsillitt", "Penicillin i 5 dager.")
OTITIS = _recommendation("Behandling av akutt otitis media", "Observasjon i 1–3 døgn.")
SINUS = _recommendation("Behandling av akutt bihulebetennelse", "Ingen antibiotika i 10 dager.")


def _hapi_changes(
    before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> list[tuple[str, tuple[str, ...]]]:
    def read(objs: list[dict[str, Any]]) -> Any:
        return extract_hapi(json.dumps(objs, ensure_ascii=False).encode())

    return [(c.kind, c.path) for c in diff_pages(read(before), read(after))]


# ------------------------------------------------------- a new section and the ones below it


def test_a_new_recommendation_is_reported_with_its_status_as_a_new_section_is_with_its_own() -> (
    None
):
    new = (ROOT, CHAPTER, SINUS["tittel"])
    assert _hapi_changes([TONSIL, OTITIS], [TONSIL, OTITIS, SINUS]) == [
        ("added", new),
        ("added", (*new, "Status")),
    ]
    # a page's new h2 with its h3: each its own addition, the rule the HAPI answer follows
    before = "<main><h1>Sjukdom</h1><p>Om sjukdomen.</p></main>"
    after = (
        "<main><h1>Sjukdom</h1><p>Om sjukdomen.</p><h2>Behandling</h2><p>Kvile og drikke.</p>"
        "<h3>Når ein skal kontakte lege</h3><p>Ved høg feber over tre dagar.</p></main>"
    )
    assert changed(before, after) == [
        ("added", ("Sjukdom", "Behandling")),
        ("added", ("Sjukdom", "Behandling", "Når ein skal kontakte lege")),
    ]


def test_a_new_subsection_under_an_existing_section_is_its_own_addition() -> None:
    before = "<main><h1>Sykdom</h1><h2>Behandling</h2><p>Hvile og drikke.</p></main>"
    after = (
        "<main><h1>Sykdom</h1><h2>Behandling</h2><p>Hvile og drikke.</p>"
        "<h3>Når man skal kontakte lege</h3><p>Ved høy feber over tre dager.</p></main>"
    )
    assert changed(before, after) == [
        ("added", ("Sykdom", "Behandling", "Når man skal kontakte lege"))
    ]
    # a recommendation gaining a field: the field alone
    with_practice = {**OTITIS, "data": {"praktisk": "<p>Gi smertestillende.</p>"}}
    assert _hapi_changes([TONSIL, OTITIS], [TONSIL, with_practice]) == [
        ("added", (ROOT, CHAPTER, OTITIS["tittel"], "Praktisk"))
    ]


def test_a_new_recommendation_beside_an_edit_of_another_is_both() -> None:
    edited = {**TONSIL, "tekst": "<p>Penicillin i 10 dager.</p>"}
    new = (ROOT, CHAPTER, SINUS["tittel"])
    assert _hapi_changes([TONSIL, OTITIS], [edited, OTITIS, SINUS]) == [
        ("changed", (ROOT, CHAPTER, TONSIL["tittel"])),
        ("added", new),
        ("added", (*new, "Status")),
    ]


def test_unchanged_recommendations_and_a_reimport_are_no_change() -> None:
    reimported = [{**o, "sistOppdatert": "2026-12-01T08:00"} for o in (TONSIL, OTITIS)]
    assert _hapi_changes([TONSIL, OTITIS], reimported) == []


# ------------------------------------------------------------ a heading renamed, same text


def test_a_heading_renamed_over_the_same_text_is_one_change() -> None:
    before = "<main><h1>Vaksinasjon av tilsette</h1><p>Tilsette bør ta influensavaksine.</p></main>"
    after = "<main><h1>Vaksinering av tilsette</h1><p>Tilsette bør ta influensavaksine.</p></main>"
    assert changed(before, after) == [("changed", ("Vaksinering av tilsette",))]
    assert changed(before, before) == []
