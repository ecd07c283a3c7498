"""Build the report (report_content.Report) of an intake, part by part: the conclusion and
its reasons, the answers, then the referral letter (report_letter.py) or the plan (the
baseline, advice, actions, therapy, exercises and closure), and the terminal's summary of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from assistant.dialog.phrases import display_value
from assistant.output.report_content import (
    AnswerRow,
    Answers,
    Baseline,
    Block,
    Bullets,
    GivenAnswer,
    Letter,
    Paragraph,
    Report,
    Section,
)
from assistant.output.report_letter import referral_letter
from assistant.output.sheet import dosage_text
from assistant.protocol import plan
from assistant.protocol.findings import Findings
from assistant.protocol.model import Profile, Protocol
from assistant.protocol.result import Result, referral_when
from assistant.protocol.rules import is_work_related
from assistant.protocol.wording import names
from assistant.settings import PracticeSettings
from assistant.text import format_date, format_number

COURSE_WORDS = {"normal": "normaal", "abnormal": "afwijkend"}


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


def _neurological_baseline(findings: Findings, protocol: Protocol) -> list[Section]:
    """Grade III: the arm signs as found, the baseline for 'meer sensorische symptomen of een
    toenemend verlies van motorische controle' at the follow-up."""
    if not findings.neurological_signs:
        return []
    side = protocol.reason(f"arm_side_{findings.arm_side or 'unknown'}")
    signs = (names(findings.arm_signs, protocol.arm_sign_name) if findings.arm_signs
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
    advice = result.advice or plan.advice(findings, prof, protocol)
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
                                        *plan.closure_lines(findings, prof, protocol),
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
                     f"{names(result.unresolved, protocol.red_flag_name)}")
    lines.append(f"Graad: {result.grade}")
    if result.course:
        lines.append(f"Beloop: {COURSE_WORDS[result.course]}")
    if result.referral:
        lines.append("Verwijzing naar de huisarts of een specialist: "
                     f"{referral_when(result.urgency)}")
        if result.red_flags:
            lines.append("Alarmsignalen: "
                         f"{names(result.red_flags, protocol.red_flag_name)}")
        if result.unresolved:
            lines.append("Niet uitgesloten: "
                         f"{names(result.unresolved, protocol.red_flag_name)}")
    else:
        assert result.profile is not None
        lines.append(protocol.profile(result.profile).title)
        if findings.precautions:
            lines.append("Voorzorgen: " + names(
                findings.precautions, protocol.precaution_name))
        if findings.precautions_unknown:
            lines.append("Voorzorgen niet uitgesloten: " + names(
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
    advice = tuple(result.advice or plan.advice(findings, prof, protocol))
    if is_work_related(findings):
        advice += tuple(prof.work_advice)
    therapy = tuple(f"{label}: {'; '.join(names)}." for label, names in (
        ("Aanbevolen", _therapies(result.recommended, protocol)),
        ("Te overwegen", _therapies(result.consider, protocol)),
        ("Afgeraden", _therapies(result.discouraged, protocol))) if names)
    return advice, therapy
