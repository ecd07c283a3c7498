"""Golden transcripts: the whole event stream of one intake per profile, one referral and one
guided exercise session, compared exactly, so a change in wording or order shows in review.

After an intended change, regenerate them with `./assistant.sh test tests/test_golden.py
--update-golden` and read the diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.harness import (
    AFTER_FLAGS,
    CLEARED_TRAUMA,
    GRADE_III,
    NO_NEURO,
    NO_RED_FLAGS,
    SCREENED,
    JsonEvent,
    run_consultation,
    run_exercises,
)

GOLDEN = Path(__file__).parent / "golden"
# A spinal-cord sign confirmed (no deficit now, asked right after it) and one not ruled out;
# the duration for the letter.
REFERRAL = [*NO_RED_FLAGS[:5], "ja", "ja", "nee", "weet ik niet", "weet ik niet",
            *NO_RED_FLAGS[7:], *AFTER_FLAGS, "drie weken"]
INTAKES = {
    "intake_a": [*SCREENED, *NO_NEURO, "een beetje", "drie weken", "ja", "nee", "nee", "14 en 20",
                 "ja"],
    "intake_b": [*CLEARED_TRAUMA, *NO_NEURO, "fors", "twee maanden", "nee", "ja", "ja",
                 "vijf weken", "geen"],
    "intake_c": [*SCREENED, *NO_NEURO, "fors", "vier weken", "nee", "ja", "herhaal", "nee",
                 "terug", "nee", "veertien", "ja"],
    "intake_d": [*SCREENED, *GRADE_III, "een beetje", "drie weken", "ja", "nee", "nee", "geen"],
    "referral": REFERRAL,
}


def _lines(events: list[JsonEvent]) -> str:
    return "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in events)


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
