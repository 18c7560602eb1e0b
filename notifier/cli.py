"""The ``notifier`` command line. Every command reads its settings from NOTIFIER_* variables."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import typer
from sqlmodel import Session, col, select

from feeds.catalogue import load_catalogue
from feeds.classify import classify
from feeds.errors import CatalogueError
from feeds.store.models import Source
from notifier import cli_api, cli_push, cli_run, cli_signups, logs, review, startup
from notifier.context import Context, build_context
from notifier.deliver import deliver as deliver_outbox
from notifier.pipeline import check as check_round
from notifier.pipeline import load_sources
from notifier.plan import compose_digests, compose_due
from notifier.plan import preview as preview_digest
from notifier.settings import Settings
from notifier.settings_checks import shown
from subscribers.importer import Vocabulary, export_csv, import_csv
from subscribers.models import CADENCES, Subscriber, Subscription
from subscribers.service import SubscriberError, add_subscriber, address_problems
from subscribers.validate import ScheduleError, parse_hour, parse_weekday

app = typer.Typer(
    help="Helsevarsel: watches the Norwegian health authorities and notifies.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
sources_app = typer.Typer(help="The watched sources.", no_args_is_help=True)
subscribers_app = typer.Typer(help="Subscribers and their subscriptions.", no_args_is_help=True)
review_app = typer.Typer(help="Changes held for staff review.", no_args_is_help=True)
classify_app = typer.Typer(help="The classifier: stdin JSON lines, or staff corrections.")
app.add_typer(db_app, name="db")
app.add_typer(sources_app, name="sources")
app.add_typer(subscribers_app, name="subscribers")
app.add_typer(review_app, name="review")
app.add_typer(classify_app, name="classify")


#: the settings of this run, checked by ``_settings_first`` before any command's work
_settings: Settings | None = None


@app.callback()
def _settings_first() -> None:
    """Check every setting before any command starts: a wrong one ends the command with one
    line naming the variable and what to set (exit code 2). ``--help`` needs none."""
    global _settings
    _settings = None  # each invocation reads the environment afresh (tests run several)
    if "--help" in sys.argv[1:]:
        return
    try:
        _settings = startup.checked_settings()
    except startup.StartupError as exc:
        raise _fail(str(exc)) from None
    if not logging.getLogger().handlers:  # a host (pytest) may have set logging up already
        logs.configure(_settings.log_format, _settings.log_level)


def _checked() -> Settings:
    return _settings or startup.checked_settings()


def _ctx(*, migrate: bool = True) -> Context:
    """The context of a command, its schema migrated; use as ``with _ctx() as ctx``. A
    database that cannot be opened ends the command with one line (exit code 2)."""
    settings = _checked()
    try:
        return startup.open_context(settings, migrate=migrate)
    except startup.StartupError as exc:
        raise _fail(str(exc)) from None
    except sa.exc.DatabaseError as exc:  # e.g. a SQLite URL naming a file that is no database
        raise _fail(startup.database_problem(settings, exc)) from None


def _free_port(host: str, port: int, *, port_name: str = "NOTIFIER_WEB_PORT") -> None:
    try:
        startup.check_port(host, port, host_name="NOTIFIER_WEB_HOST", port_name=port_name)
    except startup.StartupError as exc:
        raise _fail(str(exc)) from None


def _mail_folder_usable(settings: Settings) -> None:
    """Without NOTIFIER_SMTP_URL mails are written into <data_dir>/mail: refuse to start a
    command that sends when that folder can never be written (a file in its path, a folder
    this user may not write), before anything is done. Nothing is created here."""
    from notifier.doctor import mail_folder_problem

    if settings.smtp_url:
        return
    if problem := mail_folder_problem(settings.mail_dir):
        raise _fail(
            f"NOTIFIER_DATA_DIR={shown('data_dir', settings.data_dir)}: cannot create or write "
            f"the mail folder ({problem}); set a folder this user may write, or "
            "NOTIFIER_SMTP_URL to send through a mail server"
        )


def _startable(settings: Settings, *, catalogue: bool = True) -> None:
    """What ``run`` and ``worker`` refuse before they touch anything: a mail folder that can
    never be written, and (when they load it) a catalogue that cannot be read."""
    _mail_folder_usable(settings)
    if catalogue:
        try:
            load_catalogue(settings.catalogue)
        except CatalogueError as exc:
            raise _fail(f"NOTIFIER_CATALOGUE: {exc}") from None


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


@app.command("doctor")
def doctor() -> None:
    """Check the database, the mail server, the push keys, the catalogue and free disk, and
    say what is wrong; exit code 1 when something is."""
    from notifier import doctor as checkup

    settings = _checked()
    try:
        ctx = build_context(settings)
    except OSError as exc:
        url = shown("database_url", settings.database_url)
        raise _fail(
            f"NOTIFIER_DATABASE_URL={url}: cannot create the database's folder "
            f"({exc.strerror or exc}); set a path this user may write"
        ) from None
    with ctx:
        findings = checkup.examine(settings, ctx.engine)
    for finding in findings:
        typer.echo(finding.line())
    failed = [f.check for f in findings if f.status == "fail"]
    if failed:
        typer.echo(f"{len(failed)} problem(s): {', '.join(failed)}", err=True)
        raise typer.Exit(code=1)
    typer.echo("ready to run")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the newest version."""
    with _ctx() as ctx:
        typer.echo(
            f"database is up to date ({ctx.engine.url.render_as_string(hide_password=True)})"
        )


