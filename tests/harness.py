"""One harness for whole consultations: scripted utterances in, the dialog's events out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from assistant.dialog.consultation import DialogConfig
from assistant.dialog.events import Event
from assistant.protocol import load_protocol
from assistant.session import run_consultation as run_session
from assistant.speech.interfaces import Utterance
from assistant.speech.text import ScriptedListener

PROTOCOL = load_protocol()
RED_FLAG_QUESTIONS = [q.id for q in PROTOCOL.section_questions("red_flags")]
NO_RED_FLAGS = ["nee"] * len(RED_FLAG_QUESTIONS)
NO_NEURO = ["nee", "nee", "nee"]


def run_consultation(
    inputs: Iterable[str | Utterance], config: DialogConfig | None = None,
) -> list[Event]:
    """Feed the utterances to a new consultation; return every event it emitted.

    When the inputs run out the consultation gets end-of-input, which counts as 'stop'.
    """
    events: list[Event] = []
    run_session(PROTOCOL, ScriptedListener(inputs), [events.append], config)
    return events


def of(events: list[Event], kind: str) -> list[Event]:
    return [e for e in events if e["event"] == kind]


def asked(events: list[Event]) -> list[str]:
    """The question ids asked, in order (repeats included)."""
    return [e["question"] for e in of(events, "ask")]


def result_of(events: list[Event]) -> dict[str, Any]:
    results = of(events, "result")
    assert len(results) == 1, f"expected one result, got {len(results)}"
    result: dict[str, Any] = results[0]["result"]
    return result


def stopped(events: list[Event]) -> bool:
    return any(e["event"] == "say" and e["kind"] == "stopped" for e in events)
