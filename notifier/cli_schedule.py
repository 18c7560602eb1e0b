"""``notifier subscribers schedule`` and ``channels``: when a subscriber's digests come and
their quiet hours for push, and which channels each subscription uses.

Both show the state after any change (one line per subscriber or subscription), so a script
can read back what it set. Hours, weekdays and quiet hours go through the one rule,
``subscribers.validate`` (as CSV import does)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from sqlmodel import Session, col, select

from notifier.context import Context
from subscribers import push, targets
from subscribers.models import Subscriber, Subscription
from subscribers.service import find_subscriber
from subscribers.validate import ScheduleError, parse_hour, parse_quiet, parse_weekday

_MAKE_CTX: list[Callable[[], Context]] = []

WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SWITCH = ("on", "off")


def register(app: typer.Typer, make_ctx: Callable[[], Context]) -> None:
    """Add the commands to the ``subscribers`` group."""
    _MAKE_CTX[:] = [make_ctx]
    app.command("schedule")(schedule)
    app.command("channels")(channels)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def _find(session: Session, email: str) -> Subscriber:
    found = find_subscriber(session, email)
    if found is None or found.id is None:
        raise _fail(f"no subscriber with the address {email}")
    return found


def describe_schedule(person: Subscriber, default_hour: int, default_weekday: int) -> str:
    """One line: the digest hour and weekday (marked when they are the defaults) and the
    quiet hours (pure)."""
    hour = person.digest_hour if person.digest_hour is not None else default_hour
    wd = person.digest_weekday if person.digest_weekday is not None else default_weekday
    quiet = (
        f"{person.quiet_start:02d}:00-{person.quiet_end:02d}:00"
        if person.quiet_start is not None and person.quiet_end is not None
        else "none"
    )
    return (
        f"{person.email}\tdigest {hour:02d}:00{' (default)' if person.digest_hour is None else ''}"
        f"\tweekly {WEEKDAYS_EN[wd]}{' (default)' if person.digest_weekday is None else ''}"
        f"\tquiet {quiet}"
    )


def schedule(
    email: str,
    digest_hour: Annotated[
        str | None,
        typer.Option(help="Local hour of daily and weekly digests, 0-23; 'standard': default."),
    ] = None,
    weekday: Annotated[
        str | None,
        typer.Option(help="Weekday of weekly digests: mon ... sun, mandag ... søndag or 1-7."),
    ] = None,
    quiet: Annotated[
        str | None, typer.Option(help="Quiet hours for push, START-END local hours (22-7).")
    ] = None,
    no_quiet: Annotated[bool, typer.Option("--no-quiet", help="No quiet hours.")] = False,
) -> None:
    """Set (or, with no option, show) when a subscriber's digests come and their quiet hours.

    Times are local (NOTIFIER_TIMEZONE). Quiet hours hold push messages (not e-mail) until
    they end; urgent alerts ignore them."""
    if quiet is not None and no_quiet:
        raise _fail("give --quiet or --no-quiet, not both")
    try:
        changes: dict[str, int | None] = {}
        if digest_hour is not None:
            changes["digest_hour"] = parse_hour(digest_hour)
        if weekday is not None:
            changes["digest_weekday"] = parse_weekday(weekday)
        if quiet is not None or no_quiet:
            hours = None if no_quiet else parse_quiet(quiet or "")
            changes["quiet_start"], changes["quiet_end"] = hours or (None, None)
    except ScheduleError as exc:
        raise _fail(str(exc)) from exc
    with _MAKE_CTX[0]() as ctx, Session(ctx.engine) as session:
        person = _find(session, email)
        for name, value in changes.items():
            setattr(person, name, value)
        if changes:
            session.add(person)
            session.commit()
            session.refresh(person)
        settings = ctx.settings
        typer.echo(
            describe_schedule(person, settings.daily_digest_hour, settings.weekly_digest_weekday)
        )


def _switch(value: str | None, name: str) -> bool | None:
    if value is None:
        return None
    if value.lower() not in SWITCH:
        raise _fail(f"--{name} takes on or off, not {value!r}")
    return value.lower() == "on"


def channels(
    email: str,
    subtopic: Annotated[
        str | None, typer.Argument(help="The subscription to change; none: list them all.")
    ] = None,
    push_: Annotated[
        str | None, typer.Option("--push", help="on | off: Web Push and Apprise targets.")
    ] = None,
    webpush: Annotated[str | None, typer.Option(help="on | off: Web Push only.")] = None,
    apprise: Annotated[str | None, typer.Option(help="on | off: Apprise targets only.")] = None,
    email_: Annotated[str | None, typer.Option("--email", help="on (always on).")] = None,
) -> None:
    """Choose which channels a subscription's alerts use, and list every subscription's.

    By default a subscription's immediate and urgent alerts go by e-mail and, once the person
    has a push endpoint or an Apprise target, there as well; digests stay in e-mail. One line
    per subscription: subtopic, cadence, email, webpush, apprise (on/off), and how many
    devices and targets the person has."""
    settings = {
        "webpush": _switch(webpush if webpush is not None else push_, "webpush"),
        "apprise": _switch(apprise if apprise is not None else push_, "apprise"),
    }
    if _switch(email_, "email") is False:
        raise _fail(
            "e-mail cannot be turned off for one subscription: its alerts and digests always "
            "go by e-mail, push comes in addition; to stop them, remove the subscription"
        )
    changing = any(v is not None for v in settings.values())
    if changing and subtopic is None:
        raise _fail("name the subscription (its subtopic) to change")
    with _MAKE_CTX[0]() as ctx, Session(ctx.engine) as session:
        person = _find(session, email)
        assert person.id is not None
        subs = session.exec(
            select(Subscription)
            .where(Subscription.subscriber_id == person.id)
            .order_by(col(Subscription.id))
        ).all()
        slugs = list(dict.fromkeys(s.subtopic for s in subs))
        if subtopic is not None:
            try:
                slug = ctx.taxonomy.canonical(subtopic)
            except KeyError:
                slug = subtopic
            if slug not in slugs:
                raise _fail(f"{person.email} has no subscription to {subtopic!r}")
            for channel, enabled in settings.items():
                if enabled is not None:
                    push.set_channel(session, person.id, slug, channel, enabled, ctx.clock())
            session.commit()
            slugs = [slug]
        off = {c: push.push_off(session, [person.id], c).get(person.id, set()) for c in settings}
        devices = len(push.endpoints_of(session, person.id))
        hooks = len(targets.targets_of(session, person.id))
        cadence = {s.subtopic: s.cadence for s in subs}
        for slug in slugs:
            state = ["on" if slug not in off[c] else "off" for c in settings]
            typer.echo(
                f"{slug}\t{cadence[slug]}\temail on\twebpush {state[0]}\tapprise {state[1]}"
                f"\t{devices} device(s)\t{hooks} target(s)"
            )
