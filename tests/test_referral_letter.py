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
    AGE,
    HIGH_RISK_QUESTIONS,
    NO_PRECAUTIONS,
    NO_RED_FLAGS,
    PROTOCOL,
    RED_FLAG_QUESTIONS,
    SCREENED,
    TRAUMA,
    red_flag_questions,
)

DAY = date(2026, 11, 30)
DURATION = "drie weken"  # a referral asks the duration of the neck pain for the letter
DEFICIT_FLAGS = frozenset({"vascular", "spinal_cord"})  # a "ja" asks whether the deficit is now


def letter_for(inputs: list[str], *, age: str | None = AGE) -> str:
    """The letter of an intake with these answers (the age first, unless None: `inputs` answer
    it themselves)."""
    script = [age, *inputs] if age is not None else inputs
    outcome = run_session(PROTOCOL, ScriptedListener(script), [])
    consultation = outcome.consultation
    assert consultation.result is not None and consultation.result.referral
    report = render_markdown(build_report(
        protocol=PROTOCOL, answers=outcome.answers, findings=consultation.findings,
        result=consultation.result, day=DAY))
    return report.split("## Verwijsbrief aan de huisarts", 1)[1]


def red_flags_with(yes: set[str], doubt: frozenset[str] = frozenset(),
                   deficit_now: list[str] | None = None,
                   age: int | None = int(AGE)) -> list[str]:
    """The red flags asked at `age` (`yes` confirmed, `doubt` doubted twice); right after the
    first vascular or spinal-cord one of them, whether the deficit is there now (`deficit_now`,
    else "nee"); then no precaution or trauma, and the duration for the letter."""
    out: list[str] = []
    deficit_asked = False
    for qid in red_flag_questions(age):
        out += ["ja", "ja"] if qid in yes else ["weet ik niet"] * 2 if qid in doubt else ["nee"]
        if not deficit_asked and (qid in yes or qid in doubt) \
                and PROTOCOL.question(qid).red_flag in DEFICIT_FLAGS:
            out += deficit_now if deficit_now is not None else ["nee"]
            deficit_asked = True
    return [*out, *AFTER_FLAGS, DURATION]


