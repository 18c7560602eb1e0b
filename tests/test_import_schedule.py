"""CSV import: the digest hour, the weekly digest's weekday and quiet hours for push, read by
the one validation path (``subscribers.validate``), planned by the console's preview exactly as
the import applies them, and exported so that the file imports back unchanged (issue 11)."""

from __future__ import annotations

import io

import pytest
from sqlmodel import Session

from notifier.context import Context
from subscribers import import_plan
from subscribers.importer import Vocabulary, export_csv, import_csv
from subscribers.models import Subscriber
from subscribers.service import find_subscriber
from subscribers.validate import (
    ScheduleError,
    check_quiet,
    parse_hour,
    parse_quiet,
    parse_weekday,
)

HEADER = "email,name,role,region,subtopics,cadence,office,digest_hour,digest_weekday,quiet_start,quiet_end\n"


def vocab(ctx: Context) -> Vocabulary:
    gaz = ctx.gazetteer
    return Vocabulary(
        canonical=ctx.taxonomy.canonical,
        regions=frozenset(n for n, _ in (*gaz.counties(), *gaz.municipalities())),
        offices=frozenset(slug for slug, _ in gaz.offices()),
    )


def run(ctx: Context, text: str) -> list[tuple[int, str]]:
    with Session(ctx.engine) as session:
        report = import_csv(session, io.StringIO(text, newline=""), vocab(ctx))
        session.commit()
    return report.errors


def person(ctx: Context, email: str) -> Subscriber:
    with Session(ctx.engine) as session:
        found = find_subscriber(session, email)
        assert found is not None
        session.expunge(found)
        return found


def times(p: Subscriber) -> tuple[int | None, ...]:
    return (p.digest_hour, p.digest_weekday, p.quiet_start, p.quiet_end)


@pytest.mark.parametrize(
    ("raw", "hour"), [("8", 8), ("08", 8), ("08:00", 8), ("8.00", 8), ("0", 0), ("23", 23),
                      (" standard ", None), ("Default", None)],
)  # fmt: skip
def test_hours_read(raw: str, hour: int | None) -> None:
    assert parse_hour(raw) == hour


@pytest.mark.parametrize("raw", ["24", "-1", "8:30", "8.5", "", "åtte", "٨", "123", "8:00:00"])
def test_hours_refused(raw: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_hour(raw)
    assert caught.value.code == "hour_invalid" and "0 to 23" in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "weekday"),
    [("mandag", 0), ("Måndag", 0), ("mon", 0), ("1", 0), ("tysdag", 1), ("fre", 4),
     ("Friday", 4), ("fredag.", 4), ("5", 4), ("laurdag", 5), ("lør", 5), ("7", 6),
     ("sundag", 6), ("standard", None)],
)  # fmt: skip
def test_weekdays_read(raw: str, weekday: int | None) -> None:
    assert parse_weekday(raw) == weekday


