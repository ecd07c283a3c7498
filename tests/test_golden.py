"""Golden transcripts: the whole event stream of one intake per profile, one referral and one
guided exercise session, compared exactly (the JSON as `--events` writes it, keys in their
order, so the field order of an event is checked too), so a change in wording or order shows in
review.

After an intended change, regenerate them with `./assistant.sh test tests/test_golden.py
--update-golden` and read the diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.harness import (
    CLEARED_TRAUMA_BY_ID,
    GRADE_III_BY_ID,
    NO_NEURO_BY_ID,
    REFERRAL_BY_ID,
    SCREENED_BY_ID,
    JsonEvent,
    intake,
    run_consultation,
    run_exercises,
)
from tests.intake_script import IntakeScript

GOLDEN = Path(__file__).parent / "golden"
# The choice of exercises ends in a read-back left unanswered (the input ends there: a stop).
UNANSWERED = {"exercise_choice": None}
INTAKES: dict[str, IntakeScript] = {
    "intake_a": intake(SCREENED_BY_ID, NO_NEURO_BY_ID, {
        "adl_impact": "een beetje", "weeks_since_onset": "drie weken", "improving": "ja",
        "recurrent": "nee", "has_work": "nee", "exercise_choice": "14 en 20"}, strict=True),
    "intake_b": intake(CLEARED_TRAUMA_BY_ID, NO_NEURO_BY_ID, {
        "adl_impact": "fors", "weeks_since_onset": "twee maanden",
        "psychosocial_dominant": "nee", "has_work": "ja", "work_related": "ja",
        "work_absence_weeks": "vijf weken", "exercise_choice": "geen"},
        confirms=UNANSWERED, strict=True),
    "intake_c": intake(SCREENED_BY_ID, NO_NEURO_BY_ID, {
        "adl_impact": "fors", "weeks_since_onset": "vier weken", "improving": "nee",
        "psychosocial_dominant": "ja", "has_work": ["herhaal", "nee"],
        "exercise_choice": ["terug", "nee", "veertien"]}, strict=True),
    "intake_d": intake(SCREENED_BY_ID, GRADE_III_BY_ID, {
        "adl_impact": "een beetje", "weeks_since_onset": "drie weken", "improving": "ja",
        "recurrent": "nee", "has_work": "nee", "exercise_choice": "geen"},
        confirms=UNANSWERED, strict=True),
    "referral": intake(REFERRAL_BY_ID, strict=True),
}


def _lines(events: list[JsonEvent]) -> str:
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events)


def _compare(name: str, events: list[JsonEvent], update: bool) -> None:
    path = GOLDEN / f"{name}.jsonl"
    text = _lines(events)
    if update:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden transcript {path.name}: run with --update-golden"
    assert text == path.read_text(encoding="utf-8"), (
        f"{path.name} changed: if intended, run with --update-golden and review the diff")


@pytest.mark.parametrize("name", sorted(INTAKES))
def test_intake_transcript(name: str, update_golden: bool) -> None:
    _compare(name, run_consultation(INTAKES[name]), update_golden)


def test_guided_session_transcript(update_golden: bool) -> None:
    events = run_exercises(["F20", "F14"], [("rep", 2, "pauze"), ("rep", 2, "verder"),
                                            ("exercise", 2, "volgende")])
    _compare("session_f20_f14", events, update_golden)
