"""What the therapist says at the choice of exercises, understood: the exercise codes named by
number or by name, how often ('veertien elke avond'), and the words a recogniser needs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from assistant.dialog.numbers import word_value
from assistant.dialog.spoken import spoken_video
from assistant.dialog.words import clean
from assistant.protocol.exercises import Exercise, Library
from assistant.protocol.model import Vocabulary
from assistant.text import dutch_list

# Words around the numbers that carry nothing ('oefening 14 en F 55', 'de bodyscan').
_NEUTRAL: Final = frozenset({"f", "ef", "oefening", "oefeningen", "nummer", "nummers", "en",
                             "huiswerkfilmpje", "filmpje", "de", "het", "ook", "plus", "met"})
_LETTERS: Final = {"a": "a", "aa": "a", "b": "b", "be": "b", "bee": "b"}
_CODE_TOKEN = re.compile(r"f?(\d{1,2})([ab]?)")
# Words that may open a choice, above all a correction: 'doe maar alleen veertien', 'maak er
# veertien van' (then 'van' closes it).
_LEADS: Final = (("doe", "maar"), ("maak", "er"), ("alleen",), ("dan",), ("maar",),
                 ("liever",))
_MAKE: Final = ("maak", "er")
_ARTICLES: Final = ("de", "het")

Names = Mapping[str, tuple[str, ...]]  # a normalised name → the codes of the exercises it names


@dataclass(frozen=True)
class Choice:
    """What was said: the codes named, in order and once each."""

    codes: tuple[str, ...] = ()
    none: bool = False  # 'geen': no exercises
    ambiguous: tuple[str, ...] = ()  # the codes a name said could be (two or more)
    # how often, as said after codes (code → a phrase of the library's choice.frequencies,
    # as written there); defaults said again are kept here, ExerciseChoice drops them
    frequencies: dict[str, str] = field(default_factory=dict)


def _number(token: str) -> int | None:
    value = word_value(token)
    if value is None or not float(value).is_integer() or not 1 <= value <= 99:
        return None
    return int(value)


def exercise_names(exercises: Iterable[Exercise], vocab: Vocabulary) -> dict[str, tuple[str, ...]]:
    """What each exercise may be called, normalised as an answer is: its plain name, its
    technical name and, for a technical name like 'Bodyscan: ontspanningsoefening …', the part
    before the colon; each also without a leading article ('de pitcherstretch …')."""
    names: dict[str, tuple[str, ...]] = {}
    for exercise in exercises:
        said = [exercise.name, exercise.technical_name]
        if ":" in exercise.technical_name:
            said.append(exercise.technical_name.split(":", 1)[0])
        for name in said:
            words = clean(name, vocab).split()
            forms = [words, words[1:] if words[:1] and words[0] in _ARTICLES else []]
            for form in forms:
                key = " ".join(form)
                if key and exercise.code not in names.get(key, ()):
                    names[key] = (*names.get(key, ()), exercise.code)
    return names


def menu_names(library: Library, menu: Sequence[str], vocab: Vocabulary) -> Names:
    """The names that choose from `menu`: a name counts for the menu's exercises only; a name
    of no exercise on the menu names the library's (so it can be refused as not on the menu)."""
    on_menu = exercise_names((library.exercise(c) for c in menu), vocab)
    others = exercise_names((e for e in library.exercises if e.code not in menu), vocab)
    return {**others, **on_menu}


def _without_lead(tokens: list[str]) -> list[str]:
    """'doe maar alleen veertien' → 'veertien'; 'maak er veertien van' → 'veertien'."""
    made = False
    while lead := next((lead for lead in _LEADS if tuple(tokens[:len(lead)]) == lead), None):
        tokens = tokens[len(lead):]
        made = made or lead == _MAKE
    return tokens[:-1] if made and tokens[-1:] == ["van"] else tokens


def _frequency_key(words: Sequence[str]) -> str:
    """Words of a frequency as compared: numbers as digits ('2 keer per dag' is 'twee keer per
    dag'), 'à' as the 'a' a recogniser writes ('twee a drie keer per dag')."""
    keyed = []
    for word in words:
        value = word_value(word)
        if word in ("à", "a"):
            keyed.append("a")
        elif value is not None and float(value).is_integer():
            keyed.append(str(int(value)))
        else:
            keyed.append(word)
    return " ".join(keyed)


def frequency_keys(frequencies: Iterable[str], vocab: Vocabulary) -> dict[str, str]:
    """Each frequency phrase (choice.frequencies) by its key (_frequency_key of its words)."""
    return {_frequency_key(clean(f, vocab).split()): f for f in frequencies}


