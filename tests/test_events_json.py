"""Events round-trip through their JSON form (issue 24: the journal is events, read back with
`event_from_json`, the Wyoming way): for every kind, any event → to_json → JSON text →
event_from_json gives the same event; a form that is no event is refused with ValueError."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.dialog.events import (
    EVENTS,
    Answer,
    Ask,
    Back,
    BaseEvent,
    Confirm,
    Heard,
    Hold,
    Menu,
    MenuItem,
    ResultEvent,
    Say,
    Stored,
    Tempo,
    event_from_json,
)

JSON_SCALARS = (st.none() | st.booleans() | st.integers(-10**6, 10**6)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                           max_leaves=8)
FINITE = st.floats(allow_nan=False, allow_infinity=False)  # NaN is never equal to itself
OVERRIDES: dict[type[BaseEvent], dict[str, Any]] = {
    Heard: {"confidence": FINITE},
    Hold: {"seconds": FINITE},
    Tempo: {"tempo": FINITE},
    Answer: {"value": JSON_VALUES},
    Confirm: {"value": JSON_VALUES},
    ResultEvent: {"result": st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=4)},
}


def _events() -> st.SearchStrategy[BaseEvent]:
    return st.one_of(*(st.builds(cls, **OVERRIDES.get(cls, {})) for cls in EVENTS.values()))


@given(_events())
def test_every_event_round_trips_through_its_json_form(event: BaseEvent) -> None:
    text = json.dumps(event.to_json(), ensure_ascii=False)
    assert event_from_json(json.loads(text)) == event


def test_the_forms_that_leave_defaults_out_read_back_with_them() -> None:
    ask = Ask("age_years", "age_years", "Hoe oud?")
    assert "yes_means" not in ask.to_json() and event_from_json(ask.to_json()) == ask
    answer = Answer("age_years", "age_years", 47)
    assert answer.to_json()["note"] is None and "heard" not in answer.to_json()
    assert event_from_json(answer.to_json()) == answer
    heard = Answer("age_years", "age_years", 47, heard="zevenenveertig")
    assert event_from_json(heard.to_json()).heard == "zevenenveertig"  # type: ignore[attr-defined]
    say = Say("intro", "Eerst vraag ik naar alarmsignalen.")
    assert say.to_json()["kind"] == "intro" and event_from_json(say.to_json()) == say
    menu = Menu((MenuItem("F14", "Draaien", "Rotatie", "twee keer per dag"),), "Let op")
    assert event_from_json(menu.to_json()) == menu
    assert event_from_json({"event": "back", "question": "q"}) == Back("q")
    assert event_from_json({"event": "stored", "consultation": None}) == Stored(None)


@pytest.mark.parametrize("form", [
    {}, {"event": "nothing"}, {"event": "back"}, {"event": "back", "question": 3},
    {"event": "stored", "consultation": "7"}, {"event": "stored", "consultation": True},
    {"event": "ask", "question": "q", "finding": None, "text": ["not", "text"]},
    {"event": "rep", "rep": 1.5, "of": 2, "set": 1, "sets": 1, "side": None, "code": "F1"},
])
def test_a_form_that_is_no_event_is_refused(form: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        event_from_json(form)
