"""The records store: location, private file, schema migrations, rows, forget, journal."""

from __future__ import annotations

import sqlite3
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from alembic import op
from sqlalchemy.exc import IntegrityError

from assistant.cli.hints import cli_text
from assistant.errors import RecordsCorrupt, RecordsError
from assistant.records import migrations
from assistant.records.location import legacy_data_dir, resolve_db
from assistant.records.migrate import HEAD, REVISIONS
from assistant.records.rows import validate_patient_id
from assistant.records.store import Store
from assistant.ui.hints import screen_text
from tests.records_fixtures import INTAKE_DAY, add_intake, legacy_file, legacy_intake

DAY = INTAKE_DAY


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_db_path_order_explicit_then_env_then_platform(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"ASSISTANT_DB": str(tmp_path / "env.sqlite3"), "XDG_DATA_HOME": "/xdg"}
    assert resolve_db(tmp_path / "x.db", env=env) == tmp_path / "x.db"
    assert resolve_db(None, env=env) == tmp_path / "env.sqlite3"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # platformdirs reads os.environ
    assert resolve_db(None, env={}, platform="linux") == (
        tmp_path / "xdg" / "nekpijn-assistent" / "records.sqlite3")


@pytest.mark.parametrize(
    ("platform", "env", "expected"),
    [
        ("linux", {"XDG_DATA_HOME": "/data"}, "/data"),
        ("linux", {}, "/home/t/.local/share"),
        ("linux", {"XDG_DATA_HOME": "relative/dir"}, "/home/t/.local/share"),  # XDG: ignored
        ("win32", {"LOCALAPPDATA": "C:/Users/t/AppData/Local"}, "C:/Users/t/AppData/Local"),
        ("darwin", {"XDG_DATA_HOME": "/data"}, "/home/t/Library/Application Support"),
    ],
)
def test_legacy_data_dir_per_platform(platform: str, env: dict[str, str], expected: str) -> None:
    assert legacy_data_dir(platform, env, Path("/home/t")) == Path(expected) / "nekpijn-assistent"


def test_new_database_is_private_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = tmp_path / "new" / "deeper" / "records.sqlite3"
    with Store.open(db) as store:
        assert store.revision == HEAD == REVISIONS[-1]
        conn = store._conn
        assert conn.exec_driver_sql("PRAGMA user_version").scalar() == len(REVISIONS) == 4
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        store.add_consultation("p1", DAY, {}, {"profile": "B"}, [])
        for side in ("-wal", "-shm"):
            side_file = db.with_name(db.name + side)
            if side_file.exists():
                assert mode(side_file) == 0o600
    assert mode(db) == 0o600
    assert mode(db.parent) == 0o700  # its own folder; shared parents keep the usual mode


