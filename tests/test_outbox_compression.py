"""Revision 0014: the outbox bodies use lz4 on a PostgreSQL server that has it; the revision
goes down and up again on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from notifier.context import Context
from notifier.db import MIGRATIONS


def _compression(ctx: Context) -> dict[str, str]:
    """Column -> its compression setting ('' is the server's default)."""
    with ctx.engine.connect() as conn:
        if conn.dialect.name != "postgresql":
            return {}
        lz4 = conn.execute(
            sa.text(
                "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                "AND 'lz4' = ANY(enumvals)"
            )
        ).first()
        if lz4 is None:
            return {}
        rows = conn.execute(
            sa.text(
                "SELECT attname, attcompression FROM pg_attribute "
                "WHERE attrelid = 'delivery'::regclass AND attname IN ('body_text', 'body_html')"
            )
        ).all()
    return {name: str(method) for name, method in rows}


def _migrate(ctx: Context, down: bool) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        if down:
            command.downgrade(config, "0013_fetch_time")
        else:
            command.upgrade(config, "heads")


def test_outbox_bodies_use_lz4_and_the_revision_goes_down_and_up(ctx: Context) -> None:
    expected = {"body_text": "l", "body_html": "l"}
    assert _compression(ctx) in ({}, expected)  # {}: SQLite, or a server without lz4
    _migrate(ctx, down=True)
    assert _compression(ctx) in ({}, {"body_text": "", "body_html": ""})
    _migrate(ctx, down=False)
    assert _compression(ctx) in ({}, expected)
