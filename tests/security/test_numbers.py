"""Numbers from outside: one rule (``notifier.numbers.digits``, kept in
``subscribers.validate``) where a form field, a path, a query, a CSV cell, a link or a push
service's header becomes an integer. "²".isdigit() is true but int("²") fails, "٣" reads as
3, and a long run of digits overflows SQLite and PostgreSQL: none may end a request or a send
with an error, and the console answers in Norwegian.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import Session

from notifier.assurance import list_deliveries
from notifier.channels.webpush import retry_delay
from notifier.context import Context
from notifier.numbers import digits
from notifier.web.forms import _number
from notifier.web.routes.staff_preview import selection_of
from subscribers import tokens
from subscribers.importer import Vocabulary, parse_row
from subscribers.service import SubscriberError
from subscribers.validate import ScheduleError, parse_hour, parse_weekday
from tests.support.staff import fast_hasher, login, staff_client  # noqa: F401 (fixture)
from tests.test_staff_subscribers import HEADER, hidden_fields, preview

#: where the database plays no part, SQLite only (the folder's time budget is two minutes)
SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
#: what an attacker puts where a number belongs
ODD = ("²", "٣", "9" * 40)
SECRET = b"k" * 32


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


@pytest.mark.parametrize("text", ["7", "²", "٣", "9" * 40, "-3", ""])
def test_the_shell_and_the_audience_side_share_one_rule(text: str) -> None:
    from subscribers.validate import digits as audience_digits

    assert digits is audience_digits
    assert digits(text) == (7 if text == "7" else None)


# --- the token parser ----------------------------------------------------------------------


@pytest.mark.parametrize("odd", ODD)
@pytest.mark.parametrize("part", [0, 1, 2])
def test_a_link_token_with_odd_digits_is_forged_not_a_crash(odd: str, part: int) -> None:
    now = datetime(2026, 12, 4, tzinfo=UTC)
    good = tokens.sign(SECRET, tokens.MANAGE, 42, 1, now)
    parts = good.split(".")
    parts[part] = odd
    body = ".".join(parts[:3])
    # signed properly, so only the number rule can refuse it (a forger cannot sign, but the
    # parser must not lean on that)
    signed = f"{body}.{tokens._signature(SECRET, tokens.MANAGE, body)}"
    with pytest.raises(tokens.ForgedToken, match="malformed"):
        tokens.verify(SECRET, tokens.MANAGE, signed, now)
    assert tokens.verify(SECRET, tokens.MANAGE, good, now).subscriber_id == 42


@SQLITE
@pytest.mark.parametrize("odd", ODD)
async def test_a_subscriber_link_with_odd_digits_is_a_norwegian_dead_link(
    ctx: Context, odd: str
) -> None:
    from notifier.web import create_app

    transport = httpx.ASGITransport(app=create_app(ctx))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        for path in (f"/innstillinger/{odd}.1.1.abc", f"/bekreft/{odd}.1.1.abc"):
            page = await client.get(path)
            assert page.status_code in (400, 404), (path, page.status_code)
            assert "lenke" in page.text.lower(), page.text[:300]


# --- CSV import and schedule words ----------------------------------------------------------


@pytest.mark.parametrize("odd", ODD)
def test_an_import_region_of_odd_digits_is_refused_in_words(odd: str) -> None:
    vocab = Vocabulary(canonical=str, regions=frozenset({"0301", "03"}), offices=frozenset())
    row = {"email": "a@kommune.no", "role": "annen", "region": odd, "subtopics": "testing"}
    with pytest.raises(SubscriberError, match="unknown municipality or county"):
        parse_row(row, vocab)
    assert parse_row(row | {"region": "301"}, vocab).region == "0301"
    assert parse_row(row | {"region": "3"}, vocab).region == "03"


@pytest.mark.parametrize("odd", ["²", "٣", "9" * 40, "٠٨:00"])
def test_a_digest_hour_or_weekday_of_odd_digits_is_refused_in_words(odd: str) -> None:
    with pytest.raises(ScheduleError):
        parse_hour(odd)
    with pytest.raises(ScheduleError):
        parse_weekday(odd)
    assert parse_hour("08:00") == 8 and parse_weekday("5") == 4


# --- the console ----------------------------------------------------------------------------


@pytest.fixture
async def admin(ctx: Context) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    async with staff_client(ctx) as client:
        _, csrf = await login(client, ctx, role="admin")
        yield client, csrf


@pytest.mark.usefixtures("fast_hasher")
@pytest.mark.parametrize("odd", ODD)
async def test_a_console_path_id_of_odd_digits_is_a_norwegian_404(
    ctx: Context, admin: tuple[httpx.AsyncClient, str], odd: str
) -> None:
    """Runs on PostgreSQL too: 40 digits overflowed SQLite's integers and PostgreSQL's
    bigint alike."""
    client, csrf = admin
    for path in (f"/staff/endringer/{odd}", f"/staff/abonnenter/{odd}"):
        page = await client.get(path)
        assert page.status_code == 404, (path, page.text[:300])
        assert "Fant ikke" in page.text and "Logg ut" in page.text, path
    for path in (
        f"/staff/endringer/{odd}/godkjenn",
        f"/staff/endringer/{odd}/stans",
        f"/staff/endringer/{odd}/haster",
        f"/staff/abonnenter/{odd}/mal",
        f"/staff/abonnenter/{odd}/mal/slett",
        f"/staff/abonnenter/{odd}/slett",
        f"/staff/abonnenter/{odd}/eksport",
        f"/staff/utboks/{odd}/prov-igjen",
        f"/staff/utboks/{odd}/avbryt",
    ):
        done = await client.post(path, data={"csrf_token": csrf, "reason": "x"})
        assert done.status_code == 404, (path, done.status_code, done.text[:300])
        assert "Fant ikke" in done.text, path
    # anonymous, the login comes first: an odd id tells a stranger nothing
    async with staff_client(ctx) as stranger:
        away = await stranger.get(f"/staff/endringer/{odd}")
        assert away.status_code == 303 and "/staff/login" in away.headers["location"]


@SQLITE
@pytest.mark.usefixtures("fast_hasher")
@pytest.mark.parametrize("odd", ODD)
async def test_a_console_query_number_of_odd_digits_is_ignored(
    admin: tuple[httpx.AsyncClient, str], odd: str
) -> None:
    client, _ = admin
    for path in (
        f"/staff?side={odd}",
        f"/staff?kilde={odd}",
        f"/staff/abonnenter?side={odd}",
        f"/staff/logg?side={odd}",
        f"/staff/utboks?page={odd}",
        f"/staff/forhandsvisning?subscriber={odd}",
    ):
        page = await client.get(path)
        assert page.status_code in (200, 400, 404), (path, page.status_code)
        assert "Logg ut" in page.text, path  # the console's own page, in Norwegian
    # a source filter of odd digits is named as unknown, not read as source 3
    listing = await client.get(f"/staff?kilde={odd}")
    assert listing.status_code == 200


@SQLITE
@pytest.mark.usefixtures("fast_hasher")
@pytest.mark.parametrize("odd", ODD)
async def test_an_import_apply_with_an_odd_issue_time_is_expired_not_a_crash(
    admin: tuple[httpx.AsyncClient, str], odd: str
) -> None:
    client, csrf = admin
    content = (HEADER + "ny@kommune.no,Ny,annen,,testing,daily,\n").encode()
    page = await preview(client, csrf, content)
    fields = hidden_fields(page.text, "/staff/abonnenter/import/bruk")
    refused = await client.post("/staff/abonnenter/import/bruk", data=fields | {"utstedt": odd})
    assert refused.status_code == 400
    assert "Last opp filen på nytt" in refused.text


def test_a_preview_selection_of_odd_digits_is_nobody() -> None:
    for odd in ODD:
        chosen = selection_of({"subscriber": odd})
        assert chosen is not None and chosen.subscriber_id == -1
    chosen = selection_of({"subscriber": "12"})
    assert chosen is not None and chosen.subscriber_id == 12


@SQLITE
@pytest.mark.parametrize("odd", ODD)
def test_the_delivery_listing_takes_odd_digits_as_no_one(ctx: Context, odd: str) -> None:
    with Session(ctx.engine) as session:
        assert list_deliveries(session, ctx.clock(), timedelta(hours=1), subscriber=odd) == []


@SQLITE
@pytest.mark.usefixtures("fast_hasher")
@pytest.mark.parametrize(
    ("length", "status"), [("²".encode("latin-1"), 411), (b"9" * 40, 413), (b"9" * 5000, 413)]
)
async def test_an_import_upload_with_an_odd_content_length_is_refused_unread(
    admin: tuple[httpx.AsyncClient, str], length: bytes, status: int
) -> None:
    """ "²".isdigit() let int("²") end the request with a 500; 5,000 digits are past what
    int() reads from text at all."""
    client, csrf = admin
    request = client.build_request("POST", "/staff/abonnenter/import", data={"csrf_token": csrf})
    request.headers["content-length"] = length.decode("latin-1")
    refused = await client.send(request)
    assert refused.status_code == status, refused.text[:300]
    assert "Logg ut" in refused.text


def test_a_region_number_gets_back_the_zero_a_spreadsheet_dropped_and_nothing_else() -> None:
    from subscribers.validate import region_number

    assert [region_number(t) for t in ("301", "3", "0301", "03", "46")] == [
        "0301",
        "03",
        "0301",
        "03",
        "46",
    ]
    for text in ("²", "٣٠١", "12345", "", "3a1"):  # not 1 or 3 ASCII digits: as given
        assert region_number(text) == text
