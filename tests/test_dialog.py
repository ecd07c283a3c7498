"""Whole consultations through the one harness: profiles, referral, commands, confirmation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.dialog.answers_file import FindingsAnswerer
from assistant.dialog.consultation import DialogConfig
from assistant.intake.run import run_consultation as run_intake_dialog
from assistant.protocol import classify
from assistant.protocol.findings import Findings, needed_keys
from assistant.protocol.rules import skipped
from assistant.speech.interfaces import Utterance
from tests.findings_strategies import findings_strategy, needed_only
from tests.harness import (
    CLEARED_TRAUMA_BY_ID,
    END_AT_CHOICE,
    GRADE_III_BY_ID,
    HIGH_RISK_QUESTIONS,
    NO_HIGH_RISK,
    NO_NEURO_BY_ID,
    PROFILE_B_NOT_WORKING,
    PROTOCOL,
    RED_FLAG_QUESTIONS,
    SCREENED_BY_ID,
    TRAUMA_BY_ID,
    JsonEvent,
    asked,
    collect,
    intake,
    of,
    profile,
    result_of,
    run_consultation,
    stopped,
)
from tests.intake_script import IntakeScript, Said, UnscriptedQuestion

# The order of a consultation (issue 25): the age, then the complaint (here as the harness
# answers it by default: since today, no accident, improving, not recurrent, a little impact,
# no arm complaints); then the red-flag history and the precautions, each one checklist; work
# where needed; the examination block last, with its red flags for every patient (one
# checklist too). The duration is asked second, once, for everybody (a referral needs it for
# the letter).
COMPLAINT = ["age_years", "weeks_since_onset", "trauma_related", "improving", "recurrent",
             "adl_impact", "arm_complaints"]
HISTORY = ["red_flags", "precautions"]  # each a checklist (one ask)
ASKED_FIRST = [*COMPLAINT, *HISTORY]
EXAMINATION_FLAGS = [q.id for q in PROTOCOL.section_questions("examination")]
EXAMINATION = ["examination"]  # the examination's red flags: one checklist, for every patient
ARM_SIGNS = ["neuro_reflexes", "neuro_weakness", "neuro_sensory"]
DURATION = "drie weken"
AGE_ONLY = {"age_years": "47"}  # the age, then nothing more than a test names
FIRST_FLAG = RED_FLAG_QUESTIONS[0]
# A script that names a red flag with more than a plain "ja" or "nee" (a list of replies, a
# command, a voice utterance) answers the checklist "een voor een" (tests/intake_script.py):
# the flags are then asked one by one from here in asked(), right after the checklist; their
# answers from here in the answers (the checklist itself has none).
ONE_BY_ONE_AT = ASKED_FIRST.index("red_flags") + 1
ONE_BY_ONE_ANSWERS_AT = ONE_BY_ONE_AT - 1

PROFILE_B = profile("B")


def answers_to(events: list[JsonEvent], question: str) -> list[JsonEvent]:
    return [a for a in of(events, "answer") if a["question"] == question]


def not_working_b(*more: Mapping[str, Said], **options: Any) -> IntakeScript:
    """Profile B's answers, but the patient has no work (nothing asked about it)."""
    return intake(SCREENED_BY_ID, PROFILE_B_NOT_WORKING, END_AT_CHOICE, *more, **options)


def test_profile_a_asks_only_what_is_needed() -> None:
    events = run_consultation(profile("A", strict=True))
    r = result_of(events)
    assert (r["grade"], r["course"], r["profile"]) == ("I", "normal", "A")
    # no arm complaints: no arm sign examined; no work: no work questions; the examination's
    # red flags, asked of every patient, last
    assert asked(events) == [*ASKED_FIRST, "has_work", *EXAMINATION]
    gate = [a for a in of(events, "answer") if a["question"] == "arm_complaints"]
    assert [(a["finding"], a["value"]) for a in gate] == [("neurological_signs", False)]
    assert not stopped(events)


def test_profile_b_work_related_with_long_absence() -> None:
    events = run_consultation(profile("B", strict=True))
    r = result_of(events)
    assert (r["grade"], r["course"], r["profile"]) == ("II", "abnormal", "B")
    assert "improving" not in asked(events)  # eight weeks: the course is already abnormal
    assert r["actions"] == ["consider_occupational_physio", "advise_occupational_physician",
                            "coordinate_with_occupational_physician"]
    absence = [e for e in of(events, "answer") if e["finding"] == "work_absence_weeks"]
    assert absence[0]["value"] == 5


def test_profile_c() -> None:
    events = run_consultation(profile("C", strict=True))
    r = result_of(events)
    assert (r["course"], r["profile"]) == ("abnormal", "C")
    assert "recurrent" not in asked(events)  # not improving: already abnormal
    assert "work_absence_weeks" not in asked(events)  # not work-related


