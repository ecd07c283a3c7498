"""Choosing the home exercises after the profile: the therapist names numbers from the menu
('veertien, zeventien en vijfenvijftig', 'F veertien', 'oefening 26a') or the exercises' names
('de bodyscan en veertien'), each optionally followed by how often ('veertien elke avond en
vijfenvijftig'); the choice is read back, with a warning for the patient's precautions, and a
'ja' settles it; 'nee, doe maar alleen veertien en twintig' replaces it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Final

from assistant.dialog import readings
from assistant.dialog.choice_parsing import (
    Choice,
    Names,
    choice_example,
    choice_phrases,
    menu_names,
    parse_choice,
    spoken_code,
)
from assistant.dialog.events import Answer, Ask, Confirm, Emit, Heard, Menu, MenuItem, Say
from assistant.dialog.intents import parse_command, read_yes_no
from assistant.dialog.loop import Outcome
from assistant.dialog.machine import MachineOutcome, Row, table_machine
from assistant.dialog.spoken import spoken_video
from assistant.dialog.turns import MAX_TRIES, Turns
from assistant.dialog.words import clean
from assistant.protocol.dialog_texts import TurnTexts
from assistant.protocol.exercises import Library, Patient
from assistant.protocol.model import Vocabulary
from assistant.speech.interfaces import Utterance
from assistant.text import dutch_list

QUESTION: Final = "exercise_choice"
# After 'nee' these take something away ('nee, niet twintig'): no new choice follows.
_TAKING_AWAY: Final = frozenset({"niet", "geen", "niks", "niets", "nooit", "zonder", "behalve"})

# Whether a choice read back waits for a ja is the turns' state (turns.py).
STATES: Final = ["choosing", "chosen", "stopped"]
TRANSITIONS: Final[list[Row]] = [
    {"trigger": "confirmed", "source": "choosing", "dest": "chosen"},
    {"trigger": "stop", "source": "choosing", "dest": "stopped"},
]


@dataclass
class ExerciseChoice(MachineOutcome):
    """The choice dialog; like the consultation it is fed one utterance at a time, and asks,
    reads back and asks again with the same turns (the intake's texts). The read-back names
    a frequency the therapist changed, and warns for the `patient`'s cautions (those with a
    `therapist` text) that concern a chosen exercise."""

    ENDS: ClassVar[dict[str, Outcome]] = {"chosen": "done", "stopped": "stopped"}
    confirmed: ClassVar[Callable[..., bool]]  # the machine's triggers, bound by `transitions`
    stop: ClassVar[Callable[..., bool]]

    library: Library
    vocab: Vocabulary
    menu: tuple[str, ...]
    emit: Emit
    texts: TurnTexts
    warning: str | None = None  # profile D: avoid movements that provoke radiating arm pain
    later: tuple[str, ...] = ()  # profile D: the nerve glides, 'bij onvoldoende effect'
    voice: bool = False  # answers are spoken (after the failed tries the keyboard is offered)
    max_tries: int = MAX_TRIES
    patient: Patient = field(default_factory=Patient)  # profile, precautions: the warnings
    chosen: tuple[str, ...] = ()
    frequencies: dict[str, str] = field(default_factory=dict)  # changed ones only, once chosen
    state: str = STATES[0]
    _names: Names | None = field(default=None, init=False, repr=False)  # menu_names, made once

    def __post_init__(self) -> None:
        self.machine = table_machine(self, STATES, TRANSITIONS, STATES[0])
        self.turns = Turns(self, self.texts, self.vocab, max_tries=self.max_tries,
                           voice=self.voice, reask=False)

    def start(self) -> None:
        """Show the menu (on screen; it is not spoken: 'help' reads the numbers) and ask."""
        def items(codes: tuple[str, ...]) -> tuple[MenuItem, ...]:
            exercises = [self.library.exercise(c) for c in codes]
            return tuple(MenuItem(e.code, e.name, e.technical_name, e.dosage.frequency)
                         for e in exercises)

        self.emit(Menu(items(self.menu), self.warning, items(self.later),
                       self.library.choice.frequencies,
                       tuple(self.warnings(self.choosable, spoken=False))))
        self._ask()

    @property
    def choosable(self) -> tuple[str, ...]:
        """The menu, and what may be added when the therapy helps too little."""
        return (*self.menu, *self.later)

    def grammar(self) -> list[str]:
        choice = self.library.choice
        return choice_phrases(self.choosable, self.vocab, choice.none, choice.frequencies)

    def hear(self, heard: Utterance | None) -> None:
        """Take one utterance (None: the input has ended, which ends the choice). At the
        read-back, 'nee' with a new choice ('nee, doe maar alleen veertien en twintig')
        replaces it; everything else goes to the turns."""
        if heard is None or not self._corrected(heard):
            self.turns.hear(heard)

    # --- turns (called by self.turns) ---------------------------------------------------------

    def on_answer(self, heard: Utterance) -> None:
        choice = self._parse(heard.text)
        if choice is None:
            self.turns.retry("not_understood", self.library.choice.not_understood)
            return
        refused = self._refusal(choice)
        if refused is not None:
            self.turns.retry(*refused)
            return
        self._read_back_choice(choice)

    def on_back(self) -> None:
        """Nothing to go back to in the choice: its question again."""
        self.turns.ask_again()

    def on_stop(self) -> None:
        self.stop()

    # --- the choice ---------------------------------------------------------------------------

    def _parse(self, text: str) -> Choice | None:
        """What `text` chooses, by number or by name (names of the menu's exercises first)."""
        if self._names is None:
            self._names = menu_names(self.library, self.choosable, self.vocab)
        return parse_choice(text, self.vocab, self.library.choice.none, self._names,
                            self.library.choice.frequencies)

    def _refusal(self, choice: Choice) -> tuple[str, str] | None:
        """Why `choice` cannot be taken (the reason and what is said), or None."""
        texts = self.library.choice
        outside = [c for c in (*choice.codes, *choice.ambiguous) if c not in self.choosable]
        if outside:
            return "not_in_menu", texts.not_in_menu.format(
                codes=dutch_list([spoken_code(c) for c in outside]))
        if choice.ambiguous:
            return "ambiguous", texts.ambiguous.format(
                codes=dutch_list([spoken_code(c) for c in choice.ambiguous]))
        left_out = self.library.left_out(choice.codes, self.patient)
        if left_out:  # a caution of the patient's precautions leaves it out
            return "not_advised", texts.not_advised.format(
                codes=dutch_list([spoken_code(c) for c in left_out]))
        return None

    def _corrected(self, heard: Utterance) -> bool:
        """At the read-back: 'nee' followed by a new choice ('nee, doe maar alleen veertien
        en twintig', 'nee, maak er de bodyscan van'). The new choice is read back in place of
        the old; one that cannot be taken is said why, and the old one is read back again.
        False (the turns take it) for anything else, a bare 'nee' too."""
        if not self.turns.confirming or self.turns.paused \
                or parse_command(heard.text, self.vocab) is not None:
            return False
        reading = read_yes_no(heard.text, self.vocab)
        if not isinstance(reading, readings.Understood) or reading.value is not False:
            return False
        words = clean(heard.text, self.vocab).split()
        said_no = words[: len(words) - len(clean(reading.note, self.vocab).split())]
        choice = self._parse(reading.note) if reading.note else None
        if choice is None or choice.none or _TAKING_AWAY.intersection(said_no):
            return False
        self.emit(Heard(heard.text, heard.confidence, heard.source))
        refused = self._refusal(choice)
        if refused is not None:
            self.turns.reprompt(*refused)
            self.turns.ask_again()
        else:
            self._read_back_choice(choice)
        return True

    def _changed(self, choice: Choice) -> dict[str, str]:
        """The frequencies of `choice` that differ from the exercises' defaults, in the order
        of its codes."""
        return {code: choice.frequencies[code] for code in choice.codes
                if code in choice.frequencies
                and choice.frequencies[code] != self.library.exercise(code).dosage.frequency}

    def _read_back_choice(self, choice: Choice) -> None:
        codes, frequencies = choice.codes, self._changed(choice)
        self.turns.confirm(Confirm(QUESTION, None, list(codes),
                                   self._read_back(codes, frequencies), frequencies),
                           yes=lambda: self._chosen(codes, frequencies), no=self._ask)

    def _chosen(self, codes: tuple[str, ...], frequencies: dict[str, str]) -> None:
        self.chosen, self.frequencies = codes, dict(frequencies)
        self.confirmed()
        self.emit(Answer(QUESTION, None, list(codes), frequencies=dict(frequencies)))
        texts = self.library.choice
        self.emit(Say("notice", texts.chosen if codes else texts.chosen_none))

    def _read_back(self, codes: tuple[str, ...], frequencies: Mapping[str, str]) -> str:
        """'U koos twee oefeningen. Oefening veertien: …, elke avond. Oefening …. [warnings]
        Klopt dat?'"""
        texts = self.library.choice
        if not codes:
            return texts.readback_none
        items = [self._item(code, frequencies.get(code)) for code in codes]
        count = (texts.count_one if len(codes) == 1
                 else texts.count_many.format(count=spoken_video(str(len(codes)))))
        return texts.readback.format(count=count,
                                     items=" ".join([*items, *self.warnings(codes)]))

    def _item(self, code: str, frequency: str | None) -> str:
        """'Oefening veertien: Nek en romp draaien, zittend[, elke avond].'"""
        texts, name = self.library.choice, self.library.exercise(code).name
        if frequency is None:
            return texts.item.format(code=spoken_code(code), name=name)
        return texts.item_frequency.format(code=spoken_code(code), name=name, frequency=frequency)

    def warnings(self, codes: Sequence[str], *, spoken: bool = True) -> list[str]:
        """What the therapist is warned of for `codes`: each of the patient's cautions with a
        `therapist` text that concerns one of them, naming those (spoken, or as written for
        the menu on the screen: 'F14 en F17')."""
        said = []
        for caution in self.library.cautions_for(self.patient):
            concerned = [c for c in codes if caution.concerns(self.library.exercise(c))]
            if caution.therapist and concerned:
                said.append(caution.therapist.format(codes=dutch_list(
                    [spoken_code(c) if spoken else c for c in concerned])))
        return said

    def _ask(self) -> None:
        texts = self.library.choice
        question = texts.question.format(example=choice_example(self.menu))
        self.turns.ask(Ask(QUESTION, None, question),
                       texts.help.format(menu=self._menu_words()), hint=texts.hint)

    def _menu_words(self) -> str:
        return dutch_list([spoken_code(c) for c in self.menu])
