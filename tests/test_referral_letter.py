"""The referral letter: what was found and where, in the therapist's words, with the urgency."""

from __future__ import annotations

from datetime import date

from assistant.dialog.answers_file import FindingsAnswerer
from assistant.intake.run import run_consultation
from assistant.output.report_build import build_report
from assistant.output.report_markdown import render_markdown
from assistant.protocol import parse_findings
from tests.harness import (
    CLEARED_TRAUMA_BY_ID,
    NO_HIGH_RISK,
    PROTOCOL,
    RED_FLAG_QUESTIONS,
    SCREENED_BY_ID,
    TRAUMA_BY_ID,
    intake,
    run_intake,
)
from tests.intake_script import Said

DAY = date(2026, 11, 30)
DURATION = "drie weken"  # a referral asks the duration of the neck pain for the letter
# After a red flag: no deficit now (asked after a vascular or spinal-cord one), no trauma, and the
# duration of the neck pain for the letter.
REFERRED: dict[str, Said] = {"age_years": "47", "acute_deficit_now": "nee",
                             "trauma_related": "nee", "weeks_since_onset": DURATION}
# The C-spine rule failed on the rotation (the accident twelve weeks ago, cleared up to there).
ROTATION_FAILED: dict[str, Said] = {**CLEARED_TRAUMA_BY_ID, "cs_rotation_45": "nee",
                                   "weeks_since_onset": DURATION}


def letter_for(*parts: dict[str, Said]) -> str:
    """The letter of an intake answered by id (`parts` merged; every red flag and precaution
    "nee" unless named; a "ja" read back is confirmed)."""
    outcome, _ = run_intake(intake(*parts))
    consultation = outcome.consultation
    assert consultation.result is not None and consultation.result.referral
    report = render_markdown(build_report(
        protocol=PROTOCOL, answers=outcome.answers, findings=consultation.findings,
        result=consultation.result, day=DAY))
    return report.split("## Verwijsbrief aan de huisarts", 1)[1]


def flags(yes: set[str], doubt: frozenset[str] = frozenset()) -> dict[str, Said]:
    """Red flags: `yes` ("ja", confirmed), `doubt` (doubted twice)."""
    return {**dict.fromkeys(yes, "ja"), **{q: ["weet ik niet"] * 2 for q in doubt}}


def test_every_positive_sign_in_the_therapists_words_with_urgency() -> None:
    letter = letter_for(REFERRED, flags({"rf_spinal_cord_bladder", "rf_spinal_cord_bilateral",
                                         "rf_tumour_history"}))
    assert "Op 30 november 2026 zag ik uw patiënt met nekpijn, die 3 weken bestaat." in letter
    assert "Uit de anamnese:" in letter and "Bij het onderzoek:" not in letter
    for qid in ("rf_spinal_cord_bladder", "rf_spinal_cord_bilateral", "rf_tumour_history"):
        assert f"- {PROTOCOL.question(qid).label}" in letter
    assert "mogelijke schade aan of druk op het ruggenmerg en mogelijke tumor" in letter
    assert "vandaag nog" in letter  # the spinal cord is acute
    assert "tumor," not in letter.lower()  # labels from the data, not category ids
    for field in ("Naam fysiotherapeut:", "Praktijk:", "Telefoon:"):
        assert field in letter


def test_routine_referral_says_no_hurry_and_unknown_signs_are_named() -> None:
    letter = letter_for(REFERRED, flags({"rf_systemic_joints"},
                                        doubt=frozenset({"rf_tumour_weight_night"})))
    assert "Het is geen spoed." in letter and "vandaag" not in letter
    assert "Niet uitgesloten, omdat het nog onbekend is: mogelijke tumor of uitzaaiing." in letter
    acute = letter_for(REFERRED, flags({"rf_systemic_joints"}, doubt=frozenset({"rf_infection"})))
    assert "vandaag nog" in acute  # an acute sign not ruled out makes it acute


