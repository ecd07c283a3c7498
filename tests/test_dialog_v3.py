"""Whole consultations through the harness for the clinical-safety additions (issue 21, DESIGN.md
"Version 3 additions"): the age first, when the accident was, a deficit now (112), doubt on a
precaution, the 'niet pluis' question, the sign read back, and the duration (asked second, for
everybody; a referral's letter names it)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pytest

from assistant.output.report_build import build_report
from assistant.output.report_markdown import render_markdown
from tests.harness import (
    CLEARED_TRAUMA_BY_ID,
    HIGH_RISK_QUESTIONS,
    NO_NEURO_BY_ID,
    PROTOCOL,
    RED_FLAG_QUESTIONS,
    SCREENED_BY_ID,
    TRAUMA_BY_ID,
    JsonEvent,
    asked,
    intake,
    of,
    profile,
    red_flag_questions,
    result_of,
    run_consultation,
    run_intake,
    said,
)
from tests.intake_script import IntakeScript, Said

DAY = date(2026, 11, 30)
DURATION = "drie weken"  # the duration, asked second (a referral's letter names it)
SINCE_ACCIDENT = "twee dagen"  # the same, after the accident of TRAUMA_BY_ID
# The order of a consultation (issue 25): the age, the complaint (its defaults: no accident,
# improving, not recurrent, a little impact, no arm complaints), the red-flag history and the
# precautions (each one checklist), then the examination block with its red flags (one
# checklist too).
COMPLAINT = ["age_years", "weeks_since_onset", "trauma_related", "improving", "recurrent",
             "adl_impact", "arm_complaints"]
HISTORY = ["red_flags", "precautions"]
EXAMINATION_FLAGS = [q.id for q in PROTOCOL.section_questions("examination")]
EXAMINATION = ["examination"]  # the examination's red flags: one checklist, for every patient
C_SPINE_QUESTIONS = {q.id for s in ("c_spine_high", "c_spine_low", "c_spine_rotation")
                     for q in PROTOCOL.section_questions(s)}
# After the screening: the neurological signs, impact, course; profile B without work; the input
# ends at the choice of exercises.
PROFILE_B_AFTER: dict[str, Said] = {
    **NO_NEURO_BY_ID, "adl_impact": "fors", "weeks_since_onset": "twee maanden",
    "psychosocial_dominant": "nee", "has_work": "nee", "exercise_choice": None}
REFERRED = {"trauma_related": "nee", "weeks_since_onset": DURATION}  # a flag confirmed later


def flagged(*parts: Mapping[str, Said], confirms: Mapping[str, Said] | None = None,
            ) -> IntakeScript:
    """A script by id at the age of 47 (`parts` may name another), every red flag and
    precaution "nee" unless named (strict: everything named is asked)."""
    return intake({"age_years": "47"}, *parts, confirms=confirms, strict=True)


def answers_to(events: list[JsonEvent], question: str) -> list[JsonEvent]:
    return [a for a in of(events, "answer") if a["question"] == question]


def doubts(events: list[JsonEvent], question: str) -> list[JsonEvent]:
    return [r for r in of(events, "reprompt")
            if r["question"] == question and r["reason"] == "doubt"]


# --- the age ----------------------------------------------------------------------------------

def test_the_age_is_asked_first_and_doubt_twice_leaves_it_unknown() -> None:
    events = run_consultation(flagged(TRAUMA_BY_ID, {
        "age_years": ["onbekend", "weet ik niet"], "cs_age_65": None}))
    assert asked(events)[:3] == ["age_years", "age_years", "weeks_since_onset"]
    assert len(doubts(events, "age_years")) == 1  # asked once more, then recorded
    assert [a["value"] for a in answers_to(events, "age_years")] == ["unknown"]
    # the age not known: after a recent trauma the rule asks its own age item
    questions = asked(events)
    assert "cs_age_65" in questions
    assert questions.index("cs_age_65") == questions.index("fracture_ruled_out") + 1


def test_the_age_said_asks_no_age_item_of_the_c_spine_rule() -> None:
    events = run_consultation(flagged(CLEARED_TRAUMA_BY_ID, {"neuro_reflexes": None}))
    assert [a["value"] for a in answers_to(events, "age_years")] == [47]
    assert "cs_age_65" not in asked(events)
    assert set(HIGH_RISK_QUESTIONS) <= set(asked(events))


def test_sixty_eight_after_a_recent_trauma_is_a_fracture_referral_without_the_rule() -> None:
    events = run_consultation(flagged(TRAUMA_BY_ID, {"age_years": "68",
                                                     "weeks_since_onset": SINCE_ACCIDENT}))
    r = result_of(events)
    assert (r["referral"], r["urgency"], r["red_flags"]) == (True, "acute", ["fracture"])
    assert not C_SPINE_QUESTIONS & set(asked(events))  # the age decides: no rule asked
    # the duration second (the letter names it); after the accident straight on to the
    # history (the course decides no referral), then the examination's red flags
    assert asked(events) == ["age_years", "weeks_since_onset", "trauma_related",
                             "trauma_weeks_ago", "fracture_ruled_out", *HISTORY,
                             *EXAMINATION]
    assert any("65 jaar of ouder" in reason for reason in r["reasons"])


def test_fifteen_after_a_recent_trauma_is_referred() -> None:
    events = run_consultation(flagged(TRAUMA_BY_ID, {"age_years": "15",
                                                     "weeks_since_onset": SINCE_ACCIDENT}))
    r = result_of(events)
    assert (r["referral"], r["red_flags"]) == (True, ["fracture"])
    assert not C_SPINE_QUESTIONS & set(asked(events))  # the rule cannot clear a child's neck
    assert any("jonger dan 16" in reason for reason in r["reasons"])


def test_seventeen_is_a_minor_whose_cautions_start_with_minor() -> None:
    events = run_consultation(flagged(SCREENED_BY_ID, NO_NEURO_BY_ID, {
        "age_years": "17", "adl_impact": "een beetje", "weeks_since_onset": "drie weken",
        "improving": "ja", "recurrent": "nee", "has_work": "nee", "exercise_choice": None}))
    r = result_of(events)
    assert (r["referral"], r["profile"]) == (False, "A")
    assert r["cautions"][:1] == ["minor"]
    assert "17 jaar" in r["reasons"][0] and "volwassenen" in r["reasons"][0]
    advice = " ".join(r["advice"])
    assert "school" in advice and "Blijf werken" not in advice


# --- when the accident was --------------------------------------------------------------------

def test_a_trauma_two_years_ago_skips_the_rule_and_keeps_kinesiotape() -> None:
    events = run_consultation(flagged({"trauma_related": "ja", "trauma_weeks_ago": "twee jaar"},
                                      PROFILE_B_AFTER))
    r = result_of(events)
    assert (r["referral"], r["profile"]) == (False, "B")
    assert "kinesiotape" in r["therapy"]["consider"]  # still trauma-related
    questions = asked(events)
    assert "trauma_weeks_ago" in questions
    assert "fracture_ruled_out" not in questions and not C_SPINE_QUESTIONS & set(questions)
    # straight on to the course (two months: no improvement asked), as without a trauma
    assert questions[questions.index("trauma_weeks_ago") + 1] == "adl_impact"
    (when,) = answers_to(events, "trauma_weeks_ago")
    assert when["value"] == pytest.approx(2 * 365.25 / 7)  # two years, far over 12 weeks


def test_the_accident_date_doubted_twice_counts_as_recent() -> None:
    events = run_consultation(flagged(CLEARED_TRAUMA_BY_ID, PROFILE_B_AFTER, {
        "trauma_weeks_ago": ["weet ik niet", "weet ik niet"]}))
    assert asked(events).count("trauma_weeks_ago") == 2
    assert len(doubts(events, "trauma_weeks_ago")) == 1
    assert [a["value"] for a in answers_to(events, "trauma_weeks_ago")] == ["unknown"]
    questions = asked(events)  # the rule applies: imaging, then each step
    assert {"fracture_ruled_out", *HIGH_RISK_QUESTIONS, "cs_rotation_45"} <= set(questions)
    r = result_of(events)
    assert (r["profile"], r["referral"]) == ("B", False)
    assert PROTOCOL.reason("trauma_cleared") in r["reasons"]


# --- a deficit now: 112 -----------------------------------------------------------------------

def test_a_vascular_sign_with_a_deficit_now_is_an_emergency_and_ends_the_intake() -> None:
    events = run_consultation(flagged({"rf_vascular_headache": "ja", "acute_deficit_now": "ja"}))
    confirm = [c for c in of(events, "confirm") if c["question"] == "acute_deficit_now"]
    # asked right after the red flags' checklist that named it; the examination's red flags
    # are not asked: 112 now
    questions = asked(events)
    assert questions[questions.index("acute_deficit_now") - 1] == "red_flags"
    (flags,) = answers_to(events, "red_flags")
    assert flags["value"]["rf_vascular_headache"] is True
    assert "examination" not in questions
    assert len(confirm) == 1 and "112" in confirm[0]["text"]
    r = result_of(events)
    assert (r["referral"], r["urgency"], r["red_flags"]) == (True, "emergency", ["vascular"])
    assert asked(events)[-1] == "acute_deficit_now"  # nothing more is asked
    after = events[events.index(of(events, "result")[0]):]
    assert not of(after, "ask")  # no choice of exercises either
    # the emergency is the first reason and the first thing the spoken summary says
    emergency = r["reasons"][0]
    assert "112" in emergency and "Graad IV" not in emergency
    summary = said(events, "summary")
    assert len(summary) == 1 and summary[0].startswith(emergency)


def test_a_deficit_now_doubted_twice_is_an_emergency() -> None:
    events = run_consultation(flagged({
        "rf_spinal_cord_bilateral": "ja", "acute_deficit_now": ["weet ik niet", "weet ik niet"]}))
    assert len(doubts(events, "acute_deficit_now")) == 1
    assert [a["value"] for a in answers_to(events, "acute_deficit_now")] == ["unknown"]
    r = result_of(events)
    assert (r["urgency"], r["red_flags"]) == ("emergency", ["spinal_cord"])  # the safer reading
    assert asked(events)[-1] == "acute_deficit_now"


def test_no_deficit_now_goes_on_with_the_screening_and_refers_acutely() -> None:
    events = run_consultation(flagged({"rf_vascular_headache": "ja", "acute_deficit_now": "nee"},
                                      REFERRED))
    r = result_of(events)
    assert (r["urgency"], r["red_flags"]) == ("acute", ["vascular"])
    (checklist,) = [e for e in of(events, "ask") if e["question"] == "red_flags"]
    assert [sign["id"] for sign in checklist["signs"]] == RED_FLAG_QUESTIONS  # all presented
    # the screening went on: the examination's red flags (the letter names them)
    assert asked(events)[-4:] == ["red_flags", "acute_deficit_now", "precautions", *EXAMINATION]
    (examination,) = [e for e in of(events, "ask") if e["question"] == "examination"]
    assert [sign["id"] for sign in examination["signs"]] == EXAMINATION_FLAGS


def test_a_doubted_vascular_sign_asks_for_a_deficit_now_too() -> None:
    events = run_consultation(flagged({"rf_vascular_brainstem": ["weet ik niet", "weet ik niet"],
                                       "acute_deficit_now": "ja"}))
    r = result_of(events)
    assert (r["referral"], r["urgency"], r["unresolved"]) == (True, "emergency", ["vascular"])
    assert "112" in r["reasons"][0]


# --- doubt on a precaution, and on a red flag -------------------------------------------------

def test_a_precaution_doubted_twice_is_unknown_and_rules_out_manipulation() -> None:
    outcome, _ = run_intake(flagged({"pr_osteoporosis": ["weet ik niet", "weet ik niet"],
                                     "trauma_related": "nee"}, PROFILE_B_AFTER))
    findings = outcome.consultation.findings
    assert findings.precautions_unknown == ("osteoporosis",)
    assert findings.precautions == ()
    assert outcome.consultation.result is not None
    result = outcome.consultation.result.to_json()
    assert result["profile"] == "B" and "no_manipulation" in result["cautions"]
    assert "mobilisation" in result["therapy"]["recommended"]
    assert "mobilisation_manipulation" not in result["therapy"]["recommended"]


def test_a_precaution_doubted_twice_in_the_event_stream() -> None:
    events = run_consultation(flagged({"pr_osteoporosis": ["weet ik niet", "weet ik niet"],
                                       "trauma_related": "nee"}, PROFILE_B_AFTER))
    assert asked(events).count("pr_osteoporosis") == 2
    assert len(doubts(events, "pr_osteoporosis")) == 1
    assert [a["value"] for a in answers_to(events, "pr_osteoporosis")] == ["unknown"]
    r = result_of(events)
    assert r["cautions"] == ["no_manipulation"]
    assert r["therapy"]["recommended"] == ["exercise_therapy", "mobilisation"]


def test_nee_niet_op_gelet_on_a_red_flag_is_doubt_not_nee() -> None:
    events = run_consultation(flagged(SCREENED_BY_ID, PROFILE_B_AFTER, {
        "rf_spinal_cord_hoffmann": ["nee, niet op gelet", "nee"]}))
    assert len(doubts(events, "rf_spinal_cord_hoffmann")) == 1
    assert asked(events).count("rf_spinal_cord_hoffmann") == 2  # asked again
    assert [a["value"] for a in answers_to(events, "rf_spinal_cord_hoffmann")] == [False]
    assert not result_of(events)["provisional"]  # the second, clear "nee" counts


# --- the sign read back -----------------------------------------------------------------------

def test_a_no_with_more_words_is_read_back_as_the_sign_and_nee_asks_again() -> None:
    label = PROTOCOL.question("rf_spinal_cord_bilateral").label
    events = run_consultation(flagged(SCREENED_BY_ID, PROFILE_B_AFTER, {
        "rf_spinal_cord_bilateral": ["nee, alleen rechts", "nee"]},
        confirms={"rf_spinal_cord_bilateral": "nee"}))
    confirms = [c for c in of(events, "confirm") if c["question"] == "rf_spinal_cord_bilateral"]
    assert [c["text"] for c in confirms] == [
        f"Dus geen: {label}. U zei erbij: alleen rechts. Klopt dat? Zeg ja of nee."]
    # "nee" to 'Dus geen: …' means it is not right: the question is asked again
    assert asked(events).count("rf_spinal_cord_bilateral") == 2
    bilateral = answers_to(events, "rf_spinal_cord_bilateral")
    assert [(a["value"], a["note"]) for a in bilateral] == [(False, None)]
    assert result_of(events)["profile"] == "B"


def test_a_yes_is_read_back_as_wel() -> None:
    label = PROTOCOL.question("rf_infection").label
    # named in the checklist
    events = run_consultation(flagged({"rf_infection": "ja"}, REFERRED))
    confirm = [c for c in of(events, "confirm") if c["question"] == "red_flags"]
    assert confirm[0]["text"].startswith(f"Dus wel: {label}.")
    assert confirm[0]["text"].endswith("Klopt dat? Zeg ja of nee.")
    # asked one by one
    events = run_consultation(flagged({"red_flags": "een voor een", "rf_infection": "ja"},
                                      REFERRED))
    confirm = [c for c in of(events, "confirm") if c["question"] == "rf_infection"]
    assert confirm[0]["text"].startswith(f"Dus wel: {label}.")
    assert confirm[0]["text"].endswith("Klopt dat? Zeg ja of nee.")


# --- 'niet pluis' -----------------------------------------------------------------------------

def test_niet_pluis_refers_routinely_with_the_note_kept() -> None:
    assert RED_FLAG_QUESTIONS[-1] == "rf_unrecognised"  # the last screening question
    events = run_consultation(flagged({"rf_unrecognised": "ja, past niet bij bewegen"}, REFERRED))
    confirm = [c for c in of(events, "confirm") if c["question"] == "rf_unrecognised"]
    assert len(confirm) == 1 and "U zei erbij: past niet bij bewegen." in confirm[0]["text"]
    answer = answers_to(events, "rf_unrecognised")
    assert [(a["value"], a["note"]) for a in answer] == [(True, "past niet bij bewegen")]
    r = result_of(events)
    assert (r["referral"], r["urgency"], r["red_flags"]) == (True, "routine", ["unrecognised"])


# --- the duration, asked second (a referral's letter names it) -----------------------------------

def test_a_referral_asks_the_duration_and_the_letter_names_it() -> None:
    outcome, events = run_intake(flagged({"rf_tumour_history": "ja"}, REFERRED,
                                         {"weeks_since_onset": "vijf weken"}))
    # asked second, once, as for everybody; nothing is asked after the examination for it
    assert asked(events)[1] == "weeks_since_onset"
    assert asked(events).count("weeks_since_onset") == 1
    assert asked(events)[-1:] == EXAMINATION
    duration = answers_to(events, "weeks_since_onset")
    assert [(a["finding"], a["value"]) for a in duration] == [("weeks_since_onset", 5)]
    consultation = outcome.consultation
    assert consultation.result is not None and consultation.result.referral
    assert consultation.findings.weeks_since_onset == 5
    report = render_markdown(build_report(
        protocol=PROTOCOL, answers=outcome.answers, findings=consultation.findings,
        result=consultation.result, day=DAY))
    letter = report.split("## Verwijsbrief aan de huisarts", 1)[1]
    assert "met nekpijn, die 5 weken bestaat." in letter
    assert "De patiënt is 47 jaar." in letter


def test_a_referral_during_the_c_spine_rule_also_asks_the_duration() -> None:
    events = run_consultation(flagged(CLEARED_TRAUMA_BY_ID, {
        "cs_rotation_45": "nee", "weeks_since_onset": SINCE_ACCIDENT}))
    assert result_of(events)["red_flags"] == ["fracture"]
    # the referral decided in the examination: nothing more is asked; the duration was
    # asked second
    questions = asked(events)
    assert questions[-1] == "cs_rotation_45"
    assert questions[1] == "weeks_since_onset" and questions.count("weeks_since_onset") == 1
    (duration,) = answers_to(events, "weeks_since_onset")
    assert duration["value"] == pytest.approx(2 / 7)


def test_a_profile_asks_the_duration_once_second() -> None:
    events = run_consultation(flagged(SCREENED_BY_ID, PROFILE_B_AFTER))
    assert result_of(events)["profile"] == "B"
    questions = asked(events)
    assert questions[1] == "weeks_since_onset" and questions.count("weeks_since_onset") == 1


def test_a_nee_whose_words_name_the_sign_is_asked_once_more() -> None:
    """The review's unsafe case: 'nee, alleen koorts vorige week door een keelontsteking'."""
    said = "nee, alleen koorts vorige week door een keelontsteking"
    # the flags one by one (a script with more than ja/nee); the input ends after them, at the
    # examination
    first_precaution = {"examination": None}
    events = run_consultation(flagged({"rf_infection": [said, "ja"]}, first_precaution))
    assert [r["reason"] for r in of(events, "reprompt")
            if r["question"] == "rf_infection"] == ["contradiction"]
    (answer,) = answers_to(events, "rf_infection")
    assert answer["value"] is True
    # 'geen koorts' names no sign: a plain nee with its note, read back
    events = run_consultation(flagged({"rf_infection": "nee, geen koorts gehad"},
                                      first_precaution))
    assert not [r for r in of(events, "reprompt") if r["question"] == "rf_infection"]
    confirm = [c for c in of(events, "confirm") if c["question"] == "rf_infection"]
    assert confirm[0]["text"].startswith("Dus geen: koorts")
    # said twice, the "nee" is read back with the words, never taken silently
    events = run_consultation(flagged({"rf_infection": [said, said]}, first_precaution))
    confirm = [c for c in of(events, "confirm") if c["question"] == "rf_infection"]
    assert "U zei erbij: alleen koorts" in confirm[0]["text"]


