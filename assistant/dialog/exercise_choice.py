"""Choosing the home exercises after the profile: the therapist names numbers from the menu
('veertien, zeventien en vijfenvijftig', 'F veertien', 'oefening 26a') or the exercises' names
('de bodyscan en veertien'), each optionally followed by how often ('veertien elke avond en
vijfenvijftig'); the choice is read back, with a warning for the patient's precautions, and a
'ja' settles it; 'nee, doe maar alleen veertien en twintig' replaces it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from transitions import Machine

from assistant.dialog import readings
from assistant.dialog.events import Answer, Ask, Confirm, Emit, Heard, Menu, MenuItem, Say
from assistant.dialog.intents import parse_command, read_yes_no
from assistant.dialog.loop import Outcome
from assistant.dialog.numbers import word_value
from assistant.dialog.spoken import spoken_video
from assistant.dialog.turns import MAX_TRIES, Turns
from assistant.dialog.words import clean
from assistant.protocol.dialog_texts import TurnTexts
from assistant.protocol.exercises import Exercise, Library, Patient
from assistant.protocol.model import Vocabulary
from assistant.speech.interfaces import Utterance
from assistant.text import dutch_list

QUESTION: Final = "exercise_choice"
# Words around the numbers that carry nothing ('oefening 14 en F 55', 'de bodyscan').
_NEUTRAL: Final = frozenset({"f", "ef", "oefening", "oefeningen", "nummer", "nummers", "en",
                             "huiswerkfilmpje", "filmpje", "de", "het", "ook", "plus", "met"})
_LETTERS: Final = {"a": "a", "aa": "a", "b": "b", "be": "b", "bee": "b"}
_CODE_TOKEN = re.compile(r"f?(\d{1,2})([ab]?)")
# Words that may open a choice, above all a correction: 'doe maar alleen veertien', 'maak er
# veertien van' (then 'van' closes it).
_LEADS: Final = (("doe", "maar"), ("maak", "er"), ("alleen",), ("dan",), ("maar",),
                 ("liever",))
_MAKE: Final = ("maak", "er")
_ARTICLES: Final = ("de", "het")
# After 'nee' these take something away ('nee, niet twintig'): no new choice follows.
_TAKING_AWAY: Final = frozenset({"niet", "geen", "niks", "niets", "nooit", "zonder", "behalve"})

Names = Mapping[str, tuple[str, ...]]  # a normalised name → the codes of the exercises it names


@dataclass(frozen=True)
class Choice:
    """What was said: the codes named, in order and once each."""

    codes: tuple[str, ...] = ()
    none: bool = False  # 'geen': no exercises
    ambiguous: tuple[str, ...] = ()  # the codes a name said could be (two or more)
    # how often, as said after codes (code → a phrase of the library's choice.frequencies,
    # as written there); defaults said again are kept here, ExerciseChoice drops them
    frequencies: dict[str, str] = field(default_factory=dict)


def _number(token: str) -> int | None:
    value = word_value(token)
    if value is None or not float(value).is_integer() or not 1 <= value <= 99:
        return None
    return int(value)


def exercise_names(exercises: Iterable[Exercise], vocab: Vocabulary) -> dict[str, tuple[str, ...]]:
    """What each exercise may be called, normalised as an answer is: its plain name, its
    technical name and, for a technical name like 'Bodyscan: ontspanningsoefening …', the part
    before the colon; each also without a leading article ('de pitcherstretch …')."""
    names: dict[str, tuple[str, ...]] = {}
    for exercise in exercises:
        said = [exercise.name, exercise.technical_name]
        if ":" in exercise.technical_name:
            said.append(exercise.technical_name.split(":", 1)[0])
        for name in said:
            words = clean(name, vocab).split()
            forms = [words, words[1:] if words[:1] and words[0] in _ARTICLES else []]
            for form in forms:
                key = " ".join(form)
                if key and exercise.code not in names.get(key, ()):
                    names[key] = (*names.get(key, ()), exercise.code)
    return names


def menu_names(library: Library, menu: Sequence[str], vocab: Vocabulary) -> Names:
    """The names that choose from `menu`: a name counts for the menu's exercises only; a name
    of no exercise on the menu names the library's (so it can be refused as not on the menu)."""
    on_menu = exercise_names((library.exercise(c) for c in menu), vocab)
    others = exercise_names((e for e in library.exercises if e.code not in menu), vocab)
    return {**others, **on_menu}