def test_consultations_round_trip_and_latest(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    with Store.open(db) as store:
        assert store.latest_consultation("p1") is None
        first = store.add_consultation("p1", DAY, {"a": 1}, {"profile": "B", "é": "ü"}, ["F1"])
        second = store.add_consultation("p1", DAY + timedelta(days=60), {}, {"profile": "A"},
                                        ["F14", "F17"])
        rows = store.consultations("p1")
        assert [r.id for r in rows] == [first, second]
        assert rows[0].findings == {"a": 1} and rows[0].result["é"] == "ü"
        latest = store.latest_consultation("p1")
        assert latest is not None and latest.id == second
        assert latest.chosen_exercises == ("F14", "F17") and latest.date == DAY + timedelta(60)
        assert store.patients() == ["p1"]


def test_evaluations_attach_to_the_latest_intake_in_date_order(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    intake = add_intake(db, "p1", "B")
    with Store.open(db) as store:
        store.add_evaluation("p1", DAY + timedelta(days=14), 5, (5, 5, 5))
        store.add_evaluation("p1", DAY, 7, (7, 6, 8), neuro_worse=True)
        rows = store.evaluations("p1")
        assert [r.date for r in rows] == [DAY, DAY + timedelta(days=14)]
        assert rows[0].psk == (7, 6, 8) and rows[0].neuro_worse is True
        assert rows[0].psk_mean == pytest.approx(7.0)
        assert {r.consultation for r in rows} == {intake}
        assert store.evaluations("p1", consultation=intake + 99) == []


def test_evaluation_needs_an_intake_and_a_date_after_it(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    with Store.open(db) as store, pytest.raises(RecordsError, match="nog geen intake"):
        store.add_evaluation("nobody", DAY, 5, (5, 5, 5))
    add_intake(db, "p1", "A")
    with Store.open(db) as store:
        with pytest.raises(RecordsError, match="ligt voor de intake"):
            store.add_evaluation("p1", DAY - timedelta(days=1), 5, (5, 5, 5))
        for nprs, psk in ((11, (1, 1, 1)), (-1, (1, 1, 1)), (5, (1, 11, 1))):
            with pytest.raises(RecordsError, match="0 tot en met 10"):
                store.add_evaluation("p1", DAY, nprs, psk)
        assert store.evaluations("p1") == []


def test_check_constraints_hold_in_the_database_itself(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    intake = add_intake(db, "p1", "A")
    with Store.open(db) as store, pytest.raises(IntegrityError):
        store._conn.exec_driver_sql(
            "INSERT INTO evaluations (patient, consultation, date, nprs, psk1, psk2, psk3,"
            " neuro_worse, created) VALUES ('p1', ?, '2024-01-01', 11, 1, 1, 1, 0, 'now')",
            (intake,))
    with Store.open(db) as store, pytest.raises(IntegrityError):
        store._conn.exec_driver_sql("INSERT INTO journal (patient, date, started, status)"
                                    " VALUES (NULL, '2024-01-01', 'now', 'lost')")
    for column in ("findings", "psk_activities", "exercise_frequencies"):  # only JSON goes in
        with Store.open(db) as store, pytest.raises(IntegrityError):
            store._conn.exec_driver_sql(f"UPDATE consultations SET {column} = 'x'")


@pytest.mark.parametrize("patient", ["P-001", "a", "x.y_z-9", "A" * 64, "Jansen"])
def test_valid_patient_ids(patient: str) -> None:
    assert validate_patient_id(patient) == patient


@pytest.mark.parametrize("patient", ["", "A" * 65, "with space", "../etc", "é", "a/b", "a;b",
                                     ".", "..", "-", "_._"])
def test_bad_patient_ids_are_refused_in_dutch(tmp_path: Path, patient: str) -> None:
    with pytest.raises(RecordsError, match="ongeldige patiënt-id"):
        validate_patient_id(patient)
    with Store.open(tmp_path / "r.sqlite3") as store, pytest.raises(RecordsError):
        store.add_consultation(patient, DAY, {}, {}, [])


def test_ids_compare_case_insensitively_and_keep_their_first_spelling(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    add_intake(db, "P-0001", "A")
    add_intake(db, "p-0001", "B", DAY + timedelta(days=1))  # the same patient, not a second
    with Store.open(db) as store:
        assert store.patients() == ["P-0001"]
        assert store.has_patient("p-0001") and store.has_patient("P-0001")
        assert [c.patient for c in store.consultations("p-0001")] == ["P-0001", "P-0001"]
        store.add_evaluation("p-0001", DAY + timedelta(days=2), 4, (4, 4, 4))
        assert [e.patient for e in store.evaluations("P-0001")] == ["P-0001"]
        assert store.export("p-0001")["patient"] == "P-0001"
        journal = store.journal_open("p-0001", DAY)
        store.journal_append(journal, {"kind": "answer"})
        found = store.journal_find_open("P-0001")
        assert found is not None and (found.id, found.patient) == (journal, "P-0001")
        assert store.forget("P-0001") and store.patients() == []


def test_existing_rows_in_two_spellings_stay_readable_as_one_patient(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    with Store.open(db) as store:  # as an older version stored them: two ids, one patient
        for patient in ("jan", "Jan"):
            store._conn.exec_driver_sql("INSERT INTO patients (id, created) VALUES (?, ?)",
                                        (patient, "2024-01-01T00:00:00+00:00"))
            store._conn.exec_driver_sql(
                "INSERT INTO consultations (patient, date, findings, result, chosen_exercises,"
                " created) VALUES (?, ?, '{}', '{}', '[]', '')", (patient, DAY.isoformat()))
        store._conn.commit()
    with Store.open(db) as store:
        assert len(store.consultations("JAN")) == 2
        assert store.add_evaluation("jAn", DAY, 3, (3, 3, 3)) > 0
        assert store.forget("jan") and store.patients() == []


def test_forget_erases_every_row_of_that_patient_only(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    gone = add_intake(db, "gone", "B")
    kept = add_intake(db, "kept", "D")
    with Store.open(db) as store:
        store.set_psk_activities(gone, ["zwemmen-gone", "fietsen", "lezen"])
        store.set_psk_activities(kept, ["zwemmen-kept", "fietsen", "lezen"])
        store.add_evaluation("gone", DAY, 5, (5, 5, 5))
        store.add_evaluation("kept", DAY, 6, (6, 6, 6))
        journal = store.journal_open("gone", DAY)
        store.journal_append(journal, {"answer": "antwoord-gone"})
        assert store.forget("gone") is True
        assert store.forget("gone") is False
        conn = store._conn
        for table, column in (("patients", "id"), ("consultations", "patient"),
                              ("evaluations", "patient"), ("journal", "patient")):
            count = conn.exec_driver_sql(
                f"SELECT COUNT(*) FROM {table} WHERE {column} = 'gone'").scalar()
            assert count == 0, table
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM journal_entries").scalar() == 0
        # NEN 7513: the access log keeps who did what with the patient's records, erasure too
        logged = conn.exec_driver_sql(
            "SELECT action FROM access_log WHERE patient = 'gone' ORDER BY id").scalars().all()
        assert logged[-1] == "forget" and "intake" in logged
        conn.rollback()
        assert store.patients() == ["kept"] and len(store.evaluations("kept")) == 1
    raw = db.read_bytes() + (db.with_name(db.name + "-wal").read_bytes()
                             if db.with_name(db.name + "-wal").exists() else b"")
    assert b"zwemmen-gone" not in raw and b"antwoord-gone" not in raw
    assert b"zwemmen-kept" in raw


def test_export_is_json_ready(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    add_intake(db, "p1", "B")
    with Store.open(db) as store:
        store.add_evaluation("p1", DAY, 5, (4, 5, 6), neuro_worse=True)
        data = store.export("p1")
        with pytest.raises(RecordsError, match="onbekende patiënt"):
            store.export("nobody")
    assert data["patient"] == "p1"
    assert data["consultations"][0]["result"]["profile"] == "B"
    assert data["consultations"][0]["chosen_exercises"] == ["F1", "F14"]
    assert data["evaluations"][0] | {"id": 0, "consultation": 0, "created": ""} == {
        "id": 0, "consultation": 0, "created": "", "date": DAY.isoformat(), "nprs": 5,
        "psk": [4, 5, 6], "neuro_worse": True}


def test_journal_is_durable_and_found_per_patient(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    with Store.open(db) as store:
        anonymous = store.journal_open(None, DAY)
        older = store.journal_open("p1", DAY)
        assert store.journal_find_open("p1") is None  # no answer yet: nothing to resume
        store.journal_append(anonymous, {"kind": "answer"})
        store.journal_append(older, {"kind": "answer"})
        newer = store.journal_open("p1", DAY + timedelta(days=1))
        for n in range(3):
            store.journal_append(newer, {"seq": n, "text": "nee hoor"})
        # Another connection (a new process after a crash) sees every entry at once.
        with Store.open(db) as other:
            assert other.journal_entries(newer) == [{"seq": n, "text": "nee hoor"}
                                                    for n in range(3)]
            found = other.journal_find_open("p1")
            assert found is not None and (found.id, found.status) == (newer, "open")
            assert found.date == DAY + timedelta(days=1)
        anon = store.journal_find_open(None)
        assert anon is not None and anon.id == anonymous and anon.patient is None
        store.journal_close(newer, "finished")
        assert store.journal_entries(newer) == []  # a closed journal keeps no answers
        with pytest.raises(RecordsError, match="afgesloten"):
            store.journal_append(newer, {"late": True})
        reopened = store.journal_find_open("p1")
        assert reopened is not None and reopened.id == older
        store.journal_close(older, "abandoned")
        store.journal_close(anonymous, "abandoned")
        assert store.journal_find_open("p1") is None and store.journal_find_open(None) is None
        with pytest.raises(RecordsError):
            store.journal_close(9999, "finished")


def test_a_file_without_a_schema_is_given_ours(tmp_path: Path) -> None:
    db = tmp_path / "empty.sqlite3"
    sqlite3.connect(db).close()  # a SQLite file (user_version 0) with nothing in it yet
    with Store.open(db) as store:
        assert store.revision == HEAD
        store.add_consultation("p1", DAY, {}, {"profile": "A"}, [])


def test_a_file_of_another_program_is_refused_and_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "notes.sqlite3"  # user_version 0, tables that are not ours
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.execute("INSERT INTO notes VALUES ('x')")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(RecordsCorrupt, match="mist de tabel 'patients'") as info:
        Store.open(db)
    assert str(db) in str(info.value)
    assert db.read_bytes() == before


def test_a_version_1_file_gains_the_psk_activities_and_keeps_its_intakes(tmp_path: Path) -> None:
    db = tmp_path / "v1.sqlite3"
    legacy_file(db, 1)  # what an earlier version wrote
    first = legacy_intake(db, "p1", DAY, {}, {"profile": "B"}, [])
    with Store.open(db) as store:
        store.add_evaluation("p1", DAY, 6, (6, 6, 6))
        assert store.revision == HEAD
        intake = store.latest_consultation("p1")
        assert intake is not None and intake.id == first and intake.psk_activities == ()
        store.set_psk_activities(first, [" traplopen ", "auto  rijden", "lezen"])
        again = store.latest_consultation("p1")
        assert again is not None and again.psk_activities == ("traplopen", "auto rijden", "lezen")
        assert store.export("p1")["consultations"][0]["psk_activities"] == list(
            again.psk_activities)
        assert len(store.evaluations("p1")) == 1
    check = sqlite3.connect(db)
    try:
        assert check.execute("PRAGMA user_version").fetchone()[0] == len(REVISIONS)
    finally:
        check.close()


@pytest.mark.parametrize("names", [["a", "b"], ["a", "", "c"], ["a", "b", "x" * 61],
                                   ["a", "b", "c\x00"]])
def test_psk_activities_are_three_readable_names(tmp_path: Path, names: list[str]) -> None:
    with Store.open(tmp_path / "r.sqlite3") as store:
        intake = store.add_consultation("p1", DAY, {}, {"profile": "B"}, [])
        with pytest.raises(RecordsError, match="PSK"):
            store.set_psk_activities(intake, names)


def test_a_failing_migration_leaves_the_file_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "v3.sqlite3"
    legacy_file(db, 3)
    intake = legacy_intake(db, "p1", DAY, {}, {"profile": "B"}, ["F14"])
    set_user_version = migrations.set_user_version

    def failing(version: int) -> None:  # the last step fails after all its other statements
        set_user_version(version)
        if version == len(REVISIONS):
            op.execute("THIS IS NOT SQL")

    monkeypatch.setattr(migrations, "set_user_version", failing)
    with pytest.raises(RecordsError, match="geen bruikbaar"):
        Store.open(db)
    check = sqlite3.connect(db)
    try:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 3
        assert check.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (REVISIONS[2],)]
        tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master")}
        assert "access_log" not in tables
        columns = {r[1] for r in check.execute("PRAGMA table_info(consultations)")}
        assert "recorded_by" not in columns
    finally:
        check.close()
    monkeypatch.undo()
    with Store.open(db) as store:  # the next try (of a version whose step works) goes on
        assert store.revision == HEAD
        row = store.latest_consultation("p1")
        assert row is not None and row.id == intake and row.chosen_exercises == ("F14",)


@pytest.mark.parametrize("newer", ["user_version", "alembic_version"])
def test_a_newer_database_is_refused_and_left_alone(tmp_path: Path, newer: str) -> None:
    db = tmp_path / "new.sqlite3"
    if newer == "user_version":  # a version before Alembic's numbering, or after it
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA user_version = 9")
    else:
        legacy_file(db, 3)
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES ('r9999')")
        conn.execute("PRAGMA user_version = 9")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(RecordsError, match=r"nieuwere versie.*werk de assistent bij") as info:
        Store.open(db)
    assert str(db) in str(info.value)
    assert db.read_bytes() == before
    with pytest.raises(RecordsError, match="nieuwere versie"):
        Store._open_immutable(db)  # as a read-only folder is read


def test_a_corrupt_file_is_named_with_what_to_do(tmp_path: Path) -> None:
    db = tmp_path / "notes.txt"
    db.write_bytes(b"this is not a database at all, just some text " * 50)
    with pytest.raises(RecordsError, match="geen bruikbaar gegevensbestand") as info:
        Store.open(db)
    assert str(db) in str(info.value)
    assert "--db" in cli_text(info.value) and "--db" not in screen_text(info.value)


def test_an_unopenable_location_is_a_records_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RecordsError, match="kan de patiëntgegevens niet openen"):
        Store.open(blocker / "records.sqlite3")


def test_dates_are_stored_as_iso_days(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    add_intake(db, "p1", "A", date(2023, 12, 31))
    with Store.open(db) as store:
        raw = store._conn.exec_driver_sql("SELECT date FROM consultations").scalar()
    assert raw == "2023-12-31"
