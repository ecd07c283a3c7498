"""The follow-up as a new user runs it (issue 23, item 12): the README's examples in order, one
measurement a day unless --again, and --neuro-worse only where the guideline looks at the arm."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.cli import main
from tests.records_fixtures import FINDINGS, INTAKE_DAY, add_intake

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def readme_records_lines() -> list[str]:
    """The command lines of the README's block under "Vervolg en dossier", comments cut."""
    text = README.read_text(encoding="utf-8")
    part = text.split("### Vervolg en dossier", 1)[1]
    block = re.search(r"```sh\n(.*?)```", part, re.DOTALL)
    assert block is not None
    return [line.split("  #", 1)[0].strip() for line in block.group(1).splitlines()
            if line.strip()]


def test_the_readme_follow_up_lines_work_in_order(tmp_path: Path) -> None:
    lines = readme_records_lines()
    assert any("--neuro-worse" in line for line in lines)
    days = [date.fromisoformat(d) for line in lines for d in re.findall(r"\d{4}-\d{2}-\d{2}",
                                                                        line)]
    if max(days, default=date.min) > date.today():
        pytest.skip("the README's dates lie in the future of this machine's clock")
    findings = tmp_path / "d.json"
    findings.write_text(json.dumps(FINDINGS["D"]), encoding="utf-8")
    env = {**{k: v for k, v in os.environ.items() if k != "ASSISTANT_COMMAND"},
           "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
           "ASSISTANT_DB": str(tmp_path / "records.sqlite3"), "ASSISTANT_FAST_CLOCK": "1"}

    def run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin,
                              capture_output=True, text=True, timeout=120, check=False,
                              env=env, cwd=tmp_path)

    # the patient of the examples: a profile-D intake a week before the first measurement
    # (today when the examples give no dates, as after the quick start)
    first = min(days) - timedelta(days=7) if days else date.today()
    intake = run(["intake", "--answers", str(findings), "--patient", "P-0042", "--mute",
                  "--date", first.isoformat(), "--report", str(tmp_path / "intake")])
    assert intake.returncode == 0, intake.stderr
    for line in lines:
        args = shlex.split(line)
        assert args[0] == "./assistant.sh", line
        asks = args[1] == "followup" and "--nprs" not in args  # the assistant asks the scores
        done = run(args[1:], "5\n6\n4\n5\nnee\n" if asks else "")
        assert done.returncode == 0, (line, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
    assert run(["export", "--patient", "P-0042"]).returncode == 2  # forgotten at the end


def followup(db: Path, patient: str, day: date, *extra: str) -> int:
    return main(["followup", "--db", str(db), "--patient", patient, "--nprs", "5", "--psk",
                 "5,5,5", "--date", day.isoformat(), *extra])


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


def test_a_second_follow_up_the_same_day_is_refused_unless_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "records.sqlite3"
    add_intake(db, "P-1", "B")
    later = date.fromordinal(INTAKE_DAY.toordinal() + 7)
    assert followup(db, "P-1", later) == 0
    capsys.readouterr()
    assert followup(db, "P-1", later, "--json") == 2
    captured = capsys.readouterr()
    line = one_line(captured.err)
    assert "al een meting" in line and "--again" in line and captured.out == ""
    assert main(["history", "--db", str(db), "--patient", "P-1", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["evaluations"]) == 1  # nothing stored
    assert followup(db, "P-1", later, "--json", "--again") == 0
    assert json.loads(capsys.readouterr().out)["session"] == 2  # the same session


def test_the_baseline_on_the_intake_day_counts_as_that_day_s_measurement(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "records.sqlite3"
    add_intake(db, "P-2", "A")
    assert followup(db, "P-2", INTAKE_DAY) == 0
    capsys.readouterr()
    assert main(["followup", "--db", str(db), "--patient", "P-2",
                 "--date", INTAKE_DAY.isoformat()]) == 2  # asked interactively: refused first
    assert "al een meting" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize("profile", ["A", "B", "C"])
def test_neuro_worse_is_refused_outside_profile_d(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], profile: str) -> None:
    db = tmp_path / "records.sqlite3"
    add_intake(db, "P-3", profile)
    later = date.fromordinal(INTAKE_DAY.toordinal() + 14)
    assert followup(db, "P-3", later, "--neuro-worse") == 2
    line = one_line(capsys.readouterr().err)
    assert "--neuro-worse" in line and "profiel D" in line and f"profiel {profile}" in line
    add_intake(db, "P-4", "D")
    assert followup(db, "P-4", later, "--neuro-worse") == 0


def test_profile_d_scores_given_without_the_arm_say_it_was_not_asked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Scores as flags skip the question about the arm: recorded as not worse, and said so
    (with how to correct it), never silently; not for other profiles or the baseline."""
    db = tmp_path / "records.sqlite3"
    add_intake(db, "P-5", "D")
    add_intake(db, "P-6", "B")
    later = date.fromordinal(INTAKE_DAY.toordinal() + 14)
    assert followup(db, "P-5", INTAKE_DAY) == 0  # the baseline: nothing to compare
    assert "arm" not in capsys.readouterr().err
    assert followup(db, "P-5", later) == 0
    err = capsys.readouterr().err
    assert "de arm is niet nagevraagd" in err and "--again --neuro-worse" in err
    assert followup(db, "P-5", later, "--again", "--neuro-worse") == 0
    assert "niet nagevraagd" not in capsys.readouterr().err
    assert followup(db, "P-6", later) == 0
    assert "niet nagevraagd" not in capsys.readouterr().err
