"""Retry-After as delta-seconds: ASCII digits only, at most 18 (the rule of
``notifier.numbers.digits``); anything else is no Retry-After (the fetcher backs off itself)."""

from __future__ import annotations

import pytest

from feeds.fetch.client import parse_retry_after


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("30", 30.0), (" 7 ", 7.0), ("0", 0.0), ("²", None), ("٣", None), ("1" * 19, None),
     ("-5", None), ("abc", None)],
)  # fmt: skip
def test_delta_seconds_are_ascii_digits(value: str, seconds: float | None) -> None:
    assert parse_retry_after({"Retry-After": value}) == seconds