def test_words_said_before_a_re_ask_stay_with_the_screening_answer() -> None:
    """The review lost the therapist's words when a question was asked again."""
    first = "ja, sinds gisteren, knallende hoofdpijn, nooit eerder gehad"  # read as 'ja, nee'
    # the flags one by one; the input ends at the examination
    events = run_consultation(flagged({"rf_vascular_headache": [first, "ja"],
                                       "acute_deficit_now": "nee", "examination": None}))
    (answer,) = answers_to(events, "rf_vascular_headache")
    assert answer["value"] is True and answer["note"] == f"eerder gezegd: {first}"
    doubts_said = ["weet ik niet, ze slikt iets voor het hart", "weet ik niet"]
    # the precautions one by one; the input ends at whether the patient works
    events = run_consultation(flagged({"pr_anticoagulants": [*doubts_said],
                                       "has_work": None}))
    (answer,) = answers_to(events, "pr_anticoagulants")
    assert answer["value"] == "unknown" and answer["note"] == " / ".join(doubts_said)


# --- from the hostile review ------------------------------------------------------------------

@pytest.mark.parametrize("said", ["18 maanden", "6 weken", "-3", "−3", "1.000", "2 miljoen",
                                  "50+", ">65", "~50", "3,5", "1e", "twee derde", "47\"",
                                  "121", "vijftig of zestig"])
