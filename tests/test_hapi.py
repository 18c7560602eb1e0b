"""Helsedirektoratet's content API (HAPI) adapter, against trimmed real responses.

Fixtures in tests/fixtures/hapi/ are trimmed copies of real HAPI answers
(© Helsedirektoratet, NLOD licence); ``rundskriv-slashdato.json`` has its
``sistFagligOppdatert`` rewritten to the slash form HAPI also uses.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from feeds.errors import SourceProblem
from feeds.fetch.client import HAPI_KEY_HEADER, Fetcher, FetchPolicy
from feeds.read.hapi import VOLATILE_FIELDS, extract_hapi, hapi_signal, parse_hapi_date
from tests.support.httpserver import FixtureServer

FIXTURES = Path(__file__).parent / "fixtures" / "hapi"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def as_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(fixture(name).decode("utf-8-sig"))
    return data


def encode(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


# (fixture, expected last path part of each section, sistFagligOppdatert in UTC)
CASES = [
    (
        "kapittel.json",
        ["Fagspesifikk innledning - psykisk helsevern for voksne", "Status"],
        datetime(2015, 10, 6, 13, 53, tzinfo=UTC),
    ),
    (
        "rad.json",
        [
            "Kommunen bør i samråd med aktuelle leger utarbeide kriterier for hvilke pasienter/pasientgrupper som kan tilbys multidose",
            "Praktisk",
            "Begrunnelse",
            "Status",
        ],
        datetime(2020, 3, 2, 23, 0, tzinfo=UTC),
    ),
    (
        "veileder.json",
        ["Status", "Innhold"],
        datetime(2018, 10, 29, 9, 18, tzinfo=UTC),
    ),
    (
        "rundskriv-slashdato.json",
        ["Status", "Innhold"],
        datetime(2019, 3, 12, 9, 53, 46, tzinfo=UTC),
    ),
    ("retningslinje.json", ["Status"], datetime(2012, 5, 31, 22, 0, tzinfo=UTC)),
]


@pytest.mark.parametrize(("name", "tails", "signal"), CASES)
def test_fixture_sections_and_signal(name: str, tails: list[str], signal: datetime) -> None:
    content = extract_hapi(fixture(name))
    assert [s.path[-1] for s in content.sections] == tails
    assert content.title == as_json(name)["tittel"].strip()
    assert hapi_signal(fixture(name)) == signal
    assert content.updated == signal.isoformat()


def test_path_is_the_title_chain() -> None:
    content = extract_hapi(fixture("rad.json"))
    assert content.sections[0].path[:2] == (
        "Nasjonale faglige råd for multidoseordningen",
        "Samhandling og rutiner",
    )
    text = content.sections[0].text
    assert "\xa0" not in text and "<p>" not in text
    assert text.startswith("Kriteriene bør omfatte")


def test_chapter_html_becomes_text_lines() -> None:
    content = extract_hapi(fixture("kapittel.json"))  # this fixture starts with a BOM
    assert fixture("kapittel.json").startswith(b"\xef\xbb\xbf")
    lines = content.sections[0].text.split("\n")
    assert lines[0] == "Tilstander i prioriteringsveilederen"


def test_children_titles_are_the_table_of_contents() -> None:
    content = extract_hapi(fixture("veileder.json"))
    toc = content.sections[-1]
    assert toc.path[-1] == "Innhold"
    assert toc.text.split("\n")[:2] == [
        "Formål og virkeområde",
        "Styringssystem - ansvar og definisjon",
    ]


@pytest.mark.parametrize("field", sorted(VOLATILE_FIELDS))
def test_volatile_fields_do_not_change_the_digest(field: str) -> None:
    obj = as_json("rad.json")
    before = extract_hapi(encode(obj)).digest
    obj[field] = "2099-01-01T00:00:00.0000000+00:00"
    assert extract_hapi(encode(obj)).digest == before


def test_reimport_alone_is_no_change_but_an_edit_is() -> None:
    obj = as_json("anbefaling.json")
    before = extract_hapi(encode(obj))
    obj["sistImportertTilHapi"] = "2026-11-23T00:30:00.1+00:00"
    assert extract_hapi(encode(obj)) == before
    obj["tekst"] = obj["tekst"].replace("sentrale", "viktige", 1)
    assert extract_hapi(encode(obj)).digest != before.digest
    obj["status"] = "Utgått"
    assert extract_hapi(encode(obj)).sections[-1].text == "Utgått"


def test_the_order_of_a_field_map_is_no_change_but_its_text_is() -> None:
    """A re-serialisation may reorder the keys of ``nokkelInfo``: its lines keep one order
    (the labelled fields in ``DATA_LABELS`` order, then the others by name)."""
    info = {
        "verdierOgPreferanser": "<p>De fleste ønsker kort behandling.</p>",
        "ukjentFelt": "<p>Annet.</p>",
        "fordelerOgUlemper": "<p>Lite resistensdrivende.</p>",
    }
    obj = {"tittel": "Anbefaling", "tekst": "<p>Gjør slik.</p>", "data": {"nokkelInfo": info}}
    before = extract_hapi(encode(obj))
    obj["data"] = {"nokkelInfo": dict(reversed(list(info.items())))}
    after = extract_hapi(encode(obj))
    assert after == before and after.digest == before.digest
    (section,) = [s for s in after.sections if s.path[-1] == "Nøkkelinformasjon"]
    assert [line.split(":")[0] for line in section.text.split("\n")] == [
        "fordelerOgUlemper",
        "verdierOgPreferanser",
        "ukjentFelt",
    ]
    obj["data"]["nokkelInfo"]["ukjentFelt"] = "<p>Noe annet.</p>"
    assert extract_hapi(encode(obj)).digest != before.digest


def test_embedded_children_become_sections_under_their_parent() -> None:
    parent = {
        "tittel": "Veileder",
        "tekst": "<p>Om veilederen.</p>",
        "status": "Gjeldende",
        "barn": [
            {"tittel": "Kapittel 1", "tekst": "<p>Første.</p>"},
            {
                "tittel": "Kapittel 2",
                "barn": [{"tittel": "Anbefaling", "intro": "<p>Gjør slik.</p>"}],
            },
        ],
    }
    content = extract_hapi(encode(parent))
    assert [(s.path, s.text) for s in content.sections] == [
        (("Veileder",), "Om veilederen."),
        (("Veileder", "Status"), "Gjeldende"),
        (("Veileder", "Kapittel 1"), "Første."),
        (("Veileder", "Kapittel 2", "Anbefaling", "Ingress"), "Gjør slik."),
    ]


def test_a_list_answer_is_every_object() -> None:
    items = [as_json("rad.json"), as_json("kapittel.json")]
    content = extract_hapi(encode(items))
    assert len(content.sections) == 6
    assert hapi_signal(encode(items)) == datetime(2020, 3, 2, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>Service Unavailable</html>", "not JSON"),
        (b'"text"', "neither an object"),
        (b'{"tittel": "Tom", "tekst": ""}', "no object with text"),
    ],
)
def test_not_hapi_content_is_a_source_problem(body: bytes, message: str) -> None:
    with pytest.raises(SourceProblem, match=message):
        extract_hapi(body)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-18T14:41", datetime(2024, 1, 18, 13, 41, tzinfo=UTC)),  # CET
        ("2024-07-18T14:41", datetime(2024, 7, 18, 12, 41, tzinfo=UTC)),  # CEST
        (
            "2025-09-13T12:48:44.6599881+00:00",
            datetime(2025, 9, 13, 12, 48, 44, 659988, tzinfo=UTC),
        ),
        ("03/12/2019 10:53:46", datetime(2019, 3, 12, 9, 53, 46, tzinfo=UTC)),
        ("25/12/2019 10:53:46", datetime(2019, 12, 25, 9, 53, 46, tzinfo=UTC)),
        ("2020-03-03T00:00:00+00:00", datetime(2020, 3, 3, 0, 0, tzinfo=UTC)),
        ("", None),
        (None, None),
        ("i går", None),
    ],
)
def test_parse_hapi_date(value: object, expected: datetime | None) -> None:
    assert parse_hapi_date(value) == expected


async def test_fetched_with_its_key_from_a_real_server(http: FixtureServer) -> None:
    http.set("/innhold/rad/1", fixture("rad.json"), headers={"Content-Type": "application/json"})
    policy = FetchPolicy(
        allow_private=True,
        per_host_min_gap=0,
        host_headers={"127.0.0.1": {HAPI_KEY_HEADER: "key-from-settings"}},
    )
    async with Fetcher(policy) as fetcher:
        result = await fetcher.fetch(http.url("/innhold/rad/1"))
    assert http.requests[-1][1][HAPI_KEY_HEADER] == "key-from-settings"
    assert extract_hapi(result.body) == extract_hapi(fixture("rad.json"))