def test_a_failed_rotation_comes_from_the_examination_and_names_the_rule() -> None:
    letter = letter_for(ROTATION_FAILED)
    assert "Bij het onderzoek:" in letter
    assert f"- {PROTOCOL.question('cs_rotation_45').letter_label}" in letter
    assert "- kan het hoofd niet zelf 45 graden" in letter
    assert "Canadian C-spine rule is een fractuur niet uitgesloten: de patiënt draait" in letter
    assert "Uit de anamnese:" not in letter


def test_trauma_with_a_precaution_says_the_rule_does_not_hold() -> None:
    # the accident and the C-spine rule's history come before the precautions (issue 25)
    on_prednisone = {**TRAUMA_BY_ID, **NO_HIGH_RISK, "cs_simple_rear_end": "ja",
                     "weeks_since_onset": DURATION}
    letter = letter_for(on_prednisone, {"pr_corticosteroids": "ja"})
    assert "bij langdurig gebruik van prednison" in letter
    assert "de Canadian C-spine rule geldt hier niet" in letter
    # what the therapist said beside the precaution (read back first) is in the letter
    said = letter_for(on_prednisone, {"pr_corticosteroids": "ja, 5 mg voor COPD"})
    assert "prednison of een ander corticosteroïd (5 mg voor COPD)." in said


def test_the_duration_is_named_when_known() -> None:
    findings = parse_findings({"red_flags": ["tumour"], "weeks_since_onset": 8})
    answerer = FindingsAnswerer(findings, PROTOCOL)
    outcome = run_consultation(PROTOCOL, answerer, [answerer])
    consultation = outcome.consultation
    assert consultation.result is not None
    report = render_markdown(build_report(protocol=PROTOCOL, answers=outcome.answers,
                                          findings=findings, result=consultation.result,
                                          day=DAY))
    assert "met nekpijn, die 8 weken bestaat." in report
    # the age not in the file: cancer history asked on its own (the safer reading)
    assert f"- {PROTOCOL.question('rf_tumour_history_50').label}" in report


def test_no_low_risk_factor_lists_each_absent_one_and_known_precautions() -> None:
    letter = letter_for(TRAUMA_BY_ID, NO_HIGH_RISK, {
        "pr_anticoagulants": "ja", "cs_simple_rear_end": "nee", "cs_walked": "nee",
        "cs_delayed_onset": "nee", "cs_midline_tenderness": "ja",  # tender, confirmed
        "weeks_since_onset": DURATION})
    for qid in ("cs_simple_rear_end", "cs_walked", "cs_delayed_onset"):
        assert f"- {PROTOCOL.question(qid).letter_label}" in letter.split("Bij het onderzoek")[0]
    examination = letter.split("Bij het onderzoek:")[1]
    assert "- drukpijn midden op de halswervels" in examination
    assert "Bekend: antistolling (bloedverdunners)." in letter
    assert "er is geen laag-risicofactor" in letter


def test_an_arterial_sign_says_when_to_call_112() -> None:
    letter = letter_for(REFERRED, flags({"rf_vascular_brainstem"}))
    assert "Bel dan 112" in letter and "vandaag nog" in letter


def test_each_sign_carries_the_therapists_words_and_a_doubted_one_is_named() -> None:
    """The GP reads which sign, as the therapist put it, not only its category; a red flag the
    therapist could not rule out is named as such, with what was said."""
    at = RED_FLAG_QUESTIONS.index("rf_vascular_brainstem")  # double vision …; dizziness with …
    seen, doubted = RED_FLAG_QUESTIONS[at], RED_FLAG_QUESTIONS[at + 1]
    assert (seen, doubted) == ("rf_vascular_brainstem", "rf_vascular_dizziness")
    letter = letter_for(REFERRED, {  # then: no deficit now
        seen: "ja, sinds eergisteren af en toe dubbelzien",
        doubted: ["weet ik niet, niet getest", "weet ik niet, niet getest"]})
    assert "(sinds eergisteren af en toe dubbelzien)" in letter
    assert "niet uitgesloten (weet ik niet, niet getest)" in letter


