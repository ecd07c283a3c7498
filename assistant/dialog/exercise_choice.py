"""Choosing the home exercises after the profile: the therapist names numbers from the menu
('veertien, zeventien en vijfenvijftig', 'F veertien', 'oefening 26a'), the choice is read
back, and a 'ja' settles it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from transitions import Machine

from assistant.dialog.events import Answer, Ask, Confirm, Emit, Menu, MenuItem, Say
from assistant.dialog.intents import clean
from assistant.dialog.loop import Outcome
from assistant.dialog.numbers import word_value
from assistant.dialog.spoken import spoken_video
from assistant.dialog.turns import MAX_TRIES, Turns
from assistant.protocol.dialog_texts import TurnTexts
from assistant.protocol.exercises import Library
from assistant.protocol.model import Vocabulary
from assistant.speech.interfaces import Utterance
from assistant.text import dutch_list

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
    """The choice dialog; like the consultation it is fed one utterance at a time, and asks,
    reads back and asks again with the same turns (the intake's texts)."""

    library: Library
    vocab: Vocabulary
    menu: tuple[str, ...]
    emit: Emit
    texts: TurnTexts
    warning: str | None = None  # profile D: avoid movements that provoke radiating arm pain
    later: tuple[str, ...] = ()  # profile D: the nerve glides, 'bij onvoldoende effect'
    voice: bool = False  # answers are spoken (after the failed tries the keyboard is offered)
    max_tries: int = MAX_TRIES
    chosen: tuple[str, ...] = ()
    state: str = STATES[0]

    def __post_init__(self) -> None:
        self.machine = Machine(model=self, states=list(STATES), transitions=TRANSITIONS,
                               initial=STATES[0], auto_transitions=False)
        self.turns = Turns(self, self.texts, self.vocab, max_tries=self.max_tries,
                           voice=self.voice, reask=False)

    @property
    def outcome(self) -> Outcome:
        if self.state == "chosen":
            return "done"
        return "stopped" if self.state == "stopped" else "running"

    def start(self) -> None:
        """Show the menu (on screen; it is not spoken: 'help' reads the numbers) and ask."""
        def items(codes: tuple[str, ...]) -> tuple[MenuItem, ...]:
            exercises = [self.library.exercise(c) for c in codes]
            return tuple(MenuItem(e.code, e.name, e.technical_name) for e in exercises)

        self.emit(Menu(items(self.menu), self.warning, items(self.later)))
        self._ask()

    @property
    def choosable(self) -> tuple[str, ...]:
        """The menu, and what may be added when the therapy helps too little."""
        return (*self.menu, *self.later)

    def grammar(self) -> list[str]:
        return choice_phrases(self.choosable, self.vocab, self.library.choice.none)

    def hear(self, heard: Utterance | None) -> None:
        """Take one utterance (None: the input has ended, which ends the choice)."""
        self.turns.hear(heard)

    # --- turns (called by self.turns) ---------------------------------------------------------

    def on_answer(self, heard: Utterance) -> None:
        texts = self.library.choice
        choice = parse_choice(heard.text, self.vocab, texts.none)
        if choice is None:
            self.turns.retry("not_understood", texts.not_understood)
            return
        outside = [c for c in choice.codes if c not in self.choosable]
        if outside:
            self.turns.retry("not_in_menu", texts.not_in_menu.format(
                codes=dutch_list([spoken_code(c) for c in outside])))
            return
        codes = choice.codes
        self._fire("named")
        self.turns.confirm(Confirm(QUESTION, None, list(codes), self._read_back(codes)),
                           yes=lambda: self._chosen(codes), no=self._rejected)

    def on_back(self) -> None:
        """Nothing to go back to in the choice: its question again."""
        self.turns.ask_again()

    def on_stop(self) -> None:
        self._fire("stop")

    # --- the choice ---------------------------------------------------------------------------

    def _chosen(self, codes: tuple[str, ...]) -> None:
        self.chosen = codes
        self._fire("confirmed")
        self.emit(Answer(QUESTION, None, list(codes)))
        texts = self.library.choice
        self.emit(Say("notice", texts.chosen if codes else texts.chosen_none))

    def _rejected(self) -> None:
        self._fire("rejected")
        self._ask()

    def _read_back(self, codes: tuple[str, ...]) -> str:
        texts = self.library.choice
        if not codes:
            return texts.readback_none
        items = " ".join(texts.item.format(code=spoken_code(c),
                                           name=self.library.exercise(c).name) for c in codes)
        count = (texts.count_one if len(codes) == 1
                 else texts.count_many.format(count=spoken_video(str(len(codes)))))
        return texts.readback.format(count=count, items=items)

    def _ask(self) -> None:
        texts = self.library.choice
        self.turns.ask(Ask(QUESTION, None, texts.question),
                       texts.help.format(menu=self._menu_words()), hint=texts.hint)

    def _menu_words(self) -> str:
        return dutch_list([spoken_code(c) for c in self.menu])

    def _fire(self, trigger: str) -> None:
        fired: bool = self.machine.events[trigger].trigger(self)
        assert fired, f"no transition for {trigger} from {self.state}"