def test_an_age_that_is_no_whole_number_of_years_is_asked_again(said: str) -> None:
    events = run_consultation(flagged({"age_years": [said, "47"], RED_FLAG_QUESTIONS[0]: None}))
    assert [r["reason"] for r in of(events, "reprompt")][:1] == ["age"]
    assert [a["value"] for a in answers_to(events, "age_years")] == [47]


@pytest.mark.parametrize("said, weeks", [("vandaag", 0.0), ("net", 0.0),
                                         ("een paar uur geleden", 0.0),
                                         ("48 uur", 2 / 7), ("30 minuten", 30 / 1440 / 7)])
def test_an_accident_of_today_can_be_entered(said: str, weeks: float) -> None:
    events = run_consultation(flagged({"trauma_related": "ja", "trauma_weeks_ago": said,
                                       "fracture_ruled_out": None}))
    (answer,) = answers_to(events, "trauma_weeks_ago")
    assert answer["value"] == pytest.approx(weeks)
    assert asked(events)[-1] == "fracture_ruled_out"  # recent: the rule follows


def test_a_duration_longer_than_the_patient_has_lived_is_asked_again() -> None:
    events = run_consultation(flagged({"age_years": "30", "trauma_related": "ja",
                                       "trauma_weeks_ago": ["40 jaar", "twee jaar"],
                                       "neuro_reflexes": None}))
    reasons = [r["reason"] for r in of(events, "reprompt") if r["question"] == "trauma_weeks_ago"]
    assert reasons == ["longer_than_age"]
    (answer,) = answers_to(events, "trauma_weeks_ago")
    assert answer["value"] == pytest.approx(2 * 365.25 / 7)


