"""Driving a dialog with a listener: the one loop every question-and-answer dialog runs in (the
intake, the choice of exercises, the evaluation, the baseline offer). The guided exercise
session keeps its own loop: it is timed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from assistant.speech.interfaces import Listener, Utterance

Outcome = Literal["running", "done", "stopped"]


class Dialog(Protocol):
    """A dialog fed one utterance at a time."""

    @property
    def outcome(self) -> Outcome: ...

    def start(self) -> None:
        """Say what comes first and ask the first question."""
        ...

    def grammar(self) -> Sequence[str]:
        """The phrases that can be said now (answers and commands), for a recogniser."""
        ...

    def hear(self, heard: Utterance | None) -> None:
        """Take one utterance; None: the input has ended."""
        ...


def run_dialog(dialog: Dialog, listener: Listener, *, started: bool = False) -> Outcome:
    """Start `dialog` (unless `started`: a resumed intake has announced itself) and give it what
    the listener hears until it is done or stopped; end of input stops it."""
    if not started:
        dialog.start()
    while dialog.outcome == "running":
        dialog.hear(listener.listen(dialog.grammar()))
    return dialog.outcome
