"""An error during a live intake never discards the answers given: the journal stays open, one
line says how to resume, exit 2; an intake that fails before its first answer leaves nothing
open; --resume names the intake and asks before it continues (or needs --yes)."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from assistant.cli import common as cli_common
from assistant.cli import intake as cli
from assistant.intake.journal import journal_events, standing_answers
from assistant.records.store import Store
from assistant.speech.interfaces import Utterance
from tests.in_process import Terminal, one_line, run
from tests.intake_lines import PROFILE_B_LINES as ANSWERS
from tests.intake_lines import STOP_AT_SECOND_FLAG
from tests.records_fixtures import locked, records

TEXT_LISTENER = cli_common.text_listener


def open_journal(patient: str | None = None) -> tuple[int, int] | None:
    """The open journal that --resume would take: (id, standing answers)."""
    with Store.open(records()) as store:
        found = store.journal_find_open(patient)
        if found is None:
            return None
        events = journal_events(store.journal_entries(found.id))
        return found.id, len(standing_answers(events))


class Failing:
    """A listener that gives the script's answers, then fails with `error` at answer `at`."""

    def __init__(self, answers: Sequence[str], at: int, error: BaseException) -> None:
        self.answers = list(answers)
        self.at = at
        self.error = error
        self.heard = 0

    def listen(self, grammar: Sequence[str]) -> Utterance | None:
        self.heard += 1
        if self.heard == self.at:
            raise self.error
        return Utterance(self.answers.pop(0)) if self.answers else None


def with_listener(monkeypatch: pytest.MonkeyPatch, listener: Failing) -> None:
    monkeypatch.setattr(cli, "text_listener", lambda: listener)