def test_profile_d_asks_every_arm_sign_the_test_and_the_course() -> None:
    events = run_consultation(profile("D", strict=True))
    r = result_of(events)
    assert (r["grade"], r["profile"], r["course"]) == ("III", "D", "normal")
    # the course in the complaint; arm complaints: the three arm signs, the side, the test and
    # the referral examined after the examination's red flags; no psychosocial question: that
    # only chooses between B and C
    assert asked(events) == [*ASKED_FIRST, "has_work", *EXAMINATION, *ARM_SIGNS,
                             "arm_side", "radicular_test", "referred_for_arm_signs"]
    gate = [a for a in of(events, "answer") if a["question"] == "arm_complaints"]
    assert [a["value"] for a in gate] == [True]  # "ja": the signs are examined later
    assert "semi_rigid_collar" in r["therapy"]["consider"]
    assert r["actions"] == ["contact_gp"] and "waarschijnlijk" in r["reasons"][1]


def test_grade_iii_referred_for_it_needs_no_call_to_the_gp() -> None:
    answers = intake(SCREENED_BY_ID, GRADE_III_BY_ID, {
        "arm_side": "rechts", "radicular_test": "niet gedaan", "referred_for_arm_signs": "ja",
        "adl_impact": "fors", "weeks_since_onset": "tien weken", "has_work": "nee",
        "exercise_choice": None}, strict=True)
    r = result_of(run_consultation(answers))
    assert (r["profile"], r["course"], r["actions"]) == ("D", "abnormal", [])
    assert "minder zeker" in r["reasons"][1]


def referred(flags: dict[str, Said], *more: dict[str, Said], **options: Any) -> IntakeScript:
    """Every red flag "nee" except `flags` (a "ja" is read back and confirmed); no deficit now
    (asked right after a vascular or spinal-cord flag found or doubted), no precaution, no
    trauma, and the duration (asked second, for everybody; the letter names it)."""
    return intake(SCREENED_BY_ID, {"acute_deficit_now": "nee"}, flags,
                  {"weeks_since_onset": DURATION}, *more, **options)


def test_every_red_flag_is_asked_and_a_confirmed_one_refers() -> None:
    events = run_consultation(referred({"rf_spinal_cord_bilateral": "ja"}))
    # the red-flag history is one checklist that presents every flag; the one named is read
    # back (with what it means) and confirmed
    (checklist,) = [e for e in of(events, "ask") if e["question"] == "red_flags"]
    assert [sign["id"] for sign in checklist["signs"]] == RED_FLAG_QUESTIONS
    confirms = of(events, "confirm")
    assert len(confirms) == 1 and confirms[0]["question"] == "red_flags"
    assert confirms[0]["finding"] == "red_flags"
    assert confirms[0]["value"] == {sign: sign == "rf_spinal_cord_bilateral"
                                    for sign in RED_FLAG_QUESTIONS}
    assert "alarmsignaal" in confirms[0]["text"]
    label = PROTOCOL.question("rf_spinal_cord_bilateral").label
    assert confirms[0]["text"].startswith(f"Dus wel: {label}. De andere niet.")
    assert "confirm" not in [e["event"] for e in of(events, "ask")]
    r = result_of(events)
    assert r["grade"] == "IV" and r["referral"] and r["profile"] is None
    assert (r["urgency"], r["red_flags"]) == ("acute", ["spinal_cord"])
    # the complaint (its duration for the letter) before the flags; whether the deficit is
    # there now right after the flag; the precautions (they can make it acute); then the
    # examination's red flags (the letter names them); no work, no arm; no more
    assert asked(events) == [*COMPLAINT, "red_flags", "acute_deficit_now", "precautions",
                             *EXAMINATION]
    assert asked(events).count("weeks_since_onset") == 1


def test_two_flags_in_two_categories_are_both_in_the_result() -> None:
    events = run_consultation(referred({"rf_infection": "ja", "rf_tumour_weight_night": "ja"}))
    r = result_of(events)
    assert r["red_flags"] == ["infection", "tumour"] and r["urgency"] == "acute"
    assert "mogelijke infectie en mogelijke tumor of uitzaaiing" in r["reasons"][0]


def test_an_arterial_sign_is_referred_acutely() -> None:
    events = run_consultation(referred({"rf_vascular_headache": "ja"}))
    r = result_of(events)
    assert (r["referral"], r["urgency"], r["red_flags"]) == (True, "acute", ["vascular"])
    summary = next(e["text"] for e in of(events, "say") if e["kind"] == "summary")
    assert "vandaag" in summary


def test_doubt_on_a_red_flag_is_asked_once_more_then_left_unresolved() -> None:
    events = run_consultation(not_working_b({"rf_infection": ["weet ik niet", "niet getest"]},
                                            strict=True))
    doubts = [r for r in of(events, "reprompt") if r["reason"] == "doubt"]
    assert len(doubts) == 1 and "niet uitgesloten" in doubts[0]["text"]
    said = " ".join(e["text"] for e in of(events, "say"))
    assert "Ik noteer: dit alarmsignaal is niet uitgesloten." in said
    assert asked(events).count("rf_infection") == 2
    infection = [a for a in of(events, "answer") if a["question"] == "rf_infection"]
    assert infection[0]["value"] == "unknown"
    r = result_of(events)
    assert (r["provisional"], r["unresolved"], r["profile"]) == (True, ["infection"], "B")
    assert r["actions"][0] == "resolve_red_flags"


def test_a_routine_flag_with_an_acute_one_not_ruled_out_is_acute() -> None:
    events = run_consultation(referred({
        "rf_tumour_weight_night": "ja",
        "rf_vascular_headache": ["weet ik niet", "weet ik niet"]}))
    r = result_of(events)
    assert (r["red_flags"], r["unresolved"], r["urgency"]) == (["tumour"], ["vascular"], "acute")
    assert r["provisional"] is False  # a referral is no plan of ours


