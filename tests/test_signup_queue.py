"""The durable sign-up queue (``notifier.signup_queue``): a sign-up answered "check your mail"
is never lost. The request writes one row whatever the address; the task after the answer or
the worker's sweep records it exactly once; a failed write shows the error page; an erasure
deletes the person's waiting rows. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select
from typer.testing import CliRunner

from notifier import doctor, signup_queue, worker
from notifier.cli import app
from notifier.context import Context
from notifier.db import MIGRATIONS
from notifier.deliver import DeliverReport
from notifier.erasure import erase_subscriber
from notifier.outbox import Delivery
from notifier.web import create_app
from notifier.web.links import Links, load_secret
from notifier.web.routes import selfservice as route
from subscribers.models import SignupRequest, Subscriber
from subscribers.selfservice import SignupForm
from subscribers.service import add_subscriber
from tests.conftest import Clock
from tests.support.signup import client_at, post_sign_up
from tests.support.smtpserver import Inbox
from tests.test_selfservice import send


def rows(ctx: Context) -> list[SignupRequest]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(SignupRequest).order_by(SignupRequest.id)))  # type: ignore[arg-type]


def deliveries(ctx: Context, kind: str = "confirm") -> list[Delivery]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Delivery).where(Delivery.kind == kind)))


def links_of(ctx: Context) -> Links:
    return Links(ctx.settings.base_url, load_secret(ctx))


def queue(ctx: Context, *emails: str) -> list[int]:
    """Sign-ups queued as the request queues them, at the clock's time."""
    ids = []
    with Session(ctx.engine) as session:
        for email in emails:
            form = SignupForm(email=email, choices={"vaksinasjon": "daily"}, name="Kari")
            row = signup_queue.record(session, form, ctx.clock())
            assert row.id is not None
            ids.append(row.id)
        session.commit()
    return ids


