"""The rules' result: the classification and the treatment plan (DESIGN.md "Result"), and its
result.json form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.protocol.model import Urgency

Grade = Literal["I", "II", "III", "IV"]
Course = Literal["normal", "abnormal"]
ProfileId = Literal["A", "B", "C", "D"]


def referral_when(urgency: str | None) -> str:
    """How soon a referred patient sees a doctor, in Dutch (the report, the history)."""
    return {"emergency": "nu, via 112 of de spoedeisende hulp", "acute": "vandaag nog"}.get(
        str(urgency), "op korte termijn, geen spoed")


@dataclass(frozen=True)
class Result:
    """The classification and treatment plan (DESIGN.md "Result")."""

    grade: Grade
    course: Course | None
    profile: ProfileId | None
    referral: bool
    reasons: tuple[str, ...]
    urgency: Urgency | None = None
    red_flags: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()  # red flags not ruled out: the plan is provisional
    cautions: tuple[str, ...] = ()
    recommended: tuple[str, ...] = ()
    consider: tuple[str, ...] = ()
    discouraged: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    exercises: tuple[str, ...] = ()
    closure: dict[str, Any] = field(default_factory=dict)
    exercise_warning: str | None = None
    exercises_if_insufficient: tuple[str, ...] = ()
    advice: tuple[str, ...] = ()  # the profile's advice for this patient (work, school)

    @property
    def provisional(self) -> bool:
        """DESIGN.md rule 3: the plan holds only once the unresolved red flags are ruled out
        (a referral is no plan of ours: its unresolved flags go into the letter)."""
        return bool(self.unresolved) and not self.referral

    def to_json(self) -> dict[str, Any]:
        """The result.json form: the therapies grouped under "therapy", the closure plan as
        closure_json gives it, "exercise_warning" only when there is one."""
        out: dict[str, Any] = {
            "grade": self.grade,
            "course": self.course,
            "profile": self.profile,
            "referral": self.referral,
            "urgency": self.urgency,
            "red_flags": list(self.red_flags),
            "provisional": self.provisional,
            "unresolved": list(self.unresolved),
            "cautions": list(self.cautions),
            "reasons": list(self.reasons),
            "therapy": {
                "recommended": list(self.recommended),
                "consider": list(self.consider),
                "discouraged": list(self.discouraged),
            },
            "actions": list(self.actions),
            "exercises": list(self.exercises),
            "exercises_if_insufficient": list(self.exercises_if_insufficient),
            "closure": dict(self.closure),
            "advice": list(self.advice),
        }
        if self.exercise_warning:
            out["exercise_warning"] = self.exercise_warning
        return out
