"""One error base class with stable codes, and one place that turns errors into exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant import errors
from assistant.cli.common import UsageError
from assistant.cli.hints import error_line
from assistant.errors import EXIT_UNFINISHED, EXIT_USAGE, AssistantError, ModelError, RecordsError
from assistant.intake.records import RecordsUnavailable
from assistant.protocol.findings import FindingsError
from assistant.protocol.tables import ProtocolError
from assistant.speech.audio import AudioError
from assistant.speech.recognizer import RecognizerError
from assistant.speech.setup import Unavailable
from assistant.speech.tts import TtsError
from tests.harness import END_AT_CHOICE, PROFILE_B_TEN_WEEKS, PROTOCOL, intake, profile
from tests.intake_lines import lines
from tests.intent_tables import parse_duration
from tests.records_fixtures import add_intake, records


def all_errors() -> list[type[AssistantError]]:
    found: list[type[AssistantError]] = []
    todo: list[type[AssistantError]] = [AssistantError]
    while todo:
        kind = todo.pop()
        found.append(kind)
        todo.extend(kind.__subclasses__())
    return found


def test_every_error_of_the_assistant_has_the_one_base_and_its_own_stable_code() -> None:
    kinds = [UsageError, RecordsError, ProtocolError, FindingsError, AudioError,
             RecognizerError, TtsError, ModelError, Unavailable, RecordsUnavailable]
    assert all(issubclass(kind, AssistantError) for kind in kinds)
    codes = [kind.code for kind in all_errors()]
    assert len(codes) == len(set(codes)), "two error classes share a code"
    assert {RecordsError.code, FindingsError.code, errors.JournalMismatch.code} == {
        "records", "bad-findings", "journal-mismatch"}


def test_the_readme_lists_every_error_code() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    missing = [kind.code for kind in all_errors()
               if kind is not AssistantError and f"`{kind.code}`" not in readme]
    assert missing == [], "name these codes in README.md (Exit codes)"


def test_value_errors_stay_value_errors_where_callers_catch_them() -> None:
    assert issubclass(FindingsError, ValueError) and issubclass(ProtocolError, ValueError)


@pytest.mark.parametrize("kind", all_errors())
def test_each_error_is_one_dutch_line_with_its_exit_code(kind: type[AssistantError]) -> None:
    error = kind("kan niet\nverder:\n  zie hier")
    assert error.message == "kan niet verder: zie hier" == str(error)
    line = error_line(error)
    assert line.startswith("assistant: ") and "\n" not in line
    expected = EXIT_UNFINISHED if kind is errors.IntakeStopped else EXIT_USAGE
    assert error.exit_code == expected


def test_describe_gives_one_line_for_anything() -> None:
    assert errors.describe(OSError(28, "No space left on device")) == "de schijf is vol"
    assert errors.describe(RecursionError("deep")) == "te diep geneste gegevens"
    assert errors.describe(KeyError("x")) == "KeyError: 'x'"
    assert errors.describe(errors.RecordsLocked("in gebruik")) == "in gebruik"


# --- breaking inputs: each ends in one line and exit 2, or goes on as it should -------------

def cli(*args: str, stdin: str | None = "", env: dict[str, str] | None = None,
        **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """The real program, as a user runs it (stdout and stderr captured unless given)."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin, text=True,
                          timeout=60, check=False, env={**os.environ, **(env or {})},
                          **streams)


def one_line(run: subprocess.CompletedProcess[str], code: int = EXIT_USAGE) -> str:
    """The run ended with `code` and exactly one line on stderr, no traceback; that line."""
    assert run.returncode == code, (run.returncode, run.stderr)
    assert "Traceback" not in run.stderr and run.stderr.count("\n") == 1, run.stderr
    return run.stderr.strip()


def test_a_findings_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "notepad.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"red_flags": ["infection"]}).encode())
    run = cli("classify", "--findings", str(path))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["referral"] is True


@pytest.mark.parametrize(("content", "message"), [
    ('{"red_flags": [], "weeks_since_onset": ' + "9" * 5000 + "}", "te veel cijfers"),
    ("[" * 100_000 + "]" * 100_000, "te diep genest"),
    (b"\xff\xfe{}", "geen UTF-8"),
])
def test_a_findings_file_that_breaks_the_json_reader_is_one_line(
        tmp_path: Path, content: str | bytes, message: str) -> None:
    path = tmp_path / "f.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    for command in (["classify", "--findings"], ["intake", "--mute", "--answers"]):
        assert message in one_line(cli(*command, str(path)))


