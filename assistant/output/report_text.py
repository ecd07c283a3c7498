"""report.txt: the report (report_content.Report) as plain text to paste into a patient record
system (EPD): no Markdown, lines of at most 80 characters, Windows line endings so that Notepad
shows it as it is. And the short summary the terminal shows at the end of an intake."""

from __future__ import annotations

import textwrap
from typing import Final

from assistant.output.report_content import Answers, Block, Bullets, Letter, Paragraph, Report

WIDTH: Final = 80  # characters in a line


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    """`text` in lines of at most WIDTH characters, the first starting with `first`, the others
    with `rest` (an indent); a word longer than a line is broken."""
    return textwrap.wrap(" ".join(text.split()) or "-", WIDTH, initial_indent=first,
                         subsequent_indent=rest, break_on_hyphens=False) or [first.rstrip()]


def _bullets(items: tuple[str, ...]) -> list[str]:
    return [line for item in items for line in _wrap(item, "- ", "  ")]


def _block(block: Block) -> list[str]:
    match block:
        case Paragraph():
            return [*_wrap(block.text), ""]
        case Bullets():
            label = _wrap(block.label) if block.label else []
            return [*label, *_bullets(block.items), ""]
        case Answers():
            lines = []
            for n, row in enumerate(block.rows, start=1):
                number = f"{n}. "
                indent = " " * len(number)
                lines += _wrap(row.question, number, indent)
                lines += _wrap(f"Antwoord: {row.answer}", indent, indent + "  ")
                if row.note:
                    lines += _wrap(f"Toelichting: {row.note}", indent, indent + "  ")
            return [*lines, ""]
        case Letter():
            lines = []
            for line in block.lines:
                if not line:
                    lines.append("")
                elif line.startswith("- "):
                    lines += _wrap(line[2:], "- ", "  ")
                else:
                    lines += _wrap(line)
            return [*lines, ""]


def render_text(report: Report) -> str:
    """The report as plain text: the title and the section headings in capitals, lists with
    '- ', each answer numbered with its answer and note below it. Lines end in CR LF."""
    lines = [report.title.upper(), ""]
    for label, value in report.header:
        lines += _wrap(f"{label}: {value}", "", "  ")
    lines.append("")
    for section in report.sections:
        lines += [section.title.upper(), ""]
        for block in section.blocks:
            lines += _block(block)
    text = "\n".join(lines).rstrip("\n") + "\n"
    return text.replace("\n", "\r\n")


def render_summary(report: Report) -> str:
    """What the terminal shows at the end of an intake: the conclusion, the reasons, what to
    do now (such as contacting the GP in profile D), the advice, the therapy and the chosen
    exercises, in short (the whole report is in the files)."""
    if not report.complete:
        return ""
    lines = ["", "Uitkomst:", *_bullets(report.conclusion), "Waarom:", *_bullets(report.reasons)]
    if report.actions:
        lines += ["Acties:", *_bullets(report.actions)]
    if report.advice:
        lines += ["Advies:", *_bullets(report.advice)]
    if report.therapy:
        lines += ["Therapie:", *_bullets(report.therapy)]
    referral = any(section.kind == "letter" for section in report.sections)
    if report.chosen:
        lines += ["Gekozen oefeningen:", *_bullets(report.chosen)]
    elif not referral:
        lines.append("Er zijn geen oefeningen gekozen.")
    return "\n".join(lines) + "\n"
