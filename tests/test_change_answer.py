"""`Consultation.change(question_id)`: an answer changed is taken back as that many 'terug's
would take it (the same events, without their Heard, after one notice when later answers are
kept; the same answers and findings after); the later answers are taken again as they were when
they are asked again and still fit (tests/test_change_in_place.py); a typed UsageError says
when an answer cannot be changed."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from assistant.dialog.consultation import Consultation, DialogConfig
from assistant.errors import UsageError
from assistant.speech.interfaces import Utterance
from tests.harness import (
    AGE,
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

# The age, the duration, a trauma twelve weeks ago; the input ends at the next question (open:
# whether a fracture was ruled out).
TO_TRAUMA = by_id(TRAUMA_BY_ID, {"fracture_ruled_out": None}, strict=True)
SAID = lines(TO_TRAUMA)
# The age and the complaint (no trauma), then the red flags and the precautions each "geen"
# (one checklist each); the input ends at whether the patient works.
TO_WORK = lines(by_id({"age_years": AGE}, {"has_work": None}, strict=True))
# The age and the complaint, by voice: the red flags "geen" are read back (always, by voice),
# and the input ends at that read-back.
VOICE_FLAGS = by_id({"age_years": AGE}, confirms={"red_flags": None})
# The same, the red flags asked one by one, each "nee": the input ends at their read-back as a
# whole.
VOICE_FLAGS_ONE_BY_ONE = by_id({"age_years": AGE, "red_flags": "een voor een"},
                               confirms={"red_flags": None})
# The age and the complaint, then "ja" to the first red flag: the input ends at its read-back.
FIRST_FLAG_YES = by_id({"age_years": AGE, RED_FLAG_QUESTIONS[0]: "ja"},
                        confirms={"red_flags": None}, strict=True)
KEPT = {"event": "say", "kind": "notice", "text": PROTOCOL.dialog.intake.kept_answers}
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
            config: DialogConfig | None = None, *, kept: bool) -> Consultation:
    """`change(question_id)` after `said` against `backs` times 'terug' after it: the same
    events after `said` (those of 'terug' without their Heard; first the notice that the later
    answers are kept, when there are any: `kept`) and the same state."""
    changed, events = consultation(said, config)
    before = len(events)
    changed.change(question_id)
    backed, heard = consultation([*said, *["terug"] * backs], config)
    terug = [e for e in heard[before:] if e["event"] != "heard"]
    assert events[before:] == [*([KEPT] if kept else []), *terug] and terug
    assert [(r.question.id, r.value) for r in changed.history] \
        == [(r.question.id, r.value) for r in backed.history]
    assert changed.findings == backed.findings and changed.state == backed.state
    assert changed.current is not None and changed.current.id == question_id
    assert terug[-1]["event"] == "ask" and terug[-1]["question"] == question_id
    assert not changed.turns.confirming and not changed.turns.paused
    return changed


def test_the_last_answer_is_one_terug() -> None:
    compare(SAID, "trauma_weeks_ago", 1, kept=False)
    compare(TO_WORK, "precautions", 1, kept=False)  # a checklist is one answer


def test_an_answer_in_an_earlier_section_is_as_many_terugs_as_answers_since() -> None:
    intake = compare(SAID, "trauma_related", 2, kept=True)
    assert intake.state == "trauma"
    intake = compare(SAID, "weeks_since_onset", 3, kept=True)  # the complaint's first
    assert intake.state == "onset"
    # the checklists: each one answer, its signs taken back together
    red_flags = rehearse(by_id({"age_years": AGE}, {"has_work": None})).listened.index(
        ("ask", "red_flags"))
    assert red_flags == len(TO_WORK) - 2
    intake = compare(TO_WORK, "red_flags", 2, kept=True)
    assert intake.state == "red_flags" and len(intake.history) == red_flags
    assert intake.history[-1].question.id == "arm_complaints"


def test_the_first_answer_takes_every_answer_back() -> None:
    intake = compare(SAID, "age_years", len(SAID), kept=True)
    assert intake.history == [] and intake.state == "age"
    intake = compare(TO_WORK, "age_years", len(TO_WORK), kept=True)
    assert intake.history == [] and intake.state == "age"


def test_a_checklist_kept_is_taken_again_only_when_it_presents_the_same_signs() -> None:
    """The age changed: the complaint and the precautions are taken again as they were; the
    red flags of a patient of 61 are other signs (cancer history on its own, the signs of
    fifty and over): asked again (and answered "geen")."""
    def answers(intake: Consultation, flags: bool) -> list[tuple[str, object]]:
        """The answers standing after the age (with or without the red flags)."""
        return [(r.question.id, r.value) for r in intake.history[1:]
                if flags or r.state != "red_flags"]

    for age, asked_again in (("48", []), ("61", ["red_flags"])):
        intake, events = consultation(TO_WORK)
        before = answers(intake, flags=not asked_again)
        intake.change("age_years")
        start = len(events)
        intake.hear(Utterance(age))
        if asked_again:
            intake.hear(Utterance("geen"))
        asks = [e["question"] for e in events[start:] if e["event"] == "ask"]
        assert asks == [*asked_again, "has_work"]  # then the open question
        assert answers(intake, flags=not asked_again) == before
        assert intake.history[0].value == int(age)


def test_an_answer_waiting_for_confirmation_is_dropped_first() -> None:
    # the weeks since the trauma, unsure: read back, not taken yet
    unsure: list[Said] = [*SAID[:-1], Utterance(SAID[-1], 0.3, "voice")]
    intake, events = consultation(unsure)
    assert intake.turns.confirming and events[-1]["event"] == "confirm"
    # the read-back dropped, then the answer taken back (none after it to keep)
    compare(unsure, "trauma_related", 2, kept=False)


def test_red_flags_read_back_as_a_whole_are_all_taken_back_at_once() -> None:
    """By voice the red flags asked one by one, all heard as "nee", are read back together;
    'terug' there takes them all back and asks the first again: changing any of them is that
    one 'terug'."""
    voice = DialogConfig(voice=True)
    said = lines(VOICE_FLAGS_ONE_BY_ONE, voice)
    intake, _ = consultation(said, voice)
    assert intake.turns.confirming
    flags = [r for r in intake.history if r.state == "red_flags"]
    assert [r.question.id for r in flags] == RED_FLAG_QUESTIONS
    standing = [r.question.id for r in intake.history[:-len(flags)]]  # the complaint, ...
    first, last = flags[0].question.id, flags[-1].question.id
    intake = compare(said, first, 1, voice, kept=False)
    assert [r.question.id for r in intake.history] == standing
    changed, events = consultation(said, voice)
    before = len(events)
    changed.change(last)  # taken back with the others: the first red flag is asked again
    assert events[before:] == [e for e in intake_events(said, voice) if e["event"] != "heard"]
    assert changed.current is not None and changed.current.id == first


def test_the_red_flags_checklist_read_back_by_voice_is_asked_again_by_terug() -> None:
    """By voice "geen" on the red flags is always read back; it is no answer yet: 'terug'
    there asks the checklist again, and changing the answer before it (the arm complaints)
    drops the read-back first, as two 'terug's."""
    voice = DialogConfig(voice=True)
    said = lines(VOICE_FLAGS, voice)
    intake, events = consultation(said, voice)
    assert intake.turns.confirming and events[-1]["question"] == "red_flags"
    assert intake.history[-1].question.id == "arm_complaints"  # the complaint's last
    again = [e for e in intake_events(said, voice) if e["event"] != "heard"]
    assert [(e["event"], e["question"]) for e in again] == [("ask", "red_flags")]
    with pytest.raises(UsageError, match=f"^{re.escape(NOT_CHANGEABLE)}$"):
        intake.change("red_flags")  # waiting for its read-back: not among the answers
    compare(said, "arm_complaints", 2, voice, kept=False)


def test_a_pause_ends_as_terug_ends_it() -> None:
    compare([*SAID, "pauze"], "trauma_weeks_ago", 1, kept=False)


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
    replies = {"acute_deficit_now": "ja"}
    for _ in range(40):
        if intake.result is not None:
            break
        assert intake.current is not None
        reply = "ja" if intake.turns.confirming else replies.get(intake.current.id, "nee")
        intake.hear(Utterance(reply))
    assert intake.outcome == "done"
    with pytest.raises(UsageError, match=f"^{re.escape(CONCLUDED)}$"):
        intake.change("age_years")
