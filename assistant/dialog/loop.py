"""Driving a dialog with a listener: the one loop every question-and-answer dialog runs in (the
intake, the choice of exercises, the evaluation, the baseline offer). The guided exercise
session keeps its own loop: it is timed."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import Literal, Protocol, runtime_checkable

from assistant.errors import UsageError
from assistant.speech.interfaces import Correction, Given, Listener, Utterance

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


@runtime_checkable
class Correctable(Protocol):
    """A dialog whose answers a screen can change (the intake)."""

    def change(self, question_id: str) -> None:
        """Take the answers back until `question_id` is asked again (UsageError when it
        cannot be: not answered, or the result is given)."""
        ...


@runtime_checkable
class Answerable(Protocol):
    """A dialog that takes typed answers (the intake, from a findings file)."""

    def give(self, question_id: str, value: object) -> None:
        """Take `value` as the answer to `question_id`, the open question."""
        ...


def run_dialog(dialog: Dialog, listener: Listener, *, started: bool = False) -> Outcome:
    """Start `dialog` (unless `started`: a resumed intake has announced itself) and give it what
    the listener hears until it is done or stopped; end of input stops it. A screen's
    correction goes to a dialog that takes corrections; it is passed over by any other, and
    when it no longer fits (the screen checks it before it sends it). A typed answer goes to a
    dialog that takes them (ValueError for any other: a listener that gives them belongs to
    the intake)."""
    if not started:
        dialog.start()
    while dialog.outcome == "running":
        heard = listener.listen(dialog.grammar())
        if isinstance(heard, Correction):
            if isinstance(dialog, Correctable):
                # answered or concluded since the screen looked (UsageError): nothing changes
                with suppress(UsageError):
                    dialog.change(heard.question)
            continue
        if isinstance(heard, Given):
            if not isinstance(dialog, Answerable):
                raise ValueError(f"deze dialoog neemt geen getypte antwoorden: {heard!r}")
            dialog.give(heard.question, heard.value)
            continue
        dialog.hear(heard)
    return dialog.outcome
