"""The home-exercise sheet: a printable Dutch HTML page with the chosen exercises, their steps,
dosage and safety notes (written next to the report; print it from any browser)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from html import escape
from typing import Final

from assistant.protocol.exercises import (
    Caution,
    Dosage,
    Exercise,
    Library,
    Patient,
    SessionTexts,
    adapted,
    excluded,
    session_lines,
)
from assistant.protocol.findings import ArmSide
from assistant.text import format_minutes

# The printed look every page the assistant writes shares (this sheet, the report): A4, the
# page's font and colours, the title, the meta line, the note and warning boxes, the footer.
BASE_STYLE = """
@page { size: A4; margin: 16mm 15mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 11.5pt; line-height: 1.45;
       color: #1b1b1b; max-width: 180mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 20pt; margin: 0 0 2mm; }
.meta { color: #555; margin: 0 0 5mm; }
.note { border-left: 4px solid #2b7a78; background: #eef7f6; padding: 3mm 4mm; margin: 0 0 4mm; }
.warning { border-left: 4px solid #b3261e; background: #fdecea; padding: 3mm 4mm;
           margin: 0 0 4mm; font-weight: bold; }
.note p, .warning p { margin: 1mm 0; }
dl { display: grid; grid-template-columns: 38mm 1fr; gap: 1mm 3mm; margin: 2mm 0; }
dt { font-weight: bold; }
dd { margin: 0; }
footer { color: #555; font-size: 10pt; border-top: 1px solid #ccc; padding-top: 2mm; }
@media print { body { padding: 0; } .note, .warning { -webkit-print-color-adjust: exact;
               print-color-adjust: exact; } }
"""

STYLE = BASE_STYLE + """
.later { color: #5b3a00; font-style: italic; margin: 1mm 0; }
section.exercise { border: 1px solid #ccc; border-radius: 3mm; padding: 4mm 5mm; margin: 0 0 5mm;
                   break-inside: avoid; page-break-inside: avoid; }
section.exercise h2 { font-size: 14pt; margin: 0 0 1mm; }
.technical { color: #555; font-size: 9.5pt; margin: 0 0 1mm; }
.fill-in { display: block; margin-top: 1mm; }
.code { display: inline-block; min-width: 13mm; padding: 0.5mm 2mm; margin-right: 2mm;
        border-radius: 2mm; background: #2b7a78; color: white; text-align: center; }
.purpose { font-style: italic; margin: 1mm 0 2mm; }
ol { margin: 1mm 0 2mm 5mm; padding-left: 4mm; }
ol li { margin: 0.8mm 0; }
.safety { color: #8a1c12; margin: 1mm 0 0; }
"""


def dosage_text(d: Dosage) -> str:
    """The dosage in writing, e.g. '10 keer, 2 series; 2 seconden vasthouden; 30 seconden rust
    tussen de series; eerst links, dan rechts'."""
    if d.timed:
        return f"ongeveer {d.minutes} minuten"
    parts = [f"{d.repetitions} keer" + (f", {d.sets} series" if d.sets > 1 else "")]
    if d.hold_seconds:
        parts.append(f"{d.hold_seconds} seconden vasthouden")
    if d.sets > 1 and d.rest_seconds:
        parts.append(f"{d.rest_seconds} seconden rust tussen de series")
    if d.sides == 2:
        parts.append("eerst links, dan rechts")
    return "; ".join(parts)


LATER = "Bij onvoldoende effect: samen met de behandeling, zoals afgesproken."
THERAPIST = "Voor de fysiotherapeut: "  # before the technical name under the plain heading


def _arm(texts: SessionTexts, arm_side: ArmSide | None) -> str:
    """Which arm, for a one-arm exercise; not known: a line to circle it on."""
    if arm_side is not None:
        return escape(texts.arm(arm_side))
    return (f'{escape(texts.arm_unknown)}'
            f'<span class="fill-in">{escape(texts.arm_fill_in)}</span>')


# what the voice says in words, the paper says in figures
WRITTEN: Final = {"het alarmnummer één-één-twee": "het alarmnummer 112"}


def written(line: str) -> str:
    """A line as printed: the number a voice says in words ('één-één-twee') in figures."""
    for said, figures in WRITTEN.items():
        line = line.replace(said, figures)
    return line


def _exercise(ex: Exercise, texts: SessionTexts, patient: Patient,
              cautions: Sequence[Caution], *, later: bool = False,
              start: float | None = None) -> str:
    steps = "".join(f"<li>{escape(step)}</li>" for step in ex.steps)
    rows = [("Huiswerkfilmpje", escape(ex.video)), ("Hoeveel", escape(dosage_text(ex.dosage))),
            ("Hoe vaak", escape(patient.frequency(ex)))]
    if ex.equipment:
        rows.append(("Nodig", escape(", ".join(ex.equipment))))
    if ex.side_texts:  # before the starting position, which refers to it
        rows.append(("Welke kant", escape(" ".join(ex.side_texts))))
    if ex.one_arm:
        rows.append(("Welke arm", _arm(texts, patient.arm_side)))
    rows.append(("Beginhouding", escape(ex.start)))
    if ex.hold_cue:
        rows.append(("Vasthouden", escape(ex.hold_cue)))
    table = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    extra = [line for c in cautions if c.concerns(ex) and not c.exclude for line in c.patient]
    safety = "".join(f'<p class="safety">{escape(written(s))}</p>'
                     for s in (*ex.safety, *extra))
    return (f'<section class="exercise" id="{escape(ex.code)}">'
            f'<h2><span class="code">{escape(ex.code)}</span>{escape(ex.name)}</h2>'
            f'<p class="technical">{escape(THERAPIST)}{escape(ex.technical_name)}</p>'
            + (f'<p class="later">{escape(LATER)}</p>' if later else "")
            + ("" if start is None else '<p class="audio">' + escape(
                texts.recording_start.format(time=format_minutes(start))) + "</p>")
            + f'<p class="purpose">{escape(ex.purpose)}</p><dl>{table}</dl>'
            f"<ol>{steps}</ol>{safety}</section>")


def render_sheet(library: Library, codes: Sequence[str], *, day: date,
                 warning: str | None = None, later: Sequence[str] = (),
                 patient: Patient | None = None, audio: str | None = None,
                 audio_starts: Mapping[str, float] | None = None) -> str:
    """The sheet for `codes` (in that order); `warning` is profile D's caution; the codes in
    `later` are marked as chosen for when the other treatment helps too little; `patient`
    gives the exercise arm of the one-arm exercises (None: not known, the patient circles
    it), the frequencies, and the cautions of the profile and precautions (printed at the
    top, or with the exercises they concern); `audio` names the session's audio file that
    belongs to the sheet (`exercises --audio`), `audio_starts` where each exercise starts in
    it (code → s)."""
    texts, patient = library.session, patient or Patient()
    cautions = library.cautions_for(patient)
    notes = "".join(f"<p>{escape(written(line))}</p>" for line in
                    (*texts.pain_rule_for(patient.profile),
                     *session_lines(texts.safety, cautions)))
    left_out = library.left_out(codes, patient)
    why = dict.fromkeys(reason for c in left_out
                        if (reason := excluded(library.exercise(c), cautions)) is not None)
    top = [*([warning] if warning else []),
           *(line for c in cautions if c.whole_session for line in c.patient),
           *(line for c in why for line in c.patient)]
    warnings = ('<div class="warning">' + "".join(f"<p>{escape(written(line))}</p>"
                                                  for line in top)
                + "</div>") if top else ""
    starts = audio_starts or {}
    body = "".join(_exercise(adapted(library.exercise(c), cautions), texts, patient, cautions,
                             later=c in later, start=starts.get(c))
                   for c in codes if c not in left_out)
    closing = "".join(f"<p>{escape(line)}</p>" for line in texts.closing[1:])
    recording = ("" if audio is None else
                 f'<p class="audio">{escape(texts.recording_sheet.format(file=audio))}</p>')
    done = len(codes) - len(left_out)
    count = f"{done} oefening" + ("" if done == 1 else "en")
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<title>{escape(texts.sheet_title)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{escape(texts.sheet_title)}</h1>
<p class="meta">Datum: {day.strftime("%d-%m-%Y")} · {count}</p>
<div class="note"><p>{escape(texts.sheet_intro)}</p>{recording}</div>
<div class="note">{notes}</div>
{warnings}
{body}
<footer>{closing}</footer>
</body>
</html>
"""
