"""The command line as DESIGN.md "Contracts" says: outputs, files and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from tests.harness import (
    AGE,
    NO_NEURO_BY_ID,
    PROTOCOL,
    RED_FLAG_QUESTIONS,
    SCREENED_BY_ID,
    intake,
)
from tests.intake_lines import STOP_AT_SECOND_FLAG, typed

PROFILE_B_FINDINGS = {
    "red_flags": [], "precautions": [], "neurological_signs": False, "adl_impact": "severe",
    "weeks_since_onset": 10, "psychosocial_dominant": False, "trauma_related": True,
    "fracture_ruled_out": False,
    "c_spine_rule": {"high_risk": False, "low_risk": True, "rotation_45": True},  # cleared
    "work_related": True, "work_absence_weeks": 5,
}


def write(path: Path, data: Any) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The real program, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin,
                          capture_output=True, text=True, timeout=60, check=False)


def test_classify_prints_the_result(tmp_path: Path) -> None:
    run = cli("classify", "--findings", str(write(tmp_path / "f.json", PROFILE_B_FINDINGS)))
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert (result["grade"], result["course"], result["profile"]) == ("II", "abnormal", "B")
    assert "kinesiotape" in result["therapy"]["consider"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "geen geldige JSON"),
        ({"red_flags": [], "colour": 1}, "onbekende sleutel 'colour'"),
        ({"red_flags": ["headache"]}, "onbekende waarde 'headache' in 'red_flags'"),
        ({"red_flags": [], "precautions": [], "neurological_signs": "nee"},
         "'neurological_signs' moet true of false"),
        ({"red_flags": [], "precautions": [], "neurological_signs": False, "adl_impact": "mild",
          "weeks_since_onset": -2}, "'weeks_since_onset' moet 0 tot 2600 weken zijn"),
        ({"red_flags": [], "precautions": [], "trauma_related": False,
          "neurological_signs": False}, "sleutel 'adl_impact' ontbreekt"),
        # the trauma question comes before the arm: it is the first key missing here
        ({"red_flags": [], "precautions": [], "neurological_signs": False},
         "sleutel 'trauma_related' ontbreekt"),
        ([1, 2], "JSON-object"),
    ],
)
def test_bad_findings_exit_2_with_one_line(tmp_path: Path, content: Any, message: str) -> None:
    path = write(tmp_path / "bad.json", content)
    for command in (["classify", "--findings"], ["intake", "--answers"]):
        run = cli(*command, str(path))
        assert run.returncode == 2
        assert run.stderr.count("\n") == 1 and message in run.stderr, run.stderr
        assert "Traceback" not in run.stderr and run.stdout == ""


def test_missing_file_and_bad_flags_exit_2(tmp_path: Path) -> None:
    run = cli("classify", "--findings", str(tmp_path / "nope.json"))
    assert run.returncode == 2 and "niet gevonden" in run.stderr
    run = cli("intake", "--bogus")
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    run = cli("intake", "--text", "--date", "24/11/2026")
    assert run.returncode == 2 and "JJJJ-MM-DD" in run.stderr


def test_intake_from_answers_writes_events_and_report(tmp_path: Path) -> None:
    answers = write(tmp_path / "f.json", PROFILE_B_FINDINGS)
    events_file, report = tmp_path / "events.jsonl", tmp_path / "verslag"
    run = cli("intake", "--answers", str(answers), "--events", str(events_file),
              "--report", str(report), "--date", "2026-11-24")
    assert run.returncode == 0, run.stderr
    assert "Behandelprofiel B" in run.stdout
    events = [json.loads(line) for line in events_file.read_text("utf-8").splitlines()]
    kinds = [e["event"] for e in events]
    # the intake opens with the age question (version 3), then says each section's intro
    assert kinds[0] == "ask" and events[0]["question"] == "age_years"
    assert "say" in kinds and "heard" in kinds and "answer" in kinds
    assert kinds.count("result") == 1
    result = json.loads((report / "result.json").read_text("utf-8"))
    assert result.pop("chosen_exercises") == []  # --answers chooses none unless --exercises
    assert result == next(e["result"] for e in events if e["event"] == "result")
    assert json.loads(cli("classify", "--findings", str(answers)).stdout) == result
    text = (report / "report.md").read_text("utf-8")
    assert "Datum: 2026-11-24" in text and "## Redenen" in text and "kinesiotape" in text
    assert json.loads((report / "findings.json").read_text("utf-8")) == PROFILE_B_FINDINGS


def test_text_intake_from_stdin(tmp_path: Path) -> None:
    # psychosocial factors dominant: ja; work: nee; the input ends at the choice of exercises
    run = cli("intake", "--text", "--mute", stdin=typed(intake(SCREENED_BY_ID, NO_NEURO_BY_ID, {
        "adl_impact": "fors", "weeks_since_onset": "anderhalve maand",
        "psychosocial_dominant": "ja", "has_work": "nee", "exercise_choice": None})))
    assert run.returncode == 0, run.stderr
    assert "Graad: II" in run.stdout and "Behandelprofiel C" in run.stdout
    assert "6,5 weken" in run.stdout  # anderhalve maand, unrounded: over six weeks


def test_end_of_input_stops_with_exit_1_and_keeps_the_answers(tmp_path: Path) -> None:
    report = tmp_path / "r"
    two_flags = typed(intake({"age_years": AGE, RED_FLAG_QUESTIONS[0]: "nee",
                              RED_FLAG_QUESTIONS[1]: "nee", RED_FLAG_QUESTIONS[2]: None}))
    run = cli("intake", "--text", "--report", str(report), stdin=two_flags)
    assert run.returncode == 1
    assert "gestopt" in run.stdout
    text = (report / "report.md").read_text("utf-8")
    # "nee" to the accident, to recurrence and to arm complaints, then to two red flags
    # (asked one by one); the third red flag is not answered
    assert "(onvolledig)" in text and text.count("| nee |") == 5
    for flag in RED_FLAG_QUESTIONS[:2]:
        assert f"| {PROTOCOL.question(flag).text} | nee |" in text
    assert PROTOCOL.question(RED_FLAG_QUESTIONS[2]).text not in text
    assert f"| {AGE} jaar |" in text  # the age, answered first
    assert not (report / "result.json").exists()


def test_an_earlier_report_in_the_folder_is_never_overwritten(tmp_path: Path) -> None:
    report = tmp_path / "r"
    report.mkdir()
    (report / "result.json").write_text("{}", encoding="utf-8")  # from an earlier intake
    run = cli("intake", "--text", "--report", str(report), stdin="nee\nnee\n")
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert "staat al een verslag (result.json)" in run.stderr
    assert (report / "result.json").read_text("utf-8") == "{}"
    assert sorted(p.name for p in report.iterdir()) == ["result.json"]


def test_stop_command_exits_1() -> None:
    assert cli("intake", "--text", "--mute", stdin=STOP_AT_SECOND_FLAG).returncode == 1


def test_default_mode_says_why_it_is_text(tmp_path: Path) -> None:
    run = cli("intake", "--mute", "--model", str(tmp_path / "no-model"))
    assert run.returncode == 1
    assert run.stderr.startswith("Tekstmodus: ") and str(tmp_path / "no-model") in run.stderr
    assert run.stderr.count("\n") == 1


def test_voice_forced_without_a_model_exits_2(tmp_path: Path) -> None:
    run = cli("intake", "--voice", "--mute", "--model", str(tmp_path / "no-model"))
    # named as started: '… -m assistant' (issue 23, item 13)
    assert run.returncode == 2 and " -m assistant: fout: --voice:" in run.stderr
    assert run.stderr.count("\n") == 1


def test_grade_iv_report_has_a_referral_letter(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    answers = write(tmp_path / "f.json", {"red_flags": ["infection"]})
    code = main(["intake", "--answers", str(answers), "--report", str(tmp_path / "r"),
                 "--date", "2026-01-02"])
    assert code == 0
    text = (tmp_path / "r" / "report.md").read_text("utf-8")
    assert "## Verwijsbrief aan de huisarts" in text and "infectie" in text
    assert "## Oefeningen" not in text


def test_diagram_is_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("stateDiagram-v2\n") and "red_flags --> precautions" in out


def test_readme_holds_the_current_diagram(capsys: pytest.CaptureFixture[str]) -> None:
    main(["diagram"])
    diagram = capsys.readouterr().out
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    assert f"```mermaid\n{diagram}```" in readme, "run `assistant diagram` and update README.md"
