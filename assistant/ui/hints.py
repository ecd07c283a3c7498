"""The screen's words for an error's option and advice (assistant/errors.py: `Hint`, `Advice`):
a therapist at the screen is never told about command-line flags or commands. An option is
not named (the page's field is where the message shows); a hint is said in the screen's words,
or left out where the screen has nothing to do about it. The command line words them its own
way (assistant/cli/hints.py)."""

from __future__ import annotations

from typing import Final

from assistant.errors import Advice, AssistantError, Hint, worded

# hint → the screen's words ({patient}, {what}: the advice's data); "" where the screen has
# nothing to do about it
WORDS: Final = {
    Hint.CHOOSE_DB: "kies {what} bij het starten van de assistent",
    Hint.GIVE_REPORT_FOLDER: "",
    Hint.GIVE_FOLDERS: "",  # the start of an intake says it: maak de gegevensmap schrijfbaar
    Hint.OMIT_PSK_ACTIVITIES: "laat de activiteiten leeg",
    Hint.ADD_AGAIN: "vink ‘Nog een meting vandaag’ aan",
    Hint.WITH_PATIENT: "met patiënt-id {patient}",
    Hint.RESUME: "hervat de intake op het beginscherm",
    Hint.RESTART: "hervat de intake op het beginscherm",
    Hint.START_NEW: "begin een nieuwe intake op het beginscherm",
    Hint.SEE_HISTORY: "",
    Hint.CHOOSE_CODES: "",
    Hint.OMIT_PORT: "",
    Hint.OMIT_MODEL: "",
    Hint.SET_DETAILS: "",  # the screen does not set them
}


class Screen:
    """The screen's `Wording`: WORDS, with the advice's data filled in."""

    def option(self, name: str) -> str:
        return ""

    def hint(self, advice: Advice) -> str:
        return WORDS[advice.hint].format(patient=advice.patient, what=advice.what)


def screen_text(exc: AssistantError) -> str:
    """`exc` in the screen's words: no option named, every hint worded (or left out)."""
    return worded(exc, Screen())
