"""The bundled source catalogue (feeds/data/sources.toml) and the catalogue's error messages."""

from __future__ import annotations

import csv
import re
import tomllib
from typing import Any
from urllib.parse import urlsplit

import pytest
from lxml.cssselect import CSSSelector

from feeds.catalogue import DEFAULT_CATALOGUE, KINDS, SourceSpec, load_catalogue, parse_catalogue
from feeds.classify import load_taxonomy
from feeds.errors import CatalogueError

AUTHORITIES = {"regjeringen", "fhi", "helsedirektoratet", "lovdata", "statsforvalteren"}
OFFICES = DEFAULT_CATALOGUE.parent / "statsforvaltere.csv"
SPECS = load_catalogue()
RAW: list[dict[str, Any]] = tomllib.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))["source"]


def ids(spec: SourceSpec) -> str:
    return spec.key


def test_keys_are_unique_and_every_authority_is_covered() -> None:
    keys = [s.key for s in SPECS]
    assert len(keys) == len(set(keys))
    assert {s.authority for s in SPECS} == AUTHORITIES
    assert sum(s.enabled for s in SPECS) >= 10


@pytest.mark.parametrize("spec", SPECS, ids=ids)
def test_source_is_well_formed(spec: SourceSpec) -> None:
    parts = urlsplit(spec.url)
    assert parts.scheme == "https" and parts.hostname, spec.url
    assert spec.authority in AUTHORITIES
    assert spec.name and spec.name != spec.key
    assert 5 <= spec.interval_minutes <= 24 * 60
    assert set(spec.subtopics) <= load_taxonomy().slugs()
    for css in (spec.selector, spec.link_selector, *spec.drop):
        if css is not None:
            CSSSelector(css)  # raises on a selector lxml cannot parse
    for pattern in (*spec.noise, *((spec.link_pattern,) if spec.link_pattern else ())):
        re.compile(pattern)


@pytest.mark.parametrize("entry", RAW, ids=lambda e: str(e["key"]))
def test_disabled_or_unverified_sources_say_why(entry: dict[str, Any]) -> None:
    if entry.get("enabled", True) is False:
        assert entry.get("notes"), f"{entry['key']}: a disabled source needs notes saying why"


def test_link_pattern_matches_a_plausible_chapter() -> None:
    by_key = {s.key: s for s in SPECS}
    guide = by_key["fhi-smittevernveilederen"]
    assert guide.link_pattern is not None
    assert re.search(guide.link_pattern, guide.url + "sykdommer-a-a/influensa/")
    assert not re.search(guide.link_pattern, "https://www.fhi.no/nyheter/x/")


def test_every_statsforvalter_office_has_a_source() -> None:
    with OFFICES.open(encoding="utf-8") as handle:
        offices = list(csv.DictReader(handle))
    assert len(offices) == 10
    urls = {s.url for s in SPECS if s.authority == "statsforvalteren"}
    assert urls == {row["nyheter_rss_pattern_unverified"] for row in offices}


def test_lovdata_covid_regulation_watches_body_and_key_info() -> None:
    spec = next(s for s in SPECS if s.key == "lovdata-covid19-forskriften")
    assert spec.url.endswith("/dokument/SF/forskrift/2020-03-27-470")
    assert spec.selector is not None
    assert "main.documentBody" in spec.selector and "dl.data-document-key-info" in spec.selector


def test_hapi_sources_use_the_content_api_and_wait_for_a_key() -> None:
    hapi = [s for s in load_catalogue() if s.kind == "hapi"]
    assert hapi and "hapi" in KINDS
    assert all(s.url.startswith("https://api.helsedirektoratet.no/innhold/") for s in hapi)
    assert not any(s.enabled for s in hapi)  # no key is configured by default


GOOD: dict[str, Any] = {
    "key": "k",
    "kind": "page",
    "url": "https://example.no/",
    "authority": "fhi",
    "name": "Eksempel",
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "magic"}, "kind"),
        ({"url": "example.no/side"}, "url"),
        ({"url": None}, "url"),
        ({"interval_minutes": 0}, "interval_minutes"),
        ({"drop": ".x"}, "drop"),
        ({"authority": ""}, "authority"),
        ({"link_pattern": "(unclosed"}, "link_pattern"),
        ({"noise": ["[a-"]}, "noise"),
        ({"kind": "listing"}, "link_selector"),
        ({"selecter": "main"}, "selecter"),
    ],
)
def test_catalogue_errors_name_the_source_and_the_field(change: dict[str, Any], field: str) -> None:
    entry = {**GOOD, **change}
    entry = {k: v for k, v in entry.items() if v is not None}
    with pytest.raises(CatalogueError) as info:
        parse_catalogue([entry], origin="test.toml")
    message = str(info.value)
    assert field in message
    assert "source #1" in message
    if field != "selecter":  # unknown fields are reported before the key is read
        assert "(k)" in message


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(CatalogueError, match="'k' appears twice"):
        parse_catalogue([GOOD, GOOD])
