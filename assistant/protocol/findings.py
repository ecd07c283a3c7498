"""Findings (version 2 with the version-3 additions): what the intake found, the facts the
rules derive from them, and which of them a decision needs (findings_json.py reads a findings
file into them).

Shapes as in DESIGN.md "Findings — version 2" and "Version 3 additions" (the optional keys
`age_years`, `trauma_weeks_ago`, `acute_deficit_now`, `precautions_unknown`; the red-flag
category `unrecognised`). A list finding (`red_flags`, `precautions`) and
the Canadian C-spine rule (`c_spine_rule`, an object) are filled by several questions each; a
question names its part as `red_flags.<category>`, `precautions.<item>` or
`c_spine_rule.<key>`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Final, Literal

from assistant.errors import FindingsError as FindingsError

RED_FLAG_CATEGORIES: Final = (
    "fracture", "dislocation", "spinal_cord", "infection", "tumour", "systemic", "vascular",
    "temporal_arteritis", "unrecognised",
)
DEFICIT_FLAGS: Final = frozenset({"vascular", "spinal_cord"})  # a deficit now: 112 (rule 9)
PRECAUTIONS: Final = ("osteoporosis", "corticosteroids", "rheumatoid_arthritis", "anticoagulants")
C_SPINE_KEYS: Final = ("high_risk", "low_risk", "rotation_45")
ADL_IMPACTS: Final = ("none", "mild", "severe")
RADICULAR_TESTS: Final = ("positive", "negative", "not_done")  # Spurling, traction/distraction
ARM_SIGNS: Final = ("reflexes", "weakness", "sensory")  # the three signs of grade III
ARM_SIDES: Final = ("left", "right", "both")
CHOICE_FINDINGS: Final = {"adl_impact": ADL_IMPACTS, "radicular_test": RADICULAR_TESTS,
                          "arm_side": ARM_SIDES}
NORMAL_COURSE_MAX_WEEKS: Final = 6  # "in de eerste zes weken"
LONG_ABSENCE_WEEKS: Final = 4  # "langer dan vier weken"
MAX_WEEKS: Final = 50 * 52.0  # over fifty years is not a duration anybody means
MAX_AGE: Final = 120  # whole years
ADULT_AGE: Final = 18  # the guideline is for adults (rule 11)
C_SPINE_MIN_AGE: Final = 16  # the Canadian C-spine rule was not validated below (rule 11)
C_SPINE_AGE_HIGH_RISK: Final = 65  # the rule's high-risk age (Stiell et al., JAMA 2001)
# Rule 12: how long ago a trauma may be for the Canadian C-spine rule to decide. Stated with its
# source and reading in nekpijn.toml ([c_spine_rule] window_weeks), which the loader checks
# against this number.
TRAUMA_WINDOW_WEEKS: Final = 12
# The window as a duration is said: 'drie maanden' (13.04 weeks) means about twelve weeks, so a
# tenth is allowed for the rounding of a spoken duration (the safer reading: the rule applies).
TRAUMA_WINDOW_SAID: Final = TRAUMA_WINDOW_WEEKS * 1.1
LIST_FINDINGS: Final = {"red_flags": RED_FLAG_CATEGORIES, "precautions": PRECAUTIONS,
                        "arm_signs": ARM_SIGNS}
OBJECT_FINDINGS: Final = {"c_spine_rule": C_SPINE_KEYS}
UNKNOWN: Final = "unknown"  # a red-flag answer of doubt that stayed doubt
NOT_RECORDED: Final = "not_recorded"  # the answer to an optional choice that leaves it unknown

AdlImpact = Literal["none", "mild", "severe"]
RadicularTest = Literal["positive", "negative", "not_done"]
ArmSide = Literal["left", "right", "both"]
Value = bool | str | float | tuple[str, ...]


@dataclass(frozen=True)
class CSpineRule:
    """The Canadian C-spine rule's three steps (Stiell et al., JAMA 2001; NEJM 2003).
    None means: not asked (yet)."""

    high_risk: bool | None = None  # age >= 65, a dangerous mechanism, or paraesthesia
    low_risk: bool | None = None  # at least one low-risk factor
    rotation_45: bool | None = None  # actively rotates the neck 45 degrees left and right

    def not_cleared(self) -> bool:
        """The rule already says: imaging needed (a step failed)."""
        return bool(self.high_risk) or self.low_risk is False or self.rotation_45 is False

    def to_json(self) -> dict[str, bool]:
        return {k: v for k in C_SPINE_KEYS if (v := getattr(self, k)) is not None}


@dataclass(frozen=True)
class Findings:
    """What the intake found. None means: not asked (yet)."""

    red_flags: tuple[str, ...] | None = None
    red_flags_unknown: tuple[str, ...] = ()
    age_years: int | None = None  # whole years (version 3)
    acute_deficit_now: bool | None = None  # vascular or spinal-cord deficit present now (v3)
    trauma_related: bool | None = None
    trauma_weeks_ago: float | None = None  # how long ago the accident was (version 3)
    fracture_ruled_out: bool | None = None  # after the trauma, by a doctor with imaging
    c_spine_rule: CSpineRule | None = None
    precautions: tuple[str, ...] | None = None
    precautions_unknown: tuple[str, ...] = ()  # not ruled out: count as present (rule 13)
    neurological_signs: bool | None = None
    arm_signs: tuple[str, ...] | None = None  # which of ARM_SIGNS (the follow-up's baseline)
    arm_side: ArmSide | None = None  # the side of the arm signs
    radicular_test: RadicularTest | None = None  # Spurling's and/or traction/distraction test
    referred_for_arm_signs: bool | None = None  # the GP or specialist referred for the arm signs
    adl_impact: AdlImpact | None = None
    weeks_since_onset: float | None = None
    improving: bool | None = None
    recurrent: bool | None = None
    psychosocial_dominant: bool | None = None
    has_work: bool | None = None  # paid or voluntary work, employed or self-employed
    work_related: bool | None = None
    work_absence_weeks: float | None = None

    def get(self, key: str) -> Value | CSpineRule | None:
        value: Value | CSpineRule | None = getattr(self, key)
        return value

    def with_value(self, key: str, value: Value | CSpineRule | None) -> Findings:
        """A copy with one finding set (or cleared with None)."""
        if key not in FINDING_KEYS:
            raise KeyError(key)
        changes: dict[str, Any] = {key: value}
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The findings-file form (version 2): only the keys that are known."""
        out: dict[str, Any] = {}
        for key in FINDING_KEYS:
            value = getattr(self, key)
            if value is None or (key in EMPTY_OMITTED and not value):
                continue
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, CSpineRule):
                value = value.to_json()
            elif isinstance(value, float) and value.is_integer():
                value = int(value)
            out[key] = value
        return out


