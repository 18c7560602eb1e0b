"""Matching by subtopic and region: pure, and fast enough for 100,000 subscribers."""

from __future__ import annotations

import pytest

from subscribers.match import SubscriptionIndex, SubscriptionRow, change_keys, subscriber_keys

COUNTY_OF = {"1103": "11", "1106": "11", "0301": "03", "4601": "46"}
OFFICES = {"rogaland": frozenset({"11"}), "vestland": frozenset({"46"})}

# id -> (region, office)
PEOPLE: dict[int, tuple[str | None, str | None]] = {
    1: ("1103", None),  # kommunelege i Stavanger
    2: ("1106", None),  # kommunelege i Haugesund
    3: ("11", None),  # someone following Rogaland
    4: (None, "rogaland"),  # Statsforvalteren i Rogaland
    5: (None, "vestland"),  # Statsforvalteren i Vestland
    6: (None, None),  # nationwide
    7: ("0301", None),  # Oslo
}


def index(subtopic: str = "vaksinasjon") -> SubscriptionIndex:
    places = {
        sid: subscriber_keys(region, OFFICES.get(office or "", ()), COUNTY_OF)
        for sid, (region, office) in PEOPLE.items()
    }
    return SubscriptionIndex([SubscriptionRow(sid, subtopic, "daily") for sid in PEOPLE], places)


def reached(regions: list[str], subtopics: tuple[str, ...] = ("vaksinasjon",)) -> set[int]:
    scope = change_keys(regions, COUNTY_OF)
    return {m.subscriber_id for m in index().match(subtopics, scope=scope)}


@pytest.mark.parametrize(
    ("regions", "expected"),
    [
        ([], {1, 2, 3, 4, 5, 6, 7}),  # national
        (["1103"], {1, 3, 4, 6}),  # Stavanger: not Haugesund, not Vestland
        (["11"], {1, 2, 3, 4, 6}),  # Rogaland as a whole: every municipality in it
        (["1103", "4601"], {1, 3, 4, 5, 6}),
        (["03"], {6, 7}),
        (["9999"], {6}),  # unknown municipality: only the nationwide
    ],
)
def test_regions_decide_who_of_the_subtopic_subscribers_is_reached(
    regions: list[str], expected: set[int]
) -> None:
    assert reached(regions) == expected


@pytest.mark.parametrize(
    ("regions", "expected"),
    [
        # the classifier tags a municipality with its county too (guidelines R1): a Stavanger
        # outbreak is ["11", "1103"], and it is Stavanger's news, not Haugesund's
        (["11", "1103"], {1, 3, 4, 6}),
        (["1103", "11", "1106"], {1, 2, 3, 4, 6}),  # both municipalities named
        (["11", "1103", "46"], {1, 3, 4, 5, 6}),  # Vestland named as a whole, Rogaland not
        (["11", "1103", "4601", "46"], {1, 3, 4, 5, 6}),
        (["03", "0301"], {6, 7}),  # Oslo is both
        (["11", "9999"], {1, 2, 3, 4, 6}),  # an unknown municipality is in no county
    ],
)
def test_a_county_tagged_with_one_of_its_municipalities_is_that_municipalitys_news(
    regions: list[str], expected: set[int]
) -> None:
    assert reached(regions) == expected


def test_subtopics_still_decide_first() -> None:
    assert reached(["1103"], ("innreise",)) == set()


def test_urgent_regional_change_is_immediate_for_those_reached() -> None:
    found = index().match(["vaksinasjon"], urgent=True, scope=change_keys(["1106"], COUNTY_OF))
    assert {(m.subscriber_id, m.cadence) for m in found} == {
        (2, "immediate"),
        (3, "immediate"),
        (4, "immediate"),
        (6, "immediate"),
    }


def test_subscriber_keys() -> None:
    assert subscriber_keys(None) == frozenset()
    assert subscriber_keys("1103", (), COUNTY_OF) == {"m:1103", "c:11"}
    assert subscriber_keys("11") == {"in:11"}
    assert subscriber_keys(None, {"39", "40"}) == {"in:39", "in:40"}


def test_the_example_in_docs_subscribers_md_runs() -> None:
    import re
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "subscribers.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```python\n(.*?)```", text, re.S)
    exec(compile(block, "docs/subscribers.md", "exec"), {})
