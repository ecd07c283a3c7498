"""Dutch numbers as people say them: digits, number words, halves ('anderhalve', 'drieënhalf')."""

from __future__ import annotations

import math
import re
from typing import Final

UNITS: Final = {
    "nul": 0, "een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
    "acht": 8, "negen": 9,
}
TEENS: Final = {
    "tien": 10, "elf": 11, "twaalf": 12, "dertien": 13, "veertien": 14, "vijftien": 15,
    "zestien": 16, "zeventien": 17, "achttien": 18, "negentien": 19,
}
TENS: Final = {
    "twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60, "zeventig": 70,
    "tachtig": 80, "negentig": 90,
}
HALF_WORDS: Final = frozenset({"half", "halve"})
ONE_AND_A_HALF: Final = frozenset({"anderhalf", "anderhalve"})
_DIGITS = re.compile(r"^\d+(\.\d+)?$")
# A number with a sign that makes it something else than a count: inches or seconds (1", 3'',
# 4”), feet or minutes (2', 5’, 6 ′), percent, degrees, money. Normalising drops these signs,
# so they are looked for in the text as given; "'s avonds" after a number and a space, and a
# year as '25, are no such sign.
MARKED_NUMBER: Final = re.compile(
    r"\d\s*[\"”“″‶〃%‰°]|\d['’‘′`´]|\d\s+['’‘′`´](?![^\W\d_])|[€$£]\s*\d")
_GLUED_HALF = re.compile(r"(\w+?(?:ën|en))een(half|halve)")
# Parts of a whole ('drie kwart', 'twee derde', 'vijf achtste', 'drie en een kwart') and the
# decimal comma said as a word ('zes komma vijf'): no whole number.
FRACTION_WORDS: Final = frozenset({
    "kwart", "kwarten", "helft", "derde", "derden", "vierde", "vierden", "vijfde", "vijfden",
    "zesde", "zesden", "zevende", "zevenden", "achtste", "achtsten", "negende", "negenden",
    "tiende", "tienden", "twaalfde", "twaalfden", "honderdste", "honderdsten", "duizendste",
    "komma",
})
# Words that multiply the number before them ('2 miljoen', '3 dozijn', 'zes honderd').
MULTIPLIERS: Final = frozenset({
    "honderd", "honderden", "duizend", "duizenden", "miljoen", "miljoenen", "miljard",
    "miljarden", "biljoen", "dozijn", "dozijnen", "tiental", "tientallen", "k", "mln", "mld",
})
_ORDINAL_DIGITS = re.compile(r"\d+(?:e|de|ste)")  # '1e', '2de', '1ste'
_IRREGULAR_ORDINALS: Final = frozenset({"eerste", "derde", "achtste"})


def _joiners(unit: str) -> tuple[str, ...]:
    """'twee' + 'ën' (trema after an e), with the plain spelling people also type."""
    return ("ën", "en") if unit.endswith("e") else ("en",)


def _build_words() -> dict[str, float]:
    words: dict[str, float] = {**UNITS, **TEENS, **TENS, "honderd": 100, "eenhonderd": 100}
    for unit, u in UNITS.items():
        if u == 0:
            continue
        for joiner in _joiners(unit):
            for tens, t in TENS.items():
                words[f"{unit}{joiner}{tens}"] = t + u
    for word, value in list(words.items()):
        if 1 <= value <= 20:
            for joiner in ("ën", "en") if word.endswith("e") else ("en",):
                for half in HALF_WORDS:
                    words[f"{word}{joiner}{half}"] = value + 0.5
    for word in ONE_AND_A_HALF:
        words[word] = 1.5
    return words


NUMBER_WORDS: Final = _build_words()


def word_value(token: str) -> float | None:
    """The value of one token, always a float: a digit string or a single Dutch number word
    ('zesenhalf', and as typed also 'zeseneenhalf'). A digit string too long for a float (309
    digits and more) is no number anybody means: None, never inf."""
    if _DIGITS.match(token):
        value = float(token)
        return value if math.isfinite(value) else None
    word = NUMBER_WORDS.get(token)
    if word is None:
        glued = _GLUED_HALF.fullmatch(token)  # 'zeseneenhalf': not a grammar word, only typed
        word = NUMBER_WORDS.get(glued[1] + glued[2]) if glued else None
    return None if word is None else float(word)


def is_ordinal(token: str) -> bool:
    """'1e', '2de', 'eerste', 'tweede', 'achtste', 'twintigste': a place in a row, no count."""
    if _ORDINAL_DIGITS.fullmatch(token) or token in _IRREGULAR_ORDINALS:
        return True
    for ending in ("ste", "de"):
        stem = token.removesuffix(ending)
        if stem != token and float(NUMBER_WORDS.get(stem, 0.5)).is_integer():
            return True
    return False


def parse_amount(tokens: list[str], i: int) -> tuple[float, int] | None:
    """Read an amount starting at tokens[i]; return (value, index after it) or None.

    Handles 'drie', '22', 'twee en twintig', 'een half', 'drie en een halve', 'anderhalve'.
    """
    if i >= len(tokens):
        return None
    token = tokens[i]
    if token in HALF_WORDS:
        return 0.5, i + 1
    if token == "een" and i + 1 < len(tokens) and tokens[i + 1] in HALF_WORDS:
        return 0.5, i + 2
    value = word_value(token)
    if value is None:
        return None
    i += 1
    # 'twee en twintig' as separate words (as a recogniser may write it)
    if (value in UNITS.values() and 1 <= value <= 9 and i + 1 < len(tokens)
            and tokens[i] == "en" and tokens[i + 1] in TENS):
        return value + TENS[tokens[i + 1]], i + 2
    # 'drie en een half', 'drie en een halve', 'drie en half'
    if i < len(tokens) and tokens[i] == "en":
        rest = tokens[i + 1 : i + 3]
        if rest[:2] == ["een", "half"] or rest[:2] == ["een", "halve"]:
            return value + 0.5, i + 3
        if rest[:1] and rest[0] in HALF_WORDS:
            return value + 0.5, i + 2
    return value, i
