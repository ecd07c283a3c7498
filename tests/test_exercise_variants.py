"""Home exercises adapted to the patient (issue 22): the cautions of profile D and of the
precautions, said in the session and printed on the sheet where they apply; how often each
exercise is done; glides that slide; `exercises --precautions/--frequency`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.output.sheet import render_sheet
from assistant.protocol.exercises import Patient
from assistant.protocol.findings import PRECAUTIONS
from tests.harness import PROTOCOL, of, run_exercises, said

LIB = PROTOCOL.library
TEXTS = LIB.session
CAUTIONS = {c.id: c for c in LIB.cautions}
GLIDES = ("F27", "F28", "F29", "F29a", "F56", "F56b", "F57", "F58")
DAY = date(2026, 12, 7)


def lines(caution: str) -> list[str]:
    return list(CAUTIONS[caution].patient)


def safety_of(events: list[dict[str, Any]], code: str) -> list[str]:
    """The safety lines said between `code`'s start and its first step."""
    out: list[str] = []
    inside = False
    for e in events:
        if e["event"] == "exercise":
            inside = e["code"] == code
        elif inside and e["event"] == "step":
            break
        elif inside and e["event"] == "say" and e["kind"] == "safety":
            out.append(str(e["text"]))
    return out


def intro_safety(events: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for e in events:
        if e["event"] == "exercise":
            break
        if e["event"] == "say" and e["kind"] == "safety":
            out.append(str(e["text"]))
    return out


def test_every_glide_slides_and_every_exercise_says_how_often() -> None:
    for code in GLIDES:
        exercise = LIB.exercise(code)
        assert "nerve_glide" in exercise.movements and exercise.dosage.hold_seconds == 0, code
    for exercise in LIB.exercises:
        assert exercise.dosage.frequency in LIB.choice.frequencies, exercise.code
        assert exercise.text_source, exercise.code


def test_a_profile_d_patient_hears_the_arm_stop_rule_and_the_head_alternative() -> None:
    d = Patient("D", arm_side="right")
    events = run_exercises(["F20", "F28"], patient=d, warning=PROTOCOL.profile("D")
                           .exercise_warning)
    assert set(lines("worse_arm")) <= set(intro_safety(events))
    assert set(lines("glide_head_straight")) <= set(safety_of(events, "F28"))
    assert not set(lines("glide_head_straight")) & set(safety_of(events, "F20"))
    b = run_exercises(["F20", "F28"], patient=Patient("B"))
    assert not set(lines("worse_arm") + lines("glide_head_straight")) & set(said(b))


@pytest.mark.parametrize("precaution", ["osteoporosis", "corticosteroids"])
def test_weak_bone_gets_not_to_the_end_on_trunk_flexion_and_rotation(precaution: str) -> None:
    patient = Patient("B", frozenset({precaution}))
    events = run_exercises(["F14", "F14b", "F20"], patient=patient)
    caution = lines("bone_end_range")
    assert set(caution) <= set(safety_of(events, "F14"))
    assert set(caution) <= set(safety_of(events, "F14b"))
    assert not set(caution) & set(safety_of(events, "F20"))
    plain = run_exercises(["F14", "F14b"], patient=Patient("B"))
    assert not set(caution) & set(said(plain))


def test_rheumatoid_arthritis_gets_a_caution_on_neck_flexion_and_everyone_the_shock_rule() -> None:
    ra = run_exercises(["F1", "F20"], patient=Patient("B", frozenset({"rheumatoid_arthritis"})))
    assert set(lines("rheumatoid_neck_flexion")) <= set(safety_of(ra, "F1"))
    assert not set(lines("rheumatoid_neck_flexion")) & set(safety_of(ra, "F20"))
    anyone = run_exercises(["F1"])
    assert set(lines("electric_sensation")) <= set(safety_of(anyone, "F1"))
    assert not set(lines("rheumatoid_neck_flexion")) & set(said(anyone))


def test_a_precaution_not_ruled_out_counts_as_present() -> None:
    findings = {"precautions": [], "precautions_unknown": ["osteoporosis"], "arm_side": "left"}
    patient = Patient.from_intake(findings, "B")
    assert patient.precautions == {"osteoporosis"} and patient.arm_side == "left"
    assert CAUTIONS["bone_end_range"] in LIB.cautions_for(patient)
    assert Patient.from_intake({"precautions": ["unknown_thing"]}, None).precautions == set()


@settings(max_examples=40, deadline=None)
@given(profile=st.sampled_from([None, "A", "B", "C", "D"]),
       precautions=st.frozensets(st.sampled_from(PRECAUTIONS)),
       code=st.sampled_from(LIB.codes))
def test_every_caution_that_concerns_the_patient_and_exercise_is_said_with_it(
        profile: str | None, precautions: frozenset[str], code: str) -> None:
    patient = Patient(profile, precautions)
    exercise = LIB.exercise(code)
    events = run_exercises([code], patient=patient)
    steps = [str(e["text"]) for e in events if e["event"] == "step"]
    spoken = said(events)
    left_out = LIB.left_out([code], patient) == (code,)
    for caution in LIB.cautions:
        if left_out and not caution.exclude and not caution.whole_session:
            assert not set(caution.patient) & set(spoken), caution.id  # not done at all
            continue
        due = caution.applies(profile, precautions)
        # with the exercise; of the whole session, or why an exercise is left out: at the start
        where = (intro_safety(events) if caution.whole_session or caution.exclude
                 else safety_of(events, code))
        expected = due and (caution.whole_session or caution.concerns(exercise))
        if caution.exclude and expected:  # not done at all
            assert not of(events, "exercise") and of(events, "done")[0]["skipped"] == [code]
        if caution.patient:
            assert (set(caution.patient) <= set(where)) is expected, (caution.id, code)
        if not due:
            assert not set(caution.patient) & set(spoken), caution.id
        for old, _ in caution.replace:  # its replacements made exactly when it is due
            if old in exercise.steps and expected:
                assert old not in steps, (caution.id, old)
            elif old in exercise.steps and not any(
                    c.applies(profile, precautions) and old in (o for o, _ in c.replace)
                    for c in LIB.cautions):
                assert old in steps, (caution.id, old)


def test_how_often_is_said_with_the_dosage_and_the_therapist_may_change_it() -> None:
    f14 = LIB.exercise("F14")
    default = run_exercises(["F14"])
    line = TEXTS.frequency.format(frequency=f14.dosage.frequency)
    spoken = said(default)
    assert line in spoken
    assert spoken.index(line) < spoken.index(TEXTS.begin)  # with the dosage, before counting
    changed = said(run_exercises(["F14"], patient=Patient(frequencies={"F14": "elke avond"})))
    assert "Doe deze oefening elke avond." in changed and line not in changed


def test_a_timed_exercise_says_how_often_before_its_first_step() -> None:
    events = run_exercises(["F5"])
    first_step = next(i for i, e in enumerate(events) if e["event"] == "step")
    before = [e.get("text") for e in events[:first_step]]
    assert TEXTS.frequency.format(frequency=LIB.exercise("F5").dosage.frequency) in before


def test_the_sheet_prints_how_often_and_the_cautions_where_they_apply() -> None:
    plain = render_sheet(LIB, ["F14", "F20"], day=DAY)
    assert "Hoe vaak" in plain and LIB.exercise("F14").dosage.frequency in plain
    assert lines("bone_end_range")[0] not in plain
    bone = render_sheet(LIB, ["F14", "F20"], day=DAY,
                        patient=Patient("B", frozenset({"osteoporosis"}),
                                        frequencies={"F20": "om de dag"}))
    f14 = bone[bone.index('id="F14"'):bone.index('id="F20"')]
    f20 = bone[bone.index('id="F20"'):]
    assert lines("bone_end_range")[0] in f14 and lines("bone_end_range")[0] not in f20
    assert "om de dag" in f20
    d = render_sheet(LIB, ["F28"], day=DAY, warning=PROTOCOL.profile("D").exercise_warning,
                     patient=Patient("D", arm_side="left"))
    top = d[d.index('class="warning"'):d.index('id="F28"')]
    assert lines("worse_arm")[0] in top
    assert lines("glide_head_straight")[0] in d[d.index('id="F28"'):]


# --- the command line -----------------------------------------------------------------------

def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True,
                          text=True, timeout=120, check=False, stdin=subprocess.DEVNULL,
                          env={**os.environ, "ASSISTANT_FAST_CLOCK": "1"})