def test_the_accident_is_named_in_the_therapists_words() -> None:
    letter = letter_for(ROTATION_FAILED, {  # fails the rotation
        "trauma_related": "ja, vorige week van het keukentrapje gevallen",
        "trauma_weeks_ago": "een week", "weeks_since_onset": "een week"})
    assert "Over het ongeval noteerde ik: vorige week van het keukentrapje gevallen." in letter


# --- version 3: the emergency, the age, the accident's date, both arms, doubt, 'niet pluis' ---

EMERGENCY = PROTOCOL.referral.text("emergency")


def test_a_deficit_now_puts_the_emergency_on_top_of_the_letter() -> None:
    letter = letter_for(REFERRED, flags({"rf_vascular_headache"}), {"acute_deficit_now": "ja"})
    assert EMERGENCY.startswith("SPOED. Bel 112")
    assert letter.strip().startswith(EMERGENCY)  # before the salutation
    assert letter.index(EMERGENCY) < letter.index("Geachte collega")
    assert f"- {PROTOCOL.question('rf_vascular_headache').label}" in letter
    assert "vandaag nog" not in letter  # not 'today': now
    assert "Bel dan 112" not in letter  # no 'if it gets worse' beside a deficit present now
    # without a deficit now the letter has no emergency line
    calm = letter_for(REFERRED, flags({"rf_vascular_headache"}))
    assert "SPOED" not in calm and "vandaag nog" in calm


def test_the_age_is_named() -> None:
    letter = letter_for(REFERRED, flags({"rf_tumour_history_50"}), {"age_years": "52"})
    assert "De patiënt is 52 jaar." in letter
    unknown = letter_for(REFERRED, flags({"rf_tumour_history_50"}),
                         {"age_years": ["weet ik niet", "weet ik niet"]})
    assert "jaar." not in unknown.split("Uit de anamnese:")[0]  # no age line when not known


def test_the_accidents_date_is_named() -> None:
    letter = letter_for(ROTATION_FAILED)  # fails the rotation
    assert "Het ongeval was 12 weken geleden." in letter
    unknown = letter_for(ROTATION_FAILED, {"trauma_weeks_ago": ["weet ik niet", "weet ik niet"]})
    assert "Wanneer het ongeval was, is niet bekend." in unknown
    assert "Het ongeval was" not in unknown


def test_arm_signs_on_both_sides_name_the_signs() -> None:
    """Arm signs on both sides: the spinal cord, not one nerve root; the GP reads which signs."""
    both = {**SCREENED_BY_ID, "neuro_reflexes": "ja", "neuro_weakness": "ja",
            "neuro_sensory": "nee", "arm_side": "beide", "acute_deficit_now": "nee",  # no deficit
            "weeks_since_onset": DURATION}
    letter = letter_for(both)
    assert ("Bij het onderzoek: verminderde peesreflexen in de arm en spierzwakte in de arm, "
            "aan beide kanten.") in letter
    assert "druk op het ruggenmerg, niet bij één zenuwwortel" in letter
    assert "vandaag nog" in letter  # the spinal cord is acute
    assert "gevoelsstoornis" not in letter.lower()  # the sign not found is not named
    said = letter_for(both, {"neuro_reflexes": "ja, biceps links en rechts zwak",
                             "arm_side": "beide, de handen tintelen"})
    assert ("verminderde peesreflexen in de arm en spierzwakte in de arm (biceps links en "
            "rechts zwak; de handen tintelen), aan beide kanten.") in said  # the words said


def test_unknown_precautions_are_named() -> None:
    letter = letter_for(REFERRED, flags({"rf_tumour_history"}),
                        {"pr_osteoporosis": ["weet ik niet", "weet ik niet"]})
    assert "Niet uitgesloten: botontkalking (osteoporose)." in letter
    assert "Bekend:" not in letter  # a precaution not ruled out is not a known one


def test_niet_pluis_keeps_the_therapists_words() -> None:
    letter = letter_for(REFERRED, {"rf_unrecognised": "ja, pijn past niet bij bewegen"})
    label = PROTOCOL.question("rf_unrecognised").letter_label
    assert f"- {label} (pijn past niet bij bewegen)" in letter
    assert "Het is geen spoed." in letter  # 'niet pluis' alone is routine
