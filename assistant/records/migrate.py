"""Bringing a records database up to the newest schema with Alembic (records/migrations/), on
SQLite and PostgreSQL alike.

A SQLite file of a version before Alembic carries its schema number in `PRAGMA user_version`
(1–3) and no `alembic_version` table: it is stamped with the matching revision first, then
upgraded in place like any other. A database of a newer version than this one is refused,
never changed (the store's check, by `HEAD` and `REVISIONS`).

Alembic is imported only when a database needs a step: opening an up-to-date one reads its
revision with one query (tests/test_records_migrate.py keeps `HEAD` and `REVISIONS` equal to
the migrations folder).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlalchemy import Connection, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS: Final = Path(__file__).with_name("migrations")
REVISIONS: Final = ("r0001", "r0002", "r0003", "r0004")  # oldest first
HEAD: Final = REVISIONS[-1]
VERSION_TABLE: Final = "alembic_version"


def config() -> Config:
    """Alembic's configuration for our migrations folder (no alembic.ini)."""
    from alembic.config import Config

    found = Config()
    found.set_main_option("script_location", str(MIGRATIONS))
    return found


def current_revision(conn: Connection) -> str | None:
    """The database's revision: None when it has no schema yet; a pre-Alembic SQLite file's
    from its user_version (1–3 → r0001–r0003); a revision this version does not know as it
    is written there (the caller refuses it)."""
    tables = set(inspect(conn).get_table_names())
    if VERSION_TABLE in tables:
        found = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
        if found is not None:
            return str(found)
    if conn.dialect.name == "sqlite":
        version = int(conn.execute(text("PRAGMA user_version")).scalar_one())
        if version:
            return REVISIONS[version - 1] if version <= len(REVISIONS) else f"v{version}"
    return None


def behind(revision: str | None) -> bool:
    """Whether a database at `revision` needs a step (False for a newer, unknown one)."""
    return revision is None or (revision in REVISIONS and revision != HEAD)


def upgrade(conn: Connection, revision: str | None, target: str = HEAD) -> None:
    """Bring the database on `conn` (no transaction open) from `revision` to `target`, one
    transaction per step; a pre-Alembic SQLite file is stamped with its revision first."""
    from alembic import command

    settings = config()
    settings.attributes["connection"] = conn
    if revision is not None and VERSION_TABLE not in inspect(conn).get_table_names():
        command.stamp(settings, revision)
    if conn.in_transaction():
        conn.commit()
    command.upgrade(settings, target)
    if conn.in_transaction():
        conn.commit()


def has_tables(conn: Connection) -> bool:
    """Whether the database holds any table (one without a revision is then not ours)."""
    return bool(inspect(conn).get_table_names())
