"""The guideline's decision rules: pure functions from findings to a result.

Each function traces to the source protocol (shared/source/kngf-nekpijn-oefenprotocol.txt);
the quoted line is in its docstring. No I/O, no clock, no globals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.protocol.findings import (
    LONG_ABSENCE_WEEKS,
    NORMAL_COURSE_MAX_WEEKS,
    Findings,
    require_complete,
)
from assistant.protocol.model import Condition, Profile, Protocol
from assistant.text import format_weeks

Grade = Literal["I", "II", "III", "IV"]
Course = Literal["normal", "abnormal"]
ProfileId = Literal["A", "B", "C", "D"]


def has_red_flag(f: Findings) -> bool:
    """'Graad IV: Nekpijn met tekenen of symptomen die kunnen wijzen op ernstige structurele
    pathologie.'"""
    return bool(f.red_flags)


def has_neurological_signs(f: Findings) -> bool:
    """'Graad III: … waarbij wel neurologische symptomen aanwezig zijn'."""
    return bool(f.neurological_signs)


def onset_beyond_normal(f: Findings) -> bool:
    """'nekpijn die langer duurt dan zes weken wordt gezien als … afwijkend beloop' (decided on
    the unrounded duration)."""
    return f.weeks_since_onset is not None and f.weeks_since_onset > NORMAL_COURSE_MAX_WEEKS


def is_improving(f: Findings) -> bool:
    """'… de pijn afneemt en/of de activiteiten en/of participatie toenemen'."""
    return bool(f.improving)


def is_recurrent(f: Findings) -> bool:
    """'Recidiverende nekpijn … wordt gezien als nekpijn met een afwijkend beloop'."""
    return bool(f.recurrent)


def is_work_related(f: Findings) -> bool:
    """'Aanvullend bij werkgerelateerde nekpijn'."""
    return bool(f.work_related)


def grade(f: Findings) -> Grade:
    """Neck Pain Task Force grade I–IV, as the source defines them."""
    if has_red_flag(f):
        return "IV"
    if has_neurological_signs(f):
        return "III"
    return "II" if f.adl_impact == "severe" else "I"


def course(f: Findings) -> Course | None:
    """'normaal beloop' within six weeks with decreasing pain and/or increasing activity, not
    recurrent; otherwise 'afwijkend beloop'. None when the findings do not tell."""
    if onset_beyond_normal(f) or f.improving is False or f.recurrent is True:
        return "abnormal" if f.weeks_since_onset is not None else None
    if f.weeks_since_onset is None or f.improving is None or f.recurrent is None:
        return None
    return "normal"


def profile(f: Findings) -> ProfileId | None:
    """Treatment profile A–D; None for grade IV (referral)."""
    g = grade(f)
    if g == "IV":
        return None
    if g == "III":
        return "D"
    if course(f) == "normal":
        return "A"
    return "C" if f.psychosocial_dominant else "B"


def condition_holds(condition: Condition, f: Findings) -> bool:
    """Whether a therapy's or action's condition (named in the data file) holds."""
    absence = f.work_absence_weeks or 0.0
    match condition:
        case Condition.ALWAYS:
            return True
        case Condition.TRAUMA_RELATED:
            return bool(f.trauma_related)
        case Condition.NOT_TRAUMA_RELATED:
            return f.trauma_related is False
        case Condition.WORK_RELATED:
            return is_work_related(f)
        case Condition.WORK_ABSENCE:
            return is_work_related(f) and absence > 0
        case Condition.WORK_ABSENCE_OVER_4_WEEKS:
            return is_work_related(f) and absence > LONG_ABSENCE_WEEKS


