"""Faults a hostile or hurried user causes at the command line (issue 23, items 8 and 12–13):
Ctrl-C during start-up, the name the assistant gives itself, and the launcher's words."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = f"{os.sep}assistant{os.sep}"  # a traceback through the assistant's own files


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ASSISTANT_COMMAND"}
    return {**env, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
            "ASSISTANT_DB": str(tmp_path / "records.sqlite3"), "ASSISTANT_FAST_CLOCK": "1"}


@pytest.mark.parametrize("entry", [
    [sys.executable, "-m", "assistant"],
    [str(Path(sys.executable).parent / "assistant")],
], ids=["python -m assistant", "console script"])
def test_ctrl_c_during_start_up_is_one_line_never_a_traceback(
        tmp_path: Path, entry: list[str]) -> None:
    """SIGINT at random moments while the program imports (about 0.25 s here): each time one
    line at most, exit 1 (or the command's own end), and never a traceback (item 8)."""
    if not Path(entry[0]).exists():
        pytest.skip(f"no {entry[0]}")
    rng = random.Random(23)
    env = _env(tmp_path)
    # how long start-up takes here, so the signals land inside it: after Python's own start-up
    # (before any line of the assistant runs, Python itself prints the traceback), within the
    # imports of the assistant
    began = time.monotonic()
    subprocess.run([sys.executable, "-c", "import runpy"], env=env, check=True, timeout=60)
    interpreter = time.monotonic() - began
    began = time.monotonic()
    subprocess.run([*entry, "intake", "--help"], env=env, capture_output=True, timeout=60,
                   check=True, stdin=subprocess.DEVNULL)
    start_up = time.monotonic() - began
    seen: list[tuple[float, int | None]] = []
    for _ in range(20):
        delay = rng.uniform(2 * interpreter, max(3 * interpreter, start_up * 0.9))
        proc = subprocess.Popen([*entry, "intake", "--text", "--mute"], env=env, cwd=tmp_path,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        text = err.decode("utf-8", "replace")
        seen.append((round(delay, 3), proc.returncode))
        if "Traceback" in text and PACKAGE not in text:
            continue  # Python's own start-up, before the first line of the assistant ran
        assert "Traceback" not in text and "KeyboardInterrupt" not in text, (delay, text)
        assert proc.returncode in (1, -signal.SIGINT), (delay, proc.returncode, text)
        assert len(text.strip().splitlines()) <= 1 or "Tekstmodus" in text, (delay, text)
        if text.strip():
            assert text.strip().splitlines()[-1].endswith("onderbroken.") or proc.returncode == 1
    assert sum(code == 1 for _, code in seen) >= 10, seen


# --- the name the assistant gives itself (item 13) ---------------------------------------------

def _run(entry: list[str], args: list[str], tmp_path: Path, stdin: str = "",
         **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*entry, *args], input=stdin, capture_output=True, text=True,
                          timeout=60, check=False, cwd=tmp_path, env={**_env(tmp_path), **env})


def test_python_m_assistant_names_itself_so_in_help_and_errors(tmp_path: Path) -> None:
    entry = [sys.executable, "-m", "assistant"]
    usage = _run(entry, ["intake", "--help"], tmp_path)
    assert usage.returncode == 0
    first = usage.stdout.splitlines()[0]
    assert first.startswith("gebruik: ") and " -m assistant intake " in first, first
    bad = _run(entry, ["intak"], tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert bad.stderr.endswith(" -m assistant: fout: onbekende opdracht 'intak'. Bedoelt u "
                               "'intake'?\n"), bad.stderr
    assert not bad.stderr.startswith("assistant:")


def test_the_launcher_s_name_is_used_in_help_errors_and_suggestions(tmp_path: Path) -> None:
    entry = [sys.executable, "-m", "assistant"]
    usage = _run(entry, ["followup", "--help"], tmp_path, ASSISTANT_COMMAND="./assistant.sh")
    assert usage.stdout.startswith("gebruik: ./assistant.sh followup "), usage.stdout
    bad = _run(entry, ["classify", "--findings", str(tmp_path / "geen.json")], tmp_path,
               ASSISTANT_COMMAND="./assistant.sh")
    assert bad.returncode == 2 and bad.stderr.startswith("./assistant.sh: fout: "), bad.stderr
    stopped = _run(entry, ["intake", "--text", "--mute", "--patient", "P-7"], tmp_path,
                   "47\nstop\n", ASSISTANT_COMMAND="./assistant.sh")
    assert "'./assistant.sh intake --patient P-7'" in stopped.stdout, stopped.stdout


def test_the_console_script_names_itself_as_typed(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "assistant"
    if not script.exists():
        pytest.skip("no console script in this environment")
    bad = _run([str(script)], ["intak"], tmp_path)
    assert bad.stderr.startswith(f"{script}: fout: ") or bad.stderr.startswith(
        "assistant: fout: "), bad.stderr


def test_program_falls_back_to_assistant_for_another_program(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant import invocation

    monkeypatch.delenv(invocation.ENV_COMMAND, raising=False)
    monkeypatch.setattr(sys, "argv", ["/usr/lib/python3/dist-packages/pytest/__main__.py"])
    assert invocation.program() == "assistant"
    monkeypatch.setattr(sys, "argv", [str(ROOT / "assistant" / "__main__.py")])
    assert invocation.program().endswith(" -m assistant")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # as typed: not the one on PATH (uv run puts
    monkeypatch.setattr(sys, "argv", ["./.venv/bin/assistant"])  # .venv/bin first)
    assert invocation.program() == "./.venv/bin/assistant"


# --- the launcher's own lines (item 13) ---------------------------------------------------------

ENGLISH = re.compile(r"\b(installing|running|error|failed|please|could not|not found|"
                     r"skipping|creating|passed|checks|collected|yourself|does not)\b", re.I)


def test_the_launcher_speaks_dutch() -> None:
    lines = [line.strip() for line in (ROOT / "assistant.sh").read_text("utf-8").splitlines()
             if re.match(r'\s*(say|die \d+) "', line) or re.match(r'\s*"[^"]*" \\?$', line)]
    assert lines
    english = [line for line in lines  # commands and variables are not words
               if ENGLISH.search(re.sub(r"\$\{[^}]*\}|\$\w+|uv sync --frozen", "", line))]
    assert english == [], english


def test_the_windows_launcher_speaks_dutch_too() -> None:
    """assistant.ps1 cannot run here; its messages are read as text (Say and Fail lines)."""
    text = (ROOT / "assistant.ps1").read_text("utf-8")
    said = re.findall(r"""(?:Say|Fail \d+) \(?["']([^"']*)["']""", text)
    said += re.findall(r"""^\s+"([^"]*)"\)?\s*$""", text, re.MULTILINE)
    assert len(said) >= 8
    english = [line for line in said
               if ENGLISH.search(re.sub(r"\$\([^)]*\)|\$\w+|uv sync --frozen", "", line))]
    assert english == [], english


# --- doctor's device list (item 13) -------------------------------------------------------------

def test_doctor_suggests_a_device_list_that_runs() -> None:
    from assistant.cli.doctor import check_device

    check = check_device("input", "geen-apparaat-xyz-23")
    if check.ok:
        pytest.skip("a device of that name exists")
    runs = check.fix.split("lijst: ", 1)[1].rstrip(")")
    assert runs.endswith(" -m sounddevice")
    python = runs.split(" -m ")[0]  # bare 'python' only when PATH finds the assistant's own
    found = shutil.which(python) if os.sep not in python else str(ROOT / python)
    assert found is not None and Path(found).resolve() == Path(sys.executable).resolve()
    done = subprocess.run([*runs.split(" -m ")[0].split(), "-c", "import sounddevice"],
                          capture_output=True, timeout=60, check=False, cwd=ROOT)
    assert done.returncode in (0, 1)  # the assistant's own Python: sounddevice is importable
    assert b"ModuleNotFoundError" not in done.stderr


# --- the end of an intake (items 12–13) -----------------------------------------------------------

FINDINGS_B = {"red_flags": [], "precautions": [], "trauma_related": False,
              "neurological_signs": False, "adl_impact": "severe", "weeks_since_onset": 10,
              "psychosocial_dominant": False, "work_related": True, "work_absence_weeks": 5}


def test_the_summary_has_the_advice_and_the_therapy(tmp_path: Path) -> None:
    import json

    findings = tmp_path / "f.json"
    findings.write_text(json.dumps(FINDINGS_B), encoding="utf-8")
    done = _run([sys.executable, "-m", "assistant"],
                ["intake", "--answers", str(findings), "--mute", "--report",
                 str(tmp_path / "r")], tmp_path)
    assert done.returncode == 0, done.stderr
    summary = done.stdout.split("\nUitkomst:\n", 1)[1]
    assert "Advies:\n- Stel de patiënt gerust." in summary
    assert "Leg uit welke risico's het werk kan geven" in summary  # the work advice
    assert "Therapie:\n- Aanbevolen: oefentherapie" in summary
    assert "- Afgeraden: dry needling" in summary
    assert summary.index("Advies:") < summary.index("Therapie:") < summary.index(
        "Verslag geschreven")


def test_stopping_before_any_answer_does_not_say_answers_were_kept(tmp_path: Path) -> None:
    entry = [sys.executable, "-m", "assistant"]
    nothing = _run(entry, ["intake", "--text", "--mute"], tmp_path, "stop\n")
    assert nothing.returncode == 1
    assert "zijn bewaard" not in nothing.stdout and "Er was nog niets beantwoord." in (
        nothing.stdout)
    some = _run(entry, ["intake", "--text", "--mute"], tmp_path, "47\nstop\n")
    assert some.returncode == 1 and "De antwoorden tot nu toe zijn bewaard." in some.stdout


def test_audio_in_without_a_model_says_why_and_exits_2(tmp_path: Path) -> None:
    import wave

    wav = tmp_path / "stilte.wav"
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0" * 32000)
    done = _run([sys.executable, "-m", "assistant"],
                ["intake", "--mute", "--audio-in", str(wav), "--model",
                 str(tmp_path / "geen-model")], tmp_path, "47\n")
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.count("\n") == 1 and ": fout: --audio-in: " in done.stderr
    assert "Hoe oud" not in done.stdout  # no question read from the keyboard


def test_resume_without_an_id_names_the_patients_whose_intake_waits(tmp_path: Path) -> None:
    """The handbook's way back after a stopped --patient intake: a bare --resume finds no
    intake without an id, and now says whose intakes wait and how to go on."""
    entry = [sys.executable, "-m", "assistant"]
    stopped = _run(entry, ["intake", "--text", "--mute", "--patient", "P-7", "--db", "r.sqlite3",
                           "--report", "rep"], tmp_path, "47\nnee\nstop\n",
                   ASSISTANT_FAST_CLOCK="1")
    assert stopped.returncode in (0, 1), stopped.stderr
    again = _run(entry, ["intake", "--text", "--mute", "--resume", "--db", "r.sqlite3",
                         "--report", "rep2"], tmp_path)
    assert again.returncode == 2 and again.stderr.count("\n") == 1
    assert "wel van 'P-7': ga verder met --patient P-7" in again.stderr