@sources_app.command("load")
def sources_load(
    file: Annotated[Path, typer.Argument(help="A TOML catalogue of [[source]] tables.")],
) -> None:
    """Insert or update the sources of a catalogue file."""
    try:
        with _ctx() as ctx:
            added, updated = load_sources(ctx, file)
    except CatalogueError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"{added} source(s) added, {updated} updated")


@sources_app.command("list")
def sources_list() -> None:
    """Every source with its kind, health and last outcome."""
    with _ctx() as ctx, Session(ctx.engine) as session:
        for s in session.exec(select(Source).order_by(col(Source.key))):
            health = "ok" if s.consecutive_errors == 0 else f"failing x{s.consecutive_errors}"
            outcome = s.last_outcome or "never checked"
            typer.echo(f"{s.key}\t{s.kind}\t{s.authority}\t{outcome}\t{health}\t{s.url}")


@app.command("check")
def check(
    keys: Annotated[
        list[str] | None, typer.Argument(help="Source keys; none: the due sources.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Check every enabled source now.")] = False,
) -> None:
    """Run one check round now and print one line per source: key and outcome."""
    with _ctx() as ctx:
        try:
            reports = asyncio.run(check_round(ctx, keys or (), everything=all_))
        except LookupError as exc:
            raise _fail(str(exc)) from exc
        for r in reports:
            typer.echo(f"{r.key} {r.outcome}" + (f" ({r.detail})" if r.detail else ""))


@subscribers_app.command("add")
def subscribers_add(
    email: str,
    role: Annotated[
        str, typer.Option(help="kommunelege | statsforvalter | kommunikasjon | annen")
    ] = "annen",
    subtopic: Annotated[
        list[str] | None, typer.Option(help="A subtopic slug; repeat for more.")
    ] = None,
    cadence: Annotated[str, typer.Option(help="immediate | daily | weekly")] = "daily",
    name: Annotated[str, typer.Option(help="The subscriber's name.")] = "",
    region: Annotated[str | None, typer.Option(help="Municipality or county number.")] = None,
    office: Annotated[
        str | None, typer.Option(help="Statsforvalter office slug (role statsforvalter).")
    ] = None,
    digest_hour: Annotated[
        str | None,
        typer.Option(
            help="Local hour of daily and weekly digests, 0-23 (8 or 08:00); 'standard': "
            "the service's default (NOTIFIER_DAILY_DIGEST_HOUR, 7)."
        ),
    ] = None,
    digest_weekday: Annotated[
        str | None,
        typer.Option(
            help="Weekday of weekly digests: mon ... sun, mandag ... søndag or 1-7 (1 = Monday, "
            "as CSV import and 'subscribers schedule'); 'standard': the service's default."
        ),
    ] = None,
) -> None:
    """Add a subscriber (confirmed: added by staff) or add subscriptions to one.

    The address is compared case-insensitively. An erased address, or one suppressed after
    repeated bounces, is refused (exit code 2): only the person can subscribe it again,
    through the sign-up form and its confirmation link. The digest hour and weekday follow
    the one rule of CSV import and 'subscribers schedule' (a refused value: exit code 2)."""
    schedule: dict[str, int | None] = {}
    try:
        if digest_hour is not None:
            schedule["digest_hour"] = parse_hour(digest_hour)
        if digest_weekday is not None:
            schedule["digest_weekday"] = parse_weekday(digest_weekday)
    except ScheduleError as exc:
        raise _fail(str(exc)) from exc
    with _ctx() as ctx, Session(ctx.engine) as session:
        try:
            sub = add_subscriber(
                session, email, role=role, subtopics=subtopic or [], cadence=cadence,
                known_subtopics=ctx.taxonomy.slugs(), name=name, region=region, office=office,
            )  # fmt: skip
        except SubscriberError as exc:
            raise _fail(str(exc)) from exc
        for field_name, value in schedule.items():
            setattr(sub, field_name, value)
        session.add(sub)
        session.commit()
        typer.echo(f"{sub.email}: {', '.join(subtopic or [])} ({cadence})")


