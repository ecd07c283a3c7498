"""What an utterance was understood as (DESIGN.md "Understanding answers as therapists give
them"): a command, an answer (with the explanation said after it), doubt, a choice between two
choices, or something understood well enough to say what is needed instead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from assistant.protocol.findings import Value
from assistant.text import printable


@dataclass(frozen=True)
class Command:
    """A global command: repeat, back, help, pause, resume or stop."""

    name: str


@dataclass(frozen=True)
class Understood:
    """An answer to the current question, in the finding's type.

    `note`: what was said beside the answer ('ja, het gaat steeds beter' → 'het gaat steeds
    beter'; for a duration inferred from more than a number and a unit, the words as given).
    `read_back`: the value was worked out (a calendar answer, a correction, 'meer dan') or
    taken from a longer phrase (a score: 'ik zou zeggen een zes'), so it is read back before it
    counts, with the words as given as its note; `since`: the first day, for a calendar
    answer."""

    value: Value
    note: str = ""
    read_back: bool = False
    since: date | None = None

    def __post_init__(self) -> None:  # a note goes into reports and terminals: no ESC or NUL
        object.__setattr__(self, "note", printable(self.note))


@dataclass(frozen=True)
class Doubt:
    """'weet ik niet', 'misschien', 'ja, denk ik': never a "nee"."""


@dataclass(frozen=True)
class Between:
    """Between two of the question's choices ('matig'): the question's `split` follows."""


@dataclass(frozen=True)
class Unclear:
    """Understood well enough to say what is needed; `reason`: one of
    assistant.protocol.dialog_texts.UNCLEAR_REASONS."""

    reason: str


Intent = Command | Understood | Doubt | Between | Unclear
