"""The consultation: a `transitions` state machine over the intake's sections.

One state per section of the protocol data (questions are asked in data order within it), plus
`result` and `stopped`. After a section is answered the machine fires `advance`; the table below
says where that leads, with conditions that are the protocol's own rule functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from transitions import Machine

from assistant.dialog.events import Answer as Answered
from assistant.dialog.events import Ask, Confirm, Emit, ResultEvent, Say, json_value
from assistant.dialog.intents import interpret
from assistant.dialog.loop import Outcome
from assistant.dialog.numbers import word_value
from assistant.dialog.phrases import accepted_phrases, display_value, spoken_summary
from assistant.dialog.readings import Answer, Between, Command, Doubt, Unclear
from assistant.dialog.section_findings import names_the_sign, section_findings
from assistant.dialog.turns import MAX_TRIES, Turns
from assistant.errors import JournalMismatch, ProtocolError
from assistant.protocol import rules
from assistant.protocol.dialog_texts import IntakeTexts
from assistant.protocol.findings import (
    DEFICIT_FLAGS,
    UNKNOWN,
    Findings,
    Value,
)
from assistant.protocol.model import AnswerType, Protocol, Question
from assistant.protocol.rules import Result
from assistant.speech.interfaces import Utterance
from assistant.text import WEEKS_PER_YEAR, format_date, normalise, printable

RESULT: Final = "result"
ROUNDING: Final = 0.15  # two durations said in round numbers ('een maand', 'vier weken') differ
# by up to this part, and a day
STOPPED: Final = "stopped"
RED_FLAGS: Final = "red_flags"
DEFICIT_QUESTION: Final = "acute_deficit_now"  # asked right after a vascular or cord flag
REFERRAL_DURATION: Final = "referral_duration"  # before a referral: the duration, for the letter
STATES: Final = (
    "age", RED_FLAGS, "acute_deficit", "precautions", "trauma", "trauma_when", "trauma_imaging",
    "c_spine_high", "c_spine_low", "c_spine_rotation", "neurological", "arm_side", "radicular",
    "referred", "impact", "onset", "improving", "recurrent", "psychosocial", "employment",
    "work", "absence", REFERRAL_DURATION, RESULT, STOPPED,
)

def check_sections(protocol: Protocol) -> None:
    """The data's sections ([[sections]] in nekpijn.toml) are this machine's question states,
    in its order; ProtocolError naming the first difference (a section renamed or added in the
    data without its row in TRANSITIONS would never be asked)."""
    data = [section.id for section in protocol.sections]
    machine = [state for state in STATES if state not in (RESULT, STOPPED)]
    if data != machine:
        first = next((i for i, (a, b) in enumerate(zip(data, machine, strict=False)) if a != b),
                     min(len(data), len(machine)))
        found = data[first] if first < len(data) else "(geen)"
        wanted = machine[first] if first < len(machine) else "(geen)"
        raise ProtocolError(f"sections: section {first + 1} is '{found}', the consultation "
                            f"asks '{wanted}' there (dialog/consultation.py STATES)")


# The consultation, as a table. First matching row wins; a row without conditions is the
# "otherwise" of the rows above it. Conditions are pure rule functions of the findings.
TRANSITIONS: Final[list[dict[str, Any]]] = [
    {"trigger": "advance", "source": "age", "dest": RED_FLAGS},
    # A vascular or spinal-cord flag: is the deficit there now? Then 112, and nothing more is
    # asked (DESIGN.md rule 9).
    {"trigger": "advance", "source": RED_FLAGS, "dest": RESULT,
     "conditions": [rules.has_deficit_now]},  # asked right after the flag: 112 now
    {"trigger": "advance", "source": RED_FLAGS, "dest": "acute_deficit",
     "conditions": [rules.deficit_to_ask]},
    {"trigger": "advance", "source": RED_FLAGS, "dest": "precautions"},
    {"trigger": "advance", "source": "acute_deficit", "dest": RESULT,
     "conditions": [rules.has_deficit_now]},
    # from the arm signs on both sides (the spinal cord): on to the duration for the letter
    {"trigger": "advance", "source": "acute_deficit", "dest": REFERRAL_DURATION,
     "conditions": [rules.has_neurological_signs]},
    # The precautions and a trauma are asked even after a red flag: a fracture suspicion makes
    # a referral acute, and the letter names them.
    {"trigger": "advance", "source": "acute_deficit", "dest": "precautions"},
    {"trigger": "advance", "source": "precautions", "dest": "trauma"},
    {"trigger": "advance", "source": "trauma", "dest": "trauma_when",
     "conditions": [rules.is_trauma_related]},
    {"trigger": "advance", "source": "trauma", "dest": REFERRAL_DURATION,
     "conditions": [rules.has_red_flag]},
    {"trigger": "advance", "source": "trauma", "dest": "neurological"},
    # Only a recent trauma (or one of unknown date) goes through the C-spine rule (rule 12).
    {"trigger": "advance", "source": "trauma_when", "dest": "trauma_imaging",
     "conditions": [rules.is_recent_trauma]},
    {"trigger": "advance", "source": "trauma_when", "dest": REFERRAL_DURATION,
     "conditions": [rules.has_red_flag]},
    {"trigger": "advance", "source": "trauma_when", "dest": "neurological"},
    {"trigger": "advance", "source": "trauma_imaging", "dest": "c_spine_high",
     "conditions": [rules.c_spine_rule_needed]},
    {"trigger": "advance", "source": "trauma_imaging", "dest": REFERRAL_DURATION,
     "conditions": [rules.has_red_flag]},
    {"trigger": "advance", "source": "trauma_imaging", "dest": "neurological"},
    {"trigger": "advance", "source": "c_spine_high", "dest": REFERRAL_DURATION,
     "conditions": [rules.fracture_suspected]},
    {"trigger": "advance", "source": "c_spine_high", "dest": "c_spine_low"},
    {"trigger": "advance", "source": "c_spine_low", "dest": REFERRAL_DURATION,
     "conditions": [rules.fracture_suspected]},
    {"trigger": "advance", "source": "c_spine_low", "dest": "c_spine_rotation"},
    {"trigger": "advance", "source": "c_spine_rotation", "dest": REFERRAL_DURATION,
     "conditions": [rules.has_red_flag]},
    {"trigger": "advance", "source": "c_spine_rotation", "dest": "neurological"},
    # Grade III: the radicular test and whether the patient was referred for it; then, as for
    # every patient, the impact and the course (psychosocial factors only choose B or C).
    {"trigger": "advance", "source": "neurological", "dest": "arm_side",
     "conditions": [rules.has_neurological_signs]},
    {"trigger": "advance", "source": "neurological", "dest": "impact"},
    {"trigger": "advance", "source": "arm_side", "dest": "acute_deficit",
     "conditions": [rules.deficit_to_ask]},  # both sides: the spinal cord; a deficit now?
    {"trigger": "advance", "source": "arm_side", "dest": REFERRAL_DURATION,
     "conditions": [rules.has_red_flag]},
    {"trigger": "advance", "source": "arm_side", "dest": "radicular"},
    {"trigger": "advance", "source": "radicular", "dest": "referred"},
    {"trigger": "advance", "source": "referred", "dest": "impact"},
    {"trigger": "advance", "source": "impact", "dest": "onset"},
    {"trigger": "advance", "source": "onset", "dest": "psychosocial",
     "conditions": [rules.onset_beyond_normal], "unless": [rules.has_neurological_signs]},
    {"trigger": "advance", "source": "onset", "dest": "employment",
     "conditions": [rules.onset_beyond_normal]},
    {"trigger": "advance", "source": "onset", "dest": "improving"},
    {"trigger": "advance", "source": "improving", "dest": "recurrent",
     "conditions": [rules.is_improving]},
    {"trigger": "advance", "source": "improving", "dest": "psychosocial",
     "unless": [rules.has_neurological_signs]},
    {"trigger": "advance", "source": "improving", "dest": "employment"},
    {"trigger": "advance", "source": "recurrent", "dest": "psychosocial",
     "conditions": [rules.is_recurrent], "unless": [rules.has_neurological_signs]},
    {"trigger": "advance", "source": "recurrent", "dest": "employment"},
    {"trigger": "advance", "source": "psychosocial", "dest": "employment"},
    # Work: whether the patient works; then whether the work adds to the neck pain, and the
    # sick leave of everybody who works (the actions keep the seed's own conditions).
    {"trigger": "advance", "source": "employment", "dest": "work",
     "conditions": [rules.has_work]},
    {"trigger": "advance", "source": "employment", "dest": RESULT},
    {"trigger": "advance", "source": "work", "dest": "absence"},
    {"trigger": "advance", "source": "absence", "dest": RESULT},
    {"trigger": "advance", "source": REFERRAL_DURATION, "dest": RESULT},
    {"trigger": "stop", "source": list(STATES[:-2]), "dest": STOPPED},
]


def _bare_number(text: str) -> bool:
    """'20', 'twintig': a number said without its unit."""
    words = normalise(text).split()
    return bool(words) and all(word_value(w) is not None for w in words)


def longer_than(weeks: float, than: float) -> bool:
    """Whether a duration said is longer than another beyond the rounding of round numbers
    (ROUNDING, and a day): sick leave than the neck pain, the neck pain than the accident."""
    return weeks > than * (1 + ROUNDING) + 1 / 7


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
    cross_check: bool = True  # sick leave no longer than the neck pain; off for a findings
    # file, which is stored as given
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


@dataclass
class Consultation:
    """One intake. Feed it utterances with `hear`; it reports everything through `emit`."""

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

    def __post_init__(self) -> None:
        check_sections(self.protocol)
        self.machine = Machine(
            model=self, states=list(STATES), transitions=TRANSITIONS,
            initial=STATES[0], auto_transitions=False,
        )
        self.turns = Turns(self, self.texts.turns, self.protocol.vocabulary,
                           max_tries=self.config.max_tries, voice=self.config.voice,
                           hears=self.config.hears)

    # --- public -------------------------------------------------------------------------------

    @property
    def texts(self) -> IntakeTexts:
        return self.protocol.dialog.intake

    @property
    def outcome(self) -> Outcome:
        if self.state == RESULT:
            return "done"
        return "stopped" if self.state == STOPPED else "running"

    def start(self) -> None:
        """Ask the first question."""
        self._enter_section()

    def restore(self, question_id: str, heard: str, value: Value, note: str = "") -> None:
        """Replay an answer from the journal (resume); it must answer the current question."""
        question = self.current
        if question is None or question.id != question_id:
            asked = question.id if question else "niets"
            raise JournalMismatch(f"het dagboek antwoordt op '{question_id}', maar de intake "
                                  f"vraagt '{asked}'")
        if question.type in (AnswerType.DURATION, AnswerType.AGE) \
                and isinstance(value, int | float) and not isinstance(value, bool):
            value = float(value)  # the journal keeps 47, the dialog's number type is float
        self._restoring = True
        try:
            self._accept(question, heard, value, note)
        finally:
            self._restoring = False

    def undo(self) -> None:
        """Replay a 'terug' from the journal (resume)."""
        self.on_back()

    def announce(self) -> None:
        """After a resume: give the result again, or ask the open question again."""
        if self.result is not None:
            self.emit(ResultEvent(self.result.to_json()))
            self.emit(Say("summary", spoken_summary(self.result, self.protocol)))
            return
        self.emit(Say("intro", self.texts.resumed))
        self._ask(self.current)

    def grammar(self) -> list[str]:
        """The phrases that can be said now (answers and commands), for a recogniser."""
        if self.current is None:
            return []
        vocab = self.protocol.vocabulary
        question = None if self.turns.confirming or self.turns.paused else self.current
        return accepted_phrases(vocab, question)

    def hear(self, utterance: Utterance | None) -> None:
        """Handle one utterance; None means the input ended (counts as stop)."""
        self.turns.hear(utterance)

    # --- turns (called by self.turns) ---------------------------------------------------------

    def on_back(self) -> None:
        """'terug': the previous question again, its answer taken back."""
        if not self.history:
            self.turns.first_question()
            return
        record = self.history.pop()
        self.findings = record.findings_before
        self.machine.set_state(record.state)
        self._ask(record.question)

    def on_stop(self) -> None:
        self._fire("stop")
        # "de antwoorden … zijn bewaard" only when there are answers to keep
        self.emit(Say("stopped", self.texts.stopped if self.history
                      else self.texts.stopped_unanswered))

    def on_answer(self, heard: Utterance) -> None:
        question = self.current
        assert question is not None
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
            case Answer() if self._longer_than_onset(question, intent.value):
                self.turns.retry("longer_than_onset",
                                 self.texts.turns.why("longer_than_onset"))
            case Answer() if (longer := self._longer_than_possible(question, intent.value)):
                self.turns.retry(longer, self.texts.turns.why(longer))
            case Answer() if question.red_flag and intent.value is False \
                    and not self._sign_reasked and names_the_sign(question, intent.note):
                # 'nee, alleen koorts na een keelontsteking': the words name the sign, so asked
                # once more with the help; a second such "nee" is read back, as every "nee"
                # with words on a red flag
                self._sign_reasked = True
                self._earlier.append(printable(heard.text))
                self.turns.retry("contradiction", self.texts.turns.why("contradiction"))
            case Answer():
                self._answer(question, heard, intent)
            case None | Command():  # a command never reaches here (Turns takes it first)
                self.turns.retry("not_understood", self.texts.turns.not_understood)

    # --- answers ------------------------------------------------------------------------------

    def _answer(self, question: Question, heard: Utterance, intent: Answer) -> None:
        """Take an answer, after reading it back where that is needed. On a screening question
        the words said before it was asked again stay with it ('eerder gezegd: …')."""
        value, note = intent.value, intent.note
        if self._earlier and question.doubt_recorded:
            earlier = f"{self.texts.said_before} {' / '.join(dict.fromkeys(self._earlier))}"
            note = f"{note}; {earlier}" if note else earlier
        if intent.read_back or self._needs_confirmation(question, value, heard.confidence,
                                                        heard.text) \
                or (question.reads_back_words and intent.note):  # "nee, alleen Hoffmann positief"
            if question.screening and self.config.confirm_screening and not self._told_why:
                self._told_why = True  # why every screening answer is read back, said once
                self.emit(Say("notice", self.texts.confirm_screening))
            self.turns.confirm(
                Confirm(question.id, question.finding, json_value(value),
                        self._confirm_text(question, intent)),
                yes=lambda: self._accept(question, heard.text, value, note),
                no=lambda: self._ask(question),
                doubt=lambda said: self._doubt(question, said))  # doubt on the question itself
            return
        self._accept(question, heard.text, value, note)

    def _longer_than_onset(self, question: Question, value: Value) -> bool:
        """Sick leave for the neck pain cannot last longer than the neck pain itself."""
        onset = self.findings.weeks_since_onset
        return (self.config.cross_check and question.finding == "work_absence_weeks"
                and isinstance(value, float) and onset is not None
                and longer_than(value, onset))

    def _longer_than_possible(self, question: Question, value: Value) -> str | None:
        """A duration longer than the patient's life ('longer_than_age'), or neck pain that
        began after the accident but lasts longer than the time since it
        ('longer_than_accident'): asked again with the reason (a hostile review found both
        taken, and the old-trauma rule then used them)."""
        if not (self.config.cross_check and question.type is AnswerType.DURATION
                and isinstance(value, float)):
            return None
        age = self.findings.age_years
        if age is not None and value > (age + 1) * WEEKS_PER_YEAR:
            return "longer_than_age"
        accident = self.findings.trauma_weeks_ago
        if question.finding == "weeks_since_onset" and self.findings.trauma_related \
                and accident is not None and longer_than(value, accident):
            return "longer_than_accident"
        return None

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

    def _needs_confirmation(self, question: Question, value: Value, confidence: float,
                            heard: str = "") -> bool:
        if question.read_back_yes and value is True:  # 'ja, de huisarts heeft ernaar gekeken'
            return True
        if question.read_back_bare and _bare_number(heard):  # '20': weeks, or meant days?
            return True
        if question.screening and self.config.confirm_screening:
            return True
        if question.screening and (
            value == question.alarm or confidence < self.config.confirm_red_flag_no_below
        ):
            return True
        return confidence < self.config.confirm_below

    def _confirm_text(self, question: Question, intent: Answer) -> str:
        value = intent.value
        said = display_value(question, value, self.protocol)
        if intent.since is not None:
            return self.texts.confirm_since.format(value=said, since=format_date(intent.since))
        if intent.read_back:
            return self.texts.confirm_inferred.format(value=said)
        if question.reads_back_words and isinstance(value, bool):
            return self._confirm_sign(question, value, intent.note)
        return self.texts.confirm.format(value=said)

    def _confirm_sign(self, question: Question, value: bool, note: str) -> str:
        """A screening answer read back as the sign: 'Dus geen: koorts … Klopt dat?' (never
        'Is het antwoord nee?', to which a "nee" could mean either)."""
        texts = self.texts
        if value:
            sign = texts.confirm_yes
        else:
            sign = texts.confirm_no_step if question.c_spine_step else texts.confirm_no_sign
        meaning = ""
        if value == question.alarm:
            meaning = (texts.alarm_red_flag if question.red_flag is not None
                       else texts.alarm_c_spine if question.c_spine_step
                       else texts.alarm_deficit)
        parts = [sign.format(label=question.label),
                 texts.confirm_said.format(note=note) if note else "", meaning,
                 texts.confirm_question]
        return " ".join(part for part in parts if part)

    def _accept(self, question: Question, heard: str, value: Value, note: str = "") -> None:
        self.history.append(AnswerRecord(question, heard, value, self.state, self.findings,
                                         note))
        self.emit(Answered(question.id, question.finding, json_value(value), note))
        if self.state == RED_FLAGS and self._deficit_next(question, value):
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
                           if r.state == RED_FLAGS and r.question.red_flag is not None)
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
        return all(r.value is False for r in self.history if r.state == section)

    def _close_section(self, last: Question, answered: dict[str, Value]) -> None:
        self.findings = section_findings(self.findings, last, answered, self.protocol,
                                         record_also=self.config.record_also)
        self._fire("advance", self.findings)
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
            self.result = rules.classify(self.findings, self.protocol)
            self.emit(ResultEvent(self.result.to_json()))
            self.emit(Say("summary", spoken_summary(self.result, self.protocol)))
            return
        section = self.protocol.section(self.state)
        if section.intro:
            self.emit(Say("intro", section.intro))
        self._ask(self._questions(section.id)[0])

    def _ask(self, question: Question | None) -> None:
        assert question is not None
        if question is not self.current:
            self._doubted = self._sign_reasked = False
            self._earlier = []
        self.current = question
        self.turns.ask(Ask(question.id, question.finding, question.text,
                           yes_means=question.yes_means), question.help)

    def _fire(self, name: str, *args: Any) -> bool:
        """Fire a trigger of the machine (conditions receive `args`)."""
        result: bool = self.machine.events[name].trigger(self, *args)
        return result
