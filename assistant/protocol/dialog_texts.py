"""What the dialogs say around their questions (the [dialog] table of nekpijn.toml): re-asking,
the hints after failed tries, pause, confirmations, and the measurement's questions. Loaded
strictly at start-up: a missing or empty text, or a wrong placeholder, is a ProtocolError
naming its place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Final

from assistant.protocol.tables import Table


@dataclass(frozen=True)
class DialogTexts:
    """All the dialog texts: the intake's and the evaluation's."""

    intake: IntakeTexts
    evaluation: EvaluationTexts


# Texts of [dialog.intake] with placeholders; every other text has none.
INTAKE_PLACEHOLDERS: Final[Mapping[str, frozenset[str]]] = {
    "confirm": frozenset({"value"}),
    "confirm_yes": frozenset({"label"}),
    "confirm_no_sign": frozenset({"label"}),
    "confirm_no_step": frozenset({"label"}),
    "confirm_said": frozenset({"note"}),
    "confirm_inferred": frozenset({"value"}),
    "confirm_since": frozenset({"value", "since"}),
    "checklist_sign": frozenset({"number", "label"}),
    "checklist_named": frozenset({"labels"}),
}


@dataclass(frozen=True)
class IntakeTexts:
    """The consultation's own texts (the choice of exercises uses its `turns` too)."""

    turns: TurnTexts
    stopped: str
    stopped_unanswered: str  # stopped before any answer: nothing to keep, so nothing is said kept
    resumed: str
    resume_question: str  # before an interrupted intake is continued
    confirm: str  # {value}
    # A screening answer read back as the sign, never as a bare "ja"/"nee" (a "nee" to "Is het
    # antwoord nee?" was ambiguous): 'Dus wel: {label}.' or 'Dus geen: {label}.' (a red flag)
    # or 'Dus niet: {label}.' (a step of the C-spine rule), what was said beside it, the alarm's
    # meaning, and the question 'Klopt dat?'.
    confirm_yes: str  # {label}
    confirm_no_sign: str  # {label}
    confirm_no_step: str  # {label}
    confirm_said: str  # {note}
    confirm_question: str
    confirm_inferred: str  # {value}: a duration worked out ('meer dan', a correction)
    confirm_screening: str  # said once: why every screening answer is read back (no [unk])
    red_flags_all_no: str  # by voice: the red flags, all "nee", read back as a whole
    checklist_sign: str  # {number} {label}: one sign of a checklist, as it is read
    checklist_none: str  # a checklist answered "geen", read back
    checklist_named: str  # {labels}: the signs named, read back
    checklist_rest: str  # after them, when some were not named: the others are not there
    checklist_which: str  # a checklist answered "ja" without naming which
    checklist_one_by_one: str  # doubt on a checklist: its signs are asked one by one
    kept_answers: str  # an earlier answer changed: the later ones stay where they still fit
    confirm_since: str  # {value} {since}: a duration worked out from a date ('sinds september')
    alarm_red_flag: str  # the {meaning} of an alarming red-flag answer
    alarm_c_spine: str  # the {meaning} of an alarming answer on the C-spine rule
    alarm_deficit: str  # the meaning of a deficit present now: 112
    doubt: str  # doubt where a clear answer is needed
    doubt_red_flag: str  # doubt on a red flag: asked once more
    doubt_red_flag_recorded: str  # and then recorded as not ruled out
    doubt_c_spine: str
    doubt_c_spine_recorded: str
    doubt_unknown: str  # doubt on a precaution, a deficit now, when the accident was
    doubt_unknown_recorded: str  # and then recorded as not known (the safer reading)
    said_before: str  # before what was said on a screening question before it was asked again


ACTIVITIES: Final = ("activity1", "activity2", "activity3")  # the PSK's activities, named once
# The evaluation's questions: the activities (at the baseline, when not yet named), the scores.
MEASUREMENTS: Final = (*ACTIVITIES, "nprs", "psk1", "psk2", "psk3", "neuro")


@dataclass(frozen=True)
class EvaluationTexts:
    """The follow-up measurement's texts and the offer to take it after an intake."""

    turns: TurnTexts
    stopped: str
    offer: str
    psk_named: str  # a PSK question naming its activity: {activity}
    measurements: tuple[tuple[str, Measurement], ...]  # MEASUREMENTS, in order

    def measurement(self, question: str) -> Measurement:
        """The text and help of one of MEASUREMENTS (KeyError for another)."""
        return dict(self.measurements)[question]


