"""Sources of spoken or typed commands during a guided exercise session, which does not wait
for answers but listens while it counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from assistant.speech.interfaces import Utterance
from assistant.speech.keyboard import TypedLines

if TYPE_CHECKING:
    from assistant.speech.voice import VoiceListener

FOREVER = 3600.0  # s: a pause waits this long per listening turn, then listens again


class CommandSource(Protocol):
    @property
    def ended(self) -> bool:
        """No command can come any more (the input has ended)."""
        ...

    def wait(self, grammar: Sequence[str], timeout: float | None) -> Utterance | None:
        """The next utterance within `timeout` s (0: only what is already there; None: as long
        as it takes); None when nothing came."""
        ...


class KeyboardCommands:
    """Commands typed on the keyboard (or piped in), one per line; or clicked on the screen's
    page."""

    def __init__(self, keyboard: TypedLines) -> None:
        self.keyboard = keyboard

    @property
    def ended(self) -> bool:
        return self.keyboard.closed

    def wait(self, grammar: Sequence[str], timeout: float | None) -> Utterance | None:
        line = self.keyboard.wait(timeout)
        return Utterance(line) if isinstance(line, str) and line else None


class VoiceCommands:
    """Commands heard through the microphone (typed ones are accepted too)."""

    def __init__(self, listener: VoiceListener) -> None:
        self.listener = listener
        self._ended = False

    @property
    def ended(self) -> bool:
        return self._ended

    def wait(self, grammar: Sequence[str], timeout: float | None) -> Utterance | None:
        if timeout == 0:
            typed = self.listener.typed()
            return typed if isinstance(typed, Utterance) else None
        self.listener.timeout = FOREVER if timeout is None else timeout
        heard = self.listener.listen(grammar)
        if heard is None:
            self._ended = True
            return None
        return heard if isinstance(heard, Utterance) and heard.text else None
