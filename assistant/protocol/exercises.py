"""The home-exercise library: exercises with spoken steps and dosage, and the session's texts."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Literal

from assistant.protocol.findings import ARM_SIDES, PRECAUTIONS, ArmSide

Side = Literal["left", "right"]
# What an exercise asks of the body, for the cautions (exercises.toml [cautions]):
# end-range trunk flexion / rotation (osteoporosis), neck flexion (rheumatoid arthritis,
# electric sensations), a nerve glide (profile D), a rotation of the neck (dizziness).
MOVEMENTS: Final = ("trunk_flexion_end", "trunk_rotation_end", "neck_flexion", "nerve_glide",
                    "neck_rotation")


@dataclass(frozen=True)
class Dosage:
    """How much of an exercise: counted (repetitions, sets, holds) or timed (minutes)."""

    repetitions: int = 0  # per set (and per side)
    sets: int = 1
    hold_seconds: int = 0  # s held at the end position of every repetition; 0 = no hold
    pace_seconds: int = 0  # s one repetition's movement takes, without the hold
    rest_seconds: int = 0  # s of rest between sets
    sides: int = 1  # 2: every set on the left, then on the right (one-arm: 1, see Exercise)
    minutes: int = 0  # a timed exercise (F5): its steps are spread over this time
    frequency: str = ""  # how often, in Dutch words: 'elke ochtend', 'twee keer per dag'

    @property
    def timed(self) -> bool:
        return self.minutes > 0

    def to_json(self) -> dict[str, int | str]:
        if self.timed:
            return {"minutes": self.minutes, "frequency": self.frequency}
        return {"repetitions": self.repetitions, "sets": self.sets,
                "hold_seconds": self.hold_seconds, "pace_seconds": self.pace_seconds,
                "rest_seconds": self.rest_seconds, "sides": self.sides,
                "frequency": self.frequency}


def name_for_therapist(name: str, technical_name: str) -> str:
    """An exercise as the therapist sees it listed: 'plain name (technical name)'."""
    return f"{name} ({technical_name})"


@dataclass(frozen=True)
class Exercise:
    code: str  # "F14"
    name: str  # in plain Dutch: what the patient hears and reads
    video: str  # "14" = huiswerkfilmpje 14
    technical_name: str = ""  # the protocol's name, for the therapist
    one_arm: bool = False  # done with the exercise arm only (findings arm_side)
    source: str = ""  # the protocol line that names it
    purpose: str = ""
    start: str = ""  # the starting position
    steps: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    safety: tuple[str, ...] = ()  # notes for this exercise; the general ones are in the session
    dosage: Dosage = Dosage()
    movements: frozenset[str] = frozenset()  # of MOVEMENTS: which cautions concern it
    text_source: str = ""  # where the instruction's wording comes from, or 'our reading'
    side_texts: tuple[str, ...] = ()  # sides = 2: said as the left, then the right side begins
    setup_seconds: int = 0  # s to set up before the steps (pulley, band); 0: the usual moment
    hold_cue: str = ""  # with a hold: where it is held ('Houd de open stand vast.')
    rep_cues: tuple[str, ...] = ()  # said in turn within each repetition ('Naar links.')

    @property
    def therapist_name(self) -> str:
        return name_for_therapist(self.name, self.technical_name)

    def sides(self, arm_side: ArmSide | None = None) -> tuple[Side | None, ...]:
        """The sides done in turn, each with all the sets; None: one side, not named (a
        one-arm exercise whose arm is not known: the arm the therapist points out)."""
        if self.one_arm and arm_side != "both":
            return (arm_side,)
        if self.one_arm or self.dosage.sides == 2:
            return ("left", "right")
        return (None,)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "technical_name": self.technical_name,
                "purpose": self.purpose, "start": self.start, "steps": list(self.steps),
                "dosage": self.dosage.to_json(), "equipment": list(self.equipment),
                "safety": list(self.safety), "video": self.video, "one_arm": self.one_arm,
                "movements": sorted(self.movements), "text_source": self.text_source,
                "side_texts": list(self.side_texts), "setup_seconds": self.setup_seconds,
                "hold_cue": self.hold_cue, "rep_cues": list(self.rep_cues)}


@dataclass(frozen=True)
class Caution:
    """An extra safety line for some patients (exercises.toml [cautions]): said and printed
    with every exercise it concerns — one with one of `movements`, or one of `codes` — (none:
    once, for the whole session), when the patient's profile is one of `profiles` and a
    precaution one of `precautions` (each empty: any). `therapist` is what the choice of
    exercises warns with ({codes}: the chosen exercises it concerns); empty: no warning.
    `replace` changes the instructions of the exercises it concerns (of the whole session
    without movements or codes, its general safety lines too): a step, a sentence of the
    starting position or a safety line, said in place of another ('' leaves it out).
    `exclude`: the exercises it concerns are not done by this patient."""

    id: str
    patient: tuple[str, ...]
    source: str
    precautions: frozenset[str] = frozenset()  # findings precautions (unknown ones count)
    profiles: frozenset[str] = frozenset()
    movements: frozenset[str] = frozenset()
    therapist: str = ""
    replace: tuple[tuple[str, str], ...] = ()  # (said now, said instead)
    codes: frozenset[str] = frozenset()  # exercises it concerns by their code
    exclude: bool = False

    @property
    def whole_session(self) -> bool:
        """Said once at the start (and at the top of the sheet), not with an exercise."""
        return not self.movements and not self.codes

    def applies(self, profile: str | None, precautions: Collection[str]) -> bool:
        """Whether it concerns a patient of `profile` (None: not known) with `precautions`."""
        return ((not self.profiles or profile in self.profiles)
                and (not self.precautions or bool(self.precautions & set(precautions))))

    def concerns(self, exercise: Exercise) -> bool:
        """Whether it is said with `exercise` (False for a caution of the whole session)."""
        return bool(self.movements & exercise.movements) or exercise.code in self.codes

    def lines(self, lines: Sequence[str]) -> tuple[str, ...]:
        """`lines` with this caution's replacements made (a line replaced by '' left out)."""
        out = list(lines)
        for old, new in self.replace:
            out = [new if line == old else line for line in out]
        return tuple(line for line in out if line)

    def adapt(self, exercise: Exercise) -> Exercise:
        """`exercise` with this caution's replacements made, when it concerns it."""
        if not self.replace or (not self.whole_session and not self.concerns(exercise)):
            return exercise
        start = exercise.start
        for old, new in self.replace:
            start = " ".join(start.replace(old, new).split())
        return replace(exercise, start=start, steps=self.lines(exercise.steps),
                       safety=self.lines(exercise.safety))


