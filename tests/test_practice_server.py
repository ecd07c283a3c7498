"""A practice's records on its own PostgreSQL server (issue 27), against a real server: the
private cluster of tests/pg_cluster.py. Setting it up, a role per therapist, who stored what,
the access log (NEN 7513) and who may read or erase it, one running intake per patient across
machines (the advisory lock), and the server lost mid-intake with no answer lost or doubled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from assistant.dialog.events import Answer
from assistant.errors import IntakeBusy, RecordsDenied
from assistant.intake.journal import IntakeJournal
from assistant.intake.records import IntakeRecords
from assistant.records import practice
from assistant.records.server import PracticeServer
from assistant.records.store import Store
from tests.in_process import one_line, run
from tests.intake_lines import PROFILE_B_LINES
from tests.intake_lines import PROFILE_B_TYPED as TYPED
from tests.pg_practice import PASSWORD, Practice, new_practice
from tests.records_fixtures import FINDINGS, INTAKE_DAY


def _answer(question: str, value: int) -> dict[str, Any]:
    """An answer event as the journal keeps it."""
    return Answer(question, None, value, "", heard=str(value)).to_json()


def _rows(p: Practice, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Rows read as the owner (around every grant)."""
    with Store.open(p.server()) as store:
        try:
            return [tuple(r) for r in store._conn.execute(text(sql), params)]
        finally:
            store._conn.rollback()


def test_init_is_idempotent_and_a_therapist_works_with_their_own_role(
        practice_db: Practice) -> None:
    assert practice.init(practice_db.server()) == "r0004"  # a second time: nothing changes
    with Store.open(practice_db.server(practice_db.therapist)) as store:
        assert store.user == practice_db.therapist and store.on_server
        intake = store.add_consultation("P-1", INTAKE_DAY, FINDINGS["B"], {"profile": "B"},
                                        ["F14"])
        store.add_evaluation("p-1", INTAKE_DAY, 4, (5, 5, 5))
        assert [c.id for c in store.consultations("P-1")] == [intake]
    who = _rows(practice_db, "SELECT recorded_by FROM consultations UNION ALL "
                             "SELECT recorded_by FROM evaluations")
    assert who == [(practice_db.therapist,), (practice_db.therapist,)]


def test_a_therapist_cannot_record_under_another_name_or_touch_the_log(
        practice_db: Practice) -> None:
    with Store.open(practice_db.server(practice_db.therapist)) as store:
        store.add_consultation("P-1", INTAKE_DAY, {}, {"profile": "A"}, [])
        conn = store._conn
        for sql in ("INSERT INTO consultations (patient, date, findings, result, "
                    "chosen_exercises, created, recorded_by) VALUES ('P-1', '2026-01-01', "
                    "'{}', '{}', '[]', 'x', 'iemand_anders')",
                    "INSERT INTO access_log (patient, action, who) VALUES ('P-1', 'read', 'x')",
                    "UPDATE access_log SET who = 'x'", "DELETE FROM access_log",
                    "SELECT * FROM access_log", "DELETE FROM consultations",
                    "TRUNCATE access_log", "DROP TABLE access_log"):
            with pytest.raises(Exception, match=r"permission denied|must be owner"):
                conn.exec_driver_sql(sql)
            conn.rollback()
        with pytest.raises(RecordsDenied, match="alleen de beheerder"):
            practice.read_log(store)
        with pytest.raises(RecordsDenied):
            store.erase_patient("P-1")
    # the log is append-only for the owner too (a trigger)
    with Store.open(practice_db.server()) as owner, pytest.raises(Exception, match="append-only"):
        owner._conn.exec_driver_sql("DELETE FROM access_log")
    assert _rows(practice_db, "SELECT count(*) FROM consultations") == [(1,)]


