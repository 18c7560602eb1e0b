"""Migration 0005 on a database that has subscribers from before the address key: the oldest
of rows that differ only in case keeps the key, the others keep none (the unique index holds,
`notifier subscribers check` lists them), and the way down works. SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from notifier.context import Context
from notifier.db import MIGRATIONS


def _config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def test_case_twins_from_before_keep_one_key_and_the_way_down_works(ctx: Context) -> None:
    with ctx.engine.begin() as connection:
        command.downgrade(_config(connection), "0004_snapshot_storage")
    with ctx.engine.begin() as conn:
        for email in ("Offer@X.no", "offer@x.no", "annen@x.no"):
            conn.execute(
                sa.text(
                    "INSERT INTO subscriber (email, name, role, language, token_version, "
                    "created_at) VALUES (:e, '', 'annen', 'nb', 0, :t)"
                ),
                {"e": email, "t": "2026-11-01 00:00:00"},
            )
    with ctx.engine.begin() as connection:
        command.upgrade(_config(connection), "heads")
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT email, email_key, hard_bounces FROM subscriber ORDER BY id")
        ).all()
    assert [tuple(r) for r in rows] == [
        ("Offer@X.no", "offer@x.no", 0),
        ("offer@x.no", None, 0),
        ("annen@x.no", "annen@x.no", 0),
    ]
    with ctx.engine.begin() as connection:
        command.downgrade(_config(connection), "0004_snapshot_storage")
        command.upgrade(_config(connection), "heads")