@pytest.fixture
def crashed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The process dies right after the answer: the task after it never runs."""
    monkeypatch.setattr(route, "_after_answer", lambda *args: None)


async def test_every_address_writes_one_row_and_the_task_after_the_answer_empties_it(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(ctx.engine) as session:
        add_subscriber(
            session, "kjent@kommune.no", role="kommunelege", subtopics=["vaksinasjon"],
            cadence="daily", known_subtopics=ctx.taxonomy.slugs(),
        )  # fmt: skip
        session.commit()
    written: list[str] = []
    real = signup_queue.record

    def record(session: Session, form: SignupForm, now: Any) -> SignupRequest:
        written.append(form.email)
        return real(session, form, now)

    monkeypatch.setattr(signup_queue, "record", record)
    async with client_at(create_app(ctx), "1.2.3.4") as client:
        for email in ("ny@kommune.no", "ny@kommune.no", "kjent@kommune.no"):
            answer = await post_sign_up(client, email)
            assert answer.status_code == 200 and "Sjekk e-posten din" in answer.text
    assert written == ["ny@kommune.no", "ny@kommune.no", "kjent@kommune.no"]
    assert rows(ctx) == []  # processed and deleted
    assert len(deliveries(ctx)) == 1 and len(deliveries(ctx, "manage")) == 1


async def test_a_crash_after_the_answer_is_swept_and_mailed_once(
    ctx: Context, clock: Clock, smtp: tuple[Inbox, int], crashed: None
) -> None:
    inbox, port = smtp
    async with client_at(create_app(ctx), "1.2.3.4") as client:
        answer = await post_sign_up(client, "lege@kommune.no", name="Kari")
    assert answer.status_code == 200 and "Sjekk e-posten din" in answer.text
    (row,) = rows(ctx)
    assert row.email == "lege@kommune.no" and row.form["choices"] == {"vaksinasjon": "daily"}
    links = links_of(ctx)
    assert not signup_queue.sweep(ctx, links)  # too young: the task after the answer's
    clock.advance(seconds=31)
    assert signup_queue.sweep(ctx, links).done == 1
    assert signup_queue.sweep(ctx, links).done == 0
    assert rows(ctx) == []
    await send(ctx, port)
    (mail,) = inbox.to("lege@kommune.no")
    assert mail["Subject"] == "Bekreft abonnementet ditt på Helsevarsel"
    with Session(ctx.engine) as session:
        person = session.exec(select(Subscriber)).one()
        assert (person.name, person.confirmed_at) == ("Kari", None)


async def test_the_worker_delivery_tick_sweeps_the_queue(
    ctx: Context, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def nothing(ctx: Context) -> DeliverReport:
        return DeliverReport()

    monkeypatch.setattr(worker, "deliver", nothing)
    queue(ctx, "lege@kommune.no")
    clock.advance(minutes=1)
    await worker.deliver_job(ctx)
    assert rows(ctx) == [] and len(deliveries(ctx)) == 1


def test_a_failure_that_quotes_the_address_is_stored_without_it(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    (request_id,) = queue(ctx, "lege@kommune.no")

    def quoting(*args: Any, **kw: Any) -> None:
        raise RuntimeError("duplicate key (email)=(lege@kommune.no)")

    monkeypatch.setattr(signup_queue, "send_link_mail", quoting)
    assert signup_queue.attempt(ctx, links_of(ctx), request_id) is None
    (row,) = rows(ctx)
    assert row.last_error is not None and "lege@kommune.no" not in row.last_error
    assert "<adresse>" in row.last_error


def test_a_crash_inside_the_work_leaves_the_row_and_nothing_else(
    ctx: Context, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    (request_id,) = queue(ctx, "lege@kommune.no")
    links = links_of(ctx)

    def crash(*args: Any, **kw: Any) -> None:
        raise RuntimeError("the process died here")

    with monkeypatch.context() as patch:  # the subscriber made, the mail not yet queued
        patch.setattr(signup_queue, "send_link_mail", crash)
        assert signup_queue.attempt(ctx, links, request_id) is None
    (row,) = rows(ctx)
    assert row.attempts == 1 and row.last_error == "RuntimeError: the process died here"
    assert row.claimed_until is not None and row.claimed_until > clock()
    with Session(ctx.engine) as session:
        assert session.exec(select(Subscriber)).all() == []  # rolled back with the row
    # the first wait is 30-60 s with jitter (``outbox.backoff``); sweep halfway between the
    # sweep age and the end of the wait, so the row is old enough and only its backoff holds it
    wait = row.claimed_until - clock()
    assert signup_queue.SWEEP_AGE < wait <= timedelta(seconds=60)
    clock.advance(
        seconds=(signup_queue.SWEEP_AGE + (wait - signup_queue.SWEEP_AGE) / 2).total_seconds()
    )
    assert signup_queue.sweep(ctx, links).done == 0  # backing off
    clock.advance(hours=2)
    assert signup_queue.sweep(ctx, links).done == 1
    assert signup_queue.process(ctx, links, request_id) is False  # a second run finds it gone
    assert len(deliveries(ctx)) == 1


def test_the_outbox_key_keeps_a_request_processed_twice_to_one_mail(ctx: Context) -> None:
    """Two identical requests in the same window (a row written twice) mail once."""
    links = links_of(ctx)
    first, second = queue(ctx, "lege@kommune.no", "lege@kommune.no")
    assert signup_queue.process(ctx, links, first) and signup_queue.process(ctx, links, second)
    assert len(deliveries(ctx)) == 1


def test_a_row_failing_every_time_waits_for_an_operator_and_the_doctor_says_so(
    ctx: Context, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue(ctx, "lege@kommune.no")
    links = links_of(ctx)
    monkeypatch.setattr(signup_queue, "send_link_mail", lambda *a, **k: 1 / 0)
    for _ in range(signup_queue.MAX_ATTEMPTS):
        clock.advance(hours=2)
        assert signup_queue.sweep(ctx, links).failed == 1
    clock.advance(days=1)
    assert not signup_queue.sweep(ctx, links)  # left alone
    (row,) = rows(ctx)
    assert row.attempts == signup_queue.MAX_ATTEMPTS
    assert row.last_error == "ZeroDivisionError: division by zero"
    found = doctor.signup_queue(ctx.engine)
    assert found.status == "warn" and "1 sign-up(s) failed 8 times" in found.text
    with Session(ctx.engine) as session:
        assert signup_queue.backlog(session).stuck == 1


def test_an_operator_lists_a_stuck_row_retries_it_after_the_fix_and_drops_a_corrupt_one(
    ctx: Context, clock: Clock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``notifier signups list/retry/drop``: what the doctor's warning asks of an operator,
    without SQL. The listing masks the address; a retry lets the next sweep record the row
    once; a dropped row is gone and mails nothing."""
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(tmp_path / "var"))
    stuck_id, corrupt_id = queue(ctx, "lege@kommune.no", "annen@kommune.no")
    links = links_of(ctx)
    with monkeypatch.context() as broken:  # a template error, say: every attempt fails
        broken.setattr(signup_queue, "send_link_mail", lambda *a, **k: 1 / 0)
        for _ in range(signup_queue.MAX_ATTEMPTS):
            clock.advance(hours=2)
            assert signup_queue.sweep(ctx, links).failed == 2
    runner = CliRunner()
    listed = runner.invoke(app, ["signups", "list", "--stuck"], catch_exceptions=False)
    assert listed.exit_code == 1, listed.output  # rows wait for an operator
    lines = listed.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == [str(stuck_id), str(corrupt_id)]
    assert lines[0].split("\t")[3:] == [
        "stuck",
        "l***@kommune.no",
        "ZeroDivisionError: division by zero",
    ]
    assert "lege@kommune.no" not in listed.stdout
    dropped = runner.invoke(app, ["signups", "drop", str(corrupt_id)], catch_exceptions=False)
    assert dropped.exit_code == 0 and f"sign-up {corrupt_id} deleted" in dropped.stdout
    again = runner.invoke(app, ["signups", "drop", str(corrupt_id)])
    assert again.exit_code == 2 and "no waiting sign-up" in again.stderr
    # the cause fixed (the monkeypatch undone), the operator lets the sweep take the row again
    clock.advance(days=1)
    assert not signup_queue.sweep(ctx, links)  # still left alone before the retry
    retried = runner.invoke(app, ["signups", "retry"], catch_exceptions=False)
    assert retried.exit_code == 0 and "1 sign-up(s) released" in retried.stdout
    assert signup_queue.sweep(ctx, links).done == 1
    assert rows(ctx) == []
    assert [d.kind for d in deliveries(ctx)] == ["confirm"]  # one mail, to the stuck one only
    with Session(ctx.engine) as session:
        assert session.exec(select(Subscriber.email)).all() == ["lege@kommune.no"]
    empty = runner.invoke(app, ["signups", "list"], catch_exceptions=False)
    assert empty.exit_code == 0 and empty.stdout.strip() == "no sign-up waits"
    assert doctor.signup_queue(ctx.engine).status == "ok"


