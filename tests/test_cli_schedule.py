"""``notifier subscribers schedule`` and ``channels`` (issue 11): a subscriber's digest hour,
weekday and quiet hours set from a script through the one validation rule, and per
subscription which push channels its alerts use, honoured by the planner: an urgent change
reaches the Apprise receiver only while the subscription's Apprise channel is on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, col, select

from notifier.context import Context
from notifier.outbox import Delivery
from notifier.plan import dispatch
from subscribers import push
from subscribers.service import find_subscriber
from tests.test_apprise import Receiver, cli, env, target
from tests.test_plan import add_change, subscribe


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


def times(ctx: Context, email: str) -> tuple[int | None, ...]:
    with Session(ctx.engine) as session:
        p = find_subscriber(session, email)
        assert p is not None
        return (p.digest_hour, p.digest_weekday, p.quiet_start, p.quiet_end)


def test_schedule_sets_shows_and_resets(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    subscribe(ctx, "kari@k.no", ["vaksinasjon"], "daily")
    env(monkeypatch, ctx, allow=True)
    shown = cli("subscribers", "schedule", "kari@k.no")
    assert shown.strip() == (
        "kari@k.no\tdigest 07:00 (default)\tweekly Monday (default)\tquiet none"
    )
    out = cli(
        "subscribers", "schedule", "Kari@K.no", "--digest-hour", "8", "--weekday", "fri",
        "--quiet", "22-7",
    )  # fmt: skip
    assert out.strip() == "kari@k.no\tdigest 08:00\tweekly Friday\tquiet 22:00-07:00"
    assert times(ctx, "kari@k.no") == (8, 4, 22, 7)
    cli("subscribers", "schedule", "kari@k.no", "--weekday", "søndag")  # the rest is kept
    assert times(ctx, "kari@k.no") == (8, 6, 22, 7)
    out = cli("subscribers", "schedule", "kari@k.no", "--no-quiet", "--digest-hour", "standard")
    assert "digest 07:00 (default)" in out and "quiet none" in out
    assert times(ctx, "kari@k.no") == (None, 6, None, None)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--digest-hour", "24"], "'24' is not a digest hour"),
        (["--weekday", "fridag"], "'fridag' is not a weekday"),
        (["--quiet", "7-7"], "7-7 are not valid"),
        (["--quiet", "22"], "START-END"),
        (["--quiet", "22-7", "--no-quiet"], "not both"),
    ],
)
def test_schedule_refuses_bad_values_and_changes_nothing(
    ctx: Context, monkeypatch: pytest.MonkeyPatch, args: list[str], says: str
) -> None:
    subscribe(ctx, "kari@k.no", ["vaksinasjon"], "daily")
    env(monkeypatch, ctx, allow=True)
    out = cli("subscribers", "schedule", "kari@k.no", "--digest-hour", "9", *args, code=2)
    assert says in out
    assert times(ctx, "kari@k.no") == (None, None, None, None)


def test_schedule_of_an_unknown_address(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    env(monkeypatch, ctx, allow=True)
    assert "no subscriber" in cli("subscribers", "schedule", "x@k.no", code=2)


def test_channels_list_and_choose(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk", "vaksinasjon"], "immediate")
    env(monkeypatch, ctx, allow=True)
    listed = cli("subscribers", "channels", "sf@k.no").strip().splitlines()
    assert listed == [
        "forskrifter_regelverk\timmediate\temail on\twebpush on\tapprise on\t0 device(s)\t0 target(s)",
        "vaksinasjon\timmediate\temail on\twebpush on\tapprise on\t0 device(s)\t0 target(s)",
    ]
    out = cli("subscribers", "channels", "sf@k.no", "vaksinasjon", "--push", "off")
    assert out.strip().split("\t")[2:5] == ["email on", "webpush off", "apprise off"]
    out = cli("subscribers", "channels", "sf@k.no", "vaksinasjon", "--webpush", "on")
    assert out.strip().split("\t")[2:5] == ["email on", "webpush on", "apprise off"]
    with Session(ctx.engine) as session:
        assert push.push_off(session, [1], "apprise") == {1: {"vaksinasjon"}}
        assert push.push_off(session, [1], "webpush") == {}
    assert "always" in cli(
        "subscribers", "channels", "sf@k.no", "vaksinasjon", "--email", "off", code=2
    )
    cli("subscribers", "channels", "sf@k.no", "vaksinasjon", "--email", "on")
    assert "on or off" in cli(
        "subscribers", "channels", "sf@k.no", "vaksinasjon", "--push", "ja", code=2
    )
    assert "no subscription" in cli(
        "subscribers", "channels", "sf@k.no", "testing", "--push", "off", code=2
    )
    assert "name the subscription" in cli(
        "subscribers", "channels", "sf@k.no", "--push", "off", code=2
    )


def test_an_apprise_channel_turned_off_keeps_the_alert_in_email(
    ctx: Context, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    env(monkeypatch, ctx, allow=True)
    target(ctx, "sf@k.no", f"json://127.0.0.1:{receiver.port}/hook")
    cli("subscribers", "channels", "sf@k.no", "forskrifter_regelverk", "--apprise", "off")
    add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
    assert dispatch(ctx) == 1  # the mail only
    assert [r.channel for r in outbox(ctx)] == ["email"]
    cli("subscribers", "channels", "sf@k.no", "forskrifter_regelverk", "--apprise", "on")
    add_change(ctx, "Endret forskrift", ["forskrifter_regelverk"], urgent=True, story="b")
    assert dispatch(ctx) == 2  # the mail and the Apprise row
    assert sorted(r.channel for r in outbox(ctx)) == ["apprise", "email", "email"]


def outbox(ctx: Context) -> list[Delivery]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Delivery).order_by(col(Delivery.id))))


#: the same value through ``subscribers add`` and ``subscribers schedule`` (and CSV import):
#: what each stores, or None when every way in refuses it
ONE_RULE = [
    (["--digest-weekday", "fredag"], ["--weekday", "fredag"], (None, 4)),
    (["--digest-weekday", "fri"], ["--weekday", "fri"], (None, 4)),
    (["--digest-weekday", "1"], ["--weekday", "1"], (None, 0)),  # 1 = Monday everywhere
    (["--digest-weekday", "7"], ["--weekday", "7"], (None, 6)),
    (["--digest-weekday", "0"], ["--weekday", "0"], None),
    (["--digest-weekday", "8"], ["--weekday", "8"], None),
    (["--digest-hour", "08:00"], ["--digest-hour", "08:00"], (8, None)),
    (["--digest-hour", "24"], ["--digest-hour", "24"], None),
    (["--digest-hour", "8:30"], ["--digest-hour", "8:30"], None),
]


@pytest.mark.parametrize(("add_args", "schedule_args", "stored"), ONE_RULE)
def test_add_reads_hours_and_weekdays_as_schedule_and_csv_do(
    ctx: Context,
    monkeypatch: pytest.MonkeyPatch,
    add_args: list[str],
    schedule_args: list[str],
    stored: tuple[int | None, int | None] | None,
) -> None:
    from subscribers.importer import parse_schedule
    from subscribers.validate import ScheduleError

    env(monkeypatch, ctx, allow=True)
    add = ("subscribers", "add", "kari@k.no", "--role", "kommunelege", "--subtopic", "vaksinasjon")
    subscribe(ctx, "ola@k.no", ["vaksinasjon"], "daily")
    cells = {"digest_hour" if "--digest-hour" in add_args else "digest_weekday": add_args[1]}
    if stored is None:
        assert "error:" in cli(*add, *add_args, code=2)
        cli("subscribers", "schedule", "ola@k.no", *schedule_args, code=2)
        with pytest.raises(ScheduleError):
            parse_schedule(cells)
        with Session(ctx.engine) as session:
            assert find_subscriber(session, "kari@k.no") is None  # nothing added
        return
    cli(*add, *add_args)
    cli("subscribers", "schedule", "ola@k.no", *schedule_args)
    assert times(ctx, "kari@k.no")[:2] == stored
    assert times(ctx, "ola@k.no")[:2] == stored
    assert tuple(parse_schedule(cells).get(k) for k in ("digest_hour", "digest_weekday")) == stored


def test_add_standard_resets_to_the_default(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    env(monkeypatch, ctx, allow=True)
    add = ("subscribers", "add", "kari@k.no", "--role", "kommunelege", "--subtopic", "vaksinasjon")
    cli(*add, "--digest-hour", "18", "--digest-weekday", "søndag")
    assert times(ctx, "kari@k.no")[:2] == (18, 6)
    cli(*add, "--digest-hour", "standard", "--digest-weekday", "default")
    assert times(ctx, "kari@k.no")[:2] == (None, None)


def test_help_names_the_rule_and_the_import_columns(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    env(monkeypatch, ctx, allow=True)
    added = words(cli("subscribers", "add", "--help"))
    assert "1-7 (1 = Monday" in added and "mandag ... søndag" in added
    imported = words(cli("subscribers", "import", "--help"))
    for column in ("digest_hour", "digest_weekday", "quiet_start", "quiet_end"):
        assert column in imported, column


def words(text: str) -> str:
    """Help text as one line of words (the box lines and wrapping of rich left out)."""
    return " ".join(w for w in text.split() if w.strip("│╭╮╰╯─"))
