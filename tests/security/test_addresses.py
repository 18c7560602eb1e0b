"""Issue 8, class 2 (addresses) and the suppression rule of classes 7 and 8, attacked through
every way in: the public form (the real web app, with a valid CSRF token), the real CLI
(``notifier subscribers add``) and CSV import (``notifier subscribers import``). Each hostile
address is refused by all three and leaves nothing stored; case variants are one subscriber,
one confirmation mail and one rate-limit bucket; a suppressed address stays suppressed in any
case and through every way in, until the person confirms a sign-up. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from notifier.cli import app as cli_app
from notifier.context import Context
from notifier.outbox import Delivery
from notifier.web import create_app
from notifier.web.texts import NB
from subscribers import selfservice as ss
from subscribers.models import RateEvent, Subscriber, Subscription, Suppression
from subscribers.service import confirmed_places, confirmed_subscription_rows
from subscribers.suppression import (
    is_suppressed,
    record_delivered,
    record_hard_bounce,
    suppression_reason,
)
from subscribers.tokens import email_hash
from subscribers.validate import AddressError, address_key, validate_address
from tests.conftest import Clock
from tests.test_selfservice import csrf, make_client

HOSTILE = [
    pytest.param("a@k..no", id="empty-label"),
    pytest.param("a@.k.no", id="leading-empty-label"),
    pytest.param("a@k.no.", id="trailing-dot"),
    pytest.param("Ola <ola@x.no>", id="display-name"),
    pytest.param("<ola@x.no>", id="angle-brackets"),
    pytest.param('"Ola" <ola@x.no>', id="quoted-display-name"),
    pytest.param("Leger: a@x.no, b@x.no;", id="group"),
    pytest.param("a@x.no, b@x.no", id="list-comma"),
    pytest.param("a@x.no;b@x.no", id="list-semicolon"),
    pytest.param("a@x.no b@x.no", id="list-space"),
    pytest.param('"a b"@x.no', id="quoted-local-space"),
    pytest.param('"a"@x.no', id="quoted-local"),
    pytest.param('"a@evil.example"@x.no', id="quoted-at"),
    pytest.param("a(kommentar)@x.no", id="comment-local"),
    pytest.param("a@x.no(kommentar)", id="comment-domain"),
    pytest.param("(x)a@x.no", id="comment-leading"),
    pytest.param("a@[127.0.0.1]", id="ip-literal"),
    pytest.param("a@[IPv6:::1]", id="ipv6-literal"),
    pytest.param("a@127.0.0.1", id="bare-ip"),
    pytest.param("a@x.no\r\nBcc: victim@evil.example", id="crlf-header"),
    pytest.param("a@x.no\nBcc: victim@evil.example", id="lf-header"),
    pytest.param("a@x.no\r", id="trailing-cr"),
    pytest.param("a@x.no\n", id="trailing-lf"),
    pytest.param("a\x00@x.no", id="nul"),
    pytest.param("a@x.no\x00", id="trailing-nul"),
    pytest.param("a\t@x.no", id="tab"),
    pytest.param("a\x1b[31m@x.no", id="escape-sequence"),
    pytest.param("a\u200b@x.no", id="zero-width-space"),
    pytest.param("a@x\u200d.no", id="zero-width-joiner-domain"),
    pytest.param("a@x\u202e.no", id="bidi-override"),
    pytest.param("a@x.no\u2028", id="line-separator"),
    pytest.param("a\u00a0@x.no", id="no-break-space"),
    pytest.param("a@localhost", id="localhost"),
    pytest.param("a@x", id="no-dot"),
    pytest.param("a@x.invalid", id="special-use-invalid"),
    pytest.param("a@x.test", id="special-use-test"),
    pytest.param("a@x.local", id="special-use-local"),
    pytest.param("a@x.123", id="numeric-tld"),
    pytest.param("x" * 65 + "@x.no", id="local-part-65"),
    pytest.param("a@" + ("b" * 63 + ".") * 4 + "no", id="domain-too-long"),
    pytest.param("a" * 64 + "@" + ("b" * 50 + ".") * 4 + "no", id="address-over-254"),
    pytest.param("a" * 5000 + "@x.no", id="huge"),
    pytest.param("a" * 63 + "\u0301" * 10 + "@x.no", id="combining-marks"),
    pytest.param(".a@x.no", id="leading-dot"),
    pytest.param("a.@x.no", id="dot-before-at"),
    pytest.param("a..b@x.no", id="double-dot-local"),
    pytest.param("a@-x.no", id="hyphen-label"),
    pytest.param("a@x_y.no", id="underscore-domain"),
    pytest.param("@x.no", id="empty-local"),
    pytest.param("a@", id="empty-domain"),
    pytest.param("ola", id="no-at"),
    pytest.param("a@@x.no", id="double-at"),
    pytest.param("a@b@x.no", id="two-ats"),
    pytest.param("mailto:a@x.no", id="mailto"),
    pytest.param("a@x.no?bcc=b@evil.example", id="query"),
    pytest.param("a%evil.example@x.no", id="percent-hack"),
    pytest.param("evil.example!a@x.no", id="bang-path"),
    pytest.param("=?utf-8?q?a=0D=0Ab?=@x.no", id="encoded-word"),
    pytest.param("ærlig@x.no", id="unicode-local"),
    pytest.param("\u0430dmin@x.no", id="cyrillic-homoglyph-local"),
    pytest.param("a@xn--zz.no", id="bad-a-label"),
    pytest.param("a@💩.no", id="emoji-domain"),
    pytest.param("<script>alert(1)</script>@x.no", id="markup"),
    pytest.param('a@x.no" onfocus="alert(1)', id="attribute-break"),
    pytest.param("", id="empty"),
    pytest.param("   ", id="spaces"),
]


@pytest.fixture
def cli(ctx: Context, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    """The real ``notifier`` command line, on the test's database."""
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("NOTIFIER_BASE_URL", ctx.settings.base_url)
    yield CliRunner()


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(create_app(ctx)) as c:
        yield c


