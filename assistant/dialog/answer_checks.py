"""What the consultation checks in an answer before it takes it: the answers so far it cannot
contradict (cross-checks), whether it is read back for a ja first, and the words it is read
back with."""

from __future__ import annotations

import math
from typing import Final

from assistant.dialog.numbers import word_value
from assistant.dialog.phrases import display_value
from assistant.dialog.readings import Understood
from assistant.protocol.dialog_texts import IntakeTexts
from assistant.protocol.findings import MAX_AGE, MAX_WEEKS, UNKNOWN, Findings, Value
from assistant.protocol.model import AnswerType, Protocol, Question
from assistant.text import WEEKS_PER_YEAR, format_date, normalise

ROUNDING: Final = 0.15  # two durations said in round numbers ('een maand', 'vier weken') differ
# by up to this part, and a day


def typed_value(question: Question, value: object) -> Value:
    """`value` as an answer to `question` holds it, when the live dialog could have taken it:
    a yes/no true or false; a duration 0..MAX_WEEKS weeks and an age 0..MAX_AGE whole years
    (as a float); a choice one of the question's choices; 'unknown' (a doubt) only where the
    question records doubt. TypeError otherwise. For answers not heard but typed: a journal's
    (resume) or a findings file's (intake --answers)."""
    kind = question.type
    if value == UNKNOWN and question.doubt_recorded:
        return UNKNOWN
    if kind is AnswerType.YES_NO and isinstance(value, bool):
        return value
    if (kind in (AnswerType.DURATION, AnswerType.AGE) and isinstance(value, int | float)
            and not isinstance(value, bool) and _number_fits(kind, value)):
        return float(value)
    if kind is AnswerType.CHOICE and isinstance(value, str) and value in dict(question.choices):
        return value
    raise TypeError(f"{question.id}: {value!r}")


def _number_fits(kind: AnswerType, value: float) -> bool:
    """A duration (weeks) or an age (whole years) in the range the dialog takes."""
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float
        return False
    if not math.isfinite(number) or number < 0:
        return False
    if kind is AnswerType.AGE:
        return number.is_integer() and number <= MAX_AGE
    return number <= MAX_WEEKS


def bare_number(text: str) -> bool:
    """'20', 'twintig': a number said without its unit."""
    words = normalise(text).split()
    return bool(words) and all(word_value(w) is not None for w in words)


def longer_than(weeks: float, than: float) -> bool:
    """Whether a duration said is longer than another beyond the rounding of round numbers
    (ROUNDING, and a day): sick leave than the neck pain, the neck pain than the accident."""
    return weeks > than * (1 + ROUNDING) + 1 / 7


def contradiction(question: Question, value: Value, findings: Findings) -> str | None:
    """Why a duration cannot be taken beside the `findings` so far, or None: sick leave for
    the neck pain longer than the neck pain itself ('longer_than_onset'), a duration longer
    than the patient's life ('longer_than_age'), or neck pain that began after the accident
    but lasts longer than the time since it ('longer_than_accident', or 'shorter_than_onset'
    when the accident is asked after the duration); asked again with the
    reason (a hostile review found these taken, and the old-trauma rule then used them)."""
    if not isinstance(value, float):
        return None
    onset = findings.weeks_since_onset
    if question.finding == "work_absence_weeks" and onset is not None \
            and longer_than(value, onset):
        return "longer_than_onset"
    if question.type is not AnswerType.DURATION:
        return None
    age = findings.age_years
    if age is not None and value > (age + 1) * WEEKS_PER_YEAR:
        return "longer_than_age"
    accident = findings.trauma_weeks_ago
    if question.finding == "weeks_since_onset" and findings.trauma_related \
            and accident is not None and longer_than(value, accident):
        return "longer_than_accident"
    if question.finding == "trauma_weeks_ago" and onset is not None \
            and longer_than(onset, value):  # the accident is asked after the duration
        return "shorter_than_onset"
    return None


def needs_read_back(question: Question, value: Value, confidence: float, heard: str, *,
                    below: float, red_flag_no_below: float, every_screening: bool) -> bool:
    """Whether an answer (heard with `confidence`, 0–1) is read back before it counts: a "ja"
    with words on a question that reads those back, a bare number ('20': weeks, or meant
    days?), every screening answer (`every_screening`), a screening alarm or a screening
    answer heard with less than `red_flag_no_below`, and any answer heard with less than
    `below`."""
    if question.read_back_yes and value is True:  # 'ja, de huisarts heeft ernaar gekeken'
        return True
    if question.read_back_bare and bare_number(heard):
        return True
    if question.screening and every_screening:
        return True
    if question.screening and (value == question.alarm or confidence < red_flag_no_below):
        return True
    return confidence < below


def read_back_text(question: Question, intent: Understood, texts: IntakeTexts,
                   protocol: Protocol) -> str:
    """What an answer is read back with: the date it was counted from ('sinds …'), that it was
    inferred, the sign (a screening answer with words), or the value."""
    value = intent.value
    said = display_value(question, value, protocol)
    if intent.since is not None:
        return texts.confirm_since.format(value=said, since=format_date(intent.since))
    if intent.read_back:
        return texts.confirm_inferred.format(value=said)
    if question.reads_back_words and isinstance(value, bool):
        return _sign_text(question, value, intent.note, texts)
    return texts.confirm.format(value=said)


def _sign_text(question: Question, value: bool, note: str, texts: IntakeTexts) -> str:
    """A screening answer read back as the sign: 'Dus geen: koorts … Klopt dat?' (never
    'Is het antwoord nee?', to which a "nee" could mean either)."""
    if value:
        sign = texts.confirm_yes
    else:
        # 'Dus geen: koorts' for a sign; 'Dus niet: …' for a statement (a step of the rule,
        # 'een arts heeft … uitgesloten': 'Dus geen: een arts heeft …' sounded like a yes)
        statement = question.c_spine_step or question.read_back_yes
        sign = texts.confirm_no_step if statement else texts.confirm_no_sign
    meaning = ""
    if value == question.alarm:
        meaning = (texts.alarm_red_flag if question.red_flag is not None
                   else texts.alarm_c_spine if question.c_spine_step
                   else texts.alarm_deficit)
    parts = [sign.format(label=question.label),
             texts.confirm_said.format(note=note) if note else "", meaning,
             texts.confirm_question]
    return " ".join(part for part in parts if part)
