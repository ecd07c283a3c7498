"""The records store's contract on both engines: the same calls give the same answers on a
SQLite file and on a practice's PostgreSQL server (the private cluster of tests/pg_cluster.py,
as a therapist's role). SQLite's own faults (locks, a full disk, a damaged file) are in
test_records_store.py and test_faults_*.py; the server's own (roles, the log's rights, the
server lost) in test_practice_server.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from assistant.errors import RecordsCorrupt, RecordsError
from assistant.records import practice
from assistant.records.store import Store
from tests.records_fixtures import FINDINGS, INTAKE_DAY

LATER = INTAKE_DAY + timedelta(days=14)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """(store, owner): the store a therapist works with, and one that may write anything (to
    damage a row as a hand edit would): on SQLite the same file twice."""
    if request.param == "sqlite":
        where = tmp_path / "records.sqlite3"
        with Store.open(where) as store, Store.open(where) as owner:
            yield store, owner
        return
    practice_db = request.getfixturevalue("practice_db")
    with Store.open(practice_db.server(practice_db.therapist)) as store, \
            Store.open(practice_db.server()) as owner:
        yield store, owner


def _intake(store: Store, patient: str, day: date = INTAKE_DAY, profile: str = "B") -> int:
    return store.add_consultation(patient, day, FINDINGS[profile], {"profile": profile},
                                  ["F14"], exercise_frequencies={"F14": "elke avond"})


def test_patients_compare_case_insensitively_and_keep_their_first_spelling(
        engine: tuple[Store, Store]) -> None:
    store, _ = engine
    _intake(store, "P-0001")
    _intake(store, "p-0001", LATER)
    assert store.patients() == ["P-0001"]
    assert store.has_patient("p-0001") and not store.has_patient("P-0002")
    rows = store.consultations("p-0001")
    assert [r.patient for r in rows] == ["P-0001", "P-0001"]
    assert [r.date for r in rows] == [INTAKE_DAY, LATER]
    assert rows[0].exercise_frequencies == {"F14": "elke avond"}
    assert rows[0].findings == FINDINGS["B"] and rows[0].chosen_exercises == ("F14",)


def test_measurements_belong_to_an_intake_and_not_before_it(engine: tuple[Store, Store]) -> None:
    store, _ = engine
    with pytest.raises(RecordsError, match="nog geen intake"):
        store.add_evaluation("P-1", INTAKE_DAY, 5, (5, 5, 5))
    first = _intake(store, "P-1")
    store.set_psk_activities(first, ["traplopen", "autorijden", "lezen"])
    store.add_evaluation("P-1", LATER, 3, (4, 4, 4), neuro_worse=True)
    store.add_evaluation("p-1", INTAKE_DAY, 6, (6, 6, 6))
    with pytest.raises(RecordsError, match="ligt voor de intake"):
        store.add_evaluation("P-1", INTAKE_DAY - timedelta(days=1), 5, (5, 5, 5))
    with pytest.raises(RecordsError, match="0 tot en met 10"):
        store.add_evaluation("P-1", LATER, 11, (5, 5, 5))
    rows = store.evaluations("P-1")
    assert [(r.date, r.nprs, r.neuro_worse) for r in rows] == [
        (INTAKE_DAY, 6, False), (LATER, 3, True)]
    assert store.latest_consultation("P-1") is not None
    assert store.consultations("P-1")[0].psk_activities == ("traplopen", "autorijden", "lezen")


def test_the_journal_keeps_answers_until_the_intake_is_stored_once(
        engine: tuple[Store, Store]) -> None:
    store, _ = engine
    journal = store.journal_open("P-2", INTAKE_DAY)
    assert store.journal_find_open("P-2") is None  # empty: passed over
    for n in range(3):
        store.journal_append(journal, {"event": "answer", "question": f"q{n}", "value": n})
    found = store.journal_find_open("p-2")
    assert found is not None and found.id == journal and found.patient == "P-2"
    assert store.journal_patients() == ["P-2"]
    assert [e["question"] for e in store.journal_entries(journal)] == ["q0", "q1", "q2"]
    stored = store.finish_intake(journal, "P-2", INTAKE_DAY, FINDINGS["B"], {"profile": "B"},
                                 ["F14"])
    assert stored is not None
    assert store.journal_stored_entry(journal) == {"event": "stored", "consultation": stored}
    with pytest.raises(RecordsError, match="al opgeslagen"):
        store.finish_intake(journal, "P-2", INTAKE_DAY, {}, {"profile": "B"}, [])
    with pytest.raises(RecordsError, match="al opgeslagen"):
        store.journal_append(journal, {"event": "answer", "question": "x", "value": 1})
    store.journal_close(journal, "finished")
    assert store.journal_entries(journal) == [] and store.journal_find_open("P-2") is None
    assert len(store.consultations("P-2")) == 1
    anonymous = store.journal_open(None, INTAKE_DAY)
    store.journal_append(anonymous, {"event": "answer", "question": "q", "value": 1})
    assert store.journal_find_open(None) is not None
    store.journal_set_aside(anonymous)
    assert store.journal_find_open(None) is None
    assert len(store.journal_entries(anonymous)) == 1  # set aside, not erased


def test_a_damaged_row_is_named_or_passed_over(engine: tuple[Store, Store]) -> None:
    store, owner = engine
    good = _intake(store, "P-3")
    bad = _intake(store, "P-3", LATER)
    owner._conn.execute(text("UPDATE consultations SET result = :r WHERE id = :i"),
                        {"r": '{"profile": "Z"}', "i": bad})
    owner._conn.commit()
    with pytest.raises(RecordsCorrupt, match="behandelprofiel") as raised:
        store.consultations("P-3")
    assert raised.value.table == "consultations" and raised.value.row == bad
    assert [c.id for c in store.consultations("P-3", skip_damaged=True)] == [good]
    exported = store.export("P-3")
    assert [c["id"] for c in exported["consultations"]] == [good]
    assert exported["damaged"][0]["id"] == bad


def test_forget_erases_every_row_and_logs_it(engine: tuple[Store, Store]) -> None:
    store, owner = engine
    _intake(store, "P-4")
    store.add_evaluation("P-4", LATER, 3, (3, 3, 3))
    journal = store.journal_open("P-4", LATER)
    store.journal_append(journal, {"event": "answer", "question": "q", "value": 1})
    _intake(store, "P-5")
    erased = owner.erase_patient("p-4")  # on the server only the admin (owner) may
    assert (erased.intakes, erased.measurements, erased.journals, erased.found) == (
        1, 1, (journal,), True)
    assert store.patients() == ["P-5"] and store.evaluations("P-4") == []
    assert not owner.erase_patient("P-4").found
    log = [(r.patient, r.action) for r in practice.read_log(owner, patient="P-4")]
    assert ("P-4", "intake") in log and ("P-4", "journal") in log and log[-1] == (
        "P-4", "forget")


def test_the_access_log_has_one_row_per_action_and_patient_while_open(
        engine: tuple[Store, Store]) -> None:
    store, owner = engine
    _intake(store, "P-6")
    for _ in range(3):
        store.consultations("P-6")
    store.evaluations("P-6")
    store.export("P-6")
    rows = practice.read_log(owner, patient="p-6", since=INTAKE_DAY)
    assert [(r.who, r.action) for r in rows] == [
        (store.user, "intake"), (store.user, "read"), (store.user, "export")]
    assert all(r.at[:4].isdigit() and r.at.endswith("+00:00") for r in rows)
    assert practice.read_log(owner, patient="P-6", since=date(2999, 1, 1)) == []


def _fail_the_next_commit(store: Store, owner: Store) -> None:
    """Every journal opened from now on fails at COMMIT (a deferred foreign key stands in for a
    failure at commit: a full disk, a lost server), as the owner arranges it."""
    if store.on_server:
        owner._conn.exec_driver_sql(
            "CREATE TABLE y (id integer PRIMARY KEY); CREATE TABLE x (a integer REFERENCES y(id)"
            f" DEFERRABLE INITIALLY DEFERRED); GRANT INSERT ON x TO {store.database}_therapists;"
            "CREATE FUNCTION fail() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$"
            " BEGIN INSERT INTO x VALUES (42); RETURN NEW; END $$;"
            "CREATE TRIGGER fail AFTER INSERT ON journal FOR EACH ROW EXECUTE FUNCTION fail()")
    else:
        owner._conn.exec_driver_sql("CREATE TABLE y (id INTEGER PRIMARY KEY)")
        owner._conn.exec_driver_sql("CREATE TABLE x (a INTEGER REFERENCES y(id) DEFERRABLE "
                                    "INITIALLY DEFERRED)")
        owner._conn.exec_driver_sql("CREATE TRIGGER fail AFTER INSERT ON journal BEGIN "
                                    "INSERT INTO x VALUES (42); END")
    owner._conn.commit()


def test_a_failed_commit_leaves_the_store_usable_and_the_access_logged(
        engine: tuple[Store, Store]) -> None:
    store, owner = engine
    _intake(store, "P-7")
    _fail_the_next_commit(store, owner)
    with pytest.raises(RecordsError):
        store.journal_open("P-7", INTAKE_DAY)
    assert store.patients() == ["P-7"]  # neither a dead connection nor a held write lock
    owner._conn.exec_driver_sql("DROP TRIGGER fail" + (" ON journal" if store.on_server else ""))
    owner._conn.commit()
    journal = store.journal_open("P-7", INTAKE_DAY)
    assert store.journal_find_open("P-7") is None and journal > 0
    actions = [r.action for r in practice.read_log(owner, patient="P-7")]
    assert actions.count("journal") == 1  # the retry is logged: the failed one left no row
