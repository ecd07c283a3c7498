"""A follow-up evaluation by dialog: the pain (NPRS), the three PSK activities and, for profile
D, the neurological symptoms; at the baseline, first the names of the three PSK activities
(then each PSK question names its activity). A `transitions` machine declared as a table.

It hears through a Listener and reports typed events (ask, heard, answer, reprompt, say), so
the intake can run it right after the consultation for the baseline measurement, with the same
screen and speech, and `assistant followup` runs it without --nprs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from transitions import Machine

from assistant.dialog import readings
from assistant.dialog.calendar_answers import NEUTRAL as CALENDAR_NEUTRAL
from assistant.dialog.calendar_answers import VOCABULARY as CALENDAR_WORDS
from assistant.dialog.events import Answer, Ask, Confirm, Emit, Say
from assistant.dialog.intents import read_yes_no
from assistant.dialog.loop import Outcome, run_dialog
from assistant.dialog.numbers import (
    FRACTION_WORDS,
    MARKED_NUMBER,
    MULTIPLIERS,
    NUMBER_WORDS,
    is_ordinal,
    parse_amount,
    word_value,
)
from assistant.dialog.turns import Turns
from assistant.dialog.words import clean, contains
from assistant.protocol.dialog_texts import ACTIVITIES, MEASUREMENTS, EvaluationTexts
from assistant.protocol.followup import activity_name
from assistant.protocol.model import Protocol, Vocabulary
from assistant.speech.interfaces import Listener, Utterance
from assistant.text import normalise

DONE: Final = "done"
STOPPED: Final = "stopped"
STATES: Final = (*MEASUREMENTS, DONE, STOPPED)
NEURO_PROFILE: Final = "D"  # 'Afsluiting' of profile D: worsening of the neurological signs
SKIP_ACTIVITIES: Final = frozenset({"overslaan", "sla over", "geen", "geen activiteiten"})


@dataclass(frozen=True)
class Asked:
    """What the table's conditions see: the profile (empty at a baseline: nothing to be worse
    than yet) and whether the activities are named in this dialog."""

    profile: str
    names_activities: bool


def asks_neuro(asked: Asked) -> bool:
    """Profile D's closure looks at 'meer sensorische symptomen of een toenemend verlies van
    motorische controle'; the other profiles do not ask."""
    return asked.profile == NEURO_PROFILE


def names_activities(asked: Asked) -> bool:
    """The activities are asked at the first measurement, when none are named yet."""
    return asked.names_activities


# The evaluation, as a table (first matching row wins; a row without conditions is "otherwise").
TRANSITIONS: Final[list[dict[str, Any]]] = [
    {"trigger": "advance", "source": "activity1", "dest": "activity2"},
    {"trigger": "advance", "source": "activity2", "dest": "activity3"},
    {"trigger": "advance", "source": "activity3", "dest": "nprs"},
    {"trigger": "skip", "source": list(ACTIVITIES), "dest": "nprs"},
    {"trigger": "advance", "source": "nprs", "dest": "psk1"},
    {"trigger": "advance", "source": "psk1", "dest": "psk2"},
    {"trigger": "advance", "source": "psk2", "dest": "psk3"},
    {"trigger": "advance", "source": "psk3", "dest": "neuro", "conditions": [asks_neuro]},
    {"trigger": "advance", "source": "psk3", "dest": DONE},
    {"trigger": "advance", "source": "neuro", "dest": DONE},
    {"trigger": "back", "source": "activity2", "dest": "activity1"},
    {"trigger": "back", "source": "activity3", "dest": "activity2"},
    {"trigger": "back", "source": "nprs", "dest": "activity3", "conditions": [names_activities]},
    {"trigger": "back", "source": "psk1", "dest": "nprs"},
    {"trigger": "back", "source": "psk2", "dest": "psk1"},
    {"trigger": "back", "source": "psk3", "dest": "psk2"},
    {"trigger": "back", "source": "neuro", "dest": "psk3"},
    {"trigger": "stop", "source": list(MEASUREMENTS), "dest": STOPPED},
]

# Words after a score that do not change it: 'zes op tien', 'zes punten', '6/10', 'zes hoor'.
_OUT_OF: Final = (("op", "tien"), ("van", "tien"), ("uit", "tien"), ("op", "10"), ("van", "10"),
                  ("uit", "10"))
