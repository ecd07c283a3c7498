"""The records' Alembic migrations (assistant/records/migrate.py): one more step is one more
file in records/migrations/versions/ and one more entry in REVISIONS, and the steps make the
same schema, checks included, on SQLite and PostgreSQL. Files of the versions before Alembic
are migrated in tests/test_records_store.py."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect
from sqlalchemy.exc import DBAPIError

from assistant.records.migrate import HEAD, REVISIONS, config, current_revision, upgrade
from tests.pg_cluster import Cluster
from tests.records_fixtures import LEGACY_STEPS


def test_revisions_are_the_migrations_folder_in_order() -> None:
    scripts = ScriptDirectory.from_config(config())
    assert scripts.get_heads() == [HEAD]
    walked = [s.revision for s in scripts.walk_revisions("base", "heads")]  # newest first
    assert tuple(reversed(walked)) == REVISIONS
    for number, revision in enumerate(REVISIONS, start=1):
        assert revision == f"r{number:04d}"


def shape(db: Path) -> dict[str, list[tuple[str, str, bool]]]:
    """Each table's columns: name, type, whether NULL may go in (a primary key: never)."""
    engine = create_engine(f"sqlite:///{db}")
    try:
        seen = inspect(engine)
        return {table: [(c["name"], str(c["type"]), bool(c["nullable"] and not c["primary_key"]))
                        for c in seen.get_columns(table)]
                for table in seen.get_table_names() if table != "alembic_version"}
    finally:
        engine.dispose()


@pytest.mark.parametrize("version", range(1, len(LEGACY_STEPS) + 1))
def test_the_steps_before_alembic_are_its_first_revisions(tmp_path: Path, version: int) -> None:
    """A file made by Alembic up to r000N has the tables and columns that schema N had."""
    legacy, migrated = tmp_path / "legacy.sqlite3", tmp_path / "new.sqlite3"
    conn = sqlite3.connect(legacy, isolation_level=None)
    for steps in LEGACY_STEPS[:version]:
        for statement in steps:
            conn.execute(statement)
    conn.close()
    engine = create_engine(f"sqlite:///{migrated}")
    try:
        with engine.connect() as connection:
            upgrade(connection, None, REVISIONS[version - 1])
            assert current_revision(connection) == REVISIONS[version - 1]
            assert connection.exec_driver_sql("PRAGMA user_version").scalar() == version
    finally:
        engine.dispose()
    assert shape(legacy) == shape(migrated)


def test_postgresql_gets_the_newest_schema_with_its_json_checks(pg_cluster: Cluster) -> None:
    name = f"migrate_{secrets.token_hex(4)}"
    pg_cluster.create_database(name)
    engine = create_engine(pg_cluster.url(database=name))
    try:
        with engine.connect() as conn:
            assert current_revision(conn) is None
            conn.rollback()
            upgrade(conn, None)
            assert current_revision(conn) == HEAD
            conn.exec_driver_sql("INSERT INTO patients (id, created) VALUES ('p1', 'now')")
            conn.exec_driver_sql(
                "INSERT INTO consultations (patient, date, findings, result, chosen_exercises,"
                " created) VALUES ('p1', '2024-03-04', '{}', '{}', '[]', 'now')")
            conn.commit()
            for column in ("findings", "psk_activities", "exercise_frequencies"):
                with pytest.raises(DBAPIError):  # only JSON goes in
                    conn.exec_driver_sql(f"UPDATE consultations SET {column} = 'x'")
                conn.rollback()
    finally:
        engine.dispose()
