"""Issue 23, the intake under faults: the lock through a symbolic link, a journal that cannot be
replayed, an unwritable data folder, finishing cut off between its steps, the event log's
privacy and the records file's side files."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest

from assistant.errors import IntakeBusy
from assistant.intake.records import IntakeRecords, hold_intake_lock
from assistant.records.store import Store
from tests.in_process import one_line, run
from tests.intake_lines import PROFILE_B_TYPED as TYPED
from tests.records_fixtures import count, records


def db_path() -> Path:
    """The records file of a test marked sqlite_file."""
    return Path(os.environ["ASSISTANT_DB"])


def test_a_symlink_to_the_records_file_shares_the_patient_lock(tmp_path: Path) -> None:
    real = tmp_path / "real" / "records.sqlite3"
    real.parent.mkdir()
    Store.open(real).close()
    link = tmp_path / "elders" / "link.sqlite3"
    link.parent.mkdir()
    link.symlink_to(real)
    held = hold_intake_lock(real, "patient:P-1", "de intake van patiënt 'P-1'")
    try:
        with pytest.raises(IntakeBusy):
            IntakeRecords.open(link, "p-1", date(2026, 3, 2), resume=False).close()
    finally:
        held.release()


def test_a_lock_file_is_not_named_by_a_plain_hash_of_the_id(tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite3"
    Store.open(db).close()
    lock = hold_intake_lock(db, "patient:P-1", "de intake")
    lock.release()
    name = Path(lock.lock_file).name
    for guess in ("patient:p-1", "patient:P-1"):
        assert not name.startswith(hashlib.sha256(guess.encode()).hexdigest()[:24])
    key = Path(lock.lock_file).parent / "key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_journal_that_cannot_be_replayed_is_set_aside_intact(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(records()) as store:
        journal = store.journal_open("P-2", date(2026, 1, 5))
        for n in range(3):
            store.journal_append(journal, {"kind": "answer", "question": f"geen-vraag-{n}",
                                           "heard": "ja", "value": True})
    code, _, err = run(["intake", "--text", "--mute", "--patient", "P-2", "--yes"], capsys,
                       monkeypatch)
    assert code == 2 and "apart gezet" in one_line(err)
    assert count("SELECT COUNT(*) FROM journal_entries WHERE journal = :j", j=journal) == 3
    assert count("SELECT COUNT(*) FROM journal WHERE id = :j AND status = 'open'",
                 j=journal) == 0


def test_an_unwritable_data_folder_is_said_before_the_first_question(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.write_text("geen map", encoding="utf-8")  # HOME is a file
    monkeypatch.delenv("ASSISTANT_DB")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    code, out, err = run(["intake", "--text", "--mute"], capsys, monkeypatch, TYPED)
    line = one_line(err)
    assert code == 2 and out == "", out  # no question asked, so no answer lost
    assert "--report" in line and "gegevensmap" in line and "ASSISTANT_DB" in line


def _failing_finish() -> None:
    """A fault between storing the intake and marking its journal stored (once two steps)."""
    with sqlite3.connect(db_path()) as conn:
        conn.execute("CREATE TRIGGER cut BEFORE INSERT ON journal_entries "
                     "WHEN json_extract(NEW.payload, '$.event') = 'stored' "
                     "BEGIN SELECT RAISE(ABORT, 'kill'); END")


@pytest.mark.sqlite_file  # the fault is a trigger written into the SQLite file
def test_finishing_an_intake_is_one_transaction(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    Store.open(db_path()).close()
    _failing_finish()
    code, _, err = run(["intake", "--text", "--mute", "--patient", "P-3"], capsys,
                       monkeypatch, TYPED)
    assert code == 2, err
    assert count("SELECT COUNT(*) FROM consultations") == 0  # neither step, not one of them
    assert count("SELECT COUNT(*) FROM journal WHERE status = 'open'") == 1
    with sqlite3.connect(db_path()) as conn:
        conn.execute("DROP TRIGGER cut")
    code, _, err = run(["intake", "--text", "--mute", "--patient", "P-3", "--yes"], capsys,
                       monkeypatch)
    assert code == 0, err
    assert count("SELECT COUNT(*) FROM consultations") == 1  # resumed into the one intake


def test_a_resume_of_an_intake_stored_already_says_so(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    day = date(2026, 2, 3)
    with Store.open(records()) as store:  # as an earlier version left it, cut off
        journal = store.journal_open("P-4", day)
        store.journal_append(journal, {"kind": "answer", "question": "age", "heard": "47",
                                       "value": 47})
        store.add_consultation("P-4", day, {"red_flags": []},
                               {"grade": "II", "profile": "B", "course": "abnormal",
                                "referral": False, "red_flags": []}, ["F14"])
    code, out, err = run(["intake", "--text", "--mute", "--patient", "P-4", "--yes"], capsys,
                         monkeypatch, TYPED)
    assert code == 0, err
    assert "al opgeslagen" in out and "history --patient P-4" in out
    assert "Intake wordt hervat" not in out
    assert count("SELECT COUNT(*) FROM consultations") == 1
    assert count("SELECT COUNT(*) FROM journal WHERE status = 'open'") == 0
    assert count("SELECT COUNT(*) FROM journal_entries") == 1  # set aside, not erased


def test_the_event_log_is_private(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    old = os.umask(0o022)  # as on most machines: new files 0644 unless made private
    try:
        log = tmp_path / "nieuw" / "map" / "events.jsonl"
        code, _, err = run(["intake", "--text", "--mute", "--events", str(log)], capsys,
                           monkeypatch, TYPED)
    finally:
        os.umask(old)
    assert code == 0, err
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    for folder in (log.parent, log.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert json.loads(log.read_text(encoding="utf-8").splitlines()[0])["event"]


@pytest.mark.sqlite_file  # the SQLite file's own -wal and -shm beside it
@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
def test_the_event_log_never_replaces_the_records_side_files(
        suffix: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    db = db_path()
    with Store.open(db) as store:  # another intake, its answers still in the log (-wal)
        store._conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
        store.journal_append(store.journal_open(None, date(2026, 1, 5)),
                             {"kind": "answer", "question": "age", "heard": "47", "value": 47})
        wal = db.with_name(db.name + "-wal").read_bytes()
        code, out, err = run(["intake", "--text", "--mute", "--events",
                              str(db.with_name(db.name + suffix))], capsys, monkeypatch, TYPED)
        assert code == 2 and str(db) in one_line(err) and out == ""
        assert db.with_name(db.name + "-wal").read_bytes() == wal


@pytest.mark.sqlite_file  # the lock folder's key beside the SQLite file
def test_the_event_log_never_replaces_the_lock_key(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A hostile review replaced the locks folder's key with --events: a second intake of the
    same patient then ran beside the first. The lock folder's files are the records' too."""
    from assistant.records.locks import lock_path, locks_folder

    db = db_path()
    Store.open(db).close()
    lock_path(db, "patient:KX")  # the folder and its key
    key = locks_folder(db) / "key"
    before = key.read_bytes()
    code, out, err = run(["intake", "--text", "--mute", "--events", str(key)], capsys,
                         monkeypatch, TYPED)
    assert code == 2 and str(db) in one_line(err) and out == ""
    assert key.read_bytes() == before


