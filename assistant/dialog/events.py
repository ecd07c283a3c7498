"""The dialog's event stream (DESIGN.md "Events"): typed, frozen events; `to_json()` gives the
`--events` form, one JSON object per event with "event" first and the fields in their order,
and `event_from_json` reads it back (the Wyoming way: the JSON form round-trips).

The intake emits ask, heard, answer, confirm, reprompt, say, result (and error); the choice of
exercises adds menu; a guided exercise session adds exercise, step, rep, hold, tempo and done.
The intake's journal is events too (intake/journal.py): the answers (with what was heard), a
`back` for each answer taken back, the choice of exercises (its answer) and, last, `stored`.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from enum import StrEnum
from typing import Any, ClassVar, Self, Union, get_args, get_origin, get_type_hints

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
    BACK = "back"  # the journal's: an answer taken back
    STORED = "stored"  # the journal's last entry: the intake is stored


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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """The event of its JSON form (`to_json`'s inverse): a field left out takes its default,
        a list becomes the tuple the field holds; other keys are passed over. ValueError when
        "event" is not this kind, a field is missing or holds a value of another type."""
        if data.get("event") != str(cls.kind):
            raise ValueError(f"geen {cls.kind}-gebeurtenis: {data.get('event')!r}")
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in data:
                values[f.name] = _typed(hints[f.name], data[f.name], f.name)
            elif f.default is MISSING and f.default_factory is MISSING:
                raise ValueError(f"{cls.kind}: veld '{f.name}' ontbreekt")
        return cls(**values)


@dataclass(frozen=True)
class Ask(BaseEvent):
    """A question. `finding`: the findings key it fills (or `red_flags.<category>` …; None for
    the choice of exercises); `yes_means` False marks one asked the other way round. A
    checklist (a whole screening section at once, dialog/checklist.py) has `question` the
    section's id, `finding` the list's key ("red_flags", "precautions") and `signs` the signs
    it presents, in order: ({"id": <question id>, "label": <short Dutch label>}, ...)."""

    kind: ClassVar[Kind] = Kind.ASK
    question: str
    finding: str | None
    text: str
    yes_means: bool = True
    aloud: bool = True  # False: shown only (by voice, after the failed tries)
    signs: tuple[dict[str, str], ...] = ()  # a checklist's signs; () for one question

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        if self.yes_means:
            del out["yes_means"]  # said only when a question is asked the other way round
        if self.aloud:
            del out["aloud"]  # said only when the question is not spoken
        if not self.signs:
            del out["signs"]  # said only for a checklist
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
    (code → Dutch words; in the JSON only when there are any). `heard`: what was said, kept
    in the journal (the stream shows it as its own `heard` event)."""

    kind: ClassVar[Kind] = Kind.ANSWER
    question: str
    finding: str | None
    value: Any
    note: str = ""  # what was said beside the answer; null in the JSON when nothing was
    frequencies: dict[str, str] = field(default_factory=dict)
    heard: str = ""  # the journal's: what was said (in the JSON only when it is kept)

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        out["note"] = self.note or None
        _optional_frequencies(out, self.frequencies)
        if not self.heard:
            del out["heard"]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        return super().from_json({**data, "note": data.get("note") or ""})


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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        renamed = {k: v for k, v in data.items() if k != "kind"}
        return super().from_json({**renamed, "say_kind": data.get("kind")})


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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MenuItem:
        return cls(_typed(str, data.get("code"), "code"), _typed(str, data.get("name"), "name"),
                   _typed(str, data.get("technical_name"), "technical_name"),
                   _typed(str, data.get("frequency", ""), "frequency"))


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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        items = {key: tuple(MenuItem.from_json(item) for item in _typed(list, data[key], key))
                 for key in ("exercises", "if_insufficient") if key in data}
        return super().from_json({**data, **items})


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


@dataclass(frozen=True)
class Back(BaseEvent):
    """The journal's: the answer to `question` was taken back ('terug')."""

    kind: ClassVar[Kind] = Kind.BACK
    question: str


@dataclass(frozen=True)
class Stored(BaseEvent):
    """The journal's last entry: its intake is stored (`consultation`: its id; None without a
    patient id). Written by the records store in the same transaction (Store.finish_intake)."""

    kind: ClassVar[Kind] = Kind.STORED
    consultation: int | None


Event = (Ask | Heard | Answer | Confirm | Reprompt | Say | ResultEvent | ErrorEvent | Menu
         | ExerciseStart | Step | Rep | Hold | Tempo | Done)
JournalEvent = Answer | Back | Stored  # what an intake's journal holds
Emit = Callable[[Event], None]
EVENTS: dict[str, type[BaseEvent]] = {
    str(c.kind): c for c in (Ask, Heard, Answer, Confirm, Reprompt, Say, ResultEvent,
                             ErrorEvent, Menu, ExerciseStart, Step, Rep, Hold, Tempo, Done,
                             Back, Stored)}

SPOKEN = (Ask, Confirm, Reprompt, Say)  # the events a speaker says
SPOKEN_KINDS = frozenset(str(e.kind) for e in SPOKEN)  # their "event" in the JSON form


def event_from_json(data: Mapping[str, Any]) -> BaseEvent:
    """Any event of its JSON form (its "event" names the class). ValueError when the form is
    not an event's."""
    kind = data.get("event") if isinstance(data, Mapping) else None
    if not isinstance(kind, str) or kind not in EVENTS:
        raise ValueError(f"onbekende gebeurtenis: {kind!r}")
    return EVENTS[kind].from_json(data)


def _typed(hint: Any, value: Any, name: str) -> Any:
    """`value` as a field of type `hint` holds it (a list as a tuple); ValueError when it is
    of another type. JSON values only: str, int, float, bool, None, list, dict."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        for arg in args:
            try:
                return _typed(arg, value, name)
            except ValueError:
                continue
        raise ValueError(f"veld '{name}': {value!r} past niet")
    if hint is Any:
        return value
    if hint is type(None):
        if value is None:
            return None
    elif origin is tuple and isinstance(value, list | tuple):
        return tuple(value)
    elif origin is dict and isinstance(value, dict):
        return dict(value)
    elif hint in (int, float):
        if isinstance(value, int | float) and not isinstance(value, bool) and (
                hint is float or isinstance(value, int)):
            return hint(value)
    elif isinstance(hint, type) and isinstance(value, hint):
        return value
    raise ValueError(f"veld '{name}': {value!r} past niet")