@subscribers_app.command("import")
def subscribers_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with the header email,name,role,region,subtopics,cadence[,office]"
            "[,digest_hour,digest_weekday,quiet_start,quiet_end]; '-' reads stdin."
        ),
    ],
) -> None:
    """Import subscribers from CSV, confirmed (added by staff).

    One line per person. role: kommunelege | statsforvalter | kommunikasjon | annen.
    region: municipality (4 digits) or county (2 digits) number, or empty for the whole
    country. office: statsforvalter office slug (e.g. rogaland). subtopics: slugs separated by
    ';', each optionally 'slug:cadence'. cadence: immediate | daily | weekly (default daily).
    digest_hour: local hour of daily and weekly digests, 0-23 (8 or 08:00). digest_weekday:
    weekday of weekly digests, mon ... sun, mandag ... søndag or 1-7 (1 = Monday).
    quiet_start, quiet_end: quiet hours for push, both or neither (22 and 7: 22:00-07:00).
    'standard' resets the hour or weekday to the default, 'ingen' in both quiet columns
    removes quiet hours; empty cells (or no such columns) keep what is stored.

    Idempotent: importing the same file again changes nothing. Erased addresses, and those
    suppressed after repeated bounces, are never resubscribed. Lines with errors are reported
    (exit code 1) and the others imported.
    """
    with _ctx() as ctx, Session(ctx.engine) as session:
        gaz = ctx.gazetteer
        vocab = Vocabulary(
            canonical=ctx.taxonomy.canonical,
            regions=frozenset(n for n, _ in (*gaz.counties(), *gaz.municipalities())),
            offices=frozenset(slug for slug, _ in gaz.offices()),
        )
        try:
            if str(file) == "-":
                report = import_csv(session, sys.stdin, vocab)
            else:
                with file.open(encoding="utf-8-sig", newline="") as stream:
                    report = import_csv(session, stream, vocab)
        except (OSError, UnicodeDecodeError) as exc:
            raise _fail(f"cannot read {file}: {exc}") from exc
        session.commit()
    for line in report.lines():
        typer.echo(line, err=True)
    typer.echo(
        f"{report.imported} imported, {report.suppressed} suppressed (erased or bounced), "
        f"{len(report.errors) - report.suppressed} line(s) with errors"
    )
    if report.errors:
        raise typer.Exit(code=1)


@subscribers_app.command("export")
def subscribers_export(
    file: Annotated[
        Path | None, typer.Argument(help="Where to write the CSV; none: standard output.")
    ] = None,
) -> None:
    """Export every subscriber as CSV, in the import format plus a 'confirmed' column
    (erased subscribers are left out)."""
    with _ctx() as ctx, Session(ctx.engine) as session:
        if file is None:
            typer.echo(export_csv(session), nl=False)
            return
        with file.open("w", encoding="utf-8", newline="") as out:
            export_csv(session, out)
    typer.echo(f"written to {file}")


@subscribers_app.command("list")
def subscribers_list() -> None:
    """Every subscriber with their subscriptions."""
    with _ctx() as ctx, Session(ctx.engine) as session:
        for s in session.exec(select(Subscriber).order_by(col(Subscriber.email))):
            subs = session.exec(
                select(Subscription).where(Subscription.subscriber_id == s.id)
            ).all()
            state = "confirmed" if s.confirmed_at else "unconfirmed"
            if s.suppressed_at is not None:
                state = "suppressed (bounced)"
            topics = ", ".join(f"{x.subtopic}:{x.cadence}" for x in subs)
            typer.echo(f"{s.email}\t{s.role}\t{state}\t{topics}")