FINDING_KEYS: Final = tuple(f.name for f in fields(Findings))
# Keys a findings file may leave out even when the dialog asks them (absent: no doubt, no
# imaging that ruled a fracture out, which arm signs and their side not recorded, and whether
# the patient works not asked: then the work questions decide as in the first version-2 files).
# The version-3 keys are optional too: a version-2 file keeps working (absent: the safer
# reading of each rule, DESIGN.md rules 9-13).
OPTIONAL_KEYS: Final = frozenset({"red_flags_unknown", "fracture_ruled_out", "arm_signs",
                                  "arm_side", "has_work", "age_years", "trauma_weeks_ago",
                                  "acute_deficit_now", "precautions_unknown"})
EMPTY_OMITTED: Final = frozenset({"red_flags_unknown", "precautions_unknown"})
BOOLEAN_FINDINGS: Final = frozenset(
    {"trauma_related", "fracture_ruled_out", "neurological_signs", "referred_for_arm_signs",
     "improving", "recurrent", "psychosocial_dominant", "has_work", "work_related",
     "acute_deficit_now"}
)
DURATION_FINDINGS: Final = frozenset({"weeks_since_onset", "work_absence_weeks",
                                      "trauma_weeks_ago"})


BONE_PRECAUTIONS: Final = frozenset({"osteoporosis", "corticosteroids", "rheumatoid_arthritis"})


def screened_deficit_flag(f: Findings) -> bool:
    """A vascular or spinal-cord red flag of the screening, found or not ruled out (a flag not
    ruled out too: the safer reading)."""
    return bool(DEFICIT_FLAGS.intersection((*(f.red_flags or ()), *f.red_flags_unknown)))


def deficit_flag(f: Findings) -> bool:
    """Whether a deficit present now is to be asked (DESIGN.md rule 9): after a screened
    vascular or spinal-cord flag, or arm signs on both sides (the cord, derived)."""
    return screened_deficit_flag(f) or (
        f.red_flags == () and bool(f.neurological_signs) and f.arm_side == "both")


def recent_trauma(f: Findings) -> bool:
    """DESIGN.md rule 12: a trauma within the Canadian C-spine rule's window, or of unknown age
    (the safer reading): the rule, or a precaution, can make it a fracture suspicion."""
    return bool(f.trauma_related) and (f.trauma_weeks_ago is None
                                       or f.trauma_weeks_ago <= TRAUMA_WINDOW_SAID)


def trauma_to_judge(f: Findings) -> bool:
    """A recent trauma without imaging that ruled a fracture out: a fracture is still to judge."""
    return recent_trauma(f) and not f.fracture_ruled_out


def bone_precautions(f: Findings) -> tuple[str, ...]:
    """The precautions found that make bone or ligaments fail at low force (BONE_PRECAUTIONS),
    in the findings' order."""
    return tuple(c for c in f.precautions or () if c in BONE_PRECAUTIONS)


def trauma_means_fracture(f: Findings) -> bool:
    """A recent trauma with bone or ligaments that fail at low force: the C-spine rule was not
    validated for them ("known vertebral disease" is among its exclusions), so a fracture is
    not ruled out (DESIGN.md rule 1)."""
    return trauma_to_judge(f) and bool(bone_precautions(f))


