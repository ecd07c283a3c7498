"""Numbers and exercise codes as words for the speaker ('veertien a', 'tweeëntwintig')."""

from __future__ import annotations

from typing import Final

UNIT_WORDS: Final = ("nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen")
TEEN_WORDS: Final = ("tien", "elf", "twaalf", "dertien", "veertien", "vijftien", "zestien",
                     "zeventien", "achttien", "negentien")
TEN_WORDS: Final = {2: "twintig", 3: "dertig", 4: "veertig", 5: "vijftig", 6: "zestig",
                    7: "zeventig", 8: "tachtig", 9: "negentig"}


def spoken_number(n: int) -> str:
    """0–99 in Dutch words ('één' with accents, so it is not read as the article); else digits."""
    if not 0 <= n < 100:
        return str(n)
    if n < 10:
        return UNIT_WORDS[n]
    if n < 20:
        return TEEN_WORDS[n - 10]
    tens, unit = divmod(n, 10)
    if unit == 0:
        return TEN_WORDS[tens]
    word = "een" if unit == 1 else UNIT_WORDS[unit]
    joiner = "ën" if word.endswith("e") else "en"
    return f"{word}{joiner}{TEN_WORDS[tens]}"


def spoken_video(video: str) -> str:
    """A video number as said: '14a' → 'veertien a'."""
    digits = video.rstrip("abcdefghijklmnopqrstuvwxyz")
    letters = video[len(digits):]
    number = spoken_number(int(digits)) if digits.isdigit() else digits
    return f"{number} {letters}".strip()


