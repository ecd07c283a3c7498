"""report.md: the report (report_content.Report) as Markdown, for the patient file and for
reading in any editor."""

from __future__ import annotations

from assistant.output.report_content import Answers, Block, Bullets, Letter, Paragraph, Report

_MARKUP = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\\": "\\\\",
                         "*": "\\*", "`": "\\`", "[": "\\[", "]": "\\]"})


def _plain(text: str) -> str:
    """Text as it was given (a note, a name from the settings), never markup: a Markdown
    viewer shows '<b>' and '**' as typed."""
    return text.translate(_MARKUP)


def _cell(text: str) -> str:
    """A table cell: a '|' would end it, a line break would end the row."""
    return " ".join(_plain(text).replace("|", "/").split())


def _block(block: Block) -> list[str]:
    match block:
        case Paragraph():
            return [block.text, ""]
        case Bullets():
            label = [block.label, ""] if block.label else []
            return [*label, *(f"- {item}" for item in block.items), ""]
        case Answers():
            rows = ["| Vraag | Antwoord | Toelichting |", "| --- | --- | --- |"]
            rows += [f"| {_cell(r.question)} | {_cell(r.answer)} | {_cell(r.note)} |"
                     for r in block.rows]
            return [*rows, ""]
        case Letter():
            # two trailing spaces keep each line of the letter on its own line
            return [_plain(line) if not line or line.startswith("- ") else f"{_plain(line)}  "
                    for line in block.lines] + [""]


def render_markdown(report: Report) -> str:
    """The report as Markdown: a title, the header lines, then a `##` heading per section."""
    header = [f"{label}: {_plain(value)}" for label, value in report.header]
    lines = [f"# {report.title}", "", *(f"{line}  " for line in header[:-1]), *header[-1:], ""]
    for section in report.sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            lines += _block(block)
    return "\n".join(lines).rstrip("\n") + "\n"