def test_a_trauma_with_a_red_flag_can_make_it_acute() -> None:
    # osteoporosis, a trauma twelve weeks ago, not imaged (the rule's history is asked in the
    # complaint, before the precautions are known: no high-risk factor, a rear-end collision)
    events = run_consultation(referred({"rf_tumour_history": "ja", "pr_osteoporosis": "ja"},
                                       TRAUMA_BY_ID, NO_HIGH_RISK, {"cs_simple_rear_end": "ja"}))
    r = result_of(events)
    assert (r["red_flags"], r["urgency"]) == (["fracture", "tumour"], "acute")
    # the precaution makes it a fracture suspicion: the rule's examination is not needed
    assert not {"cs_midline_tenderness", "cs_rotation_45"} & set(asked(events))


def test_doubt_during_a_confirmation_is_doubt_on_the_question() -> None:
    # the red flags one by one: the first flag "ja", doubt when it is read back, then "nee";
    # the input ends after the flags (at whether the patient works)
    events = run_consultation(intake(AGE_ONLY, {FIRST_FLAG: ["ja", "nee"], "has_work": None},
                                     confirms={FIRST_FLAG: "weet ik niet"},
                                     defaults={"red_flags": "nee", "precautions": "nee"},
                                     strict=True))
    doubt = [r for r in of(events, "reprompt") if r["reason"] == "doubt"]
    assert len(doubt) == 1 and "niet uitgesloten" in doubt[0]["text"]
    assert doubt[0]["question"] == FIRST_FLAG
    first = of(events, "answer")[ONE_BY_ONE_ANSWERS_AT]  # after the complaint
    assert (first["question"], first["value"]) == (FIRST_FLAG, False)


def test_doubt_on_a_c_spine_step_counts_against_clearing_the_neck() -> None:
    events = run_consultation(intake(CLEARED_TRAUMA_BY_ID, {
        "cs_rotation_45": ["weet ik niet", "niet getest"], "weeks_since_onset": DURATION},
        strict=True))
    r = result_of(events)
    assert r["red_flags"] == ["fracture"]
    rotation = [a for a in of(events, "answer") if a["question"] == "cs_rotation_45"]
    assert rotation[0]["value"] == "unknown"
    notice = [e["text"] for e in of(events, "say") if e["kind"] == "notice"]
    assert any("niet nagegaan" in text for text in notice)


def test_doubt_elsewhere_counts_as_a_try() -> None:
    events = run_consultation(profile(
        "A", {"improving": ["misschien", "misschien", "misschien", "ja"]}, strict=True))
    doubts = [r for r in of(events, "reprompt") if r["reason"] == "doubt"]
    assert len(doubts) == 3 and "herhaal" in doubts[2]["text"]
    assert "herhaal" not in doubts[0]["text"]


def test_doubt_then_a_clear_answer_is_that_answer() -> None:
    events = run_consultation(not_working_b({"rf_infection": ["misschien", "nee"]},
                                            strict=True))
    assert result_of(events)["provisional"] is False


def test_doubt_elsewhere_gets_the_help_and_the_question_again() -> None:
    events = run_consultation(profile("A", {"improving": ["ik denk het niet", "ja"]},
                                      strict=True))
    doubt = [r for r in of(events, "reprompt") if r["reason"] == "doubt"]
    assert len(doubt) == 1 and PROTOCOL.question("improving").help in doubt[0]["text"]
    assert asked(events).count("improving") == 2
    assert result_of(events)["profile"] == "A"


def test_rear_end_collision_cleared_by_the_c_spine_rule_reaches_b_with_kinesiotape() -> None:
    events = run_consultation(not_working_b(CLEARED_TRAUMA_BY_ID, strict=True))
    r = result_of(events)
    assert (r["grade"], r["profile"], r["referral"]) == ("II", "B", False)
    assert "kinesiotape" in r["therapy"]["consider"]
    assert PROTOCOL.reason("trauma_cleared") in r["reasons"]
    questions = asked(events)
    assert questions.count("trauma_related") == 1  # the trauma question is asked once
    # the rule's history in the complaint, right after the accident (the age is known: the
    # rule's age item is not asked); its examination in the examination block, after its red
    # flags: a low-risk factor, so no midline tenderness, only the rotation
    at = questions.index("trauma_related") + 1
    assert questions[at:at + 8] == [
        "trauma_weeks_ago", "fracture_ruled_out", *HIGH_RISK_QUESTIONS, "cs_simple_rear_end"]
    assert questions[-2:] == [*EXAMINATION, "cs_rotation_45"]
    assert "cs_midline_tenderness" not in questions
    assert not of(events, "confirm")  # nothing alarming was said