def test_neck_pain_longer_than_since_the_accident_is_asked_again() -> None:
    # the duration comes first now: an accident more recent than the neck pain is asked again
    events = run_consultation(flagged(NO_NEURO_BY_ID, {
        "weeks_since_onset": "drie jaar", "trauma_related": "ja",
        "trauma_weeks_ago": ["twee jaar", "drie jaar"], "adl_impact": "fors",
        "psychosocial_dominant": None}))
    reasons = [r["reason"] for r in of(events, "reprompt")
               if r["question"] == "trauma_weeks_ago"]
    assert reasons == ["shorter_than_onset"]
    (answer,) = answers_to(events, "trauma_weeks_ago")
    assert answer["value"] == pytest.approx(3 * 365.25 / 7)


# --- from the second physiotherapist's review -------------------------------------------------

def test_from_fifty_cancer_history_is_asked_on_its_own_and_refers() -> None:
    """A 61-year-old: 'nee, borstkanker tien jaar geleden' was taken as no red flag, because the
    combined question's help excluded cancer long ago; from fifty on the age completes the
    pattern."""
    questions = red_flag_questions(61)
    assert "rf_tumour_history_50" in questions and "rf_tumour_history" not in questions
    events = run_consultation(flagged(REFERRED, {
        "age_years": "61",
        "rf_tumour_history_50": "ja, borstkanker tien jaar geleden, schoon verklaard"}))
    r = result_of(events)
    assert (r["referral"], r["red_flags"]) == (True, ["tumour"])


