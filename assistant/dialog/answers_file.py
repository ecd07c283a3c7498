"""Answering the intake from a findings file (`intake --answers FILE.json`): each question
asked gets the file's value for it, typed (speech.interfaces.Given), not words to parse."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.dialog.events import Ask, Confirm, Event
from assistant.dialog.exercise_choice import QUESTION as CHOICE_QUESTION
from assistant.protocol.findings import (
    NOT_RECORDED,
    OPTIONAL_KEYS,
    UNKNOWN,
    CSpineRule,
    Findings,
    Value,
)
from assistant.protocol.model import AnswerType, Protocol, Question
from assistant.protocol.rules import skipped
from assistant.speech.interfaces import Given, Input, Utterance


class FindingsAnswerer:
    """A listener that gives, for each question asked, the value the findings file holds.

    After the profile it chooses `exercises` (none by default). It also watches the events (it
    is a sink) to know which question is open. A value the file does not hold ends the input:
    the intake stops (exit 1) rather than guess.
    """

    def __init__(self, findings: Findings, protocol: Protocol,
                 exercises: Sequence[str] = ()) -> None:
        self.findings = findings
        self.protocol = protocol
        self.exercises = exercises  # the home exercises to choose after the profile
        self._reply: Input | None = None

    def __call__(self, event: Event) -> None:
        if isinstance(event, Ask) and event.question == CHOICE_QUESTION:
            self._reply = Utterance(" ".join(self.exercises) or "geen")
        elif isinstance(event, Ask) and event.signs:  # a checklist: the file's value per sign
            signs = [self.protocol.question(sign["id"]) for sign in event.signs]
            values = {q.id: self._answer(q) for q in signs}
            self._reply = None if None in values.values() else Given(event.question, values)
        elif isinstance(event, Ask):
            value = self._answer(self.protocol.question(event.question))
            self._reply = None if value is None else Given(event.question, value)
        elif isinstance(event, Confirm):
            self._reply = Utterance("ja")  # the choice of exercises, read back

    def _answer(self, question: Question) -> Value | None:
        """The file's value for `question` (True/False for a yes/no as said: "ja" is True), or
        None when the file does not hold it."""
        part = question.part
        if part is not None:
            return self._part_answer(question, *part)
        if question.gate:  # arm complaints: "ja" when the file found arm signs, or says none
            signs = self.findings.get(question.finding)
            return None if signs is None and not self._referred else bool(signs)
        if question.also is not None and self.findings.get(question.finding):
            key, _, member = question.also.partition(".")
            signs = self.findings.get(key)
            if isinstance(signs, tuple):  # the file says which: "ja" to each of those
                return member in signs
        value = self.findings.get(question.finding)
        if value is None and question.may_be_unknown and question.type is not AnswerType.YES_NO:
            return UNKNOWN  # not in the file (a version-2 file): not known, the safer reading
            # of each rule
        if value is None and question.finding == "has_work":  # a file from before the question
            value = bool(self.findings.work_related or self.findings.work_absence_weeks)
        elif value is None and question.type is AnswerType.CHOICE \
                and question.finding in OPTIONAL_KEYS:
            value = NOT_RECORDED
        elif value is None and self._referred and question.type is not AnswerType.YES_NO:
            value = UNKNOWN  # the complaint a referral does not need: left out, not known
        elif value is None and (question.finding in OPTIONAL_KEYS or self._referred):
            value = False  # left out of the file: not so
        if value is None or isinstance(value, CSpineRule):
            return None
        return value

    def _skipped(self, question: Question) -> bool:
        """A question the dialog skips for what the file knows (the age)."""
        return skipped(question, self.findings)

    @property
    def _referred(self) -> bool:
        """A red flag is given: the file may leave out what the decision then does not need
        (precautions, a trauma, the C-spine rule); those questions get the answer that adds
        nothing, so the intake reaches the same result as `classify`."""
        return bool(self.findings.red_flags)

    def _part_answer(self, question: Question, key: str, member: str) -> Value | None:
        """A file knows a category, not which sign: the first question of a member found says
        "ja", the others of it "nee"; a red flag that is unknown is not known."""
        first = next(q for q in self.protocol.questions if q.finding == question.finding
                     and not self._skipped(q))  # the first one the dialog asks
        if key == "c_spine_rule":
            rule = self.findings.c_spine_rule
            given = None if rule is None else getattr(rule, member)
            if given is None and self._referred:
                given = member != "high_risk"  # left out: the steps that clear the neck
            if given is None:
                return None
            found = given and first.id == question.id
            return found == question.yes_means
        members = self.findings.get(key)
        if members is None and self._referred:
            members = ()
        if not isinstance(members, tuple):
            return None
        unknown = {"red_flags": self.findings.red_flags_unknown,
                   "precautions": self.findings.precautions_unknown}.get(key, ())
        if member in unknown and member not in (members or ()):
            return UNKNOWN
        return member in members and first.id == question.id

    def listen(self, grammar: Sequence[str]) -> Input | None:
        reply, self._reply = self._reply, None
        return reply
