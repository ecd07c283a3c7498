"""Showing the dialog on a terminal (or plain text when piped), and the JSON-lines event log."""

from __future__ import annotations

import json
import os
from typing import TextIO

from assistant.dialog.checklist import described
from assistant.dialog.events import Answer as Answered
from assistant.dialog.events import (
    Ask,
    Confirm,
    ErrorEvent,
    Event,
    ExerciseStart,
    Heard,
    Menu,
    MenuItem,
    Reprompt,
    Say,
)
from assistant.dialog.phrases import display_value
from assistant.protocol.exercises import name_for_therapist
from assistant.protocol.model import Protocol
from assistant.speech.recognizer import UNKNOWN

NOT_UNDERSTOOD = "(niet verstaan)"  # shown for speech outside the grammar


class Style:
    """ANSI styling, only on a terminal and when NO_COLOR is not set."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @classmethod
    def for_stream(cls, stream: TextIO) -> Style:
        return cls(stream.isatty() and "NO_COLOR" not in os.environ)

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.enabled else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def accent(self, text: str) -> str:
        return self._wrap("1;36", text)

    def warn(self, text: str) -> str:
        return self._wrap("1;33", text)


class Screen:
    """Prints prompts and answers for the therapist.

    `echo` shows what was heard: needed when the answers do not come from the keyboard
    (a script, a file, the microphone), where they would otherwise not be seen. With the
    `protocol`, an answer given typed (a findings file's: nothing was heard) is shown as it
    would be read back.
    """

    def __init__(self, out: TextIO, *, echo: bool, release: str = "",
                 protocol: Protocol | None = None) -> None:
        self.out = out
        self.release = release  # the word that ends a line of counting
        self._line_open = False  # a line of counting is being written
        self._last_say = ""  # the kind of the last thing said: a run of one kind is one block
        self.echo = echo
        self.protocol = protocol
        self.style = Style.for_stream(out)
        self.asked = 0
        self._heard = False  # something was heard since the last question

    def __call__(self, event: Event) -> None:
        s = self.style
        match event:
            case Ask():
                self.asked += 1
                self._heard = False
                self._print("")
                self._print(s.bold(event.text))
            case Confirm():
                self._print(s.warn(event.text))
            case Reprompt():
                self._print(s.dim(event.text))
            case Heard() if self.echo:  # vosk's token for speech outside the grammar
                self._heard = True
                shown = NOT_UNDERSTOOD if event.text.strip() == UNKNOWN else event.text
                self._print(s.dim(f"> {shown}"))
            case Answered():
                self._answered(event)
            case Say():
                self._said(event.say_kind, event.text)
            case Menu():
                self._print("")
                for item in event.exercises:
                    self._menu_item(item)
                if event.if_insufficient:
                    self._print(s.bold("Bij onvoldoende effect (zenuwmobilisatie):"))
                    for item in event.if_insufficient:
                        self._menu_item(item)
                if event.warning:
                    self._print(s.warn(f"Let op: {event.warning}"))
                for caution in event.cautions:
                    self._print(s.warn(caution))
            case ExerciseStart():
                self._print("")
                self._print(s.bold(f"— {event.code}: {event.name} "
                                   f"({event.number}/{event.total}) —"))
            case ErrorEvent():
                self._print(s.warn(f"Fout: {event.message}"))

    def _answered(self, event: Answered) -> None:
        """An answer typed, not heard, is shown as read back; a note as 'Toelichting'."""
        s = self.style
        if (self.echo and not self._heard and self.protocol is not None
                and event.finding is not None):
            if isinstance(event.value, dict):  # a checklist: the value per sign
                self._print(s.dim(f"> {described(event.value, self.protocol)}"))
            else:
                question = self.protocol.question(event.question)
                self._print(s.dim(f"> {display_value(question, event.value, self.protocol)}"))
        if event.note:
            self._print(s.dim(f"Toelichting: {event.note}"))

    def _menu_item(self, item: MenuItem) -> None:
        often = f"; {item.frequency}" if item.frequency else ""
        self._print(f"  {item.code:5} {name_for_therapist(item.name, item.technical_name)}"
                    f"{often}")

    def _said(self, say_kind: str, text: str) -> None:
        s = self.style
        if say_kind == "summary":  # the conclusion in short; the caller prints the report
            self._print("")
            self._print(s.bold(text))
            return
        if say_kind == "count":  # counting in an exercise session: on one line
            self.out.write(("" if self._line_open else "  ") + s.dim(text))
            self._line_open = text != self.release
            self.out.write(" " if self._line_open else "\n")
            self.out.flush()
        elif say_kind in ("step", "exercise", "safety"):
            self._print(s.accent(text) if say_kind == "safety" else text)
        else:
            if say_kind != self._last_say:
                self._print("")
            self._print(s.accent(text))
        self._last_say = say_kind

    def _print(self, text: str) -> None:
        if self._line_open:
            self.out.write("\n")
            self._line_open = False
        print(text, file=self.out, flush=True)


class EventLog:
    """Writes every event as one JSON line, flushed at once (so other tools can follow)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def __call__(self, event: Event) -> None:
        self.out.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")
        self.out.flush()