def test_the_signs_of_fifty_and_over_are_not_asked_of_a_younger_patient() -> None:
    young, old, unknown = (set(red_flag_questions(age)) for age in (16, 67, None))
    fifty = {"rf_systemic_pmr", "rf_temporal_arteritis"}
    assert not fifty & young and fifty <= old and fifty <= unknown
    assert "rf_tumour_history" in young and "rf_tumour_history" not in old | unknown
    assert "rf_tumour_history_50" in old & unknown  # the age not known: the safer reading


def test_imaging_said_yes_is_always_read_back() -> None:
    """'ja, de huisarts heeft ernaar gekeken' skipped the C-spine rule for a 70-year-old."""
    said = "ja, de huisarts heeft ernaar gekeken"
    events = run_consultation(flagged(CLEARED_TRAUMA_BY_ID, PROFILE_B_AFTER, {
        "fracture_ruled_out": [said, "nee"]},  # not right: asked again, then no imaging
        confirms={"fracture_ruled_out": "nee"}))
    (confirm,) = [c for c in of(events, "confirm") if c["question"] == "fracture_ruled_out"]
    assert confirm["text"].startswith("Dus wel: een arts heeft na het ongeval een breuk")
    assert "U zei erbij: de huisarts heeft ernaar gekeken" in confirm["text"]
    (answer,) = answers_to(events, "fracture_ruled_out")
    assert answer["value"] is False  # "nee" to the read-back: asked again, then "nee"
    assert set(HIGH_RISK_QUESTIONS) <= set(asked(events))  # the rule is gone through
    r = result_of(events)
    assert (r["referral"], r["profile"]) == (False, "B")  # cleared by the rule itself