def add(runner: CliRunner, email: str, *extra: str) -> Result:
    args = ["subscribers", "add", email, "--role", "kommunelege", "--subtopic", "vaksinasjon"]
    return runner.invoke(cli_app, [*args, *extra])


def import_rows(runner: CliRunner, tmp_path: Path, *emails: str) -> Result:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("email", "name", "role", "region", "subtopics", "cadence"))
    for email in emails:
        writer.writerow((email, "Navn", "kommunelege", "", "vaksinasjon", "daily"))
    file = tmp_path / "import.csv"
    file.write_text(buffer.getvalue(), encoding="utf-8")
    return runner.invoke(cli_app, ["subscribers", "import", str(file)])


async def sign_up(client: httpx.AsyncClient, email: str) -> httpx.Response:
    data = {"csrf": await csrf(client), "email": email, "role": "kommunelege", "language": "nb"}
    return await client.post("/abonner", data=data | {"cadence_vaksinasjon": "daily"})


def counts(ctx: Context) -> dict[str, int]:
    with Session(ctx.engine) as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (Subscriber, Subscription, Delivery, Suppression)
        }


def addr_events(ctx: Context) -> list[str]:
    with Session(ctx.engine) as session:
        return list(
            session.exec(select(RateEvent.key).where(col(RateEvent.key).startswith("signup:addr:")))
        )


def subscribers(ctx: Context) -> list[Subscriber]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Subscriber).order_by(col(Subscriber.id))))


# --- the validator itself ---------------------------------------------------------------------