def test_an_error_mid_intake_is_the_last_event(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    with_listener(monkeypatch, Failing(ANSWERS, 3, ValueError("kapot")))
    log = tmp_path / "events.jsonl"
    code, _, _ = run(["intake", "--text", "--mute", "--events", str(log)], capsys, monkeypatch)
    last = json.loads(log.read_text(encoding="utf-8").splitlines()[-1])
    assert code == 2
    assert last == {"event": "error", "code": "internal", "message": "ValueError: kapot"}


@pytest.mark.parametrize(("error", "shown"), [
    (ValueError("kapot"), "ValueError: kapot"),
    (UnicodeEncodeError("ascii", "ë", 0, 1, "ordinal not in range(128)"), "UnicodeEncodeError"),
    (OSError(5, "Input/output error"), "invoer/uitvoerfout"),
])
def test_an_error_at_the_third_answer_keeps_two_and_says_how_to_resume(
        error: BaseException, shown: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    with_listener(monkeypatch, Failing(ANSWERS, 3, error))
    code, out, err = run(["intake", "--text", "--mute"], capsys, monkeypatch)
    line = one_line(err)
    assert code == 2 and shown in line
    assert "De 2 antwoorden zijn bewaard; ga verder met 'assistant intake --resume'" in line
    assert open_journal() is not None and open_journal()[1] == 2  # type: ignore[index]
    monkeypatch.setattr(cli, "text_listener", TEXT_LISTENER)
    code, out, err = run(["intake", "--text", "--mute", "--resume", "--yes"], capsys,
                         monkeypatch, "\n".join(ANSWERS[2:]) + "\n")
    assert code == 0, err
    assert "Intake wordt hervat (2 antwoorden)." in out and "Behandelprofiel B" in out
    assert open_journal() is None


def test_the_resume_line_names_the_patient_and_the_records_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "eigen.sqlite3"
    with_listener(monkeypatch, Failing(ANSWERS, 5, RuntimeError("microfoon weg")))
    code, _, err = run(["intake", "--text", "--mute", "--patient", "P-7", "--db", str(db)],
                       capsys, monkeypatch)
    assert code == 2 and one_line(err).endswith(
        f"De 4 antwoorden zijn bewaard; ga verder met 'assistant intake --patient P-7 "
        f"--db {db}'")


def test_ctrl_c_mid_intake_keeps_the_answers_and_exits_1(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with_listener(monkeypatch, Failing(ANSWERS, 4, KeyboardInterrupt()))
    code, _, err = run(["intake", "--text", "--mute"], capsys, monkeypatch)
    assert code == 1 and one_line(err).startswith("assistant: onderbroken: De 3 antwoorden")
    assert open_journal() is not None


def test_without_a_records_file_an_error_is_still_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_DB", str(blocker / "records.sqlite3"))  # cannot exist
    with_listener(monkeypatch, Failing(ANSWERS, 3, ValueError("kapot")))
    code, _, err = run(["intake", "--text", "--mute"], capsys, monkeypatch)
    notice, line = err.splitlines()
    assert notice.startswith("Geen dagboek voor hervatten:")
    assert code == 2 and line == "assistant: interne fout: ValueError: kapot"


@pytest.mark.sqlite_file  # another program holds the SQLite file's own lock
def test_a_lock_mid_intake_keeps_the_answers_before_it(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    db = Path(os.environ["ASSISTANT_DB"])
    Store.open(db).close()
    holding: list[object] = []

    class LockAtThird(io.StringIO):
        lines = 0

        def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
            self.lines += 1
            if self.lines == 3:  # another program takes the file while the third is typed
                holding.append(locked(db, readers_too=False))
                holding[-1].__enter__()  # type: ignore[attr-defined]
            return super().readline()

    try:
        code, _, err = run(["intake", "--text", "--mute"], capsys, monkeypatch,
                           LockAtThird("\n".join(ANSWERS) + "\n"))
    finally:
        for lock in holding:
            lock.__exit__(None, None, None)  # type: ignore[attr-defined]
    line = one_line(err)
    assert code == 2 and "in gebruik door een ander programma" in line
    assert "De 2 antwoorden zijn bewaard; ga verder met 'assistant intake --resume'" in line
    code, out, err = run(["intake", "--text", "--mute", "--resume", "--yes"], capsys,
                         monkeypatch, "\n".join(ANSWERS[2:]) + "\n")
    assert code == 0 and "Behandelprofiel B" in out, err


def test_a_usage_error_after_the_journal_opened_leaves_no_empty_journal(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, _ = run(["intake", "--text", "--mute"], capsys, monkeypatch,
                     STOP_AT_SECOND_FLAG)
    assert code == 1
    interrupted = open_journal()
    # every answer before the stop (not "een voor een", which asks the red flags one by one)
    given = [line for line in STOP_AT_SECOND_FLAG.splitlines()
             if line not in ("stop", "een voor een")]
    assert interrupted is not None and interrupted[1] == len(given) == 8
    code, _, err = run(["intake", "--voice", "--mute", "--model", str(tmp_path / "geen")],
                       capsys, monkeypatch)
    assert code == 2 and "--voice" in one_line(err)
    afile = tmp_path / "afile"
    afile.write_text("", encoding="utf-8")
    code, _, err = run(["intake", "--text", "--mute", "--events", str(afile / "events.jsonl")],
                       capsys, monkeypatch, "nee\n")
    assert code == 2 and "kan niet schrijven naar" in one_line(err)
    assert open_journal() == interrupted  # the real interrupted intake, not an empty one
    with Store.open(records()) as store:
        statuses = list(store._conn.exec_driver_sql("SELECT status FROM journal").scalars())
    assert statuses.count("open") == 1


def test_report_under_a_regular_file_is_refused_before_the_intake(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    afile = tmp_path / "afile"
    afile.write_text("", encoding="utf-8")
    code, out, err = run(["intake", "--text", "--mute", "--report", str(afile / "sub")],
                         capsys, monkeypatch, "\n".join(ANSWERS) + "\n")
    assert code == 2 and out == ""
    assert f"--report: {afile} is een bestand" in one_line(err)
    with Store.open(records()) as store:
        assert store._conn.exec_driver_sql("SELECT COUNT(*) FROM journal").scalar() == 0


def interrupted_anonymous(capsys: pytest.CaptureFixture[str],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, _ = run(["intake", "--text", "--mute"], capsys, monkeypatch,
                     "\n".join(ANSWERS[:3]) + "\nstop\n")
    assert code == 1


def test_resume_in_a_script_needs_yes_and_names_the_intake(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    interrupted_anonymous(capsys, monkeypatch)
    code, out, err = run(["intake", "--text", "--mute", "--resume"], capsys, monkeypatch,
                         "\n".join(ANSWERS[3:]) + "\n")
    line = one_line(err)
    assert code == 2 and out == ""
    assert "er is een onderbroken intake (begonnen op " in line
    assert ", 3 antwoorden, zonder id); voeg --yes toe" in line
    assert open_journal() is not None and open_journal()[1] == 3  # type: ignore[index]


@pytest.mark.parametrize(("reply", "code"), [("ja", 0), ("nee", 1), ("", 1)])
def test_resume_at_a_terminal_asks_first(reply: str, code: int,
                                         capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    interrupted_anonymous(capsys, monkeypatch)
    typed = Terminal("\n".join([reply, *ANSWERS[3:]]) + "\n" if reply else "")
    done, out, err = run(["intake", "--text", "--mute", "--resume"], capsys, monkeypatch,
                         typed)
    assert done == code, err
    lines = out.splitlines()
    assert lines[0].startswith("Onderbroken intake gevonden: begonnen op ")
    assert lines[0].endswith(", 3 antwoorden, zonder id.")
    assert lines[2] == "Doorgaan? Zeg ja of nee."  # the question, as the screen shows one
    if reply == "ja":
        assert "Intake wordt hervat (3 antwoorden)." in out and "Behandelprofiel B" in out
        assert open_journal() is None
    else:
        assert "Niet hervat. De onderbroken intake blijft bewaard." in out
        assert open_journal() is not None and open_journal()[1] == 3  # type: ignore[index]


def test_an_anonymous_intake_is_never_offered_to_a_patient(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    interrupted_anonymous(capsys, monkeypatch)
    code, out, err = run(["intake", "--text", "--mute", "--patient", "P-5"], capsys,
                         monkeypatch, "\n".join(ANSWERS) + "\n")
    assert code == 0, err
    assert "Onderbroken intake" not in out and "Opgeslagen bij patiënt P-5" in out
    assert open_journal() is not None  # the anonymous one waits for its own --resume
    code, _, err = run(["intake", "--text", "--mute", "--patient", "P-5", "--resume"], capsys,
                       monkeypatch)
    assert code == 2 and "geen onderbroken intake gevonden voor patiënt 'P-5'" in one_line(err)


def test_a_journal_mismatch_alone_sets_the_journal_aside(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(records()) as store:
        journal = store.journal_open(None, date(2026, 1, 5))
        store.journal_append(journal, {"kind": "answer", "question": "geen-vraag",
                                       "heard": "ja", "value": True})
    code, _, err = run(["intake", "--text", "--mute", "--resume", "--yes"], capsys,
                       monkeypatch)
    assert code == 2 and "start een nieuwe intake" in one_line(err)
    assert open_journal() is None