def test_a_precaution_with_words_is_read_back_and_its_words_reach_the_letter() -> None:
    events = run_consultation(flagged(SCREENED_BY_ID, PROFILE_B_AFTER, {
        "pr_anticoagulants": "ja, ascal 80 mg"}))
    (confirm,) = [c for c in of(events, "confirm") if c["question"] == "pr_anticoagulants"]
    assert "U zei erbij: ascal 80 mg" in confirm["text"]
    r = result_of(events)
    assert "no_manipulation" in r["cautions"]


# --- from the second hostile review -----------------------------------------------------------

@pytest.mark.parametrize("said", ["13 weken, eh nee, vandaag", "drie maanden, nee sorry, "
                                  "vanochtend", "een half jaar, ik bedoel net"])
def test_an_accident_corrected_to_today_is_read_back_and_goes_through_the_rule(said: str) -> None:
    """'13 weken, eh nee, vandaag' was taken as 13 weeks: the rule skipped for a 70-year-old."""
    events = run_consultation(flagged(TRAUMA_BY_ID, {
        "age_years": "70", "trauma_weeks_ago": said, "weeks_since_onset": "een dag"}))
    (confirm,) = [c for c in of(events, "confirm") if c["question"] == "trauma_weeks_ago"]
    assert confirm["text"].startswith("Dus minder dan een dag.")
    (answer,) = answers_to(events, "trauma_weeks_ago")
    assert answer["value"] == 0
    r = result_of(events)  # seventy, a recent trauma, no imaging: a fracture referral
    assert (r["referral"], r["red_flags"]) == (True, ["fracture"])


