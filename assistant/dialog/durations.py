"""Durations as therapists say them: one amount per answer, never a sum of a correction.

'drie weken', '3 wk', 'anderhalve maand', 'een week en twee dagen' (a compound going down in
unit), 'al tien weken, sinds het ongeluk' (the words beside the amount are the note),
'vijf weken, eh, drie weken' (a correction: the last amount, read back), 'sinds september'
(worked out from the consultation date, read back), 'meer dan zes weken' (a day more, read
back). Asked again: a repeat or two amounts without a correcting word ('drie weken, twee
maanden'), a range ('twee à drie weken'), a bare year ('2019'), over fifty years.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Final

from assistant.dialog.calendar_answers import NEUTRAL as CALENDAR_NEUTRAL
from assistant.dialog.calendar_answers import VOCABULARY as CALENDAR_WORDS
from assistant.dialog.calendar_answers import start_date
from assistant.dialog.numbers import HALF_WORDS, MARKED_NUMBER, parse_amount
from assistant.dialog.readings import Unclear, Understood
from assistant.dialog.words import at, clean, longest_prefix, normal
from assistant.protocol.findings import MAX_WEEKS
from assistant.protocol.model import Question, Vocabulary
from assistant.text import MONTHS

DAYS_PER_WEEK: Final = 7.0
# Words that do not change a duration ('al drie weken', 'ongeveer een maand').
_NEUTRAL: Final = frozenset(
    {"al", "ongeveer", "zo", "zon", "circa", "sinds", "nu", "pas", "inmiddels", "ook", "maar",
     "zowat", "rond", "geleden", "n", "ofzo"}
)
# 'meer dan zes weken' is more than six weeks: one day more, so the six-week rule decides right.
_MODIFIERS: Final = (
    *((w, 1.0) for w in (("meer", "dan"), ("langer", "dan"), ("ruim",))),
    *((w, -1.0) for w in (("minder", "dan"), ("korter", "dan"), ("bijna",), ("nog", "geen"),
                          ("krap",))),
    # a bound, not a shift: the amount itself, read back ('hooguit zes weken')
    *((w, 0.0) for w in (("hooguit",), ("maximaal",), ("minstens",), ("minimaal",),
                         ("ten", "minste"), ("op", "zijn", "minst"), ("op", "zn", "minst"))),
)
# Words that take back what came before (a filler does too): what follows counts, read back.
CORRECTIONS: Final = (("ik", "bedoel"), ("of", "nee"), ("nee",), ("neen",), ("sorry",),
                       ("correctie",), ("pardon",), ("nou", "ja"))
# Between two amounts these make a range: 'twee à drie weken', 'tussen vijf en zeven weken'.
_RANGE: Final = frozenset({"à", "á", "a", "tot", "of"})
# Words that change what an amount means: a frequency ('elke twee weken'), a negation.
_BLOCKING: Final = frozenset({"niet", "geen", "elke", "iedere", "ieder", "per", "om", "x",
                              "maal", "over", "volgende", "volgend"})  # 'over een week'
# '>6 weken', '6+ weken', '≤ 2 weken': the signs said as words, before they are stripped.
_SIGNS: Final = ((re.compile(r"[>≥]\s*(?=\d)"), " meer dan "),
                 (re.compile(r"[<≤]\s*(?=\d)"), " minder dan "),
                 (re.compile(r"(\d+(?:[.,]\d+)?)\s*\+"), r" meer dan \1 "))
# Calendar words ('vorig jaar', 'maart') beside an amount: a date that was not worked out.
_DATES: Final = CALENDAR_WORDS - CALENDAR_NEUTRAL - {"en", "half", "week", "maand", "jaar"}
# Units that mean one of them without an amount ('nog geen week', 'een maandje').
_SINGULAR: Final = frozenset({"dag", "week", "weekje", "maand", "maandje", "jaar", "halfjaar",
                              "wk", "mnd", "jr", "uur", "minuut", "kwartier"})
_SINCE: Final = frozenset({"sinds", "vanaf"})  # before a bare number: a year ('sinds '19')
FIRST_YEAR: Final = 1000  # a bare number from here on is a year ('2019', '1899'), never weeks
_GLUED_UNIT = re.compile(r"(\d)([a-z])")
_NUMERIC_DATE = re.compile(r"(?<![\d.,/-])(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}))?(?![\d/-])"
                           r"|(?<=sinds )(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?(?![\d.])")
_THOUSANDS = re.compile(r"(?<![\d.,])[1-9]\d{0,2}(?:\.\d{3})+(?![\d.,])")  # '1.000': 1000


@dataclass(frozen=True)
class _Amount:
    value: float
    days: float | None  # None: no unit said (the question's own unit)
    start: int  # index of its first item


@dataclass(frozen=True)
class _Scan:
    amounts: list[_Amount]
    items: list[str]  # 'amount', 'and', 'fix', 'range', 'between', 'mod', 'free', in order
    shift: float  # days of the one modifier ('meer dan': +1)
    bound: bool  # a modifier was said ('hooguit', 'meer dan'): the value is read back
    free: bool  # words beside the amount (kept as the note)


def _scan(words: list[str], unit_days: dict[str, float], fillers: frozenset[str]) -> _Scan | None:
    """Classify the words; None when one changes what the amounts mean."""
    amounts: list[_Amount] = []
    items: list[str] = []
    shift, bound, free, i = 0.0, False, False, 0
    while i < len(words):
        word = words[i]
        fix = next((p for p in CORRECTIONS if at(words, i, p)), None)
        modifier = next(((p, s) for p, s in _MODIFIERS if at(words, i, p)), None)
        if word in fillers or fix is not None:
            items.append("fix")
            i += len(fix) if fix else 1
        elif modifier is not None:
            if bound or amounts:  # one modifier, before the amount
                return None
            shift, bound = modifier[1], True
            items.append("mod")
            i += len(modifier[0])
        elif word in _BLOCKING or word in _DATES:
            return None
        elif word == "en":
            items.append("and")
            i += 1
        elif word in _RANGE or word == "tussen":
            items.append("range" if word in _RANGE else "between")
            i += 1
        elif word in _NEUTRAL:
            i += 1
        elif word in unit_days:
            if word not in _SINGULAR or free:  # 'weken drie', 'de hele dag': no amount
                return None
            amounts.append(_Amount(1.0, unit_days[word], len(items)))
            items.append("amount")
            i += 1
        else:
            amount = parse_amount(words, i)
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if amount is not None and word == "een" and not (
                    nxt in unit_days or nxt in HALF_WORDS or nxt in _RANGE or nxt == "en"):
                amount = None  # 'een' as an article: 'sinds een ongeluk'
            if amount is None:
                free = True
                items.append("free")
                i += 1
                continue
            value, i = amount
            days = None
            if i < len(words) and words[i] in unit_days:
                days = unit_days[words[i]]
                i += 1
            amounts.append(_Amount(value, days, len(items)))
            items.append("amount")
    return _Scan(amounts, items, shift, bound, free)


def _date_in_words(match: re.Match[str]) -> str:
    """'16/11' → '16 november', '3-9-2025' → '3 september 2025' (a day and a month); '2-3
    weken' stays a range (a dash without a year, with words after it)."""
    day, month, year = match[1] or match[4], int(match[2] or match[5]), match[3] or match[6] or ""
    dash_range = "-" in match[0] and not year and match.string[match.end() :].strip()
    if not 1 <= month <= len(MONTHS) or dash_range:
        return match[0]
    return f"{day} {MONTHS[month - 1]} {year}".strip()


