"""Load the exercise library (exercises.toml) and validate it; faults are ProtocolErrors."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import fields
from functools import cache
from typing import Any

from assistant.protocol.exercises import (
    MOVEMENTS,
    Caution,
    ChoiceTexts,
    Dosage,
    Exercise,
    Library,
    SessionTexts,
)
from assistant.protocol.findings import PRECAUTIONS
from assistant.protocol.tables import ProtocolError, Table, load_packaged
from assistant.text import normalise

LIBRARY_FILE = "exercises.toml"
SCHEMA_VERSION = 1
CODE = re.compile(r"F\d{1,2}[ab]?")
SESSION_COMMANDS = ("next", "slower", "faster")
# Inclusive ranges for a counted exercise's dosage (a timed one has only minutes).
DOSAGE_RANGES = {
    "repetitions": (1, 30), "sets": (1, 5), "hold_seconds": (0, 60), "pace_seconds": (2, 30),
    "rest_seconds": (0, 120), "sides": (1, 2),
}
MINUTES = (5, 30)
PLACEHOLDERS = {
    "program_many": {"count"}, "exercise": {"number", "total", "name"}, "video": {"video"},
    "equipment": {"items"}, "dosage_reps": {"repetitions"}, "dosage_sets": {"sets"},
    "dosage_hold": {"seconds"}, "timed": {"minutes"}, "set_start": {"set", "sets"},
    "help": {"menu"}, "readback": {"count", "items"}, "item": {"code", "name"},
    "count_many": {"count"}, "not_in_menu": {"codes"}, "not_advised": {"codes"},
    "question": {"example"},
    "ambiguous": {"codes"}, "rep": {"number"}, "hold_left": {"number"},
    "frequency": {"frequency"}, "item_frequency": {"code", "name", "frequency"},
    "rest": {"seconds"}, "recording_sheet": {"file"}, "recording_start": {"time"},
}
SETUP_SECONDS = (10, 120)
MIN_CUE_SECONDS = 4  # s a repetition's cue ('Fase twee.') leaves for its part
PROFILES = frozenset("ABCD")
FREQUENCY = re.compile(r"[a-zà-ÿ][a-zà-ÿ ,']*[a-zà-ÿ]")  # Dutch words, no digits, no full stop
LIST_TEXTS = {"intro", "safety", "closing", "pain_rule", "pain_rule_graded", "frequencies",
              "pain_rule_graded_profiles"}
# what the audio file to take home says instead ([session.recording])
RECORDING_TEXTS = ("intro", "setup", "arm_unknown", "program_one", "program_many")
SPOKEN_TEXTS = {"arm_left", "arm_right", "arm_both", "arm_unknown"}  # checked as sentences


def _whole(t: Table, key: str, low: int, high: int) -> int:
    value = t.data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ProtocolError(f"{t.where}.{key}: expected a whole number from {low} to {high}")
    return value


def frequency_text(text: str, where: str) -> str:
    """How often, as said after 'Doe deze oefening': lower-case Dutch words, no digits (they are
    spoken), no full stop ('elke ochtend', 'twee à drie keer per dag'); else ProtocolError."""
    text = " ".join(text.split())
    if not FREQUENCY.fullmatch(text):
        raise ProtocolError(f"{where}: '{text}' is no frequency in words, like 'elke ochtend'")
    return text


def _dosage(t: Table) -> Dosage:
    frequency = frequency_text(t.text("frequency"), f"{t.where}.frequency")
    if "minutes" in t.data:
        t.check_keys({"minutes", "frequency"})
        return Dosage(minutes=_whole(t, "minutes", *MINUTES), frequency=frequency)
    t.check_keys({*DOSAGE_RANGES, "frequency"})
    missing = sorted(set(DOSAGE_RANGES) - set(t.data))
    if missing:
        raise ProtocolError(f"{t.where}.{missing[0]}: missing")
    return Dosage(**{key: _whole(t, key, *span) for key, span in DOSAGE_RANGES.items()},
                  frequency=frequency)


def _subset(t: Table, key: str, allowed: Iterable[str]) -> frozenset[str]:
    """An optional list of names from `allowed`."""
    values = t.texts(key, optional=True)
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ProtocolError(f"{t.where}.{key}: unknown '{unknown[0]}' "
                            f"(known: {', '.join(sorted(allowed))})")
    return frozenset(values)


def _spoken(t: Table, key: str, text: str) -> str:
    """A sentence the patient hears: it ends like a sentence and has no digits to misread."""
    if not text.endswith((".", "?", "!")):
        raise ProtocolError(f"{t.where}.{key}: '{text}' does not end with a full stop")
    if re.search(r"\d", text):
        raise ProtocolError(f"{t.where}.{key}: '{text}' has digits; write numbers as words")
    return text


def _names(t: Table) -> tuple[str, str]:
    """The plain name (spoken: no digits) and the protocol's technical name, which differ."""
    name, technical = t.text("name"), t.text("technical_name")
    if re.search(r"\d", name):
        raise ProtocolError(f"{t.where}.name: '{name}' has digits; write numbers as words")
    if name.casefold() == technical.casefold():
        raise ProtocolError(f"{t.where}.name: the same as technical_name; give a plain name")
    return name, technical


