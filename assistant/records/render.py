"""Follow-up and history as Dutch text for the screen and Markdown for the patient file."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date
from typing import Any

from assistant.protocol.followup import Followup, Measurement, evaluate
from assistant.protocol.followup_data import load_followup
from assistant.protocol.model import Protocol
from assistant.protocol.result import referral_when
from assistant.records.chart import terminal_chart
from assistant.records.rows import ConsultationRow, EvaluationRow
from assistant.text import dutch_list, format_number, printable

CHART_FILE = "history.png"
COURSE_WORDS = {"normal": "normaal", "abnormal": "afwijkend"}
PROVISIONAL_LINE = "Voorlopig plan: bij de intake is niet alles uitgesloten (zie het advies)."


def measurement(row: EvaluationRow) -> Measurement:
    """A stored evaluation as the follow-up rules take it."""
    return Measurement(day=row.date, nprs=row.nprs, psk=row.psk, neuro_worse=row.neuro_worse)


def intake_plan(c: ConsultationRow) -> tuple[bool, tuple[str, ...]]:
    """Whether the stored intake's plan is provisional, and the red-flag categories it left
    unresolved (result JSON `provisional`, `unresolved`). A record stored before these keys
    existed is not provisional; a referral is no plan of ours, so never provisional."""
    found = c.result.get("unresolved")
    unresolved = tuple(u for u in found if isinstance(u, str)) if isinstance(found, list) else ()
    provisional = c.result.get("provisional") is True and not c.result.get("referral")
    return provisional, unresolved if provisional else ()


def _known(ids: object, name: Callable[[str], str]) -> str:
    """The ids of a stored list as Dutch names ('' for none, or a value of another shape)."""
    if not isinstance(ids, list):
        return ""
    return dutch_list([name(i) for i in ids if isinstance(i, str)])


def _handover(c: ConsultationRow, protocol: Protocol) -> list[str]:
    """What a colleague must know before treating: the precautions (and those not ruled out)
    and the therapies advised against, as the intake's report has them."""
    precaution = _namer({p.id for p in protocol.precautions}, protocol.precaution_name)
    therapy = _namer({t for t, _ in protocol.therapies}, lambda t: protocol.therapy(t).name)
    lines = []
    for key, label in (("precautions", "Voorzorgen"),
                       ("precautions_unknown", "Voorzorgen niet uitgesloten")):
        found = _known(c.findings.get(key), precaution)
        if found:
            lines.append(f"{label}: {found}.")
    plan = c.result.get("therapy")
    advised_against = _known(plan.get("discouraged") if isinstance(plan, dict) else None,
                             therapy)
    if advised_against:
        lines.append(f"Afgeraden: {advised_against}.")
    return lines


def _namer(known: Collection[str], name: Callable[[str], str]) -> Callable[[str], str]:
    """`name` of an id the protocol knows; an id it does not know (a record from another
    version) as it is, never an error."""
    return lambda i: name(i) if i in known else i


def red_flag_namer(protocol: Protocol) -> Callable[[str], str]:
    """The protocol's Dutch name of a red-flag category (an unknown id as it is: `_namer`)."""
    return _namer({r.id for r in protocol.red_flags}, protocol.red_flag_name)


def followup_for(protocol: Protocol, consultation: ConsultationRow, profile: str, day: date,
                 rows: Sequence[EvaluationRow], activities: Sequence[str]) -> Followup:
    """What the guideline advises on `day` for the intake's measurements `rows` (as the store
    gives them: in date order, same-day ones in the order taken), with the intake's provisional
    plan carried along (`assistant followup` and the screen alike)."""
    provisional, unresolved = intake_plan(consultation)
    return evaluate(
        patient=consultation.patient, profile=profile,
        plan=protocol.profile(profile).closure_plan, intake_date=consultation.date, day=day,
        measurements=[measurement(r) for r in rows], data=load_followup(),
        psk_activities=activities, provisional=provisional, unresolved=unresolved,
        flag_name=red_flag_namer(protocol))