def child_after_trauma(f: Findings) -> bool:
    """DESIGN.md rule 11: under 16 the Canadian C-spine rule was not validated (Stiell et al.,
    JAMA 2001: 'age < 16' excluded), so after a recent trauma without imaging it cannot clear
    the neck."""
    return trauma_to_judge(f) and f.age_years is not None and f.age_years < C_SPINE_MIN_AGE


def is_minor(f: Findings) -> bool:
    """DESIGN.md rule 11: under 18; the guideline is for adults."""
    return f.age_years is not None and f.age_years < ADULT_AGE


def age_high_risk(f: Findings) -> bool:
    """The C-spine rule's high-risk age (65 or older), known from the age asked at the start."""
    return f.age_years is not None and f.age_years >= C_SPINE_AGE_HIGH_RISK


def fracture_before_the_rule(f: Findings) -> bool:
    """A recent trauma that is a fracture suspicion before the rule's questions: a bone
    precaution, a child, or the rule's high-risk age."""
    return trauma_means_fracture(f) or child_after_trauma(f) or (
        trauma_to_judge(f) and age_high_risk(f))


def needed_keys(f: Findings) -> list[str]:
    """The findings the decision needs, in the order the intake asks them (a key of the
    C-spine rule as `c_spine_rule.<key>`).

    Which keys are needed depends on the answers already known: a red flag (given, or derived
    from a trauma) makes everything else irrelevant; grade III does not need the course; a
    course already abnormal through its duration does not need improvement or recurrence;
    absence only matters when the pain is work-related. The version-3 keys (age, when the
    trauma was, a deficit now, unknown precautions) are optional: absent, each rule takes its
    safer reading.
    """
    keys = ["age_years", "red_flags"]
    if f.red_flags is None:
        return keys
    if screened_deficit_flag(f):
        keys.append("acute_deficit_now")
        if f.acute_deficit_now:  # 112 now (rule 9): nothing else is needed
            return keys
    if f.red_flags:
        return keys
    keys += ["precautions", "trauma_related"]
    if f.precautions is None or f.trauma_related is None:
        return keys
    if f.trauma_related:
        keys.append("trauma_weeks_ago")
    if recent_trauma(f):
        keys.append("fracture_ruled_out")
    if trauma_to_judge(f) and not fracture_before_the_rule(f):
        rule = f.c_spine_rule or CSpineRule()
        for step, fails in zip(C_SPINE_KEYS, (True, False, False), strict=True):
            keys.append(f"c_spine_rule.{step}")
            if getattr(rule, step) in (None, fails):  # not known yet, or the rule stops here
                return keys
    if fracture_before_the_rule(f):
        return keys
    keys.append("neurological_signs")
    if f.neurological_signs is None:
        return keys
    if f.neurological_signs:  # grade III: which signs and where (the follow-up's baseline),
        # then the test and the referral decide how sure, and who
        keys += ["arm_signs", "arm_side"]
        if f.arm_side == "both":  # both sides: the spinal cord, not grade III (a red flag),
            return [*keys, "acute_deficit_now"]  # and whether the deficit is there now
        keys += ["radicular_test", "referred_for_arm_signs"]
    keys += ["adl_impact", "weeks_since_onset"]  # the impact and course of every patient
    if f.weeks_since_onset is None:
        return keys
    if f.weeks_since_onset <= NORMAL_COURSE_MAX_WEEKS:
        keys.append("improving")
        if f.improving is None:
            return keys
        if f.improving:
            keys.append("recurrent")
            if f.recurrent is None:
                return keys
    normal = f.weeks_since_onset <= NORMAL_COURSE_MAX_WEEKS and f.improving and not f.recurrent
    if not normal and not f.neurological_signs:  # psychosocial factors: B or C (grades I-II)
        keys.append("psychosocial_dominant")
    keys.append("has_work")
    if f.has_work is not False:  # no work: no work-related neck pain and no sick leave
        keys.append("work_related")
    if f.work_related or f.has_work:  # sick leave is asked of everybody who works
        keys.append("work_absence_weeks")
    return keys


def known(f: Findings, key: str) -> bool:
    """Whether a needed key (plain or `c_spine_rule.<key>`) has a value."""
    if key.startswith("c_spine_rule."):
        return f.c_spine_rule is not None and getattr(f.c_spine_rule, key.split(".")[1]) is not None
    return f.get(key) is not None


def missing_keys(f: Findings) -> list[str]:
    """Needed findings that are still unknown (empty when a decision can be made)."""
    return [key for key in needed_keys(f) if not known(f, key) and key not in OPTIONAL_KEYS]


def require_complete(f: Findings) -> None:
    """Raise FindingsError naming the first needed key that is missing (a version-1 file
    fails here on 'precautions', the first version-2 key it lacks)."""
    missing = missing_keys(f)
    if missing:
        raise FindingsError(f"sleutel '{missing[0]}' ontbreekt (nodig voor de beslissing)")
