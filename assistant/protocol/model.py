"""The guideline's data, as frozen dataclasses (filled by loader.py)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from assistant.protocol.exercises import Exercise, Library

RED_FLAG_PREFIX: Final = "red_flags."


class AnswerType(StrEnum):
    """How a question is answered."""

    YES_NO = "yes_no"
    DURATION = "duration"
    CHOICE = "choice"


class Condition(StrEnum):
    """A condition a therapy or action depends on (named in the data file)."""

    ALWAYS = "always"
    TRAUMA_RELATED = "trauma_related"
    NOT_TRAUMA_RELATED = "not_trauma_related"
    WORK_RELATED = "work_related"
    WORK_ABSENCE = "work_absence"
    WORK_ABSENCE_OVER_4_WEEKS = "work_absence_over_4_weeks"


@dataclass(frozen=True)
class Section:
    """A group of questions; one state of the consultation machine."""

    id: str
    title: str
    intro: str  # spoken when the section starts; may be empty
    ends_on_yes: bool  # a (confirmed) "ja" ends the section


@dataclass(frozen=True)
class Question:
    """One intake question."""

    id: str
    section: str
    finding: str  # a findings key, or "red_flags.<category>"
    type: AnswerType
    text: str  # the question, spoken
    help: str
    label: str  # short description, for confirmations and the report
    source: str  # the line of the protocol this traces to
    addition: str | None = None  # rationale, when the item is not in the source protocol
    unit: str | None = None  # durations: the unit of a bare number
    allow_none: bool = False  # durations: "geen" means 0
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()  # choice value → phrases

    @property
    def red_flag(self) -> str | None:
        """The red-flag category this question screens for, if any."""
        if self.finding.startswith(RED_FLAG_PREFIX):
            return self.finding[len(RED_FLAG_PREFIX) :]
        return None


@dataclass(frozen=True)
class Vocabulary:
    """How people answer and command, as normalised phrases."""

    fillers: frozenset[str]
    yes: frozenset[str]
    no: frozenset[str]
    none_duration: frozenset[str]
    commands: tuple[tuple[str, tuple[str, ...]], ...]  # command → phrases
    units: tuple[tuple[str, float], ...]  # unit word → days


@dataclass(frozen=True)
class Therapy:
    id: str
    name: str
    source: str
    when: Condition = Condition.ALWAYS


@dataclass(frozen=True)
class Action:
    id: str
    text: str
    source: str


@dataclass(frozen=True)
class ProfileAction:
    id: str
    when: Condition


@dataclass(frozen=True)
class ClosurePlan:
    max_sessions: int | None = None
    evaluate_with: tuple[str, ...] = ()
    review_after_weeks: int | None = None
    refer_gp_if_worse: bool = False


@dataclass(frozen=True)
class Profile:
    id: str
    title: str
    summary: str
    advice: tuple[str, ...]
    work_advice: tuple[str, ...]
    recommended: tuple[str, ...]
    consider: tuple[str, ...]
    discouraged: tuple[str, ...]
    actions: tuple[ProfileAction, ...]
    exercises: tuple[str, ...]
    closure: tuple[str, ...]
    closure_plan: ClosurePlan
    source: str
    exercise_warning: str | None = None


@dataclass(frozen=True)
class Referral:
    summary: str
    letter: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Protocol:
    """The whole guideline."""

    schema_version: int
    name: str
    version: str
    vocabulary: Vocabulary
    red_flags: tuple[tuple[str, str], ...]  # category → Dutch name
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    therapies: tuple[tuple[str, Therapy], ...]
    actions: tuple[tuple[str, Action], ...]
    library: Library  # the home exercises and the guided session's texts
    profiles: tuple[tuple[str, Profile], ...]
    referral: Referral
    ending_advice: tuple[str, ...]
    reasons: tuple[tuple[str, str], ...]

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def section_questions(self, section_id: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.section == section_id)

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def profile(self, profile_id: str) -> Profile:
        return dict(self.profiles)[profile_id]

    def therapy(self, therapy_id: str) -> Therapy:
        return dict(self.therapies)[therapy_id]

    def action(self, action_id: str) -> Action:
        return dict(self.actions)[action_id]

    @property
    def exercises(self) -> tuple[tuple[str, Exercise], ...]:
        return tuple((e.code, e) for e in self.library.exercises)

    def exercise(self, code: str) -> Exercise:
        return self.library.exercise(code)

    def red_flag_name(self, category: str) -> str:
        return dict(self.red_flags)[category]

    def reason(self, key: str, **values: str) -> str:
        return dict(self.reasons)[key].format(**values)
