"""The bundled source catalogue (feeds/data/sources.toml) and the catalogue's error messages."""

from __future__ import annotations

import csv
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from lxml.cssselect import CSSSelector
from sqlmodel import Session, select

from feeds.catalogue import (
    DEFAULT_CATALOGUE,
    KINDS,
    SOURCE_FIELDS,
    SourceSpec,
    StringList,
    load_catalogue,
    parse_catalogue,
)
from feeds.classify import load_taxonomy
from feeds.errors import CatalogueError
from feeds.store.models import Source
from feeds.store.sources import load_targets, spec_of, upsert_sources
from notifier.context import Context

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


def test_the_fhi_guide_is_smittevernhandboka_with_its_chapters() -> None:
    guide = {s.key: s for s in SPECS}["fhi-smittevernveilederen"]  # key kept: its identity
    assert guide.url == "https://www.fhi.no/sm/smittevernhandboka/"
    assert guide.enabled and guide.kind == "document" and guide.name == "FHI: Smittevernhåndboka"
    assert guide.link_pattern is not None
    chapter = guide.url + "sykdommer-a-a/e-coli/"
    assert re.search(guide.link_pattern, chapter)
    assert re.search(guide.link_pattern, chapter + "?term=")  # as FHI's links carry it
    assert re.search(guide.link_pattern, chapter + "?term=&h=1")
    for other in (
        guide.url,  # the table of contents is not a chapter of itself
        "https://www.fhi.no/nyheter/x/",
        "https://www.fhi.no/sm/smittevernveilederen/sykdommer-a-a/e-coli/",
        "https://www.fhi.no/sys/sok/?term=Mycoplasma",
    ):
        assert not re.search(guide.link_pattern, other), other


def test_the_wrong_fhi_guide_address_is_gone() -> None:
    """/sm/smittevernveilederen/ is attested nowhere: a blend of the old and new addresses."""
    text = DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    assert not any("/sm/smittevernveilederen" in s.url for s in SPECS)
    assert not any("/sm/smittevernveilederen" in (s.link_pattern or "") for s in SPECS)
    assert not re.search(r"^(url|link_pattern) = .*smittevernveilederen", text, re.M)


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


# ----------------------------------------------------------------------------- evidence
# Every address was checked against stored public material (../shared/sources-verified.md,
# 2026-12-04). Each entry's notes start with the verdict for the address it has now, then cite
# the evidence; only VERIFIED and PATTERN-ONLY sources may be enabled.

VERDICTS = ("VERIFIED", "PATTERN-ONLY", "CONTRADICTED", "NO EVIDENCE")
VERDICT_RE = re.compile(r"^Evidence: (VERIFIED|PATTERN-ONLY|CONTRADICTED|NO EVIDENCE)\b")
#: what counts as a citation: a repository and a file in it, a store file id, a stored page,
#: or the project's own samples
CITATION_RE = re.compile(
    r"\b[\w.-]+/[\w.-]+\s+[\w./-]+\.(?:yaml|json|py|tsx|md)\b"
    r"|store\s+file\s+ids?\s+\d{6,}"
    r"|stored\s+pages?\b"
    r"|shared/samples/[\w./-]+",
    re.IGNORECASE,
)
#: key -> (verdict for the address in the catalogue, enabled)
EXPECTED: dict[str, tuple[str, bool]] = {
    "regjeringen-hod-aktuelt": ("PATTERN-ONLY", True),
    "regjeringen-koronasituasjonen": ("VERIFIED", True),
    "regjeringen-statsrad": ("VERIFIED", True),
    "regjeringen-hod-horinger": ("PATTERN-ONLY", True),
    "fhi-nyheter": ("VERIFIED", True),
    "fhi-smittevernveilederen": ("VERIFIED", True),  # corrected to Smittevernhåndboka
    "fhi-koronaveilederen": ("PATTERN-ONLY", False),  # archived
    "fhi-koronaveilederen-endringslogg": ("VERIFIED", False),  # frozen since June 2022
    "fhi-brev-til-kommunene": ("NO EVIDENCE", False),
    "hdir-nyheter": ("NO EVIDENCE", False),
    "hdir-anbefalinger-og-beslutninger": ("VERIFIED", True),
    "hdir-smittevern-veileder": ("NO EVIDENCE", False),
    "hdir-hapi-ledelse-og-kvalitetsforbedring": ("VERIFIED", False),  # needs an API key
    "hdir-hapi-store-og-sammensatte-behov": ("VERIFIED", False),
    "hdir-hapi-multidose": ("VERIFIED", False),
    "lovdata-lti": ("VERIFIED", True),
    "lovdata-ltii": ("VERIFIED", True),
    "lovdata-lt": ("VERIFIED", False),  # redundant with LTI and LTII
    "lovdata-covid19-forskriften": ("PATTERN-ONLY", False),  # repealed in November 2023
    "lovdata-smittevernloven": ("VERIFIED", True),
    **{
        f"sf-{office}": ("VERIFIED", True)
        for office in (
            "ostfold-buskerud-oslo-og-akershus",
            "innlandet",
            "vestfold-og-telemark",
            "agder",
            "rogaland",
            "vestland",
            "more-og-romsdal",
            "trondelag",
            "nordland",
            "troms-finnmark",
        )
    },
}
#: contradicted and redundant: they must not come back
DROPPED = ("regjeringen-hod-pressemeldinger", "hdir-brev-til-kommunene")


