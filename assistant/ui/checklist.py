"""A checklist on the screen: one Ask for a whole screening section ("red_flags",
"precautions", "examination"), its `question` the section's id, its `signs` the questions it
presents (each {"id", "label"}). The page answers it at once, a choice per sign: `{"<sign id>":
true | false | "unknown", ...}`; this checks such an answer against the Ask on screen and makes
it the typed answer (speech.interfaces.Given) the dialog takes (Consultation.give, which checks
it once more against the signs it asked: dialog/checklist.checked_value)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from assistant.dialog.events import Ask
from assistant.errors import InputError
from assistant.protocol.findings import UNKNOWN
from assistant.speech.interfaces import Given

NONE_OPEN: Final = "Er staat nu geen lijst op het scherm; kies of typ een antwoord."
INCOMPLETE: Final = "Kies bij elk teken van de lijst ja, nee of weet niet."

Choice = bool | str  # True, False or UNKNOWN


@dataclass(frozen=True)
class Checklist:
    """The checklist Ask on screen: its question id and its signs' ids, in order."""

    question: str
    signs: tuple[str, ...]

    @classmethod
    def of(cls, event: Ask) -> Checklist | None:
        """The checklist `event` presents; None for an Ask without signs (one question)."""
        if not event.signs:
            return None
        return cls(event.question, tuple(str(sign["id"]) for sign in event.signs))

    def given(self, values: object) -> Given:
        """`values` (the page's choices) as the answer to this checklist; InputError (the
        screen answers 400) unless its keys are exactly the signs and every value is true,
        false or "unknown"."""
        if not isinstance(values, Mapping) or set(values) != set(self.signs):
            raise InputError(INCOMPLETE)
        checked: dict[str, Choice] = {}
        for sign in self.signs:
            value = values[sign]
            if isinstance(value, bool):
                checked[sign] = value
            elif value == UNKNOWN:
                checked[sign] = UNKNOWN
            else:
                raise InputError(INCOMPLETE)
        return Given(question=self.question, value=checked)