@pytest.mark.parametrize("said", ["-3 weken", "−2 weken", "– 3 weken", "vandaag drie weken"])
def test_a_signed_or_doubled_accident_time_is_asked_again(said: str) -> None:
    events = run_consultation(flagged({"trauma_related": "ja",
                                       "trauma_weeks_ago": [said, "twaalf weken"],
                                       "fracture_ruled_out": None}))
    assert [a["value"] for a in answers_to(events, "trauma_weeks_ago")] == [12]
    assert [r["question"] for r in of(events, "reprompt")] == ["trauma_weeks_ago"]


@pytest.mark.parametrize("said", ["64 jaar, eh nee, ouder", "47, nee", "65 plus",
                                  "65-plusser", "－3", "⁻3", "\u202e74"])
def test_an_age_corrected_bounded_or_hidden_is_asked_again(said: str) -> None:
    events = run_consultation(flagged({"age_years": [said, "47"], RED_FLAG_QUESTIONS[0]: None}))
    assert [r["reason"] for r in of(events, "reprompt")][:1] == ["age"]
    assert [a["value"] for a in answers_to(events, "age_years")] == [47]


def test_arm_signs_on_both_sides_ask_for_a_deficit_now() -> None:
    """Weakness in both arms (the spinal cord): the 112 question, as after the cord's flags."""
    weakness_both_arms = {"neuro_reflexes": "nee", "neuro_weakness": "ja", "neuro_sensory": "nee",
                          "arm_side": "beide"}
    events = run_consultation(flagged(SCREENED_BY_ID, weakness_both_arms,
                                      {"acute_deficit_now": "ja"}))
    r = result_of(events)
    assert (r["urgency"], r["red_flags"]) == ("emergency", ["spinal_cord"])
    assert asked(events)[-1] == "acute_deficit_now"
    calm = run_consultation(flagged(REFERRED, weakness_both_arms, {"acute_deficit_now": "nee"}))
    r = result_of(calm)
    assert (r["urgency"], r["red_flags"]) == ("acute", ["spinal_cord"])
    # the arm examined last: after the side, the deficit now, then the result (no radicular
    # test for a referral)
    assert asked(calm)[-2:] == ["arm_side", "acute_deficit_now"]


