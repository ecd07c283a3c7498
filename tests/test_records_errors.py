"""A records file that is damaged, locked or in a read-only folder, and patient ids that are no
ids: one line and exit 2, found before the first question; readable data stays readable."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import RecordsCorrupt, RecordsError
from assistant.records.store import Store
from tests.in_process import one_line, run
from tests.records_fixtures import GRADE_III_FILE, add_intake, locked, records

QUESTION = "alarmsignalen"  # in the first words an intake says




def damage_all_but_the_header_page(db: Path) -> None:
    """Keep page 1 (the header and the schema) and overwrite every other page."""
    data = bytearray(db.read_bytes())
    noise = random.Random(7)
    data[4096:] = bytes(noise.randrange(256) for _ in range(len(data) - 4096))
    db.write_bytes(bytes(data))


def test_a_damaged_file_with_an_intact_header_is_found_before_the_first_question(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "r.sqlite3"
    add_intake(db, "P-1", "B")
    damage_all_but_the_header_page(db)
    code, out, err = run(["intake", "--text", "--mute", "--patient", "P-1", "--db", str(db)],
                         capsys, monkeypatch, "nee\n" * 30)
    assert code == 2 and QUESTION not in out
    assert str(db) in one_line(err) and "zet het opzij" in err
    for command in (["history"], ["export"], ["exercises", "--list"]):
        code, _, err = run([*command, "--patient", "P-1", "--db", str(db)], capsys, monkeypatch)
        assert code == 2 and str(db) in one_line(err)


@pytest.mark.parametrize("table", ["journal_entries", "consultations"])
def test_a_dropped_table_is_named(tmp_path: Path, table: str,
                                  capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "r.sqlite3"
    add_intake(db, "P-1", "B")
    with Store.open(db) as store:
        store._conn.exec_driver_sql(f"DROP TABLE {table}")
        store._conn.commit()
    for argv in (["intake", "--text", "--mute", "--patient", "P-2"], ["history", "--patient",
                                                                      "P-1"]):
        code, out, err = run([*argv, "--db", str(db)], capsys, monkeypatch, "nee\n")
        assert code == 2 and QUESTION not in out
        assert f"mist de tabel '{table}'" in one_line(err)


@pytest.mark.parametrize("readers_too", [False, True])
def test_a_file_locked_by_another_program_is_one_line_before_the_first_question(
        tmp_path: Path, readers_too: bool, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "r.sqlite3"
    add_intake(db, "P-1", "B")
    with locked(db, readers_too=readers_too):
        code, out, err = run(["intake", "--text", "--mute", "--patient", "P-2", "--db",
                              str(db)], capsys, monkeypatch, "nee\n" * 30)
        assert code == 2 and QUESTION not in out
        assert "in gebruik door een ander programma" in one_line(err) and str(db) in err
        code, out, err = run(["followup", "--patient", "P-1", "--nprs", "3", "--psk", "3,3,3",
                              "--db", str(db)], capsys, monkeypatch)
        assert code == 2 and "in gebruik" in one_line(err)
        code, out, err = run(["history", "--patient", "P-1", "--db", str(db)], capsys,
                             monkeypatch)
        if readers_too:
            assert code == 2 and "in gebruik" in one_line(err)
        else:  # reading goes on while another program writes
            assert code == 0 and "P-1" in out


def in_read_only_folder(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run the assistant while `folder` cannot be written: a read-only bind mount in a private
    mount namespace as root (root writes through any permission bits), else mode 0555."""
    command = [sys.executable, "-m", "assistant", *argv]
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=60,
                                  check=False, stdin=subprocess.DEVNULL)
        finally:
            folder.chmod(0o755)
    if shutil.which("unshare") is None:
        pytest.skip("unshare is needed to make a folder read-only for root")
    script = ('mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" || exit 99; '
              'touch "$0/probe" 2>/dev/null && exit 98; exec "$@"')
    done = subprocess.run(["unshare", "-m", "sh", "-c", script, str(folder), *command],
                          capture_output=True, text=True, timeout=60, check=False,
                          stdin=subprocess.DEVNULL)
    if done.returncode in (98, 99):
        pytest.skip(f"cannot mount {folder} read-only here: {done.stderr.strip()}")
    return done


