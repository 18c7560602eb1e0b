"""``notifier doctor``: each check against the real thing (SQLite and PostgreSQL, an aiosmtpd
server on 127.0.0.1, the VAPID key in the database, catalogue files), and the command's words
and exit code."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from notifier import doctor
from notifier.channels.webpush import VAPID_SECRET_NAME, load_vapid_keys
from notifier.context import Context
from notifier.db import make_engine
from subscribers.models import AppSecret
from tests.conftest import make_settings
from tests.support.smtpserver import Inbox


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_ready_installation_passes(ctx: Context, smtp: tuple[Inbox, int]) -> None:
    settings = ctx.settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{smtp[1]}"})
    load_vapid_keys(ctx.engine)
    findings = {f.check: f for f in doctor.examine(settings, ctx.engine)}
    assert [f.status for f in findings.values()] == ["ok"] * 6, findings
    assert "schema at" in findings["database"].text
    assert f"127.0.0.1:{smtp[1]} answers EHLO" in findings["mail server"].text
    assert "VAPID key pair loads" in findings["push keys"].text
    assert "sources valid" in findings["catalogue"].text
    assert "free at" in findings["disk"].text


def test_an_empty_database_is_told_to_upgrade(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path)
    engine = make_engine(settings.database_url)
    try:
        found = doctor.database(settings, engine)
    finally:
        engine.dispose()
    assert found.status == "fail" and "notifier db upgrade" in found.text


def test_a_database_of_a_newer_version_is_not_told_to_upgrade(tmp_path: Path) -> None:
    """A schema this version does not know was migrated by a newer notifier: `db upgrade`
    cannot help (it fails), so the doctor says to run that version instead."""
    settings = make_settings(f"sqlite:///{tmp_path / 'newer.db'}", tmp_path)
    engine = make_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        connection.execute(sa.text("INSERT INTO alembic_version VALUES ('0099_future')"))
    try:
        found = doctor.database(settings, engine)
    finally:
        engine.dispose()
    assert found.status == "fail" and "0099_future" in found.text
    assert "newer version of notifier" in found.text and "db upgrade" not in found.text


def test_an_unreachable_database_is_a_failure_in_words(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://u:geheim@127.0.0.1:{free_port()}/db"
    settings = make_settings(url, tmp_path)
    engine = make_engine(url)
    try:
        found = doctor.database(settings, engine)
        keys = doctor.push_keys(settings, engine)
    finally:
        engine.dispose()
    assert found.status == "fail" and "cannot open" in found.text
    assert "geheim" not in found.text and "NOTIFIER_DATABASE_URL" in found.text
    assert keys.status == "fail"


def test_a_mail_server_that_does_not_answer(ctx: Context) -> None:
    settings = ctx.settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{free_port()}"})
    found = doctor.mail(settings)
    assert found.status == "fail" and "no answer from 127.0.0.1" in found.text
    assert "NOTIFIER_SMTP_URL" in found.text


def test_a_silent_mail_server_times_out(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that accepts the connection and never greets: the timeout ends the wait."""
    monkeypatch.setattr(doctor, "SMTP_TIMEOUT", 0.5)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        settings = ctx.settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}"})
        found = doctor.mail(settings)
    assert found.status == "fail" and "within 0.5 s" in found.text


def test_without_smtp_the_mail_folder_is_a_warning(ctx: Context) -> None:
    found = doctor.mail(ctx.settings)
    assert found.status == "warn" and "NOTIFIER_SMTP_URL" in found.text


def test_push_keys_missing_then_broken(ctx: Context) -> None:
    assert doctor.push_keys(ctx.settings, ctx.engine).status == "warn"
    with Session(ctx.engine) as session:
        session.add(AppSecret(name=VAPID_SECRET_NAME, value="not-a-key"))
        session.commit()
    found = doctor.push_keys(ctx.settings, ctx.engine)
    assert found.status == "fail" and "cannot be loaded" in found.text


def test_an_invalid_catalogue_is_named_with_its_line(ctx: Context, tmp_path: Path) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text(
        '[[source]]\nkey = "x"\nkind = "page"\nurl = "https://x.no/"\nauthority = "fhi"\n'
        'selector = "main >> p"\n',
        encoding="utf-8",
    )
    found = doctor.catalogue(ctx.settings.model_copy(update={"catalogue": bad}))
    assert found.status == "fail" and f"{bad}:6:" in found.text


def test_too_little_disk_fails(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    assert doctor.disk(ctx.settings).status == "ok"
    monkeypatch.setattr(doctor, "MIN_FREE", 1 << 62)
    found = doctor.disk(ctx.settings)
    assert found.status == "fail" and "NOTIFIER_DATA_DIR" in found.text


def test_the_command_says_what_is_wrong_and_exits_1(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    env |= {
        "NOTIFIER_DATABASE_URL": f"sqlite:///{tmp_path / 'n.db'}",
        "NOTIFIER_DATA_DIR": str(tmp_path / "var"),
        "NOTIFIER_SMTP_URL": f"smtp://127.0.0.1:{free_port()}",
    }
    ran = subprocess.run(
        [sys.executable, "-m", "notifier", "doctor"], env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert ran.returncode == 1, ran.stderr
    lines = ran.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["fail", "fail", "fail", "fail", "ok", "ok"]
    assert lines[0].startswith("fail  database:") and "notifier db upgrade" in lines[0]
    assert "Traceback" not in ran.stderr
    assert ran.stderr.strip().endswith(
        "4 problem(s): database, mail server, push keys, sign-up queue"
    )
    # nothing was changed: doctor migrates nothing
    engine = sa.create_engine(env["NOTIFIER_DATABASE_URL"])
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