def test_list_json_has_glides_without_hold_and_a_frequency_for_every_exercise() -> None:
    done = run("exercises", "--list", "--json")
    assert done.returncode == 0, done.stderr
    listed = {e["code"]: e for e in json.loads(done.stdout)}
    assert all(listed[c]["dosage"]["hold_seconds"] == 0 for c in GLIDES)
    assert all(e["dosage"]["frequency"] for e in listed.values())
    bone = json.loads(run("exercises", "--list", "--json", "--codes", "F14,F20,F17",
                          "--precautions", "osteoporose", "--frequency",
                          "F20=om de dag").stdout)
    assert lines("bone_end_range")[0] in bone[0]["cautions"]
    assert lines("bone_end_range")[0] not in bone[1]["cautions"]
    assert set(lines("bone_session")) <= set(bone[1]["cautions"])  # the whole session's
    assert [e["left_out"] for e in bone] == [False, False, True]  # F17 not for weak bone
    assert ("Draai uw hoofd rustig naar links, tot ongeveer de helft van wat u kunt."
            in bone[0]["steps"])  # F14 as this patient hears it
    assert bone[1]["dosage"]["frequency"] == "om de dag"


def test_a_session_with_precautions_and_a_frequency_from_the_command_line(
        tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    done = run("exercises", "--codes", "F14", "--precautions", "prednison", "--frequency",
               "F14=elke avond", "--text", "--mute", "--events", str(log))
    assert done.returncode == 0, done.stderr
    spoken = [e["text"] for e in map(json.loads, log.read_text("utf-8").splitlines())
              if e["event"] == "say"]
    assert lines("bone_end_range")[0] in spoken
    assert "Doe deze oefening elke avond." in spoken
    sheet = tmp_path / "blad.html"
    done = run("exercises", "--profile", "D", "--codes", "F20", "--sheet", str(sheet))
    assert done.returncode == 0, done.stderr
    assert lines("worse_arm")[0] in sheet.read_text("utf-8")


@pytest.mark.parametrize(("args", "message"), [
    (["--codes", "F14", "--precautions", "diabetes"], "onbekende voorzorg 'diabetes'"),
    (["--codes", "F14", "--frequency", "F14"], "schrijf --frequency als F14=elke avond"),
    (["--codes", "F14", "--frequency", "F17=elke avond"], "F17 is geen van de gekozen"),
    (["--codes", "F14", "--frequency", "F14=3x per dag"], "'3x per dag' ken ik niet; kies uit"),
    (["--codes", "F14,F55", "--frequency", "F14=elke avond", "--frequency", "F14=om de dag"],
     "F14 staat er twee keer"),
    (["--codes", "F14,F55", "--frequency", "F14=elke avond,F55=om de dag"],
     "één oefening per --frequency"),
    (["--codes", "F14,F55", "--frequency", "F14 en F55=elke avond"],
     "één oefening per --frequency"),
    (["--codes", "F14", "--frequency", "F14\x1b[31m=elke avond"], "onbekende oefening"),
    (["--codes", "F14", "--frequency", "F99=elke avond"], "onbekende oefening"),
    (["--patient", "P-1", "--precautions", "reuma"], "gaat niet samen met"),
    (["--precautions", "reuma"], "horen bij --codes"),
])
def test_bad_precautions_and_frequencies_are_one_dutch_line_and_exit_2(
        args: list[str], message: str) -> None:
    done = run("exercises", "--text", "--mute", *[a.replace("\\x1b", "\x1b") for a in args])
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr and "\x1b" not in done.stderr


@pytest.mark.parametrize("said", ["twee a drie keer per dag", "twee a\u0300 drie keer per dag",
                                  "2 à 3 keer per dag", "Twee à drie  keer per dag"])
def test_frequency_on_the_command_line_is_read_as_the_choice_reads_it(said: str) -> None:
    done = run("exercises", "--list", "--json", "--codes", "F14", "--frequency", f"F14={said}")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["dosage"]["frequency"] == "twee à drie keer per dag"


def test_a_stored_frequency_outside_the_list_is_not_said() -> None:
    from assistant.intake.program import known_frequencies

    stored = {"F14": "elke nacht", "F55": "om de dag", "F99": "elke avond", "F20": 5}
    assert known_frequencies(stored, ("F14", "F55", "F20"), PROTOCOL) == {"F55": "om de dag"}


def test_a_caution_changes_the_instruction_itself_so_nothing_contradicts_it() -> None:
    """The physiotherapist's review: 'niet tot het uiterste' followed by 'zo ver als prettig
    is', or 'niet naar voren buigen' followed by 'kin naar uw borst', contradicted itself."""
    bone = said(run_exercises(["F1", "F14", "F14b"],
                              patient=Patient("B", frozenset({"osteoporosis"}))))
    assert not [line for line in bone if "zo ver als prettig" in line or "bol" in line]
    assert "Houd uw rug de hele tijd recht." in bone
    assert not [line for line in bone if "op een mat" in line]
    ra = said(run_exercises(["F1", "F17", "F26", "F33"],
                            patient=Patient("B", frozenset({"rheumatoid_arthritis"}))))
    assert not [line for line in ra if "naar uw borst zakken" in line and "niet" not in line]
    assert not [line for line in ra if "meebuigen" in line or "kin een klein beetje in" in line]
    assert not [line for line in ra if "handen losjes tegen uw wangen" in line]
    both = run_exercises(["F1", "F17"], patient=Patient(
        "B", frozenset({"osteoporosis", "rheumatoid_arthritis"})))
    assert "Houd uw hoofd tegelijk rechtop." in said(both)  # the stricter of the two
    assert of(both, "done")[0]["skipped"] == ["F17"]  # not for weak bone
    d = said(run_exercises(["F28", "F1"], patient=Patient("D", arm_side="right")))
    assert not [line for line in d if "oor iets naar" in line]
    assert "Houd uw hoofd recht." in d and "Kijk tegelijk rustig omhoog." not in d
    b = said(run_exercises(["F28"], patient=Patient("B", arm_side="right")))
    assert "Breng tegelijk uw oor iets naar de schouder van uw oefenarm." in b
    sheet = render_sheet(LIB, ["F14"], day=DAY,
                         patient=Patient("B", frozenset({"corticosteroids"})))
    assert "tot ongeveer de helft van wat u kunt" in sheet and "zo ver als prettig" not in sheet


def test_every_caution_text_is_written_for_the_ear() -> None:
    for caution in LIB.cautions:
        for text in (*caution.patient, *(new for _, new in caution.replace if new)):
            for part in re.split(r"(?<=[.?!]) ", text):
                assert len(part.split()) <= 18, (caution.id, part)
    for exercise in LIB.exercises:
        for text in exercise.side_texts:
            assert text.endswith(".") and len(text.split()) <= 18, exercise.code


@pytest.mark.parametrize("precaution", ["osteoporosis", "corticosteroids", "rheumatoid_arthritis"])
def test_rolling_down_is_left_out_for_weak_bone_and_rheumatism(precaution: str) -> None:
    patient = Patient("B", frozenset({precaution}))
    events = run_exercises(["F1a", "F14"], patient=patient)
    assert [e["code"] for e in of(events, "exercise")] == ["F14"]
    assert of(events, "done")[0]["skipped"] == ["F1a"]
    assert set(lines("roll_down_left_out")) <= set(intro_safety(events))
    sheet = render_sheet(LIB, ["F1a", "F14"], day=DAY, patient=patient)
    assert 'id="F1a"' not in sheet and lines("roll_down_left_out")[0] in sheet
    assert "1 oefening" in sheet
    assert LIB.left_out(["F1a", "F14"], Patient("B")) == ()


def test_a_d_patient_hears_stop_rules_relative_to_before_exercising() -> None:
    events = run_exercises(["F14"], patient=Patient("D", arm_side="left"))
    start = intro_safety(events)
    assert TEXTS.safety[0] not in start  # the rule for an arm without symptoms
    assert "Straalt de pijn verder uit, of tintelt het meer dan vóór het oefenen? " \
           "Stop dan met de oefening." in start
    assert set(lines("rotation_toward_the_arm")) <= set(safety_of(events, "F14"))
    assert TEXTS.safety[0] in intro_safety(run_exercises(["F14"], patient=Patient("B")))
