"""Filing an intake's report: the report, the result, the findings and the patient's sheet,
written into a folder of their own, never over an earlier report, and completed when a write
was cut off (UNFINISHED). Used by the intake's flow (flow.py) for every front end."""

from __future__ import annotations

import errno
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Final

from assistant.errors import Advice, Hint, OutputError, Part, os_reason
from assistant.files import write_private
from assistant.intake.run import IntakeOutcome
from assistant.output.report import INTAKE_FILES, write_report
from assistant.output.report_build import build_report
from assistant.output.report_content import Baseline, Report
from assistant.output.sheet import render_sheet
from assistant.protocol.exercises import Patient
from assistant.protocol.findings import Findings
from assistant.protocol.model import Protocol
from assistant.records.location import new_report_dir, reports_dir
from assistant.settings import PracticeSettings


@dataclass(frozen=True)
class FiledReport:
    """An intake's report and where it was written (None: not written)."""

    report: Report
    folder: Path | None
    sheet: bool  # a home-exercise sheet was written beside it


def file_report(protocol: Protocol, outcome: IntakeOutcome, *, day: date, patient: str | None,
                baseline: Baseline | None, settings: PracticeSettings | None,
                given: Findings | None = None, folder: Path | None = None,
                kept: bool = False, again: Advice | None = None,
                final: bool = True) -> FiledReport:
    """Build the intake's report and write it (report.html, .txt, .md, the JSON files and the
    sheet) into `folder`, or else into a new folder in the user's data folder, never over an
    earlier report (but into this patient's folder of `day` that a cut-off write left
    unfinished: `unfinished_report`). An intake that stopped goes to the data folder only
    when no journal keeps its answers (`kept`) and it has any. OutputError naming the folder
    when writing fails; `again`, how to write it later (Hint.RESTART: the intake is stored, its
    journal open), is said in it. Not `final` (the screen's report shown before the baseline
    is taken): the folder keeps its UNFINISHED mark, so a run cut off before the final write
    is completed in the same folder, never in a second one."""
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
                              f"{os_reason(exc)}", Advice(Hint.GIVE_REPORT_FOLDER),
                              *_again(exc, again)) from None
    try:
        write_private(folder / UNFINISHED, UNFINISHED_TEXT)  # first: a cut-off write shows
        write_report(folder, report=report, findings=given or consultation.findings,
                     result=result, chosen=chosen, sheet=sheet,
                     frequencies=outcome.exercise_frequencies)
        _sweep(folder)
        if final:
            (folder / UNFINISHED).unlink()  # last: the report is complete
    except OSError as exc:
        what = "kan" if given_folder else "kan het verslag"
        raise OutputError(f"{what} niet schrijven in {folder}: {os_reason(exc)}",
                          *_again(exc, again), option="report" if given_folder else None
                          ) from None
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


def _again(exc: OSError, again: Advice | None) -> tuple[Part, ...]:
    """What to do about a report the stored intake still lacks (`again`: how to start it
    again), as parts of the error's line."""
    if again is None:
        return ()
    fix = "maak ruimte" if exc.errno == errno.ENOSPC else "los dat op"
    return (f"; de intake is opgeslagen: {fix}", replace(again, lead=" en "),
            ": het verslag wordt dan alsnog geschreven")
