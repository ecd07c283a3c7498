"""`Consultation.change(question_id)`: an answer changed is taken back as that many 'terug's
would take it (the same events, without their Heard; the same answers and findings after),
and a typed UsageError says when it cannot be changed."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from assistant.dialog.consultation import Consultation, DialogConfig
from assistant.errors import UsageError
from assistant.speech.interfaces import Utterance
from tests.harness import (
    AGE,
    PRECAUTION_QUESTIONS,
    PROTOCOL,
    RED_FLAG_QUESTIONS,
    TRAUMA_BY_ID,
    JsonEvent,
    collect,
)
from tests.harness import (
    intake as by_id,
)
from tests.intake_lines import lines, rehearse

# Screened, a trauma twelve weeks ago; the input ends at the next question (open: whether a
# fracture was ruled out).
TO_TRAUMA = by_id(TRAUMA_BY_ID, {"fracture_ruled_out": None}, strict=True)
SAID = lines(TO_TRAUMA)
# The age, then every red flag "nee", by voice: the input ends at their read-back as a whole.
VOICE_FLAGS = by_id({"age_years": AGE}, confirms={"red_flags": None})
# The age, then "ja" to the first red flag: the input ends at its read-back.
FIRST_FLAG_YES = by_id({"age_years": AGE, RED_FLAG_QUESTIONS[0]: "ja"},
                        confirms={RED_FLAG_QUESTIONS[0]: None}, strict=True)
NOT_CHANGEABLE = "dit antwoord is niet (meer) te veranderen"
CONCLUDED = "de uitkomst is er al; begin een nieuwe intake om een antwoord te veranderen"
Said = str | Utterance


def consultation(said: Sequence[Said], config: DialogConfig | None = None
                 ) -> tuple[Consultation, list[JsonEvent]]:
    """A consultation that heard `said`, and its events so far."""
    events: list[JsonEvent] = []
    intake = Consultation(PROTOCOL, collect(events), config or DialogConfig())
    intake.start()
    for text in said:
        intake.hear(text if isinstance(text, Utterance) else Utterance(text))
    return intake, events


def intake_events(said: Sequence[Said], config: DialogConfig | None = None) -> list[JsonEvent]:
    """The events one 'terug' after `said` adds."""
    _, before = consultation(said, config)
    _, after = consultation([*said, "terug"], config)
    return after[len(before):]


def compare(said: Sequence[Said], question_id: str, backs: int,
            config: DialogConfig | None = None) -> Consultation:
    """`change(question_id)` after `said` against `backs` times 'terug' after it: the same
    events after `said` (those of 'terug' without their Heard) and the same state."""
    changed, events = consultation(said, config)
    before = len(events)
    changed.change(question_id)
    backed, heard = consultation([*said, *["terug"] * backs], config)
    terug = [e for e in heard[before:] if e["event"] != "heard"]
    assert events[before:] == terug and terug
    assert [(r.question.id, r.value) for r in changed.history] \
        == [(r.question.id, r.value) for r in backed.history]
    assert changed.findings == backed.findings and changed.state == backed.state
    assert changed.current is not None and changed.current.id == question_id
    assert terug[-1]["event"] == "ask" and terug[-1]["question"] == question_id
    assert not changed.turns.confirming and not changed.turns.paused
    return changed


def test_the_last_answer_is_one_terug() -> None:
    compare(SAID, "trauma_weeks_ago", 1)


def test_an_answer_in_an_earlier_section_is_as_many_terugs_as_answers_since() -> None:
    intake = compare(SAID, "trauma_related", 2)
    assert intake.state == "trauma"
    # after the age and the red flags
    first_precaution = rehearse(TO_TRAUMA).listened.index(("ask", PRECAUTION_QUESTIONS[0]))
    record = intake.history[first_precaution]
    assert record.state == "precautions"
    intake = compare(SAID, record.question.id, len(SAID) - first_precaution)
    assert intake.state == "precautions"
    last_red_flag = intake.history[-1]
    intake = compare(SAID, last_red_flag.question.id, len(SAID) - first_precaution + 1)
    assert intake.state == "red_flags"


def test_the_first_answer_takes_every_answer_back() -> None:
    intake = compare(SAID, "age_years", len(SAID))
    assert intake.history == [] and intake.state == "age"


def test_an_answer_waiting_for_confirmation_is_dropped_first() -> None:
    # the weeks since the trauma, unsure: read back, not taken yet
    unsure: list[Said] = [*SAID[:-1], Utterance(SAID[-1], 0.3, "voice")]
    intake, events = consultation(unsure)
    assert intake.turns.confirming and events[-1]["event"] == "confirm"
    compare(unsure, "trauma_related", 2)  # the read-back dropped, then the answer taken back


def test_red_flags_read_back_as_a_whole_are_all_taken_back_at_once() -> None:
    """By voice the red flags all heard as "nee" are read back together; 'terug' there takes
    them all back and asks the first again: changing any of them is that one 'terug'."""
    voice = DialogConfig(voice=True)
    said = lines(VOICE_FLAGS, voice)
    intake, _ = consultation(said, voice)
    assert intake.turns.confirming
    first, last = intake.history[1].question.id, intake.history[-1].question.id
    intake = compare(said, first, 1, voice)
    assert [r.question.id for r in intake.history] == ["age_years"]
    changed, events = consultation(said, voice)
    before = len(events)
    changed.change(last)  # taken back with the others: the first red flag is asked again
    assert events[before:] == [e for e in intake_events(said, voice) if e["event"] != "heard"]
    assert changed.current is not None and changed.current.id == first


def test_a_pause_ends_as_terug_ends_it() -> None:
    compare([*SAID, "pauze"], "trauma_weeks_ago", 1)


def test_a_question_not_answered_cannot_be_changed() -> None:
    intake, events = consultation(SAID)
    count = len(events)
    for question in ("trauma_imaging", "work_absence_weeks", "no_such_question"):
        with pytest.raises(UsageError, match=f"^{re.escape(NOT_CHANGEABLE)}$"):
            intake.change(question)
    assert len(events) == count and len(intake.history) == len(SAID)


def test_after_a_stop_nothing_is_changed() -> None:
    intake, _ = consultation([*SAID, "stop"])
    with pytest.raises(UsageError, match=f"^{re.escape(NOT_CHANGEABLE)}$"):
        intake.change("age_years")


def test_after_the_result_nothing_is_changed() -> None:
    intake, _ = consultation(lines(FIRST_FLAG_YES))  # a red flag: on to the referral
    replies = {"acute_deficit_now": "ja", "referral_duration": "drie weken"}
    for _ in range(40):
        if intake.result is not None:
            break
        assert intake.current is not None
        reply = "ja" if intake.turns.confirming else replies.get(intake.current.id, "nee")
        intake.hear(Utterance(reply))
    assert intake.outcome == "done"
    with pytest.raises(UsageError, match=f"^{re.escape(CONCLUDED)}$"):
        intake.change("age_years")
