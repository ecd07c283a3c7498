"""The dialog's words as the screen shows them. The dialog speaks ("Zeg ja of nee."); on the
screen the therapist clicks or types, so an instruction to say something is shown as one to
choose or type ("Kies ja of nee."). Only the instruction changes: the question itself is shown
as it is spoken."""

from __future__ import annotations

import re
from typing import Final

# (pattern, replacement), tried in order; the first letter's case is kept (see _cased)
_RULES: Final = (
    # a checklist is shown whole, with a choice per sign (ui/static/app.js)
    (re.compile(r"\bik noem ze achter elkaar\.", re.IGNORECASE), "Ze staan hieronder."),
    (re.compile(r"\bnoem de nummers, of zeg geen\.", re.IGNORECASE),
     "Kies per punt ja, nee of weet niet."),
    (re.compile(r"\bzeg (ja, nee of weet ik niet|ja of nee|een heel getal)", re.IGNORECASE),
     r"kies \1"),
    (re.compile(r"\bzeg dan: een voor een", re.IGNORECASE), "typ dan: een voor een"),
    (re.compile(r"\bzeg (pauze|verder|herhaal|terug|stop|help)\b", re.IGNORECASE),
     lambda m: f"klik op {m.group(1).capitalize()}"),
    (re.compile(r"\bzeg daarna welke", re.IGNORECASE), "kies daarna welke"),
    (re.compile(r"\bzeg dat dan\b", re.IGNORECASE), "kies of typ dat dan"),
    (re.compile(r"\bzeg (de |een )(leeftijd|duur)\b", re.IGNORECASE), r"typ \1\2"),
    (re.compile(r"\bzeggen\b", re.IGNORECASE), "kiezen of typen"),
    (re.compile(r"\bzegt\b", re.IGNORECASE), "typt"),
    (re.compile(r"\bzeg\b", re.IGNORECASE), "kies of typ"),
)


def _cased(found: str, replaced: str) -> str:
    """`replaced` with the first letter capitalised as `found`'s is."""
    return replaced[:1].upper() + replaced[1:] if found[:1].isupper() else replaced


def screen_words(text: str) -> str:
    """`text` (something the dialog says) as the screen shows it: what to click or type,
    never what to say."""
    for pattern, replacement in _RULES:
        def sub(match: re.Match[str], replacement: object = replacement) -> str:
            new = replacement(match) if callable(replacement) else match.expand(str(replacement))
            return _cased(match.group(0), new)
        text = pattern.sub(sub, text)
    return text