@dataclass(frozen=True)
class Result:
    """The classification and treatment plan (DESIGN.md "Result")."""

    grade: Grade
    course: Course | None
    profile: ProfileId | None
    referral: bool
    reasons: tuple[str, ...]
    recommended: tuple[str, ...] = ()
    consider: tuple[str, ...] = ()
    discouraged: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    exercises: tuple[str, ...] = ()
    closure: dict[str, Any] = field(default_factory=dict)
    exercise_warning: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "grade": self.grade,
            "course": self.course,
            "profile": self.profile,
            "referral": self.referral,
            "reasons": list(self.reasons),
            "therapy": {
                "recommended": list(self.recommended),
                "consider": list(self.consider),
                "discouraged": list(self.discouraged),
            },
            "actions": list(self.actions),
            "exercises": list(self.exercises),
            "closure": dict(self.closure),
        }
        if self.exercise_warning:
            out["exercise_warning"] = self.exercise_warning
        return out


def _grade_reasons(f: Findings, p: Protocol, g: Grade) -> list[str]:
    if g == "IV":
        signs = ", ".join(p.red_flag_name(c) for c in f.red_flags or ())
        return [p.reason("grade_iv", signs=signs)]
    if g == "III":
        return [p.reason("grade_iii")]
    if g == "II":
        return [p.reason("grade_ii")]
    return [p.reason("grade_i_none" if f.adl_impact == "none" else "grade_i_mild")]


def _course_reasons(f: Findings, p: Protocol, c: Course | None) -> list[str]:
    if c is None:
        return [p.reason("course_not_needed")]
    weeks = format_weeks(f.weeks_since_onset or 0.0)
    if c == "normal":
        return [p.reason("course_normal", weeks=weeks)]
    if onset_beyond_normal(f):
        return [p.reason("course_long", weeks=weeks)]
    if f.improving is False:
        return [p.reason("course_not_improving")]
    return [p.reason("course_recurrent")]


def _plan_reasons(f: Findings, p: Protocol, prof: Profile) -> list[str]:
    reasons = []
    if prof.id != "A" and f.trauma_related is not None:
        reasons.append(p.reason("trauma" if f.trauma_related else "not_trauma"))
    if is_work_related(f):
        reasons.append(p.reason("work"))
        if (f.work_absence_weeks or 0.0) > 0:
            reasons.append(p.reason("absence", weeks=format_weeks(f.work_absence_weeks or 0.0)))
    return reasons


def _closure(prof: Profile) -> dict[str, Any]:
    plan = prof.closure_plan
    out: dict[str, Any] = {}
    if plan.max_sessions is not None:
        out["max_sessions"] = plan.max_sessions
    if plan.evaluate_with:
        out["evaluate_with"] = list(plan.evaluate_with)
    if plan.review_after_weeks is not None:
        out["review_after_weeks"] = plan.review_after_weeks
    if plan.refer_gp_if_worse:
        out["refer_gp_if_worse"] = True
    return out


def classify(f: Findings, p: Protocol) -> Result:
    """The result for complete findings (raises FindingsError naming a missing key)."""
    require_complete(f)
    g = grade(f)
    reasons = _grade_reasons(f, p, g)
    prof_id = profile(f)
    if prof_id is None:
        return Result(grade=g, course=None, profile=None, referral=True, reasons=tuple(reasons),
                      actions=("refer_gp",))
    prof = p.profile(prof_id)
    c = course(f)
    reasons += _course_reasons(f, p, c)
    reasons.append(p.reason(f"profile_{prof_id.lower()}"))
    reasons += _plan_reasons(f, p, prof)

    def allowed(ids: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(t for t in ids if condition_holds(p.therapy(t).when, f))

    return Result(
        grade=g,
        course=c,
        profile=prof_id,
        referral=False,
        reasons=tuple(reasons),
        recommended=allowed(prof.recommended),
        consider=allowed(prof.consider),
        discouraged=allowed(prof.discouraged),
        actions=tuple(a.id for a in prof.actions if condition_holds(a.when, f)),
        exercises=prof.exercises,
        closure=_closure(prof),
        exercise_warning=prof.exercise_warning,
    )