def test_retry_by_id_releases_only_that_row(ctx: Context, clock: Clock) -> None:
    first, second = queue(ctx, "a@kommune.no", "b@kommune.no")
    with Session(ctx.engine) as session:
        for row in session.exec(select(SignupRequest)):
            row.attempts, row.last_error = signup_queue.MAX_ATTEMPTS, "OperationalError: x"
            session.add(row)
        session.commit()
        assert signup_queue.release(session, [second]) == 1
        session.commit()
        assert [w.stuck for w in signup_queue.waiting(session)] == [True, False]
        assert [w.id for w in signup_queue.waiting(session, stuck_only=True)] == [first]
    assert signup_queue.mask("lege@kommune.no") == "l***@kommune.no"
    assert signup_queue.mask("not-an-address") == "***"


def test_the_doctor_warns_of_old_rows_and_is_content_with_none(ctx: Context) -> None:
    assert doctor.signup_queue(ctx.engine).status == "ok"
    with Session(ctx.engine) as session:
        form = SignupForm(email="lege@kommune.no", choices={"vaksinasjon": "daily"})
        old = datetime.now(UTC) - timedelta(hours=1)
        signup_queue.record(session, form, old)
        session.commit()
    found = doctor.signup_queue(ctx.engine)
    assert found.status == "warn" and "is a worker" in found.text


