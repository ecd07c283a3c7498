"""What the assistant writes never replaces what is not its to replace: the records file (any
SQLite database), a folder, a device or a pipe; a stopped intake says how to go on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.errors import OutputError
from assistant.files import write_private
from tests.in_process import one_line, run
from tests.intake_lines import PROFILE_B_TYPED
from tests.records_fixtures import add_intake


def records(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    db = tmp_path / "records.sqlite3"
    monkeypatch.setenv("ASSISTANT_DB", str(db))
    add_intake(db, "P-1", "B")
    return db


def test_events_never_overwrite_the_records_file(capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    db = records(monkeypatch, tmp_path)
    code, _, err = run(["intake", "--text", "--mute", "--events", str(db)], capsys,
                       monkeypatch, PROFILE_B_TYPED)
    assert code == 2 and "databasebestand" in one_line(err)
    assert db.read_bytes().startswith(b"SQLite format 3\x00")  # still the records
    code, out, err = run(["history", "--patient", "P-1"], capsys, monkeypatch)
    assert code == 0 and "P-1" in out, err


def test_export_never_overwrites_the_records_file(capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    db = records(monkeypatch, tmp_path)
    before = db.read_bytes()
    code, _, err = run(["export", "--patient", "P-1", "--output", str(db)], capsys,
                       monkeypatch)
    assert code == 2 and "databasebestand" in one_line(err)
    assert db.read_bytes() == before


def test_a_pipe_or_a_folder_is_left_alone(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="geen gewoon bestand"):
        write_private(fifo, "x")
    assert fifo.is_fifo()
    with pytest.raises(OutputError, match="is een map"):
        write_private(tmp_path, "x")


def test_a_stopped_intake_says_how_to_go_on(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.setenv("ASSISTANT_DB", str(tmp_path / "r.sqlite3"))
    code, out, _ = run(["intake", "--text", "--mute", "--patient", "S-1"], capsys, monkeypatch,
                       "47\nnee\nstop\n")  # the age, a red flag, then stop
    assert code == 1
    assert "Ga later verder met 'assistant intake --patient S-1'." in out
    code, out, _ = run(["intake", "--text", "--mute", "--patient", "S-2"], capsys, monkeypatch,
                       "stop\n")
    assert code == 1 and "Ga later verder" not in out  # nothing was answered


def test_reading_commands_make_no_records_file(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    missing = tmp_path / "nog" / "niet.sqlite3"
    (tmp_path / "nog").mkdir()
    for argv in (["history", "--patient", "P-1"], ["export", "--patient", "P-1"]):
        code, _, err = run([*argv, "--db", str(missing)], capsys, monkeypatch)
        assert code == 2 and "bestaat niet" in one_line(err)
        assert not missing.exists()


@pytest.mark.parametrize(("text", "day"), [("2026-03-01", (2026, 3, 1)),
                                           ("01-03-2026", (2026, 3, 1)),
                                           ("1-3-2026", (2026, 3, 1))])
def test_dates_as_iso_or_as_dutch_practices_write_them(text: str,
                                                       day: tuple[int, int, int]) -> None:
    from datetime import date

    from assistant.cli.common import parse_date

    assert parse_date(text) == date(*day)


@pytest.mark.parametrize("text", ["20260301", "2026-W09-1", "31-02-2026", "2026/03/01", "",
                                  "0001-01-01", "31-12-1899"])
def test_other_dates_are_refused(text: str) -> None:
    import argparse

    from assistant.cli.common import parse_date

    with pytest.raises(argparse.ArgumentTypeError, match="JJJJ-MM-DD of DD-MM-JJJJ"):
        parse_date(text)


def test_a_follow_up_in_the_future_is_refused(capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    from datetime import date, timedelta

    records(monkeypatch, tmp_path)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    code, _, err = run(["followup", "--patient", "P-1", "--nprs", "4", "--psk", "4,4,4",
                        "--date", tomorrow], capsys, monkeypatch)
    assert code == 2 and "in de toekomst" in one_line(err)