def test_seventy_year_old_after_a_fall_is_referred_acutely() -> None:
    # a fall, confirmed: a high-risk factor; the other high-risk questions are still asked
    events = run_consultation(intake(TRAUMA_BY_ID, NO_HIGH_RISK, {
        "cs_fall": "ja", "weeks_since_onset": DURATION}, strict=True))
    r = result_of(events)
    assert (r["referral"], r["urgency"], r["red_flags"]) == (True, "acute", ["fracture"])
    questions = asked(events)
    at = questions.index("fracture_ruled_out") + 1
    # all asked; a high-risk factor found decides the rule: no low-risk factor, no course,
    # straight on to the red flags and the precautions
    assert questions[at:at + len(HIGH_RISK_QUESTIONS) + 1] == [*HIGH_RISK_QUESTIONS, HISTORY[0]]
    assert questions[1] == "weeks_since_onset" and questions.count("weeks_since_onset") == 1
    assert [c["question"] for c in of(events, "confirm")] == ["cs_fall"]
    assert "breuk niet uit" in of(events, "confirm")[0]["text"]
    # seventy: the age answers the rule's age item, a high-risk factor by itself
    old = run_consultation(intake(TRAUMA_BY_ID, {"age_years": "70",
                                                 "weeks_since_onset": DURATION}, strict=True))
    r = result_of(old)
    assert (r["referral"], r["urgency"], r["red_flags"]) == (True, "acute", ["fracture"])
    assert not {"cs_age_65", *HIGH_RISK_QUESTIONS} & set(asked(old))
    # the duration asked second (for the letter too); after the accident straight on to the
    # history, then the examination's red flags
    assert asked(old) == ["age_years", "weeks_since_onset", "trauma_related", "trauma_weeks_ago",
                          "fracture_ruled_out", *HISTORY, *EXAMINATION]


def test_no_low_risk_factor_refers_and_midline_tenderness_is_asked_the_other_way() -> None:
    no_low_risk = {"cs_simple_rear_end": "nee", "cs_walked": "nee", "cs_delayed_onset": "nee"}
    events = run_consultation(intake(TRAUMA_BY_ID, NO_HIGH_RISK, no_low_risk, {
        "cs_midline_tenderness": "ja", "weeks_since_onset": DURATION},  # tender, confirmed
        strict=True))
    assert result_of(events)["red_flags"] == ["fracture"]
    confirm = of(events, "confirm")[-1]  # the answer that decides is read back
    assert confirm["question"] == "cs_midline_tenderness" and "breuk niet uit" in confirm["text"]
    cleared = run_consultation(profile("A", TRAUMA_BY_ID, NO_HIGH_RISK, no_low_risk, {
        "cs_midline_tenderness": "nee", "cs_rotation_45": "ja", "weeks_since_onset": "twee weken",
        "adl_impact": "een beetje"}, strict=True))
    assert asked(cleared).count("cs_rotation_45") == 1
    midline = [e for e in of(events, "ask") if e["question"] == "cs_midline_tenderness"]
    assert midline[0]["yes_means"] is False and midline[0]["finding"] == "c_spine_rule.low_risk"
    assert all("yes_means" not in e for e in of(events, "ask") if e["question"] != midline[0][
        "question"])
    assert result_of(cleared)["profile"] == "A"


def test_no_rotation_is_confirmed_and_refers() -> None:
    events = run_consultation(intake(CLEARED_TRAUMA_BY_ID, {
        "cs_rotation_45": "nee", "weeks_since_onset": DURATION}, strict=True))
    confirm = of(events, "confirm")[0]
    assert confirm["question"] == "cs_rotation_45"
    label = PROTOCOL.question("cs_rotation_45").label
    assert confirm["text"].startswith(f"Dus niet: {label}.")  # read back as the step itself
    assert result_of(events)["red_flags"] == ["fracture"]


def test_trauma_with_osteoporosis_is_a_fracture_suspicion_without_the_rule() -> None:
    # the rule's history comes with the accident, before the precautions are known (no
    # high-risk factor, a rear-end collision); osteoporosis then decides without the rule:
    # its examination (midline tenderness, rotation) is not asked
    events = run_consultation(intake(TRAUMA_BY_ID, NO_HIGH_RISK, {
        "cs_simple_rear_end": "ja", "pr_osteoporosis": "ja", "weeks_since_onset": DURATION},
        strict=True))
    r = result_of(events)
    assert (r["referral"], r["red_flags"]) == (True, ["fracture"])
    questions = asked(events)
    assert not {"cs_midline_tenderness", "cs_rotation_45"} & set(questions)
    assert questions[-1:] == EXAMINATION


def test_a_fracture_ruled_out_by_imaging_needs_no_rule_even_with_osteoporosis() -> None:
    # imaging: a "ja" is read back (and confirmed)
    events = run_consultation(not_working_b(TRAUMA_BY_ID, {
        "pr_osteoporosis": "ja", "fracture_ruled_out": "ja"}, strict=True))
    r = result_of(events)
    assert (r["referral"], r["profile"], r["cautions"]) == (False, "B", ["no_manipulation"])
    assert PROTOCOL.reason("trauma_imaged") in r["reasons"]
    assert "kinesiotape" in r["therapy"]["consider"]
    assert not set(HIGH_RISK_QUESTIONS) & set(asked(events))


def test_a_precaution_without_trauma_means_mobilisation() -> None:
    events = run_consultation(not_working_b({"pr_anticoagulants": "ja"}, strict=True))
    r = result_of(events)
    assert r["profile"] == "B" and r["cautions"] == ["no_manipulation"]
    assert r["therapy"]["recommended"] == ["exercise_therapy", "mobilisation"]


