"""The consultation: the intake as a `transitions` state machine over its sections (the table
is in consultation_table.py), asking each section's questions in data order with the shared
turns; `terug` and `change` take answers back.

A screening section with a checklist in the data (the precautions, the red-flag history) is
asked as one checklist (dialog/checklist.py): its signs read out, one answer for all; doubt,
or "een voor een", asks that section's signs one by one. A changed answer keeps every later
answer that still applies: they are taken again as they were, and only what the change newly
needs is asked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar, Final

from assistant.dialog import checklist as lists
from assistant.dialog.answer_checks import (
    contradiction,
    needs_read_back,
    read_back_text,
    typed_value,
)
from assistant.dialog.checklist import Checklist, Named, NoneOfThem, OneByOne, Which
from assistant.dialog.consultation_table import (
    BACK,
    QUESTION_STATES,
    RED_FLAGS,
    RESULT,
    SCREENING_STATES,
    STATES,
    STOPPED,
    TRANSITIONS,
)
from assistant.dialog.events import Answer, Ask, Confirm, Emit, ResultEvent, Say, json_value
from assistant.dialog.intents import interpret
from assistant.dialog.loop import Outcome
from assistant.dialog.machine import MachineOutcome, table_machine
from assistant.dialog.phrases import accepted_phrases, spoken_summary
from assistant.dialog.readings import Between, Command, Doubt, Unclear, Understood
from assistant.dialog.section_findings import names_the_sign, section_findings
from assistant.dialog.turns import MAX_TRIES, Turns
from assistant.errors import JournalMismatch, ProtocolError, UsageError
from assistant.protocol import rules
from assistant.protocol.dialog_texts import IntakeTexts
from assistant.protocol.findings import DEFICIT_FLAGS, UNKNOWN, Findings, Value
from assistant.protocol.model import AnswerType, Protocol, Question
from assistant.protocol.result import Result
from assistant.speech.interfaces import Utterance
from assistant.text import printable

# Why an answer cannot be changed (Consultation.change; the screen checks the same before it
# sends the change, ui/engine.py)
NOT_CHANGEABLE: Final = "dit antwoord is niet (meer) te veranderen"
CONCLUDED: Final = "de uitkomst is er al; begin een nieuwe intake om een antwoord te veranderen"
DEFICIT_QUESTION: Final = "acute_deficit_now"  # asked right after a vascular or cord flag


def check_sections(protocol: Protocol) -> None:
    """The data's sections ([[sections]] in nekpijn.toml) are this machine's question states,
    in its order; ProtocolError naming the first difference (a section renamed or added in the
    data without its row in TRANSITIONS would never be asked)."""
    data = [section.id for section in protocol.sections]
    machine = list(QUESTION_STATES)
    if data != machine:
        first = next((i for i, (a, b) in enumerate(zip(data, machine, strict=False)) if a != b),
                     min(len(data), len(machine)))
        found = data[first] if first < len(data) else "(geen)"
        wanted = machine[first] if first < len(machine) else "(geen)"
        raise ProtocolError(f"sections: section {first + 1} is '{found}', the consultation "
                            f"asks '{wanted}' there (dialog/consultation_table.py STATES)")


@dataclass(frozen=True)
class DialogConfig:
    """When an answer must be confirmed (confidences come from the recogniser; text is 1.0)."""

    confirm_below: float = 0.5  # any answer heard with less confidence is confirmed
    confirm_red_flag_no_below: float = 0.8  # a red-flag "nee" heard with less is confirmed
    max_tries: int = MAX_TRIES  # failed tries before the commands (text) or keyboard (voice)
    voice: bool = False  # answers come from speech (the keyboard is the fallback)
    record_also: bool = True  # keep which list members the answers name (`also`); off for a
    # findings file that does not name them (it knows the arm signs, not which)
    today: date | None = None  # the consultation date, for 'sinds september' (None: the clock)
    confirm_screening: bool = False  # every answer on a red flag or C-spine step is read back:
    # a model without [unk] forces any speech onto a grammar word, with full confidence
    hears: Callable[[Sequence[str]], bool] | None = None  # by voice: whether the model knows
    # any of the phrases; a question with no known answer goes to the keyboard at once


@dataclass(frozen=True)
class AnswerRecord:
    """One answered question, kept for `terug` and the report."""

    question: Question
    heard: str
    value: Value
    state: str  # the machine state it was asked in
    findings_before: Findings
    note: str = ""  # what was said beside the answer ('ja, een kop-staartbotsing')
    group: str = ""  # the checklist it was answered in (its id), or "" for its own question

    @property
    def unit(self) -> str:
        """What was asked: the checklist's id, or the question's."""
        return self.group or self.question.id


def unit_answers(history: Sequence[AnswerRecord]) -> list[Answer]:
    """The answers as they were given, one per question or checklist (its signs' records as
    one `answer` with the value per sign): what the journal keeps and a resume replays."""
    answers: list[Answer] = []
    for record in history:
        if record.group and answers and answers[-1].question == record.group:
            last = answers[-1]
            assert isinstance(last.value, dict)
            last.value[record.question.id] = json_value(record.value)
        elif record.group:
            part = record.question.part
            answers.append(Answer(record.group, part[0] if part else record.question.finding,
                                  {record.question.id: json_value(record.value)}, record.note,
                                  heard=record.heard))
        else:
            answers.append(Answer(record.question.id, record.question.finding,
                                  json_value(record.value), record.note, heard=record.heard))
    return answers


@dataclass(frozen=True)
class Kept:
    """A later answer kept while an earlier one is changed: taken again as it was, when it is
    asked again (Consultation.change)."""

    heard: str
    value: Value | dict[str, Value]
    note: str


@dataclass
class Consultation(MachineOutcome):
    """One intake. Feed it utterances with `hear`; it reports everything through `emit`."""

    ENDS: ClassVar[dict[str, Outcome]] = {RESULT: "done", STOPPED: "stopped"}
    # the machine's triggers (consultation_table.py), bound by `transitions`
    advance: ClassVar[Callable[..., bool]]  # (findings: Findings)
    back: ClassVar[Callable[..., bool]]  # (asked: str): the state the answer was asked in
    stop: ClassVar[Callable[..., bool]]

    protocol: Protocol
    emit: Emit
    config: DialogConfig = field(default_factory=DialogConfig)
    findings: Findings = field(default_factory=Findings)
    history: list[AnswerRecord] = field(default_factory=list)
    result: Result | None = None
    current: Question | None = None
    state: str = STATES[0]
    _doubted: bool = False  # the current question got an answer of doubt before
    _sign_reasked: bool = False  # a "nee" whose words name the sign was asked once more
    _earlier: list[str] = field(default_factory=list)  # said on this question, asked again
    _told_why: bool = False  # why every screening answer is read back (confirm_screening)
    _restoring: bool = False  # replaying the journal: nothing is read back
    checklist: Checklist | None = None  # the checklist asked now (current is its question)
    _one_by_one: set[str] = field(default_factory=set)  # checklist sections asked per sign
    _kept: dict[str, Kept] = field(default_factory=dict)  # later answers, while changing one
    _changing: bool = False  # change() is taking answers back

    def __post_init__(self) -> None:
        check_sections(self.protocol)
        self.machine = table_machine(self, STATES, [*TRANSITIONS, *BACK], STATES[0])
        self.turns = Turns(self, self.texts.turns, self.protocol.vocabulary,
                           max_tries=self.config.max_tries, voice=self.config.voice,
                           hears=self.config.hears)

    # --- public -------------------------------------------------------------------------------

    @property
    def texts(self) -> IntakeTexts:
        return self.protocol.dialog.intake

    def start(self) -> None:
        """Ask the first question."""
        self._enter_section()

    def restore(self, question_id: str, heard: str, value: object, note: str = "") -> None:
        """Replay an answer from the journal (resume); it must answer the current question
        (JournalMismatch otherwise), with a value of its type (TypeError: typed_value)."""
        if self.checklist is not None and question_id in (q.id for q in self.checklist.signs):
            self._one_by_one.add(self.checklist.id)  # it was asked one by one then
            self._ask(self.checklist.signs[0])
        question = self.current
        if question is None or question.id != question_id:
            asked = question.id if question else "niets"
            raise JournalMismatch(f"het dagboek antwoordt op '{question_id}', maar de intake "
                                  f"vraagt '{asked}'")
        self._restoring = True
        try:
            if self.checklist is not None:
                self._accept_checklist(self.checklist, heard,
                                       lists.checked_value(self.checklist, value), note)
            else:
                self._accept(question, heard, typed_value(question, value), note)
        finally:
            self._restoring = False

    def give(self, question_id: str, value: object) -> None:
        """A typed answer to the open question (a findings file's: intake --answers; the
        screen's checklist), taken as it is: nothing parsed, nothing read back, no Heard.
        "unknown" for a question that is no yes/no: the file leaves out what a referral does
        not need (the complaint, asked first): not known, the finding stays empty. ValueError
        when it answers another question or its value does not fit the question's type."""
        question = self.current
        if question is None or question.id != question_id:
            raise ValueError(f"'{question_id}' is niet de open vraag")
        if self.checklist is not None:  # the screen's ticks: one value per sign
            if self.turns.confirming:
                self.turns.go_back()
            self._accept_checklist(self.checklist, "",
                                   lists.checked_value(self.checklist, value))
            return
        if value == UNKNOWN and question.type is not AnswerType.YES_NO:
            self._accept(question, "", UNKNOWN)
            return
        self._accept(question, "", typed_value(question, value))

    def undo(self) -> None:
        """Replay a 'terug' from the journal (resume)."""
        self.on_back()

    def change(self, question_id: str) -> None:
        """Change the answer to `question_id` (a question's or a checklist's id): answers are
        taken back, each as a 'terug' takes it (an answer waiting for confirmation is dropped
        first), until that question is asked again; the events are those of as many 'terug's,
        without their Heard. The later answers are kept: once the changed one is given, each
        is taken again as it was when it is asked again (a checklist when it presents the
        same signs), so only what the change newly needs is asked. UsageError when the result
        is given, or when the question is not among the answers standing."""
        if self.result is not None:
            raise UsageError(CONCLUDED)
        if self.outcome != "running" or question_id not in (r.unit for r in self.history):
            raise UsageError(NOT_CHANGEABLE)
        if self.turns.confirming:
            self.turns.go_back()
        units = list(dict.fromkeys(r.unit for r in self.history))
        if question_id not in units:  # a section's read-back refused took it back
            return
        later = units[units.index(question_id) + 1:]
        signs: dict[str, dict[str, Value]] = {}  # a checklist's value, per sign
        for r in self.history:
            if r.group in later:
                signs.setdefault(r.group, {})[r.question.id] = r.value
        self._kept = {r.unit: Kept(r.heard, signs.get(r.unit, r.value), r.note)
                      for r in self.history if r.unit in later}
        if self._kept:
            self.emit(Say("notice", self.texts.kept_answers))
        self._changing = True
        try:
            while self.history and question_id in (r.unit for r in self.history):
                self.turns.go_back()
        finally:
            self._changing = False

    def announce(self) -> None:
        """After a resume: give the result again, or ask the open question again."""
        if self.result is not None:
            self.emit(ResultEvent(self.result.to_json()))
            self.emit(Say("summary", spoken_summary(self.result, self.protocol)))
            return
        self.emit(Say("intro", self.texts.resumed))
        if self.checklist is not None:
            self._ask_checklist(self.checklist)
        else:
            self._ask(self.current)

    def grammar(self) -> list[str]:
        """The phrases that can be said now (answers and commands), for a recogniser."""
        if self.current is None:
            return []
        vocab = self.protocol.vocabulary
        if self.checklist is not None and not (self.turns.confirming or self.turns.paused):
            return sorted({*accepted_phrases(vocab, None),
                           *lists.phrases(self.checklist, vocab)})
        question = None if self.turns.confirming or self.turns.paused else self.current
        return accepted_phrases(vocab, question)

    def hear(self, utterance: Utterance | None) -> None:
        """Handle one utterance; None means the input ended (counts as stop)."""
        self.turns.hear(utterance)

    # --- turns (called by self.turns) ---------------------------------------------------------

    def on_back(self) -> None:
        """'terug': the previous question (or checklist) again, its answer taken back."""
        if not self._changing:
            self._kept = {}  # a 'terug' of the user's own: nothing is taken again
        if not self.history:
            self.turns.first_question()
            return
        record = self.history.pop()
        while record.group and self.history and self.history[-1].group == record.group:
            record = self.history.pop()  # a checklist's signs go back together
        self.findings = record.findings_before
        went_back = self.back(record.state)
        assert went_back, f"no way back from {self.state} to {record.state}"
        if record.group:
            self._ask_checklist(self._checklist_of(record.group))
        else:
            self._ask(record.question)

    def on_stop(self) -> None:
        self._kept = {}
        self.stop()
        # "de antwoorden … zijn bewaard" only when there are answers to keep
        self.emit(Say("stopped", self.texts.stopped if self.history
                      else self.texts.stopped_unanswered))

    def on_answer(self, heard: Utterance) -> None:
        question = self.current
        assert question is not None
        if self.checklist is not None:
            self._on_checklist(self.checklist, heard)
            return
        intent = interpret(heard.text, question, self.protocol.vocabulary, self.config.today)
        if isinstance(intent, Doubt | Unclear) and question.doubt_recorded:
            self._earlier.append(printable(heard.text))  # kept with the answer (the letter)
        match intent:
            case Doubt():
                self._doubt(question, heard.text)
            case Between():
                assert question.split is not None
                self.turns.reprompt("between", question.split)
            case Unclear(reason=reason):
                self.turns.retry(reason, self.texts.turns.why(reason))
            case Understood() if (wrong := contradiction(question, intent.value, self.findings)):
                self.turns.retry(wrong, self.texts.turns.why(wrong))
            case Understood() if question.red_flag and intent.value is False \
                    and not self._sign_reasked and names_the_sign(question, intent.note):
                # 'nee, alleen koorts na een keelontsteking': the words name the sign, so asked
                # once more with the help; a second such "nee" is read back, as every "nee"
                # with words on a red flag
                self._sign_reasked = True
                self._earlier.append(printable(heard.text))
                self.turns.retry("contradiction", self.texts.turns.why("contradiction"))
            case Understood():
                self._answer(question, heard, intent)
            case None | Command():  # a command never reaches here (Turns takes it first)
                self.turns.retry("not_understood", self.texts.turns.not_understood)

    # --- checklists ---------------------------------------------------------------------------

    def _on_checklist(self, checklist: Checklist, heard: Utterance) -> None:
        """An answer to a checklist: the signs named (always read back), none (read back by
        voice on the red flags, and whenever it was heard unsure), "ja"
        without which (asked which), or doubt or "een voor een" (the signs one by one)."""
        reading = lists.read_checklist(heard.text, checklist, self.protocol.vocabulary)
        match reading:
            case Named(ids=ids, note=note):
                self._confirm_checklist(checklist, heard,
                                        lists.checklist_value(checklist, ids), note)
            case NoneOfThem():
                value = lists.checklist_value(checklist)
                config = self.config
                if config.confirm_screening or heard.confidence < max(
                        config.confirm_below, config.confirm_red_flag_no_below) or (
                        config.voice and checklist.finding == "red_flags"):
                    self._confirm_checklist(checklist, heard, value, "")
                else:
                    self._accept_checklist(checklist, heard.text, value)
            case Which():
                self.turns.retry("which", self.texts.checklist_which)
            case Doubt() | OneByOne():
                self._go_one_by_one(checklist)
            case _:
                self.turns.retry("not_understood", self.texts.turns.not_understood)

    def _confirm_checklist(self, checklist: Checklist, heard: Utterance,
                           value: dict[str, Value], note: str) -> None:
        if self.config.confirm_screening and not self._told_why:
            self._told_why = True  # why every screening answer is read back, said once
            self.emit(Say("notice", self.texts.confirm_screening))
        self.turns.confirm(
            Confirm(checklist.id, checklist.finding, value,
                    lists.read_back(checklist, value, self.texts, note)),
            yes=lambda: self._accept_checklist(checklist, heard.text, value, note),
            no=lambda: self._ask_checklist(checklist),
            doubt=lambda _said: self._go_one_by_one(checklist))

    def _go_one_by_one(self, checklist: Checklist) -> None:
        """Doubt about a sign, or "een voor een": this section's signs are asked one by one,
        where doubt per sign is asked once more and then recorded as not known."""
        self._one_by_one.add(checklist.id)
        self.checklist = None
        self.emit(Say("notice", self.texts.checklist_one_by_one))
        self._ask(checklist.signs[0])

    def _accept_checklist(self, checklist: Checklist, heard: str, value: dict[str, Value],
                          note: str = "") -> None:
        """A checklist answered: one record per sign (taken back together), one Answer with
        the value per sign; then the deficit question after a vascular or cord sign found or
        not ruled out, else the section closes."""
        before = self.findings
        for sign in checklist.signs:
            self.history.append(AnswerRecord(sign, heard, value[sign.id], self.state, before,
                                             note, group=checklist.id))
        self.checklist = None
        self.emit(Answer(checklist.id, checklist.finding, dict(value), note))
        answered = {r.question.id: r.value for r in self.history}
        trigger = next((q for q in checklist.signs if q.red_flag in DEFICIT_FLAGS
                        and value[q.id] in (True, UNKNOWN)), None)
        if trigger is not None and self._deficit_next(trigger, value[trigger.id]):
            return
        self._close_section(checklist.signs[-1], answered)

    def _checklist_of(self, section: str) -> Checklist:
        """The checklist of `section` with the signs that apply to this patient now."""
        questions = self._questions(section)
        return lists.checklist_of(self.protocol.section(section), questions)

    def _ask_checklist(self, checklist: Checklist) -> None:
        self._doubted = self._sign_reasked = False
        self._earlier = []
        self.checklist = checklist
        self.current = checklist.question()
        if self._take_kept(checklist.id):
            return
        signs = tuple({"id": q.id, "label": q.label} for q in checklist.signs)
        self.turns.ask(Ask(checklist.id, checklist.finding,
                           lists.ask_text(checklist, self.texts), signs=signs),
                       self.current.help,
                       again=Ask(checklist.id, checklist.finding, self.current.text,
                                 signs=signs))  # asked again: not the whole list once more

    def _take_kept(self, unit: str) -> bool:
        """While an earlier answer is changed: the answer kept for `unit` taken again as it
        was, when it still fits (a checklist of the same signs, a value that contradicts no
        answer now). True when it took the turn."""
        if self._changing or self._restoring:
            return False
        kept = self._kept.pop(unit, None)
        if kept is None:
            return False
        if self.checklist is not None:
            try:
                value = lists.checked_value(self.checklist, kept.value)
            except ValueError:
                return False
            self._accept_checklist(self.checklist, kept.heard, value, kept.note)
            return True
        question = self.current
        assert question is not None
        if isinstance(kept.value, dict) or contradiction(question, kept.value, self.findings):
            return False
        self._accept(question, kept.heard, kept.value, kept.note)
        return True

    # --- answers ------------------------------------------------------------------------------

    def _answer(self, question: Question, heard: Utterance, intent: Understood) -> None:
        """Take an answer, after reading it back where that is needed. On a screening question
        the words said before it was asked again stay with it ('eerder gezegd: …')."""
        value, note = intent.value, intent.note
        if self._earlier and question.doubt_recorded:
            earlier = f"{self.texts.said_before} {' / '.join(dict.fromkeys(self._earlier))}"
            note = f"{note}; {earlier}" if note else earlier
        config = self.config
        if intent.read_back or needs_read_back(
                question, value, heard.confidence, heard.text, below=config.confirm_below,
                red_flag_no_below=config.confirm_red_flag_no_below,
                every_screening=config.confirm_screening) \
                or (question.reads_back_words and intent.note):  # "nee, alleen Hoffmann positief"
            if question.screening and config.confirm_screening and not self._told_why:
                self._told_why = True  # why every screening answer is read back, said once
                self.emit(Say("notice", self.texts.confirm_screening))
            self.turns.confirm(
                Confirm(question.id, question.finding, json_value(value),
                        read_back_text(question, intent, self.texts, self.protocol)),
                yes=lambda: self._accept(question, heard.text, value, note),
                no=lambda: self._ask(question),
                doubt=lambda said: self._doubt(question, said))  # doubt on the question itself
            return
        self._accept(question, heard.text, value, note)

    def _doubt(self, question: Question, heard: str) -> None:
        """Doubt is never a "nee". On a red flag the sign is then not ruled out, and on a step of
        the C-spine rule the rule cannot clear the neck: asked once more, a second doubt is
        recorded as unknown. Elsewhere: the help and the question, as a failed try."""
        if not question.doubt_recorded:
            self.turns.retry("doubt", self.texts.doubt)
        elif not self._doubted:
            self._doubted = True
            opening = (self.texts.doubt_red_flag if question.red_flag
                       else self.texts.doubt_c_spine if question.c_spine_step
                       else self.texts.doubt_unknown)
            self.turns.reprompt("doubt", f"{opening} {question.help}")
            self._ask(question)
        else:
            self.emit(Say("notice", self.texts.doubt_red_flag_recorded if question.red_flag
                          else self.texts.doubt_c_spine_recorded if question.c_spine_step
                          else self.texts.doubt_unknown_recorded))
            said = " / ".join(dict.fromkeys(self._earlier))  # every doubt said, once each
            self._accept(question, heard, UNKNOWN, said or printable(heard))  # why unknown

    def _accept(self, question: Question, heard: str, value: Value, note: str = "") -> None:
        self.history.append(AnswerRecord(question, heard, value, self.state, self.findings,
                                         note))
        self.emit(Answer(question.id, question.finding, json_value(value), note))
        if self.state in SCREENING_STATES and self._deficit_next(question, value):
            return
        section = self.protocol.section(self.state if question.id == DEFICIT_QUESTION
                                        else question.section)
        answered = {r.question.id: r.value for r in self.history}
        remaining = [q for q in self._questions(section.id) if q.id not in answered]
        if question.section != section.id:  # the interjected deficit question: the section
            question = next(r.question for r in reversed(self.history)  # closes on its own
                            if r.question.section == section.id)
        ended = section.ends_when_found and value == question.yes_means
        if remaining and not ended:
            self._ask(remaining[0])
        elif self._read_back_section(section.id):
            self.turns.confirm(
                Confirm(question.id, section.id, [], self.texts.red_flags_all_no),
                yes=lambda: self._close_section(question, answered),
                no=lambda: self._redo_section(section.id))
        else:
            self._close_section(question, answered)

    def _deficit_next(self, question: Question, value: Value) -> bool:
        """DESIGN.md rule 9, asked without delay: right after a vascular or spinal-cord flag
        (found or doubted), whether a deficit is present now; a "ja" (or doubt) ends the
        screening with 112, a "nee" goes on with the red flags. True when it took the turn."""
        deficit = self.protocol.question(DEFICIT_QUESTION)
        if question.id == DEFICIT_QUESTION:
            now = value is True or value == UNKNOWN  # doubt counts as a deficit now
            self.findings = self.findings.with_value(DEFICIT_QUESTION, now)
            if not now:
                return False  # the red flags go on (the next one is found below)
            trigger = next(r.question for r in reversed(self.history)
                           if r.state == self.state and r.question.red_flag is not None)
            answered = {r.question.id: r.value for r in self.history}
            self._close_section(trigger, answered)
            return True
        asked = any(r.question.id == DEFICIT_QUESTION for r in self.history)
        if asked or question.red_flag not in DEFICIT_FLAGS or value not in (True, UNKNOWN):
            return False
        self._ask(deficit)
        return True

    def _read_back_section(self, section: str) -> bool:
        """By voice, the red flags all heard as "nee" are read back as a whole before they are
        closed: one misheard "nee" would rule out a sign (DESIGN.md "Voice behaviour")."""
        if not self.config.voice or self._restoring or section != RED_FLAGS:
            return False
        records = [r for r in self.history if r.state == section]
        return all(r.value is False and not r.group for r in records)  # (a checklist: read
        # back when it was answered)

    def _close_section(self, last: Question, answered: dict[str, Value]) -> None:
        self.findings = section_findings(self.findings, last, answered, self.protocol,
                                         record_also=self.config.record_also)
        self.advance(self.findings)
        self._enter_section()

    def _redo_section(self, section: str) -> None:
        """The section's answers taken back; its first question again."""
        while self.history and self.history[-1].state == section:
            self.findings = self.history.pop().findings_before
        self._ask(self._questions(section)[0])

    def _questions(self, section: str) -> list[Question]:
        """The section's questions still to ask: one answered by a finding already known is
        skipped (the C-spine rule's age item when the age is known)."""
        return [q for q in self.protocol.section_questions(section)
                if not rules.skipped(q, self.findings)]

    # --- states -------------------------------------------------------------------------------

    def _enter_section(self) -> None:
        if self.state == RESULT:
            self.current = None
            self._kept = {}
            self.result = rules.classify(self.findings, self.protocol)
            self.emit(ResultEvent(self.result.to_json()))
            self.emit(Say("summary", spoken_summary(self.result, self.protocol)))
            return
        section = self.protocol.section(self.state)
        if not any(q.id in self._kept for q in self._questions(section.id)):
            self._one_by_one.discard(section.id)  # entered anew: its checklist first (but
            # signs answered one by one and kept through a change are taken again so)
        as_list = section.checklist is not None and section.id not in self._one_by_one
        first = section.id if as_list else self._questions(section.id)[0].id
        if section.intro and first not in self._kept:  # (an answer kept is not asked)
            self.emit(Say("intro", section.intro))
        if as_list:
            self._ask_checklist(self._checklist_of(section.id))
            return
        self._ask(self._questions(section.id)[0])

    def _ask(self, question: Question | None) -> None:
        assert question is not None
        assert question.type is not AnswerType.CHECKLIST  # (_ask_checklist asks those)
        if question is not self.current:
            self._doubted = self._sign_reasked = False
            self._earlier = []
        self.current = question
        self.checklist = None
        if self._take_kept(question.id):
            return
        self.turns.ask(Ask(question.id, question.finding, question.text,
                           yes_means=question.yes_means), question.help)