def _plain_words(spelled: str, clause: str, unit_days: dict[str, float]) -> bool:
    """The words after the date's clause carry no amount, unit or date of their own."""
    rest = normal(spelled[len(clause) :]).split()
    return not any(parse_amount(rest, i) or w in unit_days or w in _DATES
                   for i, w in enumerate(rest))


_PARTLY: Final = frozenset({"wel", "minder", "aangepast", "aangepaste", "halve", "halftijds",
                            "deels", "gedeeltelijk", "uren", "behalve", "alleen", "maar"})


def _none_with_note(text: str, plain: list[str], vocab: Vocabulary,
                    unit_days: dict[str, float]) -> Understood | None:
    """'geen', 'nvt', 'n', also with an explanation ('geen, werkt gewoon'): 0 with its note;
    Understood(-1) when an amount or unit follows ('nee, werkt halve dagen': asked again)."""
    words = ["nee"] if plain == ["n"] else plain  # 'n' alone; not 'n v t' ('n.v.t.')
    taken = longest_prefix(words, vocab.none_duration)
    if not taken:
        return None
    rest = words[taken:]
    if any(parse_amount(rest, i) or w in unit_days or w in _PARTLY for i, w in enumerate(rest)):
        return Understood(-1.0)  # 'nee, wel minder uren': working less is what is asked
    # 'geen, werkt gewoon' → 'werkt gewoon'; 'niet ziekgemeld' is kept whole, never 'ziekgemeld'
    note = (text.split(",", 1)[1] if "," in text else text) if rest else ""
    return Understood(0.0, note.strip())