def _exercise(code: str, t: Table) -> Exercise:
    if not CODE.fullmatch(code):
        raise ProtocolError(f"{t.where}: '{code}' is not an exercise code like F14 or F26a")
    t.check_keys({"name", "technical_name", "one_arm", "video", "source", "purpose", "start",
                  "steps", "equipment", "safety", "dosage", "movements", "text_source",
                  "side_texts", "setup_seconds", "hold_cue", "rep_cues"})
    name, technical_name = _names(t)
    video = t.text("video")
    if video != code[1:]:
        raise ProtocolError(f"{t.where}.video: expected '{code[1:]}' for {code}")
    steps = t.texts("steps")
    if len(steps) < 2:
        raise ProtocolError(f"{t.where}.steps: at least two steps are needed")
    dosage = _dosage(t.table("dosage"))
    if dosage.timed and len(steps) < 3:
        raise ProtocolError(f"{t.where}.steps: a timed exercise needs at least three steps")
    one_arm = t.flag("one_arm")
    if one_arm and (dosage.timed or dosage.sides != 1):
        raise ProtocolError(f"{t.where}.dosage: a one_arm exercise is counted, with sides = 1 "
                            "(the arm side says which arm, or both)")
    side_texts = tuple(_spoken(t, "side_texts", s)
                       for s in t.texts("side_texts", optional=True))
    if (dosage.sides == 2) != bool(side_texts) or len(side_texts) not in (0, 2):
        raise ProtocolError(f"{t.where}.side_texts: an exercise done on both sides says how "
                            "each side begins (two texts: left, right); others have none")
    setup = _whole(t, "setup_seconds", *SETUP_SECONDS) if "setup_seconds" in t.data else 0
    movements = _subset(t, "movements", MOVEMENTS)
    if "nerve_glide" in movements and dosage.hold_seconds:
        raise ProtocolError(f"{t.where}.dosage: a nerve glide slides and does not hold "
                            "(hold_seconds = 0)")
    hold_cue = _spoken(t, "hold_cue", t.text("hold_cue")) if dosage.hold_seconds else ""
    if not dosage.hold_seconds and "hold_cue" in t.data:
        raise ProtocolError(f"{t.where}.hold_cue: only an exercise with a hold says where")
    rep_cues = tuple(_spoken(t, "rep_cues", c) for c in t.texts("rep_cues", optional=True))
    if rep_cues and (dosage.hold_seconds or dosage.timed
                     or dosage.pace_seconds / len(rep_cues) < MIN_CUE_SECONDS):
        raise ProtocolError(f"{t.where}.rep_cues: cues share a repetition without a hold, "
                            f"at least {MIN_CUE_SECONDS} s each (pace_seconds)")
    return Exercise(
        code=code, name=name, video=video, technical_name=technical_name, one_arm=one_arm,
        source=t.text("source"),
        purpose=_spoken(t, "purpose", t.text("purpose")),
        start=_spoken(t, "start", t.text("start")),
        steps=tuple(_spoken(t, f"steps[{i}]", s) for i, s in enumerate(steps)),
        equipment=t.texts("equipment", optional=True) if t.data.get("equipment") else (),
        safety=tuple(_spoken(t, "safety", s) for s in
                     (t.texts("safety") if t.data.get("safety") else ())),
        dosage=dosage,
        movements=movements,
        text_source=t.text("text_source"),
        side_texts=side_texts,
        setup_seconds=setup,
        hold_cue=hold_cue,
        rep_cues=rep_cues,
    )


def _caution(name: str, t: Table, known_codes: tuple[str, ...]) -> Caution:
    t.check_keys({"precautions", "profiles", "movements", "patient", "therapist", "source",
                  "addition", "replace", "codes", "exclude"})
    therapist = t.text("therapist", optional=True)
    if therapist:
        therapist = t.template("therapist", {"codes"})
    movements = _subset(t, "movements", MOVEMENTS)
    codes = _subset(t, "codes", known_codes)
    exclude = t.flag("exclude")
    if exclude and not (movements or codes):
        raise ProtocolError(f"{t.where}.exclude: name the exercises it leaves out (codes)")
    if therapist and not (movements or codes):
        raise ProtocolError(f"{t.where}.therapist: a caution of the whole session names no "
                            "exercises; give it movements or no therapist text")
    t.text("addition", optional=True)  # why, when the line is our addition (documentation)
    pairs = t.data.get("replace", [])
    if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)
            and p[0].strip() for p in pairs):
        raise ProtocolError(f"{t.where}.replace: expected a list of [said now, said instead] "
                            "texts")
    replacements = tuple((old.strip(), _spoken(t, "replace", new.strip()) if new.strip()
                          else "") for old, new in pairs)
    patient = t.texts("patient", optional=bool(replacements))
    if not patient and not replacements:
        raise ProtocolError(f"{t.where}.patient: missing (a caution says something, or "
                            "changes an instruction)")
    return Caution(
        id=name,
        patient=tuple(_spoken(t, "patient", s) for s in patient),
        source=t.text("source"),
        precautions=_subset(t, "precautions", PRECAUTIONS),
        profiles=_subset(t, "profiles", PROFILES),
        movements=movements,
        therapist=therapist,
        replace=replacements,
        codes=codes,
        exclude=exclude,
    )