def verdict(entry: dict[str, Any]) -> str:
    match = VERDICT_RE.match(str(entry.get("notes", "")))
    assert match, f"{entry['key']}: notes must start with 'Evidence: <verdict>'"
    return match.group(1)


@pytest.mark.parametrize("entry", RAW, ids=lambda e: str(e["key"]))
def test_every_source_states_its_evidence(entry: dict[str, Any]) -> None:
    assert verdict(entry) in VERDICTS
    assert "sources-verified.md" in entry["notes"]


@pytest.mark.parametrize(
    "entry", [e for e in RAW if e.get("enabled", True)], ids=lambda e: e["key"]
)
def test_no_enabled_source_lacks_evidence(entry: dict[str, Any]) -> None:
    assert verdict(entry) in ("VERIFIED", "PATTERN-ONLY"), f"{entry['key']} is enabled"
    assert CITATION_RE.search(entry["notes"]), f"{entry['key']}: notes cite no evidence"


def test_each_source_has_the_verdict_and_state_the_evidence_gives_it() -> None:
    found = {e["key"]: (verdict(e), e.get("enabled", True)) for e in RAW}
    assert found == EXPECTED
    assert not set(DROPPED) & set(found)


def test_sources_without_evidence_for_their_address_are_disabled() -> None:
    """The two Helsedirektoratet sources that were enabled without any evidence."""
    by_key = {s.key: s for s in SPECS}
    assert not by_key["hdir-nyheter"].enabled
    assert not by_key["hdir-smittevern-veileder"].enabled
    assert by_key["hdir-anbefalinger-og-beslutninger"].enabled


def test_the_docs_table_shows_every_source_and_its_state() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "sources.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z0-9-]+)` \| \**(enabled|disabled)\b", docs, re.M))
    assert rows == {s.key: "enabled" if s.enabled else "disabled" for s in SPECS}
    for key in DROPPED:
        assert f"`{key}`" in docs  # said why it is gone


# ----------------------------------------------------------------------------- statsforvalteren
#: the offices that write nynorsk: their feed is /nn/<office>/nyhende/rss
NYNORSK_OFFICES = {"rogaland", "vestland", "more-og-romsdal"}
#: office slug -> county numbers (../shared/reference/statsforvaltere.csv)
OFFICE_COUNTIES = {
    "ostfold-buskerud-oslo-og-akershus": {"31", "33", "03", "32"},
    "innlandet": {"34"},
    "vestfold-og-telemark": {"39", "40"},
    "agder": {"42"},
    "rogaland": {"11"},
    "vestland": {"46"},
    "more-og-romsdal": {"15"},
    "trondelag": {"50"},
    "nordland": {"18"},
    "troms-finnmark": {"55", "56"},
}
#: the feed seen working for Troms og Finnmark uses the office's older slug
FEED_SLUG = {"troms-finnmark": "troms-og-finnmark"}
SF_FEED_RE = re.compile(
    r"^https://www\.statsforvalteren\.no/(?P<lang>nb|nn)/(?P<office>[a-z-]+)/"
    r"(?P<news>nyheter|nyhende)/rss\?limit=50$"
)


def statsforvalter_sources() -> dict[str, SourceSpec]:
    return {s.key.removeprefix("sf-"): s for s in SPECS if s.authority == "statsforvalteren"}


def test_every_statsforvalter_office_has_its_own_feed_enabled() -> None:
    with OFFICES.open(encoding="utf-8") as handle:
        offices = {
            row["url_slug"]: set(row["fylkesnummer"].split(";")) for row in csv.DictReader(handle)
        }
    assert offices == OFFICE_COUNTIES  # the offices and counties the regions come from
    sources = statsforvalter_sources()
    assert set(sources) == set(OFFICE_COUNTIES)
    for office, spec in sources.items():
        assert spec.kind == "feed" and spec.enabled, office
        match = SF_FEED_RE.match(spec.url)
        assert match, spec.url
        assert match["office"] == FEED_SLUG.get(office, office)


@pytest.mark.parametrize("office", sorted(OFFICE_COUNTIES))
def test_statsforvalter_feed_speaks_the_office_language(office: str) -> None:
    spec = statsforvalter_sources()[office]
    match = SF_FEED_RE.match(spec.url)
    assert match is not None
    if office in NYNORSK_OFFICES:
        assert (match["lang"], match["news"]) == ("nn", "nyhende")
        assert spec.name.startswith("Statsforvaltaren i ") and spec.name.endswith(": nyhende")
    else:
        assert (match["lang"], match["news"]) == ("nb", "nyheter")
        assert spec.name.startswith("Statsforvalteren i ") and spec.name.endswith(": nyheter")


