"""The consultation report: report.md (Dutch, for the patient file), result.json, findings.json."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from assistant.dialog.phrases import display_value
from assistant.output.files import to_json_text, write_private
from assistant.output.sheet import dosage_text
from assistant.protocol import rules
from assistant.protocol.findings import UNKNOWN, Findings, Value, trauma_means_fracture
from assistant.protocol.model import Profile, Protocol, Question
from assistant.protocol.rules import Result, is_work_related
from assistant.text import format_date, format_weeks

SHEET_FILE = "oefenblad.html"
GRADE_WORDS = {"I": "graad I", "II": "graad II", "III": "graad III", "IV": "graad IV"}
COURSE_WORDS = {"normal": "normaal", "abnormal": "afwijkend"}


@dataclass(frozen=True)
class GivenAnswer:
    """A question as it was answered: what was heard and what it meant."""

    question: Question
    heard: str
    value: Value
    note: str = ""  # what was said beside the answer, or the words a duration was worked out from


def _bullets(lines: Sequence[str]) -> list[str]:
    return [f"- {line}" for line in lines]


def _therapy_lines(ids: Sequence[str], protocol: Protocol) -> list[str]:
    return _bullets([protocol.therapy(t).name for t in ids]) or ["- geen"]


def _answers_table(answers: Sequence[GivenAnswer], protocol: Protocol) -> list[str]:
    if not answers:
        return ["Er zijn nog geen vragen beantwoord."]
    rows = ["| Vraag | Antwoord | Toelichting |", "| --- | --- | --- |"]
    for a in answers:
        note = a.note.replace("|", "/")
        rows.append(f"| {a.question.text} | {display_value(a.question, a.value, protocol)} "
                    f"| {note} |")
    return rows


def _exercise_line(protocol: Protocol, code: str, *, dosage: bool = False,
                   later: bool = False) -> str:
    """'- F14: plain name (technical name)[, dosage] (huiswerkfilmpje 14)[, later mark]'."""
    exercise = protocol.exercise(code)
    amount = f", {dosage_text(exercise.dosage)}" if dosage else ""
    mark = " — bij onvoldoende effect, samen met zenuwmobilisatie" if later else ""
    return (f"- {code}: {exercise.therapist_name}{amount} (huiswerkfilmpje {exercise.video})"
            f"{mark}")


def _exercise_lines(result: Result, protocol: Protocol,
                    chosen: Sequence[str] | None) -> list[str]:
    lines = ["## Oefeningen", ""]
    if chosen:
        lines += ["Gekozen voor thuis (zie het oefenblad):", ""]
        lines += [_exercise_line(protocol, code, dosage=True,
                                 later=code in result.exercises_if_insufficient)
                  for code in chosen]
        lines += ["", "Het menu van dit profiel:", ""]
    elif chosen is not None:
        lines += ["Er zijn geen oefeningen gekozen. Het menu van dit profiel:", ""]
    else:
        lines += ["Maak samen met de patiënt een keuze uit:", ""]
    lines += [_exercise_line(protocol, code) for code in result.exercises]
    if result.exercises_if_insufficient:
        lines += ["", "Bij onvoldoende effect, samen met mobilisatie (zenuwmobilisatie):", ""]
        lines += [_exercise_line(protocol, code) for code in result.exercises_if_insufficient]
    if result.exercise_warning:
        lines += ["", f"Let op: {result.exercise_warning}"]
    return lines


def referral_letter(protocol: Protocol, result: Result, findings: Findings,
                    answers: Sequence[GivenAnswer], day: date, *,
                    from_file: bool = False) -> list[str]:
    """The letter to the GP: what was found and where (history or examination), every
    positive sign in the therapist's words, the urgency in plain words, the duration when
    known, and lines for the therapist's name and practice. A findings file (`from_file`)
    names categories, not signs: then the letter names no signs."""
    letter = protocol.referral
    lines = [letter.text("salutation"), "", letter.text("patient"), ""]
    if findings.weeks_since_onset is not None:
        lines.append(letter.text("seen_duration", date=format_date(day),
                                 duration=format_weeks(findings.weeks_since_onset)))
    else:
        lines.append(letter.text("seen", date=format_date(day)))
    if rules.fracture_suspected(findings):
        if trauma_means_fracture(findings):
            lines.append(letter.text("trauma_precaution", precautions=rules.names(
                rules.bone_precautions(findings), protocol.precaution_name)))
        else:
            lines.append(letter.text("trauma", step=rules.c_spine_step(findings, protocol)))
    for where in ("history", "examination"):
        signs = [] if from_file else _signs(answers, findings, where, letter.text("not_checked"))
        if signs:
            lines += ["", letter.text(where), "", *_bullets(signs)]
    if from_file:
        lines += ["", letter.text("from_file")]
    if findings.precautions:
        lines += ["", letter.text("precautions", precautions=rules.names(
            findings.precautions, protocol.precaution_name))]
    lines += ["", letter.text("conclusion", categories=rules.names(
        result.red_flags, protocol.red_flag_name)), ""]
    unknown = tuple(c for c in findings.red_flags_unknown if c not in result.red_flags)
    if unknown:
        lines += [letter.text("unresolved", categories=rules.names(
            unknown, protocol.red_flag_name)), ""]
    assert result.urgency is not None
    lines.append(letter.text(result.urgency))
    if "vascular" in result.red_flags:
        lines.append(letter.text("vascular_now"))
    lines += ["", letter.text("closing"), "",
              *(f"{letter.text(field)} ____________________  "
                for field in ("therapist", "practice", "phone"))]
    return lines


def _signs(answers: Sequence[GivenAnswer], findings: Findings, where: str,
           not_checked: str) -> list[str]:
    """The alarming answers found in the history or at examination, in the letter's words: a
    sign present, a step of the C-spine rule that failed (each absent low-risk factor when none
    was there), or one that could not be checked."""
    rule = findings.c_spine_rule
    no_low_risk = rule is not None and rule.low_risk is False
    signs = []
    for a in answers:
        q = a.question
        if q.found_by != where or not (q.red_flag or q.c_spine_step):
            continue
        if a.value == UNKNOWN and q.c_spine_step:
            signs.append(f"{q.label}: {not_checked}")
        elif a.value == q.alarm or (no_low_risk and q.finding == "c_spine_rule.low_risk"):
            signs.append(q.letter_label or q.label)
    return signs


def _neurological_baseline(findings: Findings, protocol: Protocol) -> list[str]:
    """Grade III: the arm signs as found, the baseline for 'meer sensorische symptomen of een
    toenemend verlies van motorische controle' at the follow-up."""
    if not findings.neurological_signs:
        return []
    side = protocol.reason(f"arm_side_{findings.arm_side or 'unknown'}")
    signs = (rules.names(findings.arm_signs, protocol.arm_sign_name) if findings.arm_signs
             else "niet afzonderlijk genoteerd")
    test = (display_value(protocol.question("radicular_test"), findings.radicular_test, protocol)
            if findings.radicular_test else "niet genoteerd")
    return ["## Neurologische beginsituatie", "", f"- Tekenen: {signs}", f"- Kant: {side}",
            f"- Spurling-test of tractie- en distractietest: {test}", ""]