def _scores(m: Measurement) -> str:
    return (f"pijn {m.nprs}, PSK {'/'.join(str(s) for s in m.psk)} "
            f"(gemiddeld {format_number(round(m.psk_mean, 1))})")


def _improved_word(f: Followup) -> str:
    if f.improved is None:
        return "nog niet te beoordelen"
    return "ja" if f.improved else "nee"


def activities_line(activities: Sequence[str]) -> str:
    """The PSK's three activities, in the order of the scores."""
    if not activities:
        return "PSK-activiteiten: niet genoteerd."
    return "PSK-activiteiten: " + ", ".join(f"{n}. {a}" for n, a in enumerate(activities, 1)) + "."


def followup_lines(f: Followup) -> list[str]:
    """The follow-up for the screen: short lines, advice first."""
    lines = [f"Vervolg voor patiënt {f.patient}, profiel {f.profile}, op {f.day.isoformat()}.",
             *([PROVISIONAL_LINE] if f.provisional else []),
             f"Week {format_number(f.weeks_since_intake)} na de intake, sessie {f.session}.",
             activities_line(f.psk_activities)]
    if f.latest is not None:
        lines.append(f"Nu: {_scores(f.latest)}.")
    if f.baseline is not None and f.baseline is not f.latest:
        lines.append(f"Begin: {_scores(f.baseline)}.")
    lines.append(f"Verbeterd: {_improved_word(f)}. Erger: {'ja' if f.worse else 'nee'}.")
    lines += ["", "Advies:", *(f"- {a}" for a in f.advice), "", "Waarom:",
              *(f"- {r}" for r in f.reasons)]
    return lines


def followup_markdown(f: Followup, chart: str | None) -> str:
    """followup.md: the advice, the reasons and the chart."""
    lines = ["# Nekpijn: vervolgmeting", "",
             f"Patiënt: {f.patient}  ", f"Profiel: {f.profile}  ",
             *([f"{PROVISIONAL_LINE}  "] if f.provisional else []),
             f"Intake: {f.intake_date.isoformat()}  ", f"Meting: {f.day.isoformat()} "
             f"(week {format_number(f.weeks_since_intake)}, sessie {f.session})  ",
             activities_line(f.psk_activities), ""]
    rows = [("Begin", f.baseline), ("Nu", f.latest)] if f.baseline is not f.latest else [
        ("Nu", f.latest)]
    lines += ["| | Datum | NPRS | PSK | PSK gemiddeld |", "| --- | --- | --- | --- | --- |"]
    for label, m in rows:
        if m is not None:
            lines.append(f"| {label} | {m.day.isoformat()} | {m.nprs} | "
                         f"{', '.join(str(s) for s in m.psk)} | "
                         f"{format_number(round(m.psk_mean, 1))} |")
    lines += ["", f"Verbeterd: {_improved_word(f)}. Erger: {'ja' if f.worse else 'nee'}.", "",
              "## Advies", "", *(f"- {a}" for a in f.advice), "",
              "## Redenen", "", *(f"- {r}" for r in f.reasons), ""]
    if chart:
        lines += ["## Verloop", "", f"![Verloop van NPRS en PSK sinds de intake]({chart})"]
    return "\n".join(lines).rstrip("\n") + "\n"


def chosen_with_frequency(codes: Sequence[str], frequencies: Mapping[str, str]) -> list[str]:
    """The chosen exercises, a changed frequency beside its code: 'F14 (elke avond)' (as
    stored, shown without control characters)."""
    return [f"{code} ({printable(frequencies[code])})" if code in frequencies else code
            for code in codes]


