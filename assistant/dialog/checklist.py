"""A checklist: a screening section (the red-flag history, the precautions, the examination's
red flags) asked as one question (issue 25). Its signs are read one after another, numbered;
one answer then says "geen", or names the signs present by number or by name (each sign's
`names` in the data). Signs named are always read back with the others said to be absent; a
"geen" is said outright (and read back by voice on the red flags); a sign denied by name says
nothing of the others, so it is asked again. Doubt about any sign asks the signs one by one,
where doubt per sign is recorded as it always was.

Pure functions of the protocol data and the words: the consultation (consultation.py) asks,
reads back and records.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

from assistant.dialog.intents import doubtful
from assistant.dialog.numbers import TEENS, TENS, UNITS
from assistant.dialog.readings import Doubt
from assistant.dialog.words import clean
from assistant.protocol.dialog_texts import IntakeTexts
from assistant.protocol.findings import UNKNOWN, Value
from assistant.protocol.model import AnswerType, Protocol, Question, Section, Vocabulary

ONE_BY_ONE: Final = frozenset({"een voor een", "een voor een graag", "apart", "los",
                               "een voor een alstublieft", "stuk voor stuk", "een per een"})
NONE_OF_THEM: Final = frozenset({
    "geen van alle", "geen van allen", "geen van deze", "geen enkele", "geen daarvan",
    "nee geen van alle", "nee geen enkele", "allemaal niet", "nee allemaal niet",
    "niets daarvan", "niks daarvan", "geen van de alarmsignalen", "nee geen van deze",
    "geen van beide", "niets van dat alles", "niks van dat alles", "allemaal nee",
})
_NUMBER_WORDS: Final = {**{w: v for w, v in UNITS.items() if v}, **TEENS}
_JOINERS: Final = frozenset({"en", "nummer", "nummers", "ook", "plus"})
_MULTIPLES: Final = frozenset({"honderd", "duizend"})
_NEGATIONS: Final = frozenset({"geen", "niet", "zonder", "nooit", "nee"})
_SEPARATORS: Final = re.compile(r"[,;/+&]")  # '1,3': two numbers, not a decimal
_DENIED_AFTER: Final = frozenset({"negatief", "neg", "niet", "afwezig", "normaal"})  # after
# a name: 'Hoffmann negatief', 'reflexen niet verhoogd'
_AFFIRMING: Final = frozenset({"alleen", "wel", "maar", "behalve", "enkel"})  # 'nee, alleen
# koorts' names koorts: the "nee" before it does not deny it


@dataclass(frozen=True)
class Checklist:
    """A checklist section as it is asked now: `id` the section's (also the question's id in
    the events), `finding` the list finding it fills, `signs` the section's questions that
    apply to this patient, in data order."""

    section: Section
    finding: str
    signs: tuple[Question, ...]

    @property
    def id(self) -> str:
        return self.section.id

    def question(self) -> Question:
        """The checklist as one question (the consultation's current question while it is
        asked): its text and help are the checklist's, its type CHECKLIST."""
        assert self.section.checklist is not None and self.section.checklist_help is not None
        first = self.signs[0]
        return Question(id=self.id, section=self.id, finding=self.finding,
                        type=AnswerType.CHECKLIST, text=self.section.checklist,
                        help=self.section.checklist_help, label=self.section.title,
                        source=first.source)


def checklist_of(section: Section, signs: Sequence[Question]) -> Checklist:
    """The checklist of `section` with the signs that apply (at least one)."""
    assert signs, f"checklist '{section.id}' without signs"
    part = signs[0].part
    assert part is not None
    return Checklist(section, part[0], tuple(signs))


def ask_text(checklist: Checklist, texts: IntakeTexts) -> str:
    """What is said: each sign, numbered ('3: koorts of koude rillingen bij de nekpijn.'),
    then the checklist's question."""
    lines = [texts.checklist_sign.format(number=i, label=q.label)
             for i, q in enumerate(checklist.signs, 1)]
    return " ".join([*lines, checklist.question().text])


