"""The dialog's event stream (DESIGN.md "Events"): typed, frozen events; `to_json()` gives the
`--events` form, one JSON object per event with "event" first and the fields in their order.

The intake emits ask, heard, answer, confirm, reprompt, say, result (and error); the choice of
exercises adds menu; a guided exercise session adds exercise, step, rep, hold, tempo and done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, ClassVar

from assistant.protocol.findings import Value


class Kind(StrEnum):
    """The value of "event" in the JSON form."""

    ASK = "ask"
    HEARD = "heard"
    ANSWER = "answer"
    CONFIRM = "confirm"
    REPROMPT = "reprompt"
    SAY = "say"
    RESULT = "result"
    ERROR = "error"
    MENU = "menu"
    EXERCISE = "exercise"
    STEP = "step"
    REP = "rep"
    HOLD = "hold"
    TEMPO = "tempo"
    DONE = "done"


def json_value(value: Value | None) -> Any:
    """A finding's value as JSON: lists for tuples, whole numbers as ints."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class BaseEvent:
    """Every event: its kind, and its fields in the order of the JSON form."""

    kind: ClassVar[Kind]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"event": str(self.kind)}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class Ask(BaseEvent):
    """A question. `finding`: the findings key it fills (or `red_flags.<category>` …; None for
    the choice of exercises); `yes_means` False marks one asked the other way round."""

    kind: ClassVar[Kind] = Kind.ASK
    question: str
    finding: str | None
    text: str
    yes_means: bool = True
    aloud: bool = True  # False: shown only (by voice, after the failed tries)

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        if self.yes_means:
            del out["yes_means"]  # said only when a question is asked the other way round
        if self.aloud:
            del out["aloud"]  # said only when the question is not spoken
        return out


@dataclass(frozen=True)
class Heard(BaseEvent):
    kind: ClassVar[Kind] = Kind.HEARD
    text: str
    confidence: float  # 0..1; typed text is 1.0
    source: str  # "voice" or "text"


@dataclass(frozen=True)
class Answer(BaseEvent):
    """An answer taken (after any confirmation); `value` as JSON (json_value); `note` the
    explanation said with it ('ja, een kop-staartbotsing' → 'een kop-staartbotsing').
    `frequencies`: for the choice of exercises only, the frequencies the therapist changed
    (code → Dutch words; in the JSON only when there are any)."""

    kind: ClassVar[Kind] = Kind.ANSWER
    question: str
    finding: str | None
    value: Any
    note: str = ""  # what was said beside the answer; null in the JSON when nothing was
    frequencies: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        out["note"] = self.note or None
        _optional_frequencies(out, self.frequencies)
        return out


def _optional_frequencies(out: dict[str, Any], frequencies: dict[str, str]) -> None:
    """`frequencies` as a JSON object when there are any; else no key (older readers)."""
    if frequencies:
        out["frequencies"] = dict(frequencies)
    else:
        del out["frequencies"]


@dataclass(frozen=True)
class Confirm(BaseEvent):
    """Asks to confirm an answer (a yes/no reply is expected); never sent as an Ask."""

    kind: ClassVar[Kind] = Kind.CONFIRM
    question: str
    finding: str | None
    value: Any
    text: str
    frequencies: dict[str, str] = field(default_factory=dict)  # as in Answer: the choice only

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        _optional_frequencies(out, self.frequencies)
        return out


@dataclass(frozen=True)
class Reprompt(BaseEvent):
    """The question again, with why: not_understood, silence, keyboard, help, doubt, paused,
    not_confirmed, first_question, not_in_menu, ambiguous (a name of two exercises), between
    (the split question follows), or one of assistant.protocol.dialog_texts.UNCLEAR_REASONS
    (contradiction, two_amounts, range, year, implausible, longer_than_onset, whole_number,
    out_of_range)."""

    kind: ClassVar[Kind] = Kind.REPROMPT
    question: str
    reason: str
    text: str
    aloud: bool = True  # False: shown only (by voice, after the failed tries)

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        if self.aloud:
            del out["aloud"]
        return out