def test_red_flag_yes_not_confirmed_is_asked_again() -> None:
    # the flags one by one; the input ends at the second
    events = run_consultation(intake(AGE_ONLY, {FIRST_FLAG: ["ja", "nee"],
                                                RED_FLAG_QUESTIONS[1]: None},
                                     confirms={FIRST_FLAG: "nee"},
                                     defaults={"red_flags": "nee", "precautions": "nee"},
                                     strict=True))
    assert asked(events)[ONE_BY_ONE_AT:] == [FIRST_FLAG, FIRST_FLAG, RED_FLAG_QUESTIONS[1]]
    answers = of(events, "answer")[ONE_BY_ONE_ANSWERS_AT:]  # after the complaint
    assert answers[0]["question"] == FIRST_FLAG and answers[0]["value"] is False
    assert not of(events, "result")


def test_confirmation_waits_for_yes_or_no() -> None:
    events = run_consultation(referred({FIRST_FLAG: "ja"}, confirms={FIRST_FLAG: ["blauw", "ja"]}))
    assert len(of(events, "confirm")) == 2
    assert of(events, "reprompt")[0]["text"] == "Zeg ja of nee."
    assert result_of(events)["referral"] is True


def test_low_confidence_answers_are_confirmed() -> None:
    low = Utterance("nee", confidence=0.6, source="voice")
    low_none = Utterance("geen", confidence=0.6, source="voice")
    very_low = Utterance("fors", confidence=0.3, source="voice")
    # the impact in the complaint, then a red flag (one by one); the input ends after it
    events = run_consultation(intake(SCREENED_BY_ID, NO_NEURO_BY_ID, {
        FIRST_FLAG: low, "adl_impact": very_low, RED_FLAG_QUESTIONS[1]: None}, strict=True),
        DialogConfig())
    confirms = of(events, "confirm")
    assert [c["question"] for c in confirms] == ["adl_impact", FIRST_FLAG]
    assert confirms[0]["text"].startswith("Ik hoorde: fors.")
    assert {"event": "heard", "text": "nee", "confidence": 0.6,
            "source": "voice"} in of(events, "heard")
    # a checklist answered "geen", heard unsure, is read back as well
    events = run_consultation(intake(SCREENED_BY_ID, NO_NEURO_BY_ID, {
        "red_flags": low_none, "has_work": None}, strict=True), DialogConfig())
    (confirm,) = of(events, "confirm")
    assert (confirm["question"], confirm["text"]) == (
        "red_flags", "Dus geen van deze. Klopt dat? Zeg ja of nee.")
    assert answers_to(events, "red_flags")[0]["value"] == dict.fromkeys(RED_FLAG_QUESTIONS, False)


def test_herhaal_repeats_the_question() -> None:
    events = run_consultation(intake(AGE_ONLY, {FIRST_FLAG: ["herhaal", "nog een keer", None]},
                                     strict=True))
    # the flags one by one
    assert asked(events) == [*ASKED_FIRST[:ONE_BY_ONE_AT], *[FIRST_FLAG] * 3]
    assert stopped(events)
    # a checklist: its signs read again
    events = run_consultation(intake(AGE_ONLY, {"red_flags": ["herhaal", None]}, strict=True))
    assert asked(events) == [*COMPLAINT, "red_flags", "red_flags"]
    checklists = [e for e in of(events, "ask") if e["question"] == "red_flags"]
    assert len(checklists) == 2 and checklists[0] == checklists[1]


def test_terug_changes_the_previous_answer() -> None:
    # two months (an abnormal course) taken back at the next question: three weeks
    events = run_consultation(profile("A", {"weeks_since_onset": ["twee maanden", "drie weken"],
                                            "trauma_related": ["terug", "nee"]},
                                      strict=True))
    r = result_of(events)
    assert (r["grade"], r["course"], r["profile"]) == ("I", "normal", "A")
    assert asked(events)[:5] == ["age_years", "weeks_since_onset", "trauma_related",
                                 "weeks_since_onset", "trauma_related"]
    assert [a["value"] > 6 for a in answers_to(events, "weeks_since_onset")] == [True, False]


def test_terug_across_a_section_restores_the_findings() -> None:
    # arm complaints: the arm signs examined last; D after a neuro "ja"; going back and
    # answering "nee" leads to A
    events = run_consultation(profile("A", {
        "neuro_reflexes": ["ja", "nee"], "neuro_weakness": ["terug", "nee"],
        "adl_impact": "fors", "weeks_since_onset": "twee weken"}, strict=True))
    assert result_of(events)["profile"] == "A"
    assert asked(events)[len(ASKED_FIRST) + 1 + len(EXAMINATION):] == [
        "neuro_reflexes", "neuro_weakness", "neuro_reflexes", "neuro_weakness", "neuro_sensory"]
    # the gate "ja" taken back at the next section (the red flags' checklist): "nee" now
    # records no arm signs, and none is examined
    events = run_consultation(intake(SCREENED_BY_ID, {
        "weeks_since_onset": "twee weken", "adl_impact": "fors", "arm_complaints": ["ja", "nee"],
        "red_flags": ["terug", "geen"], "has_work": "nee", "exercise_choice": None},
        strict=True))
    assert result_of(events)["profile"] == "A"
    assert asked(events) == [*COMPLAINT, "red_flags", "arm_complaints", *HISTORY, "has_work",
                             *EXAMINATION]
    assert [a["value"] for a in answers_to(events, "arm_complaints")] == [True, False]