@dataclass(frozen=True)
class Named:
    """The signs named (present); every other sign presented is not. `note`: the words as
    said, when more was said than the names (read back with them)."""

    ids: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class NoneOfThem:
    """'geen': no sign is present."""


@dataclass(frozen=True)
class Which:
    """'ja' without naming which: asked which."""


@dataclass(frozen=True)
class OneByOne:
    """'een voor een': the signs asked one by one."""


Reading = Named | NoneOfThem | Which | OneByOne | Doubt


@cache
def _names(signs: tuple[Question, ...]) -> tuple[tuple[tuple[str, ...], str], ...]:
    """Every name of every sign as its words, longest first (a longer name is taken before
    the shorter one inside it: 'hoofdpijn bij de slaap' before 'hoofdpijn')."""
    pairs = [(tuple(name.split()), q.id) for q in signs for name in q.names]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def _numbers(words: list[str], count: int) -> tuple[tuple[int, ...], list[str]] | None:
    """The signs named by number at the start of the answer ('drie en vijf', '1 4', 'acht,
    borstkanker tien jaar geleden'), and the words after them; None when it does not start
    with a number ('een' alone is an article there: 'een hangend ooglid'). A number beyond
    the list is no answer (ValueError)."""
    numbers: list[int] = []
    at = 0  # where the numbers end
    while at < len(words):
        word = words[at]
        value = int(word) if word.isdigit() else _NUMBER_WORDS.get(word)
        if word in _JOINERS:
            at += 1
            continue
        if word in TENS or word in _MULTIPLES:  # 'drie en dertig', 'twee honderd': no sign
            raise ValueError(word)
        if value is None or (word == "een" and not numbers and len(words) > 1
                             and words[1] not in _JOINERS):
            break
        if not 1 <= value <= count:
            raise ValueError(word)
        numbers.append(value)
        at += 1
    if not numbers:
        return None
    return tuple(sorted(set(numbers))), words[at:]  # in the list's order, as names are


def _negated(words: list[str], at: int, end: int) -> bool:
    """Whether the name at words[at:end] is denied: by a negation in the two words before it
    ('geen koorts'; 'alleen', 'wel' or 'maar' between them affirms it: 'nee, alleen koorts'),
    or by the word after it ('Hoffmann negatief', 'reflexen niet verhoogd')."""
    if end < len(words) and words[end] in _DENIED_AFTER:
        return True
    for word in reversed(words[max(0, at - 2) : at]):
        if word in _AFFIRMING:
            return False
        if word in _NEGATIONS:
            return True
    return False


def read_checklist(text: str, checklist: Checklist, vocab: Vocabulary) -> Reading | None:
    """What an answer to a checklist says; None when it is not understood (a number beyond
    the list, words that name no sign)."""
    words = clean(_SEPARATORS.sub(" ", text), vocab).split()
    if not words:
        return None
    said = " ".join(words)
    if said in ONE_BY_ONE:
        return OneByOne()
    try:
        numbered = _numbers(words, len(checklist.signs))
    except ValueError:
        return None if not doubtful(text, vocab) else Doubt()
    if numbered is not None:
        numbers, rest = numbered
        if rest and doubtful(" ".join(rest), vocab):
            return Doubt()
        return Named(tuple(checklist.signs[n - 1].id for n in numbers),
                     text.strip() if rest else "")  # what was said beside: read back
    named: list[str] = []
    rest = []
    i = 0
    while i < len(words):
        match = next(((name, sign) for name, sign in _names(checklist.signs)
                      if tuple(words[i : i + len(name)]) == name), None)
        if match is None:
            rest.append(words[i])
            i += 1
            continue
        name, sign = match
        if not _negated(words, i, i + len(name)) and sign not in named:  # not 'geen koorts'
            named.append(sign)
        i += len(name)
    if doubtful(" ".join(rest), vocab):  # doubt in the words beside the names ('onzeker
        return Doubt()  # lopen' names a sign; 'koorts, weet ik niet zeker' doubts)
    if named:
        order = [q.id for q in checklist.signs]
        return Named(tuple(sorted(named, key=order.index)), text.strip() if rest else "")
    if said in vocab.no or said in NONE_OF_THEM:
        return NoneOfThem()
    # 'geen Horner' denies one sign and says nothing of the others: not understood (asked
    # again with the help), never "none of them"
    if said in vocab.yes:
        return Which()
    return None