def _check_replacements(cautions: tuple[Caution, ...], exercises: tuple[Exercise, ...],
                        session: SessionTexts) -> None:
    """Every text a caution replaces is a step, a safety line or part of a starting position
    of an exercise it concerns, a general safety line (a caution of the whole session), or
    what an earlier caution says instead (else the data changed and the caution silently
    stopped working)."""
    said_instead: set[str] = set()
    for caution in cautions:
        for old, new in caution.replace:
            concerned = [e for e in exercises if caution.whole_session or caution.concerns(e)]
            found = (old in said_instead
                     or any(old in (*e.steps, *e.safety) or old in e.start for e in concerned)
                     or (caution.whole_session and old in session.safety))
            if not found:
                raise ProtocolError(f"exercise library cautions.{caution.id}.replace: '{old}' "
                                    "is no step, safety line or starting position of an "
                                    "exercise it concerns")
            said_instead.add(new)


def _texts(t: Table, names: list[str]) -> dict[str, Any]:
    """The texts `names` of table `t`, each with exactly its placeholders."""
    values: dict[str, Any] = {}
    for name in names:
        if name in LIST_TEXTS:
            values[name] = t.texts(name)
            continue
        values[name] = t.template(name, PLACEHOLDERS.get(name, set()))
        if name in SPOKEN_TEXTS:
            _spoken(t, name, values[name])
    return values


def _session(t: Table) -> SessionTexts:
    tables = ("commands", "recording")
    names = [f.name for f in fields(SessionTexts) if f.name not in tables]
    t.check_keys({*names, *tables})
    values = _texts(t, names)
    commands = t.table("commands")
    commands.check_keys(set(SESSION_COMMANDS))
    values["commands"] = tuple(
        (c, tuple(normalise(p) for p in commands.texts(c))) for c in SESSION_COMMANDS)
    values["recording"] = _recording(t.table("recording"))
    unknown = set(values["pain_rule_graded_profiles"]) - PROFILES
    if unknown:
        raise ProtocolError(f"{t.where}.pain_rule_graded_profiles: {sorted(unknown)} is no "
                            "treatment profile (A-D)")
    return SessionTexts(**values)


def _recording(t: Table) -> tuple[tuple[str, str | tuple[str, ...]], ...]:
    """The texts the recording says instead, each with the placeholders of the text it
    replaces; none may ask for a spoken command (nobody hears one said to a recording)."""
    t.check_keys(set(RECORDING_TEXTS))
    values = _texts(t, list(RECORDING_TEXTS))
    for name, value in values.items():
        said = value if isinstance(value, tuple) else (value,)
        if any(re.search(r"\bzeg\b", line, re.IGNORECASE) for line in said):
            raise ProtocolError(f"{t.where}.{name}: a recording cannot hear; say what to do "
                                "with the phone instead of what to say")
    return tuple(values.items())


def _choice(t: Table) -> ChoiceTexts:
    names = [f.name for f in fields(ChoiceTexts) if f.name != "none"]
    t.check_keys({*names, "none"})
    values = _texts(t, names)
    values["none"] = frozenset(normalise(p) for p in t.texts("none"))
    values["frequencies"] = tuple(frequency_text(f, f"{t.where}.frequencies")
                                  for f in values["frequencies"])
    return ChoiceTexts(**values)


def parse_library(data: Mapping[str, Any]) -> Library:
    """Build and validate the exercise library from its parsed data file."""
    root = Table(data, "exercise library")
    root.check_keys({"schema_version", "exercises", "session", "choice", "cautions"})
    if root.data.get("schema_version") != SCHEMA_VERSION:
        raise ProtocolError(f"exercise library schema_version: expected {SCHEMA_VERSION}, "
                            f"found {root.data.get('schema_version')!r}")
    exercises = tuple(_exercise(code, t) for code, t in root.table("exercises").items())
    if not exercises:
        raise ProtocolError("exercise library: no exercises")
    codes = tuple(e.code for e in exercises)
    cautions = tuple(_caution(name, t, codes) for name, t in root.table("cautions").items())
    session = _session(root.table("session"))
    _check_replacements(cautions, exercises, session)
    choice = _choice(root.table("choice"))
    unknown = sorted({e.dosage.frequency for e in exercises} - set(choice.frequencies))
    if unknown:
        raise ProtocolError(f"exercise library choice.frequencies: add '{unknown[0]}', the "
                            "default of an exercise, so it can be said at the choice")
    return Library(exercises, session, choice, cautions)


@cache
def load_library() -> Library:
    """The exercise library shipped with the package (loaded once)."""
    return load_packaged(LIBRARY_FILE, parse_library)