def _time_path(prof: Profile, day: date) -> list[str]:
    """'Spreek vooraf met de patiënt een duidelijk tijdspad af': the evaluation date."""
    weeks = prof.closure_plan.review_after_weeks
    if weeks is None:
        return []
    when = day + timedelta(weeks=weeks)
    return [f"- Tijdspad: evalueer op of rond {format_date(when)} ({weeks} weken na de intake), "
            "met de NPRS en de PSK."]


def _plan(result: Result, findings: Findings, protocol: Protocol,
          chosen: Sequence[str] | None, day: date) -> list[str]:
    assert result.profile is not None
    prof = protocol.profile(result.profile)
    lines = [*_neurological_baseline(findings, protocol),
             "## Informatie en advies", "", *_bullets(prof.advice), ""]
    if is_work_related(findings):
        lines += ["## Werkgerelateerde nekpijn", "", *_bullets(prof.work_advice), ""]
    if result.actions:
        lines += ["## Acties", "", *_bullets([protocol.action(a).text for a in result.actions]),
                  ""]
    lines += [
        "## Therapie", "",
        "Aanbevolen:", "", *_therapy_lines(result.recommended, protocol), "",
        "Te overwegen, als de aanbevolen therapie onvoldoende helpt:", "",
        *_therapy_lines(result.consider, protocol), "",
        "Afgeraden:", "", *_therapy_lines(result.discouraged, protocol), "",
        *_exercise_lines(result, protocol, chosen),
    ]
    lines += ["", "## Afsluiting", "", *_time_path(prof, day), *_bullets(prof.closure),
              *_bullets(protocol.ending_advice)]
    return lines