def _without_lead(tokens: list[str]) -> list[str]:
    """'doe maar alleen veertien' → 'veertien'; 'maak er veertien van' → 'veertien'."""
    made = False
    while lead := next((lead for lead in _LEADS if tuple(tokens[:len(lead)]) == lead), None):
        tokens = tokens[len(lead):]
        made = made or lead == _MAKE
    return tokens[:-1] if made and tokens[-1:] == ["van"] else tokens


def _frequency_key(words: Sequence[str]) -> str:
    """Words of a frequency as compared: numbers as digits ('2 keer per dag' is 'twee keer per
    dag'), 'à' as the 'a' a recogniser writes ('twee a drie keer per dag')."""
    keyed = []
    for word in words:
        value = word_value(word)
        if word in ("à", "a"):
            keyed.append("a")
        elif value is not None and float(value).is_integer():
            keyed.append(str(int(value)))
        else:
            keyed.append(word)
    return " ".join(keyed)


def frequency_keys(frequencies: Iterable[str], vocab: Vocabulary) -> dict[str, str]:
    """Each frequency phrase (choice.frequencies) by its key (_frequency_key of its words)."""
    return {_frequency_key(clean(f, vocab).split()): f for f in frequencies}


def read_frequency(text: str, frequencies: Iterable[str], vocab: Vocabulary) -> str | None:
    """The one phrase of `frequencies` (as written in the data) that `text` says, in any form
    the choice accepts ('2 keer per dag', 'twee a drie keer per dag', a decomposed 'à');
    None when it is not one of them."""
    words = clean(unicodedata.normalize("NFC", text), vocab).split()
    return frequency_keys(frequencies, vocab).get(_frequency_key(words))


def _longest_frequency(tokens: list[str], i: int, keys: Mapping[str, str]) -> tuple[str, int]:
    """The frequency phrase that starts at tokens[i] (the longest), and its length (0: none)."""
    if keys:
        for end in range(len(tokens), i, -1):
            phrase = keys.get(_frequency_key(tokens[i:end]))
            if phrase is not None:
                return phrase, end - i
    return "", 0


def _longest_name(tokens: list[str], i: int, names: Names) -> tuple[tuple[str, ...], int]:
    """The codes of the longest name that starts at tokens[i], and its length (0: none)."""
    for end in range(len(tokens), i, -1):
        codes = names.get(" ".join(tokens[i:end]))
        if codes:
            return codes, end - i
    return (), 0


