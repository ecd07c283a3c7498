"""A journal is replayed only as far as the live dialog could have given it (the hostile
review of issue 24): a value out of its question's range or choices, an exercise choice before
the result or outside its menu, or a 'back' after the result is a mismatch (the journal is set
aside intact), never stored as if it were an answer, never an error that loops."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.dialog.consultation import Consultation
from assistant.dialog.events import Answer, Back
from assistant.errors import JournalMismatch
from assistant.intake.journal import IntakeJournal, JournalEvent, journal_events
from assistant.intake.resume import replay
from assistant.intake.run import run_consultation as run_intake_dialog
from tests.fakes import MemoryJournal
from tests.harness import PROFILE_ANSWERS, PROTOCOL, SCREENED_BY_ID, choosing
from tests.intake_script import ScriptDriver


def _journal() -> list[JournalEvent]:
    """The events of a whole profile-A intake with F14 chosen."""
    memory = MemoryJournal()
    script = choosing({**SCREENED_BY_ID, **PROFILE_ANSWERS["A"]}, "veertien")
    driver = ScriptDriver(script, PROTOCOL)
    run_intake_dialog(PROTOCOL, driver, [driver], journal=IntakeJournal(memory, 1))
    return journal_events(memory.entries)


def _replayed(events: list[JournalEvent]) -> Consultation:
    consultation = Consultation(PROTOCOL, lambda event: None)
    consultation.start()
    replay(consultation, events)
    return consultation


def _changed(events: list[JournalEvent], question: str, value: object) -> list[JournalEvent]:
    return [replace(e, value=value) if isinstance(e, Answer) and e.question == question else e
            for e in events]


def test_the_journal_of_a_whole_intake_replays() -> None:
    assert _replayed(_journal()).result is not None


@pytest.mark.parametrize(("question", "value"), [
    ("age_years", 200), ("age_years", 0.5), ("age_years", 10**400),
    ("weeks_since_onset", 1e308), ("weeks_since_onset", -1),
    ("adl_impact", "bogus"), ("adl_impact", "unknown"),  # no doubt is recorded there
], ids=lambda v: str(v)[:12])
def test_a_value_the_dialog_would_not_take_is_a_mismatch(question: str, value: object) -> None:
    events = _journal()
    assert any(isinstance(e, Answer) and e.question == question for e in events), question
    with pytest.raises(JournalMismatch):
        _replayed(_changed(events, question, value))


@pytest.mark.parametrize("codes", [["F999"], ["F56"], []])
def test_a_choice_outside_the_menu_is_a_mismatch(codes: list[str]) -> None:
    events = _changed(_journal(), "exercise_choice", codes)
    if codes:
        with pytest.raises(JournalMismatch):
            _replayed(events)
    else:
        assert _replayed(events).result is not None  # none chosen is a choice


def test_a_frequency_the_choice_does_not_offer_is_a_mismatch() -> None:
    events = _journal()
    odd = [replace(e, frequencies={"F14": "elke minuut"})
           if isinstance(e, Answer) and e.question == "exercise_choice" else e for e in events]
    with pytest.raises(JournalMismatch):
        _replayed(odd)


def test_a_choice_before_the_result_and_a_back_after_it_are_mismatches() -> None:
    events = _journal()
    choice = next(e for e in events if isinstance(e, Answer) and e.question == "exercise_choice")
    early = [events[0], choice, *events[1:]]
    with pytest.raises(JournalMismatch):
        _replayed(early)
    last = next(e for e in reversed(events) if isinstance(e, Answer)
                and e.question != "exercise_choice")
    with pytest.raises(JournalMismatch):
        _replayed([*events, Back(last.question)])