_AFTER: Final = frozenset({"punten", "punt", "hoor"})
SCORE_WORDS: Final = ("nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht",
                      "negen", "tien")
SCALE: Final = range(11)  # NPRS and PSK: whole points from 0 to 10
# Between two numbers these make a range: 'twee à drie', '2 of 3', 'vijf tot zes'.
_RANGE: Final = frozenset({"à", "a", "of", "tot"})
# A number with one of these after it counts something else ('6 uur', 'zes keer', 'tien
# minuten', '6 procent', '6 mei'), or with one before it is no score now ('om zes uur', 'na
# zes weken', 'elke zes', 'meer dan zes', 'gisteren een acht'): not a score, asked again.
_COUNTS: Final = frozenset({
    "uur", "uren", "uurtje", "kwartier", "minuut", "minuten", "minuutje", "min", "seconde",
    "seconden", "sec", "nacht", "nachten", "keer", "keren", "maal", "x", "procent", "pct",
    "promille", "graden", "graad", "kilo", "kg", "gram", "pond", "meter", "m", "cm", "mm", "km",
    "kilometer", "euro", "cent", "liter", "ml", "mg", "tabletten", "pillen", "stuks", "per",
    "jarig", "oud", "nummer", "nr", "plaats",
})
_NOT_NOW: Final = frozenset({
    "om", "over", "na", "voor", "tot", "vanaf", "sinds", "elke", "iedere", "ieder", "per",
    "meer", "minder", "dan", "bijna", "ruim", "boven", "onder", "hooguit", "hoogstens",
    "maximaal", "minstens", "minimaal", "niet", "geen", "nooit", "nummer", "nr", "tussen",
    "keer", "maal", "x", "kwart", "half", "halve",
})
# Calendar words beside a score ('gisteren een acht', 'sinds maandag zes', '6 mei').
_DATES: Final = CALENDAR_WORDS - CALENDAR_NEUTRAL - {"en", "in", "de", "het"}
_DASHED = re.compile(r"(\d)\s*[-–]\s*(\d)")  # '2-3': a range
_OUT_OF_TEN = re.compile(r"(\d)\s*/\s*10\b")  # '6/10': six out of ten
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")  # '1.000': a thousand, no fraction
_PUNCTUATION = " ,.;:!?-–—…"
_CLAUSE = re.compile(r"[;:!?…]|[,.](?!\d)")  # clause marks, not a decimal comma ('2,5')


@dataclass(frozen=True)
class Evaluation:
    """What was measured: NPRS, the three PSK scores (10 = impossible), arm symptoms worse."""

    nprs: int
    psk: tuple[int, int, int]
    neuro_worse: bool = False
    psk_activities: tuple[str, ...] = ()  # named in this dialog (a baseline), else ()


def _is_number(word: str) -> bool:
    return word_value(word) is not None or word in ("half", "halve")


def _note(text: str, vocab: Vocabulary, taken: int) -> str:
    """What was said after the first `taken` words of the answer, as it was typed or heard."""
    words, counted = text.split(), 0
    for i, word in enumerate(words):
        if counted >= taken:
            return " ".join(words[i:]).strip(_PUNCTUATION)
        counted += len(clean(word, vocab).split())
    return ""


def _has_range(words: list[str]) -> bool:
    """'twee à drie', '2 of 3', 'tussen twee en drie': two numbers around a range word."""
    for i, word in enumerate(words):
        before, after = words[i - 1 : i], words[i + 1 : i + 2]
        if i and word in _RANGE and _is_number(before[0]) and after and _is_number(after[0]):
            return True
        if word == "tussen" and any(_is_number(w) for w in words[i + 1 :]) \
                and "en" in words[i + 1 :]:
            return True
    return False


def _clause_end(text: str, vocab: Vocabulary, index: int) -> int:
    """Where the clause of word `index` of clean(text) ends: the index of the first word after
    the next comma, full stop or other clause mark (or the number of words)."""
    end = 0
    for clause in _CLAUSE.split(text):
        end += len(clean(clause, vocab).split())
        if end > index:
            return end
    return max(end, index + 1)