def test_every_access_is_logged_with_the_role_and_the_admin_reads_it(
        practice_db: Practice, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(practice_db.server(practice_db.therapist)) as store:
        store.add_consultation("P-1", INTAKE_DAY, FINDINGS["B"], {"profile": "B"}, ["F14"])
    code, _, err = run(["history", "--db", practice_db.url(practice_db.other), "--patient",
                        "p-1"], capsys, monkeypatch)
    assert code == 0, err
    code, _, err = run(["export", "--db", practice_db.url(practice_db.other), "--patient",
                        "P-1"], capsys, monkeypatch)
    assert code == 0, err
    code, out, err = run(["practice", "log", "--json", "--patient", "P-1", "--db",
                          practice_db.url(practice_db.admin)], capsys, monkeypatch)
    assert code == 0, err
    rows = [(r["who"], r["patient"], r["action"]) for r in json.loads(out)]
    assert (practice_db.therapist, "P-1", "intake") in rows
    assert (practice_db.other, "P-1", "read") in rows
    assert (practice_db.other, "P-1", "export") in rows
    code, _, err = run(["practice", "log", "--db", practice_db.url(practice_db.therapist)],
                       capsys, monkeypatch)
    assert code == 2 and "alleen de beheerder" in one_line(err)
    assert PASSWORD not in err


def test_forget_needs_the_admin_role(practice_db: Practice, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(practice_db.server(practice_db.therapist)) as store:
        store.add_consultation("P-9", INTAKE_DAY, {}, {"profile": "A"}, [])
    code, _, err = run(["forget", "--yes", "--patient", "P-9", "--db",
                        practice_db.url(practice_db.therapist)], capsys, monkeypatch)
    assert code == 2 and "alleen de beheerder" in one_line(err)
    assert _rows(practice_db, "SELECT count(*) FROM patients") == [(1,)]
    code, out, err = run(["forget", "--yes", "--patient", "p-9", "--db",
                          practice_db.url(practice_db.admin)], capsys, monkeypatch)
    assert code == 0, err
    assert "Gewist: patiënt p-9 met 1 intake" in out and "toegangslog" in out
    assert _rows(practice_db, "SELECT count(*) FROM patients") == [(0,)]
    logged = _rows(practice_db, "SELECT who, action FROM access_log WHERE patient = 'P-9' "
                                "ORDER BY id")
    assert logged[-1] == (practice_db.admin, "forget") and len(logged) >= 2


def test_one_running_intake_per_patient_across_machines(practice_db: Practice) -> None:
    first = IntakeRecords.open(practice_db.server(practice_db.therapist), "P-5", INTAKE_DAY,
                               resume=False)
    try:
        # another process: another machine for the server
        code = ("import sys; from datetime import date; from assistant.errors import IntakeBusy;"
                "from assistant.intake.records import IntakeRecords;"
                "from assistant.records.server import PracticeServer\n"
                "try:\n IntakeRecords.open(PracticeServer.parse(sys.argv[1]), 'p-5', "
                "date(2026, 1, 5), resume=False)\nexcept IntakeBusy as e:\n print(e.code)")
        other = subprocess.run([sys.executable, "-c", code, practice_db.url(practice_db.other)],
                               capture_output=True, text=True, timeout=60, check=True)
        assert other.stdout.strip() == "intake-busy", other.stderr
        with pytest.raises(IntakeBusy, match=f"bij {practice_db.therapist}.*andere computer"):
            IntakeRecords.open(practice_db.server(practice_db.other), "P-5", INTAKE_DAY,
                               resume=False)
        IntakeRecords.open(practice_db.server(practice_db.other), "P-6", INTAKE_DAY,
                           resume=False).close()  # another patient: not held
    finally:
        first.close()
    IntakeRecords.open(practice_db.server(practice_db.other), "P-5", INTAKE_DAY,
                       resume=False).close()  # let go: the next one starts


def test_the_second_therapist_continues_the_first_ones_intake(
        practice_db: Practice, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    half = "".join(f"{line}\n" for line in PROFILE_B_LINES[:5])
    code, _, err = run(["intake", "--text", "--mute", "--patient", "P-7", "--db",
                        practice_db.url(practice_db.therapist)], capsys, monkeypatch, half)
    assert code == 1, err  # the input ended: stopped with the answers kept
    code, out, err = run(["intake", "--text", "--mute", "--patient", "P-7", "--yes", "--db",
                          practice_db.url(practice_db.other)], capsys, monkeypatch,
                         "".join(f"{line}\n" for line in PROFILE_B_LINES[5:]))
    assert code == 0, err
    assert "hervat" in out
    assert _rows(practice_db, "SELECT recorded_by FROM consultations") == [(practice_db.other,)]


def test_the_server_lost_mid_intake_loses_and_doubles_no_answer(
        practice_db: Practice, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = practice_db.cluster
    appended = IntakeJournal._append
    calls = {"n": 0}

    def kill_at_the_sixth(self: IntakeJournal, event: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 6:
            cluster.kill()
        appended(self, event)

    monkeypatch.setattr(IntakeJournal, "_append", kill_at_the_sixth)
    url = practice_db.url(practice_db.therapist)
    try:
        code, _, err = run(["intake", "--text", "--mute", "--patient", "P-8", "--db", url],
                           capsys, monkeypatch, TYPED)
        line = one_line(err)
        assert code == 2 and "niet bereikbaar" in line, line
        assert "ga verder met 'assistant intake --patient P-8 --db postgresql://" in line
        assert PASSWORD not in line
    finally:
        cluster.start()
    monkeypatch.setattr(IntakeJournal, "_append", appended)
    stored = _rows(practice_db, "SELECT count(*) FROM journal_entries")[0][0]
    assert stored == 5  # the sixth answer waits on this computer
    code, _, err = run(["intake", "--text", "--mute", "--patient", "P-8", "--yes", "--db",
                        url], capsys, monkeypatch, "".join(
                              f"{line}\n" for line in PROFILE_B_LINES[6:]))
    assert code == 0, err
    assert _rows(practice_db, "SELECT count(*) FROM consultations") == [(1,)]
    with Store.open(practice_db.server(practice_db.therapist)) as store:
        [intake] = store.consultations("P-8")
    assert intake.result["profile"] == "B"


def test_an_answer_the_server_stored_but_did_not_confirm_is_not_doubled(
        practice_db: Practice, tmp_path: Path) -> None:
    from assistant.intake.pending import PendingAnswers

    with Store.open(practice_db.server(practice_db.therapist)) as store:
        journal = store.journal_open("P-3", INTAKE_DAY)
        store.journal_append(journal, _answer("a", 1))
        store.journal_append(journal, _answer("b", 2))
        assert store.identity.endswith(f"/{practice_db.database}") and store.identity[0].isdigit()
        pending = PendingAnswers(tmp_path / "wachtrij", store.identity)
        pending.keep(journal, 2, _answer("b", 2))  # reply lost
        pending.keep(journal, 3, _answer("c", 3))
        assert pending.send(store, journal) == 1
        assert [e["question"] for e in store.journal_entries(journal)] == ["a", "b", "c"]
        assert pending.kept(journal) == [] and pending.send(store, journal) == 0


def test_kept_answers_that_no_longer_fit_are_set_aside_never_sent(
        practice_db: Practice, tmp_path: Path) -> None:
    from assistant.errors import PendingConflict
    from assistant.intake.pending import PendingAnswers

    with Store.open(practice_db.server(practice_db.therapist)) as store:
        journal = store.journal_open("P-3", INTAKE_DAY)
        store.journal_append(journal, _answer("a", 1))
        pending = PendingAnswers(tmp_path / "wachtrij", store.identity)
        pending.keep(journal, 2, _answer("b", 2))
        # meanwhile a colleague went on from another computer: place 2 is taken
        store.journal_append(journal, _answer("b", 5))
        with pytest.raises(PendingConflict, match="apart"):
            pending.send(store, journal)
        assert [e["value"] for e in store.journal_entries(journal)] == [1, 5]
        assert pending.kept(journal) == [] and list((tmp_path / "wachtrij").glob("*.apart"))
        for damaged in ('{"seq": 3, "payload": {"ev', '[1, 2]', '{"seq": 0, "payload": {}}',
                        '{"seq": 3, "payload": {"bogus": 1}}',
                        '{"seq": 3, "payload": {"event": "stored", "consultation": 1}}'):
            pending.keep(journal, 3, _answer("c", 3))
            path = next((tmp_path / "wachtrij").glob("*.jsonl"))
            path.write_text(damaged + "\n", encoding="utf-8")
            with pytest.raises(PendingConflict, match="beschadigd"):
                pending.send(store, journal)
        assert [e["value"] for e in store.journal_entries(journal)] == [1, 5]


def test_set_role_does_not_hide_who_and_an_open_journal_keeps_its_answers(
        practice_db: Practice) -> None:
    with Store.open(practice_db.server(practice_db.other)) as store:
        journal = store.journal_open("P-2", INTAKE_DAY)
        store.journal_append(journal, _answer("a", 1))
    with Store.open(practice_db.server(practice_db.therapist)) as store:
        conn = store._conn
        conn.exec_driver_sql(f"SET ROLE {practice_db.database}_therapists")
        conn.exec_driver_sql("INSERT INTO access_log (patient, action) VALUES ('P-2', 'read')")
        with pytest.raises(Exception, match="kept"):
            conn.exec_driver_sql(f"DELETE FROM journal_entries WHERE journal = {journal}")
        conn.rollback()
        conn.exec_driver_sql(f"SET ROLE {practice_db.database}_therapists")
        conn.exec_driver_sql("INSERT INTO access_log (patient, action) VALUES ('P-2', 'read')")
        conn.exec_driver_sql(f"UPDATE journal SET status = 'finished' WHERE id = {journal}")
        conn.commit()
        for junk in ("('P-2', 'bogus')", "('', 'read')"):
            with pytest.raises(Exception, match="check constraint"):
                conn.exec_driver_sql(f"INSERT INTO access_log (patient, action) VALUES {junk}")
            conn.rollback()
    rows = _rows(practice_db, "SELECT who, action FROM access_log WHERE patient = 'P-2' "
                              "ORDER BY id")
    assert rows[-2:] == [(practice_db.therapist, "read"), (practice_db.therapist, "journal")]
    assert all(who != f"{practice_db.database}_therapists" for who, _ in rows)


def test_a_practice_s_therapists_cannot_enter_another_practice_on_the_same_server(
        practice_db: Practice, pg_cluster: Any) -> None:
    other = new_practice(pg_cluster)
    with pytest.raises(RecordsDenied):
        Store.open(PracticeServer.parse(other.url(practice_db.therapist)))
    with Store.open(other.server(other.therapist)) as store:
        assert store.patients() == []


def test_wrong_password_tls_and_addresses_are_one_dutch_line(
        practice_db: Practice, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    cases = {
        practice_db.url(practice_db.therapist, password="fout-wachtwoord"): "klopt niet",
        practice_db.url(practice_db.therapist).replace(practice_db.database, "bestaat_niet"):
            "bestaat niet",
        practice_db.url(practice_db.therapist) + "?sslmode=require": "TLS",
        "postgresql://anna@db.praktijk.example/nekpijn?sslmode=disable": "onversleuteld",
        "postgresql://anna@/": "geen database",
        "postgresql://anna@localhost:5/n?hostaddr=192.0.2.2&sslmode=disable": "onversleuteld",
        "postgresql://anna@localhost/n?host=localhost&host=192.0.2.2&sslmode=disable":
            "onversleuteld",
        "postgresql://anna@localhost/n?sslmode=require&sslmode=disable&host=192.0.2.9":
            "onversleuteld",
        "postgresql://anna@localhost/n?service=praktijk&sslmode=disable": "onversleuteld",
        "postgresql://anna@localhost/n?sslmode=disable&hostaddr=localhost,192.0.2.3":
            "onversleuteld",
        practice_db.url(practice_db.therapist, password=None) + "?password=fout-wachtwoord":
            "klopt niet",
    }
    for url, words in cases.items():
        try:
            code, _, err = run(["history", "--patient", "P-1", "--db", url], capsys,
                               monkeypatch)
        except SystemExit as exc:  # refused by the option's own check
            code, err = int(str(exc.code)), capsys.readouterr().err
        line = one_line(err)
        assert code == 2 and words in line, (url, line)
        assert "fout-wachtwoord" not in line and PASSWORD not in line


@pytest.mark.sqlite_file  # `practice init` refused on the SQLite file ASSISTANT_DB names
def test_practice_commands_on_a_file_and_add_therapist(
        practice_db: Practice, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run(["practice", "init"], capsys, monkeypatch)
    assert code == 2 and "alleen voor een praktijkserver" in one_line(err)
    code, out, err = run(["practice", "add-therapist", "cees_de_vries", "--db",
                          practice_db.url()], capsys, monkeypatch)
    assert code == 0, err
    made = out.split("geef het alleen aan cees_de_vries): ")[1].split()[0]
    server = practice_db.server().with_role("cees_de_vries", made)
    with Store.open(server) as store:
        assert store.user == "cees_de_vries"
    code, _, err = run(["practice", "add-therapist", "cees_de_vries", "--db",
                        practice_db.url()], capsys, monkeypatch)
    assert code == 2 and "bestaat al" in one_line(err)
    for bad in ("Cees", "1anna", "a-b"):
        code, _, err = run(["practice", "add-therapist", bad, "--db", practice_db.url()],
                           capsys, monkeypatch)
        assert code == 2 and "ongeldige naam" in one_line(err), bad
    for reserved in ("nekpijn_admins", "pg_x", "public", "current_user", "all"):
        code, _, err = run(["practice", "add-therapist", reserved, "--db", practice_db.url()],
                           capsys, monkeypatch)
        assert code == 2 and "gereserveerde naam" in one_line(err), reserved
    code, _, err = run(["practice", "add-therapist", "dirk", "--password-stdin", "--db",
                        practice_db.url()], capsys, monkeypatch, "kort\n")
    assert code == 2 and "te kort" in one_line(err)


@pytest.mark.sqlite_file  # the access log of a SQLite file (missing at first), its OS user
def test_a_sqlite_file_logs_each_access_as_the_os_user(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(["practice", "log"], capsys, monkeypatch)
    assert code == 2 and "nog geen patiëntgegevens" in one_line(err)
    with Store.open(Path(os.environ["ASSISTANT_DB"])) as store:
        store.add_consultation("P-1", INTAKE_DAY, {}, {"profile": "A"}, [])
        user = store.user
    code, _, err = run(["history", "--patient", "P-1"], capsys, monkeypatch)
    assert code == 0, err
    code, out, err = run(["practice", "log", "--patient", "p-1", "--since",
                          date.today().isoformat()], capsys, monkeypatch)
    assert code == 0, err
    assert f"{user}" in out and "intake vastgelegd" in out and "gelezen" in out


def test_the_documented_set_up_with_an_owner_who_is_no_superuser(
        pg_cluster: Any, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """README "De praktijkserver": the owner has CREATEROLE and owns the database, no more."""
    import psycopg

    with psycopg.connect(pg_cluster.url().replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE eigenaar_doc LOGIN CREATEROLE PASSWORD '{PASSWORD}'")
        conn.execute("CREATE DATABASE nekpijn_doc OWNER eigenaar_doc")
    owner = pg_cluster.url(user="eigenaar_doc", password=PASSWORD, database="nekpijn_doc")
    code, out, err = run(["practice", "init", "--db", owner], capsys, monkeypatch)
    assert code == 0 and "ingericht (schema r0004)" in out, err
    code, out, err = run(["practice", "add-therapist", "els_doc", "--password-stdin", "--db",
                          owner], capsys, monkeypatch, f"{PASSWORD}\n")
    assert code == 0 and "Wachtwoord" not in out, err
    assert "--db postgresql://els_doc@127.0.0.1:" in out and PASSWORD not in out
    els = pg_cluster.url(user="els_doc", password=PASSWORD, database="nekpijn_doc")
    code, _, err = run(["intake", "--text", "--mute", "--patient", "P-1", "--db", els],
                       capsys, monkeypatch, TYPED)
    assert code == 0, err
    code, out, err = run(["history", "--patient", "P-1", "--db", els], capsys, monkeypatch)
    assert code == 0 and "graad II" in out and "Gekozen oefeningen" in out, err
    code, _, err = run(["practice", "init", "--db", owner], capsys, monkeypatch)
    assert code == 0, err  # again, after an update: nothing lost
    code, again, err = run(["history", "--patient", "P-1", "--db", els], capsys, monkeypatch)
    assert code == 0 and again == out, err


def test_a_mistyped_address_is_refused_and_reading_makes_no_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for address in ("postgresl://anna@127.0.0.1:5432/nekpijn", "mysql://anna@db/nekpijn"):
        with pytest.raises(SystemExit) as exited:
            run(["history", "--patient", "P-1", "--db", address], capsys, monkeypatch)
        assert exited.value.code == 2
        assert "onbekend soort adres" in one_line(capsys.readouterr().err)
    code, _, err = run(["history", "--patient", "P-1", "--db", "nergens/map/r.sqlite3"],
                       capsys, monkeypatch)
    assert code == 2 and "bestaat niet" in one_line(err)
    assert list(tmp_path.iterdir()) == []  # no file, no folder


def test_the_practice_s_errors_say_what_to_do(
        practice_db: Practice, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    no_password = practice_db.url(practice_db.therapist, password=None)
    code, _, err = run(["history", "--patient", "P-1", "--db", no_password], capsys,
                       monkeypatch)
    assert code == 2 and "geen wachtwoord gevonden" in one_line(err) and ".pgpass" in err
    code, _, err = run(["practice", "add-therapist", "dora", "--db",
                        practice_db.url(practice_db.admin)], capsys, monkeypatch)
    assert code == 2 and "alleen de eigenaar" in one_line(err)
    code, _, err = run(["practice", "init", "--db", practice_db.url(practice_db.admin)],
                       capsys, monkeypatch)
    assert code == 2 and "alleen de eigenaar" in one_line(err)
    import psycopg

    with psycopg.connect(practice_db.cluster.url().replace("+psycopg", ""),
                         autocommit=True) as conn:
        conn.execute("CREATE DATABASE vreemd")
    with psycopg.connect(practice_db.cluster.url(database="vreemd").replace("+psycopg", ""),
                         autocommit=True) as conn:
        conn.execute("CREATE TABLE patients (naam text)")
    code, _, err = run(["practice", "init", "--db", practice_db.cluster.url(database="vreemd")],
                       capsys, monkeypatch)
    assert code == 2 and "niet van de assistent" in one_line(err)


def test_two_inits_at_once_wait_for_each_other(pg_cluster: Any) -> None:
    pg_cluster.create_database("samen")
    url = pg_cluster.url(database="samen")
    code = ("import sys; from assistant.records import practice; "
            "from assistant.records.server import PracticeServer; "
            "print(practice.init(PracticeServer.parse(sys.argv[1])))")
    runs = [subprocess.Popen([sys.executable, "-c", code, url], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outs
    assert [o.strip() for o, _ in outs] == ["r0004", "r0004"]


def test_history_names_an_unfinished_intake_and_what_a_colleague_must_know(
        practice_db: Practice, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.protocol import classify, load_protocol, parse_findings

    anna = practice_db.url(practice_db.therapist)
    half = "".join(f"{line}\n" for line in PROFILE_B_LINES[:4])
    code, _, err = run(["intake", "--text", "--mute", "--patient", "P-11", "--db", anna],
                       capsys, monkeypatch, half)
    assert code == 1, err
    code, _, err = run(["history", "--patient", "P-11", "--db",
                        practice_db.url(practice_db.other)], capsys, monkeypatch)
    line = one_line(err)
    assert code == 2 and "is nog niet af" in line and "intake --patient P-11" in line
    findings = parse_findings({**FINDINGS["B"], "precautions": ["osteoporosis"]})
    result = classify(findings, load_protocol()).to_json()
    with Store.open(practice_db.server(practice_db.therapist)) as store:
        store.add_consultation("P-12", INTAKE_DAY, findings.to_json(), result, ["F14"])
    code, out, err = run(["history", "--patient", "P-12", "--db",
                          practice_db.url(practice_db.other)], capsys, monkeypatch)
    assert code == 0 and "Voorzorgen: botontkalking" in out and "Afgeraden:" in out, err


def test_pghostaddr_counts_as_a_host_and_forget_takes_the_kept_answers(
        practice_db: Practice, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGHOSTADDR", "192.0.2.2")
    with pytest.raises(SystemExit):
        run(["history", "--patient", "P-1", "--db",
             "postgresql://anna@localhost:5/n?sslmode=disable"], capsys, monkeypatch)
    assert "onversleuteld" in one_line(capsys.readouterr().err)
    assert PracticeServer.parse("postgresql://anna@localhost/n").option("sslmode") == "require"
    monkeypatch.delenv("PGHOSTADDR")
    from assistant.intake.records import pending_answers

    with Store.open(practice_db.server(practice_db.therapist)) as store:
        journal = store.journal_open("P-13", INTAKE_DAY)
        store.journal_append(journal, _answer("a", 1))
        kept = pending_answers(store)
        assert kept is not None
        kept.keep(journal, 2, _answer("b", 2))
    code, _, err = run(["forget", "--yes", "--patient", "P-13", "--db",
                        practice_db.url(practice_db.admin)], capsys, monkeypatch)
    assert code == 0, err
    assert kept.kept(journal) == [] and not list(kept.folder.glob("*.apart"))
