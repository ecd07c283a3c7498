"""The command line's messages as the screen shows them: a therapist at the screen is never
told about command-line flags. A leading '--flag: ' (or '--flag N: ') goes; the few hints that
name a flag are said in the screen's words, and any other clause naming a flag is left out. The
command-line messages themselves stay as they are."""

from __future__ import annotations

import re
from typing import Final

LEADING_FLAG: Final = re.compile(r"^--[a-z][a-z-]*(?: [^\s:]+)?: ")
REWORDED: Final = (
    (re.compile(r"; ga (later )?verder met '[^']*'"), "; hervat de intake op het beginscherm"),
    (re.compile(r"\blaat --psk-activities weg\b"), "laat de activiteiten leeg"),
    (re.compile(r"\bvoeg --again toe\b"), "vink ‘Nog een meting vandaag’ aan"),
    (re.compile(r"\bmet --patient (\S+)"), r"met patiënt-id \1"),
    (re.compile(r"\b(?:kies|geef) (.{0,40}?) met --db\b"),
     r"kies \1 bij het starten van de assistent"),
)
FLAG_CLAUSE: Final = re.compile(r"[;,] [^;,.]*(?<![\w-])--[a-z][a-z-]*[^;.]*")
FLAG_SENTENCE: Final = re.compile(r"(?:^|(?<=\. ))[^.]*(?<![\w-])--[a-z][a-z-]*[^.]*\.?\s*")


def on_screen(message: str) -> str:
    """`message` without the command line's flags (see above)."""
    text = LEADING_FLAG.sub("", message)
    for pattern, words in REWORDED:
        text = pattern.sub(words, text)
    text = FLAG_CLAUSE.sub("", text)
    text = FLAG_SENTENCE.sub("", text).strip()
    return text or message