def _compound(amounts: list[_Amount], items: list[str]) -> bool:
    """Amounts that add up: each with a unit smaller than the one before, joined by nothing
    or 'en' ('een week en twee dagen', 'twee maanden drie weken')."""
    for before, after in pairwise(amounts):
        if before.days is None or after.days is None or after.days >= before.days:
            return False
        if after.value * after.days >= before.days:  # 'een week, zeven dagen': a repeat
            return False
        if any(item != "and" for item in items[before.start + 1 : after.start]):
            return False
    return True


def _in_weeks(amount: float, days: float) -> float:
    """Exact for amounts in weeks (no round trip through days), so 6 weeks is never 6.0000001."""
    return amount if days == DAYS_PER_WEEK else amount * days / DAYS_PER_WEEK


_SIGNED: Final = re.compile(r"(?:^|\s)[-−–—－﹣⁻+]\s*\d")  # '-3 weken', '−2 weken'
_TODAY_WORDS: Final = frozenset({"vandaag", "vanochtend", "vanmorgen", "vanmiddag", "vanavond",
                                 "vannacht", "zojuist", "daarnet", "zonet"})


def correction_at(words: Sequence[str], i: int,
                  fillers: frozenset[str]) -> tuple[str, ...] | None:
    """The correcting words standing at `words[i]` ('nee', 'ik bedoel', 'sorry', or a filler
    such as 'eh'), or None."""
    return next((p for p in CORRECTIONS if at(words, i, p)),
                (words[i],) if words[i] in fillers else None)


def _just_now_after_a_correction(words: list[str], vocab: Vocabulary) -> bool | None:
    """Whether a duration said with a word for today in it is a correction to it: True
    ('13 weken, eh nee, vandaag'), False (a word for today beside an amount, not a correction:
    asked again), None (no word for today; read as usual)."""
    for i in range(len(words) - 1, 0, -1):
        fix = correction_at(words, i, vocab.fillers)
        if fix is None:
            continue
        after = [w for w in words[i + len(fix):] if w not in vocab.fillers and w not in _NEUTRAL]
        if " ".join(after) in vocab.just_now:
            return True
    return False if _TODAY_WORDS.intersection(words) else None


