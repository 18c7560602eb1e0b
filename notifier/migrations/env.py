"""Alembic environment: runs on the connection notifier.db.upgrade hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import subscribers.models  # noqa: F401  (register the tables)

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through 'notifier db upgrade'")
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
