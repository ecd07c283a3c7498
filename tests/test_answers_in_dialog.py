"""Answers as therapists give them, through whole consultations (issue 12): an answer with its
explanation (the note, in the answer event, the journal and the report's "Toelichting"), doubt
and between-choices, contradictions, corrections and calendar answers read back, and sick leave
longer than the neck pain."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from assistant.dialog.consultation import Consultation, DialogConfig
from assistant.dialog.events import Event
from assistant.output.report_build import build_report
from assistant.output.report_markdown import render_markdown
from assistant.speech.interfaces import Utterance
from tests.harness import (
    AGE,
    NO_NEURO_BY_ID,
    PROTOCOL,
    SCREENED_BY_ID,
    JsonEvent,
    collect,
    intake,
    of,
    profile,
    result_of,
    run_consultation,
    run_intake,
)
from tests.intake_lines import lines
from tests.intake_script import IntakeScript, Said, ScriptDriver

TODAY = date(2026, 11, 30)
ON_DAY = DialogConfig(today=TODAY)


# Screened, no arm signs, a little impact: the answers up to the course.
LITTLE_IMPACT: dict[str, Said] = {**SCREENED_BY_ID, **NO_NEURO_BY_ID, "adl_impact": "een beetje"}
# Fors for three weeks, not improving, work-related sick leave: the absence follows.
ON_SICK_LEAVE: dict[str, Said] = {
    **SCREENED_BY_ID, **NO_NEURO_BY_ID, "adl_impact": "fors", "weeks_since_onset": "drie weken",
    "improving": "nee", "psychosocial_dominant": "nee", "has_work": "ja", "work_related": "ja",
    "exercise_choice": None}


def by_id(*parts: dict[str, Said], confirms: dict[str, Said] | None = None) -> IntakeScript:
    return intake(*parts, confirms=confirms, strict=True)


def answers_to(events: list[JsonEvent], question: str) -> list[JsonEvent]:
    return [a for a in of(events, "answer") if a["question"] == question]


def reasons(events: list[JsonEvent], question: str) -> list[str]:
    return [r["reason"] for r in of(events, "reprompt") if r["question"] == question]


def test_an_answer_with_its_explanation_keeps_the_note_in_event_and_report() -> None:
    outcome, events = run_intake(profile("A", {
        "trauma_related": "Nee, alleen een verkeerde beweging.",
        "improving": "ja, het gaat steeds beter", "recurrent": "nee, eerste keer"},
        strict=True), ON_DAY)
    assert answers_to(events, "trauma_related") == [{
        "event": "answer", "question": "trauma_related", "finding": "trauma_related",
        "value": False, "note": "alleen een verkeerde beweging"}]
    assert answers_to(events, "improving")[0]["note"] == "het gaat steeds beter"
    assert answers_to(events, "adl_impact")[0]["note"] is None  # a plain answer has none
    assert result_of(events)["profile"] == "A"
    consultation = outcome.consultation
    report = render_markdown(build_report(
        protocol=PROTOCOL, answers=outcome.answers, findings=consultation.findings,
        result=consultation.result, day=TODAY))
    assert "| Vraag | Antwoord | Toelichting |" in report and "Gehoord" not in report
    assert "| nee | eerste keer |" in report


def test_doubt_on_the_impact_gives_the_help_and_the_question_again() -> None:
    events = run_consultation(by_id(SCREENED_BY_ID, NO_NEURO_BY_ID, {
        "adl_impact": ["weet ik niet", "fors"], "weeks_since_onset": "tien weken",
        "psychosocial_dominant": "nee", "has_work": "nee", "exercise_choice": ["nee", None]}),
        ON_DAY)
    assert reasons(events, "adl_impact") == ["doubt"]
    assert answers_to(events, "adl_impact")[0]["value"] == "severe"


def test_between_two_choices_is_split_by_a_follow_up_never_guessed() -> None:
    events: list[JsonEvent] = []
    driver = ScriptDriver(by_id(SCREENED_BY_ID, NO_NEURO_BY_ID, {"adl_impact": "matig"}),
                          PROTOCOL)
    keep = collect(events)

    def emit(event: Event) -> None:
        keep(event)
        driver(event)

    consultation = Consultation(PROTOCOL, emit, ON_DAY)
    consultation.start()
    while "matig" not in driver.said:  # up to the impact, answered "matig"
        consultation.hear(driver.listen(consultation.grammar()))
    split = of(events, "reprompt")[-1]
    assert (split["reason"], split["text"]) == ("between", "Eerder een beetje, of eerder fors?")
    assert "eerder fors" in consultation.grammar()  # a recogniser can hear the split's answer
    consultation.hear(Utterance("redelijk"))  # between again
    consultation.hear(Utterance("eerder fors"))
    assert reasons(events, "adl_impact") == ["between", "between"]
    assert answers_to(events, "adl_impact")[0]["value"] == "severe"


@pytest.mark.parametrize(("said", "weeks", "confirm"), [
    ("sinds september", (TODAY - date(2026, 9, 1)).days / 7,
     "Dus 12,9 weken, vanaf 1 september 2026. Klopt dat? Zeg ja of nee."),
    ("vijf weken, eh, drie weken", 3, "Dus 3 weken. Klopt dat? Zeg ja of nee."),
    ("vorige week maandag", 1, "Dus 1 week, vanaf 23 november 2026. Klopt dat? Zeg ja of nee."),
    ("sinds gisteren", 1 / 7, "Dus 1 dag, vanaf 29 november 2026. Klopt dat? Zeg ja of nee."),
])
def test_a_worked_out_duration_is_read_back_and_counts_only_after_ja(
        said: str, weeks: float, confirm: str) -> None:
    # twelve weeks is no longer improving: the psychosocial factors are asked instead
    events = run_consultation(profile("A", {"weeks_since_onset": said,
                                            "psychosocial_dominant": "ja"}), ON_DAY)
    confirms = [c for c in of(events, "confirm") if c["question"] == "weeks_since_onset"]
    assert [c["text"] for c in confirms] == [confirm]
    onset = answers_to(events, "weeks_since_onset")
    assert onset[0]["value"] == pytest.approx(weeks) and onset[0]["note"] == said


def test_nee_to_a_read_back_asks_the_duration_again() -> None:
    events = run_consultation(profile("A", {"weeks_since_onset": ["sinds september", "drie weken"]},
                                      confirms={"weeks_since_onset": ["nee"]}, strict=True),
                              ON_DAY)
    onset = answers_to(events, "weeks_since_onset")
    assert [a["value"] for a in onset] == [3]
    assert "not_confirmed" in reasons(events, "weeks_since_onset")


@pytest.mark.parametrize(("question_at", "said", "reason"), [
    ("improving", "ja, nee", "contradiction"),
    ("weeks_since_onset", "twee à drie weken", "range"),
    ("weeks_since_onset", "drie weken, twee maanden", "two_amounts"),
    ("weeks_since_onset", "2019", "year"),
])
def test_what_cannot_be_taken_is_asked_again_saying_why(question_at: str, said: str,
                                                       reason: str) -> None:
    # the complaint comes first: the duration second, the course after it (issue 25)
    before: dict[str, Said] = {"age_years": AGE} if question_at == "weeks_since_onset" else {
        **SCREENED_BY_ID, "weeks_since_onset": "drie weken"}
    events = run_consultation(by_id(before, {question_at: [said, None]}), ON_DAY)
    reprompt = [r for r in of(events, "reprompt") if r["question"] == question_at]
    assert [r["reason"] for r in reprompt] == [reason]
    assert PROTOCOL.dialog.intake.turns.why(reason) in reprompt[0]["text"]
    assert answers_to(events, question_at) == []


def test_sick_leave_longer_than_the_neck_pain_is_asked_again() -> None:
    events = run_consultation(by_id(ON_SICK_LEAVE, {"work_absence_weeks": ["tien weken",
                                                                          "twee weken"]}),
                              ON_DAY)
    assert reasons(events, "work_absence_weeks") == ["longer_than_onset"]
    assert answers_to(events, "work_absence_weeks")[0]["value"] == 2


def test_a_red_flag_no_with_an_explanation_is_read_back_and_doubt_is_never_a_no() -> None:
    """'nee, alleen Hoffmann positief' must not pass as a plain nee: on a red flag an answer
    with more words is read back with them before it counts."""
    events = run_consultation(by_id({  # the input ends after the red flags
        "age_years": AGE, "rf_spinal_cord_bilateral": "nee, alleen rechts",
        "rf_infection": ["nee, ik denk het niet", "nee"], "pr_osteoporosis": None}), ON_DAY)
    confirm = [c for c in of(events, "confirm") if c["question"] == "rf_spinal_cord_bilateral"]
    label = PROTOCOL.question("rf_spinal_cord_bilateral").label
    assert [c["text"] for c in confirm] == [  # read back as the sign, with what was said
        f"Dus geen: {label}. U zei erbij: alleen rechts. Klopt dat? Zeg ja of nee."]
    bilateral = answers_to(events, "rf_spinal_cord_bilateral")[0]
    assert (bilateral["value"], bilateral["note"]) == (False, "alleen rechts")
    assert reasons(events, "rf_infection")[0] == "doubt"


def test_the_note_survives_a_resume(tmp_path: Path) -> None:
    db, report = tmp_path / "records.sqlite", tmp_path / "report"
    typed = lines(profile("A", {"improving": "ja, het gaat steeds beter",
                                "recurrent": "nee, eerste keer", "exercise_choice": "geen"},
                          confirms={"exercise_choice": None}))
    at = typed.index("ja, het gaat steeds beter") + 1  # stopped after it, then resumed
    first, rest = typed[:at], typed[at:]
    run = subprocess.run(
        [sys.executable, "-m", "assistant", "intake", "--text", "--mute", "--patient", "pt-n",
         "--db", str(db)], input="\n".join([*first, "stop"]) + "\n", capture_output=True,
        text=True, timeout=60, check=False)
    assert run.returncode == 1, run.stderr
    second = subprocess.run(
        [sys.executable, "-m", "assistant", "intake", "--text", "--mute", "--patient", "pt-n",
         "--db", str(db), "--yes", "--report", str(report)],
        input="\n".join(rest) + "\n", capture_output=True, text=True, timeout=60, check=False)
    assert second.returncode == 0, second.stderr
    text = (report / "report.md").read_text("utf-8")
    assert "| ja | het gaat steeds beter |" in text and "| nee | eerste keer |" in text


def test_a_ja_with_more_words_to_a_read_back_is_no_clean_ja() -> None:
    """'ja, maar eigenlijk pas vier weken' to 'Dus 12,9 weken …' must not take 12,9."""
    events = run_consultation(by_id(LITTLE_IMPACT, {
        "weeks_since_onset": ["sinds september", "vier weken"], "improving": "nee",
        "psychosocial_dominant": "nee", "has_work": "nee", "exercise_choice": None},
        confirms={"weeks_since_onset": ["ja, maar eigenlijk pas vier weken", "nee"]}), ON_DAY)
    assert [a["value"] for a in answers_to(events, "weeks_since_onset")] == [4]
    assert "not_understood" in reasons(events, "weeks_since_onset")


def test_an_utterance_too_long_for_any_answer_is_not_parsed() -> None:
    events = run_consultation(by_id(SCREENED_BY_ID, {  # the input ends at the arm complaints
        "adl_impact": ["14 " * 4000, "fors"], "arm_complaints": None}), ON_DAY)
    assert reasons(events, "adl_impact") == ["not_understood"]
    assert max(len(h["text"]) for h in of(events, "heard")) <= 500


def test_sick_leave_just_longer_than_a_short_complaint_is_asked_again() -> None:
    events = run_consultation(by_id(ON_SICK_LEAVE, {
        "weeks_since_onset": "twee dagen", "work_absence_weeks": ["acht dagen", "twee dagen"]}),
        ON_DAY)
    assert reasons(events, "work_absence_weeks") == ["longer_than_onset"]


def test_by_voice_the_red_flags_all_heard_as_nee_are_read_back_as_a_whole() -> None:
    voice = DialogConfig(voice=True, today=TODAY)
    nee, ja = Utterance("nee", 0.95, "voice"), Utterance("ja", 0.95, "voice")
    # every red flag "nee" twice (heard by voice: the checklist asked one by one), read back
    # as a whole, "nee" to that, then "ja"; the input ends at the question after the red flags
    events = run_consultation(intake({"age_years": AGE, "has_work": None}, defaults={
        "precautions": "nee", "red_flags": nee}, confirms={"red_flags": [nee, ja]},
        strict=True), voice)
    whole = [c for c in of(events, "confirm") if c["finding"] == "red_flags"]
    assert [c["text"] for c in whole] == [PROTOCOL.dialog.intake.red_flags_all_no] * 2
    # 'nee' to the read-back: the red flags are asked again from the first one
    first = PROTOCOL.section_questions("red_flags")[0].id
    assert [e["question"] for e in of(events, "ask")].count(first) == 2
    assert of(events, "ask")[-1]["question"] == "has_work"
    # typed: no read-back
    typed = run_consultation(by_id({"age_years": AGE, "has_work": None}), ON_DAY)
    assert "red_flags" in [e["question"] for e in of(typed, "ask")]  # the checklist, "geen"
    assert not [c for c in of(typed, "confirm") if c["finding"] == "red_flags"]


def test_by_voice_after_the_keyboard_offer_the_question_waits_on_screen_unspoken() -> None:
    """Re-asking aloud for ever helps nobody: after the tries the keyboard is offered once,
    then the question stays on screen and a typed or spoken answer is awaited."""
    from assistant.intake.run import SpeechOutput

    said: list[str] = []

    class Speaker:
        def say(self, text: str) -> None:
            said.append(text)

        def stop(self) -> None: ...

        def close(self) -> None: ...

        def take_late(self) -> float:
            return 0.0

    voice = DialogConfig(voice=True, today=TODAY)
    unclear = [Utterance("blauw", 0.9, "voice")] * 5
    first = PROTOCOL.section_questions("red_flags")[0].id
    _, events = run_intake(by_id({"age_years": AGE,
                                  first: [*unclear, Utterance("", 0.0, "voice"),
                                          Utterance("nee", 1.0, "text")],
                                  PROTOCOL.section_questions("red_flags")[1].id: None}),
                           voice, also=[SpeechOutput(Speaker())])
    reprompts = [r for r in of(events, "reprompt") if r["question"] == first]
    # the keyboard offer, said once; the silence after it asks nothing again
    assert [r["reason"] for r in reprompts] == ["not_understood"] * 2 + ["keyboard"] * 3
    assert [r.get("aloud", True) for r in reprompts] == [True, True, True, False, False]
    asks = [a for a in of(events, "ask") if a["question"] == first]
    assert [a.get("aloud", True) for a in asks] == [True, True, True, True, False, False]
    assert said.count(PROTOCOL.section_questions("red_flags")[0].text) == 4
    assert answers_to(events, first)[0]["value"] is False


def test_a_findings_files_typed_answers_are_shown_as_read_back() -> None:
    """`intake --answers` gives typed values (nothing is heard): the terminal still shows each
    question's answer under it, as it would be read back, so the run reads as a dialog."""
    import io

    from assistant.dialog.answers_file import FindingsAnswerer
    from assistant.intake.run import run_consultation as run_intake_dialog
    from assistant.output.screen import Screen
    from assistant.protocol.findings_json import parse_findings
    from tests.findings_cases import findings

    given = parse_findings({**findings(), "age_years": 40})
    out = io.StringIO()
    answerer = FindingsAnswerer(given, PROTOCOL)
    run_intake_dialog(PROTOCOL, answerer, [answerer, Screen(out, echo=True, protocol=PROTOCOL)],
                      DialogConfig())
    shown = out.getvalue().splitlines()
    asked = [i for i, line in enumerate(shown) if line.endswith("?")]
    assert shown[asked[0]:asked[0] + 2] == ["Hoe oud is de patiënt?", "> 40 jaar"]
    answered = [line for line in shown if line.startswith("> ")]
    assert len(answered) >= len(asked) - 1  # every question but the choice has its answer
    assert "> nee" in answered and "> 3 weken" in answered