def render_report(
    *,
    protocol: Protocol,
    answers: Sequence[GivenAnswer],
    findings: Findings,
    result: Result | None,
    day: date,
    chosen: Sequence[str] | None = None,
    from_file: bool = False,
) -> str:
    """report.md: complete, or marked incomplete when the consultation was stopped. `chosen`:
    the home exercises chosen from the menu (None: no choice was made); `from_file`: the
    answers came from a findings file (`intake --answers`)."""
    title = "# Nekpijn-intake" if result else "# Nekpijn-intake (onvolledig)"
    lines = [title, "", f"Datum: {day.isoformat()}  ",
             f"Richtlijn: {protocol.name}, protocolversie {protocol.version}", ""]
    if result is None:
        lines += ["De consultatie is gestopt voordat alle vragen beantwoord waren. "
                  "De antwoorden hieronder zijn bewaard.", ""]
    lines += ["## Antwoorden", "", *_answers_table(answers, protocol), ""]
    if result is None:
        return "\n".join(lines)
    lines += ["## Conclusie", "", f"- Graad: {result.grade}"]
    if result.course:
        lines.append(f"- Beloop: {COURSE_WORDS[result.course]}")
    if result.referral:
        when = "vandaag nog" if result.urgency == "acute" else "op korte termijn, geen spoed"
        lines.append(f"- Verwijzing naar de huisarts of een specialist: {when}")
        lines.append(f"- Alarmsignalen: {rules.names(result.red_flags, protocol.red_flag_name)}")
    else:
        assert result.profile is not None
        lines.append(f"- {protocol.profile(result.profile).title}")
        if result.provisional:
            lines.append("- Voorlopig: eerst uitsluiten: "
                         f"{rules.names(result.unresolved, protocol.red_flag_name)}")
        if findings.precautions:
            lines.append("- Voorzorgen: " + rules.names(
                findings.precautions, protocol.precaution_name))
    lines += ["", "## Redenen", "", *_bullets(result.reasons), ""]
    if result.referral:
        lines += ["## Verwijsbrief aan de huisarts", "",
                  *referral_letter(protocol, result, findings, answers, day,
                                   from_file=from_file), ""]
    else:
        lines += _plan(result, findings, protocol, chosen, day)
    return "\n".join(lines) + "\n"


def result_json(result: Result, chosen: Sequence[str] | None) -> dict[str, Any]:
    """result.json: the rules' result plus the exercises chosen at the intake."""
    return {**result.to_json(), "chosen_exercises": list(chosen or ())}


def write_report(
    directory: Path, *, report: str, findings: Findings, result: Result | None,
    chosen: Sequence[str] | None = None, sheet: str | None = None,
) -> list[Path]:
    """Write report.md (the rendered `report`), findings.json, (when complete) result.json, and
    the home-exercise `sheet` when there is one; return their paths."""
    written = []
    report_file = directory / "report.md"
    write_private(report_file, report)
    written.append(report_file)
    findings_file = directory / "findings.json"
    write_private(findings_file, to_json_text(findings.to_json()))
    written.append(findings_file)
    result_file = directory / "result.json"
    if result is None:
        result_file.unlink(missing_ok=True)  # a stale result must not pass for this one
    else:
        write_private(result_file, to_json_text(result_json(result, chosen)))
        written.append(result_file)
    sheet_file = directory / SHEET_FILE
    if sheet is None:
        sheet_file.unlink(missing_ok=True)  # nor may a sheet from an earlier intake
    else:
        write_private(sheet_file, sheet)
        written.append(sheet_file)
    return written