async def test_a_failed_write_answers_with_the_error_page(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: Any) -> None:
        raise OperationalError("INSERT INTO signup_request", {}, Exception("database down"))

    monkeypatch.setattr(signup_queue, "record", down)
    async with client_at(create_app(ctx), "1.2.3.4") as client:
        answer = await post_sign_up(client, "lege@kommune.no")
    assert answer.status_code == 503
    assert "Noe gikk galt" in answer.text and "Prøv igjen om litt" in answer.text
    assert "Sjekk e-posten" not in answer.text
    assert rows(ctx) == [] and deliveries(ctx) == []


async def test_a_hostile_form_is_refused_before_the_write(ctx: Context, crashed: None) -> None:
    async with client_at(create_app(ctx), "1.2.3.4") as client:
        huge = await post_sign_up(client, "a@kommune.no", cadence_vaksinasjon="d" * 2_000_000)
        many = {f"cadence_x{i}": "daily" for i in range(900)}
        unknown = await post_sign_up(client, "b@kommune.no", **many)
    assert huge.status_code == 413 and unknown.status_code == 400
    assert rows(ctx) == []


def test_an_erasure_deletes_the_persons_waiting_requests(ctx: Context) -> None:
    with Session(ctx.engine) as session:
        person = add_subscriber(
            session, "Lege@Kommune.no", role="kommunelege", subtopics=["vaksinasjon"],
            cadence="daily", known_subtopics=ctx.taxonomy.slugs(),
        )  # fmt: skip
        session.commit()
        person_id = person.id
    queue(ctx, "lege@kommune.no", "LEGE@kommune.no", "annen@kommune.no")
    with Session(ctx.engine) as session:
        found = session.get(Subscriber, person_id)
        assert found is not None
        erase_subscriber(session, found, ctx.clock())
        session.commit()
    assert [r.email for r in rows(ctx)] == ["annen@kommune.no"]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_workers_sweeping_at_once_process_each_row_once(ctx: Context, clock: Clock) -> None:
    ids = queue(ctx, *(f"lege{i}@kommune.no" for i in range(30)))
    clock.advance(minutes=1)
    links = links_of(ctx)
    barrier = threading.Barrier(2)
    reports: list[signup_queue.SweepReport] = []

    def work() -> None:
        barrier.wait()
        reports.append(signup_queue.sweep(ctx, links))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.done for r in reports) == 30 and sum(r.failed for r in reports) == 0
    assert rows(ctx) == [] and len(deliveries(ctx)) == 30
    # the same row given to both at once (a lease run out mid-work): one records it
    (again,) = queue(ctx, "sist@kommune.no")
    outcomes: list[bool] = []

    def both() -> None:
        barrier.wait()
        outcomes.append(signup_queue.process(ctx, links, again))

    threads = [threading.Thread(target=both) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [False, True] and len(ids) == 30
    assert len(deliveries(ctx)) == 31


def test_migration_0018_goes_down_and_up_again(ctx: Context) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0017_api_token_expiry")
    assert "signup_request" not in sa.inspect(ctx.engine).get_table_names()
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    assert "signup_request" in sa.inspect(ctx.engine).get_table_names()
    queue(ctx, "lege@kommune.no")
    assert len(rows(ctx)) == 1
