"""Turning a Dutch utterance into an answer or a command. The same parser serves text and voice.

Nothing is guessed: an utterance either matches the vocabulary of the protocol data exactly
(after normalisation and without filler words) or it is not understood.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

from assistant.dialog.numbers import parse_amount
from assistant.protocol.findings import MAX_WEEKS, Value
from assistant.protocol.model import AnswerType, Question, Vocabulary
from assistant.text import normalise

DAYS_PER_WEEK: Final = 7.0
# Words that do not change a duration ('al drie weken', 'ongeveer een maand').
_DURATION_NEUTRAL: Final = frozenset(
    {"al", "ongeveer", "zo", "zon", "circa", "sinds", "nu", "pas", "inmiddels", "ook", "maar",
     "zowat", "rond", "geleden", "n"}
)
# 'meer dan zes weken' is more than six weeks: one day more, so the six-week rule decides right.
_MORE: Final = (("meer", "dan"), ("langer", "dan"), ("ruim",))
_LESS: Final = (("minder", "dan"), ("korter", "dan"), ("bijna",), ("nog", "geen"))
_GLUED_UNIT = re.compile(r"(\d)([a-z])")


@dataclass(frozen=True)
class Command:
    """A global command: repeat, back, help, pause, resume or stop."""

    name: str


@dataclass(frozen=True)
class Answer:
    """An answer to the current question, in the finding's type."""

    value: Value


Intent = Command | Answer


def clean(text: str, vocab: Vocabulary) -> str:
    """Normalised text without filler words."""
    return " ".join(w for w in normalise(text).split() if w not in vocab.fillers)


def parse_command(text: str, vocab: Vocabulary) -> Command | None:
    phrase = clean(text, vocab)
    for name, phrases in vocab.commands:
        if phrase in phrases:
            return Command(name)
    return None


def parse_yes_no(text: str, vocab: Vocabulary) -> bool | None:
    phrase = clean(text, vocab)
    if phrase in vocab.yes:
        return True
    if phrase in vocab.no:
        return False
    return None


def is_doubt(text: str, vocab: Vocabulary) -> bool:
    """'weet ik niet', 'niet getest', 'misschien': doubt, never a "nee"."""
    return clean(text, vocab) in vocab.doubt


def parse_choice(text: str, question: Question, vocab: Vocabulary) -> str | None:
    phrase = clean(text, vocab)
    for value, phrases in question.choices:
        if phrase in phrases:
            return value
    return None


def _strip_modifier(tokens: list[str]) -> tuple[list[str], float]:
    """Remove a leading 'meer dan' / 'bijna' and say how many days it shifts the value."""
    for words, shift in ((w, 1.0) for w in _MORE):
        if tuple(tokens[: len(words)]) == words:
            return tokens[len(words) :], shift
    for words, shift in ((w, -1.0) for w in _LESS):
        if tuple(tokens[: len(words)]) == words:
            return tokens[len(words) :], shift
    return tokens, 0.0


def _singular_unit(token: str, unit_days: dict[str, float]) -> bool:
    """'week', 'maand', 'halfjaar' mean one of them; plurals ('weken', 'weekjes') say no amount."""
    return token in unit_days and not token.endswith(("en", "s"))


def _in_weeks(amount: float, unit_days: float) -> float:
    """Exact for amounts in weeks (no round trip through days), so 6 weeks is never 6.0000001."""
    return amount if unit_days == DAYS_PER_WEEK else amount * unit_days / DAYS_PER_WEEK


_YEARS: Final = range(1900, 2101)  # a bare number here is a calendar year


def parse_duration(text: str, question: Question, vocab: Vocabulary) -> float | None:
    """A duration in weeks, unrounded: '3', 'drie weken', 'anderhalve maand', 'tien dagen'."""
    phrase = clean(text, vocab)
    if question.allow_none and phrase in vocab.none_duration:
        return 0.0
    unit_days = dict(vocab.units)
    default_days = unit_days[normalise(question.unit or "weken")]
    words = _GLUED_UNIT.sub(r"\1 \2", phrase).split()
    if words[-2:] == ["of", "zo"]:  # 'drie weken of zo': about three weeks
        words = words[:-2]
    tokens = [t for t in words if t not in _DURATION_NEUTRAL]
    tokens, shift_days = _strip_modifier(tokens)
    if len(tokens) >= 4 and tokens[0] == "een" and tokens[1] in unit_days and tokens[2] == "of":
        tokens = [*tokens[3:], tokens[1]]  # 'een week of drie' = about three weeks
    weeks, i, parts = 0.0, 0, 0
    last_days = math.inf  # the unit of the part before: a compound goes down (maand, week, dag)
    while i < len(tokens):
        if parts and tokens[i] == "en":
            i += 1
        amount = parse_amount(tokens, i)
        if amount is None and i < len(tokens) and _singular_unit(tokens[i], unit_days):
            amount = (1.0, i)  # 'nog geen week', 'maand': one of the unit
        if amount is None:
            return None
        value, i = amount
        if i < len(tokens) and tokens[i] in unit_days:
            days = unit_days[tokens[i]]
            if days >= last_days:  # 'vijf weken, drie weken', 'drie weken, twee maanden': a
                return None  # correction or a repeat, never a sum: asked again
            last_days = days
            weeks += _in_weeks(value, days)
            i += 1
        elif i == len(tokens) and parts == 0:
            if _YEARS.start <= value < _YEARS.stop:  # 'sinds 2019': a year, not weeks
                return None
            weeks += _in_weeks(value, default_days)  # a bare number: the question's unit
        else:
            return None
        parts += 1
    if parts == 0:
        return None
    if shift_days:
        weeks += shift_days / DAYS_PER_WEEK
        if weeks <= 0:  # 'bijna nul weken', 'minder dan een dag'
            return None
    return weeks if weeks <= MAX_WEEKS else None  # over fifty years: asked again


def parse_answer(text: str, question: Question, vocab: Vocabulary) -> Answer | None:
    """The answer to `question` in `text`, or None when it is not understood."""
    value: Value | None
    match question.type:
        case AnswerType.YES_NO:
            value = parse_yes_no(text, vocab)
        case AnswerType.CHOICE:
            value = parse_choice(text, question, vocab)
        case AnswerType.DURATION:
            value = parse_duration(text, question, vocab)
    return None if value is None else Answer(value)


def interpret(text: str, question: Question, vocab: Vocabulary) -> Intent | None:
    """A command, else an answer to `question`, else None (not understood)."""
    return parse_command(text, vocab) or parse_answer(text, question, vocab)