def read_frequency(text: str, frequencies: Iterable[str], vocab: Vocabulary) -> str | None:
    """The one phrase of `frequencies` (as written in the data) that `text` says, in any form
    the choice accepts ('2 keer per dag', 'twee a drie keer per dag', a decomposed 'à');
    None when it is not one of them."""
    words = clean(unicodedata.normalize("NFC", text), vocab).split()
    return frequency_keys(frequencies, vocab).get(_frequency_key(words))


def _longest_frequency(tokens: list[str], i: int, keys: Mapping[str, str]) -> tuple[str, int]:
    """The frequency phrase that starts at tokens[i] (the longest), and its length (0: none)."""
    if keys:
        for end in range(len(tokens), i, -1):
            phrase = keys.get(_frequency_key(tokens[i:end]))
            if phrase is not None:
                return phrase, end - i
    return "", 0


def _longest_name(tokens: list[str], i: int, names: Names) -> tuple[tuple[str, ...], int]:
    """The codes of the longest name that starts at tokens[i], and its length (0: none)."""
    for end in range(len(tokens), i, -1):
        codes = names.get(" ".join(tokens[i:end]))
        if codes:
            return codes, end - i
    return (), 0


def parse_choice(text: str, vocab: Vocabulary, none_phrases: frozenset[str],
                 names: Names | None = None, frequencies: Sequence[str] = ()) -> Choice | None:
    """The exercise codes named in `text` by number, or by name when `names` are given
    (exercise_names, menu_names), in any order and mixed; None when something in it is not
    understood. A name that several exercises share gives them in `ambiguous`.

    One of `frequencies` (choice.frequencies) said after codes sets how often for every code
    named since the previous frequency, or since the start ('veertien en zeventien elke avond':
    both; 'veertien elke avond en zeventien': fourteen only); one with no code before it is not
    understood."""
    phrase = clean(text, vocab)
    if phrase in none_phrases:
        return Choice(none=True)
    tokens = _without_lead(phrase.split())
    keys = frequency_keys(frequencies, vocab)
    codes: list[str] = []
    ambiguous: tuple[str, ...] = ()
    often: dict[str, str] = {}
    since = 0  # codes[since:] were named after the last frequency
    named_since = False  # something was named after it (a code, or a name of several)
    numbered = False  # the last code was a number, which a letter may follow ('veertien a')
    i = 0
    while i < len(tokens):
        token = tokens[i]
        frequency, length = _longest_frequency(tokens, i, keys)
        if length:
            if not named_since:
                return None
            often.update((code, frequency) for code in codes[since:])
            since, named_since, numbered = len(codes), False, False
            i += length
            continue
        named, length = _longest_name(tokens, i, names or {})
        if length:
            if len(named) > 1:
                ambiguous = ambiguous or named
            else:
                codes.append(named[0])
            i, numbered, named_since = i + length, False, True
            continue
        i += 1
        glued = _CODE_TOKEN.fullmatch(token)
        if glued:
            codes.append(f"F{int(glued.group(1))}{glued.group(2)}")
            numbered = named_since = True
        elif token in _LETTERS and numbered and not codes[-1][-1].isalpha():
            codes[-1] += _LETTERS[token]
        elif (number := _number(token)) is not None:
            codes.append(f"F{number}")
            numbered = named_since = True
        elif token not in _NEUTRAL:
            return None
    if not codes and not ambiguous:
        return None
    return Choice(tuple(dict.fromkeys(codes)), ambiguous=ambiguous, frequencies=often)


def spoken_code(code: str) -> str:
    """'F14a' as said: 'veertien a'."""
    return spoken_video(code[1:])


def choice_example(menu: Sequence[str]) -> str:
    """The question's example, always on the menu: its first code and the first one after it
    with another number, spoken ('één en twee' for ('F1', 'F1a', 'F2'))."""
    first = menu[0]
    other = next((c for c in menu[1:] if c.rstrip("ab") != first.rstrip("ab")), None)
    return dutch_list([spoken_code(c) for c in (first, other) if c is not None])


def choice_phrases(menu: Sequence[str], vocab: Vocabulary,
                   none_phrases: frozenset[str], frequencies: Sequence[str] = ()) -> list[str]:
    """The words a recogniser needs (they combine freely): the menu's numbers and letters,
    the neutral words, 'geen', yes/no, 'doe maar alleen' (a correction at the read-back), the
    words of the `frequencies` ('elke avond'; 'à' as a recogniser writes it: 'a') and the
    commands. The names are typed only: their words would open the grammar wide."""
    words = {w for code in menu for w in spoken_code(code).split()}
    words |= {"f", "oefening", "en", "doe", "maar", "alleen"} | none_phrases | vocab.yes | vocab.no
    words |= {"a" if w == "à" else w for f in frequencies for w in clean(f, vocab).split()}
    words |= {p for _, phrases in vocab.commands for p in phrases}
    return sorted(words)
