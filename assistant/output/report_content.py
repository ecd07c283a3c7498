"""What the consultation report says, once: a structured model (`Report`) that report.md,
report.txt, report.html and the terminal's closing summary are rendered from
(report_markdown.py, report_text.py, report_html.py).

`build_report` puts it together from the answers, the findings, the rules' result, the chosen
exercises, the baseline measurement and the practice's settings; its texts come from the
protocol data (assistant/protocol/nekpijn.toml) and the exercise library.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from assistant.dialog.phrases import display_value
from assistant.output.sheet import dosage_text
from assistant.protocol import rules
from assistant.protocol.findings import UNKNOWN, Findings, Value, trauma_means_fracture
from assistant.protocol.model import Profile, Protocol, Question
from assistant.protocol.rules import Result, is_work_related
from assistant.settings import LABELS, PracticeSettings
from assistant.text import format_date, format_number, format_span, normalise

if TYPE_CHECKING:
    from assistant.intake.records import IntakeRecords

COURSE_WORDS = {"normal": "normaal", "abnormal": "afwijkend"}
BLANK = "____________________"


@dataclass(frozen=True)
class GivenAnswer:
    """A question as it was answered: what was heard and what it meant."""

    question: Question
    heard: str
    value: Value
    note: str = ""  # what was said beside the answer, or the words a duration was worked out from


@dataclass(frozen=True)
class Baseline:
    """The baseline measurement taken at the intake."""

    nprs: int  # 0–10, pain
    psk: tuple[int, int, int]  # 0–10 each, 10 = the activity is impossible
    activities: tuple[str, ...] = ()  # the PSK's three activities, or () when not named


# --- the model --------------------------------------------------------------------------------

Tone = Literal["plain", "note", "warning"]


@dataclass(frozen=True)
class Paragraph:
    """A sentence or two; `tone` marks a note or a warning (HTML shows them in a box)."""

    text: str
    tone: Tone = "plain"


@dataclass(frozen=True)
class Bullets:
    """A list, with the line that introduces it (`label`, may be empty)."""

    items: tuple[str, ...]
    label: str = ""


@dataclass(frozen=True)
class AnswerRow:
    question: str
    answer: str
    note: str  # the "Toelichting": what was said beside the answer, or ""


@dataclass(frozen=True)
class Answers:
    """The questions as answered, in the order asked."""

    rows: tuple[AnswerRow, ...]


@dataclass(frozen=True)
class Letter:
    """The referral letter to the GP, line by line: "" is a blank line, "- " starts a sign."""

    lines: tuple[str, ...]


Block = Paragraph | Bullets | Answers | Letter


@dataclass(frozen=True)
class Section:
    """One part of the report under its heading; `kind` lets the HTML style it."""

    title: str
    blocks: tuple[Block, ...]
    kind: Literal["plain", "conclusion", "letter"] = "plain"


@dataclass(frozen=True)
class Report:
    """The whole report. `header`: (label, value) rows (patient id, date, guideline, the
    practice); `conclusion`, `reasons` and `chosen` are what the terminal's summary shows."""

    title: str
    complete: bool  # False: the consultation stopped before a result
    header: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    conclusion: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    chosen: tuple[str, ...] = ()  # 'F14: Nek en romp draaien, zittend'
    letter_unsigned: bool = False  # a referral letter with blank lines for the practice
    actions: tuple[str, ...] = ()  # what to do now ('Neem … contact op met de huisarts')
    advice: tuple[str, ...] = ()  # the information and advice (and the work advice), in short
    therapy: tuple[str, ...] = ()  # 'Aanbevolen: …', 'Te overwegen: …', 'Afgeraden: …'


# --- the parts --------------------------------------------------------------------------------


def _therapies(ids: Sequence[str], protocol: Protocol) -> tuple[str, ...]:
    """The therapies' names; none (profile A's empty lists) prints no heading at all."""
    return tuple(protocol.therapy(t).name for t in ids)


def _answer_rows(answers: Sequence[GivenAnswer], protocol: Protocol) -> tuple[AnswerRow, ...]:
    return tuple(AnswerRow(a.question.text, display_value(a.question, a.value, protocol), a.note)
                 for a in answers)


