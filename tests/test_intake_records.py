"""An intake with --patient: stored for follow-up, with the baseline measurement asked or given."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.protocol import load_protocol
from assistant.records.store import Store
from tests.harness import SCREENED_BY_ID, intake, profile
from tests.intake_lines import lines as typed_lines
from tests.records_fixtures import GRADE_III_FILE, records


def profile_d(choice: str) -> list[str]:
    """The lines of profile D (no red flag, precaution or trauma; reflexes reduced on the left,
    a positive test, not referred for it; a little impact for three weeks, improving, not
    recurrent; no work), `choice` at the menu, read back and confirmed. (What follows, the
    baseline offer and its measurement, is another dialog.)"""
    return typed_lines(profile("D", {"exercise_choice": choice}))


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin,
                          capture_output=True, text=True, timeout=60, check=False)


def stored(patient: str) -> Store:
    return Store.open(records())


def test_the_baseline_is_asked_after_the_intake_without_the_worse_question() -> None:
    done = cli("intake", "--text", "--mute", "--patient", "P-1", "--date", "2026-10-01",
               stdin="\n".join([*profile_d("zesenvijftig"), "ja", "traplopen",
                                "autorijden", "lezen", "zeven", "zes", "zeven", "acht"]) + "\n")
    assert done.returncode == 0, done.stderr
    assert "Opgeslagen bij patiënt P-1 (2026-10-01)." in done.stdout
    assert ("Beginmeting opgeslagen: pijnscore 7, activiteiten traplopen 6, autorijden 7, "
            "lezen 8.") in done.stdout
    assert "PSK: autorijden. Hoe moeilijk is dat nu?" in done.stdout
    assert "erger geworden" not in done.stdout  # nothing to be worse than at the baseline
    texts = load_protocol().dialog.evaluation  # shown on the screen like the intake's questions
    assert texts.offer in done.stdout and texts.measurement("nprs").text in done.stdout
    with stored("P-1") as store:
        intake = store.latest_consultation("P-1")
        assert intake is not None and intake.result["profile"] == "D"
        assert intake.chosen_exercises == ("F56",)
        assert intake.result["chosen_exercises"] == ["F56"]
        [baseline] = store.evaluations("P-1")
        assert (baseline.nprs, baseline.psk, baseline.date.isoformat()) == (
            7, (6, 7, 8), "2026-10-01")
        assert intake.psk_activities == ("traplopen", "autorijden", "lezen")
        assert intake.findings["arm_signs"] == ["reflexes"]
        assert intake.findings["arm_side"] == "left"


def test_the_activities_can_be_skipped_or_given_on_the_command_line() -> None:
    done = cli("intake", "--text", "--mute", "--patient", "P-3",
               stdin="\n".join([*profile_d("geen"), "ja", "overslaan", "zeven", "zes",
                                "zeven", "acht"]) + "\n")
    assert done.returncode == 0, done.stderr
    assert "activiteiten 6, 7, 8." in done.stdout
    done = cli("intake", "--text", "--mute", "--patient", "P-4", "--psk-activities",
               "fietsen, tillen ,lezen", stdin="\n".join([*profile_d("geen"), "ja",
                                                          "zeven", "zes", "zeven", "acht"]))
    assert done.returncode == 0, done.stderr
    assert "Eerst de drie activiteiten" not in done.stdout
    assert "activiteiten fietsen 6, tillen 7, lezen 8." in done.stdout
    with stored("P-3") as store:
        p3, p4 = store.latest_consultation("P-3"), store.latest_consultation("P-4")
        assert p3 is not None and p3.psk_activities == ()
        assert p4 is not None and p4.psk_activities == ("fietsen", "tillen", "lezen")
    refused = cli("intake", "--text", "--psk-activities", "a,b,c", stdin="")
    assert refused.returncode == 2 and "hoort bij --patient" in refused.stderr


def test_nee_to_the_baseline_stores_the_intake_only() -> None:
    done = cli("intake", "--text", "--mute", "--patient", "P-2",
               stdin="\n".join([*profile_d("geen"), "nee"]) + "\n")
    assert done.returncode == 0, done.stderr
    with stored("P-2") as store:
        assert store.latest_consultation("P-2") is not None
        assert store.evaluations("P-2") == []


def test_the_baseline_given_on_the_command_line(tmp_path: Path) -> None:
    findings = tmp_path / "f.json"
    findings.write_text(json.dumps({"red_flags": [], "precautions": [],
                                    "neurological_signs": True, "trauma_related": False,
                                    "work_related": False, **GRADE_III_FILE}), encoding="utf-8")
    done = cli("intake", "--answers", str(findings), "--mute", "--patient", "P-3",
               "--nprs", "5", "--psk", "4,4,6")
    assert done.returncode == 0, done.stderr
    with stored("P-3") as store:
        [baseline] = store.evaluations("P-3")
        assert (baseline.nprs, baseline.psk) == (5, (4, 4, 6))


@pytest.mark.parametrize(("args", "message"), [
    (["--nprs", "5", "--psk", "4,4,6"], "--nprs en --psk horen bij --patient"),
    (["--patient", "P-4", "--nprs", "5"], "--nprs en --psk horen bij elkaar"),
    (["--patient", "P-4", "--psk", "4,4"], "drie scores"),
    (["--patient", "P-4", "--nprs", "11", "--psk", "1,2,3"], "0 tot en met 10"),
    (["--patient", "naam met spaties"], "ongeldige patiënt-id"),
    (["--resume", "--answers", "x.json"], "--resume gaat niet samen met --answers"),
])
def test_bad_records_options_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    done = cli("intake", "--text", "--mute", *args)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_the_d_report_has_the_neurological_baseline_and_a_dated_time_path(
        tmp_path: Path) -> None:
    findings = {"red_flags": [], "precautions": [], "trauma_related": False,
                "neurological_signs": True, "arm_signs": ["weakness", "sensory"],
                "arm_side": "right", "radicular_test": "not_done",
                "referred_for_arm_signs": True, "adl_impact": "severe", "weeks_since_onset": 3,
                "improving": True, "recurrent": False, "has_work": True, "work_related": False,
                "work_absence_weeks": 2}
    source = tmp_path / "d.json"
    source.write_text(json.dumps(findings), "utf-8")
    done = cli("intake", "--answers", str(source), "--exercises", "F28", "--date",
               "2026-09-01", "--report", str(tmp_path / "r"), "--mute")
    assert done.returncode == 0, done.stderr
    report = (tmp_path / "r" / "report.md").read_text("utf-8")
    assert ("## Neurologische beginsituatie\n\n- Tekenen: spierzwakte in de arm en een "
            "gevoelsstoornis in de arm\n- Kant: rechts\n- Spurling-test of tractie- en "
            "distractietest: niet gedaan\n") in report
    assert ("- Tijdspad: evalueer op of rond 13 oktober 2026 (6 weken na de intake), met de "
            "NPRS en de PSK.") in report
    assert "Meer pijn betekent geen schade" not in report  # not for radiating arm pain
    assert "## Acties" not in report  # referred for the arm signs: no call to the GP
    sheet = (tmp_path / "r" / "oefenblad.html").read_text("utf-8")
    assert "rechterarm" in sheet and "de kant die u hoort noemen" not in sheet


def _file(tmp_path: Path, name: str, **changes: object) -> Path:
    data: dict[str, object] = {
        "red_flags": [], "precautions": [], "trauma_related": False,
        "neurological_signs": True, "radicular_test": "positive",
        "referred_for_arm_signs": False, "adl_impact": "mild", "weeks_since_onset": 3,
        "improving": True, "recurrent": False, "work_related": False,
        "work_absence_weeks": 0}
    data.update(changes)
    path = tmp_path / name
    path.write_text(json.dumps(data), "utf-8")
    return path


def test_a_file_without_the_arm_signs_gets_none_made_up(tmp_path: Path) -> None:
    source = _file(tmp_path, "g3.json")
    done = cli("intake", "--answers", str(source), "--patient", "G-1", "--mute")
    assert done.returncode == 0, done.stderr
    classified = cli("classify", "--findings", str(source))
    assert json.loads(classified.stdout)["reasons"][0] == (
        "Graad III: er zijn neurologische tekenen in de arm.")
    assert "Graad III: er zijn neurologische tekenen in de arm." in done.stdout
    with stored("G-1") as store:
        intake = store.latest_consultation("G-1")
        assert intake is not None and "arm_signs" not in intake.findings
        assert "has_work" not in intake.findings  # the file is kept as given


def test_arm_signs_on_both_sides_are_the_spinal_cord_red_flag(tmp_path: Path) -> None:
    source = _file(tmp_path, "both.json", arm_signs=["weakness"], arm_side="both")
    done = cli("intake", "--answers", str(source), "--mute")
    assert done.returncode == 0, done.stderr
    result = json.loads(cli("classify", "--findings", str(source)).stdout)
    assert (result["grade"], result["urgency"], result["red_flags"]) == (
        "IV", "acute", ["spinal_cord"])
    assert "aan beide kanten" in result["reasons"][1]
    events = tmp_path / "e.jsonl"
    # the age, no flag; weakness on both sides; no deficit now; the duration for the letter
    answers = typed_lines(intake(SCREENED_BY_ID, {
        "neuro_reflexes": "nee", "neuro_weakness": "ja", "neuro_sensory": "nee",
        "arm_side": "beide", "acute_deficit_now": "nee", "weeks_since_onset": "drie weken"},
        strict=True))
    done = cli("intake", "--text", "--mute", "--events", str(events),
               stdin="\n".join(answers) + "\n")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in events.read_text("utf-8").splitlines()]
    [result_event] = [e for e in lines if e["event"] == "result"]
    assert result_event["result"]["red_flags"] == ["spinal_cord"]
    assert not any(e.get("question") == "radicular_test" for e in lines)


def test_sick_leave_without_work_is_refused_and_an_old_file_keeps_its_reason(
        tmp_path: Path) -> None:
    bad = _file(tmp_path, "bad.json", neurological_signs=False, has_work=False,
                work_absence_weeks=6)
    refused = cli("classify", "--findings", str(bad))
    assert refused.returncode == 2 and "verzuim vraagt werk" in refused.stderr
    old = _file(tmp_path, "old.json", neurological_signs=False, work_absence_weeks=6)
    by_rules = json.loads(cli("classify", "--findings", str(old)).stdout)
    done = cli("intake", "--answers", str(old), "--report", str(tmp_path / "r"), "--mute")
    assert done.returncode == 0, done.stderr
    by_intake = json.loads((tmp_path / "r" / "result.json").read_text("utf-8"))
    assert by_intake["reasons"] == by_rules["reasons"]
    assert any("6 weken verzuim" in r for r in by_rules["reasons"])


def test_a_back_dated_second_intake_keeps_its_baseline_and_the_future_is_refused(
        tmp_path: Path) -> None:
    b = _file(tmp_path, "b.json", neurological_signs=False, adl_impact="severe",
              weeks_since_onset=10, psychosocial_dominant=False)
    assert cli("intake", "--answers", str(b), "--patient", "K", "--date", "2026-11-10",
               "--nprs", "7", "--psk", "7,7,7", "--mute").returncode == 0
    done = cli("intake", "--answers", str(b), "--patient", "K", "--date", "2026-11-01",
               "--nprs", "5", "--psk", "5,5,5", "--psk-activities", "a,b,c", "--mute")
    assert done.returncode == 0, done.stderr
    with stored("K") as store:
        first, _later = store.consultations("K")
        assert [e.nprs for e in store.evaluations("K", first.id)] == [5]
        assert first.psk_activities == ("a", "b", "c")
    future = cli("intake", "--answers", str(b), "--date", "2999-01-01", "--mute")
    assert future.returncode == 2 and "toekomst" in future.stderr


def test_one_running_intake_per_patient_and_per_journal(tmp_path: Path) -> None:
    """A second window, the command line or the screen cannot answer the same intake at once
    (both would write into one journal and lose it): the second is refused in one line, and
    can go on once the first has closed."""
    from datetime import date

    from assistant.errors import RecordsError
    from assistant.intake.records import IntakeRecords

    db, day = tmp_path / "records.sqlite3", date(2026, 11, 30)
    first = IntakeRecords.open(db, "P-1", day, resume=False)
    with pytest.raises(RecordsError, match="de intake van patiënt 'p-1' loopt al"):
        IntakeRecords.open(db, "p-1", day, resume=False)  # ids compare case-insensitively
    other = IntakeRecords.open(db, "P-2", day, resume=False)  # another patient goes on
    other.close()
    anonymous = IntakeRecords.open(db, None, day, resume=False)
    assert anonymous.journal is not None
    anonymous.store.journal_append(anonymous.journal.id, {"kind": "answer", "question": "x"})
    with pytest.raises(RecordsError, match="loopt al"):
        IntakeRecords.open(db, None, day, resume=True)  # its journal is the one it would take
    anonymous.close()
    first.close()
    again = IntakeRecords.open(db, "P-1", day, resume=False)
    again.close()
    assert not any("P-1" in p.name or "p-1" in p.name for p in tmp_path.rglob("*"))


def test_forget_waits_for_a_running_intake(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Erasing a patient while the screen runs the patient's intake would pull the journal
    from under it: `forget` is refused until the intake has ended."""
    from datetime import date

    from assistant.cli import main
    from assistant.intake.records import IntakeRecords

    db = tmp_path / "records.sqlite3"
    running = IntakeRecords.open(db, "P-9", date(2026, 11, 30), resume=False)
    try:
        code = main(["forget", "--patient", "P-9", "--yes", "--db", str(db)])
        err = capsys.readouterr().err
        assert code == 2 and "loopt al" in err and err.count("\n") == 1
    finally:
        running.close()
