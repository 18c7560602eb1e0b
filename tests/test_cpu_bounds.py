"""The bounded-time tests' measure (tests/support/cpu.py): a bound widens on a slow machine,
but never past ``MAX_PACE`` times, so a rule made quadratic again still fails its case."""

from __future__ import annotations

from tests.support.cpu import MAX_PACE, pace, within


def test_a_case_within_its_bound_is_within() -> None:
    assert within(0.5, 1.0)


def test_a_case_over_every_widening_of_its_bound_is_not_within() -> None:
    assert not within(1.0 * MAX_PACE + 0.01, 1.0)
    assert not within(100.0, 4.0)  # a quadratic rule on a hostile page: tens of times over


def test_the_pace_is_between_one_and_its_cap() -> None:
    assert 1.0 <= pace() <= MAX_PACE