def exercise_line(protocol: Protocol, code: str, *, later: bool = False,
                  frequency: str | None = None) -> str:
    """'F14: plain name (technical name), dosage[; frequency in plaats van default]
    (huiswerkfilmpje 14)[, later mark]'; `frequency`: one the therapist changed at the choice
    (the default is not repeated here: the sheet has it)."""
    exercise = protocol.exercise(code)
    mark = " — bij onvoldoende effect, samen met zenuwmobilisatie" if later else ""
    often = (f"; {frequency} in plaats van {exercise.dosage.frequency}"
             if frequency and frequency != exercise.dosage.frequency else "")
    return (f"{code}: {exercise.therapist_name}, {dosage_text(exercise.dosage)}{often} "
            f"(huiswerkfilmpje {exercise.video}){mark}")


def _exercises(result: Result, protocol: Protocol, chosen: Sequence[str] | None,
               frequencies: Mapping[str, str]) -> Section:
    """The chosen exercises in full (with a frequency the therapist changed); the menu they
    came from as one line."""
    assert result.profile is not None
    blocks: list[Block] = []
    if chosen:
        blocks.append(Bullets(tuple(
            exercise_line(protocol, code, later=code in result.exercises_if_insufficient,
                          frequency=frequencies.get(code))
            for code in chosen), "Gekozen voor thuis (zie het oefenblad):"))
    elif chosen is not None:
        blocks.append(Paragraph("Er zijn geen oefeningen gekozen."))
    else:
        blocks.append(Paragraph("Kies samen met de patiënt oefeningen uit het menu."))
    blocks.append(Paragraph(f"Menu van profiel {result.profile}: {', '.join(result.exercises)}."))
    if result.exercises_if_insufficient:
        blocks.append(Paragraph("Bij onvoldoende effect, samen met zenuwmobilisatie: "
                                f"{', '.join(result.exercises_if_insufficient)}."))
    if result.exercise_warning:
        blocks.append(Paragraph(f"Let op: {result.exercise_warning}", "warning"))
    return Section("Oefeningen", tuple(blocks))


