"""The consultation's files: the report three ways (report.html to print, report.txt to paste
into the EPD, report.md), result.json, findings.json and the home-exercise sheet.

What the report says is built once (report_build.build_report) and rendered by
report_html.py, report_text.py and report_markdown.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from assistant.files import to_json_text, write_private
from assistant.output.report_content import Report
from assistant.output.report_html import render_html
from assistant.output.report_markdown import render_markdown
from assistant.output.report_text import render_text
from assistant.protocol.findings import Findings
from assistant.protocol.result import Result

SHEET_FILE = "oefenblad.html"
REPORT_FILES = ("report.html", "report.txt", "report.md")
INTAKE_FILES = (*REPORT_FILES, "findings.json", "result.json", SHEET_FILE)


def earlier_report(directory: Path) -> str | None:
    """The name of an intake's file already in `directory` (an earlier report, never to be
    overwritten by another intake), or None."""
    return next((name for name in INTAKE_FILES if (directory / name).exists()), None)


def result_json(result: Result, chosen: Sequence[str] | None,
                frequencies: Mapping[str, str] | None = None) -> dict[str, Any]:
    """result.json: the rules' result plus the exercises chosen at the intake, and (only when
    the therapist changed any) their frequencies as `exercise_frequencies` (code → words)."""
    out = {**result.to_json(), "chosen_exercises": list(chosen or ())}
    if frequencies:
        out["exercise_frequencies"] = dict(frequencies)
    return out


def write_report(
    directory: Path, *, report: Report, findings: Findings, result: Result | None,
    chosen: Sequence[str] | None = None, sheet: str | None = None,
    frequencies: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write the `report` as report.html, report.txt and report.md, then findings.json,
    (when complete) result.json, and the home-exercise `sheet` when there is one; each file
    atomically and private (files.write_private). Returns their paths. OSError or OutputError
    when a file cannot be written (the files written before it stay)."""
    written = []
    for name, render in zip(REPORT_FILES, (render_html, render_text, render_markdown),
                            strict=True):
        written.append(write_private(directory / name, render(report)))
    written.append(write_private(directory / "findings.json",
                                 to_json_text(findings.to_json())))
    result_file = directory / "result.json"
    if result is None:
        result_file.unlink(missing_ok=True)  # a stale result must not pass for this one
    else:
        written.append(write_private(result_file, to_json_text(result_json(result, chosen,
                                                                          frequencies))))
    sheet_file = directory / SHEET_FILE
    if sheet is None:
        sheet_file.unlink(missing_ok=True)  # nor may a sheet from an earlier intake
    else:
        written.append(write_private(sheet_file, sheet))
    return written
