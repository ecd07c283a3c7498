"""Every test keeps its records (the intake journal, patients) in its own temporary database,
never in the user's data folder; subprocesses inherit it through ASSISTANT_DB."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg_cluster import Cluster, find_pg_bin, start_cluster
from tests.pg_practice import Practice, new_practice

pytest_plugins = [
    "tests.audio_room",  # the `room` fixture of the real-audio tests
    "tests.ui_screen",  # the `page` fixture of the screen's tests
]


@pytest.fixture(autouse=True)
def private_records(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's own records: a fresh SQLite file, or with `--records-engine postgresql` a
    fresh database on the session's practice server (as its admin: a therapist who may also
    erase), except for tests marked `sqlite_file` (they look into the file itself)."""
    db = tmp_path_factory.mktemp("records") / "records.sqlite3"
    on_server = request.config.getoption("--records-engine") == "postgresql"
    if on_server and request.node.get_closest_marker("sqlite_file") is None:
        template: Practice = request.getfixturevalue("practice_template")
        monkeypatch.setenv("ASSISTANT_DB", template.copy())
    else:
        monkeypatch.setenv("ASSISTANT_DB", str(db))
    return db


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the golden transcripts under tests/golden/ from this run")
    parser.addoption("--records-engine", choices=("sqlite", "postgresql"), default="sqlite",
                     help="where the tests' records are (ASSISTANT_DB): a SQLite file, or a "
                          "database of a private practice server (tests marked sqlite_file "
                          "stay on SQLite)")



@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def private_folders(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's data and config folders (reports written without --report, the practice's
    settings) are temporary too, on every platform: XDG on Linux (and macOS), the Local
    AppData folder on Windows, and ASSISTANT_CONFIG for the settings file itself."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("LOCALAPPDATA", str(home / "local"))
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", str(home / "local"))
    monkeypatch.setenv("ASSISTANT_CONFIG", str(home / "config" / "settings.toml"))
    return home


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A private PostgreSQL cluster for the whole session (tests/pg_cluster.py), stopped and
    removed at its end. Skipped where initdb is missing, except in CI (CI is set), which
    installs postgresql: there a missing server fails."""
    if sys.platform == "win32":
        pytest.skip("the private PostgreSQL cluster runs on Linux and macOS only")
    if find_pg_bin() is None:
        reason = ("PostgreSQL's initdb not found: install Debian's postgresql package "
                  "(or set PG_BIN)")
        if os.environ.get("PG_BIN"):
            reason = f"PG_BIN={os.environ['PG_BIN']} holds no initdb and pg_ctl"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set: {reason}")
        pytest.skip(reason)
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture
def practice_db(pg_cluster: Cluster) -> Practice:
    """A practice's server for one test: its own database, initialised, with a therapist's,
    a second therapist's and an admin's role (tests/pg_practice.py)."""
    return new_practice(pg_cluster)


@pytest.fixture(scope="session")
def practice_template(pg_cluster: Cluster) -> Practice:
    """An initialised practice database the tests' own databases are copied from
    (`--records-engine postgresql`)."""
    return new_practice(pg_cluster)