def test_terug_at_the_first_question_says_so() -> None:
    # the age is the first question
    events = run_consultation(intake({"age_years": ["terug", None]}, strict=True))
    assert of(events, "reprompt")[0]["text"] == "Dit is de eerste vraag."
    assert asked(events) == ["age_years"] * 2


def test_terug_during_confirmation_drops_the_unconfirmed_answer() -> None:
    events = run_consultation(intake(AGE_ONLY, {FIRST_FLAG: ["ja", "nee"],
                                                RED_FLAG_QUESTIONS[1]: None},
                                     confirms={FIRST_FLAG: "terug"}, strict=True))
    assert asked(events)[ONE_BY_ONE_AT:ONE_BY_ONE_AT + 2] == [FIRST_FLAG] * 2
    answers = of(events, "answer")[ONE_BY_ONE_ANSWERS_AT:]  # after the complaint
    assert answers[0]["question"] == FIRST_FLAG and answers[0]["value"] is False
    # a checklist read back: 'terug' drops its answer and reads the signs again
    events = run_consultation(intake(AGE_ONLY, {"red_flags": ["4", "geen"], "has_work": None},
                                     confirms={"red_flags": "terug"}, strict=True))
    assert asked(events)[len(COMPLAINT):] == ["red_flags", *HISTORY, "has_work"]
    assert [a["value"] for a in answers_to(events, "red_flags")] == [
        dict.fromkeys(RED_FLAG_QUESTIONS, False)]


def test_help_gives_the_help_text_and_the_commands() -> None:
    events = run_consultation(intake(AGE_ONLY, {FIRST_FLAG: ["help", None]}, strict=True))
    reprompt = of(events, "reprompt")[0]
    assert reprompt["reason"] == "help"
    assert PROTOCOL.question(FIRST_FLAG).help in reprompt["text"]
    assert "herhaal" in reprompt["text"]


def test_nonsense_is_reasked_never_guessed() -> None:
    events = run_consultation(intake(AGE_ONLY, {FIRST_FLAG: ["paars", "blauw", "eh", "nee"],
                                                RED_FLAG_QUESTIONS[1]: None}, strict=True))
    reprompts = of(events, "reprompt")
    assert [r["reason"] for r in reprompts] == ["not_understood"] * 3
    assert "herhaal" in reprompts[2]["text"] and "herhaal" not in reprompts[1]["text"]
    # the flags one by one: after the complaint, only the first flag
    assert of(events, "answer")[ONE_BY_ONE_ANSWERS_AT:] == [{
        "event": "answer", "question": FIRST_FLAG, "finding": "red_flags.fracture",
        "value": False, "note": None}]
    # a checklist: words that name no sign are asked again, never taken for "geen"
    events = run_consultation(intake(AGE_ONLY, {"red_flags": ["paars", "geen"],
                                                "has_work": None}, strict=True))
    assert [(r["question"], r["reason"]) for r in of(events, "reprompt")] == [
        ("red_flags", "not_understood")]
    assert len(answers_to(events, "red_flags")) == 1


def test_pause_and_resume() -> None:
    events = run_consultation(intake(AGE_ONLY, {FIRST_FLAG: ["pauze", "nee", "verder", "nee"],
                                                RED_FLAG_QUESTIONS[1]: None}, strict=True))
    assert [r["reason"] for r in of(events, "reprompt")] == ["paused", "paused"]
    assert asked(events)[ONE_BY_ONE_AT:] == [FIRST_FLAG, FIRST_FLAG, RED_FLAG_QUESTIONS[1]]


def test_stop_ends_and_keeps_the_answers() -> None:
    events = run_consultation(intake(AGE_ONLY, {FIRST_FLAG: "nee", RED_FLAG_QUESTIONS[1]: "nee",
                                                RED_FLAG_QUESTIONS[2]: "stop"}, strict=True))
    assert stopped(events) and not of(events, "result")
    # the age, the complaint and two red flags (one by one)
    assert len(of(events, "answer")) == ONE_BY_ONE_ANSWERS_AT + 2
    # those, "een voor een" and "stop": nothing is heard after stop
    assert len(of(events, "heard")) == ONE_BY_ONE_ANSWERS_AT + 2 + 2


def test_end_of_input_is_stop() -> None:
    events = run_consultation(intake(AGE_ONLY, {FIRST_FLAG: "nee", RED_FLAG_QUESTIONS[1]: None},
                                     strict=True))
    assert stopped(events)


