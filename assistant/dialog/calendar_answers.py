"""Calendar answers to "how long already?": 'sinds september', 'vorige week maandag', ...

A therapist may answer "Hoe lang heeft de patiënt al nekpijn?" with the day the complaint
began instead of a count. :func:`start_date` works that day out from the consultation date;
the caller reads it back for confirmation, and asks again when the answer is None. It never
guesses: a phrase that is not wholly a calendar expression, or that could mean two different
days, gives None.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Final, NamedTuple

from assistant.dialog.numbers import parse_amount
from assistant.text import MONTHS


class _Tok(NamedTuple):
    """One calendar word: its kind and its value(s), e.g. ('month', 9) or ('season', 6, 21)."""

    kind: str
    value: int = 0
    extra: int = 0


INTRODUCERS: Final = frozenset({"sinds", "vanaf", "in"})  # make a bare year a start: 'sinds 2019'
NEUTRAL: Final = INTRODUCERS | {"al", "ongeveer", "rond", "ergens", "zo", "ofzo", "de", "het",
                                "van", "afgelopen", "deze", "dit"}
DAY_IN_MONTH: Final = {"begin": 1, "half": 15, "midden": 15, "eind": 24}
DAYS_AGO: Final = {"gisteren": 1, "eergisteren": 2, "gisteravond": 1, "gistermiddag": 1,
                   "gisterochtend": 1, "gistermorgen": 1, "gisternacht": 1}
WEEKDAYS: Final = {name: i for i, name in enumerate(
    ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"))}
MONTH_WORDS: Final = {**{name: i for i, name in enumerate(MONTHS, 1)},
                      "jan": 1, "feb": 2, "mrt": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
                      "sep": 9, "sept": 9, "okt": 10, "nov": 11, "dec": 12}
SEASONS: Final = {"lente": (3, 20), "voorjaar": (3, 20), "zomer": (6, 21), "herfst": (9, 22),
                  "najaar": (9, 22), "winter": (12, 21)}  # astronomical starts
HOLIDAYS: Final = {"kerst": (12, 25), "kerstmis": (12, 25), "nieuwjaar": (1, 1)}

_WORDS: Final = {
    **{word: _Tok("neutral") for word in NEUTRAL},
    **{word: _Tok("mod", day) for word, day in DAY_IN_MONTH.items()},
    **{word: _Tok("days_ago", n) for word, n in DAYS_AGO.items()},
    **{word: _Tok("weekday", n) for word, n in WEEKDAYS.items()},
    **{word: _Tok("month", n) for word, n in MONTH_WORDS.items()},
    **{word: _Tok("season", *start) for word, start in SEASONS.items()},
    **{word: _Tok("holiday", *day) for word, day in HOLIDAYS.items()},
}
_PHRASES: Final[dict[tuple[str, ...], _Tok]] = {
    ("vorige", "week"): _Tok("prev_week"),
    ("vorige", "maand"): _Tok("prev_month"),
    ("vorig", "jaar"): _Tok("rel_year", -1),
    ("vorige", "jaar"): _Tok("rel_year", -1),
    ("dit", "jaar"): _Tok("rel_year", 0),
    ("oud", "en", "nieuw"): _Tok("holiday", 1, 1),
    **{("vorige", word): _Tok("season", *start) for word, start in SEASONS.items()},
}
VOCABULARY: Final = frozenset(_WORDS) | {word for phrase in _PHRASES for word in phrase}
_ORDINAL: Final = re.compile(r"^(\d{1,2})(?:e|de|ste)$")  # '3e', '3de', '1ste'
_YEAR: Final = re.compile(r"^(19|[2-9]\d)\d\d$")  # 1900-9999, digits only


def _read(words: list[str], i: int) -> tuple[_Tok, int] | None:
    """The calendar word at words[i] and the index after it; None for any other word."""
    for size in (3, 2):
        phrase = _PHRASES.get(tuple(words[i : i + size]))
        if phrase is not None:
            return phrase, i + size
    word = words[i]
    if word in _WORDS:
        return _WORDS[word], i + 1
    if _YEAR.match(word):
        return _Tok("abs_year", int(word)), i + 1
    ordinal = _ORDINAL.match(word)
    if ordinal:
        return _Tok("number", int(ordinal[1])), i + 1
    amount = parse_amount(words, i)  # '3', 'drie', 'twee en twintig'
    if amount is None or not float(amount[0]).is_integer():  # word values may be ints
        return None
    return _Tok("number", int(amount[0])), amount[1]


def _most_recent(month: int, day: int, today: date) -> date:
    """The most recent `day month` on or before today."""
    this_year = date(today.year, month, day)
    return this_year if this_year <= today else this_year.replace(year=today.year - 1)


def _in_month(rest: list[_Tok], year: _Tok | None, today: date) -> date | None:
    """'september', 'eind september', '3 september', with an optional year."""
    month = rest[-1].value
    day = rest[0].value if len(rest) == 2 else 1
    if year is None:
        in_year = today.year if month <= today.month else today.year - 1
    else:
        in_year = year.value if year.kind == "abs_year" else today.year + year.value
    if not 1 <= day <= 31:
        return None
    try:
        return date(in_year, month, day)
    except ValueError:  # 31 september, 29 februari 2025
        return None


def _resolve(toks: list[_Tok], introduced: bool, today: date) -> date | None:
    year: _Tok | None = None
    if toks and toks[-1].kind in ("rel_year", "abs_year"):
        year = toks.pop()
    elif toks and toks[0].kind == "rel_year":  # 'vorig jaar september', 'vorig jaar zomer'
        year = toks.pop(0)
    kinds = tuple(tok.kind for tok in toks)
    if not toks:  # 'sinds 2019'; not a bare '2019', not 'vorig jaar'
        if year is not None and year.kind == "abs_year" and introduced:
            return date(year.value, 1, 1)
        return None
    if kinds in (("month",), ("mod", "month"), ("number", "month")):
        return _in_month(toks, year, today)
    first = toks[0]
    if kinds == ("season",):
        if year is None:
            return _most_recent(first.value, first.extra, today)
        # 'de zomer van vorig jaar': the start in the previous calendar year; the winter of
        # last year may be the one that began in it or the one that ended in it: ask again.
        if year != _Tok("rel_year", -1) or first.value == 12:
            return None
        return date(today.year - 1, first.value, first.extra)
    if year is not None:
        return None
    if kinds == ("days_ago",):
        return today - timedelta(days=first.value)
    if kinds == ("weekday",):  # strictly before today: on a Monday 'maandag' is 7 days ago
        return today - timedelta(days=(today.weekday() - first.value - 1) % 7 + 1)
    if kinds in (("prev_week", "weekday"), ("weekday", "prev_week")):
        weekday = toks[kinds.index("weekday")].value
        return today - timedelta(days=today.weekday() + 7 - weekday)
    if kinds == ("prev_week",):
        return today - timedelta(days=7)
    if kinds == ("prev_month",):
        return (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    if kinds == ("holiday",):
        return _most_recent(first.value, first.extra, today)
    return None


def start_date(phrase: str, today: date) -> date | None:
    """The first day of the complaint for a calendar answer, or None: ask again.

    `phrase` is normalised (assistant.text.normalise); `today` is the consultation date.
    The whole phrase must be a calendar expression; besides it only the neutral words
    sinds, vanaf, al, ongeveer, rond, ergens, zo, ofzo, in, de, het, van, afgelopen, deze,
    dit may occur. Shapes understood:

    - 'gisteren' (today - 1), 'eergisteren' (today - 2); 'vandaag' and the like: None.
    - 'maandag' ... 'zondag': the most recent such day strictly before today;
      'vorige week maandag' / 'maandag vorige week': that day in the previous ISO week;
      'vorige week': today - 7; 'vorige maand': its 1st; 'vorig jaar' alone: None.
    - a month ('september', 'sept', 'okt', ...): the 1st of the most recent month of that
      name that has begun; 'begin' / 'half' or 'midden' / 'eind' before it: the 1st / 15th /
      24th; a day before it: '3 september', 'drie september', '3e september' (the day must
      exist); a year after it: '2025', 'vorig jaar', 'dit jaar' ('vorig jaar' also before).
    - 'sinds 2019', 'vanaf 2024', 'in 2019': 1 January of that year (1900 on); a bare year
      alone: None.
    - 'de lente' / 'het voorjaar' (20 March), 'de zomer' (21 June), 'de herfst' / 'het najaar'
      (22 September), 'de winter' (21 December): the most recent start on or before today,
      also with 'vorige' / 'afgelopen' / 'deze'; 'de zomer van vorig jaar' / 'vorig jaar
      zomer': the start in the previous calendar year (for the winter ambiguous: None).
    - 'kerst' / 'kerstmis' (25 December), 'oud en nieuw' / 'nieuwjaar' (1 January): the most
      recent on or before today.

    A day that is today or later, or before 1900, gives None, as does anything else
    ('sinds het ongeluk', 'drie weken', 'vorige maandag').
    """
    words = phrase.split()
    toks: list[_Tok] = []
    i = 0
    while i < len(words):
        read = _read(words, i)
        if read is None:
            return None
        tok, i = read
        toks.append(tok)
    introduced = any(word in INTRODUCERS for word in words)
    day = _resolve([tok for tok in toks if tok.kind != "neutral"], introduced, today)
    return day if day is not None and date(1900, 1, 1) <= day < today else None
