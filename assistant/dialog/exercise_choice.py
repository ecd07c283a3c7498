"""Choosing the home exercises after the profile: the therapist names numbers from the menu
('veertien, zeventien en vijfenvijftig', 'F veertien', 'oefening 26a'), the choice is read
back, and a 'ja' settles it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from transitions import Machine

from assistant.dialog.events import (
    Answer,
    Ask,
    Confirm,
    Emit,
    Heard,
    Menu,
    MenuItem,
    Reprompt,
    Say,
)
from assistant.dialog.intents import clean, parse_command, parse_yes_no
from assistant.dialog.numbers import word_value
from assistant.dialog.spoken import spoken_list, spoken_video
from assistant.protocol.exercises import Library
from assistant.protocol.model import Vocabulary
from assistant.speech.interfaces import Utterance

QUESTION: Final = "exercise_choice"
# Words around the numbers that carry nothing ('oefening 14 en F 55').
_NEUTRAL: Final = frozenset({"f", "ef", "oefening", "oefeningen", "nummer", "nummers", "en",
                             "huiswerkfilmpje", "filmpje", "de", "ook", "plus", "met"})
_LETTERS: Final = {"a": "a", "aa": "a", "b": "b", "be": "b", "bee": "b"}
_CODE_TOKEN = re.compile(r"f?(\d{1,2})([ab]?)")


@dataclass(frozen=True)
class Choice:
    """What was said: the codes named, in order and once each."""

    codes: tuple[str, ...] = ()
    none: bool = False  # 'geen': no exercises


def _number(token: str) -> int | None:
    value = word_value(token)
    if value is None or not float(value).is_integer() or not 1 <= value <= 99:
        return None
    return int(value)


def parse_choice(text: str, vocab: Vocabulary, none_phrases: frozenset[str]) -> Choice | None:
    """The exercise codes named in `text`, or None when something in it is not understood."""
    phrase = clean(text, vocab)
    if phrase in none_phrases:
        return Choice(none=True)
    codes: list[str] = []
    for token in phrase.split():
        glued = _CODE_TOKEN.fullmatch(token)
        if glued:
            codes.append(f"F{int(glued.group(1))}{glued.group(2)}")
        elif token in _LETTERS and codes and not codes[-1][-1].isalpha():
            codes[-1] += _LETTERS[token]
        elif (number := _number(token)) is not None:
            codes.append(f"F{number}")
        elif token not in _NEUTRAL:
            return None
    if not codes:
        return None
    return Choice(tuple(dict.fromkeys(codes)))


def spoken_code(code: str) -> str:
    """'F14a' as said: 'veertien a'."""
    return spoken_video(code[1:])


def choice_phrases(menu: Sequence[str], vocab: Vocabulary,
                   none_phrases: frozenset[str]) -> list[str]:
    """The words a recogniser needs (they combine freely): the menu's numbers and letters,
    the neutral words, 'geen', yes/no and the commands."""
    words = {w for code in menu for w in spoken_code(code).split()}
    words |= {"f", "oefening", "en"} | none_phrases | vocab.yes | vocab.no
    words |= {p for _, phrases in vocab.commands for p in phrases}
    return sorted(words)


STATES: Final = ["asking", "confirming", "chosen", "stopped"]
TRANSITIONS: Final[list[dict[str, Any]]] = [
    {"trigger": "named", "source": "asking", "dest": "confirming"},
    {"trigger": "confirmed", "source": "confirming", "dest": "chosen"},
    {"trigger": "rejected", "source": "confirming", "dest": "asking"},
    {"trigger": "stop", "source": ["asking", "confirming"], "dest": "stopped"},
]


@dataclass
class ExerciseChoice:
    """The choice dialog; like the consultation it is fed one utterance at a time."""

    library: Library
    vocab: Vocabulary
    menu: tuple[str, ...]
    emit: Emit
    warning: str | None = None  # profile D: avoid movements that provoke radiating arm pain
    chosen: tuple[str, ...] = ()
    state: str = STATES[0]
    _pending: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        self.machine = Machine(model=self, states=list(STATES), transitions=TRANSITIONS,
                               initial=STATES[0], auto_transitions=False)

    @property
    def outcome(self) -> Literal["running", "done", "stopped"]:
        if self.state == "chosen":
            return "done"
        return "stopped" if self.state == "stopped" else "running"

    def start(self) -> None:
        """Show the menu (on screen; it is not spoken: 'help' reads the numbers) and ask."""
        self.emit(Menu(tuple(MenuItem(c, self.library.exercise(c).name) for c in self.menu),
                       self.warning))
        self._ask()

    def grammar(self) -> list[str]:
        return choice_phrases(self.menu, self.vocab, self.library.choice.none)

    def hear(self, heard: Utterance | None) -> None:
        """Take one utterance (None: the input has ended, which ends the choice)."""
        if heard is None:
            self._fire("stop")
            return
        if not heard.text.strip():  # silence: ask again
            self._ask()
            return
        self.emit(Heard(heard.text, heard.confidence, heard.source))
        texts = self.library.choice
        command = parse_command(heard.text, self.vocab)
        if command is not None and command.name == "stop":
            self._fire("stop")
        elif command is not None and command.name == "help":
            self.emit(Reprompt(QUESTION, "help", texts.help.format(menu=self._menu_words())))
        elif command is not None:
            self._ask()
        elif self.state == "confirming":
            self._confirming(heard.text)
        else:
            self._asking(heard.text)

    def _confirming(self, text: str) -> None:
        yes = parse_yes_no(text, self.vocab)
        if yes is None:
            self._read_back()
        elif yes:
            self.chosen = self._pending
            self._fire("confirmed")
            self.emit(Answer(QUESTION, None, list(self.chosen)))
            texts = self.library.choice
            self.emit(Say("notice", texts.chosen if self.chosen else texts.chosen_none))
        else:
            self._fire("rejected")
            self._ask()

    def _asking(self, text: str) -> None:
        texts = self.library.choice
        choice = parse_choice(text, self.vocab, texts.none)
        if choice is None:
            self.emit(Reprompt(QUESTION, "not_understood", texts.not_understood))
            return
        outside = [c for c in choice.codes if c not in self.menu]
        if outside:
            self.emit(Reprompt(QUESTION, "not_in_menu", texts.not_in_menu.format(
                codes=spoken_list([spoken_code(c) for c in outside]))))
            return
        self._pending = choice.codes
        self._fire("named")
        self._read_back()

    def _read_back(self) -> None:
        texts = self.library.choice
        if not self._pending:
            text = texts.readback_none
        else:
            count = len(self._pending)
            items = " ".join(texts.item.format(code=spoken_code(c),
                                               name=self.library.exercise(c).name)
                             for c in self._pending)
            text = texts.readback.format(
                count=texts.count_one if count == 1 else texts.count_many.format(
                    count=spoken_video(str(count))), items=items)
        self.emit(Confirm(QUESTION, None, list(self._pending), text))

    def _ask(self) -> None:
        if self.state == "confirming":
            self._read_back()
            return
        self.emit(Ask(QUESTION, None, self.library.choice.question))

    def _menu_words(self) -> str:
        return spoken_list([spoken_code(c) for c in self.menu])

    def _fire(self, trigger: str) -> None:
        fired: bool = self.machine.events[trigger].trigger(self)
        assert fired, f"no transition for {trigger} from {self.state}"
