"""The turns every question-and-answer dialog shares (assistant/dialog/turns.py), on a dialog of
one question: commands, silence, failed tries and their hints, a confirmation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.dialog.events import Ask, Confirm, Event
from assistant.dialog.loop import Outcome, run_dialog
from assistant.dialog.turns import Turns
from assistant.speech.interfaces import Utterance
from assistant.speech.text import ScriptedListener
from tests.harness import PROTOCOL

TEXTS = PROTOCOL.dialog.intake.turns
HELP = "Zeg een kleur."
QUESTION = Ask("colour", None, "Welke kleur?")


@dataclass
class ColourDialog:
    """Asks for a colour; 'rood' is read back for confirmation, other colours are taken."""

    voice: bool = False
    reask: bool = True
    give_up: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)
    state: Outcome = "running"
    taken: str | None = None
    backs: int = 0
    doubts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.turns = Turns(self, TEXTS, PROTOCOL.vocabulary, voice=self.voice,
                           reask=self.reask, exhausted=self._exhausted if self.give_up else None)

    def emit(self, event: Event) -> None:
        self.events.append(event.to_json())

    @property
    def outcome(self) -> Outcome:
        return self.state

    def start(self) -> None:
        self.turns.ask(QUESTION, HELP)

    def grammar(self) -> list[str]:
        return []

    def hear(self, heard: Utterance | None) -> None:
        self.turns.hear(heard)

    def on_answer(self, heard: Utterance) -> None:
        if heard.text == "rood":
            self.turns.confirm(Confirm("colour", None, "rood", "Rood. Klopt dat?"),
                               yes=lambda: self._take("rood"), no=self.start,
                               doubt=self.doubts.append)
        elif heard.text in ("groen", "blauw"):
            self._take(heard.text)
        else:
            self.turns.retry("not_understood", TEXTS.not_understood)

    def on_back(self) -> None:
        self.backs += 1
        self.turns.first_question()

    def on_stop(self) -> None:
        self.state = "stopped"

    def _take(self, colour: str) -> None:
        self.taken, self.state = colour, "done"

    def _exhausted(self) -> None:
        self.state = "stopped"


def run(inputs: list[str], *, voice: bool = False, reask: bool = True,
        give_up: bool = False) -> ColourDialog:
    dialog = ColourDialog(voice=voice, reask=reask, give_up=give_up)
    run_dialog(dialog, ScriptedListener(inputs))
    return dialog


def kinds(dialog: ColourDialog) -> list[str]:
    return [e["event"] for e in dialog.events]


def reprompts(dialog: ColourDialog) -> list[tuple[str, str]]:
    return [(e["reason"], e["text"]) for e in dialog.events if e["event"] == "reprompt"]


def test_an_answer_is_heard_and_taken() -> None:
    dialog = run(["groen"])
    assert dialog.taken == "groen" and dialog.outcome == "done"
    assert kinds(dialog) == ["ask", "heard"]
    assert dialog.events[1] == {"event": "heard", "text": "groen", "confidence": 1.0,
                                "source": "text"}


def test_failed_tries_end_with_the_commands_when_typed() -> None:
    dialog = run(["paars", "", "geel", "groen"])
    assert reprompts(dialog) == [
        ("not_understood", f"{TEXTS.not_understood} {HELP}"),
        ("silence", f"{TEXTS.silence} {HELP}"),
        ("not_understood", f"{TEXTS.not_understood} {HELP} {TEXTS.command_hint}"),
    ]
    assert kinds(dialog).count("ask") == 4 and dialog.taken == "groen"


def test_failed_tries_end_with_the_keyboard_when_spoken() -> None:
    dialog = run(["paars", "paars", "paars"], voice=True)
    assert reprompts(dialog)[-1] == (
        "keyboard", f"{TEXTS.not_understood} {TEXTS.keyboard_hint} {HELP}")


def test_a_new_question_starts_with_no_failed_tries() -> None:
    dialog = ColourDialog()
    dialog.start()
    dialog.hear(Utterance("paars"))
    dialog.hear(Utterance("paars"))
    dialog.turns.ask(Ask("shade", None, "Licht of donker?"), "Zeg licht of donker.")
    assert dialog.turns.tries == 0
    dialog.hear(Utterance("paars"))
    assert reprompts(dialog)[-1] == ("not_understood",
                                     f"{TEXTS.not_understood} Zeg licht of donker.")
    assert dialog.events[-2]["question"] == "shade"


def test_without_reask_the_hint_alone_follows_a_failed_try() -> None:
    dialog = ColourDialog(reask=False)
    dialog.turns.ask(QUESTION, HELP, hint="Noem een kleur.")
    dialog.hear(Utterance("paars"))
    assert kinds(dialog) == ["ask", "heard", "reprompt"]
    assert reprompts(dialog) == [("not_understood", f"{TEXTS.not_understood} Noem een kleur.")]


def test_exhausted_ends_the_question_instead_of_the_hints() -> None:
    dialog = run(["paars", "", "geel", "groen"], give_up=True)
    assert dialog.outcome == "stopped" and dialog.taken is None
    assert kinds(dialog).count("ask") == 3 and len(reprompts(dialog)) == 2


def test_commands_repeat_help_back_pause_and_stop() -> None:
    dialog = run(["herhaal", "help", "terug", "pauze", "groen", "", "verder", "stop"])
    assert [e["event"] for e in dialog.events if e["event"] != "heard"] == [
        "ask", "ask", "reprompt", "reprompt", "ask", "reprompt", "reprompt", "ask"]
    assert reprompts(dialog) == [
        ("help", f"{HELP} {TEXTS.command_hint}"),
        ("first_question", TEXTS.first_question),
        ("paused", TEXTS.paused),
        ("paused", TEXTS.still_paused),  # an answer while paused is not taken
    ]  # and silence while paused says nothing
    assert dialog.backs == 1 and dialog.taken is None and dialog.outcome == "stopped"


def test_a_confirmation_waits_for_ja() -> None:
    dialog = run(["rood", "misschien wel", "", "help", "nee", "rood", "ja"])
    assert dialog.doubts == ["misschien wel"]  # the owner decides what doubt means
    dialog = run(["rood", "paars", "", "help", "nee", "rood", "ja"])
    assert dialog.taken == "rood"
    assert reprompts(dialog) == [
        ("not_understood", TEXTS.yes_or_no),
        ("help", f"{TEXTS.confirm_help} {TEXTS.command_hint}"),
        ("not_confirmed", TEXTS.ask_again),
    ]
    assert [e["event"] for e in dialog.events if e["event"] != "heard"] == [
        "ask", "confirm", "reprompt", "confirm", "confirm", "reprompt", "reprompt", "ask",
        "confirm"]


def test_terug_drops_the_answer_waiting_for_confirmation() -> None:
    dialog = run(["rood", "terug", "blauw"])
    assert dialog.taken == "blauw" and dialog.backs == 0
    assert [e["event"] for e in dialog.events if e["event"] != "heard"] == [
        "ask", "confirm", "ask"]


def test_end_of_input_stops_and_nothing_is_heard_after_the_end() -> None:
    dialog = run(["rood"])
    assert dialog.outcome == "stopped" and not dialog.turns.confirming
    dialog.hear(Utterance("ja"))
    assert dialog.taken is None and kinds(dialog) == ["ask", "heard", "confirm"]


def test_confirming_and_paused_are_the_state_of_the_turns_machine() -> None:
    """A pause while an answer waits keeps it waiting: 'verder' reads it back again."""
    dialog = ColourDialog()
    dialog.start()
    assert dialog.turns.state == "asking"
    dialog.hear(Utterance("rood"))
    assert dialog.turns.state == "confirming" and dialog.turns.confirming
    dialog.hear(Utterance("pauze"))
    assert dialog.turns.state == "paused_confirming"
    assert dialog.turns.paused and dialog.turns.confirming
    dialog.hear(Utterance("verder"))
    assert dialog.turns.state == "confirming" and dialog.events[-1]["event"] == "confirm"
    dialog.hear(Utterance("pauze"))
    dialog.hear(Utterance("terug"))  # ends the pause and drops the answer waiting
    assert dialog.turns.state == "asking" and dialog.events[-1]["event"] == "ask"
    dialog.hear(Utterance("ja"))  # no answer waits: 'ja' is no colour
    assert dialog.taken is None and dialog.events[-1]["event"] == "ask"