def test_a_question_added_breaks_only_a_script_that_does_not_cover_it() -> None:
    """A protocol with one more red-flag question: a script that answers the red flags by
    default still runs to the same result; one that names each flag fails at the new question,
    naming it (not somewhere later, as a list of answers by position would)."""
    first = PROTOCOL.question(FIRST_FLAG)
    extra = replace(first, id="rf_extra_test_question", text="Is er nog iets anders?")
    at = PROTOCOL.questions.index(first) + 1
    longer = replace(PROTOCOL, questions=(*PROTOCOL.questions[:at], extra,
                                          *PROTOCOL.questions[at:]))
    events = run_consultation(profile("A"), protocol=longer)
    assert result_of(events)["profile"] == "A"
    (checklist,) = [e for e in of(events, "ask") if e["question"] == "red_flags"]
    assert [sign["id"] for sign in checklist["signs"]][:2] == [FIRST_FLAG,
                                                               "rf_extra_test_question"]
    each_flag = profile("A", dict.fromkeys([*RED_FLAG_QUESTIONS, *EXAMINATION_FLAGS], "nee"),
                        defaults={"precautions": "nee"})
    assert result_of(run_consultation(each_flag))["profile"] == "A"  # as the protocol is
    with pytest.raises(UnscriptedQuestion, match=r"sign 'rf_extra_test_question' of a "
                                                 r"checklist is not in the script; "
                                                 r"script: IntakeScript"):
        run_consultation(each_flag, protocol=longer)


def test_a_script_can_require_every_answer_it_names_to_be_asked() -> None:
    lax = profile("A", {"work_related": "ja"})
    assert result_of(run_consultation(lax))["profile"] == "A"  # not asked: no work
    with pytest.raises(AssertionError,
                       match=re.escape("scripted but never asked: {'work_related': 'ja'}")):
        run_consultation(profile("A", {"work_related": "ja"}, strict=True))
    with pytest.raises(UnscriptedQuestion, match="'improving' was asked more often than the 1 "):
        run_consultation(profile("A", {"improving": ["herhaal"]}))


def test_grammar_offers_answers_and_commands() -> None:
    from assistant.speech.text import ScriptedListener

    # the age, the duration, an accident twelve weeks ago and imaged ("ja": read back)
    listener = ScriptedListener(["47", "drie weken", "ja", "twaalf weken", "ja"])
    run_intake_dialog(PROTOCOL, listener, [])
    age, first, confirm = listener.grammars[0], listener.grammars[2], listener.grammars[5]
    assert {"zevenenveertig", "herhaal", "terug", "stop"} <= set(age)
    assert "fors" not in age and "ja" not in age
    assert {"ja", "nee hoor", "herhaal", "terug", "stop"} <= set(first)  # trauma_related
    assert "fors" not in first and "ja" in confirm
    # a checklist (the red flags, fourteen signs at 47; then the precautions, four): none, one
    # by one, its numbers and names
    listener = ScriptedListener(["47", "drie weken", "nee", "ja", "nee", "een beetje", "nee",
                                 "geen"])
    run_intake_dialog(PROTOCOL, listener, [])
    flags, precautions = set(listener.grammars[7]), set(listener.grammars[8])
    assert len(RED_FLAG_QUESTIONS) == 14
    assert {"geen", "een voor een", "een", "veertien", "koorts", "herhaal", "stop"} <= flags
    assert "vijftien" not in flags and "fors" not in flags and "botontkalking" not in flags
    assert {"geen", "een voor een", "vier", "botontkalking", "herhaal", "stop"} <= precautions
    assert "vijf" not in precautions and "koorts" not in precautions


def test_events_are_json_serialisable() -> None:
    import json

    for event in run_consultation(PROFILE_B):
        assert json.loads(json.dumps(event)) == event


# --- properties -----------------------------------------------------------------------------

def _askable(f: Findings) -> Findings:
    """The findings without a red flag no question can find at the patient's age (temporal
    arteritis, a sign of fifty and over, is not asked of a younger patient)."""
    def asked(category: str) -> bool:
        return any(not skipped(q, f) for q in PROTOCOL.section_questions("red_flags")
                   if q.red_flag == category)
    return replace(f, red_flags=None if f.red_flags is None else tuple(
        c for c in f.red_flags if asked(c)),
        red_flags_unknown=tuple(c for c in f.red_flags_unknown if asked(c)),
        acute_deficit_now=f.acute_deficit_now)


def _as_answered(f: Findings) -> Findings:
    """What the dialog records from a file that leaves out whether the patient works: it
    follows from work_related and the sick leave (no work: not asked further)."""
    if f.has_work is None:
        f = replace(f, has_work=bool(f.work_related or f.work_absence_weeks))
    if f.has_work is False:
        f = replace(f, work_related=None, work_absence_weeks=None)
    if f.acute_deficit_now is None and {"vascular", "spinal_cord"} & {
            *(f.red_flags or ()), *f.red_flags_unknown}:  # left out: asked, answered "nee"
        f = replace(f, acute_deficit_now=False)
    return f


