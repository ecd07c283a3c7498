"""The words of an utterance as every answer parser reads them: normalised, without fillers,
and the look-ups of phrases among them (intents.py, durations.py, evaluation.py and the choice
of exercises share these)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from assistant.protocol.model import Vocabulary
from assistant.text import normalise

# The short 'n of 'een' standing alone ("'n beetje"), and glued to the word before it ("zo'n",
# "m'n", "z'n"): normalising would leave a bare 'n' that reads as the shorthand for "nee".
_ARTICLE = re.compile(r"(?<![\w'’‘`´])['’‘`´]n\b", re.IGNORECASE)
_CLITIC = re.compile(r"(?<=\w)['’‘`´](n)\b", re.IGNORECASE)


def normal(text: str) -> str:
    """`text` normalised (assistant.text.normalise) with "'n" read as 'een' and "zo'n", "m'n",
    "z'n" kept as one word ('zon', 'mn', 'zn'): never a bare 'n'."""
    return normalise(_CLITIC.sub(r"\1", _ARTICLE.sub("een", text)))


def clean(text: str, vocab: Vocabulary) -> str:
    """Normalised text without filler words."""
    return " ".join(w for w in normal(text).split() if w not in vocab.fillers)


def at(words: Sequence[str], i: int, phrase: tuple[str, ...]) -> bool:
    """Whether `phrase` (its words) stands in `words` from index `i` on."""
    return tuple(words[i : i + len(phrase)]) == phrase


def longest_prefix(words: Sequence[str], phrases: Iterable[str]) -> int:
    """How many leading words form one of `phrases` (0: none)."""
    wanted = set(phrases)
    return next((k for k in range(len(words), 0, -1) if " ".join(words[:k]) in wanted), 0)


def contains(words: Sequence[str], phrases: Iterable[str]) -> bool:
    """Whether one of `phrases` occurs in `words` as whole consecutive words."""
    text = f" {' '.join(words)} "
    return any(f" {phrase} " in text for phrase in phrases)
