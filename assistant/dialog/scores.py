"""What was said, read as a score of the NPRS or the PSK: a whole number from 0 to 10 ('zes',
'een zes', 'zes op tien', '6/10'), told apart from ranges, fractions, counts of something
else, times and doubt."""

from __future__ import annotations

import re
from typing import Final

from assistant.dialog import numbers, readings
from assistant.dialog.calendar_answers import NEUTRAL as CALENDAR_NEUTRAL
from assistant.dialog.calendar_answers import VOCABULARY as CALENDAR_WORDS
from assistant.dialog.words import clean, contains
from assistant.protocol.model import Vocabulary

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


def _is_number(word: str) -> bool:
    return numbers.word_value(word) is not None or word in ("half", "halve")


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
        if numbers.parse_amount(words, i) is None:
            continue
        following = words[i + 1] if i + 1 < len(words) else ""
        if word == "een" and numbers.word_value(following) is not None \
                and following not in numbers.MULTIPLIERS:
            continue  # 'een zes': an article; not 'een honderd'
        return i
    return None


def _not_a_count(word: str, vocab: Vocabulary) -> bool:
    """A word that makes a number beside it something else than a score ('weken', 'uur')."""
    return word in _COUNTS or word in _DATES or numbers.is_ordinal(word) \
        or word in numbers.FRACTION_WORDS or word in numbers.MULTIPLIERS \
        or word in dict(vocab.units + vocab.typed_units)


_SIGNED = re.compile(r"(?<![\d\w])[-−<>≤≥]\s*\d|\d\s*\+")
_NEGATIVE = re.compile(r"(?<![\d\w])[-−]\s*\d")


def read_score(text: str, vocab: Vocabulary) -> readings.Understood | readings.Doubt \
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
    if numbers.MARKED_NUMBER.search(text):  # '6%', '6"', "2'": the sign says what it counts
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
        fraction = numbers.FRACTION_WORDS.intersection(words)
        return readings.Unclear("whole_number") if fraction else None
    amount = numbers.parse_amount(words, start)
    assert amount is not None  # _score_at found it
    value, end = amount
    lead = words[:start]
    if _THOUSANDS.fullmatch(words[start]) or numbers.MULTIPLIERS.intersection(words[end : end + 1]):
        return readings.Unclear("out_of_range")  # '1.000', '2 miljoen', 'zes honderd'
    if words[start].count(".") or not value.is_integer() \
            or numbers.FRACTION_WORDS.intersection(words[end : end + 3]):
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
        return readings.Understood(value, given, read_back=True)
    return readings.Understood(value, _note(text, vocab, end) if rest else "")


def parse_score(text: str, vocab: Vocabulary) -> int | None:
    """A whole score 0–10: '6', 'zes', 'een zes', 'zes op tien', also with an explanation
    after it ('zes, vooral 's avonds'); None when it is not one (read_score says why). A score
    read_score marks to be read back ('ongeveer zeven') counts here: the dialog reads it
    back."""
    reading = read_score(text, vocab)
    if not isinstance(reading, readings.Understood) or not isinstance(reading.value, float) \
            or not 0 <= reading.value <= SCALE[-1]:
        return None
    return int(reading.value)
