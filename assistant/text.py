"""Normalising Dutch text as people type it and as a recogniser writes it."""

from __future__ import annotations

import re
import unicodedata

_ACCENTED_ONE = str.maketrans({"é": "e", "è": "e"})
_DECIMAL = re.compile(r"(?<=\d)[.,](?=\d)")
_NOT_WORD = re.compile(r"[^\w\s#]+")


def normalise(text: str) -> str:
    """Lower case, NFC, no punctuation (decimal commas kept as '.'), single spaces."""
    text = unicodedata.normalize("NFC", text).lower().translate(_ACCENTED_ONE)
    text = _DECIMAL.sub("#", text)
    text = _NOT_WORD.sub(" ", text.replace("_", " "))
    return " ".join(text.split()).replace("#", ".")


def format_number(value: float) -> str:
    """A number the Dutch way: whole numbers plain, else one decimal with a comma."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def format_weeks(weeks: float) -> str:
    """'1 week', '3 weken', '6,4 weken'."""
    return "1 week" if weeks == 1 else f"{format_number(weeks)} weken"
