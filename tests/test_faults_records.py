"""Issue 23, the records under faults: a full disk named as such, `forget` whole or not at all
(and with the patient's reports and lock), damaged rows named and passed over where they can
be, and a settings path that is no regular file."""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from assistant.errors import InputError, RecordsError
from assistant.intake.records import hold_intake_lock
from assistant.records.failures import records_error
from assistant.records.store import Store
from assistant.settings import load_settings
from tests.in_process import one_line, run
from tests.intake_lines import PROFILE_B_TYPED as TYPED
from tests.records_fixtures import add_intake

# Full disks under the file, triggers, damaged rows and lock files written into or beside the
# SQLite file itself (the rest of the module takes its own tmp_path file anyway).
pytestmark = pytest.mark.sqlite_file


def db_path() -> Path:
    return Path(os.environ["ASSISTANT_DB"])


# --- a full disk ---------------------------------------------------------------------------


def test_an_io_error_on_a_full_disk_is_a_full_disk(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    class Full:
        f_bavail, f_frsize = 0, 4096

    monkeypatch.setattr(os, "statvfs", lambda path: Full())
    error = sqlite3.OperationalError("disk I/O error")
    error.sqlite_errorname = "SQLITE_IOERR_WRITE"
    found = records_error(tmp_path / "records.sqlite3", error)
    assert found.code == "disk-full" and "de schijf is vol" in found.message


def test_a_full_records_file_stops_a_journal_entry_as_a_full_disk(tmp_path: Path) -> None:
    with Store.open(tmp_path / "records.sqlite3") as store:
        journal = store.journal_open("P-1", date(2026, 1, 5))
        pages = store._conn.exec_driver_sql("PRAGMA page_count").scalar()
        store._conn.exec_driver_sql(f"PRAGMA max_page_count = {pages}")  # SQLITE_FULL from here
        with pytest.raises(RecordsError) as caught:
            store.journal_append(journal, {"kind": "answer", "heard": "x" * 200_000})
        assert caught.value.code == "disk-full", caught.value.message
        assert str(store.path) in caught.value.message
        assert store.journal_entries(journal) == []  # nothing half-written


def test_no_room_to_make_the_records_file_is_a_full_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open

    def full(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith("records.sqlite3"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", full)
    with pytest.raises(RecordsError) as caught:
        Store.open(tmp_path / "records.sqlite3")
    assert caught.value.code == "disk-full" and "de schijf is vol" in caught.value.message


def test_forget_on_a_full_disk_erases_all_and_says_the_compaction_failed(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    db = db_path()
    add_intake(db, "P-7", "B")
    add_intake(db, "P-8", "B")

    def no_room(self: Store) -> None:
        error = sqlite3.OperationalError("database or disk is full")
        error.sqlite_errorname = "SQLITE_FULL"
        raise error

    monkeypatch.setattr(Store, "_compact", no_room)
    code, out, err = run(["forget", "--patient", "P-7", "--yes"], capsys, monkeypatch)
    assert code == 0, err
    assert "Gewist: patiënt P-7 met 1 intake" in out and "de schijf is vol" in out
    with Store.open(db) as store:
        assert store.patients() == ["P-8"]


def test_forget_is_one_transaction(capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    db = db_path()
    add_intake(db, "P-9", "B")
    with sqlite3.connect(db) as conn:  # the last delete fails: none of them may stand
        conn.execute("CREATE TRIGGER cut BEFORE DELETE ON patients "
                     "BEGIN SELECT RAISE(ABORT, 'kill'); END")
    code, _, err = run(["forget", "--patient", "P-9", "--yes"], capsys, monkeypatch)
    assert code == 2 and "Traceback" not in err
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM consultations").fetchone()[0] == 1


# --- forget removes the reports, the lock and the journal -----------------------------------


def test_forget_removes_the_reports_the_lock_and_the_journal(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(["intake", "--text", "--mute", "--patient", "P-10"], capsys,
                         monkeypatch, TYPED)
    assert code == 0, err
    folder = Path(out.split("Verslag geschreven in ")[1].splitlines()[0])
    assert (folder / "report.txt").is_file() and folder.name.endswith("_P-10")
    lock = hold_intake_lock(db_path(), "patient:P-10", "de intake")
    lock.release()
    with Store.open(db_path()) as store:
        store.journal_append(store.journal_open("P-10", date(2026, 1, 5)), {"kind": "back"})
    other = folder.with_name(folder.name.replace("P-10", "P-100"))  # another patient's
    other.mkdir()
    code, out, err = run(["forget", "--patient", "p-10", "--yes"], capsys, monkeypatch)
    assert code == 0, err
    assert not folder.exists() and other.exists()
    assert not Path(lock.lock_file).exists()
    assert "1 intake en 1 verslagmap, ook de antwoorden van de intakes" in out
    with sqlite3.connect(db_path()) as conn:
        assert conn.execute("SELECT COUNT(*) FROM journal_entries").fetchone()[0] == 0


# --- damaged rows ---------------------------------------------------------------------------


@pytest.mark.parametrize(("column", "value"), [
    ("date", "2026-02-30"), ("result", "[]"), ("chosen_exercises", '{"F1": 1}'),
    ("findings", '"tekst"'),
    # the second hostile review: these gave 'interne fout: KeyError'
    ("result", '{"grade": "II", "profile": "Z"}'), ("chosen_exercises", '["F14", "F999"]'),
])
def test_a_damaged_intake_is_named_and_passed_over_by_history(
        column: str, value: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    db = db_path()
    good = add_intake(db, "P-11", "B", date(2024, 1, 1))
    bad = add_intake(db, "P-11", "C", date(2024, 3, 1))
    with sqlite3.connect(db) as conn:
        conn.execute(f"UPDATE consultations SET {column} = ? WHERE id = ?", (value, bad))
    code, out, err = run(["history", "--patient", "P-11", "--json"], capsys, monkeypatch)
    assert code == 0, err
    assert f'"id": {good}' in out
    assert str(db) in err and f"nummer {bad}" in err and "ValueError" not in err
    code, out, err = run(["export", "--patient", "P-11"], capsys, monkeypatch)
    assert code == 0 and '"damaged"' in out and f"nummer {bad}" in err
    code, _, err = run(["followup", "--patient", "P-11", "--nprs", "3", "--psk", "3,3,3"],
                       capsys, monkeypatch)  # stored against the wrong intake: never
    line = one_line(err)
    assert code == 2 and str(db) in line and f"nummer {bad}" in line, line


def test_a_damaged_measurement_is_named(capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    db = db_path()
    add_intake(db, "P-12", "B")
    assert main(["followup", "--patient", "P-12", "--nprs", "5", "--psk", "5,5,5",
                 "--date", "2024-03-20"]) == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE evaluations SET date = '2024-13-45'")
    capsys.readouterr()
    code, _, err = run(["history", "--patient", "P-12"], capsys, monkeypatch)
    assert code == 0 and "tabel evaluations" in err and "ValueError" not in err
    with Store.open(db) as store, pytest.raises(RecordsError) as caught:
        store.evaluations("P-12")
    assert caught.value.code == "records-corrupt" and str(db) in caught.value.message


def test_a_damaged_journal_row_is_named(tmp_path: Path) -> None:
    with Store.open(tmp_path / "records.sqlite3") as store:
        journal = store.journal_open("P-13", date(2026, 1, 5))
        store.journal_append(journal, {"kind": "back"})
        store._conn.exec_driver_sql("UPDATE journal SET date = 'gisteren'")
        store._conn.commit()
        with pytest.raises(RecordsError) as caught:
            store.journal_find_open("P-13")
    assert caught.value.code == "records-corrupt" and "tabel journal" in caught.value.message


# --- the settings path ----------------------------------------------------------------------


def _loads_in_time(path: Path) -> BaseException | None:
    """load_settings(path) in a thread: its error, or a TimeoutError when it hangs."""
    found: list[BaseException | None] = []

    def load() -> None:
        try:
            load_settings(path)
            found.append(None)
        except BaseException as exc:  # handed to the test
            found.append(exc)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(5)
    if thread.is_alive():
        with open(os.open(path, os.O_WRONLY | os.O_NONBLOCK), "wb"):
            pass  # lets the waiting open go (a FIFO), then it reads end of file
        return TimeoutError("load_settings hangs")
    return found[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_as_settings_file_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "settings.toml"
    os.mkfifo(fifo)
    error = _loads_in_time(fifo)
    assert isinstance(error, InputError) and "geen gewoon bestand" in error.message, error


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_dev_zero_as_settings_file_is_refused() -> None:
    with pytest.raises(InputError, match="geen gewoon bestand"):
        load_settings(Path("/dev/zero"))


def test_a_huge_settings_file_is_not_read(tmp_path: Path) -> None:
    huge = tmp_path / "settings.toml"
    huge.write_bytes(b"#" * (1 << 20))
    with pytest.raises(InputError, match="geen gewoon bestand"):
        load_settings(huge)




def test_a_measurement_dated_before_its_intake_is_a_damaged_row(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """It gave 'interne fout: ValueError: … is before the intake' (in English), and the screen
    a week of -356,6."""
    db = db_path()
    add_intake(db, "P-13", "B", date(2024, 3, 1))
    assert main(["followup", "--patient", "P-13", "--nprs", "5", "--psk", "5,5,5",
                 "--date", "2024-03-20"]) == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE evaluations SET date = '2020-01-01'")
    capsys.readouterr()
    code, _, err = run(["history", "--patient", "P-13"], capsys, monkeypatch)
    assert code == 0 and "tabel evaluations" in err and "vóór de intake" in err
    assert "ValueError" not in err and "interne fout" not in err
    code, _, err = run(["followup", "--patient", "P-13", "--nprs", "3", "--psk", "3,3,3",
                        "--date", "2024-03-27"], capsys, monkeypatch)
    assert "interne fout" not in err and "ValueError" not in err


def test_exercises_for_a_damaged_intake_is_one_records_line(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    db = db_path()
    bad = add_intake(db, "P-14", "B", date(2024, 3, 1))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE consultations SET result = ? WHERE id = ?",
                     ('{"grade": "II", "profile": "Z"}', bad))
    code, _, err = run(["exercises", "--patient", "P-14", "--list"], capsys, monkeypatch)
    line = one_line(err)
    assert code == 2 and str(db) in line and "interne fout" not in line, line