def test_every_positive_sign_in_the_therapists_words_with_urgency() -> None:
    letter = letter_for(red_flags_with({"rf_spinal_cord_bladder", "rf_spinal_cord_bilateral",
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
    letter = letter_for(red_flags_with({"rf_systemic_joints"},
                                       doubt=frozenset({"rf_tumour_weight_night"})))
    assert "Het is geen spoed." in letter and "vandaag" not in letter
    assert "Niet uitgesloten, omdat het nog onbekend is: mogelijke tumor of uitzaaiing." in letter
    acute = letter_for(red_flags_with({"rf_systemic_joints"}, doubt=frozenset({"rf_infection"})))
    assert "vandaag nog" in acute  # an acute sign not ruled out makes it acute


def test_a_failed_rotation_comes_from_the_examination_and_names_the_rule() -> None:
    high = ["nee"] * len(HIGH_RISK_QUESTIONS)
    letter = letter_for([*TRAUMA, *high, "ja", "nee", "ja", DURATION])
    assert "Bij het onderzoek:" in letter
    assert f"- {PROTOCOL.question('cs_rotation_45').letter_label}" in letter
    assert "- kan het hoofd niet zelf 45 graden" in letter
    assert "Canadian C-spine rule is een fractuur niet uitgesloten: de patiënt draait" in letter
    assert "Uit de anamnese:" not in letter


def test_trauma_with_a_precaution_says_the_rule_does_not_hold() -> None:
    letter = letter_for([*NO_RED_FLAGS, "nee", "ja", "nee", "nee", "ja", "twaalf weken", "nee",
                         DURATION])
    assert "bij langdurig gebruik van prednison" in letter
    assert "de Canadian C-spine rule geldt hier niet" in letter
    # what the therapist said beside the precaution (read back first) is in the letter
    said = letter_for([*NO_RED_FLAGS, "nee", "ja, 5 mg voor COPD", "ja", "nee", "nee", "ja",
                       "twaalf weken", "nee", DURATION])
    assert "prednison of een ander corticosteroïd (5 mg voor COPD)." in said


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
    # the age not in the file: cancer history asked on its own (the safer reading)
    assert f"- {PROTOCOL.question('rf_tumour_history_50').label}" in report


def test_no_low_risk_factor_lists_each_absent_one_and_known_precautions() -> None:
    high = ["nee"] * len(HIGH_RISK_QUESTIONS)
    letter = letter_for([*NO_RED_FLAGS, "nee", "nee", "nee", "ja", "ja", "twaalf weken", "nee",
                         *high, "nee", "nee", "nee", "ja", "ja", DURATION])  # tender, confirmed
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
    seen = flags.index("rf_vascular_brainstem")  # double vision …; dizziness with …
    seen, doubted = flags[seen], flags[seen + 1]
    assert (seen, doubted) == ("rf_vascular_brainstem", "rf_vascular_dizziness")
    answers: list[str] = []
    for qid in flags:
        if qid == seen:  # then: no deficit now
            answers += ["ja, sinds eergisteren af en toe dubbelzien", "ja", "nee"]
        elif qid == doubted:
            answers += ["weet ik niet, niet getest", "weet ik niet, niet getest"]
        else:
            answers.append("nee")
    letter = letter_for([*answers, *AFTER_FLAGS, DURATION])
    assert "(sinds eergisteren af en toe dubbelzien)" in letter
    assert "niet uitgesloten (weet ik niet, niet getest)" in letter


def test_the_accident_is_named_in_the_therapists_words() -> None:
    trauma = [*TRAUMA[:-3], "ja, vorige week van het keukentrapje gevallen", "een week", "nee"]
    high = ["nee"] * len(HIGH_RISK_QUESTIONS)
    letter = letter_for([*trauma, *high, "ja", "nee", "ja", "een week"])  # fails the rotation
    assert "Over het ongeval noteerde ik: vorige week van het keukentrapje gevallen." in letter


# --- version 3: the emergency, the age, the accident's date, both arms, doubt, 'niet pluis' ---

EMERGENCY = PROTOCOL.referral.text("emergency")


def test_a_deficit_now_puts_the_emergency_on_top_of_the_letter() -> None:
    letter = letter_for(red_flags_with({"rf_vascular_headache"}, deficit_now=["ja", "ja"]))
    assert EMERGENCY.startswith("SPOED. Bel 112")
    assert letter.strip().startswith(EMERGENCY)  # before the salutation
    assert letter.index(EMERGENCY) < letter.index("Geachte collega")
    assert f"- {PROTOCOL.question('rf_vascular_headache').label}" in letter
    assert "vandaag nog" not in letter  # not 'today': now
    assert "Bel dan 112" not in letter  # no 'if it gets worse' beside a deficit present now
    # without a deficit now the letter has no emergency line
    calm = letter_for(red_flags_with({"rf_vascular_headache"}, deficit_now=["nee"]))
    assert "SPOED" not in calm and "vandaag nog" in calm


def test_the_age_is_named() -> None:
    letter = letter_for(red_flags_with({"rf_tumour_history_50"}, age=52), age="52")
    assert "De patiënt is 52 jaar." in letter
    unknown = letter_for(["weet ik niet", "weet ik niet",
                          *red_flags_with({"rf_tumour_history_50"}, age=None)], age=None)
    assert "jaar." not in unknown.split("Uit de anamnese:")[0]  # no age line when not known


def test_the_accidents_date_is_named() -> None:
    high = ["nee"] * len(HIGH_RISK_QUESTIONS)
    letter = letter_for([*TRAUMA, *high, "ja", "nee", "ja", DURATION])  # fails the rotation
    assert "Het ongeval was 12 weken geleden." in letter
    unknown = letter_for([*NO_RED_FLAGS, *NO_PRECAUTIONS, "ja", "weet ik niet", "weet ik niet",
                          "nee", *high, "ja", "nee", "ja", DURATION])
    assert "Wanneer het ongeval was, is niet bekend." in unknown
    assert "Het ongeval was" not in unknown


def test_arm_signs_on_both_sides_name_the_signs() -> None:
    """Arm signs on both sides: the spinal cord, not one nerve root; the GP reads which signs."""
    letter = letter_for([*SCREENED, "ja", "ja", "nee", "beide", "nee", DURATION])  # no deficit
    assert ("Bij het onderzoek: verminderde peesreflexen in de arm en spierzwakte in de arm, "
            "aan beide kanten.") in letter
    assert "druk op het ruggenmerg, niet bij één zenuwwortel" in letter
    assert "vandaag nog" in letter  # the spinal cord is acute
    assert "gevoelsstoornis" not in letter.lower()  # the sign not found is not named
    said = letter_for([*SCREENED, "ja, biceps links en rechts zwak", "ja", "nee",
                       "beide, de handen tintelen", "nee", DURATION])
    assert ("verminderde peesreflexen in de arm en spierzwakte in de arm (biceps links en "
            "rechts zwak; de handen tintelen), aan beide kanten.") in said  # the words said


def test_unknown_precautions_are_named() -> None:
    flags = red_flags_with({"rf_tumour_history"})[:len(RED_FLAG_QUESTIONS) + 1]
    letter = letter_for([*flags, "weet ik niet", "weet ik niet", *NO_PRECAUTIONS[1:], "nee",
                         DURATION])
    assert "Niet uitgesloten: botontkalking (osteoporose)." in letter
    assert "Bekend:" not in letter  # a precaution not ruled out is not a known one


def test_niet_pluis_keeps_the_therapists_words() -> None:
    flags: list[str] = []
    for qid in RED_FLAG_QUESTIONS:
        flags += (["ja, pijn past niet bij bewegen", "ja"] if qid == "rf_unrecognised"
                  else ["nee"])
    letter = letter_for([*flags, *AFTER_FLAGS, DURATION])
    label = PROTOCOL.question("rf_unrecognised").letter_label
    assert f"- {label} (pijn past niet bij bewegen)" in letter
    assert "Het is geen spoed." in letter  # 'niet pluis' alone is routine
