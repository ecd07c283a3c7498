"""report.html: the report (report_content.Report) as a printable A4 page, in the look of the
home-exercise sheet (sheet.BASE_STYLE). Every text is escaped: notes and the patient id are
the user's words and must never become markup.
The therapist's screen serves the file written for the intake (intake/filing.file_report).
"""

from __future__ import annotations

from html import escape

from assistant import __version__
from assistant.output.report_content import (
    Answers,
    Block,
    Bullets,
    Letter,
    Paragraph,
    Report,
    Section,
)
from assistant.output.sheet import BASE_STYLE

REPORT_STYLE = BASE_STYLE + """
h2 { font-size: 13.5pt; margin: 6mm 0 2mm; padding-bottom: 1mm; border-bottom: 2px solid #2b7a78;
     break-after: avoid; page-break-after: avoid; }
section { margin: 0 0 3mm; }
p { margin: 1mm 0 2mm; }
ul { margin: 1mm 0 2mm 5mm; padding-left: 4mm; }
ul li { margin: 0.6mm 0; }
.label { font-weight: bold; margin: 2mm 0 0.5mm; break-after: avoid; page-break-after: avoid; }
table.answers { width: 100%; border-collapse: collapse; font-size: 9.5pt; line-height: 1.35; }
table.answers th, table.answers td { border: 1px solid #ccc; padding: 1mm 2mm; text-align: left;
                                     vertical-align: top; }
table.answers th { background: #eef7f6; }
table.answers thead { display: table-header-group; }
table.answers tr { break-inside: avoid; page-break-inside: avoid; }
table.answers td.answer { white-space: nowrap; font-weight: bold; }
table.answers col.question { width: 62%; }
section.conclusion .box { border-left: 4px solid #2b7a78; background: #eef7f6;
                          padding: 2mm 4mm; break-inside: avoid; page-break-inside: avoid; }
section.conclusion ul { list-style: none; margin: 0; padding: 0; font-weight: bold; }
section.letter { break-before: page; page-break-before: always; }
div.letter { border: 1px solid #ccc; border-radius: 3mm; padding: 6mm 8mm; }
div.letter p { margin: 0 0 1mm; }
div.letter .gap { height: 3mm; margin: 0; }
div.letter ul { margin: 0 0 1mm 5mm; }
footer { margin-top: 4mm; font-size: 9pt; break-before: avoid; page-break-before: avoid; }
@media print { section.conclusion .box, table.answers th { -webkit-print-color-adjust: exact;
               print-color-adjust: exact; } }
"""


def _list(items: tuple[str, ...]) -> str:
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"


def _letter(lines: tuple[str, ...]) -> str:
    parts: list[str] = []
    signs: list[str] = []
    for line in (*lines, ""):
        if line.startswith("- "):
            signs.append(line[2:])
            continue
        if signs:
            parts.append(_list(tuple(signs)))
            signs = []
        parts.append(f"<p>{escape(line)}</p>" if line else '<p class="gap"></p>')
    return '<div class="letter">' + "".join(parts[:-1]) + "</div>"


def _block(block: Block) -> str:
    match block:
        case Paragraph():
            if block.tone == "plain":
                return f"<p>{escape(block.text)}</p>"
            return f'<div class="{block.tone}"><p>{escape(block.text)}</p></div>'
        case Bullets():
            label = f'<p class="label">{escape(block.label)}</p>' if block.label else ""
            return label + _list(block.items)
        case Answers():
            rows = "".join(
                f"<tr><td>{escape(r.question)}</td><td class=\"answer\">{escape(r.answer)}</td>"
                f"<td>{escape(r.note)}</td></tr>" for r in block.rows)
            return ('<table class="answers"><colgroup><col class="question"><col><col>'
                    "</colgroup><thead><tr><th>Vraag</th><th>Antwoord</th><th>Toelichting</th>"
                    f"</tr></thead><tbody>{rows}</tbody></table>")
        case Letter():
            return _letter(block.lines)


def _section(section: Section) -> str:
    body = "".join(_block(block) for block in section.blocks)
    if section.kind == "conclusion":
        body = f'<div class="box">{body}</div>'
    return (f'<section class="{section.kind}"><h2>{escape(section.title)}</h2>{body}'
            "</section>")


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (no scripts, no outside files), A4 for
    printing: the header as a table of facts, a heading per section, the answers as a table,
    the conclusion in a box, and the referral letter on a page of its own."""
    header = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>"
                     for label, value in report.header)
    sections = "\n".join(_section(section) for section in report.sections)
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(report.title)}</title>
<style>{REPORT_STYLE}</style>
</head>
<body>
<h1>{escape(report.title)}</h1>
<dl class="meta">{header}</dl>
{sections}
<footer>Nekpijn-assistent {escape(__version__)}. Voor het dossier van de patiënt.</footer>
</body>
</html>
"""