@dataclass(frozen=True)
class Measurement:
    """One question of the evaluation."""

    text: str
    help: str


# Why an answer is asked again with its own words (the keys of [dialog.unclear]).
UNCLEAR_REASONS: Final = (
    "contradiction",  # 'ja, nee', 'links, nee rechts': two answers
    "two_amounts",  # 'drie weken, twee maanden' without a word that corrects
    "range",  # 'twee à drie weken', 'tussen vijf en zeven weken'
    "year",  # '2019' alone: a year or a count?
    "implausible",  # over fifty years
    "longer_than_onset",  # sick leave longer than the neck pain itself
    "whole_number",  # a score of '2,5' or 'twee à drie': the scales count whole points
    "out_of_range",  # a score of 'elf': the scales go from 0 to 10
    "age",  # an age that is not one whole number of years, 0 to 120
    "longer_than_age",  # a duration longer than the patient has lived
    "longer_than_accident",  # neck pain since the accident, longer than the time since it
    "shorter_than_onset",  # the accident more recent than the neck pain it began
)


@dataclass(frozen=True)
class TurnTexts:
    """What a dialog says when it asks again: shared by every dialog, except the command hint
    and the pause notice, which each dialog words for itself."""

    silence: str  # nothing was heard
    not_understood: str
    keyboard_hint: str  # voice, after the failed tries: offer the keyboard
    keyboard_only: str  # voice, when the model knows none of the question's answers
    paused: str
    first_question: str  # 'terug' at the first question
    confirm_help: str  # 'help' while a confirmation waits
    yes_or_no: str  # a confirmation answered with neither
    ask_again: str  # 'nee' to a confirmation
    command_hint: str  # text, after the failed tries: the commands
    still_paused: str  # an answer while paused
    unclear: tuple[tuple[str, str], ...] = ()  # UNCLEAR_REASONS → what is needed instead

    def why(self, reason: str) -> str:
        """What is said when an answer is asked again for `reason` (UNCLEAR_REASONS)."""
        return dict(self.unclear)[reason]


_SHARED: Final = tuple(f.name for f in fields(TurnTexts)
                       if f.name not in ("command_hint", "still_paused", "unclear"))
_OWN: Final = ("command_hint", "still_paused")


def _turns(shared: Table, own: Table) -> TurnTexts:
    values = {name: shared.template(name) for name in _SHARED}
    values.update({name: own.template(name) for name in _OWN})
    unclear = shared.table("unclear")
    unclear.check_keys(set(UNCLEAR_REASONS))
    return TurnTexts(**values, unclear=tuple((r, unclear.template(r)) for r in UNCLEAR_REASONS))


def _intake(shared: Table, t: Table) -> IntakeTexts:
    names = [f.name for f in fields(IntakeTexts) if f.name != "turns"]
    t.check_keys({*names, *_OWN})
    values = {name: t.template(name, INTAKE_PLACEHOLDERS.get(name, frozenset()))
              for name in names}
    return IntakeTexts(turns=_turns(shared, t), **values)


def _evaluation(shared: Table, t: Table) -> EvaluationTexts:
    t.check_keys({"stopped", "offer", "psk_named", *_OWN, *MEASUREMENTS})
    measurements = []
    for question in MEASUREMENTS:
        m = t.table(question)
        m.check_keys({"text", "help"})
        measurements.append((question, Measurement(m.template("text"), m.template("help"))))
    return EvaluationTexts(turns=_turns(shared, t), stopped=t.template("stopped"),
                          offer=t.template("offer"),
                          psk_named=t.template("psk_named", frozenset({"activity"})),
                          measurements=tuple(measurements))


def parse_dialog_texts(t: Table) -> DialogTexts:
    """The [dialog] table: the shared texts, [dialog.intake] and [dialog.evaluation]."""
    t.check_keys({*_SHARED, "unclear", "intake", "evaluation"})
    return DialogTexts(intake=_intake(t, t.table("intake")),
                       evaluation=_evaluation(t, t.table("evaluation")))