@settings(max_examples=150, deadline=None)
@given(findings_strategy)
def test_answers_file_dialog_gives_the_rules_result(f):  # type: ignore[no-untyped-def]
    """Driving the dialog from findings asks exactly the needed findings and reaches the rules'
    result for them (a finding the decision does not need is never asked)."""
    f = _askable(f)
    answerer = FindingsAnswerer(f, PROTOCOL)
    needed_qs = {q.id for q in PROTOCOL.questions} | {
        s.id for s in PROTOCOL.sections if s.checklist}  # a checklist asks its list's key
    events: list[JsonEvent] = []
    config = DialogConfig(record_also=f.arm_signs is not None)  # as `intake --answers` runs it
    outcome = run_intake_dialog(PROTOCOL, answerer, [answerer, collect(events)], config)
    assert outcome.consultation.outcome == "done"
    full, got = classify(f, PROTOCOL).to_json(), result_of(events)
    assert got == classify(outcome.consultation.findings, PROTOCOL).to_json()
    if full["referral"] and full["urgency"] == "emergency":
        # a deficit now (rule 9): 112, and nothing more is asked, so a trauma after it is not
        # heard; the emergency and the flags it found are the file's
        assert got["urgency"] == "emergency" and got["reasons"][0] == full["reasons"][0]
        assert set(got["red_flags"]) <= set(full["red_flags"])
    elif full["referral"]:  # the same referral, reasons and urgency included
        assert got == full
    else:  # the dialog holds exactly the needed findings, and decides the same
        assert outcome.consultation.findings == needed_only(_as_answered(f))
        assert (got["grade"], got["profile"], got["therapy"], got["actions"]) == (
            full["grade"], full["profile"], full["therapy"], full["actions"])
    # after a profile the answerer chooses no exercises; a referral has no menu to choose from
    assert outcome.chosen_exercises == (None if got["referral"] else ())
    asked_findings = {e["finding"] for e in of(events, "ask") if e["question"] in needed_qs}
    asked_keys = {k.split(".")[0] if k.startswith(("red_flags.", "precautions.")) else k
                  for k in asked_findings}
    needed = set(needed_keys(_as_answered(f))) - {"arm_signs"}  # recorded by the neuro questions
    assert needed <= asked_keys
    if full["referral"]:  # a flag of the examination comes after the whole history
        assert asked_keys - needed <= {
            "precautions", "trauma_related", "trauma_weeks_ago", "fracture_ruled_out",
            "c_spine_rule.high_risk", "c_spine_rule.low_risk", "c_spine_rule.rotation_45",
            "weeks_since_onset", "improving", "recurrent", "adl_impact", "neurological_signs",
            "psychosocial_dominant", "has_work", "work_related", "work_absence_weeks",
            "red_flags"}
    else:
        assert asked_keys == needed


WORDS = ["ja", "nee", "nee hoor", "fors", "een beetje", "geen", "drie weken", "anderhalve maand",
         "10", "herhaal", "terug", "help", "pauze", "verder", "stop", "misschien", "", "uhm",
         "klopt", "tien dagen", "ja hoor"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS) | st.text(max_size=12), max_size=60),
       st.lists(st.floats(0, 1), max_size=60))
def test_random_dialogs_never_crash_and_always_end(words: list[str],
                                                   confidences: list[float]) -> None:
    inputs = [Utterance(w, confidences[i] if i < len(confidences) else 1.0)
              for i, w in enumerate(words)]
    events = run_consultation(inputs)
    ends = [e for e in events if e["event"] == "result" or
            (e["event"] == "say" and e["kind"] == "stopped")]
    assert len(ends) == 1
    assert events[-1] in ends or events[-1]["event"] == "say"
    if of(events, "result"):
        r = result_of(events)
        assert (r["profile"] is None) == r["referral"]


SILENT = Utterance("", 0.0, "voice")


def test_silence_is_asked_again_and_then_the_keyboard_is_offered() -> None:
    events = run_consultation(intake(AGE_ONLY, {FIRST_FLAG: [SILENT, SILENT, SILENT, "nee"],
                                                RED_FLAG_QUESTIONS[1]: None}, strict=True),
                              DialogConfig(voice=True))
    reprompts = of(events, "reprompt")
    assert [r["reason"] for r in reprompts] == ["silence", "silence", "keyboard"]
    assert reprompts[0]["text"].startswith("Ik hoorde niets.")
    assert "typen" in reprompts[2]["text"]
    assert asked(events)[ONE_BY_ONE_AT:ONE_BY_ONE_AT + 4] == [FIRST_FLAG] * 4
    # the complaint, "een voor een", then "nee": silence is not heard
    heard = [h["text"] for h in of(events, "heard")]
    assert len(heard) == ONE_BY_ONE_ANSWERS_AT + 2 and heard[-2:] == ["een voor een", "nee"]
    assert [a["value"] for a in answers_to(events, FIRST_FLAG)] == [False]


def test_unk_is_not_an_answer() -> None:
    events = run_consultation(intake(AGE_ONLY, {
        FIRST_FLAG: [Utterance("[unk]", 0.0, "voice"), "nee"], RED_FLAG_QUESTIONS[1]: None},
        strict=True), DialogConfig(voice=True))
    # after the complaint and "een voor een"
    assert of(events, "heard")[ONE_BY_ONE_ANSWERS_AT + 1]["text"] == "[unk]"
    assert [(r["question"], r["reason"]) for r in of(events, "reprompt")] == [
        (FIRST_FLAG, "not_understood")]
    # the age, the complaint and the red flag
    assert len(of(events, "answer")) == ONE_BY_ONE_ANSWERS_AT + 1


def test_silence_while_paused_or_confirming() -> None:
    events = run_consultation(referred({FIRST_FLAG: ["pauze", SILENT, "verder", "ja"]},
                                       confirms={FIRST_FLAG: [SILENT, "ja"]}))
    assert [r["reason"] for r in of(events, "reprompt")] == ["paused"]
    assert len(of(events, "confirm")) == 2  # the confirmation is asked again after silence
    assert result_of(events)["referral"] is True
