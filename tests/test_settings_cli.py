"""Every command checks every setting first: a wrong one ends the real command (a subprocess)
with exit code 2 and one line on standard error naming the variable, never a traceback.

The commands run at once (one process each), so the module costs about one start-up."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: case id -> (extra environment, command, variable the line must name, words it must say)
CASES: dict[str, tuple[dict[str, str], list[str], str, str]] = {
    "database-unknown-scheme": (
        {"NOTIFIER_DATABASE_URL": "mysql://u@h/db"}, ["sources", "list"],
        "NOTIFIER_DATABASE_URL", "not supported",
    ),
    "database-unparsable": (
        {"NOTIFIER_DATABASE_URL": "not a url"}, ["sources", "list"],
        "NOTIFIER_DATABASE_URL", "cannot be read",
    ),
    "database-unreachable": (
        {"NOTIFIER_DATABASE_URL": "postgresql+psycopg://u:geheim@127.0.0.1:{closed}/db"},
        ["sources", "list"], "NOTIFIER_DATABASE_URL", "cannot open the database",
    ),
    "database-folder-impossible": (
        {"NOTIFIER_DATABASE_URL": "sqlite:///{file}/sub/notifier.db"}, ["db", "upgrade"],
        "NOTIFIER_DATABASE_URL", "folder",
    ),
    "database-not-a-database": (
        {"NOTIFIER_DATABASE_URL": "sqlite:///{tmp}/text.db"}, ["db", "upgrade"],
        "NOTIFIER_DATABASE_URL", "not a database",
    ),
    "web-database-not-a-database": (
        {"NOTIFIER_DATABASE_URL": "sqlite:///{tmp}/text.db", "NOTIFIER_WEB_PORT": "{closed}"},
        ["web"], "NOTIFIER_DATABASE_URL", "not a database",
    ),
    "database-of-a-newer-version": (
        {"NOTIFIER_DATABASE_URL": "sqlite:///{tmp}/newer.db"}, ["sources", "list"],
        "NOTIFIER_DATABASE_URL", "newer version of notifier",
    ),
    "timezone": ({"NOTIFIER_TIMEZONE": "Europe/Bergen"}, ["sources", "list"], "NOTIFIER_TIMEZONE", "Europe/Oslo"),
    "sender": ({"NOTIFIER_MAIL_FROM": "varsel"}, ["check"], "NOTIFIER_MAIL_FROM", "address"),
    "sender-two-ats": ({"NOTIFIER_MAIL_FROM": "a@b@c.no"}, ["check"], "NOTIFIER_MAIL_FROM", "address"),
    "operator-email": ({"NOTIFIER_OPERATOR_EMAIL": "drift"}, ["deliver"], "NOTIFIER_OPERATOR_EMAIL", "address"),
    "smtp-without-host": ({"NOTIFIER_SMTP_URL": "smtp://:587"}, ["deliver"], "NOTIFIER_SMTP_URL", "no host"),
    "smtp-wrong-scheme": ({"NOTIFIER_SMTP_URL": "http://mail.example.no"}, ["deliver"], "NOTIFIER_SMTP_URL", "smtp://"),
    "smtp-bad-port": ({"NOTIFIER_SMTP_URL": "smtp://mail.example.no:99999"}, ["deliver"], "NOTIFIER_SMTP_URL", "port"),
    "web-port-not-a-number": ({"NOTIFIER_WEB_PORT": "åtte"}, ["web"], "NOTIFIER_WEB_PORT", "whole number"),
    "web-port-out-of-range": ({"NOTIFIER_WEB_PORT": "70000"}, ["web"], "NOTIFIER_WEB_PORT", "smaller"),
    "web-port-taken": ({"NOTIFIER_WEB_PORT": "{taken}"}, ["web"], "NOTIFIER_WEB_PORT", "already in use"),
    "run-port-taken": ({"NOTIFIER_WEB_PORT": "{taken}"}, ["run"], "NOTIFIER_WEB_PORT", "already in use"),
    "web-host-not-here": ({"NOTIFIER_WEB_HOST": "192.0.2.1"}, ["web"], "NOTIFIER_WEB_HOST", "cannot listen"),
    "boolean": ({"NOTIFIER_OBEY_ROBOTS": "kanskje"}, ["check"], "NOTIFIER_OBEY_ROBOTS", "true or false"),
    "number": ({"NOTIFIER_HTTP_TIMEOUT": "lenge"}, ["check"], "NOTIFIER_HTTP_TIMEOUT", "set a number"),
    "below-minimum": ({"NOTIFIER_DELIVER_BATCH": "0"}, ["deliver"], "NOTIFIER_DELIVER_BATCH", "larger"),
    "base-url": ({"NOTIFIER_BASE_URL": "varsel.example.no"}, ["web"], "NOTIFIER_BASE_URL", "absolute URL"),
    "catalogue-missing": ({"NOTIFIER_CATALOGUE": "{tmp}/nowhere.toml"}, ["run"], "NOTIFIER_CATALOGUE", "exists"),
    "catalogue-invalid": (
        {"NOTIFIER_CATALOGUE": "{tmp}/bad.toml", "NOTIFIER_WEB_PORT": "{closed}"}, ["run"],
        "NOTIFIER_CATALOGUE", "bad.toml:6: source #1 (x): selector:",
    ),
    "worker-catalogue-invalid": (
        {"NOTIFIER_CATALOGUE": "{tmp}/bad.toml"}, ["worker"],
        "NOTIFIER_CATALOGUE", "bad.toml:6: source #1 (x): selector:",
    ),
    "mail-folder-impossible": (
        {"NOTIFIER_DATA_DIR": "{file}/sub"}, ["deliver"], "NOTIFIER_DATA_DIR", "cannot create",
    ),
    "worker-mail-folder-impossible": (
        {"NOTIFIER_DATA_DIR": "{file}/sub"}, ["worker"], "NOTIFIER_DATA_DIR", "cannot create",
    ),
    "run-mail-folder-impossible": (
        {"NOTIFIER_DATA_DIR": "{file}/sub", "NOTIFIER_WEB_PORT": "{closed}"}, ["run"],
        "NOTIFIER_DATA_DIR", "cannot create",
    ),
    "log-format": ({"NOTIFIER_LOG_FORMAT": "xml"}, ["check"], "NOTIFIER_LOG_FORMAT", "json"),
    "vapid-subject": ({"NOTIFIER_VAPID_SUBJECT": "http://x.no"}, ["deliver"], "NOTIFIER_VAPID_SUBJECT", "mailto:"),
    "dkim-partial": ({"NOTIFIER_DKIM_SELECTOR": "s1"}, ["deliver"], "DKIM needs NOTIFIER_DKIM_SELECTOR", "set all three"),
    # the listed mistakes, also for the worker, the doctor and a check round
    "worker-database": ({"NOTIFIER_DATABASE_URL": "not a url"}, ["worker"], "NOTIFIER_DATABASE_URL", "cannot be read"),
    "worker-timezone": ({"NOTIFIER_TIMEZONE": "Europe/Bergen"}, ["worker"], "NOTIFIER_TIMEZONE", "Europe/Oslo"),
    "worker-smtp-without-host": ({"NOTIFIER_SMTP_URL": "smtp://"}, ["worker"], "NOTIFIER_SMTP_URL", "no host"),
    "doctor-database": ({"NOTIFIER_DATABASE_URL": "mysql://u@h/db"}, ["doctor"], "NOTIFIER_DATABASE_URL", "not supported"),
    "doctor-sender": ({"NOTIFIER_MAIL_FROM": "varsel"}, ["doctor"], "NOTIFIER_MAIL_FROM", "address"),
    "doctor-smtp-without-host": ({"NOTIFIER_SMTP_URL": "smtps://:465"}, ["doctor"], "NOTIFIER_SMTP_URL", "no host"),
    "doctor-database-folder": (
        {"NOTIFIER_DATABASE_URL": "sqlite:///{file}/sub/notifier.db"}, ["doctor"],
        "NOTIFIER_DATABASE_URL", "set a path this user may write",
    ),
    "check-timezone": ({"NOTIFIER_TIMEZONE": "Oslo"}, ["check"], "NOTIFIER_TIMEZONE", "Europe/Oslo"),
    # URLs that urlsplit refuses outright (an unclosed IPv6 bracket): one line, not a traceback
    "smtp-broken-bracket": ({"NOTIFIER_SMTP_URL": "smtp://[::1"}, ["check"], "NOTIFIER_SMTP_URL", "smtp://host"),
    "smtp-bad-ipv6": ({"NOTIFIER_SMTP_URL": "smtp://u:p@[zz]:25"}, ["doctor"], "NOTIFIER_SMTP_URL", "smtp://host"),
    "database-broken-bracket": (
        {"NOTIFIER_DATABASE_URL": "postgresql+psycopg://[::1/db"}, ["worker"],
        "NOTIFIER_DATABASE_URL", "cannot be read",
    ),
    # a sender with a line break would put a header of its own into every mail; two senders
    "sender-line-break": ({"NOTIFIER_MAIL_FROM": "varsel@example.no\r\nBcc: x@example.no"}, ["deliver"], "NOTIFIER_MAIL_FROM", "address"),
    "sender-two-addresses": ({"NOTIFIER_MAIL_FROM": "Varsel <a@example.no>, b@example.no"}, ["deliver"], "NOTIFIER_MAIL_FROM", "one address"),
    "sender-unclosed": ({"NOTIFIER_MAIL_FROM": "Varsel <a@example.no"}, ["deliver"], "NOTIFIER_MAIL_FROM", "address"),
    # times and sizes that make no sense
    "timeout-negative": ({"NOTIFIER_SMTP_TIMEOUT": "-1"}, ["deliver"], "NOTIFIER_SMTP_TIMEOUT", "larger"),
    "timeout-not-finite": ({"NOTIFIER_HTTP_TIMEOUT": "inf"}, ["deliver"], "NOTIFIER_HTTP_TIMEOUT", "set a number"),
    "timeout-nan": ({"NOTIFIER_SMTP_TIMEOUT": "nan"}, ["deliver"], "NOTIFIER_SMTP_TIMEOUT", "set a number"),
    "body-size-negative": ({"NOTIFIER_MAX_BODY_BYTES": "-5"}, ["sources", "list"], "NOTIFIER_MAX_BODY_BYTES", "larger"),
    "host-gap-negative": ({"NOTIFIER_PER_HOST_MIN_GAP": "-1"}, ["sources", "list"], "NOTIFIER_PER_HOST_MIN_GAP", "larger"),
    "host-concurrency-zero": ({"NOTIFIER_PER_HOST_CONCURRENCY": "0"}, ["sources", "list"], "NOTIFIER_PER_HOST_CONCURRENCY", "larger"),
    "secret-not-shown": ({"NOTIFIER_SECRET_KEY": "hemmelig", "NOTIFIER_TIMEZONE": "Mars/Olympus"}, ["check"], "NOTIFIER_TIMEZONE", "time zone"),
}  # fmt: skip


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str


def clean_environment(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    env["NOTIFIER_DATABASE_URL"] = f"sqlite:///{tmp / 'notifier.db'}"
    env["NOTIFIER_DATA_DIR"] = str(tmp / "var")
    return env


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Ran]]:
    """Every case run by the real command line, each in a process of its own (forked after
    one import: tests/support/forkcli.py)."""
    tmp = tmp_path_factory.mktemp("settings")
    (tmp / "a-file").write_text("")
    (tmp / "text.db").write_text("Not a database, a text file someone named .db\n" * 20)
    with sqlite3.connect(tmp / "newer.db") as newer:  # migrated by a later notifier
        newer.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        newer.execute("INSERT INTO alembic_version VALUES ('0099_from_the_future')")
    (tmp / "bad.toml").write_text(
        '[[source]]\nkey = "x"\nkind = "page"\nurl = "https://x.no/"\nauthority = "fhi"\n'
        'selector = "main >> p"\n'
    )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        values = {
            "taken": str(taken.getsockname()[1]),
            "closed": str(closed_port()),
            "file": str(tmp / "a-file"),
            "tmp": str(tmp),
        }
        cases = [
            {
                "env": clean_environment(tmp) | {k: v.format(**values) for k, v in extra.items()},
                "args": command,
                "cwd": str(tmp),
            }
            for extra, command, _, _ in CASES.values()
        ]
        ran = subprocess.run(
            [sys.executable, "-m", "tests.support.forkcli"], input=json.dumps(cases),
            capture_output=True, text=True, timeout=300, cwd=ROOT, check=True,
        )  # fmt: skip
        answers = json.loads(ran.stdout)
        yield {case: Ran(**answer) for case, answer in zip(CASES, answers, strict=True)}


@pytest.mark.parametrize("case", CASES)
def test_a_wrong_setting_ends_with_one_line_and_exit_code_2(
    case: str, results: dict[str, Ran]
) -> None:
    _, _, variable, words = CASES[case]
    ran = results[case]
    assert "Traceback" not in ran.stderr + ran.stdout
    assert ran.code == 2, ran.stderr
    lines = ran.stderr.splitlines()
    assert len(lines) == 1, ran.stderr
    assert lines[0].startswith(f"error: {variable}"), lines[0]
    assert words in lines[0]
    assert ran.stdout == ""


def test_secrets_and_passwords_are_never_printed(results: dict[str, Ran]) -> None:
    assert "hemmelig" not in results["secret-not-shown"].stderr
    line = results["database-unreachable"].stderr
    assert "geheim" not in line and "u:***@127.0.0.1" in line


def test_the_database_folder_is_not_created_when_a_setting_is_wrong(
    results: dict[str, Ran], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Nothing was done: the checks ran before any work (no database file, no var/)."""
    base = tmp_path_factory.getbasetemp()
    assert not list(base.glob("settings*/notifier.db"))
    assert not list(base.glob("settings*/var"))


