"""Alembic environment: migrations run on the connection handed over by ``migrate()``."""

from __future__ import annotations

from alembic import context

from snakewarden.index.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through snakewarden.index.db.migrate
    raise RuntimeError("run migrations through snakewarden.index.db.migrate(engine)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