@dataclass(frozen=True)
class Say(BaseEvent):
    """Something spoken that is not a question (kind: intro, notice, summary, stopped, and in a
    session exercise, step, count, safety …)."""

    kind: ClassVar[Kind] = Kind.SAY
    say_kind: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"event": str(self.kind), "kind": self.say_kind, "text": self.text}


@dataclass(frozen=True)
class ResultEvent(BaseEvent):
    kind: ClassVar[Kind] = Kind.RESULT
    result: dict[str, Any]  # DESIGN.md "Result"


@dataclass(frozen=True)
class ErrorEvent(BaseEvent):
    kind: ClassVar[Kind] = Kind.ERROR
    code: str
    message: str


@dataclass(frozen=True)
class MenuItem:
    code: str
    name: str  # plain Dutch
    technical_name: str  # the protocol's name
    frequency: str = ""  # how often by default (Dutch words); '' not given

    def to_json(self) -> dict[str, str]:
        out = {"code": self.code, "name": self.name, "technical_name": self.technical_name}
        if self.frequency:
            out["frequency"] = self.frequency
        return out


@dataclass(frozen=True)
class Menu(BaseEvent):
    """The profile's exercises, shown before the choice (the speaker does not read it)."""

    kind: ClassVar[Kind] = Kind.MENU
    exercises: tuple[MenuItem, ...]
    warning: str | None
    if_insufficient: tuple[MenuItem, ...] = ()  # D: offered when the therapy helps too little
    frequencies: tuple[str, ...] = ()  # what may be said after a code to change how often
    cautions: tuple[str, ...] = ()  # the patient's precautions: which exercises to watch

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "event": str(self.kind),
            "exercises": [e.to_json() for e in self.exercises],
            "warning": self.warning}
        if self.if_insufficient:
            out["if_insufficient"] = [e.to_json() for e in self.if_insufficient]
        if self.frequencies:
            out["frequencies"] = list(self.frequencies)
        if self.cautions:
            out["cautions"] = list(self.cautions)
        return out


@dataclass(frozen=True)
class ExerciseStart(BaseEvent):
    kind: ClassVar[Kind] = Kind.EXERCISE
    name: str
    number: int  # 1-based
    total: int
    code: str


@dataclass(frozen=True)
class Step(BaseEvent):
    kind: ClassVar[Kind] = Kind.STEP
    index: int  # 1-based
    text: str
    code: str


@dataclass(frozen=True)
class Rep(BaseEvent):
    kind: ClassVar[Kind] = Kind.REP
    rep: int  # 1-based
    of: int
    set: int  # 1-based
    sets: int
    side: str | None  # "left" | "right": a side of a two-sided exercise, or a named arm
    code: str


@dataclass(frozen=True)
class Hold(BaseEvent):
    kind: ClassVar[Kind] = Kind.HOLD
    seconds: float
    code: str


@dataclass(frozen=True)
class Tempo(BaseEvent):
    kind: ClassVar[Kind] = Kind.TEMPO
    tempo: float  # 1.0 = the exercise's own pace; larger is slower


@dataclass(frozen=True)
class Done(BaseEvent):
    kind: ClassVar[Kind] = Kind.DONE
    completed: tuple[str, ...]
    skipped: tuple[str, ...]
    stopped: bool


Event = (Ask | Heard | Answer | Confirm | Reprompt | Say | ResultEvent | ErrorEvent | Menu
         | ExerciseStart | Step | Rep | Hold | Tempo | Done)
Emit = Callable[[Event], None]
SPOKEN = (Ask, Confirm, Reprompt, Say)  # the events a speaker says
SPOKEN_KINDS = frozenset(str(e.kind) for e in SPOKEN)  # their "event" in the JSON form