def adapted(exercise: Exercise, cautions: Sequence[Caution]) -> Exercise:
    """`exercise` as the patient of `cautions` (Library.cautions_for) hears and reads it:
    every caution's replacements made, in the data's order (a later one may replace what an
    earlier one said)."""
    for caution in cautions:
        exercise = caution.adapt(exercise)
    return exercise


def excluded(exercise: Exercise, cautions: Sequence[Caution]) -> Caution | None:
    """The caution (of Library.cautions_for) that leaves `exercise` out, or None."""
    return next((c for c in cautions if c.exclude and c.concerns(exercise)), None)


def session_lines(lines: Sequence[str], cautions: Sequence[Caution]) -> tuple[str, ...]:
    """The session's general lines (its safety) as the patient of `cautions` hears them."""
    out = tuple(lines)
    for caution in cautions:
        if caution.whole_session:
            out = caution.lines(out)
    return out


@dataclass(frozen=True)
class Patient:
    """What the exercises adapt to: the treatment profile ('A'–'D', None: not known), the
    precautions found or not ruled out (findings keys), the exercise arm, and the frequencies
    the therapist set in place of the defaults (code → Dutch words)."""

    profile: str | None = None
    precautions: frozenset[str] = frozenset()
    arm_side: ArmSide | None = None
    frequencies: Mapping[str, str] | None = None

    def frequency(self, exercise: Exercise) -> str:
        """How often `exercise` is done: the therapist's choice, else its default."""
        return (self.frequencies or {}).get(exercise.code, exercise.dosage.frequency)

    @classmethod
    def from_intake(cls, findings: Mapping[str, Any], profile: str | None,
                    frequencies: Mapping[str, str] | None = None) -> Patient:
        """The patient of an intake: `findings` as JSON (the findings file, or as stored),
        the profile of its result; a precaution not ruled out counts as present (the safer
        reading, as for manipulation)."""
        precautions = {p for key in ("precautions", "precautions_unknown")
                       for p in findings.get(key) or () if p in PRECAUTIONS}
        side = findings.get("arm_side")
        return cls(profile, frozenset(precautions),
                   side if side in ARM_SIDES else None, dict(frequencies or {}))


