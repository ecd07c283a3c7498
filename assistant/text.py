"""Normalising Dutch text as people type it and as a recogniser writes it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date

_ACCENTED_ONE = str.maketrans({"é": "e", "è": "e"})
_DECIMAL = re.compile(r"(?<=\d)[.,](?=\d)")
_NOT_WORD = re.compile(r"[^\w\s#]+")


def normalise(text: str) -> str:
    """Lower case, NFC, no punctuation (decimal commas kept as '.'), single spaces."""
    text = unicodedata.normalize("NFC", text).lower().translate(_ACCENTED_ONE)
    text = _DECIMAL.sub("#", text)
    text = _NOT_WORD.sub(" ", text.replace("_", " "))
    return " ".join(text.split()).replace("#", ".")


def printable(text: str) -> str:
    """`text` without control and format characters (ESC, NUL, zero-width), spaces collapsed."""
    kept = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in text)
    return " ".join(kept.split())


def format_number(value: float) -> str:
    """A number the Dutch way: whole numbers plain, else one decimal with a comma."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def format_weeks(weeks: float) -> str:
    """'1 week', '3 weken', '6,4 weken'; under two weeks whole days as days ('10 dagen', not
    '1,4 weken')."""
    days = round(weeks * 7)
    if weeks < 2 and not float(weeks).is_integer() and abs(days - weeks * 7) < 1e-6:
        return "1 dag" if days == 1 else f"{days} dagen"
    return "1 week" if weeks == 1 else f"{format_number(weeks)} weken"


WEEKS_PER_MONTH = 365.25 / 12 / 7
WEEKS_PER_YEAR = 365.25 / 7


def format_minutes(seconds: float) -> str:
    """A length of audio as it is written on a sheet: '7 min 25 s', '45 s' (rounded to the
    second)."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def format_span(weeks: float) -> str:
    """A long time said as people say it: as format_weeks up to 12 weeks, then 'ongeveer 5
    maanden', from two years on 'ongeveer 3 jaar' (never '104,4 weken')."""
    if weeks * 7 < 1:
        return "minder dan een dag"
    if weeks <= 12:
        return format_weeks(weeks)
    months = round(weeks / WEEKS_PER_MONTH)
    if months < 24:
        return f"ongeveer {months} maanden"
    return f"ongeveer {round(weeks / WEEKS_PER_YEAR)} jaar"


MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")


def format_date(day: date) -> str:
    """'30 november 2026' (Dutch, whatever the locale)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def dutch_list(items: Sequence[str]) -> str:
    """'a', 'a en b', 'a, b en c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]