def test_a_valid_file_in_a_read_only_folder_is_read_and_writing_says_why_not(
        tmp_path: Path) -> None:
    folder = tmp_path / "readonly"
    folder.mkdir()
    db = folder / "records.sqlite3"
    add_intake(db, "P-1", "B")
    assert not Path(f"{db}-wal").exists()  # a cleanly closed file: SQLite needs to make one
    history = in_read_only_folder(folder, "history", "--patient", "P-1", "--db", str(db))
    assert history.returncode == 0, history.stderr
    assert "Patiënt P-1" in history.stdout and history.stderr == ""
    exported = in_read_only_folder(folder, "export", "--patient", "p-1", "--db", str(db))
    assert exported.returncode == 0 and json.loads(exported.stdout)["patient"] == "P-1"
    listed = in_read_only_folder(folder, "exercises", "--patient", "P-1", "--list", "--db",
                                 str(db))
    assert listed.returncode == 0 and "F1 " in listed.stdout
    for argv in (["intake", "--text", "--mute", "--patient", "P-2"],
                 ["followup", "--patient", "P-1", "--nprs", "3", "--psk", "3,3,3"]):
        done = in_read_only_folder(folder, *argv, "--db", str(db))
        assert done.returncode == 2 and QUESTION not in done.stdout
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert f"de map {folder} is alleen-lezen" in done.stderr, done.stderr


@pytest.mark.parametrize("patient", [".", "..", "-"])
@pytest.mark.parametrize("command", [["intake", "--text", "--mute"], ["history"], ["export"],
                                     ["exercises", "--list"],
                                     ["followup", "--nprs", "1", "--psk", "1,1,1"]])
