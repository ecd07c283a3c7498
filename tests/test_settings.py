"""`assistant settings`: the practice's details, kept in a small TOML file (round trip,
validation, a damaged file); and where the data lives (platformdirs, the old location kept)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.errors import InputError, UsageError
from assistant.records import location
from assistant.records.location import (
    APP_DIR,
    DB_NAME,
    data_dir,
    legacy_data_dir,
    reports_dir,
    resolve_db,
)
from assistant.settings import (
    PracticeSettings,
    load_settings,
    save_settings,
    settings_path,
)


def config() -> Path:
    return Path(os.environ["ASSISTANT_CONFIG"])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["settings", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_settings_round_trip_through_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys)
    assert code == 0 and "nog geen gegevens" in out and "assistant settings --naam" in out
    code, out, _ = run(capsys, "--naam", 'Sam "de" Vries\\', "--praktijk", "Fysio Oost",
                       "--agb", "0412 3456", "--telefoon", "+31 (0)30-1234567")
    assert code == 0 and f"Opgeslagen in {config()}" in out
    assert stat.S_IMODE(config().stat().st_mode) == 0o600
    assert load_settings() == PracticeSettings('Sam "de" Vries\\', "Fysio Oost", "04123456",
                                               "+31 (0)30-1234567")
    code, out, _ = run(capsys)
    assert code == 0 and "AGB-code: 04123456" in out and "Praktijk: Fysio Oost" in out
    code, out, _ = run(capsys, "--telefoon", "")  # an empty value clears one field
    assert code == 0 and "Telefoon: (niet ingesteld)" in out
    assert load_settings().phone is None and load_settings().agb == "04123456"


@pytest.mark.parametrize(("flag", "value", "message"), [
    ("--agb", "1234567", "een AGB-code is 8 cijfers"),
    ("--agb", "1234567a", "een AGB-code is 8 cijfers"),
    ("--telefoon", "bel maar", "geef een telefoonnummer"),
    ("--telefoon", "12", "geef een telefoonnummer"),
    ("--naam", "x" * 101, "te lang"),
    ("--praktijk", "Fysio\x1b[31m", "gewone tekens"),
])
def test_a_bad_value_is_one_dutch_line_and_exit_2(capsys: pytest.CaptureFixture[str],
                                                  flag: str, value: str, message: str) -> None:
    code, out, err = run(capsys, "--naam", "Sam", flag, value)
    assert code == 2 and message in err and err.count("\n") == 1 and out == ""
    assert not config().exists()  # nothing half-saved


@pytest.mark.parametrize(("content", "why"), [
    ("therapist = [", "geen geldige TOML"),
    ('name = "Sam"\n', "onbekende sleutel 'name'"),
    ("agb = 12345678\n", "'agb' moet tekst zijn"),
    ('agb = "123"\n', "een AGB-code is 8 cijfers"),
])
def test_a_damaged_file_is_named_and_never_overwritten(capsys: pytest.CaptureFixture[str],
                                                       content: str, why: str) -> None:
    config().parent.mkdir(parents=True, exist_ok=True)
    config().write_text(content, "utf-8")
    for args in ((), ("--naam", "Sam")):
        code, out, err = run(capsys, *args)
        assert code == 2 and err.count("\n") == 1 and out == "", err
        assert "is beschadigd" in err and why in err and str(config()) in err
    assert config().read_text("utf-8") == content
    with pytest.raises(InputError):
        load_settings()


def test_the_file_is_in_the_user_config_folder_without_the_override(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert settings_path() == tmp_path / "cfg" / APP_DIR / "settings.toml"
    save_settings(PracticeSettings(agb="04123456"))
    assert load_settings(tmp_path / "cfg" / APP_DIR / "settings.toml").agb == "04123456"
    assert stat.S_IMODE((tmp_path / "cfg" / APP_DIR).stat().st_mode) == 0o700


def test_updated_checks_each_value() -> None:
    with pytest.raises(UsageError, match="8 cijfers") as refused:
        PracticeSettings().updated({"agb": "12"})
    assert refused.value.option == "agb"  # the command line names it --agb
    assert PracticeSettings().updated({"therapist": "  Sam   de Vries "}).therapist == (
        "Sam de Vries")


# --- where the data lives ---------------------------------------------------------------------

HOME = Path("/home/t")
WINDOWS_LOCAL = "C:\\Users\\t\\AppData\\Local"


@pytest.mark.parametrize(("platform", "env", "same"), [
    ("linux", {"XDG_DATA_HOME": "/data"}, True),
    ("linux", {}, True),
    ("linux", {"XDG_DATA_HOME": "relative/dir"}, True),  # both ignore a relative one
    ("darwin", {}, True),
    ("darwin", {"XDG_DATA_HOME": "/data"}, False),  # platformdirs follows XDG on macOS too
    ("win32", {"LOCALAPPDATA": WINDOWS_LOCAL}, True),
    ("win32", {"LOCALAPPDATA": "D:\\elders"}, False),  # the shell's folder, not the variable
])
def test_old_and_new_data_folders_per_platform(monkeypatch: pytest.MonkeyPatch,
                                               platform: str, env: dict[str, str],
                                               same: bool) -> None:
    for name in ("XDG_DATA_HOME", "LOCALAPPDATA", "WIN_PD_OVERRIDE_LOCAL_APPDATA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(HOME))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if platform == "win32":  # the shell's Local AppData folder, as Windows reports it
        monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", WINDOWS_LOCAL)
    old = legacy_data_dir(platform, env, HOME)
    new = data_dir(platform)
    assert new.name == old.name == APP_DIR
    assert (new == old) is same, (new, old)


def test_a_records_file_at_the_old_place_is_still_used(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """macOS with XDG_DATA_HOME set: the old folder differs from platformdirs' folder."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    old, new = legacy_data_dir("darwin"), data_dir("darwin")
    assert old != new
    assert resolve_db(None, env={}, platform="darwin") == new / DB_NAME  # none yet
    old.mkdir(parents=True)
    (old / DB_NAME).write_bytes(b"")  # an existing records file at the old place
    assert resolve_db(None, env={}, platform="darwin") == old / DB_NAME
    assert reports_dir("darwin") == old / "verslagen"  # the reports stay beside it
    assert resolve_db(tmp_path / "x.db", platform="darwin") == tmp_path / "x.db"


def test_without_a_home_folder_platformdirs_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home(*args: object) -> Path:
        raise RuntimeError("no home")

    monkeypatch.setattr(location, "legacy_data_dir", no_home)
    assert location.app_data_dir("linux") == data_dir("linux")


@pytest.mark.parametrize("code", ["١٢٣٤٥٦٧٨", "１２３４５６７８"])
def test_an_agb_code_is_eight_ascii_digits(code: str) -> None:
    """Other digit scripts are digits to Python's \\d, not to the systems that read the code."""
    from assistant.cli.common import UsageError
    from assistant.settings import check_value

    with pytest.raises(UsageError, match="8 cijfers"):
        check_value("agb", code)
