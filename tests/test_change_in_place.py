"""Changing an earlier answer in place (issue 25): the later answers that still apply are kept,
and only what the change newly needs is asked. Changing answer 3 at question 12 costs the change
itself, the new answer, and the questions the change opens; nothing else is asked again."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from assistant.dialog.consultation import Consultation, DialogConfig
from assistant.speech.interfaces import Utterance
from tests.harness import PROTOCOL, JsonEvent, collect

# A patient answered by question or checklist id (the red flags and precautions "geen").
ANSWERS: dict[str, str] = {
    "age_years": "47", "weeks_since_onset": "vier weken", "trauma_related": "nee",
    "improving": "nee", "adl_impact": "fors", "arm_complaints": "nee", "precautions": "geen",
    "red_flags": "geen", "psychosocial_dominant": "nee", "has_work": "ja", "work_related": "ja",
    "work_absence_weeks": "een week", "examination": "geen",
    # what a change may newly need
    "trauma_weeks_ago": "vier weken", "fracture_ruled_out": "ja", "recurrent": "nee",
}


def _asked(events: list[JsonEvent]) -> str:
    ask = next(e for e in reversed(events) if e["event"] in ("ask", "confirm"))
    return "confirm" if ask["event"] == "confirm" else str(ask["question"])


def _answer(consultation: Consultation, events: list[JsonEvent],
            answers: Mapping[str, str]) -> str:
    """Answer what is asked now; the id answered."""
    asked = _asked(events)
    consultation.hear(Utterance("ja" if asked == "confirm" else answers[asked]))
    return asked


def _to_question(n: int) -> tuple[Consultation, list[JsonEvent], list[str]]:
    """A consultation answered until its n-th question is asked; the ids answered."""
    events: list[JsonEvent] = []
    consultation = Consultation(PROTOCOL, collect(events), DialogConfig())
    consultation.start()
    answered: list[str] = []
    while len(answered) < n - 1:
        asked = _answer(consultation, events, ANSWERS)
        if asked != "confirm":
            answered.append(asked)
    return consultation, events, answered


@pytest.mark.parametrize("changed, said, newly", [
    ("trauma_related", "nee", set()),  # the same answer again: nothing else is asked
    ("adl_impact", "een beetje", set()),  # grade I instead of II: nothing new
    ("weeks_since_onset", "tien weken", set()),  # improvement is no longer needed
    ("improving", "ja", {"recurrent"}),  # improving: is it recurrent?
    ("trauma_related", "ja", {"trauma_weeks_ago", "fracture_ruled_out"}),  # imaged: no rule
])
def test_changing_answer_3_at_question_12_asks_only_what_the_change_needs(
        changed: str, said: str, newly: set[str]) -> None:
    consultation, events, answered = _to_question(12)
    at = _asked(events)
    before = set(answered)
    consultation.change(changed)  # action 1: the change
    assert _asked(events) == changed
    consultation.hear(Utterance(said))  # action 2: the new answer
    asked_again: list[str] = []
    for _ in range(20):
        asked = _asked(events)
        if asked == at:
            break
        assert asked == "confirm" or asked not in before, f"{asked} asked again"
        asked_again.append(_answer(consultation, events, {**ANSWERS, changed: said}))
    assert _asked(events) == at  # back at question 12
    assert {a for a in asked_again if a != "confirm"} == newly  # (and their read-backs)
    values = {r.question.id: r.value for r in consultation.history}
    kept = [u for u in answered if u != changed and u in values]
    assert kept and all(values[u] == old for u, old in _values(answered).items()
                        if u in kept)  # every later answer standing is as it was


def _values(answered: list[str]) -> dict[str, object]:
    consultation, _, _ = _to_question(len(answered) + 1)
    return {r.question.id: r.value for r in consultation.history}


def test_the_kept_answers_are_said_to_be_kept_and_the_findings_follow_the_change() -> None:
    consultation, events, _ = _to_question(12)
    consultation.change("adl_impact")
    notices = [e["text"] for e in events if e["event"] == "say" and e.get("kind") == "notice"]
    assert notices[-1] == PROTOCOL.dialog.intake.kept_answers
    consultation.hear(Utterance("een beetje"))
    assert consultation.findings.adl_impact == "mild"
    assert consultation.findings.red_flags == ()  # the checklist kept, as answered


def test_a_terug_of_the_users_own_keeps_nothing() -> None:
    consultation, events, _ = _to_question(6)
    consultation.hear(Utterance("terug"))
    consultation.hear(Utterance("terug"))
    asked = _asked(events)
    consultation.hear(Utterance(ANSWERS[asked]))
    assert _asked(events) != asked  # the next question is asked again, not taken
    nxt = _asked(events)
    assert nxt in ANSWERS and not any(r.question.id == nxt for r in consultation.history)


def test_signs_answered_one_by_one_are_kept_one_by_one_through_a_change() -> None:
    answers = {**ANSWERS, "red_flags": "een voor een"}
    events: list[JsonEvent] = []
    consultation = Consultation(PROTOCOL, collect(events), DialogConfig())
    consultation.start()
    while _asked(events) != "has_work":
        asked = _asked(events)
        said = answers.get(asked, "nee") if asked != "confirm" else "ja"
        consultation.hear(Utterance(said))
    before = [(r.question.id, r.value) for r in consultation.history]
    consultation.change("adl_impact")
    consultation.hear(Utterance("een beetje"))
    assert _asked(events) == "has_work"  # nothing of the red flags asked again
    after = [(r.question.id, r.value) for r in consultation.history]
    assert [a for a in after if a[0] != "adl_impact"] == [
        b for b in before if b[0] != "adl_impact"]