@pytest.mark.parametrize("office", sorted(OFFICE_COUNTIES))
def test_statsforvalter_notes_name_the_office_counties(office: str) -> None:
    """The catalogue has no per-source region (an item's link tags its office's counties);
    the notes say which counties the office covers, as the reference table does."""
    (entry,) = [e for e in RAW if e["key"] == f"sf-{office}"]
    numbers = set(re.findall(r"\b\d{2}\b", entry["notes"].split("Count", 1)[1]))
    assert numbers == OFFICE_COUNTIES[office]


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


# ----------------------------------------------------------------------------- one declaration


def test_the_source_table_holds_every_catalogue_field_as_declared() -> None:
    """The ``source`` table's catalogue columns are SourceBase's fields (declared once, in
    feeds.catalogue): the same names, and the stored type of each field's type."""
    columns = Source.__table__.columns  # type: ignore[attr-defined]
    assert tuple(SourceSpec.model_fields) == SOURCE_FIELDS
    for name in SOURCE_FIELDS:
        assert name in columns, name
        annotation = str(SourceSpec.model_fields[name].annotation)
        column = columns[name]
        if "tuple" in annotation:
            assert isinstance(column.type, StringList), name
        assert column.nullable == ("None" in annotation), name


def test_a_source_stored_and_read_back_is_the_same_spec(ctx: Context) -> None:
    """Every catalogue field, none at its default, survives the store: written by
    upsert_sources, read back by spec_of and by a round's load_targets."""
    spec = SourceSpec(
        key="alt", kind="document", url="https://x.no/veileder", authority="fhi",
        name="Veileder", interval_minutes=7, selector="main", drop=(".a", ".b"),
        subtopics=("vaksinasjon",), enabled=False, noise=("^Sist .*$",),
        link_selector="nav a", link_pattern="/kap", follow_pdfs=True,
    )  # fmt: skip
    assert all(getattr(spec, f) != SourceSpec.model_fields[f].default for f in SOURCE_FIELDS)
    with Session(ctx.engine) as session:
        assert upsert_sources(session, [spec]) == (1, 0)
        session.commit()
        assert upsert_sources(session, [spec]) == (0, 0)  # nothing to update
        source = session.exec(select(Source)).one()
        assert spec_of(source) == spec
        assert source.id is not None
        [target] = load_targets(session, [source.id])
        assert target.spec == spec


# ----------------------------------------------------------------------------- validation at load

CATALOGUE_TEXT = """\
# a catalogue with three sources
[[source]]
key = "a"
kind = "feed"
url = "https://example.no/rss"
authority = "fhi"

[[source]]
key = "b"
kind = "page"
url = "https://example.no/side"
authority = "fhi"
{field}

[[source]]
key = "c"
kind = "feed"
url = "https://example.no/c"
authority = "fhi"
"""


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ('selector = "main >> p"', "selector:"),  # not CSS, not XPath
        ('selector = "div:has-text(x)"', "selector:"),
        ('drop = ["nav", "p[class="]', "drop:"),
        ('link_selector = "a[href"', "link_selector:"),
        (
            'subtopics = ["vaksinasjon", "tannhelse-for-katter"]',
            "'tannhelse-for-katter' not in the taxonomy",
        ),
        ('noise = ["(unclosed"]', "noise:"),
        ("interval_minutes = 0", "interval_minutes:"),
        ('colour = "red"', "unknown field(s) colour"),
    ],
)
def test_an_invalid_entry_is_refused_with_its_line_and_reason(
    tmp_path: Path, field: str, reason: str
) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(CATALOGUE_TEXT.format(field=field), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    message = str(info.value)
    assert message.startswith(f"{path}:13: source #2 (b)") or message.startswith(
        f"{path}:13: source #2:"
    ), message
    assert reason in message


def test_a_refused_entry_without_the_field_points_at_its_header(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(CATALOGUE_TEXT.format(field="").replace('kind = "page"', 'kind = "listing"'))
    with pytest.raises(CatalogueError, match=r"sources\.toml:8: source #2 \(b\): .*link_selector"):
        load_catalogue(path)


def test_a_duplicate_key_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(CATALOGUE_TEXT.format(field="").replace('key = "c"', 'key = "a"'))
    with pytest.raises(CatalogueError, match=r"sources\.toml:16: source key 'a' appears twice"):
        load_catalogue(path)


def test_subtopics_are_checked_against_the_given_taxonomy() -> None:
    entry = {**GOOD, "subtopics": ["vaksinasjon"]}
    assert parse_catalogue([entry])[0].subtopics == ("vaksinasjon",)
    with pytest.raises(CatalogueError, match="'vaksinasjon' not in the taxonomy"):
        parse_catalogue([entry], subtopics={"testing"})


def test_the_bundled_catalogue_passes_the_checks_at_load() -> None:
    """Every subtopic and selector of the real catalogue is valid (else nothing would load)."""
    assert len(load_catalogue()) == len(RAW)
    assert {slug for s in SPECS for slug in s.subtopics} <= load_taxonomy().slugs()