def parse_choice(text: str, vocab: Vocabulary, none_phrases: frozenset[str],
                 names: Names | None = None, frequencies: Sequence[str] = ()) -> Choice | None:
    """The exercise codes named in `text` by number, or by name when `names` are given
    (exercise_names, menu_names), in any order and mixed; None when something in it is not
    understood. A name that several exercises share gives them in `ambiguous`.

    One of `frequencies` (choice.frequencies) said after codes sets how often for every code
    named since the previous frequency, or since the start ('veertien en zeventien elke avond':
    both; 'veertien elke avond en zeventien': fourteen only); one with no code before it is not
    understood."""
    phrase = clean(text, vocab)
    if phrase in none_phrases:
        return Choice(none=True)
    tokens = _without_lead(phrase.split())
    keys = frequency_keys(frequencies, vocab)
    codes: list[str] = []
    ambiguous: tuple[str, ...] = ()
    often: dict[str, str] = {}
    since = 0  # codes[since:] were named after the last frequency
    named_since = False  # something was named after it (a code, or a name of several)
    numbered = False  # the last code was a number, which a letter may follow ('veertien a')
    i = 0
    while i < len(tokens):
        token = tokens[i]
        frequency, length = _longest_frequency(tokens, i, keys)
        if length:
            if not named_since:
                return None
            often.update((code, frequency) for code in codes[since:])
            since, named_since, numbered = len(codes), False, False
            i += length
            continue
        named, length = _longest_name(tokens, i, names or {})
        if length:
            if len(named) > 1:
                ambiguous = ambiguous or named
            else:
                codes.append(named[0])
            i, numbered, named_since = i + length, False, True
            continue
        i += 1
        glued = _CODE_TOKEN.fullmatch(token)
        if glued:
            codes.append(f"F{int(glued.group(1))}{glued.group(2)}")
            numbered = named_since = True
        elif token in _LETTERS and numbered and not codes[-1][-1].isalpha():
            codes[-1] += _LETTERS[token]
        elif (number := _number(token)) is not None:
            codes.append(f"F{number}")
            numbered = named_since = True
        elif token not in _NEUTRAL:
            return None
    if not codes and not ambiguous:
        return None
    return Choice(tuple(dict.fromkeys(codes)), ambiguous=ambiguous, frequencies=often)


def spoken_code(code: str) -> str:
    """'F14a' as said: 'veertien a'."""
    return spoken_video(code[1:])


def choice_example(menu: Sequence[str]) -> str:
    """The question's example, always on the menu: its first code and the first one after it
    with another number, spoken ('één en twee' for ('F1', 'F1a', 'F2'))."""
    first = menu[0]
    other = next((c for c in menu[1:] if c.rstrip("ab") != first.rstrip("ab")), None)
    return dutch_list([spoken_code(c) for c in (first, other) if c is not None])


def choice_phrases(menu: Sequence[str], vocab: Vocabulary,
                   none_phrases: frozenset[str], frequencies: Sequence[str] = ()) -> list[str]:
    """The words a recogniser needs (they combine freely): the menu's numbers and letters,
    the neutral words, 'geen', yes/no, 'doe maar alleen' (a correction at the read-back), the
    words of the `frequencies` ('elke avond'; 'à' as a recogniser writes it: 'a') and the
    commands. The names are typed only: their words would open the grammar wide."""
    words = {w for code in menu for w in spoken_code(code).split()}
    words |= {"f", "oefening", "en", "doe", "maar", "alleen"} | none_phrases | vocab.yes | vocab.no
    words |= {"a" if w == "à" else w for f in frequencies for w in clean(f, vocab).split()}
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
    reads back and asks again with the same turns (the intake's texts). The read-back names
    a frequency the therapist changed, and warns for the `patient`'s cautions (those with a
    `therapist` text) that concern a chosen exercise."""

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
        self._fire("named")
        self._read_back_choice(choice)

    def on_back(self) -> None:
        """Nothing to go back to in the choice: its question again."""
        self.turns.ask_again()

    def on_stop(self) -> None:
        self._fire("stop")

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
        if not isinstance(reading, readings.Answer) or reading.value is not False:
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
                           yes=lambda: self._chosen(codes, frequencies), no=self._rejected)

    def _chosen(self, codes: tuple[str, ...], frequencies: dict[str, str]) -> None:
        self.chosen, self.frequencies = codes, dict(frequencies)
        self._fire("confirmed")
        self.emit(Answer(QUESTION, None, list(codes), frequencies=dict(frequencies)))
        texts = self.library.choice
        self.emit(Say("notice", texts.chosen if codes else texts.chosen_none))

    def _rejected(self) -> None:
        self._fire("rejected")
        self._ask()

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

    def _fire(self, trigger: str) -> None:
        fired: bool = self.machine.events[trigger].trigger(self)
        assert fired, f"no transition for {trigger} from {self.state}"