def test_a_findings_file_intake_holds_the_patients_lock_and_leaves_a_live_one_resumable(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`intake --answers` stores an intake of the patient: it takes the patient's lock (one
    running intake per patient), and an interrupted live intake of the same patient that day
    stays resumable (a journal of events is never taken for one stored without its mark: the
    hostile review of issue 24)."""
    from tests.findings_cases import findings

    answers = tmp_path / "f.json"
    answers.write_text(json.dumps(findings()), encoding="utf-8")
    code, _, _ = run(["intake", "--text", "--mute", "--patient", "AS1"], capsys, monkeypatch,
                     "\n".join(TYPED.splitlines()[:6]) + "\n")
    assert code == 1  # stopped, its answers kept
    with Store.open(records()) as store:  # a lock file beside SQLite, else an advisory lock
        held = hold_intake_lock(store, "patient:AS1", "de intake van patiënt 'AS1'")
        try:
            code, _, err = run(["intake", "--answers", str(answers), "--mute", "--patient",
                                "AS1", "--report", str(tmp_path / "r")], capsys, monkeypatch)
            assert code == 2 and "loopt al" in one_line(err)
        finally:
            held.release()
    code, _, _ = run(["intake", "--answers", str(answers), "--mute", "--patient", "AS1",
                      "--report", str(tmp_path / "r")], capsys, monkeypatch)
    assert code == 0
    code, out, err = run(["intake", "--text", "--mute", "--patient", "AS1", "--yes"], capsys,
                         monkeypatch)
    assert "al opgeslagen" not in out + err
    assert "Intake wordt hervat (6 antwoorden)" in out and code == 1