def intake_lines(c: ConsultationRow, protocol: Protocol) -> list[str]:
    """The stored intake in a few lines."""
    result = c.result
    lines = [f"Intake op {c.date.isoformat()}: graad {result.get('grade', '?')}."]
    if result.get("course"):
        lines.append(f"Beloop: {COURSE_WORDS.get(result['course'], result['course'])}.")
    profile = result.get("profile")
    if profile:
        lines.append(f"{protocol.profile(profile).title}.")
        lines += _handover(c, protocol)
    else:  # how soon, and what was not ruled out: a colleague reads this at the next visit
        lines.append("Verwezen naar de huisarts of een specialist: "
                     f"{referral_when(result.get('urgency'))}.")
        why = _known(result.get("red_flags"), red_flag_namer(protocol))
        if why:
            lines.append(f"Reden: {why}.")
        left = _known(result.get("unresolved"), red_flag_namer(protocol))
        if left:
            lines.append(f"Niet uitgesloten: {left}.")
    provisional, unresolved = intake_plan(c)
    if provisional:
        names = dutch_list([red_flag_namer(protocol)(u) for u in unresolved])
        lines.append(f"Voorlopig plan: bij deze intake bleef onbekend: {names}." if names
                     else "Voorlopig plan: bij deze intake is niet alles uitgesloten.")
    chosen = ", ".join(chosen_with_frequency(c.chosen_exercises, c.exercise_frequencies)
                       ) if c.chosen_exercises else "geen"
    lines.append(f"Gekozen oefeningen: {chosen}.")
    lines.append(activities_line(c.psk_activities))
    return lines


def history_text(patient: str, c: ConsultationRow, evaluations: Sequence[EvaluationRow],
                 protocol: Protocol,
                 earlier: Sequence[tuple[ConsultationRow, Sequence[EvaluationRow]]] = ()) -> str:
    """The history for the screen: any earlier intakes with their measurements, then the latest
    intake and every evaluation since as bars."""
    lines = [f"Patiënt {patient}"]
    for old, measured in earlier:
        lines += ["Eerdere intake:", *intake_lines(old, protocol)]
        lines += [f"  meting {e.date.isoformat()}: pijn {e.nprs}, PSK "
                  f"{'/'.join(str(s) for s in e.psk)}" for e in measured]
        lines.append("")
    if earlier:
        lines.append("Laatste intake:")
    lines += [*intake_lines(c, protocol), ""]
    if evaluations:
        lines.append(f"Metingen ({len(evaluations)}):")
        lines.append(terminal_chart(evaluations, c.date).rstrip("\n"))
        lines.append("PSK per activiteit: " + "; ".join(
            f"{e.date.isoformat()} {'/'.join(str(s) for s in e.psk)}" for e in evaluations))
    else:
        lines.append("Nog geen metingen.")
    return "\n".join(lines) + "\n"


def _intake_json(c: ConsultationRow) -> dict[str, Any]:
    provisional, unresolved = intake_plan(c)
    return {"id": c.id, "date": c.date.isoformat(), "grade": c.result.get("grade"),
            "course": c.result.get("course"), "profile": c.result.get("profile"),
            "referral": c.result.get("referral"), "provisional": provisional,
            "unresolved": list(unresolved),
            "chosen_exercises": list(c.chosen_exercises),
            "exercise_frequencies": dict(c.exercise_frequencies),
            "psk_activities": list(c.psk_activities), "result": c.result}


def _evaluations_json(c: ConsultationRow,
                      evaluations: Sequence[EvaluationRow]) -> list[dict[str, Any]]:
    return [{"id": e.id, "date": e.date.isoformat(),
             "weeks_since_intake": round((e.date - c.date).days / 7, 1), "nprs": e.nprs,
             "psk": list(e.psk), "psk_mean": round(e.psk_mean, 2), "neuro_worse": e.neuro_worse}
            for e in evaluations]


def history_json(patient: str, c: ConsultationRow, evaluations: Sequence[EvaluationRow],
                 earlier: Sequence[tuple[ConsultationRow, Sequence[EvaluationRow]]] = (),
                 ) -> dict[str, Any]:
    """The history as JSON: the latest intake and its evaluations in date order (`intake`,
    `evaluations`), and every intake of the patient, oldest first, each with its own
    evaluations (`intakes`: a second intake never hides the first)."""
    every = [*earlier, (c, evaluations)]
    return {
        "patient": patient,
        "intake": _intake_json(c),
        "evaluations": _evaluations_json(c, evaluations),
        "intakes": [{**_intake_json(i), "evaluations": _evaluations_json(i, e)}
                    for i, e in every],
    }