@subscribers_app.command("check")
def subscribers_check() -> None:
    """List stored addresses that the address validator refuses now, or whose comparison key
    is missing or outdated (rows from before it); exit code 1 when there are any."""
    with _ctx() as ctx, Session(ctx.engine) as session:
        problems = address_problems(session)
        for person, problem in problems:
            typer.echo(f"{person.id}\t{person.email!r}\t{problem}")
    typer.echo(f"{len(problems)} subscriber(s) to fix", err=bool(problems))
    if problems:
        raise typer.Exit(code=1)


cli_push.register(subscribers_app, _ctx)  # push-add/-list/-remove, target-add/-list/-remove
# worker: the scheduled work without the web app
cli_run.register(app, _ctx, lambda catalogue: _startable(_checked(), catalogue=catalogue))
cli_api.register(app, _ctx)  # api token-create/-list/-revoke
cli_signups.register(app, _ctx)  # signups list/retry/drop


staff_app = typer.Typer(help="Staff accounts of the console.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")


def _stdin_password() -> str:
    """The password given on standard input (one trailing line break dropped)."""
    text = sys.stdin.read()
    if text.endswith("\n"):
        text = text[:-1]
    return text.removesuffix("\r")


def _setup_link(ctx: Context, token: str) -> str:
    return f"{ctx.settings.base_url.rstrip('/')}/staff/passord/{token}"


def _when(ctx: Context, moment: datetime) -> str:
    local = moment.astimezone(ZoneInfo(ctx.settings.timezone))
    return f"{local:%Y-%m-%d %H:%M} {ctx.settings.timezone}"