def _score_at(words: list[str]) -> int | None:
    """Where the score's number stands: the first number that is no article ('een zes',
    'ik zou zeggen een zes': the 'zes'); None when there is none."""
    for i, word in enumerate(words):
        if parse_amount(words, i) is None:
            continue
        following = words[i + 1] if i + 1 < len(words) else ""
        if word == "een" and word_value(following) is not None and following not in MULTIPLIERS:
            continue  # 'een zes': an article; not 'een honderd'
        return i
    return None


def _not_a_count(word: str, vocab: Vocabulary) -> bool:
    """A word that makes a number beside it something else than a score ('weken', 'uur')."""
    return word in _COUNTS or word in _DATES or is_ordinal(word) or word in FRACTION_WORDS \
        or word in MULTIPLIERS or word in dict(vocab.units + vocab.typed_units)


_SIGNED = re.compile(r"(?<![\d\w])[-−<>≤≥]\s*\d|\d\s*\+")
_NEGATIVE = re.compile(r"(?<![\d\w])[-−]\s*\d")


def read_score(text: str, vocab: Vocabulary) -> readings.Answer | readings.Doubt \
        | readings.Unclear | None:
    """A whole number said as a score: '6', 'zes', 'een zes', 'zes op tien', '6/10'; with what
    was said after it, past a comma or full stop, as the note ('zes, vooral 's avonds'). The
    caller checks the scale (0–10: SCALE).

    A number taken from a longer phrase ('ik zou zeggen een zes', 'de pijn is zo'n zes',
    'ongeveer zeven', 'zes vooral 's avonds') is read back (`read_back`, the whole phrase as
    the note) before it counts. Unclear("whole_number") for a range or a fraction ('twee à
    drie', 'tussen twee en drie', '2,5', 'zeseneenhalf', 'twee en een half', 'drie kwart',
    'twee derde', 'zes komma vijf'); Unclear("out_of_range") for a number multiplied ('2
    miljoen', '3 dozijn', 'zes honderd', '1.000'); Doubt for 'weet ik niet' or a word of doubt
    (also beside a score: 'zes, denk ik'); None when it is no score: an ordinal ('1e',
    'tweede'), a count of something else ('6 uur', 'zes keer', 'zes weken', '6%', '6 mei'),
    a time or bound ('om zes uur', 'meer dan zes'), two numbers, or no number."""
    if _SIGNED.search(text):  # '-1', '>6', '6+': no point of the scale
        return readings.Unclear("out_of_range") if _NEGATIVE.search(text) else None
    if MARKED_NUMBER.search(text):  # '6%', '6"', "2'": the sign says what it counts
        return None
    given = text.strip()
    text = _OUT_OF_TEN.sub(r"\1 op 10", _DASHED.sub(r"\1 tot \2", text))
    words = clean(text, vocab).split()
    phrase = f" {' '.join(words)} "
    doubt = contains(words, vocab.doubt) or bool(vocab.doubt_words.intersection(words))
    if _has_range(phrase.replace(" tot en met ", " tot ").split()):
        return readings.Unclear("whole_number")
    start = _score_at(words)
    if start is None:
        if doubt:
            return readings.Doubt()
        return readings.Unclear("whole_number") if FRACTION_WORDS.intersection(words) else None
    amount = parse_amount(words, start)
    assert amount is not None  # _score_at found it
    value, end = amount
    lead = words[:start]
    if _THOUSANDS.fullmatch(words[start]) or MULTIPLIERS.intersection(words[end : end + 1]):
        return readings.Unclear("out_of_range")  # '1.000', '2 miljoen', 'zes honderd'
    if words[start].count(".") or not value.is_integer() \
            or FRACTION_WORDS.intersection(words[end : end + 3]):
        return readings.Unclear("whole_number")  # '2,5', 'zes en een half', 'drie kwart'
    for suffix in _OUT_OF:
        if tuple(words[end : end + 2]) == suffix:
            end += 2
    while end < len(words) and words[end] in _AFTER:
        end += 1
    rest = words[end:]
    told = words[end : _clause_end(text, vocab, start)]  # on in its clause: 'zes vooral …'
    if any(_is_number(w) for w in rest if w != "een"):
        return None  # 'zes acht': which one?
    if any(_not_a_count(w, vocab) for w in (*lead, *told)) or _NOT_NOW.intersection(lead) \
            or (words[start] == "een" and told):  # 'zes keer', 'om zes uur', 'een beetje'
        return None
    if doubt:
        return readings.Doubt()
    if lead not in ([], ["een"]) or told:  # 'ik zou zeggen een zes', 'zo'n zes'
        return readings.Answer(value, given, read_back=True)
    return readings.Answer(value, _note(text, vocab, end) if rest else "")


