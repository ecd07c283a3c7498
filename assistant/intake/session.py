"""What every front end does around a consultation once it has run: store the finished intake
under the patient's id with the baseline measurement, and put an error into the event stream.
The command line (`assistant intake`) and the therapist's screen (`assistant ui`) share these,
so both run one flow."""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

from assistant.dialog.evaluation import run_evaluation
from assistant.dialog.events import Emit, ErrorEvent
from assistant.dialog.yes_no import offer_baseline
from assistant.errors import AssistantError, InternalError, OutputError, describe, os_reason
from assistant.intake.records import IntakeRecords
from assistant.intake.run import Outcome
from assistant.output.files import write_private
from assistant.output.report import INTAKE_FILES, write_report
from assistant.output.report_content import Baseline as MeasuredBaseline
from assistant.output.report_content import Report, build_report
from assistant.output.sheet import render_sheet
from assistant.protocol.exercises import Patient
from assistant.protocol.findings import Findings
from assistant.protocol.model import Protocol
from assistant.records.location import new_report_dir, reports_dir
from assistant.settings import PracticeSettings
from assistant.speech.interfaces import Listener

Notify = Callable[[str], None]  # one line for the therapist (print on the command line)
Baseline = tuple[int, tuple[int, int, int]]  # NPRS, the three PSK scores


def store_intake(records: IntakeRecords, outcome: Outcome, listener: Listener, emit: Emit,
                 protocol: Protocol, baseline: Baseline | None, activities: tuple[str, ...],
                 given: Findings | None, notify: Notify = print) -> None:
    """Store the finished intake under the patient's id (its journal marked stored, still
    open: `records.done()` closes it once the report is written), then `take_baseline`. What
    is stored is told through `notify`, one line each. RecordsError when storing fails."""
    consultation = outcome.consultation
    saved = records.finish(given or consultation.findings, consultation.result,
                           outcome.chosen_exercises,
                           len(consultation.history),  # a findings file is kept as given
                           outcome.exercise_frequencies)
    if saved is None:
        return
    take_baseline(records, outcome, listener, emit, protocol, baseline, activities, given,
                  notify=notify, saved=saved)


def take_baseline(records: IntakeRecords, outcome: Outcome, listener: Listener, emit: Emit,
                  protocol: Protocol, baseline: Baseline | None, activities: tuple[str, ...],
                  given: Findings | None, *, notify: Notify = print,
                  saved: str | None = None) -> None:
    """The stored intake's baseline measurement: offered through `listener` (unless given, or
    the answers came from a file) and stored, with the PSK's activities. Nothing when the
    intake has no treatment profile, or (an intake finished by a later run) when its
    baseline was stored already. `saved`: the line that says the intake was stored."""
    result, voice = outcome.consultation.result, outcome.consultation.config.voice
    if result is None or records.patient is None or records.consultation is None:
        return
    if result.profile is None:
        if baseline is not None or activities:
            notify("Geen beginmeting bewaard: bij graad IV volgt geen behandeling.")
        return
    if saved is not None:
        notify(saved)
    if records.store.evaluations(records.patient, records.consultation):
        return  # measured before the earlier run was cut off
    if baseline is None and given is None and offer_baseline(listener, emit, protocol,
                                                           voice=voice):
        measured = run_evaluation(listener, emit, result.profile, protocol, baseline=True,
                                  voice=voice, activities=activities, name_activities=True)
        if measured is not None:
            baseline = measured.nprs, measured.psk
            activities = activities or measured.psk_activities
    if activities:  # named on the command line or at the baseline: kept with the intake
        records.name_activities(activities)
    if baseline is not None:
        notify(records.baseline(*baseline, activities))
    elif activities:
        notify(f"PSK-activiteiten opgeslagen: {', '.join(activities)}.")


def report_error(sinks: Iterable[Emit], exc: BaseException) -> None:
    """The error goes into the event stream too (DESIGN.md "Events": `error`), so a tool
    following the events sees why the intake ended; a sink that fails now is passed over."""
    code = exc.code if isinstance(exc, AssistantError) else InternalError.code
    event = ErrorEvent(code, describe(exc))
    for sink in sinks:
        with suppress(Exception):
            sink(event)


@dataclass(frozen=True)
class FiledReport:
    """An intake's report and where it was written (None: not written)."""

    report: Report
    folder: Path | None
    sheet: bool  # a home-exercise sheet was written beside it