@dataclass(frozen=True)
class SessionTexts:
    """What the guide says around the exercises (placeholders in braces)."""

    intro: tuple[str, ...]
    safety: tuple[str, ...]  # said before the first exercise and printed on the sheet
    pain_rule: tuple[str, ...]  # how much pain is allowed: said at the start, on the sheet
    pain_rule_source: str
    # instead, for the profiles listed: the agreed amount, built up (graded exposure, C)
    pain_rule_graded: tuple[str, ...]
    pain_rule_graded_source: str
    pain_rule_graded_addition: str
    pain_rule_graded_profiles: tuple[str, ...]
    program_one: str
    program_many: str  # {count}
    exercise: str  # {number} {total} {name}
    video: str  # {video}
    equipment: str  # {items}
    start: str
    steps: str
    dosage_reps: str  # {repetitions}
    dosage_sets: str  # {sets}
    dosage_hold: str  # {seconds}
    dosage_sides: str
    timed: str  # {minutes}
    frequency: str  # {frequency}: how often, said after the dosage
    begin: str
    side_left: str
    side_right: str
    set_start: str  # {set} {sets}
    hold_left: str  # {number}: the last seconds of a hold, never a bare count word
    release: str
    rep: str  # {number}: a repetition said as one ('Herhaling twee')
    rest: str  # {seconds}
    rest_ending: str  # said REST_WARNING s before a rest ends (exercise_session.py)
    setup: str  # said before a long set-up time (Exercise.setup_seconds)
    exercise_done: str
    skipped: str
    repeat: str
    paused: str
    resumed: str
    slower: str
    faster: str
    tempo_limit: str
    not_understood: str
    closing: tuple[str, ...]
    closing_source: str
    stopped: str
    arm_left: str  # a one-arm exercise: which arm (findings arm_side)
    arm_right: str
    arm_both: str
    arm_unknown: str
    arm_fill_in: str  # printed only, under arm_unknown: a line to circle the arm on
    recording_sheet: str  # {file}: the sheet names the audio file that belongs to it
    recording_start: str  # {time}: where an exercise starts in it, on the sheet
    sheet_title: str  # the printed home-exercise sheet
    sheet_intro: str
    commands: tuple[tuple[str, tuple[str, ...]], ...]  # command → normalised phrases
    # the audio file to take home says these texts instead (field name → its text)
    recording: tuple[tuple[str, str | tuple[str, ...]], ...] = ()

    def for_recording(self) -> SessionTexts:
        """These texts as the audio file to take home says them (`recording`): its own
        introduction and set-up line, which speak of the phone's pause button instead of
        spoken commands, the arm circled on the sheet, no 'vandaag'."""
        overrides: dict[str, Any] = dict(self.recording)
        return replace(self, **overrides)

    def pain_rule_for(self, profile: str | None) -> tuple[str, ...]:
        """How much pain is allowed, as said to a patient of `profile` (None: not known):
        profile C's agreed amount, built up, instead of "do less when it hurts"."""
        return (self.pain_rule_graded if profile in self.pain_rule_graded_profiles
                else self.pain_rule)

    def arm(self, arm_side: ArmSide | None) -> str:
        """The sentence that names the exercise arm."""
        return {"left": self.arm_left, "right": self.arm_right,
                "both": self.arm_both}.get(arm_side or "", self.arm_unknown)


@dataclass(frozen=True)
class ChoiceTexts:
    """Choosing the home exercises at the end of an intake (placeholders in braces)."""

    question: str  # {example}: the first two codes of the menu, spoken
    help: str  # {menu}
    readback: str  # {count} {items}
    readback_none: str
    item: str  # {code} {name}
    item_frequency: str  # {code} {name} {frequency}: an exercise whose frequency was changed
    count_one: str
    count_many: str  # {count}
    not_in_menu: str  # {codes}
    not_advised: str  # {codes}: on the menu, but left out for this patient (Caution.exclude)
    ambiguous: str  # {codes}: a name that two or more exercises of the menu share
    not_understood: str
    hint: str  # after a failed try: what to say
    chosen: str
    chosen_none: str
    none: frozenset[str]  # normalised phrases that choose nothing
    frequencies: tuple[str, ...]  # what may be said after a code to change how often
    source: str


@dataclass(frozen=True)
class Library:
    exercises: tuple[Exercise, ...]
    session: SessionTexts
    choice: ChoiceTexts
    cautions: tuple[Caution, ...] = ()

    def cautions_for(self, patient: Patient) -> tuple[Caution, ...]:
        """The cautions that concern `patient`, in the data's order."""
        return tuple(c for c in self.cautions if c.applies(patient.profile, patient.precautions))

    def left_out(self, codes: Sequence[str], patient: Patient) -> tuple[str, ...]:
        """The exercises of `codes` that `patient` does not do (a caution excludes them)."""
        cautions = self.cautions_for(patient)
        return tuple(c for c in codes if excluded(self.exercise(c), cautions) is not None)

    def exercise(self, code: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.code == code:
                return exercise
        raise KeyError(code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.exercises)
