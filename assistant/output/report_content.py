"""What the consultation report says, once: a structured model (`Report`) that report.md,
report.txt, report.html and the terminal's closing summary are rendered from
(report_markdown.py, report_text.py, report_html.py), and what it is built from (`GivenAnswer`,
`Baseline`).

report_build.py builds it (report_letter.py the referral letter) from the answers, the
findings, the rules' result, the chosen exercises, the baseline measurement and the practice's
settings; its texts come from the protocol data (assistant/protocol/nekpijn.toml) and the
exercise library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from assistant.protocol.findings import Value
from assistant.protocol.model import Question


@dataclass(frozen=True)
class GivenAnswer:
    """A question as it was answered: what was heard and what it meant."""

    question: Question
    heard: str
    value: Value
    note: str = ""  # what was said beside the answer, or the words a duration was worked out from


@dataclass(frozen=True)
class Baseline:
    """The baseline measurement taken at the intake."""

    nprs: int  # 0–10, pain
    psk: tuple[int, int, int]  # 0–10 each, 10 = the activity is impossible
    activities: tuple[str, ...] = ()  # the PSK's three activities, or () when not named


Tone = Literal["plain", "note", "warning"]


@dataclass(frozen=True)
class Paragraph:
    """A sentence or two; `tone` marks a note or a warning (HTML shows them in a box)."""

    text: str
    tone: Tone = "plain"


@dataclass(frozen=True)
class Bullets:
    """A list, with the line that introduces it (`label`, may be empty)."""

    items: tuple[str, ...]
    label: str = ""


@dataclass(frozen=True)
class AnswerRow:
    question: str
    answer: str
    note: str  # the "Toelichting": what was said beside the answer, or ""


@dataclass(frozen=True)
class Answers:
    """The questions as answered, in the order asked."""

    rows: tuple[AnswerRow, ...]


@dataclass(frozen=True)
class Letter:
    """The referral letter to the GP, line by line: "" is a blank line, "- " starts a sign."""

    lines: tuple[str, ...]


Block = Paragraph | Bullets | Answers | Letter


@dataclass(frozen=True)
class Section:
    """One part of the report under its heading; `kind` lets the HTML style it."""

    title: str
    blocks: tuple[Block, ...]
    kind: Literal["plain", "conclusion", "letter"] = "plain"


@dataclass(frozen=True)
class Report:
    """The whole report. `header`: (label, value) rows (patient id, date, guideline, the
    practice); `conclusion`, `reasons` and `chosen` are what the terminal's summary shows."""

    title: str
    complete: bool  # False: the consultation stopped before a result
    header: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    conclusion: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    chosen: tuple[str, ...] = ()  # 'F14: Nek en romp draaien, zittend'
    letter_unsigned: bool = False  # a referral letter with blank lines for the practice
    actions: tuple[str, ...] = ()  # what to do now ('Neem … contact op met de huisarts')
    advice: tuple[str, ...] = ()  # the information and advice (and the work advice), in short
    therapy: tuple[str, ...] = ()  # 'Aanbevolen: …', 'Te overwegen: …', 'Afgeraden: …'