def parse_score(text: str, vocab: Vocabulary) -> int | None:
    """A whole score 0–10: '6', 'zes', 'een zes', 'zes op tien', also with an explanation
    after it ('zes, vooral 's avonds'); None when it is not one (read_score says why). A score
    read_score marks to be read back ('ongeveer zeven') counts here: the dialog reads it
    back."""
    reading = read_score(text, vocab)
    if not isinstance(reading, readings.Answer) or not isinstance(reading.value, float) \
            or not 0 <= reading.value <= SCALE[-1]:
        return None
    return int(reading.value)


@dataclass
class EvaluationDialog:
    """One evaluation. Feed it utterances with `hear`; it reports everything through `emit`,
    asking and asking again with the shared turns."""

    profile: str
    vocab: Vocabulary
    texts: EvaluationTexts
    emit: Emit
    baseline: bool = False  # the first measurement: nothing to be worse than yet
    voice: bool = False  # answers are spoken (after the failed tries the keyboard is offered)
    activities: tuple[str, ...] = ()  # the PSK's activities, when already named
    name_activities: bool = False  # ask the activities' names first (when not named yet)
    # How a score taken from a longer phrase is read back ('ik zou zeggen een zes' → 'Dus 6.
    # Klopt dat?'), with {value}; empty: such a score is asked again instead.
    confirm: str = ""
    answers: dict[str, int | bool | str] = field(default_factory=dict)
    state: str = STATES[0]

    def __post_init__(self) -> None:
        first = "activity1" if self._asked.names_activities else "nprs"
        self.machine = Machine(model=self, states=list(STATES), transitions=TRANSITIONS,
                               initial=first, auto_transitions=False)
        self.turns = Turns(self, self.texts.turns, self.vocab, voice=self.voice)

    @property
    def _asked(self) -> Asked:
        """What the table's conditions see; a baseline asks no 'worse' question."""
        return Asked("" if self.baseline else self.profile,
                     self.name_activities and not self.activities)

    def _activities(self) -> tuple[str, ...]:
        named = tuple(str(self.answers[a]) for a in ACTIVITIES if a in self.answers)
        return self.activities or (named if len(named) == len(ACTIVITIES) else ())

    @property
    def outcome(self) -> Outcome:
        if self.state == DONE:
            return "done"
        return "stopped" if self.state == STOPPED else "running"

    def start(self) -> None:
        self._ask()

    def grammar(self) -> list[str]:
        """What can be said now: the answers to this question and the commands."""
        commands = [p for _, phrases in self.vocab.commands for p in phrases]
        if self.state in ACTIVITIES:  # a name is typed: only the commands can be spoken
            return commands
        if self.state == "neuro":
            return sorted(self.vocab.yes | self.vocab.no) + commands
        return [*SCORE_WORDS, *(str(n) for n in range(11)), *commands]

    def hear(self, heard: Utterance | None) -> None:
        """Handle one utterance; None (end of input) counts as stop."""
        self.turns.hear(heard)

    def result(self) -> Evaluation | None:
        if self.state != DONE:
            return None
        psk = (int(self.answers["psk1"]), int(self.answers["psk2"]), int(self.answers["psk3"]))
        return Evaluation(nprs=int(self.answers["nprs"]), psk=psk,
                          neuro_worse=bool(self.answers.get("neuro", False)),
                          psk_activities=() if self.activities else self._activities())

    # --- turns (called by self.turns) ---------------------------------------------------------

    def on_answer(self, heard: Utterance) -> None:
        if self.state in ACTIVITIES:
            self._name_activity(heard)
            return
        reading = (read_yes_no(heard.text, self.vocab) if self.state == "neuro"
                   else read_score(heard.text, self.vocab))
        turns = self.texts.turns
        if isinstance(reading, readings.Doubt):
            self.turns.retry("doubt", "")  # the help, and the question again
        elif isinstance(reading, readings.Unclear):
            self.turns.retry(reading.reason, turns.why(reading.reason))
        elif not isinstance(reading, readings.Answer):
            self.turns.retry("not_understood", turns.not_understood)
        elif isinstance(reading.value, bool):
            self._take(reading.value, reading.note)
        elif isinstance(reading.value, float) and 0 <= reading.value <= SCALE[-1]:
            if reading.read_back:
                self._read_back(int(reading.value), reading.note)
            else:
                self._take(int(reading.value), reading.note)
        else:
            self.turns.retry("out_of_range", self.texts.turns.why("out_of_range"))

    def _read_back(self, score: int, note: str) -> None:
        """A score taken from a longer phrase counts after a "ja"; on "nee" the question comes
        again. The words as given are its note."""
        if not self.confirm:
            self.turns.retry("not_understood", self.texts.turns.not_understood)
            return
        self.turns.confirm(Confirm(self.state, None, score, self.confirm.format(value=score)),
                           yes=lambda: self._take(score, note), no=self._ask)

    def _name_activity(self, heard: Utterance) -> None:
        said = clean(heard.text, self.vocab)
        if said in SKIP_ACTIVITIES:
            self.answers = {k: v for k, v in self.answers.items() if k not in ACTIVITIES}
            self.machine.events["skip"].trigger(self, self._asked)
            self._ask()
            return
        others = {str(self.answers[a]).casefold() for a in ACTIVITIES
                  if a in self.answers and a != self.state}
        typed = " ".join(w for w in heard.text.split() if normalise(w) not in self.vocab.fillers)
        name = activity_name(typed.strip(" ,.;:"))  # 'autorijden, eh, inparkeren': no 'eh'
        score = bool(said) and all(w in NUMBER_WORDS or w.isdigit() for w in said.split())
        if name is None or name.casefold() in others or said in self.vocab.yes | self.vocab.no \
                or score:  # 'zes', said before the question for the score came: no activity
            self.turns.retry("not_understood", self.texts.turns.not_understood)
            return
        self._take(name)

    def _take(self, value: int | bool | str, note: str = "") -> None:
        """Keep the answer to the current question and ask the next one."""
        self.answers[self.state] = value
        self.emit(Answer(self.state, None, value, note))
        self.machine.events["advance"].trigger(self, self._asked)
        if self.outcome == "running":
            self._ask()

    def on_back(self) -> None:
        if "back" not in self.machine.get_triggers(self.state) \
                or not self.machine.events["back"].trigger(self, self._asked):
            self.turns.first_question()
            return
        self.answers.pop(self.state, None)
        self._ask()

    def on_stop(self) -> None:
        self.machine.events["stop"].trigger(self)
        self.emit(Say("stopped", self.texts.stopped))

    def _ask(self) -> None:
        question = self.texts.measurement(self.state)
        text = question.text
        named = self._activities()
        if self.state.startswith("psk") and named:
            text = self.texts.psk_named.format(activity=named[int(self.state[-1]) - 1])
        self.turns.ask(Ask(self.state, None, text), question.help)


def run_evaluation(listener: Listener, emit: Emit, profile: str,
                   protocol: Protocol | None = None, *, baseline: bool = False,
                   voice: bool = False, activities: tuple[str, ...] = (),
                   name_activities: bool = False) -> Evaluation | None:
    """Ask the measurements; the evaluation, or None when it was stopped (or input ended).
    `activities`: the PSK's three activities as named before (each PSK question names its
    own); `name_activities`: when none are named, ask their names first (the baseline)."""
    if protocol is None:
        from assistant.protocol import load_protocol

        protocol = load_protocol()
    dialog = EvaluationDialog(profile=profile, vocab=protocol.vocabulary,
                              texts=protocol.dialog.evaluation, emit=emit, baseline=baseline,
                              voice=voice, activities=activities,
                              name_activities=name_activities,
                              confirm=protocol.dialog.intake.confirm_inferred)
    run_dialog(dialog, listener)
    return dialog.result()