@pytest.mark.parametrize("raw", HOSTILE)
def test_the_validator_refuses_and_never_echoes_a_control_character(raw: str) -> None:
    with pytest.raises(AddressError) as caught:
        validate_address(raw)
    message = str(caught.value)
    assert not any(ord(c) < 32 or c in "\u2028\u2029\u202e\u200b" for c in message)
    assert len(message) < 400
    assert caught.value.code in NB


@pytest.mark.parametrize(
    ("raw", "email", "key"),
    [
        ("ola@x.no", "ola@x.no", "ola@x.no"),
        ("  Ola.Nordmann@Kommune.NO  ", "Ola.Nordmann@kommune.no", "ola.nordmann@kommune.no"),
        ("a+varsel@x.no", "a+varsel@x.no", "a+varsel@x.no"),
        ("o'brien@x.no", "o'brien@x.no", "o'brien@x.no"),
        # IDNA domains are stored in their ASCII form, which any SMTP server accepts
        ("ola@ærø.no", "ola@xn--r-3fa9c.no", "ola@xn--r-3fa9c.no"),
        ("Ola@ÆRØ.NO", "Ola@xn--r-3fa9c.no", "ola@xn--r-3fa9c.no"),
        ("ola@XN--R-3FA9C.no", "ola@xn--r-3fa9c.no", "ola@xn--r-3fa9c.no"),
        ("ola@bø.kommune.no", "ola@xn--b-5ga.kommune.no", "ola@xn--b-5ga.kommune.no"),
        # full-width letters and the ideographic full stop are the same domain (UTS 46)
        ("ola@ｘ。ｎｏ", "ola@x.no", "ola@x.no"),
    ],
)
def test_valid_addresses_are_stored_sendable_and_keyed(raw: str, email: str, key: str) -> None:
    found = validate_address(raw)
    assert (found.email, found.key) == (email, key)
    assert found.email.isascii() and address_key(raw) == key


# --- hostile addresses through every way in ----------------------------------------------------


@pytest.mark.parametrize("raw", HOSTILE)
async def test_hostile_address_is_refused_by_form_cli_and_csv_and_nothing_is_stored(
    ctx: Context, client: httpx.AsyncClient, cli: CliRunner, tmp_path: Path, raw: str
) -> None:
    before = counts(ctx)
    page = await sign_up(client, raw)
    assert page.status_code == 400
    assert 'href="#email"' in page.text and 'id="email-error"' in page.text
    assert NB[_code(raw)] in page.text
    assert "<script>" not in page.text and '" onfocus="' not in page.text  # echoed escaped

    added = add(cli, raw)
    assert added.exit_code == 2, added.output
    assert "not a valid e-mail address" in added.stderr or "give an e-mail address" in added.stderr
    assert "Traceback" not in added.output

    imported = import_rows(cli, tmp_path, raw)
    assert imported.exit_code == 1, imported.output
    assert "0 imported" in imported.stdout
    assert re.search(r"line \d+: ", imported.stderr)
    assert "not a valid e-mail address" in imported.stderr or "e-mail" in imported.stderr

    assert counts(ctx) == before == {"Subscriber": 0, "Subscription": 0, "Delivery": 0,
                                     "Suppression": 0}  # fmt: skip
    assert addr_events(ctx) == []


def _code(raw: str) -> str:
    try:
        validate_address(raw)
    except AddressError as exc:
        return exc.code
    raise AssertionError(f"{raw!r} was accepted")


# --- case variants are one person --------------------------------------------------------------


