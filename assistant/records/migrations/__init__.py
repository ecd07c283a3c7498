"""The records schema's Alembic migrations, for SQLite and PostgreSQL alike; run through
records/migrate.py. A step is added, never edited once released."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def _json_valid(column: str) -> str:
    """SQL that is true when `column` holds valid JSON text: SQLite's json_valid, PostgreSQL's
    cast (which fails the statement on anything else)."""
    if op.get_bind().dialect.name == "sqlite":
        return f"json_valid({column})"
    return f"({column}::json IS NOT NULL)"


def json_check(column: str) -> sa.CheckConstraint:
    """A check that `column` holds valid JSON text."""
    return sa.CheckConstraint(_json_valid(column))


def add_json_column(table: str, column: str, default: str) -> None:
    """Add a JSON text column (NOT NULL, `default` in the rows already there) with its check,
    in one ALTER TABLE on both engines: SQLite cannot add a check to a column afterwards."""
    op.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT NOT NULL DEFAULT '{default}' "
               f"CHECK ({_json_valid(column)})")


def set_user_version(version: int) -> None:
    """SQLite only: `PRAGMA user_version`, the schema number versions before Alembic read, so
    they refuse a newer file instead of changing it."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"PRAGMA user_version = {int(version)}")
