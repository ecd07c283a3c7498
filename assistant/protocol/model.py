"""The guideline's data, as frozen dataclasses (filled by loader.py)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

from assistant.protocol.dialog_texts import DialogTexts
from assistant.protocol.exercises import Exercise, Library

RED_FLAG_PREFIX: Final = "red_flags."
Urgency = Literal["emergency", "acute", "routine"]  # emergency: 112 now (DESIGN.md rule 9)
FoundBy = Literal["history", "examination"]


class AnswerType(StrEnum):
    """How a question is answered."""

    YES_NO = "yes_no"
    DURATION = "duration"
    CHOICE = "choice"
    AGE = "age"  # whole years 0-120
    CHECKLIST = "checklist"  # a section's signs at once (dialog/checklist.py); never in data


class Condition(StrEnum):
    """A condition a therapy or action depends on (named in the data file)."""

    ALWAYS = "always"
    TRAUMA_RELATED = "trauma_related"
    NOT_TRAUMA_RELATED = "not_trauma_related"
    WORK_RELATED = "work_related"
    WORK_ABSENCE = "work_absence"
    WORK_ABSENCE_OVER_4_WEEKS = "work_absence_over_4_weeks"
    NOT_REFERRED_FOR_ARM_SIGNS = "not_referred_for_arm_signs"


@dataclass(frozen=True)
class Section:
    """A group of questions; one state of the consultation machine."""

    id: str
    title: str
    intro: str  # spoken when the section starts; may be empty
    ends_when_found: bool  # a (confirmed) answer that makes the finding true ends the section
    # A checklist section (the red flags, the precautions): its signs are read (or shown) one
    # after another, then one answer names the signs present or says none (dialog/checklist.py).
    checklist: str | None = None  # the question said after the list ('Welke …? Of geen?')
    checklist_help: str | None = None
    # The section can show its finding, not rule it out: its "nee"s leave it unknown for a
    # later section (the C-spine rule's low-risk history, before midline tenderness is examined)
    only_found: bool = False


@dataclass(frozen=True)
class Question:
    """One intake question."""

    id: str
    section: str
    finding: str  # a findings key, or "<list or object key>.<member>" (red_flags.tumour)
    type: AnswerType
    text: str  # the question, spoken
    help: str
    label: str  # short description, for confirmations and the report
    source: str  # the line of the protocol this traces to
    addition: str | None = None  # rationale, when the item is not in the source protocol
    unit: str | None = None  # durations: the unit of a bare number
    allow_none: bool = False  # durations: "geen" means 0
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()  # choice value → phrases
    between: tuple[str, ...] = ()  # phrases between two choices ('matig'), asked with `split`
    split: str | None = None  # the follow-up that splits them ('Eerder een beetje, of fors?')
    why: str | None = None  # why the question is asked (screening questions)
    yes_means: bool = True  # the value "ja" gives the finding (False: asked the other way round)
    alarm: bool | None = None  # the answer that raises an alarm: always confirmed
    found_by: FoundBy = "history"  # where the answer comes from: history or examination
    letter_label: str | None = None  # the referral letter's words for the alarming answer
    also: str | None = None  # a list member a "ja" records as well ("arm_signs.weakness")
    may_be_unknown: bool = False  # doubt, asked once more, is recorded as not known
    unknown_counts: bool | None = None  # what a not-known answer counts as (default: the
    # alarming one): an arm sign not examined counts as present (the safer reading)
    answered_by: str | None = None  # skipped when this finding is known (the age for '65+')
    min_age: int | None = None  # not asked when the age is known and below (the '50+' signs)
    max_age: int | None = None  # not asked when the age is known and above
    needs_age: bool = False  # asked only when the age is known (a variant for an age range)
    read_back_yes: bool = False  # a "ja" lets the intake skip a check: always read back
    read_back_bare: bool = False  # a bare number (the question's unit assumed) is read back
    sign_words: tuple[str, ...] = ()  # words that name the sign beside its label ('melanoom')
    names: tuple[str, ...] = ()  # checklist: what names this sign in an answer ('koorts')
    # A gate: its "nee" gives the finding (False), its "ja" only opens the questions that decide
    # it (arm complaints: "ja" opens the three arm signs; it claims none of them)
    gate: bool = False

    @property
    def reads_back_words(self) -> bool:
        """Words said beside a yes/no answer are read back with it before it counts (a safety
        question: a red flag, a step of the C-spine rule, a precaution, imaging)."""
        return self.screening or self.read_back_yes or self.finding.startswith("precautions.")

    @property
    def part(self) -> tuple[str, str] | None:
        """(key, member) for a question that fills part of a list or object finding."""
        key, dot, member = self.finding.partition(".")
        return (key, member) if dot else None

    @property
    def red_flag(self) -> str | None:
        """The red-flag category this question screens for, if any."""
        if self.finding.startswith(RED_FLAG_PREFIX):
            return self.finding[len(RED_FLAG_PREFIX) :]
        return None

    @property
    def doubt_recorded(self) -> bool:
        """A question whose doubt is asked once more and then recorded as unknown (a red flag,
        a step of the C-spine rule, a precaution, a deficit now, when the accident was), never
        read as a "nee" and never asked forever."""
        return (self.red_flag is not None or self.c_spine_step
                or self.finding.startswith("precautions.") or self.may_be_unknown)

    @property
    def c_spine_step(self) -> bool:
        """A question of the Canadian C-spine rule."""
        return self.finding.startswith("c_spine_rule.")

    @property
    def alarming(self) -> bool:
        """The answer that raises the alarm, or that the rule needs to go on: for a low-risk
        factor, its absence. What a doubt that stays doubt counts as (the safer reading)."""
        return self.alarm if self.alarm is not None else not self.yes_means

    @property
    def counted_if_unknown(self) -> bool:
        """The answer a doubt that stayed doubt counts as: `unknown_counts`, else the
        alarming one."""
        return self.alarming if self.unknown_counts is None else self.unknown_counts

    @property
    def screening(self) -> bool:
        """A safety question: a red flag or any step of the C-spine rule, a low-risk factor
        included (its answers are confirmed where they raise an alarm, and where heard with
        less confidence; a 'ja' to a low-risk factor is what lets the rule clear the neck)."""
        return self.alarm is not None or self.c_spine_step


@dataclass(frozen=True)
class Vocabulary:
    """How people answer and command, as normalised phrases."""

    fillers: frozenset[str]
    yes: frozenset[str]
    no: frozenset[str]
    doubt: frozenset[str]  # "weet ik niet": never a "nee"
    doubt_words: frozenset[str]  # "geloof", "vergeten": doubt wherever they stand
    unchecked_words: frozenset[str]  # "gecontroleerd": doubt after a negation ('niet …')
    none_duration: frozenset[str]
    just_now: frozenset[str]  # 'vandaag', 'net', 'een paar uur geleden': a duration of 0
    commands: tuple[tuple[str, tuple[str, ...]], ...]  # command → phrases
    units: tuple[tuple[str, float], ...]  # unit word → days
    typed_units: tuple[tuple[str, float], ...] = ()  # abbreviations ('wk'): typed, never spoken


@dataclass(frozen=True)
class RedFlag:
    """A category of serious pathology (grade IV)."""

    id: str
    name: str  # Dutch, for reasons and the letter
    urgency: Urgency  # acute: a doctor today
    source: str
    addition: str | None = None


@dataclass(frozen=True)
class Precaution:
    """A reason not to manipulate (and, for bone and ligaments, to take any trauma seriously)."""

    id: str
    name: str  # Dutch
    why: str
    source: str
    addition: str | None = None


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
    exercises_if_insufficient: tuple[str, ...] = ()  # D: nerve glides, 'bij onvoldoende effect'
    summary_no_manipulation: str | None = None  # said instead when manipulation is ruled out


@dataclass(frozen=True)
class Referral:
    """The referral's spoken summary and the letter's parts (placeholders in braces)."""

    summary: tuple[tuple[Urgency, str], ...]  # urgency → spoken summary
    letter: tuple[tuple[str, str], ...]  # part → text
    source: str

    def text(self, part: str, **values: str) -> str:
        return dict(self.letter)[part].format(**values)


@dataclass(frozen=True)
class Protocol:
    """The whole guideline."""

    schema_version: int
    name: str
    version: str
    # what the intake asks, and how it hears and says it
    vocabulary: Vocabulary
    dialog: DialogTexts  # what the dialogs say around their questions
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    # what it decides, and why
    reasons: tuple[tuple[str, str], ...]
    red_flags: tuple[RedFlag, ...]
    precautions: tuple[Precaution, ...]
    profiles: tuple[tuple[str, Profile], ...]
    therapies: tuple[tuple[str, Therapy], ...]
    actions: tuple[tuple[str, Action], ...]
    library: Library  # the home exercises and the guided session's texts
    # what it advises and writes
    referral: Referral
    ending_advice: tuple[str, ...]
    participation: tuple[str, str]  # the advice line about work, and its variant for school
    closure_without_work: tuple[str, str]  # a closing line naming the occupational physician,
    # and what it says for someone without work

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

    def red_flag(self, category: str) -> RedFlag:
        return next(r for r in self.red_flags if r.id == category)

    def red_flag_name(self, category: str) -> str:
        return self.red_flag(category).name

    def precaution(self, item: str) -> Precaution:
        return next(p for p in self.precautions if p.id == item)

    def precaution_name(self, item: str) -> str:
        return self.precaution(item).name

    def arm_sign_name(self, sign: str) -> str:
        """The label of the question that records an arm sign ("spierzwakte in de arm")."""
        return next(q.label for q in self.questions if q.also == f"arm_signs.{sign}")

    def reason(self, key: str, **values: str) -> str:
        return dict(self.reasons)[key].format(**values)
