"""The referral letter: what was found and where, in the therapist's words, with the urgency."""

from __future__ import annotations

from datetime import date

from assistant.dialog.answers_file import FindingsAnswerer
from assistant.intake.run import run_consultation as run_session
from assistant.output.report_content import build_report
from assistant.output.report_markdown import render_markdown
from assistant.protocol import parse_findings
from assistant.speech.text import ScriptedListener
from tests.harness import (
    AFTER_FLAGS,
    HIGH_RISK_QUESTIONS,
    NO_RED_FLAGS,
    PROTOCOL,
    RED_FLAG_QUESTIONS,
    TRAUMA,
)

DAY = date(2026, 11, 30)


def letter_for(inputs: list[str]) -> str:
    outcome = run_session(PROTOCOL, ScriptedListener(inputs), [])
    consultation = outcome.consultation
    assert consultation.result is not None and consultation.result.referral
    report = render_markdown(build_report(
        protocol=PROTOCOL, answers=outcome.answers, findings=consultation.findings,
        result=consultation.result, day=DAY))
    return report.split("## Verwijsbrief aan de huisarts", 1)[1]


def red_flags_with(yes: set[str], doubt: frozenset[str] = frozenset()) -> list[str]:
    """The red flags (`yes` confirmed, `doubt` doubted twice), then no precaution or trauma."""
    out: list[str] = []
    for qid in RED_FLAG_QUESTIONS:
        out += ["ja", "ja"] if qid in yes else ["weet ik niet"] * 2 if qid in doubt else ["nee"]
    return [*out, *AFTER_FLAGS]


def test_every_positive_sign_in_the_therapists_words_with_urgency() -> None:
    letter = letter_for(red_flags_with({"rf_spinal_cord_bladder", "rf_spinal_cord_bilateral",
                                        "rf_tumour_history"}))
    assert "Op 30 november 2026 zag ik uw patiënt met nekpijn." in letter
    assert "Uit de anamnese:" in letter and "Bij het onderzoek:" not in letter
    for qid in ("rf_spinal_cord_bladder", "rf_spinal_cord_bilateral", "rf_tumour_history"):
        assert f"- {PROTOCOL.question(qid).label}" in letter
    assert "mogelijke schade aan of druk op het ruggenmerg en mogelijke tumor" in letter
    assert "vandaag nog" in letter  # the spinal cord is acute
    assert "tumor," not in letter.lower()  # labels from the data, not category ids
    for field in ("Naam fysiotherapeut:", "Praktijk:", "Telefoon:"):
        assert field in letter


def test_routine_referral_says_no_hurry_and_unknown_signs_are_named() -> None:
    letter = letter_for(red_flags_with({"rf_systemic_joints"},
                                       doubt=frozenset({"rf_tumour_weight_night"})))
    assert "Het is geen spoed." in letter and "vandaag" not in letter
    assert "Niet uitgesloten, omdat het nog onbekend is: mogelijke tumor of uitzaaiing." in letter
    acute = letter_for(red_flags_with({"rf_systemic_joints"}, doubt=frozenset({"rf_infection"})))
    assert "vandaag nog" in acute  # an acute sign not ruled out makes it acute


def test_a_failed_rotation_comes_from_the_examination_and_names_the_rule() -> None:
    high = ["nee"] * len(HIGH_RISK_QUESTIONS)
    letter = letter_for([*TRAUMA, *high, "ja", "nee", "ja"])
    assert "Bij het onderzoek:" in letter
    assert f"- {PROTOCOL.question('cs_rotation_45').letter_label}" in letter
    assert "- kan het hoofd niet zelf 45 graden" in letter
    assert "Canadian C-spine rule is een fractuur niet uitgesloten: de patiënt draait" in letter
    assert "Uit de anamnese:" not in letter


def test_trauma_with_a_precaution_says_the_rule_does_not_hold() -> None:
    letter = letter_for([*NO_RED_FLAGS, "nee", "ja", "nee", "nee", "ja", "nee"])
    assert "bij langdurig gebruik van prednison" in letter
    assert "de Canadian C-spine rule geldt hier niet" in letter


def test_the_duration_is_named_when_known() -> None:
    findings = parse_findings({"red_flags": ["tumour"], "weeks_since_onset": 8})
    answerer = FindingsAnswerer(findings, PROTOCOL)
    outcome = run_session(PROTOCOL, answerer, [answerer])
    consultation = outcome.consultation
    assert consultation.result is not None
    report = render_markdown(build_report(protocol=PROTOCOL, answers=outcome.answers,
                                          findings=findings, result=consultation.result,
                                          day=DAY))
    assert "met nekpijn, die 8 weken bestaat." in report
    assert f"- {PROTOCOL.question('rf_tumour_history').label}" in report


def test_no_low_risk_factor_lists_each_absent_one_and_known_precautions() -> None:
    high = ["nee"] * len(HIGH_RISK_QUESTIONS)
    letter = letter_for([*NO_RED_FLAGS, "nee", "nee", "nee", "ja", "ja", "nee", *high,
                         "nee", "nee", "nee", "ja", "ja"])  # tender, confirmed
    for qid in ("cs_simple_rear_end", "cs_walked", "cs_delayed_onset"):
        assert f"- {PROTOCOL.question(qid).letter_label}" in letter.split("Bij het onderzoek")[0]
    examination = letter.split("Bij het onderzoek:")[1]
    assert "- drukpijn midden op de halswervels" in examination
    assert "Bekend: antistolling (bloedverdunners)." in letter
    assert "er is geen laag-risicofactor" in letter


def test_an_arterial_sign_says_when_to_call_112() -> None:
    letter = letter_for(red_flags_with({"rf_vascular_brainstem"}))
    assert "Bel dan 112" in letter and "vandaag nog" in letter


def test_each_sign_carries_the_therapists_words_and_a_doubted_one_is_named() -> None:
    """The GP reads which sign, as the therapist put it, not only its category; a red flag the
    therapist could not rule out is named as such, with what was said."""
    flags = RED_FLAG_QUESTIONS
    seen, doubted = flags[12], flags[13]  # double vision …; dizziness with …
    answers: list[str] = []
    for qid in flags:
        if qid == seen:
            answers += ["ja, sinds eergisteren af en toe dubbelzien", "ja"]
        elif qid == doubted:
            answers += ["weet ik niet, niet getest", "weet ik niet, niet getest"]
        else:
            answers.append("nee")
    letter = letter_for([*answers, *AFTER_FLAGS])
    assert "(sinds eergisteren af en toe dubbelzien)" in letter
    assert "niet uitgesloten (weet ik niet, niet getest)" in letter


def test_the_accident_is_named_in_the_therapists_words() -> None:
    trauma = [*TRAUMA[:-2], "ja, vorige week van het keukentrapje gevallen", "nee"]
    high = ["nee"] * len(HIGH_RISK_QUESTIONS)
    letter = letter_for([*trauma, *high, "ja", "nee", "ja"])  # fails the rotation
    assert "Over het ongeval noteerde ik: vorige week van het keukentrapje gevallen." in letter