def _signature(settings: PracticeSettings | None, protocol: Protocol) -> list[str]:
    """The letter's last lines: the practice's details when set, else lines to fill in."""
    letter = protocol.referral
    if settings is None or settings.is_empty:
        return [f"{letter.text(field)} {BLANK}" for field in ("therapist", "practice", "phone")]
    lines = []
    for name, label in (("therapist", letter.text("therapist")),
                        ("practice", letter.text("practice")),
                        ("agb", f"{LABELS['agb'][0]}:"), ("phone", letter.text("phone"))):
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
            lines.append(letter.text("trauma_precaution", precautions=rules.names(
                rules.bone_precautions(findings), protocol.precaution_name)))
        else:
            lines.append(letter.text("trauma", step=rules.c_spine_step(findings, protocol)))
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
        arm = (rules.names(findings.arm_signs, protocol.arm_sign_name) if findings.arm_signs
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
        lines += ["", letter.text("precautions", precautions=rules.names(
            findings.precautions, precaution))]
    if findings.precautions_unknown:
        lines += ["", letter.text("precautions_unknown", precautions=rules.names(
            findings.precautions_unknown, precaution))]
    lines += ["", letter.text("conclusion", categories=rules.names(
        result.red_flags or result.unresolved, protocol.red_flag_name)), ""]
    unknown = tuple(c for c in findings.red_flags_unknown if c not in result.red_flags)
    if unknown and result.red_flags:
        lines += [letter.text("unresolved", categories=rules.names(
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


def _neurological_baseline(findings: Findings, protocol: Protocol) -> list[Section]:
    """Grade III: the arm signs as found, the baseline for 'meer sensorische symptomen of een
    toenemend verlies van motorische controle' at the follow-up."""
    if not findings.neurological_signs:
        return []
    side = protocol.reason(f"arm_side_{findings.arm_side or 'unknown'}")
    signs = (rules.names(findings.arm_signs, protocol.arm_sign_name) if findings.arm_signs
             else "niet afzonderlijk genoteerd")
    test = (display_value(protocol.question("radicular_test"), findings.radicular_test, protocol)
            if findings.radicular_test else "niet genoteerd")
    return [Section("Neurologische beginsituatie", (Bullets((
        f"Tekenen: {signs}", f"Kant: {side}",
        f"Spurling-test of tractie- en distractietest: {test}")),))]


def _baseline(baseline: Baseline | None) -> list[Section]:
    """The NPRS and PSK measured at the intake, with the PSK's activities when named."""
    if baseline is None:
        return []
    if baseline.activities:
        psk = [f"PSK, {name}: {score} van 10" for name, score in zip(
            baseline.activities, baseline.psk, strict=True)]
    else:
        psk = [f"PSK, activiteit {n}: {score} van 10"
               for n, score in enumerate(baseline.psk, start=1)]
    mean = format_number(round(sum(baseline.psk) / 3, 1))
    return [Section("Beginmeting", (Bullets((
        f"Pijn (NPRS): {baseline.nprs} van 10", *psk, f"PSK gemiddeld: {mean}")),
        Paragraph("Bij de PSK is 0 geen moeite en 10 onmogelijk."),
    ))]


def _time_path(prof: Profile, day: date) -> list[str]:
    """'Spreek vooraf met de patiënt een duidelijk tijdspad af': the evaluation date."""
    weeks = prof.closure_plan.review_after_weeks
    if weeks is None:
        return []
    when = day + timedelta(weeks=weeks)
    return [f"Tijdspad: evalueer op of rond {format_date(when)} ({weeks} weken na de intake), "
            "met de NPRS en de PSK."]


def _plan(result: Result, findings: Findings, protocol: Protocol,
          chosen: Sequence[str] | None, day: date,
          frequencies: Mapping[str, str]) -> list[Section]:
    assert result.profile is not None
    prof = protocol.profile(result.profile)
    advice = result.advice or rules.advice(findings, prof, protocol)
    sections = [Section("Informatie en advies", (Bullets(advice),))]
    if is_work_related(findings):
        sections.append(Section("Werkgerelateerde nekpijn", (Bullets(prof.work_advice),)))
    if result.actions:
        sections.append(Section("Acties", (Bullets(tuple(
            protocol.action(a).text for a in result.actions)),)))
    sections += [
        Section("Therapie", tuple(block for block in (
            Bullets(_therapies(result.recommended, protocol), "Aanbevolen:"),
            Bullets(_therapies(result.consider, protocol),
                    "Te overwegen, als de aanbevolen therapie onvoldoende helpt:"),
            Bullets(_therapies(result.discouraged, protocol), "Afgeraden:")) if block.items)),
        _exercises(result, protocol, chosen, frequencies),
        Section("Afsluiting", (Bullets((*_time_path(prof, day),
                                        *rules.closure_lines(findings, prof, protocol),
                                        *protocol.ending_advice)),)),
    ]
    return sections


def _conclusion(result: Result, findings: Findings, protocol: Protocol) -> tuple[str, ...]:
    """The conclusion's lines; a provisional plan says so first, before the profile, so it is
    never read as a plan to go ahead with."""
    lines = []
    if result.urgency == "emergency":  # said first, everywhere (rule 9)
        lines.append("SPOED: bel 112 of stuur de patiënt nu naar de spoedeisende hulp")
    if "minor" in result.cautions:
        lines.append(f"Jonger dan 18 ({findings.age_years} jaar): de richtlijn is geschreven "
                     "voor volwassenen")
    if result.provisional and not result.referral:
        lines.append("VOORLOPIG PLAN: eerst uitsluiten: "
                     f"{rules.names(result.unresolved, protocol.red_flag_name)}")
    lines.append(f"Graad: {result.grade}")
    if result.course:
        lines.append(f"Beloop: {COURSE_WORDS[result.course]}")
    if result.referral:
        when = {"emergency": "nu, via 112 of de spoedeisende hulp", "acute": "vandaag nog"}.get(
            str(result.urgency), "op korte termijn, geen spoed")
        lines.append(f"Verwijzing naar de huisarts of een specialist: {when}")
        if result.red_flags:
            lines.append("Alarmsignalen: "
                         f"{rules.names(result.red_flags, protocol.red_flag_name)}")
        if result.unresolved:
            lines.append("Niet uitgesloten: "
                         f"{rules.names(result.unresolved, protocol.red_flag_name)}")
    else:
        assert result.profile is not None
        lines.append(protocol.profile(result.profile).title)
        if findings.precautions:
            lines.append("Voorzorgen: " + rules.names(
                findings.precautions, protocol.precaution_name))
        if findings.precautions_unknown:
            lines.append("Voorzorgen niet uitgesloten: " + rules.names(
                findings.precautions_unknown, protocol.precaution_name))
    return tuple(lines)


def build_report(
    *,
    protocol: Protocol,
    answers: Sequence[GivenAnswer],
    findings: Findings,
    result: Result | None,
    day: date,
    chosen: Sequence[str] | None = None,
    from_file: bool = False,
    patient: str | None = None,
    baseline: Baseline | None = None,
    settings: PracticeSettings | None = None,
    frequencies: Mapping[str, str] | None = None,
) -> Report:
    """The report of an intake: complete, or marked incomplete when the consultation stopped
    (`result` None: only the answers). `chosen`: the home exercises chosen from the menu (None:
    no choice was made); `from_file`: the answers came from a findings file (the letter then
    names categories only); `patient`: the pseudonymous id; `baseline`: the NPRS and PSK
    measured at the intake; `settings`: the practice's details (the header and the letter's
    signature); `frequencies`: those the therapist changed at the choice (code → words).
    Pure: no files, no clock."""
    header = [*([("Patiënt", patient)] if patient else []), ("Datum", day.isoformat()),
              ("Richtlijn", f"{protocol.name}, protocolversie {protocol.version}")]
    if settings is not None:
        header += settings.rows()
    title = "Nekpijn-intake" if result else "Nekpijn-intake (onvolledig)"
    rows = _answer_rows(answers, protocol)
    answers_block: Block = (Answers(rows) if rows
                            else Paragraph("Er zijn nog geen vragen beantwoord."))
    if result is None:
        stopped = Paragraph("De consultatie is gestopt voordat alle vragen beantwoord waren. "
                            "De antwoorden hieronder zijn bewaard.", "note")
        return Report(title, False, tuple(header), (
            Section("Antwoorden", (stopped, answers_block)),))
    conclusion = _conclusion(result, findings, protocol)
    # the conclusion first: what the therapist and a colleague look for; the answers follow it
    sections = [Section("Conclusie", (Bullets(conclusion),), "conclusion"),
                Section("Redenen", (Bullets(result.reasons),)),
                Section("Antwoorden", (answers_block,))]
    unsigned = False
    if result.referral:
        sections.append(Section("Verwijsbrief aan de huisarts", (Letter(tuple(referral_letter(
            protocol, result, findings, answers, day, from_file=from_file,
            settings=settings))),), "letter"))
        unsigned = settings is None or settings.is_empty
    else:
        sections += [*_baseline(baseline), *_neurological_baseline(findings, protocol),
                     *_plan(result, findings, protocol, chosen, day, frequencies or {})]
    often = frequencies or {}
    picked = tuple(f"{code}: {protocol.exercise(code).name}"
                   + (f", {often[code]}" if code in often else "") for code in chosen or ())
    actions = tuple(protocol.action(a).text for a in result.actions)
    advice, therapy = _summary_plan(result, findings, protocol)
    return Report(title, True, tuple(header), tuple(sections), conclusion,
                  tuple(result.reasons), picked, unsigned, actions, advice, therapy)


def _summary_plan(result: Result, findings: Findings,
                  protocol: Protocol) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The advice and the therapy for the terminal's summary (the handbook: 'het advies, de
    therapie'), as the report's plan has them; none for a referral."""
    if result.profile is None:
        return (), ()
    prof = protocol.profile(result.profile)
    advice = tuple(result.advice or rules.advice(findings, prof, protocol))
    if is_work_related(findings):
        advice += tuple(prof.work_advice)
    therapy = tuple(f"{label}: {'; '.join(names)}." for label, names in (
        ("Aanbevolen", _therapies(result.recommended, protocol)),
        ("Te overwegen", _therapies(result.consider, protocol)),
        ("Afgeraden", _therapies(result.discouraged, protocol))) if names)
    return advice, therapy


def stored_baseline(records: IntakeRecords) -> Baseline | None:
    """The baseline measurement stored with the intake `records` just finished (the first
    measurement of that intake), with the PSK's activities; None when there is none.
    RecordsError when the records cannot be read."""
    if records.patient is None or records.consultation is None:
        return None
    store = records.store
    measured = store.evaluations(records.patient, records.consultation)
    if not measured:
        return None
    intake = next((c for c in store.consultations(records.patient)
                   if c.id == records.consultation), None)
    activities = intake.psk_activities if intake is not None else ()
    return Baseline(measured[0].nprs, measured[0].psk, activities)
