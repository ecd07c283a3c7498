"""The referral letter to the GP (a referral's report ends with it), line by line: what was
found and where, in the therapist's words, the urgency, and the practice's signature. Its texts
are the [referral.letter] parts of the protocol data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from assistant.output.report_content import GivenAnswer
from assistant.protocol import rules
from assistant.protocol.findings import UNKNOWN, Findings, bone_precautions, trauma_means_fracture
from assistant.protocol.model import Protocol
from assistant.protocol.result import Result
from assistant.protocol.wording import c_spine_step, names
from assistant.settings import LABELS, PracticeSettings
from assistant.text import format_date, format_span, normalise

BLANK = "____________________"


def _signature(settings: PracticeSettings | None, protocol: Protocol) -> list[str]:
    """The letter's last lines: the practice's details when set, else lines to fill in."""
    letter = protocol.referral
    if settings is None or settings.is_empty:
        return [f"{letter.text(field)} {BLANK}" for field in ("therapist", "practice", "phone")]
    lines = []
    for name, label in (("therapist", letter.text("therapist")),
                        ("practice", letter.text("practice")),
                        ("agb", f"{LABELS['agb']}:"), ("phone", letter.text("phone"))):
        value = getattr(settings, name)
        if value is not None or name != "agb":  # an AGB code not set: no line to fill in
            lines.append(f"{label} {value or BLANK}")
    return lines


def referral_letter(protocol: Protocol, result: Result, findings: Findings,
                    answers: Sequence[GivenAnswer], day: date, *,
                    from_file: bool = False,
                    settings: PracticeSettings | None = None) -> list[str]:
    """The letter to the GP, line by line ("" a blank line, "- " a sign): what was found and
    where (history or examination), every positive sign in the therapist's words, the urgency
    in plain words, the duration when known, and the therapist's name, practice, AGB code and
    phone from `settings` (blank lines to fill in when not set). A findings file (`from_file`)
    names categories, not signs: then the letter names no signs."""
    letter = protocol.referral
    lines = [letter.text("emergency"), ""] if result.urgency == "emergency" else []
    lines += [letter.text("salutation"), "", letter.text("patient"), ""]
    if findings.weeks_since_onset is not None:
        lines.append(letter.text("seen_duration", date=format_date(day),
                                 duration=format_span(findings.weeks_since_onset)))
    else:
        lines.append(letter.text("seen", date=format_date(day)))
    if findings.age_years is not None:
        lines.append(letter.text("age", age=str(findings.age_years)))
    if rules.fracture_suspected(findings):
        if trauma_means_fracture(findings):
            lines.append(letter.text("trauma_precaution", precautions=names(
                bone_precautions(findings), protocol.precaution_name)))
        else:
            lines.append(letter.text("trauma", step=c_spine_step(findings, protocol)))
    if findings.trauma_related:
        accident = next((a.note for a in answers if a.question.finding == "trauma_related"
                         and a.note and not from_file), "")
        if accident:  # the accident in the therapist's words
            lines.append(f"{letter.text('accident')}: {accident}.")
        lines.append(letter.text("accident_when", weeks=format_span(findings.trauma_weeks_ago))
                     if findings.trauma_weeks_ago is not None
                     else letter.text("accident_when_unknown"))
    for where in ("history", "examination"):
        signs = [] if from_file else _signs(answers, findings, where, letter.text("not_checked"),
                                            letter.text("not_ruled_out"))
        if signs:
            lines += ["", letter.text(where), "", *(f"- {sign}" for sign in signs)]
    if rules.bilateral_arm_signs(findings) and not findings.red_flags:
        arm = (names(findings.arm_signs, protocol.arm_sign_name) if findings.arm_signs
               else protocol.reason("grade_iii").removeprefix("Graad III: ").rstrip("."))
        words = [a.note for a in answers if a.note and not from_file and (
            a.question.also or a.question.finding == "arm_side")]  # the therapist's words
        said = f" ({'; '.join(words)})" if words else ""
        lines += ["", letter.text("bilateral", signs=arm + said)]
    if from_file:
        lines += ["", letter.text("from_file")]
    def precaution(item: str) -> str:  # its name, with what the therapist said beside it
        note = next((a.note for a in answers if a.question.finding == f"precautions.{item}"
                     and a.note and not from_file), "")
        parts = [part for part in note.split(" / ")  # without a bare 'weet ik niet'
                 if normalise(part) not in protocol.vocabulary.doubt]
        said = " / ".join(parts)
        return f"{protocol.precaution_name(item)} ({said})" if said else \
            protocol.precaution_name(item)

    if findings.precautions:
        lines += ["", letter.text("precautions", precautions=names(
            findings.precautions, precaution))]
    if findings.precautions_unknown:
        lines += ["", letter.text("precautions_unknown", precautions=names(
            findings.precautions_unknown, precaution))]
    lines += ["", letter.text("conclusion", categories=names(
        result.red_flags or result.unresolved, protocol.red_flag_name)), ""]
    unknown = tuple(c for c in findings.red_flags_unknown if c not in result.red_flags)
    if unknown and result.red_flags:
        lines += [letter.text("unresolved", categories=names(
            unknown, protocol.red_flag_name)), ""]
    assert result.urgency is not None
    if result.urgency != "emergency":  # the emergency is the letter's first line already
        lines.append(letter.text(result.urgency))
    if "vascular" in result.red_flags and result.urgency != "emergency":
        lines.append(letter.text("vascular_now"))
    lines += ["", letter.text("closing"), "", *_signature(settings, protocol)]
    return lines


def _signs(answers: Sequence[GivenAnswer], findings: Findings, where: str,
           not_checked: str, not_ruled_out: str) -> list[str]:
    """The alarming answers found in the history or at examination, in the letter's words, each
    with what the therapist said beside it: a sign present, a red flag or a step of the C-spine
    rule that could not be ruled out or checked, or a step that failed (each absent low-risk
    factor when none was there)."""
    rule = findings.c_spine_rule
    no_low_risk = rule is not None and rule.low_risk is False
    signs = []
    for a in answers:
        q = a.question
        if q.found_by != where or not (q.red_flag or q.c_spine_step or q.alarm):
            continue  # the signs: red flags, steps of the C-spine rule, a deficit now
        noted = f" ({a.note})" if a.note else ""
        if a.value == UNKNOWN:
            unknown = not_ruled_out if q.red_flag else not_checked
            signs.append(f"{q.letter_label or q.label}: {unknown}{noted}")
        elif a.value == q.alarm or (no_low_risk and q.finding == "c_spine_rule.low_risk"):
            signs.append(f"{q.letter_label or q.label}{noted}")
    return signs