def test_the_installed_command_itself_fails_the_same_way(tmp_path: Path) -> None:
    """``python -m notifier`` in a fresh interpreter, as an operator types it."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        running = [
            subprocess.Popen(
                [sys.executable, "-m", "notifier", *args],
                cwd=tmp_path,
                env=clean_environment(tmp_path) | extra,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for extra, args in (
                ({"NOTIFIER_TIMEZONE": "Oslo"}, ["check"]),
                ({"NOTIFIER_WEB_PORT": port}, ["run"]),
            )
        ]
        answers = [(*p.communicate(timeout=120), p.returncode) for p in running]
    for (out, err, code), variable in zip(
        answers, ["NOTIFIER_TIMEZONE", "NOTIFIER_WEB_PORT"], strict=True
    ):
        assert code == 2 and out == "" and "Traceback" not in err
        assert len(err.splitlines()) == 1 and err.startswith(f"error: {variable}=")
    assert not (tmp_path / "notifier.db").exists()


def test_help_needs_no_settings(tmp_path: Path) -> None:
    env = clean_environment(tmp_path) | {"NOTIFIER_TIMEZONE": "nowhere"}
    ran = subprocess.run(
        [sys.executable, "-m", "notifier", "--help"], env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert ran.returncode == 0 and "doctor" in ran.stdout
