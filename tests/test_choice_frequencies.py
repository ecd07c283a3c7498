"""Issue 22: at the choice of exercises the therapist may change how often one is done
('veertien elke avond en vijfenvijftig'), and the read-back warns of the patient's precautions;
the changed frequencies reach the journal, the records, the report, the sheet and the session."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.dialog.choice_parsing import (
    choice_phrases,
    menu_names,
    parse_choice,
    spoken_code,
)
from assistant.dialog.events import Answer, Confirm, Event, Menu, Reprompt
from assistant.dialog.exercise_choice import QUESTION, ExerciseChoice
from assistant.dialog.exercise_choice import QUESTION as CHOICE
from assistant.dialog.loop import run_dialog
from assistant.dialog.vocabulary import all_phrases
from assistant.errors import JournalMismatch
from assistant.intake.journal import IntakeJournal, journal_events
from assistant.intake.run import IntakeOutcome
from assistant.intake.run import run_consultation as run_intake_dialog
from assistant.output.report import result_json
from assistant.output.report_build import build_report
from assistant.output.report_markdown import render_markdown
from assistant.protocol import classify, parse_findings
from assistant.protocol.exercises import Patient
from assistant.records.migrate import HEAD, REVISIONS
from assistant.records.render import history_json, intake_lines
from assistant.records.store import Store
from assistant.speech.text import ScriptedListener
from tests.fakes import MemoryJournal
from tests.harness import (
    PROFILE_B_TEN_WEEKS,
    PROTOCOL,
    choosing,
    of,
    result_of,
    run_consultation,
    run_intake,
)
from tests.intake_lines import lines
from tests.intake_script import IntakeScript, ScriptDriver
from tests.records_fixtures import FINDINGS, INTAKE_DAY, legacy_file, legacy_intake

VOCAB = PROTOCOL.vocabulary
LIBRARY = PROTOCOL.library
TEXTS = LIBRARY.choice
NONE = TEXTS.none
OFTEN = TEXTS.frequencies
MENU_B = PROTOCOL.profile("B").exercises
# Profile B: grade II, ten weeks, not improving, no psychosocial factors, no work.
PROFILE_B = PROFILE_B_TEN_WEEKS
# The same patient with osteoporosis (every other precaution: no).
OSTEOPOROSIS_B = {**PROFILE_B_TEN_WEEKS, "pr_osteoporosis": "ja"}
BONE = next(c for c in LIBRARY.cautions if c.id == "bone_end_range")


def parse(said: str) -> dict[str, Any]:
    choice = parse_choice(said, VOCAB, NONE, menu_names(LIBRARY, MENU_B, VOCAB), OFTEN)
    assert choice is not None, said
    return {"codes": choice.codes, "frequencies": choice.frequencies}


def name(code: str) -> str:
    return LIBRARY.exercise(code).name


def choice_of(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e.get("question") == QUESTION]


def test_every_default_frequency_is_one_that_can_be_said() -> None:
    assert {e.dosage.frequency for e in LIBRARY.exercises} <= set(OFTEN)
    assert LIBRARY.exercise("F14").dosage.frequency == "twee keer per dag"  # as tests assume
    assert "elke avond" in OFTEN and "elke ochtend" in OFTEN


# --- parsing ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("said", "codes", "frequencies"), [
    ("veertien elke avond en vijfenvijftig", ("F14", "F55"), {"F14": "elke avond"}),
    ("veertien en zeventien elke avond", ("F14", "F17"),
     {"F14": "elke avond", "F17": "elke avond"}),  # both: named since the start
    ("veertien elke avond en zeventien", ("F14", "F17"), {"F14": "elke avond"}),
    ("veertien en zeventien twee keer per dag", ("F14", "F17"),
     {"F14": "twee keer per dag", "F17": "twee keer per dag"}),
    ("F14 elke avond, F55", ("F14", "F55"), {"F14": "elke avond"}),  # typed
    ("f14 2 keer per dag", ("F14",), {"F14": "twee keer per dag"}),  # digits as words
    ("veertien elke ochtend, zeventien en twintig om de dag", ("F14", "F17", "F20"),
     {"F14": "elke ochtend", "F17": "om de dag", "F20": "om de dag"}),
    ("veertien twee à drie keer per dag", ("F14",), {"F14": "twee à drie keer per dag"}),
    ("veertien twee a drie keer per dag", ("F14",), {"F14": "twee à drie keer per dag"}),
    ("een een keer per dag", ("F1",), {"F1": "één keer per dag"}),  # 'een' is a number too
    ("veertien a drie keer per week", ("F14a",), {"F14a": "drie keer per week"}),
    ("de bodyscan elke avond en veertien", ("F5", "F14"), {"F5": "elke avond"}),  # a name
    ("maak er veertien elke avond van", ("F14",), {"F14": "elke avond"}),
    ("eh veertien uhm elke avond", ("F14",), {"F14": "elke avond"}),
    ("veertien elke avond en veertien", ("F14",), {"F14": "elke avond"}),
    ("veertien en vijfenvijftig", ("F14", "F55"), {}),  # as before: nothing changed
])
def test_a_frequency_after_codes_sets_how_often_for_the_codes_since_the_last_one(
        said: str, codes: tuple[str, ...], frequencies: dict[str, str]) -> None:
    assert parse(said) == {"codes": codes, "frequencies": frequencies}


@pytest.mark.parametrize("said", [
    "elke avond",  # no code before it
    "elke avond veertien",
    "veertien elke avond twee keer per dag",  # the second has no code of its own
    "veertien elke",  # half a phrase
    "veertien per dag",
    "veertien elke middag",  # not one of the phrases
])
def test_a_frequency_without_a_code_before_it_is_not_understood(said: str) -> None:
    assert parse_choice(said, VOCAB, NONE, None, OFTEN) is None


def test_without_the_frequencies_a_frequency_is_not_understood() -> None:
    """parse_choice as it was called before issue 22: the phrases are words it does not know."""
    assert parse_choice("veertien elke avond", VOCAB, NONE) is None
    choice = parse_choice("veertien en twintig", VOCAB, NONE)
    assert choice is not None and choice.frequencies == {}


@st.composite
def codes_and_phrases(draw: st.DrawFn) -> tuple[list[tuple[list[str], str | None]], str]:
    """Groups of codes from profile B's menu, each maybe followed by a frequency phrase; and
    the whole as said, groups apart by commas, codes within one by 'en'."""
    groups = draw(st.lists(st.tuples(st.lists(st.sampled_from(MENU_B), min_size=1, max_size=3),
                                     st.one_of(st.none(), st.sampled_from(OFTEN))),
                           min_size=1, max_size=4))
    said = ", ".join(" en ".join(spoken_code(c) for c in codes) + (f" {often}" if often else "")
                     for codes, often in groups)
    return groups, said


@given(codes_and_phrases())
def test_any_order_of_codes_and_phrases_follows_the_rule(
        drawn: tuple[list[tuple[list[str], str | None]], str]) -> None:
    groups, said = drawn
    expected: dict[str, str] = {}
    since: list[str] = []  # the codes named since the last phrase (or the start)
    for codes, often in groups:
        since += codes
        if often is not None:
            expected.update(dict.fromkeys(since, often))
            since = []
    named = [c for codes, _ in groups for c in codes]
    choice = parse_choice(said, VOCAB, NONE, None, OFTEN)
    assert choice is not None, said
    assert choice.codes == tuple(dict.fromkeys(named)), said
    assert choice.frequencies == expected, said


def test_the_grammar_holds_the_frequency_words() -> None:
    words = set(choice_phrases(MENU_B, VOCAB, NONE, OFTEN))
    assert {"elke", "avond", "ochtend", "keer", "per", "dag", "week", "om", "twee",
            "drie", "een", "a"} <= words
    assert "à" not in words  # a recogniser writes 'a'
    dialog = ExerciseChoice(LIBRARY, VOCAB, MENU_B, lambda e: None,
                            PROTOCOL.dialog.intake.turns)
    assert {"elke", "avond", "keer", "per", "dag"} <= set(dialog.grammar())
    assert {"elke", "avond", "ochtend", "week"} <= all_phrases(PROTOCOL)  # checked by doctor
    assert "avond" not in choice_phrases(MENU_B, VOCAB, NONE)  # as before without them


# --- the dialog ---------------------------------------------------------------------------------

def outcome_of(inputs: IntakeScript) -> tuple[IntakeOutcome, list[dict[str, Any]]]:
    """A whole intake through the run (as `assistant intake` runs it): its outcome, events."""
    return run_intake(inputs)


def test_a_changed_frequency_is_read_back_confirmed_and_kept() -> None:
    outcome, events = outcome_of(choosing(PROFILE_B, "veertien elke avond en vijfenvijftig"))
    confirm = of(choice_of(events), "confirm")[-1]
    assert confirm["text"] == (
        f"U koos twee oefeningen. Oefening veertien: {name('F14')}, elke avond. "
        f"Oefening vijfenvijftig: {name('F55')}. Klopt dat?")
    assert confirm["value"] == ["F14", "F55"] and confirm["frequencies"] == {"F14": "elke avond"}
    answer = of(choice_of(events), "answer")[-1]
    assert answer["value"] == ["F14", "F55"]  # the contract: the codes
    assert answer["frequencies"] == {"F14": "elke avond"}
    assert outcome.chosen_exercises == ("F14", "F55")
    assert outcome.exercise_frequencies == {"F14": "elke avond"}


def test_a_frequency_equal_to_the_default_is_no_change() -> None:
    plain = choice_of(run_consultation(choosing(PROFILE_B, "veertien")))
    outcome, events = outcome_of(choosing(PROFILE_B, "veertien twee keer per dag"))
    assert of(choice_of(events), "confirm")[-1] == of(plain, "confirm")[-1]
    answer = of(choice_of(events), "answer")[-1]
    assert "frequencies" not in answer and answer == of(plain, "answer")[-1]
    assert outcome.exercise_frequencies == {}


def test_a_frequency_with_no_code_before_it_is_asked_again() -> None:
    events = choice_of(run_consultation(choosing(PROFILE_B, ["elke avond",
                                                             "veertien elke avond"])))
    [reprompt] = of(events, "reprompt")
    assert reprompt["reason"] == "not_understood"
    assert of(events, "answer")[-1]["frequencies"] == {"F14": "elke avond"}


def test_a_correction_at_the_read_back_may_change_the_frequency() -> None:
    events = choice_of(run_consultation(choosing(
        PROFILE_B, "veertien en zeventien", ["nee, doe maar alleen veertien elke avond", "ja"])))
    first, second = of(events, "confirm")
    assert first["value"] == ["F14", "F17"] and "frequencies" not in first
    assert second["value"] == ["F14"] and second["frequencies"] == {"F14": "elke avond"}
    assert second["text"] == (f"U koos één oefening. Oefening veertien: {name('F14')}, elke "
                              "avond. Klopt dat?")
    assert [e["event"] for e in events if e["event"] in ("ask", "confirm", "answer")] == [
        "ask", "confirm", "confirm", "answer"]
    assert of(events, "answer")[-1]["frequencies"] == {"F14": "elke avond"}
    # ... and take a change back
    events = choice_of(run_consultation(choosing(
        PROFILE_B, "veertien elke avond", ["nee, doe maar alleen veertien", "ja"])))
    assert "frequencies" not in of(events, "answer")[-1]


def test_nee_and_a_new_choice_forget_the_old_frequency() -> None:
    outcome, _ = outcome_of(choosing(PROFILE_B, ["veertien elke avond", "veertien"],
                                     ["nee", "ja"]))
    assert outcome.chosen_exercises == ("F14",) and outcome.exercise_frequencies == {}


# --- the warning --------------------------------------------------------------------------------

def test_the_read_back_warns_of_osteoporosis_for_the_exercises_it_concerns() -> None:
    events = run_consultation(choosing(OSTEOPOROSIS_B, "veertien, veertien b en vijfenvijftig"))
    assert result_of(events)["profile"] == "B"
    text = of(choice_of(events), "confirm")[-1]["text"]
    warning = BONE.therapist.format(codes="veertien en veertien b")  # not F55: no trunk turn
    assert warning and warning in text
    items, question = text.split(warning)
    assert items.endswith(f"Oefening vijfenvijftig: {name('F55')}. ")  # after the items ...
    assert question == " Klopt dat?"  # ... and before the question
    assert of(choice_of(events), "answer")[-1]["value"] == ["F14", "F14b", "F55"]


def test_one_exercise_it_concerns_is_named_alone() -> None:
    events = run_consultation(choosing(OSTEOPOROSIS_B, "veertien en twintig elke avond"))
    text = of(choice_of(events), "confirm")[-1]["text"]
    assert BONE.therapist.format(codes="veertien") in text
    assert f"Oefening twintig: {name('F20')}, elke avond." in text


def test_no_warning_without_a_precaution_or_for_exercises_it_does_not_concern() -> None:
    plain = of(choice_of(run_consultation(choosing(PROFILE_B, "veertien en zeventien"))),
               "confirm")[-1]["text"]
    assert plain == (f"U koos twee oefeningen. Oefening veertien: {name('F14')}. Oefening "
                     f"zeventien: {name('F17')}. Klopt dat?")
    other = of(choice_of(run_consultation(choosing(OSTEOPOROSIS_B, "vijfenvijftig"))),
               "confirm")[-1]["text"]
    assert other == f"U koos één oefening. Oefening vijfenvijftig: {name('F55')}. Klopt dat?"


def test_the_choice_dialog_warns_for_the_patient_it_is_given() -> None:
    emitted: list[Event] = []
    rheumatoid = Patient("B", frozenset({"rheumatoid_arthritis"}))
    dialog = ExerciseChoice(LIBRARY, VOCAB, MENU_B, emitted.append,
                            PROTOCOL.dialog.intake.turns, patient=rheumatoid)
    run_dialog(dialog, ScriptedListener(["een, veertien en zeventien", "ja"]))
    neck = next(c for c in LIBRARY.cautions if c.id == "rheumatoid_neck_flexion")
    assert dialog.warnings(("F1", "F14", "F17")) == [neck.therapist.format(
        codes="één en zeventien")]  # F1 and F17 bend the neck forward; F14 does not
    confirm = next(e for e in emitted if isinstance(e, Confirm))
    assert neck.therapist.format(codes="één en zeventien") in confirm.text
    assert ExerciseChoice(LIBRARY, VOCAB, MENU_B, lambda e: None,
                          PROTOCOL.dialog.intake.turns).warnings(("F1", "F17")) == []
    answer = next(e for e in emitted if isinstance(e, Answer))
    assert answer.value == ["F1", "F14", "F17"] and dialog.frequencies == {}


# --- the journal --------------------------------------------------------------------------------


def journaled(inputs: IntakeScript, memory: MemoryJournal) -> None:
    """A whole intake answered by `inputs`, journaled into `memory`."""
    driver = ScriptDriver(inputs, PROTOCOL)
    run_intake_dialog(PROTOCOL, driver, [driver], journal=IntakeJournal(memory, 1))
    driver.check()


def resumed(entries: list[dict[str, Any]]) -> IntakeOutcome:
    return run_intake_dialog(PROTOCOL, ScriptedListener([]), [], resume=journal_events(entries))


def test_the_journal_keeps_the_frequencies_and_a_resume_brings_them_back() -> None:
    memory = MemoryJournal()
    journaled(choosing(PROFILE_B, "veertien elke avond en twintig"), memory)
    assert memory.entries[-1] == {"event": "answer", "question": CHOICE, "finding": None,
                                  "value": ["F14", "F20"], "note": None,
                                  "frequencies": {"F14": "elke avond"}}
    outcome = resumed(memory.entries)
    assert outcome.consultation.result is not None
    assert outcome.chosen_exercises == ("F14", "F20")
    assert outcome.exercise_frequencies == {"F14": "elke avond"}


def test_a_choice_entry_of_an_earlier_version_still_replays() -> None:
    memory = MemoryJournal()
    journaled(choosing(PROFILE_B, "veertien"), memory)
    assert memory.entries[-1] == {"event": "answer", "question": CHOICE, "finding": None,
                                  "value": ["F14"], "note": None}  # nothing changed
    earlier = [*memory.entries[:-1], {"kind": "choice", "codes": ["F14"]}]
    outcome = resumed(earlier)
    assert outcome.chosen_exercises == ("F14",) and outcome.exercise_frequencies == {}
    broken = [*memory.entries[:-1], {"kind": "choice", "codes": ["F14"],
                                     "frequencies": ["elke avond"]}]
    with pytest.raises(JournalMismatch):
        resumed(broken)
    broken_now = [*memory.entries[:-1], {**memory.entries[-1], "frequencies": ["elke avond"]}]
    with pytest.raises(JournalMismatch):
        resumed(broken_now)


# --- the records --------------------------------------------------------------------------------

def _intake(profile: str = "B") -> tuple[dict[str, Any], dict[str, Any]]:
    findings = parse_findings(FINDINGS[profile])
    return findings.to_json(), classify(findings, PROTOCOL).to_json()


def test_a_version_2_file_gets_the_column_with_no_frequency_changed(tmp_path: Path) -> None:
    db = tmp_path / "v2.sqlite3"
    findings, result = _intake()
    legacy_file(db, 2)  # what the previous version wrote
    old = legacy_intake(db, "p1", INTAKE_DAY, findings, result, ["F14"])
    with Store.open(db) as store:
        assert store.revision == HEAD == REVISIONS[-1]
        row = store.latest_consultation("p1")
        assert row is not None and row.id == old and row.exercise_frequencies == {}
        assert row.chosen_exercises == ("F14",)
        new = store.add_consultation("p1", INTAKE_DAY, findings, result, ["F14", "F20"],
                                     exercise_frequencies={"F14": "elke avond"})
        latest = store.latest_consultation("p1")
        assert latest is not None and latest.id == new
        assert latest.exercise_frequencies == {"F14": "elke avond"}
        exported = store.export("p1")["consultations"]
        assert [c["exercise_frequencies"] for c in exported] == [{}, {"F14": "elke avond"}]
    raw = sqlite3.connect(db)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(REVISIONS)
        assert raw.execute("SELECT exercise_frequencies FROM consultations ORDER BY id"
                           ).fetchall() == [("{}",), ('{"F14": "elke avond"}',)]
        with pytest.raises(sqlite3.IntegrityError):  # only JSON goes in
            raw.execute("UPDATE consultations SET exercise_frequencies = 'x'")
    finally:
        raw.close()


def test_a_version_2_file_read_without_migrating_has_no_frequencies(tmp_path: Path) -> None:
    db = tmp_path / "v2.sqlite3"
    findings, result = _intake()
    legacy_file(db, 2)
    legacy_intake(db, "p1", INTAKE_DAY, findings, result, ["F14"])
    store = Store._open_immutable(db)  # as a read-only folder is read
    try:
        assert store.revision == REVISIONS[1]
        row = store.latest_consultation("p1")
        assert row is not None and row.exercise_frequencies == {}
        assert row.chosen_exercises == ("F14",)
    finally:
        store.close()


def test_the_history_names_a_changed_frequency(tmp_path: Path) -> None:
    findings, result = _intake()
    with Store.open(tmp_path / "r.sqlite3") as store:
        store.add_consultation("p1", INTAKE_DAY, findings, result, ["F14", "F20"],
                               exercise_frequencies={"F14": "elke avond"})
        row = store.latest_consultation("p1")
    assert row is not None
    assert "Gekozen oefeningen: F14 (elke avond), F20." in intake_lines(row, PROTOCOL)
    data = history_json("p1", row, [])
    assert data["intake"]["exercise_frequencies"] == {"F14": "elke avond"}
    assert data["intake"]["chosen_exercises"] == ["F14", "F20"]


# --- the report ---------------------------------------------------------------------------------

def test_the_report_and_result_json_name_a_changed_frequency() -> None:
    outcome, _ = outcome_of(choosing(PROFILE_B, "veertien elke avond en twintig"))
    consultation, result = outcome.consultation, outcome.consultation.result
    assert result is not None
    report = build_report(protocol=PROTOCOL, answers=outcome.answers,
                          findings=consultation.findings, result=result,
                          day=date(2026, 11, 2), chosen=outcome.chosen_exercises,
                          frequencies=outcome.exercise_frequencies)
    text = render_markdown(report)
    f14 = next(line for line in text.splitlines() if line.startswith("- F14: "))
    assert "; elke avond in plaats van twee keer per dag (huiswerkfilmpje 14)" in f14
    f20 = next(line for line in text.splitlines() if line.startswith("- F20: "))
    assert "in plaats van" not in f20
    assert report.chosen == (f"F14: {name('F14')}, elke avond", f"F20: {name('F20')}")
    assert result_json(result, outcome.chosen_exercises, outcome.exercise_frequencies)[
        "exercise_frequencies"] == {"F14": "elke avond"}
    assert "exercise_frequencies" not in result_json(result, outcome.chosen_exercises, {})


# --- end to end: intake, records, sheet, `exercises --patient` ---------------------------------

def cli(*args: str, stdin: str = "", env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "ASSISTANT_FAST_CLOCK": "1", **env})


def test_the_changed_frequency_reaches_the_records_the_sheet_and_the_session(
        tmp_path: Path) -> None:
    db, report = tmp_path / "records.sqlite3", tmp_path / "verslag"
    env = {"ASSISTANT_DB": str(db)}
    done = cli("intake", "--text", "--mute", "--patient", "pt-22", "--report", str(report),
               stdin="\n".join([*lines(choosing(PROFILE_B, "veertien elke avond en "
                                                         "vijfenvijftig")), "nee"]) + "\n",
               env=env)  # no baseline measurement now
    assert done.returncode == 0, done.stderr
    with Store.open(db) as store:
        row = store.latest_consultation("pt-22")
        assert row is not None and row.chosen_exercises == ("F14", "F55")
        assert row.exercise_frequencies == {"F14": "elke avond"}
    result = json.loads((report / "result.json").read_text("utf-8"))
    assert result["exercise_frequencies"] == {"F14": "elke avond"}
    sheet = (report / "oefenblad.html").read_text("utf-8")
    f14, f55 = sheet.split('id="F14"')[1].split('id="F55"')
    default_f14, default_f55 = (LIBRARY.exercise(c).dosage.frequency for c in ("F14", "F55"))
    assert "elke avond" in f14 and default_f14 not in f14
    assert f"<dd>{default_f55}</dd>" in f55
    history = cli("history", "--patient", "pt-22", env=env)
    assert history.returncode == 0, history.stderr
    assert "Gekozen oefeningen: F14 (elke avond), F55." in history.stdout
    # the session of the patient's program says the changed frequency (needs
    # cli/exercises.py patient_program to pass the stored frequencies on)
    session = cli("exercises", "--patient", "pt-22", "--text", "--mute", env=env)
    assert session.returncode == 0, session.stderr
    said = LIBRARY.session.frequency
    assert said.format(frequency="elke avond") == "Doe deze oefening elke avond."
    assert said.format(frequency="elke avond") in session.stdout
    assert said.format(frequency=default_f55) in session.stdout  # F55: its default
    assert said.format(frequency=default_f14) not in session.stdout


# --- the therapist's screen ---------------------------------------------------------------------

def test_the_screens_session_uses_the_changed_frequency(page: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.intake_lines import PROFILE_A_LINES as PROFILE_A
    from tests.ui_screen import ended, events

    monkeypatch.setenv("ASSISTANT_FAST_CLOCK", "1")
    page.post("/api/intake", {})
    page.say(*PROFILE_A, "14 elke avond en 20", "ja")
    page.wait(ended)
    program = page.engine.session_program()
    assert program is not None and program.codes == ("F14", "F20")
    assert program.patient.frequency(LIBRARY.exercise("F14")) == "elke avond"
    page.post("/api/session", {})
    messages = page.wait(lambda m: bool(events(m, "done")))
    said = [e["text"] for e in events(messages, "say")]
    assert "Doe deze oefening elke avond." in said


def test_an_exercise_a_precaution_leaves_out_is_refused_at_the_choice() -> None:
    """Rolling down (F1a) is left out for weak bone: named, it is refused with the reason and
    the question asked again; the menu shows the warning to the therapist."""
    emitted: list[Event] = []
    bone = Patient("B", frozenset({"osteoporosis"}))
    dialog = ExerciseChoice(LIBRARY, VOCAB, MENU_B, emitted.append,
                            PROTOCOL.dialog.intake.turns, patient=bone)
    run_dialog(dialog, ScriptedListener(["één a en veertien", "veertien", "ja"]))
    refused = [e for e in emitted if isinstance(e, Reprompt) and e.reason == "not_advised"]
    assert refused and "één a" in refused[0].text
    assert dialog.chosen == ("F14",)
    roll_down = next(c for c in LIBRARY.cautions if c.id == "roll_down_left_out")
    menu = next(e for e in emitted if isinstance(e, Menu))
    assert roll_down.therapist.format(codes="F1a") in menu.cautions
    plain = ExerciseChoice(LIBRARY, VOCAB, MENU_B, lambda e: None, PROTOCOL.dialog.intake.turns)
    run_dialog(plain, ScriptedListener(["één a", "ja"]))
    assert plain.chosen == ("F1a",)


def test_history_names_why_a_patient_was_referred(tmp_path: Path) -> None:
    """The physiotherapist's review: a colleague reads the referral's reasons, not only how
    soon ('vandaag nog') and what was not ruled out."""
    result = {"grade": "IV", "referral": True, "urgency": "today",
              "red_flags": ["fracture", "spinal_cord"], "unresolved": ["infection"]}
    with Store.open(tmp_path / "r.sqlite3") as store:
        store.add_consultation("p1", INTAKE_DAY, FINDINGS, result, [])
        row = store.latest_consultation("p1")
    assert row is not None
    text = "\n".join(intake_lines(row, PROTOCOL))
    names = [PROTOCOL.red_flag(i).name for i in ("fracture", "spinal_cord", "infection")]
    assert f"Reden: {names[0]} en {names[1]}." in text, text
    assert f"Niet uitgesloten: {names[2]}." in text, text