@pytest.mark.parametrize(("flag", "value", "message"), [
    ("--timeout", "nan", "geen positief getal"),
    ("--timeout", "inf", "geen positief getal"),
    ("--timeout", "-1", "geen positief getal"),
    ("--confirm-below", "nan", "van 0 tot en met 1"),
    ("--speech-rate", "-5", "spreektempo"),
    ("--speech-rate", "0", "spreektempo"),
    ("--speech-rate", "100000", "spreektempo"),
])
def test_numbers_no_setting_can_mean_are_refused(flag: str, value: str, message: str) -> None:
    assert message in one_line(cli("intake", "--text", "--mute", flag, value))


def test_a_309_digit_duration_is_asked_again_never_infinite(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    answers = lines(intake(PROFILE_B_TEN_WEEKS, END_AT_CHOICE, {"weeks_since_onset": [
        "9" * 309, "1" + "0" * 12 + " weken", "tien weken"]}, strict=True))
    run = cli("intake", "--text", "--mute", "--patient", "P-309", "--events", str(log),
              stdin="\n".join(answers) + "\n")
    assert run.returncode == 0, run.stderr
    events = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    onset = [e for e in events if e.get("question") == "weeks_since_onset"]
    assert [e["reason"] for e in onset if e["event"] == "reprompt"] == [
        "not_understood", "implausible"]
    assert [e["value"] for e in onset if e["event"] == "answer"] == [10.0]


def test_the_duration_parser_never_gives_inf_or_more_than_fifty_years() -> None:
    question = next(q for q in PROTOCOL.questions if q.id == "weeks_since_onset")
    vocab = PROTOCOL.vocabulary
    assert parse_duration("9" * 309, question, vocab) is None
    assert parse_duration("9" * 400 + " weken", question, vocab) is None
    assert parse_duration("51 jaar", question, vocab) is None
    assert parse_duration("49 jaar", question, vocab) == pytest.approx(49 * 365.25 / 7, 0.01)


def _closing(fd: int) -> Any:
    def close() -> None:
        os.close(fd)
    return close


@pytest.mark.parametrize("command", [["intake", "--text", "--mute"],
                                     ["exercises", "--codes", "F14", "--text", "--mute"],
                                     ["followup", "--patient", "P-1"]])
def test_a_closed_stdin_is_one_line(command: list[str]) -> None:
    add_intake(records(), "P-1", "B")
    run = cli(*command, stdin=None, preexec_fn=_closing(0))
    assert "(stdin) is gesloten" in one_line(run)


def test_a_closed_stdout_is_one_line() -> None:
    run = cli("intake", "--text", "--mute", stdin=None, stdout=None, preexec_fn=_closing(1))
    assert "(stdout) is gesloten" in one_line(run)


@pytest.mark.parametrize("command", [
    ["intake", "--text", "--mute"], ["classify", "--findings", "{findings}"],
    ["intake", "--help"], ["exercises", "--list", "--json"]])
def test_stdout_on_a_full_disk_is_one_line(tmp_path: Path, command: list[str]) -> None:
    findings = tmp_path / "f.json"
    findings.write_text(json.dumps({"red_flags": ["infection"]}), encoding="utf-8")
    args = [part.format(findings=findings) for part in command]
    with open("/dev/full", "w") as full:
        run = cli(*args, stdin="nee\n", stdout=full)
    assert "kan niet schrijven naar de standaarduitvoer (stdout): de schijf is vol" in (
        one_line(run))


def test_the_event_log_on_a_full_disk_is_one_line() -> None:
    run = cli("intake", "--text", "--mute", "--events", "/dev/full", stdin="nee\n")
    assert "kan niet schrijven naar --events /dev/full: de schijf is vol" in one_line(run)


def test_help_in_the_c_locale_replaces_what_it_cannot_show() -> None:
    env = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    run = subprocess.run([sys.executable, "-m", "assistant", "intake", "--help"],
                         capture_output=True, timeout=60, check=False,
                         env={**os.environ, **env})
    assert run.returncode == 0 and run.stderr == b"", run.stderr
    assert b"pati?nt" in run.stdout and run.stdout.isascii()


def test_an_ascii_terminal_gets_the_whole_intake_with_question_marks() -> None:
    answers = lines(profile("A", {"adl_impact": "fors"}, strict=True))
    run = subprocess.run([sys.executable, "-m", "assistant", "intake", "--text", "--mute"],
                         input="\n".join(answers).encode() + b"\n", capture_output=True,
                         timeout=60, check=False, env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert run.returncode == 0, run.stderr
    assert b"pati?nt" in run.stdout and b"Behandelprofiel A" in run.stdout
