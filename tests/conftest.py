"""Every test keeps its records (the intake journal, patients) in its own temporary database,
never in the user's data folder; subprocesses inherit it through ASSISTANT_DB."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = [
    "tests.audio_room",  # the `room` fixture of the real-audio tests
    "tests.ui_screen",  # the `page` fixture of the screen's tests
]


@pytest.fixture(autouse=True)
def private_records(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path_factory.mktemp("records") / "records.sqlite3"
    monkeypatch.setenv("ASSISTANT_DB", str(db))
    return db


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the golden transcripts under tests/golden/ from this run")


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