@staff_app.command("add")
def staff_add(
    email: str,
    role: Annotated[str, typer.Option(help="redaktor | admin")],
    name: Annotated[str, typer.Option(help="The person's name.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a staff user. With --password-stdin the password is read from standard input;
    otherwise a one-time link to set it is printed (valid NOTIFIER_STAFF_SETUP_LINK_HOURS)."""
    from notifier import staff

    password = _stdin_password() if password_stdin else None
    with _ctx() as ctx, Session(ctx.engine) as session:
        now = ctx.clock()
        try:
            user = staff.create_staff(session, email, role, now, name=name)
            if password is not None:
                staff.set_password(session, user, password, now)
            else:
                token = staff.issue_setup_token(
                    session, user, now, ctx.settings.staff_setup_link_lifetime
                )
        except staff.StaffError as exc:
            raise _fail(str(exc)) from exc
        session.commit()
        typer.echo(f"{user.email} added ({user.role})")
        if password is None:
            assert user.setup_expires_at is not None
            typer.echo(
                f"one-time link to set the password, valid until "
                f"{_when(ctx, user.setup_expires_at)}:\n{_setup_link(ctx, token)}"
            )


@staff_app.command("setup-link")
def staff_setup_link(email: str) -> None:
    """Print a new one-time link for a staff user to set their password (an earlier link
    stops working)."""
    from notifier import staff

    with _ctx() as ctx, Session(ctx.engine) as session:
        now = ctx.clock()
        try:
            user = staff.get_staff(session, email)
            token = staff.issue_setup_token(
                session, user, now, ctx.settings.staff_setup_link_lifetime
            )
        except staff.StaffError as exc:
            raise _fail(str(exc)) from exc
        session.commit()
        assert user.setup_expires_at is not None
        typer.echo(
            f"one-time link to set the password of {user.email}, valid until "
            f"{_when(ctx, user.setup_expires_at)}:\n{_setup_link(ctx, token)}"
        )


@staff_app.command("list")
def staff_list() -> None:
    """Every staff user: address, role, state, name."""
    from notifier import staff

    with _ctx() as ctx, Session(ctx.engine) as session:
        now = ctx.clock()
        for user in staff.list_staff(session):
            if user.disabled_at is not None:
                state = f"disabled {_when(ctx, user.disabled_at)}"
            elif user.password_hash is not None:
                state = "active"
            elif user.setup_expires_at is not None and user.setup_expires_at > now:
                state = f"no password yet (link valid until {_when(ctx, user.setup_expires_at)})"
            else:
                state = "no password yet (link expired: notifier staff setup-link)"
            typer.echo(f"{user.email}\t{user.role}\t{state}\t{user.name}")


@staff_app.command("disable")
def staff_disable(email: str) -> None:
    """Disable a staff user: no more logins, every session ends. Kept for the audit log."""
    from notifier import staff

    with _ctx() as ctx, Session(ctx.engine) as session:
        now = ctx.clock()
        try:
            user = staff.disable(session, email, now)
        except staff.StaffError as exc:
            raise _fail(str(exc)) from exc
        session.commit()
        if user.disabled_at == now:
            typer.echo(f"{user.email} disabled; their sessions are ended")
        else:
            typer.echo(f"{user.email} was already disabled")


@staff_app.command("enable")
def staff_enable(email: str) -> None:
    """Enable a disabled staff user again (with no password set, issue a setup link)."""
    from notifier import staff

    with _ctx() as ctx, Session(ctx.engine) as session:
        try:
            user = staff.enable(session, email, ctx.clock())
        except staff.StaffError as exc:
            raise _fail(str(exc)) from exc
        session.commit()
        hint = "" if user.password_hash else "; no password yet: run 'notifier staff setup-link'"
        typer.echo(f"{user.email} enabled{hint}")


@staff_app.command("set-role")
def staff_set_role(email: str, role: str) -> None:
    """Change a staff user's role (redaktor or admin); their sessions end."""
    from notifier import staff

    with _ctx() as ctx, Session(ctx.engine) as session:
        try:
            user = staff.set_role(session, email, role, ctx.clock())
        except staff.StaffError as exc:
            raise _fail(str(exc)) from exc
        session.commit()
        typer.echo(f"{user.email} is now {user.role}; their sessions are ended")


@staff_app.command("set-password")
def staff_set_password(
    email: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a staff user's password, read from standard input; ends all their sessions."""
    from notifier import staff

    if not password_stdin:
        raise _fail("give the password on standard input with --password-stdin")
    password = _stdin_password()
    with _ctx() as ctx, Session(ctx.engine) as session:
        try:
            user = staff.get_staff(session, email)
            staff.set_password(session, user, password, ctx.clock())
        except staff.StaffError as exc:
            raise _fail(str(exc)) from exc
        session.commit()
        typer.echo(f"password of {user.email} set; their sessions are ended")


@app.command("subtopics")
def subtopics() -> None:
    """The subtopic slugs one can subscribe to."""
    with _ctx() as ctx:
        for s in ctx.taxonomy.subtopics:
            typer.echo(f"{s.slug}\t{s.label_nb}")


@app.command("digest")
def digest(
    cadence: Annotated[str, typer.Option(help="daily | weekly")] = "daily",
    due: Annotated[
        bool,
        typer.Option(
            "--due",
            help="the service's hourly run: the subscribers due by their own hour and "
            "weekday, with runs missed since the last one (sent marked late)",
        ),
    ] = False,
) -> None:
    """Compose digests into the outbox: of one cadence for every subscriber now, or (--due)
    those due by each subscriber's chosen hour."""
    with _ctx() as ctx:
        if due:
            typer.echo(compose_due(ctx))
            return
        if cadence not in ("daily", "weekly"):
            raise _fail("cadence must be daily or weekly")
        typer.echo(f"{compose_digests(ctx, cadence)} {cadence} digest(s) composed")


@app.command("deliveries")
def deliveries(
    status: Annotated[
        str, typer.Option(help="pending | late | failed | sent | all; default: not sent")
    ] = "",
    change: Annotated[int | None, typer.Option(help="only messages carrying this change")] = None,
    subscriber: Annotated[str, typer.Option(help="only messages to this address or id")] = "",
    limit: Annotated[int, typer.Option(help="at most this many, newest first")] = 200,
) -> None:
    """Messages pending, late (waiting longer than NOTIFIER_URGENT_DEADLINE_MINUTES) or failed:
    id, status, kind, channel, recipient, queued, attempts, sent or next attempt, changes
    carried, and why it waits or failed. Exit 1 if any is late or failed."""
    from notifier.assurance import STATUSES, list_deliveries

    if status and status not in STATUSES:
        raise _fail(f"status must be one of {', '.join(STATUSES)}")
    with _ctx() as ctx:
        tz = ZoneInfo(ctx.settings.timezone)
        with Session(ctx.engine) as session:
            rows = list_deliveries(
                session, ctx.clock(), ctx.settings.urgent_deadline, status=status,
                change_id=change, subscriber=subscriber, limit=limit,
            )  # fmt: skip
    for r in rows:
        when = r.sent_at if r.sent_at is not None else r.next_attempt_at
        changes = ",".join(str(c) for c in r.changes) or "-"
        typer.echo(
            f"{r.id}\t{r.status}\t{r.kind}\t{r.channel}\t{r.to}\t"
            f"{r.queued_at.astimezone(tz):%Y-%m-%d %H:%M}\t{r.attempts}\t"
            f"{when.astimezone(tz):%Y-%m-%d %H:%M}\t{changes}\t{r.why}"
        )
    if any(r.status in ("late", "failed") for r in rows):
        raise typer.Exit(1)


@app.command("deliver")
def deliver() -> None:
    """Send what the outbox holds (immediate alerts and composed digests)."""
    _mail_folder_usable(_checked())
    with _ctx() as ctx:
        report = asyncio.run(deliver_outbox(ctx))
    typer.echo(
        f"sent {report.sent}, to retry {report.retried}, failed {report.failed}, "
        f"deferred {report.deferred} (domain paused), suppressed {report.suppressed}"
    )


@app.command("preview")
def preview(
    subscriber: Annotated[str, typer.Option(help="The subscriber's e-mail address.")],
    cadence: Annotated[str, typer.Option(help="immediate | daily | weekly")] = "daily",
    html: Annotated[
        bool, typer.Option("--html", help="Print the HTML part instead of the text.")
    ] = False,
) -> None:
    """Print the message this subscriber would get now; changes nothing."""
    if cadence not in CADENCES:
        raise _fail(f"cadence must be one of {', '.join(CADENCES)}")
    with _ctx() as ctx:
        try:
            found = preview_digest(ctx, subscriber, cadence)
        except LookupError as exc:
            raise _fail(str(exc)) from exc
        if found is None:
            typer.echo(f"nothing to send to {subscriber} ({cadence}) now")
            return
        message = ctx.renderer.render(found, ctx.clock())
        typer.echo(f"To: {message.to}\nSubject: {message.subject}\n")
        typer.echo(message.html if html else message.text)


@app.command("housekeeping")
def housekeeping() -> None:
    """Delete sign-ups never confirmed (after NOTIFIER_UNCONFIRMED_RETENTION_DAYS) and old
    rate-limit events (after NOTIFIER_RATE_EVENT_RETENTION_HOURS); print the counts. The
    scheduler of 'notifier run' does this daily."""
    from notifier.worker import (
        housekeep,
        housekeep_deliveries,
        housekeep_sources,
        housekeep_staff,
    )

    with _ctx() as ctx:
        typer.echo(housekeep(ctx))
        typer.echo(housekeep_staff(ctx))
        typer.echo(housekeep_sources(ctx))
        typer.echo(housekeep_deliveries(ctx))


@classify_app.callback(invoke_without_command=True)
def classify_lines(context: typer.Context) -> None:
    """Read JSON lines {"title","text","url"} on stdin; write subtopics, regions, urgency."""
    if context.invoked_subcommand is not None:
        return
    with build_context(_checked()) as ctx:
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict):
                    raise ValueError("expected a JSON object")
            except ValueError as exc:
                raise _fail(f"line {number}: {exc}") from exc
            result = classify(
                ctx.taxonomy, ctx.gazetteer, title=str(item.get("title", "")),
                text=str(item.get("text", "")), url=str(item.get("url", "")),
            )  # fmt: skip
            out = {
                "subtopics": list(result.subtopic_slugs),
                "regions": list(result.region_codes),
                "urgent": result.urgent,
                # how well each subtopic fits (the model's probability; 1.0 for the
                # catalogue's), in the order of "subtopics": best fit first
                "scores": {t.slug: t.score for t in result.subtopics},
                "reasons": {
                    "subtopics": {t.slug: t.reason for t in result.subtopics},
                    "regions": {r.code: r.reason for r in result.regions},
                    "urgent": list(result.urgent_reasons),
                },
            }
            typer.echo(json.dumps(out, ensure_ascii=False))


@classify_app.command("export-corrections")
def export_corrections(
    output: Annotated[Path | None, typer.Argument(help="File to write; stdout if none.")] = None,
) -> None:
    """Staff corrections of subtopics, regions and urgency as JSON lines, in the format of the
    classifier's labelled data (feeds/data/labelled/; put them in its corrections/ folder)."""
    with _ctx() as ctx, Session(ctx.engine) as session:
        lines = [json.dumps(row, ensure_ascii=False) for row in review.export_corrections(session)]
    text = "".join(f"{line}\n" for line in lines)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"{len(lines)} correction(s) written to {output}", err=True)


@review_app.command("list")
def review_list() -> None:
    """Held changes, the longest waiting first: id, age, reason, source, title."""
    with _ctx() as ctx, Session(ctx.engine) as session:
        held = review.queue(session)
        names = review.source_names(session, held)
        now = ctx.clock()
        for change in held:
            hours = int(review.age(change, now).total_seconds() // 3600)
            typer.echo(
                f"{change.id}\t{hours} h\t{change.held_reason or '-'}\t"
                f"{names.get(change.source_id, '')}\t{change.title}"
            )


def _review(action: Callable[[Session, Context], object], done: str) -> None:
    with _ctx() as ctx, Session(ctx.engine) as session:
        try:
            action(session, ctx)
        except review.ReviewError as exc:
            session.rollback()
            raise _fail(str(exc)) from exc
        session.commit()
    typer.echo(done)


@review_app.command("approve")
def review_approve(change_id: int) -> None:
    """Publish a held change: the next round sends it to whom it would have reached."""
    _review(lambda s, ctx: review.approve(s, change_id, None, ctx.clock()), f"{change_id} approved")


@review_app.command("suppress")
def review_suppress(
    change_id: int,
    reason: Annotated[str, typer.Option(help="Why it must never be sent (kept and audited).")],
) -> None:
    """Never send this change."""
    _review(
        lambda s, ctx: review.suppress(s, change_id, None, reason, ctx.clock()),
        f"{change_id} suppressed",
    )


@review_app.command("edit")
def review_edit(
    change_id: int,
    title: Annotated[str, typer.Option(help="The title subscribers see.")],
    summary: Annotated[str, typer.Option(help="The summary subscribers see.")] = "",
) -> None:
    """Set the title and summary subscribers see."""
    _review(
        lambda s, ctx: review.edit(s, change_id, None, ctx.clock(), title=title, summary=summary),
        f"{change_id} edited",
    )


@review_app.command("retag")
def review_retag(
    change_id: int,
    subtopic: Annotated[list[str] | None, typer.Option(help="A subtopic slug; repeat.")] = None,
    region: Annotated[list[str] | None, typer.Option(help="A region number; repeat.")] = None,
    urgent: Annotated[bool, typer.Option("--urgent/--not-urgent")] = False,
) -> None:
    """Set subtopics, regions and urgency (kept as a labelled example for the classifier)."""

    def act(s: Session, ctx: Context) -> object:
        gaz = ctx.gazetteer
        regions = {n for n, _ in gaz.counties()} | {n for n, _ in gaz.municipalities()}
        labels = review.Labels(tuple(subtopic or ()), tuple(region or ()), urgent)
        return review.retag(
            s, change_id, None, ctx.clock(), labels,
            known_subtopics=ctx.taxonomy.slugs(), known_regions=regions,
        )  # fmt: skip

    _review(act, f"{change_id} retagged")


@app.command("web")
def web(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the web app alone."""
    import uvicorn

    from notifier.web import create_app

    settings = _checked()
    host = host or settings.web_host
    _free_port(host, port or settings.web_port, port_name="--port" if port else "NOTIFIER_WEB_PORT")
    with _ctx() as ctx:
        # log_config None: uvicorn's lines go through ours (notifier.logs), in one format
        uvicorn.run(create_app(ctx), host=host, port=port or settings.web_port, log_config=None)


@app.command("run")
def run() -> None:
    """Scheduler (checks, digests, delivery) and web app in one process."""
    from notifier.service import run as run_service

    settings = _checked()
    _free_port(settings.web_host, settings.web_port)
    _startable(settings)  # the catalogue is checked before the database is touched
    with _ctx() as ctx:
        added, updated = load_sources(ctx)
        logging.getLogger("notifier").info(
            "catalogue: %d source(s) added, %d updated", added, updated
        )
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run_service(ctx))


if __name__ == "__main__":
    app()