@pytest.mark.parametrize("raw", ["0", "8", "fridag", "", "fr", "mandag2"])
def test_weekdays_refused(raw: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_weekday(raw)
    assert caught.value.code == "weekday_invalid"


def test_quiet_hours_rule() -> None:
    assert parse_quiet("22-7") == (22, 7) and parse_quiet("22:00–07:00") == (22, 7)
    assert parse_quiet("ingen") is None and check_quiet(None, None) is None
    for bad in ("22", "22-22", "22-24", "x-7", "-7"):
        with pytest.raises(ScheduleError) as caught:
            parse_quiet(bad)
        assert caught.value.code == "quiet_invalid"
    with pytest.raises(ScheduleError, match="both a start and an end"):
        check_quiet(22, None)


def test_import_sets_keeps_and_resets_the_schedule(ctx: Context) -> None:
    errors = run(
        ctx,
        HEADER
        + "a@k.no,A,kommunelege,,vaksinasjon,daily,,8,fredag,22,7\n"
        + "b@k.no,B,kommunelege,,vaksinasjon,daily,,,,,\n",
    )
    assert errors == []
    assert times(person(ctx, "a@k.no")) == (8, 4, 22, 7)
    assert times(person(ctx, "b@k.no")) == (None, None, None, None)
    # empty cells keep what is stored; a file without the columns changes nothing either
    assert run(ctx, HEADER + "a@k.no,A,kommunelege,,vaksinasjon,daily,,,,,\n") == []
    assert run(ctx, "email,role,subtopics\na@k.no,kommunelege,vaksinasjon\n") == []
    assert times(person(ctx, "a@k.no")) == (8, 4, 22, 7)
    # 'standard' and 'ingen' go back to the defaults
    assert (
        run(ctx, HEADER + "a@k.no,A,kommunelege,,vaksinasjon,daily,,standard,mon,ingen,ingen\n")
        == []
    )
    assert times(person(ctx, "a@k.no")) == (None, 0, None, None)


def test_bad_schedule_cells_are_reported_by_line_and_the_rest_imported(ctx: Context) -> None:
    errors = run(
        ctx,
        HEADER
        + "a@k.no,A,kommunelege,,vaksinasjon,daily,,25,,,\n"
        + "b@k.no,B,kommunelege,,vaksinasjon,daily,,,fridag,,\n"
        + "c@k.no,C,kommunelege,,vaksinasjon,daily,,,,22,\n"
        + "d@k.no,D,kommunelege,,vaksinasjon,daily,,,,7,7\n"
        + "e@k.no,E,kommunelege,,vaksinasjon,daily,,6,søndag,23,6\n",
    )
    assert [n for n, _ in errors] == [2, 3, 4, 5]
    assert "'25' is not a digest hour" in errors[0][1]
    assert "'fridag' is not a weekday" in errors[1][1]
    assert "both a start and an end" in errors[2][1]
    assert "7-7 are not valid" in errors[3][1]
    assert times(person(ctx, "e@k.no")) == (6, 6, 23, 6)
    with Session(ctx.engine) as session:
        assert find_subscriber(session, "a@k.no") is None


def test_the_preview_plans_what_the_import_does(ctx: Context) -> None:
    run(ctx, HEADER + "a@k.no,A,kommunelege,,vaksinasjon,daily,,8,,,\n")
    text = (
        HEADER
        + "a@k.no,A,kommunelege,,vaksinasjon,daily,,9,fre,22,6\n"
        + "a@k.no,A,kommunelege,,vaksinasjon,daily,,,,,\n"
        + "b@k.no,B,kommunelege,,vaksinasjon,daily,,x,,,\n"
        + "c@k.no,C,kommunelege,,vaksinasjon,daily,,,7,,\n"
        + "d@k.no,D,kommunelege,,vaksinasjon,daily,,,,1,\n"
    )
    with Session(ctx.engine) as session:
        plan = import_plan.plan_import(session, text, vocab(ctx))
    first, second, hour, weekday, quiet = plan.lines
    assert first.action == import_plan.CHANGE
    assert set(first.changes) == {
        ("digest_hour", "8", "9"), ("digest_weekday", "", "fredag"), ("quiet", "", "22-6"),
    }  # fmt: skip
    assert second.action == import_plan.SAME  # empty cells keep what the line above set
    assert (hour.reason, hour.detail) == ("hour", "x")
    assert (weekday.action, weekday.reason) == (import_plan.ADD, "")  # 7 is Sunday
    assert (quiet.reason, quiet.detail) == ("quiet", "1-")
    assert {line.reason for line in plan.lines} <= {"", *import_plan.REASONS}
    assert run(ctx, text) and times(person(ctx, "a@k.no")) == (9, 4, 22, 6)
    assert person(ctx, "c@k.no").digest_weekday == 6


def test_export_carries_the_schedule_and_imports_back_unchanged(ctx: Context) -> None:
    plain = "email,role,subtopics\na@k.no,kommunelege,vaksinasjon\n"
    run(ctx, plain)
    with Session(ctx.engine) as session:
        before = export_csv(session)
    assert before.splitlines()[0] == "email,name,role,region,subtopics,cadence,office,confirmed"
    run(ctx, HEADER + "b@k.no,B,kommunelege,,vaksinasjon,daily,,8,lørdag,22,7\n")
    with Session(ctx.engine) as session:
        exported = export_csv(session)
    lines = exported.splitlines()
    assert lines[0] == HEADER.strip() + ",confirmed"
    assert "b@k.no,B,kommunelege,,vaksinasjon:daily,daily,,8,lørdag,22,7,yes" in lines
    assert run(ctx, exported) == []
    with Session(ctx.engine) as session:
        assert export_csv(session) == exported
