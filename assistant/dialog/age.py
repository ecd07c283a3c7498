"""The patient's age as a therapist says it: '47', 'zevenenveertig', '47 jaar', 'zeventig jaar
oud', also with an explanation after it ('47, werkt nog'). Whole years 0-120 (DESIGN.md, version
3 additions: `age_years`); a half, a range or two ages are asked again, never guessed."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from assistant.dialog.numbers import (
    FRACTION_WORDS,
    MARKED_NUMBER,
    MULTIPLIERS,
    is_ordinal,
    parse_amount,
    word_value,
)
from assistant.dialog.readings import Doubt, Unclear, Understood
from assistant.dialog.words import clean
from assistant.protocol.findings import MAX_AGE
from assistant.protocol.model import Vocabulary

_YEARS: Final = frozenset({"jaar", "jaren", "jr"})
_LEAD: Final = frozenset({"de", "patient", "patiënt", "is", "hij", "zij", "ze", "die"})
_OLD: Final = frozenset({"oud"})
_RANGE: Final = frozenset({"a", "à", "tot", "of", "en", "tussen"})
_CLAUSE: Final = (",", ";", ".", ":")
# Not one whole number of years: a sign before it ('-3', '>65', '~50'), after it ('50+'), a
# decimal or thousands mark ('3,5', '1.000'), a quote mark ('47"').
_NOT_WHOLE: Final = re.compile(r"^\s*[-−–—－﹣⁻+<>±~≈]|\d\s*\+|\d[.,]\d")
# Other units than years, a multiplier or a part: '18 maanden', '2 miljoen', 'drie kwart'.
_OTHER: Final = frozenset({"maand", "maanden", "week", "weken", "dag", "dagen", "uur", "uren",
                           "mnd", "wk", "wkn", "d"}) | MULTIPLIERS | FRACTION_WORDS
# A correction or a bound after the age ('64 jaar, eh nee, ouder', '65 plus', 'ruim 60'): the
# age is not one number said once, so it is asked again.
_NOT_ONE: Final = frozenset({"nee", "neen", "sorry", "bedoel", "correctie", "ouder", "jonger",
                             "plus", "plusser", "ruim", "bijna", "minstens", "hooguit",
                             "ongeveer", "rond", "circa", "boven", "onder", "dan"})


def read_age(text: str, vocab: Vocabulary) -> Understood | Doubt | Unclear | None:
    """Whole years 0-120 (the value as a float, the findings' number type), with what was said
    after it as the note; Unclear('age') for a half, a range, two ages or over 120; None when no
    age leads the answer."""
    if _NOT_WHOLE.search(text) or MARKED_NUMBER.search(text) \
            or any(unicodedata.category(c) == "Cf" for c in text):  # a hidden direction mark
        return Unclear("age")
    words = clean(text, vocab).split()
    if _OTHER.intersection(words) or _NOT_ONE.intersection(w for part in words
                                                         for w in part.split("-")) \
            or any(is_ordinal(w) for w in words):
        return Unclear("age")  # an age in months is asked again: the rules need years
    start = 0
    while start < len(words) and words[start] in _LEAD:
        start += 1
    amount = parse_amount(words, start)
    if amount is None:
        return None
    value, i = amount
    if i < len(words) and words[i] in _YEARS:
        i += 1
        if i < len(words) and words[i] in _OLD:
            i += 1
    rest = words[i:]
    if not value.is_integer() or value > MAX_AGE or value < 0:
        return Unclear("age")
    # 'vijftig of zestig', 'tussen 40 en 50', '47 48': two ages, not one
    if any(word_value(w) is not None for w in rest) or (rest[:1] and rest[0] in _RANGE):
        return Unclear("age")
    return Understood(value, _note(text, rest))


def _note(text: str, rest: list[str]) -> str:
    """What followed the age, as it was typed ('47, werkt nog' → 'werkt nog')."""
    if not rest:
        return ""
    for mark in _CLAUSE:
        _, found, tail = text.partition(mark)
        if found and tail.strip():
            return tail.strip(" ,.;:")
    return " ".join(rest)