def read_duration(text: str, question: Question, vocab: Vocabulary,
                  today: date) -> Understood | Unclear | None:
    """A duration in weeks (unrounded) as an Understood; Unclear when it must be asked again with a
    reason; None when it is not understood. `today`: the consultation date (for 'sinds …').
    A number with a quote mark or another sign after it ('1"', "2'", '5’', '6%') is none:
    the sign is no unit of time."""
    if MARKED_NUMBER.search(text) or _SIGNED.search(text):
        return None  # '1"', '-3 weken': no duration
    spelled = _NUMERIC_DATE.sub(_date_in_words, _THOUSANDS.sub(lambda m: m[0].replace(".", ""),
                                                                text))
    for sign, words_for_it in _SIGNS:
        spelled = sign.sub(words_for_it, spelled)
    words = _GLUED_UNIT.sub(r"\1 \2", normal(spelled)).split()
    plain = [w for w in words if w not in vocab.fillers]
    if not plain:
        return None
    unit_days = dict(vocab.units + vocab.typed_units)
    if " ".join(w for w in plain if w not in _NEUTRAL) in vocab.just_now:
        return Understood(0.0, text.strip(" .,;:!?"))  # 'vandaag', 'net', 'een paar uur geleden'
    just_now = _just_now_after_a_correction(words, vocab)
    if just_now is not None:  # '13 weken, eh nee, vandaag': the correction counts, read back
        return Understood(0.0, text.strip(), read_back=True) if just_now else Unclear("two_amounts")
    if question.allow_none:
        none = _none_with_note(text, plain, vocab, unit_days)
        if none is not None:
            return none if none.value == 0.0 else None
    while words[-1] in vocab.fillers:
        words.pop()
    if words[-2:] == ["of", "zo"]:  # 'drie weken of zo': about three weeks
        words = words[:-2]
    for i in range(len(words) - 3):  # 'een week of drie' = about three weeks
        if words[i] == "een" and words[i + 1] in unit_days and words[i + 2] == "of":
            words = [*words[:i], words[i + 3], words[i + 1], *words[i + 4 :]]
            break
    # 'sinds september', also with an explanation after a comma ('…, na de verhuizing')
    clause = spelled.split(",", 1)[0]
    for said in (" ".join(plain), clean(clause, vocab)):
        since = start_date(said, today)
        if since is not None and (said == " ".join(plain) or _plain_words(spelled, clause,
                                                                          unit_days)):
            weeks = (today - since).days / DAYS_PER_WEEK
            if weeks > MAX_WEEKS:
                return Unclear("implausible")
            return Understood(weeks, text.strip(), read_back=True, since=since)
    scan = _scan(words, unit_days, vocab.fillers)
    if scan is None or not scan.amounts:
        return None
    amounts, items = scan.amounts, scan.items
    first = amounts[0]
    joins = [k for k, item in enumerate(items) if item in ("and", "range")]
    if any(k < first.start or k > amounts[-1].start for k in joins):
        return None  # 'drie weken en', 'een week of': said half
    if len(amounts) == 1 and first.days is None and (
            first.value >= FIRST_YEAR or _SINCE.intersection(words)):
        return Unclear("year")  # 'sinds 2019' is worked out above; '2019', 'sinds 19' are not
    fixes = [k for k, item in enumerate(items) if item == "fix" and k > first.start]
    last_fix = max((k for k in fixes if any(a.start > k for a in amounts)), default=None)
    corrected = last_fix is not None
    if last_fix is not None:  # 'vijf weken, eh, drie weken': the amounts after the correction
        before = [a for a in amounts if a.start < last_fix]
        amounts = [a for a in amounts if a.start > last_fix]
        if amounts[0].days is None:  # 'drie weken, nee, vier': in the unit said before
            amounts[0] = _Amount(amounts[0].value, before[-1].days, amounts[0].start)
    if len(amounts) > 1 and ("range" in items[: amounts[-1].start] or "between" in items):
        return Unclear("range")
    if len(amounts) > 1 and amounts[0].days is None and amounts[1].days is not None \
            and amounts[1].start == amounts[0].start + 1:
        return Unclear("range")  # '2-3 weken', 'twee drie weken'
    if not _compound(amounts, items):
        return Unclear("two_amounts")
    if amounts[0].days is None and (scan.free or len(amounts) > 1 or 0 < amounts[0].value < 1):
        return None  # a bare number among words ('twee keer') or 'half': what does it count?
    default = unit_days[normal(question.unit or "weken")]
    weeks = float(sum(_in_weeks(a.value, a.days or default) for a in amounts))
    if scan.shift:
        weeks += scan.shift / DAYS_PER_WEEK
        if weeks <= 0:  # 'bijna nul weken', 'minder dan een dag'
            return None
    if weeks > MAX_WEEKS:
        return Unclear("implausible")
    inferred = corrected or scan.bound
    note = text.strip() if inferred or scan.free else ""
    return Understood(weeks, note, read_back=inferred)