def file_report(protocol: Protocol, outcome: Outcome, *, day: date, patient: str | None,
                baseline: MeasuredBaseline | None, settings: PracticeSettings | None,
                given: Findings | None = None, folder: Path | None = None,
                kept: bool = False, again: str | None = None) -> FiledReport:
    """Build the intake's report and write it (report.html, .txt, .md, the JSON files and the
    sheet) into `folder`, or else into a new folder in the user's data folder, never over an
    earlier report (but into this patient's folder of `day` that a cut-off write left
    unfinished: `unfinished_report`). An intake that stopped goes to the data folder only
    when no journal keeps its answers (`kept`) and it has any. OutputError naming the folder
    when writing fails; `again`, the command that writes it later (the intake is stored, its
    journal open), is said in it."""
    consultation = outcome.consultation
    chosen, result = outcome.chosen_exercises, consultation.result
    report = build_report(protocol=protocol, answers=outcome.answers,
                          findings=consultation.findings, result=result, day=day,
                          chosen=chosen, from_file=given is not None, patient=patient,
                          baseline=baseline, settings=settings,
                          frequencies=outcome.exercise_frequencies)
    sheet = None
    if chosen and result is not None:
        sheet = render_sheet(protocol.library, chosen, day=day,
                             warning=result.exercise_warning,
                             later=result.exercises_if_insufficient,
                             patient=Patient.from_intake(
                                 (given or consultation.findings).to_json(), result.profile,
                                 outcome.exercise_frequencies))
    given_folder = folder is not None
    if folder is None:
        if result is None and (kept or not consultation.history):
            return FiledReport(report, None, False)
        try:
            folder = _unfinished_folder(day, patient) or new_report_dir(day, patient)
        except OSError as exc:
            raise OutputError(f"kan geen map voor het verslag maken in {reports_dir()}: "
                              f"{os_reason(exc)}; geef een map met --report"
                              f"{_again(exc, again)}") from None
    try:
        write_private(folder / UNFINISHED, UNFINISHED_TEXT)  # first: a cut-off write shows
        write_report(folder, report=report, findings=given or consultation.findings,
                     result=result, chosen=chosen, sheet=sheet,
                     frequencies=outcome.exercise_frequencies)
        _sweep(folder)
        (folder / UNFINISHED).unlink()  # last: the report is complete
    except OSError as exc:
        where = "--report: kan" if given_folder else "kan het verslag"
        raise OutputError(f"{where} niet schrijven in {folder}: {os_reason(exc)}"
                          f"{_again(exc, again)}") from None
    return FiledReport(report, folder, sheet is not None)


# A report folder is written with this file in it first and without it last: a folder that
# holds it is a report whose writing was cut off (a kill, a full disk). Such a folder never
# counts as an earlier report (`--report` may write it again, and an intake of that patient
# and day writes into it), so a cut-off write never blocks the one that completes it. A folder
# without it holds a complete report (or one of a version before this file), never
# overwritten.
UNFINISHED: Final = ".verslag-onvolledig"
UNFINISHED_TEXT: Final = ("Het verslag in deze map is niet af: het schrijven werd onderbroken. "
                          "Het wordt alsnog geschreven als de intake van deze patiënt opnieuw "
                          "wordt gestart.\n")


def unfinished_report(folder: Path) -> bool:
    """Whether `folder` holds a report whose writing was cut off (see UNFINISHED)."""
    return (folder / UNFINISHED).exists()


def _unfinished_folder(day: date, patient: str | None) -> Path | None:
    """This patient's report folder of `day` in the data folder that a cut-off write left
    unfinished (the stored intake's report, to be completed there), or None."""
    if patient is None:
        return None
    root, name = reports_dir(), f"{day.isoformat()}_{patient}"
    for n in range(1, 10_000):
        folder = root / (name if n == 1 else f"{name}-{n}")
        if not folder.is_dir():
            return None
        if unfinished_report(folder):
            return folder
    return None


def _sweep(folder: Path) -> None:
    """Remove what a cut-off write of a report file left: its temporary file
    ('.report.txt.zcpe0fyc', files.write_private)."""
    for name in INTAKE_FILES:
        for left in folder.glob(f".{name}.*"):
            with suppress(OSError):
                left.unlink()


def _again(exc: OSError, again: str | None) -> str:
    """What to do about a report the stored intake still lacks."""
    if again is None:
        return ""
    fix = "maak ruimte" if exc.errno == errno.ENOSPC else "los dat op"
    return (f"; de intake is opgeslagen: {fix} en start '{again}' opnieuw: het verslag wordt "
            "dan alsnog geschreven")
