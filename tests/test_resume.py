"""An interrupted intake loses nothing: every answer is journaled as it is given, and the intake
resumes where it stopped, also after the process is killed outright (SIGKILL)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.dialog.consultation import Consultation
from assistant.dialog.events import Ask, Event
from assistant.intake.journal import IntakeJournal, journal_events, standing_answers
from assistant.intake.resume import replay
from assistant.intake.run import run_consultation as run_intake_dialog
from assistant.records.store import Store
from assistant.speech.interfaces import Utterance
from assistant.speech.text import ScriptedListener
from tests.fakes import MemoryJournal
from tests.harness import (
    AGE,
    PROTOCOL,
    RED_FLAG_QUESTIONS,
    asked,
    intake,
    of,
    profile,
    run_consultation,
)
from tests.intake_lines import lines, rehearse
from tests.intake_script import Said
from tests.records_fixtures import records

# Profile B, work-related with five weeks off work, for ten weeks; the input ends at the menu.
PROFILE_B = profile("B", {"weeks_since_onset": "tien weken"}, strict=True)
ANSWERS = lines(PROFILE_B)  # as typed, the age first


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin,
                          capture_output=True, text=True, timeout=60, check=False)


def events_of(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def wait_for(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_killed_mid_intake_it_resumes_with_every_answer(tmp_path: Path) -> None:
    first_log, second_log, report = tmp_path / "1.jsonl", tmp_path / "2.jsonl", tmp_path / "r"
    # the age, the complaint ('tien weken', no accident, 'fors', no arm complaints), the red
    # flags and the precautions; then it dies, at the psychosocial question
    given = rehearse(PROFILE_B).listened.index(("ask", "psychosocial_dominant"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "intake", "--text", "--mute", "--patient", "pt-k",
         "--date", "2026-11-02", "--events", str(first_log)],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stdin is not None
    try:
        for n, answer in enumerate(ANSWERS[:given], start=1):
            proc.stdin.write(answer + "\n")
            proc.stdin.flush()
            wait_for(lambda n=n: len(of(events_of(first_log), "answer")) >= n)
        # the next question is on screen; the process dies without any chance to clean up
        wait_for(lambda: asked(events_of(first_log))[-1:] == ["psychosocial_dominant"])
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        proc.kill()
    second = cli("intake", "--text", "--mute", "--patient", "pt-k", "--yes", "--events",
                 str(second_log), "--report", str(report),
                 stdin="\n".join([*ANSWERS[given:], "veertien", "ja"]) + "\n")
    assert second.returncode == 0, second.stderr
    assert f"wordt hervat ({given} antwoorden)" in second.stdout
    events = events_of(second_log)
    assert asked(events)[0] == "psychosocial_dominant"  # nothing asked twice
    # the answers before and after the crash make one intake, with the expected conclusion
    expected = run_consultation(PROFILE_B)
    assert of(events, "result")[0]["result"] == of(expected, "result")[0]["result"]
    text = (report / "report.md").read_text("utf-8")
    assert "Datum: 2026-11-02" in text  # the intake's own date
    # header, rule, and every answer: a checklist's answer a row per sign
    rows = sum(len(a["value"]) if isinstance(a["value"], dict) else 1
               for a in of(expected, "answer"))
    assert text.count("\n| ") == 2 + rows
    with Store.open(records()) as store:
        stored = store.latest_consultation("pt-k")
        assert stored is not None and stored.result["profile"] == "B"
        assert stored.chosen_exercises == ("F14",)
        assert store.journal_find_open("pt-k") is None  # finished: nothing left to resume


def test_resume_without_a_patient_and_terug_in_the_journal(tmp_path: Path) -> None:
    # the age and the complaint (the defaults); the red flags one by one (the third is
    # answered twice): "terug" at the fourth red flag, the third answered again; "stop" at
    # the fifth; resumed up to the choice of exercises
    first = RED_FLAG_QUESTIONS
    given: dict[str, Said] = {"age_years": AGE, first[0]: "nee", first[1]: "nee",
                              first[2]: ["nee", "nee"], first[3]: ["terug", "nee"]}
    until_stop = lines(intake(given, {first[4]: "stop"}, strict=True))
    stopped = cli("intake", "--text", "--mute", stdin="\n".join(until_stop) + "\n")
    assert stopped.returncode == 1
    whole = lines(intake(given, {"exercise_choice": None}))
    assert whole[:len(until_stop) - 1] == until_stop[:-1]
    log = tmp_path / "events.jsonl"
    resumed = cli("intake", "--text", "--mute", "--resume", "--yes", "--events", str(log),
                  stdin="\n".join(whole[len(until_stop) - 1:]) + "\n")
    assert resumed.returncode == 0, resumed.stderr
    # the age, six answers on the complaint and four red flags
    assert "wordt hervat (11 antwoorden)" in resumed.stdout
    assert asked(events_of(log))[0] == PROTOCOL.section_questions("red_flags")[4].id
    again = cli("intake", "--text", "--mute", "--resume")
    assert again.returncode == 2 and "geen onderbroken intake" in again.stderr
    assert cli("intake", "--text", "--mute", stdin="stop\n").returncode == 1
    nothing = cli("intake", "--text", "--mute", "--resume")  # no answer given: nothing kept
    assert nothing.returncode == 2 and "geen onderbroken intake" in nothing.stderr


def test_a_journal_that_does_not_fit_is_set_aside(tmp_path: Path) -> None:
    db = records()
    with Store.open(db) as store:
        journal = store.journal_open(None, date(2026, 11, 3))
        store.journal_append(journal, {"kind": "answer", "question": "adl_impact",
                                       "heard": "fors", "value": "severe"})
    done = cli("intake", "--text", "--mute", "--resume", "--yes")
    assert done.returncode == 2 and "start een nieuwe intake" in done.stderr
    with Store.open(db) as store:
        assert store.journal_find_open(None) is None



@pytest.mark.parametrize("cut", range(len(ANSWERS) + 1))
def test_any_prefix_of_the_journal_replays_to_the_same_place(cut: int) -> None:
    memory = MemoryJournal()
    inputs = [*ANSWERS[:cut]]
    if cut > 3:  # after the age and two red flags
        inputs[3:3] = ["terug", "nee"]  # a 'terug' is journaled too: the second flag again
    run_intake_dialog(PROTOCOL, ScriptedListener(inputs), [], journal=IntakeJournal(memory, 1))
    restored = Consultation(PROTOCOL, lambda e: None)
    restored.start()
    replay(restored, journal_events(memory.entries))
    straight = Consultation(PROTOCOL, lambda e: None)
    straight.start()
    for answer in ANSWERS[:cut]:
        straight.hear(Utterance(answer))
    assert [r.value for r in restored.history] == [r.value for r in straight.history]
    assert restored.findings == straight.findings and restored.state == straight.state
    assert (restored.current.id if restored.current else None) == (
        straight.current.id if straight.current else None)


def test_each_answer_is_on_the_journal_before_the_next_question_is_shown_or_said() -> None:
    memory = MemoryJournal()
    seen: list[int] = []  # answers journaled when each question reached the screen/speaker

    def screen(event: Event) -> None:
        if isinstance(event, Ask):
            seen.append(len(standing_answers(journal_events(memory.entries))))

    inputs = [*ANSWERS[:3], "terug", *ANSWERS[2:], "veertien", "ja"]
    run_intake_dialog(PROTOCOL, ScriptedListener(inputs), [screen],
                      journal=IntakeJournal(memory, 1))
    intake_asks = seen[:-1]  # the last ask is the choice of exercises
    assert intake_asks == [0, 1, 2, 3, 2, *range(3, len(ANSWERS))]
    assert seen[-1] == len(ANSWERS)
    assert memory.entries[-1] == {"event": "answer", "question": "exercise_choice",
                                  "finding": None, "value": ["F14"], "note": None}
    back = next(e for e in memory.entries if e["event"] == "back")
    assert back == {"event": "back", "question": memory.entries[2]["question"]}  # names it
