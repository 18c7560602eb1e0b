"""Numbers from outside: one rule (``notifier.numbers.digits``) where a form field, a path or a
push service's header becomes an integer. "²".isdigit() is true but int("²") fails, and a
long run of digits overflows SQLite: neither may end a request or a send with an error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from notifier.channels.webpush import retry_delay
from notifier.numbers import digits
from notifier.web.forms import _number


@pytest.mark.parametrize(
    ("text", "most", "expected"),
    [
        ("0", 18, 0),
        ("42", 18, 42),
        ("9" * 18, 18, int("9" * 18)),
        ("9" * 19, 18, None),
        ("123", 2, None),
        ("²", 18, None),
        ("٣", 18, None),  # an Arabic-Indic three
        ("-1", 18, None),
        ("1e3", 18, None),
        (" 1", 18, None),
        ("", 18, None),
        (None, 18, None),
    ],
)
def test_digits_takes_only_ascii_digits_within_the_bound(
    text: str | None, most: int, expected: int | None
) -> None:
    assert digits(text, most) == expected


def test_a_form_number_of_other_digits_is_refused_not_a_crash() -> None:
    assert _number("²") == -1 and _number("٣") == -1 and _number("07") == 7


def test_a_push_services_odd_retry_after_is_no_delay_not_a_failure() -> None:
    now = datetime(2026, 12, 4, tzinfo=UTC)
    assert retry_delay("²", now) is None
    assert retry_delay("9" * 40, now) is None
    assert retry_delay("120", now) == 120.0