def test_dots_are_no_patient_ids(patient: str, command: list[str],
                                 capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run([*command, "--patient", patient], capsys, monkeypatch, "nee\n")
    assert code == 2 and QUESTION not in out
    assert "ongeldige patiënt-id" in one_line(err)


def test_patient_ids_compare_case_insensitively_on_the_command_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    findings = tmp_path / "f.json"
    findings.write_text(json.dumps({"red_flags": [], "precautions": [], "trauma_related": False,
                                    "neurological_signs": True, "work_related": False,
                                    **GRADE_III_FILE}), encoding="utf-8")
    code, out, _ = run(["intake", "--answers", str(findings), "--mute", "--patient", "P-0001",
                        "--exercises", "F14"], capsys, monkeypatch)
    assert code == 0 and "Opgeslagen bij patiënt P-0001" in out
    code, out, err = run(["followup", "--patient", "p-0001", "--nprs", "4", "--psk", "4,4,4",
                          "--json"], capsys, monkeypatch)
    assert code == 0, err
    assert json.loads(out)["patient"] == "P-0001"
    code, out, _ = run(["history", "--patient", "p-0001", "--json"], capsys, monkeypatch)
    history = json.loads(out)
    assert history["patient"] == "P-0001" and len(history["evaluations"]) == 1
    code, out, _ = run(["exercises", "--patient", "p-0001", "--list"], capsys, monkeypatch)
    assert code == 0 and out.startswith("F14 ")
    with Store.open(records()) as store:
        assert store.patients() == ["P-0001"]


@pytest.mark.parametrize(("profile", "measurements", "said"), [
    ("D", [("2024-03-11", "5", "5,5,5", False), ("2024-03-18", "6", "6,5,5", True)],
     "is bij de meting van 2024-03-18 terugverwezen naar de huisarts"),
    ("B", [("2024-03-04", "6", "6,6,6", False), ("2024-04-22", "6", "6,6,6", False)],
     "is bij de meting van 2024-04-22 gestopt met de behandeling"),
])
def test_no_programme_once_a_measurement_ended_the_treatment(
        profile: str, measurements: list[tuple[str, str, str, bool]], said: str,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Referred back at a follow-up (D: the arm worse), or stopped without improvement after
    six weeks: no session and no recording to take home (it would say "blijf actief, ook met
    wat pijn"); before that measurement the programme stands."""
    add_intake(records(), "P-10", profile)
    code, _, err = run(["exercises", "--patient", "P-10", "--list"], capsys, monkeypatch)
    assert code == 0, err
    for n, (day, nprs, psk, worse) in enumerate(measurements):
        code, _, err = run(["followup", "--patient", "P-10", "--date", day, "--nprs", nprs,
                              "--psk", psk, "--mute", *(["--neuro-worse"] if worse else [])],
                             capsys, monkeypatch)
        assert code == 0, err
        code, _, err = run(["exercises", "--patient", "P-10", "--list"], capsys,
                           monkeypatch)
        if n < len(measurements) - 1:
            assert code == 0, err
    assert code == 2 and said in one_line(err)
    code, _, err = run(["exercises", "--patient", "P-10", "--audio", "thuis.wav"], capsys,
                       monkeypatch)
    assert code == 2 and said in one_line(err)


def test_a_referral_back_stands_and_names_its_own_measurement(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Better again after the referral back: still no programme, and the line names the
    measurement that referred, not the latest."""
    add_intake(records(), "P-11", "D")
    for day, nprs, psk, worse in (("2024-03-11", "5", "5,5,5", False),
                                  ("2024-03-18", "6", "6,5,5", True),
                                  ("2024-03-25", "2", "2,2,2", False)):
        code, _, err = run(["followup", "--patient", "P-11", "--date", day, "--nprs", nprs,
                            "--psk", psk, "--mute", *(["--neuro-worse"] if worse else [])],
                           capsys, monkeypatch)
        assert code == 0, err
    code, _, err = run(["exercises", "--patient", "P-11", "--list"], capsys, monkeypatch)
    assert code == 2 and "bij de meting van 2024-03-18 terugverwezen" in one_line(err)


def test_exercises_for_a_referred_patient_say_the_patient_was_referred(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    add_intake(records(), "P-9", "IV")
    code, _, err = run(["exercises", "--patient", "p-9", "--text", "--mute"], capsys,
                       monkeypatch)
    assert code == 2 and "'P-9' is bij de intake verwezen (graad IV)" in one_line(err)
    assert "geen oefeningen gekozen" not in err


def test_sqlite_errors_of_any_store_method_name_the_file(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    add_intake(db, "P-1", "B")
    with Store.open(db) as store:
        store._conn.exec_driver_sql("DROP TABLE evaluations")
        store._conn.commit()
        with pytest.raises(RecordsCorrupt, match=str(db)):
            store.evaluations("P-1")
        store._conn.close()
        with pytest.raises(RecordsError, match=str(db)) as caught:
            store.patients()
        assert "praktijkserver" not in caught.value.message  # a file, not a server


def test_a_bogus_mplbackend_does_not_stop_the_chart(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    add_intake(db, "P-1", "B")
    env = {**os.environ, "MPLBACKEND": "bogus", "MPLCONFIGDIR": str(tmp_path / "mpl")}
    done = subprocess.run([sys.executable, "-m", "assistant", "followup", "--patient", "P-1",
                           "--nprs", "4", "--psk", "4,4,4", "--db", str(db), "--report",
                           str(tmp_path / "verslag")], capture_output=True, text=True,
                          timeout=120, check=False, env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "verslag" / "history.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(("where", "message"), [
    ("folder", "is een map, geen gegevensbestand"),
    ("afile/records.sqlite3", "een deel van het pad is geen map"),
    ("afile", "geen bruikbaar gegevensbestand"),
])
def test_a_records_path_that_is_no_records_file_is_one_line(
        tmp_path: Path, where: str, message: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "afile").write_text("geen SQLite " * 50, encoding="utf-8")
    db = tmp_path / where
    for argv in (["intake", "--text", "--mute", "--patient", "P-1"], ["history", "--patient",
                                                                      "P-1"]):
        code, out, err = run([*argv, "--db", str(db)], capsys, monkeypatch, "nee\n")
        assert code == 2 and QUESTION not in out
        assert message in one_line(err) and str(db) in err
