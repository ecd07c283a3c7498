"""What every front end does around a consultation once it has run: store the finished intake
under the patient's id with the baseline measurement, and put an error into the event stream.
The command line (`assistant intake`) and the therapist's screen (`assistant ui`) share these,
so both run one flow."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.dialog.evaluation import run_evaluation
from assistant.dialog.events import Emit, ErrorEvent
from assistant.dialog.yes_no import offer_baseline
from assistant.errors import AssistantError, InternalError, OutputError, describe, os_reason
from assistant.intake.records import IntakeRecords
from assistant.intake.run import Outcome
from assistant.output.report import write_report
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
    """Store the finished intake under the patient's id, then offer the baseline measurement
    through `listener` (unless given, or the answers came from a file) and store it. What is
    stored is told through `notify`, one line each. RecordsError when storing fails."""
    consultation = outcome.consultation
    result, voice = consultation.result, consultation.config.voice
    saved = records.finish(given or consultation.findings, result, outcome.chosen_exercises,
                           len(consultation.history),  # a findings file is kept as given
                           outcome.exercise_frequencies)
    if saved is None or result is None:
        return
    if result.profile is None:
        if baseline is not None or activities:
            notify("Geen beginmeting bewaard: bij graad IV volgt geen behandeling.")
        return
    notify(saved)
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
                kept: bool = False) -> FiledReport:
    """Build the intake's report and write it (report.html, .txt, .md, the JSON files and the
    sheet) into `folder`, or else into a new folder in the user's data folder, never over an
    earlier report. An intake that stopped goes to the data folder only when no journal keeps
    its answers (`kept`) and it has any. OutputError naming the folder when writing fails."""
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
            folder = new_report_dir(day, patient)
        except OSError as exc:
            raise OutputError(f"kan geen map voor het verslag maken in {reports_dir()}: "
                              f"{os_reason(exc)}; geef een map met --report") from None
    try:
        write_report(folder, report=report, findings=given or consultation.findings,
                     result=result, chosen=chosen, sheet=sheet,
                     frequencies=outcome.exercise_frequencies)
    except OSError as exc:
        where = "--report: kan" if given_folder else "kan het verslag"
        raise OutputError(f"{where} niet schrijven in {folder}: {os_reason(exc)}") from None
    return FiledReport(report, folder, sheet is not None)