async def test_case_variants_are_one_subscriber_one_mail_one_rate_bucket(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    for variant in ("Offer@x.no", "OFFER@X.NO", "offer@x.no"):
        assert (await sign_up(client, variant)).status_code == 200
    (person,) = subscribers(ctx)
    assert (person.email, person.email_key) == ("offer@x.no", "offer@x.no")
    with Session(ctx.engine) as session:
        mails = session.exec(select(Delivery).where(Delivery.kind == "confirm")).all()
    assert len(mails) == 1
    events = addr_events(ctx)
    assert len(events) == 3 and len(set(events)) == 1  # one bucket, counted three times
    assert events[0] == ss.address_rate_key("OFFER@x.NO")
    assert "offer" not in events[0].lower().removeprefix("signup:addr:")  # hashed, not in clear
    # the limit (3 per address) holds across case and IDNA-equivalent spellings
    assert (await sign_up(client, "oFFeR@X.no")).status_code == 429
    assert (await sign_up(client, "OFFER@ｘ.ｎｏ")).status_code == 429
    assert len(subscribers(ctx)) == 1


def test_case_variants_by_cli_and_csv_are_one_subscriber(
    ctx: Context, cli: CliRunner, tmp_path: Path
) -> None:
    assert add(cli, "Kari@Kommune.no").exit_code == 0
    assert add(cli, "KARI@KOMMUNE.NO", "--subtopic", "testing").exit_code == 0
    result = import_rows(cli, tmp_path, "kari@kommune.no", "kARI@kommune.NO")
    assert result.exit_code == 0, result.output
    (person,) = subscribers(ctx)
    assert (person.email, person.email_key) == ("Kari@kommune.no", "kari@kommune.no")
    with Session(ctx.engine) as session:
        topics = session.exec(
            select(Subscription.subtopic).where(Subscription.subscriber_id == person.id)
        ).all()
    assert sorted(topics) == ["testing", "vaksinasjon"]


async def test_idna_domain_signs_up_in_ascii_form_and_is_found_in_any_spelling(
    ctx: Context, client: httpx.AsyncClient, cli: CliRunner
) -> None:
    assert (await sign_up(client, "ola@ærø.no")).status_code == 200
    assert add(cli, "OLA@XN--R-3FA9C.NO").exit_code == 0
    (person,) = subscribers(ctx)
    assert person.email == "ola@xn--r-3fa9c.no" and person.confirmed_at is not None
    with Session(ctx.engine) as session:
        (mail,) = session.exec(select(Delivery)).all()
    assert mail.to_address.endswith("@xn--r-3fa9c.no") and mail.to_address.isascii()


async def test_unicode_local_part_gets_its_own_message_in_both_languages(
    client: httpx.AsyncClient,
) -> None:
    page = await sign_up(client, "ærlig@x.no")
    assert page.status_code == 400 and NB["email_local_unicode"] in page.text
    await client.get("/abonner?lang=nn")
    page = await sign_up(client, "ærlig@x.no")
    from notifier.web.texts import NN

    assert page.status_code == 400 and NN["email_local_unicode"] in page.text


# --- one suppression rule ----------------------------------------------------------------------


def erase(ctx: Context, email: str, clock: Clock) -> None:
    with Session(ctx.engine) as session:
        person = ss.find(session, email)
        assert person is not None
        ss.erase(session, person, clock())
        session.commit()


async def test_erased_address_stays_suppressed_in_any_case_through_cli_and_csv_until_confirmed(
    ctx: Context, client: httpx.AsyncClient, cli: CliRunner, tmp_path: Path, clock: Clock
) -> None:
    assert add(cli, "Ola.Nordmann@x.no", "--name", "Ola Nordmann").exit_code == 0
    erase(ctx, "ola.nordmann@x.no", clock)
    for variant in ("Ola.Nordmann@x.no", "OLA.NORDMANN@X.NO", "ola.nordmann@Ｘ.no"):
        refused = add(cli, variant)
        assert refused.exit_code == 2
        assert "asked to be erased" in refused.stderr and "sign-up form" in refused.stderr
        imported = import_rows(cli, tmp_path, variant)
        assert imported.exit_code == 1 and "0 imported, 1 suppressed" in imported.stdout
        assert "asked to be erased; not imported" in imported.stderr
    assert [p.email for p in subscribers(ctx)] == ["erased-1@invalid"]

    # the form accepts a sign-up, but only its confirmation lifts the suppression
    assert (await sign_up(client, "OLA.Nordmann@X.no")).status_code == 200
    assert add(cli, "ola.nordmann@x.no").exit_code == 2
    with Session(ctx.engine) as session:
        assert is_suppressed(session, "Ola.Nordmann@x.no")
        person = ss.find(session, "ola.nordmann@x.no")
        assert person is not None and person.confirmed_at is None
        assert confirmed_subscription_rows(session) == []
        assert ss.confirm(session, person, clock())
        session.commit()
        assert not is_suppressed(session, "ola.nordmann@x.no")
        assert session.exec(select(func.count()).select_from(Suppression)).one() == 0
    assert add(cli, "OLA.NORDMANN@x.no", "--subtopic", "testing").exit_code == 0


def test_suppression_rows_of_earlier_versions_still_hold(ctx: Context, cli: CliRunner) -> None:
    """Rows written before the key: the hash of the address with the local part as typed and
    the domain in lower case (and, for an IDNA domain, in Unicode)."""
    with Session(ctx.engine) as session:
        session.add(Suppression(email_hash=email_hash("Per@kommune.no")))
        session.add(Suppression(email_hash=email_hash("ola@ærø.no")))
        session.commit()
    for variant in ("per@KOMMUNE.no", "PER@kommune.no", "Ola@xn--r-3fa9c.no", "OLA@ÆRØ.NO"):
        assert add(cli, variant).exit_code == 2, variant
    assert subscribers(ctx) == []


# --- bounces --------------------------------------------------------------------------------


def bounce_setup(ctx: Context) -> int:
    with Session(ctx.engine) as session:
        result = ss.signup(session, ss.SignupForm(
            email="Mottaker@kommune.no", role="kommunelege", region="1103",
            choices={"vaksinasjon": "daily"},
        ))  # fmt: skip
        person, _ = result
        ss.confirm(session, person, ctx.clock())
        session.commit()
        assert person.id is not None
        return person.id


def places(session: Session) -> dict[int, frozenset[str]]:
    return confirmed_places(session, {"1103": "11"}, {})


def test_repeated_hard_bounces_suppress_and_exclude_the_subscriber(
    ctx: Context, clock: Clock
) -> None:
    sid = bounce_setup(ctx)
    with Session(ctx.engine) as session:
        assert [record_hard_bounce(session, sid, clock(), 3) for _ in range(2)] == [False] * 2
        record_delivered(session, sid)  # a success in between starts the count again
        session.commit()
        assert session.get(Subscriber, sid).hard_bounces == 0  # type: ignore[union-attr]
        results = [record_hard_bounce(session, sid, clock(), 3) for _ in range(5)]
        session.commit()
        assert results == [False, False, True, False, False]  # True exactly once
        person = session.get(Subscriber, sid)
        assert person is not None
        assert person.suppressed_at == clock() and person.hard_bounces == 5
        assert suppression_reason(session, "MOTTAKER@KOMMUNE.NO") == "bounced"
        assert confirmed_subscription_rows(session) == []
        assert places(session) == {}
        assert not record_hard_bounce(session, 999_999, clock(), 3)  # unknown: nothing


async def test_a_bounced_address_is_refused_by_staff_and_revived_only_by_confirmation(
    ctx: Context, client: httpx.AsyncClient, cli: CliRunner, tmp_path: Path, clock: Clock
) -> None:
    sid = bounce_setup(ctx)
    with Session(ctx.engine) as session:
        assert record_hard_bounce(session, sid, clock(), 1)
        session.commit()
    refused = add(cli, "mottaker@kommune.no")
    assert refused.exit_code == 2 and "bounced repeatedly" in refused.stderr
    imported = import_rows(cli, tmp_path, "MOTTAKER@kommune.no")
    assert imported.exit_code == 1 and "bounced repeatedly (suppressed)" in imported.stderr

    # signing up again sends a confirmation link (not a preferences link), changes nothing
    clock.advance(hours=2)
    assert (await sign_up(client, "mottaker@KOMMUNE.no")).status_code == 200
    with Session(ctx.engine) as session:
        mail = session.exec(select(Delivery).order_by(col(Delivery.id).desc())).first()
        assert mail is not None and mail.kind == "confirm"
        person = session.get(Subscriber, sid)
        assert person is not None and person.region == "1103"
        assert confirmed_subscription_rows(session) == []
    path = re.search(r"https://varsel\.example\.no(/bekreft/\S+)", mail.body_text)
    assert path is not None
    confirmed = await client.post(path.group(1), data={"csrf": await csrf(client)})
    assert confirmed.status_code == 200
    with Session(ctx.engine) as session:
        person = session.get(Subscriber, sid)
        assert person is not None
        assert (person.suppressed_at, person.hard_bounces) == (None, 0)
        assert person.confirmed_at == clock()  # only what is new from now on
        assert not is_suppressed(session, "mottaker@kommune.no")
        assert [r.subscriber_id for r in confirmed_subscription_rows(session)] == [sid]
        assert set(places(session)) == {sid}
    replay = await client.post(path.group(1), data={"csrf": await csrf(client)})
    assert replay.status_code == 400  # the link works once
    assert add(cli, "mottaker@kommune.no").exit_code == 0


def test_erasure_overrides_a_bounce_reason(ctx: Context, clock: Clock) -> None:
    sid = bounce_setup(ctx)
    with Session(ctx.engine) as session:
        assert record_hard_bounce(session, sid, clock(), 1)
        person = session.get(Subscriber, sid)
        assert person is not None
        ss.erase(session, person, clock() + timedelta(minutes=1))
        session.commit()
        assert suppression_reason(session, "mottaker@kommune.no") == "erased"
        assert session.exec(select(func.count()).select_from(Suppression)).one() == 1


def test_stored_rows_from_before_the_validator_are_listed_for_staff(
    ctx: Context, cli: CliRunner, clock: Clock
) -> None:
    with Session(ctx.engine) as session:
        session.add_all([
            Subscriber(email="good@x.no", email_key="good@x.no"),
            Subscriber(email="a@k..no", email_key="a@k..no"),  # accepted by the old regex
            Subscriber(email="dup@x.no", email_key="dup@x.no"),
            Subscriber(email="Dup@x.no", email_key=None),  # revision 0005 left it without key
            Subscriber(email="ola@ærø.no", email_key="ola@ærø.no"),  # domain in Unicode
            Subscriber(email="erased-9@invalid", email_key=None),
            Subscriber(email="borte@x.no", email_key="borte@x.no", confirmed_at=clock(),
                       suppressed_at=clock()),
        ])  # fmt: skip
        session.commit()
    result = cli.invoke(cli_app, ["subscribers", "check"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and "3 subscriber(s) to fix" in result.stderr
    assert "'a@k..no'" in lines[0] and "two periods in a row" in lines[0]
    assert "'Dup@x.no'" in lines[1] and "merge" in lines[1]
    assert "ola@xn--r-3fa9c.no" in lines[2] and "outdated" in lines[2]
    # the IDNA row is found by any spelling, and a write renews its key and stored form
    assert add(cli, "OLA@ÆRØ.NO").exit_code == 0
    with Session(ctx.engine) as session:
        renewed = ss.find(session, "ola@xn--r-3fa9c.no")
        assert renewed is not None
        assert (renewed.email, renewed.email_key) == ("OLA@xn--r-3fa9c.no", "ola@xn--r-3fa9c.no")
    assert len(cli.invoke(cli_app, ["subscribers", "check"]).stdout.splitlines()) == 2
    listed = cli.invoke(cli_app, ["subscribers", "list"]).stdout
    assert "borte@x.no\tannen\tsuppressed (bounced)" in listed
