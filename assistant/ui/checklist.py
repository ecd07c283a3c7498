"""A checklist on the screen: one Ask for a whole screening section ("red_flags",
"precautions", "examination"), its `question` the section's id, its `signs` the questions it
presents (each {"id", "label"}). The page answers it at once, a choice per sign: `{"<sign id>":
true | false | "unknown", ...}`; this checks such an answer against the Ask on screen and makes
it the typed answer (speech.interfaces.Given) the dialog takes (Consultation.give, which checks
it once more against the signs it asked). Both checks are dialog/checklist.checked_signs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from assistant.dialog.checklist import checked_signs
from assistant.dialog.events import Ask
from assistant.errors import InputError
from assistant.speech.interfaces import Given

NONE_OPEN: Final = "Er staat nu geen lijst op het scherm; kies of typ een antwoord."
INCOMPLETE: Final = "Kies bij elk teken van de lijst ja, nee of weet niet."


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
        try:
            checked = checked_signs(self.signs, values)
        except ValueError:
            raise InputError(INCOMPLETE) from None
        return Given(question=self.question, value=checked)