def checklist_value(checklist: Checklist, present: Sequence[str] = (),
                    unknown: Sequence[str] = ()) -> dict[str, Value]:
    """Each sign presented → True (present), UNKNOWN (not ruled out) or False."""
    return {q.id: True if q.id in present else UNKNOWN if q.id in unknown else False
            for q in checklist.signs}


def checked_value(checklist: Checklist, value: object) -> dict[str, Value]:
    """A checklist's value as given (the screen's ticks, a journal's answer): every sign
    presented, each True, False or "unknown"; ValueError otherwise."""
    return checked_signs([q.id for q in checklist.signs], value)


def checked_signs(signs: Sequence[str], value: object) -> dict[str, Value]:
    """`value` as the answer to a checklist of `signs` (their ids, in order): exactly those
    keys, each true, false or "unknown" (a bool, not a number); ValueError otherwise."""
    if not isinstance(value, Mapping):
        raise ValueError("een lijst vraagt per teken ja, nee of weet niet")
    if set(value) != set(signs):
        raise ValueError("de lijst noemt andere tekens dan gevraagd")
    checked: dict[str, Value] = {}
    for sign in signs:
        given = value[sign]
        if not (isinstance(given, bool) or given == UNKNOWN):
            raise ValueError("per teken: ja, nee of weet niet")
        checked[sign] = given
    return checked


def phrases(checklist: Checklist, vocab: Vocabulary) -> list[str]:
    """What can answer a checklist, for a recogniser: none, yes, doubt, one by one, each name
    and each number of the list."""
    numbers = [w for w, v in _NUMBER_WORDS.items() if v <= len(checklist.signs)]
    names = {" ".join(name) for name, _ in _names(checklist.signs)}
    return sorted(vocab.no | vocab.yes | vocab.doubt | NONE_OF_THEM | ONE_BY_ONE | names
                  | set(numbers))


def read_back(checklist: Checklist, value: Mapping[str, Value], texts: IntakeTexts,
              note: str) -> str:
    """The answer read back: the signs named ('Dus wel: …. De andere niet.'), or none; what
    was said beside it; for a red flag named, its meaning; then 'Klopt dat?'."""
    present = [q.label for q in checklist.signs if value[q.id] is True]
    if not present:
        parts = [texts.checklist_none]
    else:
        parts = [texts.checklist_named.format(labels="; ".join(present))]
        if len(present) < len(checklist.signs):
            parts.append(texts.checklist_rest)
        if checklist.finding == "red_flags":
            parts.append(texts.alarm_red_flag)
    if note:
        parts.append(texts.confirm_said.format(note=note))
    return " ".join([*parts, texts.confirm_question])


def described(value: Mapping[str, object], protocol: Protocol) -> str:
    """A checklist's value in words, every label in full: the signs present ('ja: …'), those
    not known ('weet niet: …') and 'de rest nee'; 'geen' when every sign is no. A sign id the
    protocol does not know is shown as it is."""
    def labels(wanted: object) -> list[str]:
        return [_label(protocol, sign) for sign, v in value.items()
                if v is wanted or (wanted == UNKNOWN and v == UNKNOWN)]

    present, unknown = labels(True), labels(UNKNOWN)
    if not present and not unknown:
        return "geen"
    return "; ".join([*(["ja: " + ", ".join(present)] if present else []),
                      *(["weet niet: " + ", ".join(unknown)] if unknown else []),
                      *(["de rest nee"] if labels(False) else [])])


def _label(protocol: Protocol, sign: str) -> str:
    try:
        return protocol.question(sign).label
    except KeyError:
        return sign