@pytest.mark.parametrize("said", ["nee, moet ik nog bekijken", "nee, komt nog",
                                  "nee, later nog vragen"])
def test_still_to_check_is_doubt_not_nee(said: str) -> None:
    events = run_consultation(flagged({RED_FLAG_QUESTIONS[0]: [said, None]}))
    assert [r["reason"] for r in of(events, "reprompt")][:1] == ["doubt"]
    assert not answers_to(events, RED_FLAG_QUESTIONS[0])


# --- from the final check ---------------------------------------------------------------------

@pytest.mark.parametrize("said", ["nee, alleen borstkanker", "nee, prostaatkanker is genezen",
                                  "nee, melanoom in 2010", "nee, lymfoom als kind"])
def test_a_nee_naming_a_cancer_is_asked_once_more(said: str) -> None:
    events = run_consultation(flagged(REFERRED, {"age_years": "61",
                                                 "rf_tumour_history_50": [said, "ja"]}))
    assert [r["reason"] for r in of(events, "reprompt")
            if r["question"] == "rf_tumour_history_50"] == ["contradiction"]
    assert result_of(events)["red_flags"] == ["tumour"]


def test_a_bare_number_for_the_accident_is_read_back() -> None:
    """'20': twenty weeks (outside the rule's window) or twenty days? Read back first."""
    events = run_consultation(flagged(TRAUMA_BY_ID, {
        "age_years": "70", "trauma_weeks_ago": ["20", "20 dagen"],
        "weeks_since_onset": "twee weken"}, confirms={"trauma_weeks_ago": "nee"}))
    confirms = [c for c in of(events, "confirm") if c["question"] == "trauma_weeks_ago"]
    assert confirms[0]["text"].startswith("Ik hoorde: 20 weken.")
    (answer,) = answers_to(events, "trauma_weeks_ago")
    assert answer["value"] == pytest.approx(20 / 7)
    r = result_of(events)  # seventy, twenty days ago, no imaging: a fracture referral
    assert (r["referral"], r["red_flags"]) == (True, ["fracture"])


@pytest.mark.parametrize(("question", "bare", "meant", "weeks"), [
    ("weeks_since_onset", "drie", "drie maanden", 3 * 30.4375 / 7),
    ("work_absence_weeks", "drie", "drie dagen", 3 / 7)])
def test_a_bare_number_for_a_duration_that_decides_the_course_is_read_back(
        question: str, bare: str, meant: str, weeks: float) -> None:
    """'drie': days, weeks or months? Six weeks decide the course and four weeks of absence
    an obstacle to recovery, so the question's own unit is read back first (the
    physiotherapist's review; also the answer a voice cut off after its first word)."""
    events = run_consultation(profile("B", {question: [bare, meant]},
                                      confirms={question: "nee"}, strict=True))
    confirms = [c for c in of(events, "confirm") if c["question"] == question]
    assert confirms[0]["text"].startswith("Ik hoorde: 3 weken."), confirms
    (answer,) = answers_to(events, question)
    assert answer["value"] == pytest.approx(weeks, rel=0.01)


def test_three_months_ago_is_inside_the_rules_window() -> None:
    events = run_consultation(flagged(TRAUMA_BY_ID, {
        "age_years": "70", "trauma_weeks_ago": "drie maanden geleden",
        "weeks_since_onset": "drie maanden"}))
    assert "fracture_ruled_out" in asked(events)
    assert result_of(events)["red_flags"] == ["fracture"]


def test_a_nee_with_words_to_the_imaging_question_is_read_back_as_not_done() -> None:
    """The physiotherapist's review: 'nee wacht, tien dagen' was read back as 'Dus geen: een
    arts heeft … een breuk uitgesloten', which sounds as if it was. A statement is read back
    with 'Dus niet:'."""
    events = run_consultation(flagged(CLEARED_TRAUMA_BY_ID, {
        "fracture_ruled_out": "nee, er is niets gemaakt", "exercise_choice": None},
        confirms={"fracture_ruled_out": "ja"}))
    (confirm,) = [c for c in of(events, "confirm") if c["question"] == "fracture_ruled_out"]
    assert confirm["text"].startswith("Dus niet: een arts heeft"), confirm["text"]
