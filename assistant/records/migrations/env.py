"""Alembic's environment: runs the migrations on the connection records/migrate.py hands over
(`config.attributes["connection"]`), never on a URL of its own."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True,
                  transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
