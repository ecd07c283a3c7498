"""The dialog's event stream (DESIGN.md "Events"): one JSON object per event, with "event"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assistant.protocol.findings import Value

Event = dict[str, Any]
Emit = Callable[[Event], None]


def json_value(value: Value | None) -> Any:
    """A finding's value as JSON: lists for tuples, whole numbers as ints."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def ask(question: str, finding: str | None, text: str, *, yes_means: bool = True) -> Event:
    """A question; `yes_means: false` marks one asked the other way round ("ja" makes its
    finding false), as DESIGN.md "Findings — version 2" says."""
    event: Event = {"event": "ask", "question": question, "finding": finding, "text": text}
    if not yes_means:
        event["yes_means"] = False
    return event


def heard(text: str, confidence: float, source: str) -> Event:
    return {"event": "heard", "text": text, "confidence": confidence, "source": source}


def answer(question: str, finding: str, value: Value) -> Event:
    return {"event": "answer", "question": question, "finding": finding,
            "value": json_value(value)}


def confirm(question: str, finding: str, value: Value, text: str) -> Event:
    return {"event": "confirm", "question": question, "finding": finding,
            "value": json_value(value), "text": text}


def reprompt(question: str, reason: str, text: str) -> Event:
    """reason: not_understood, help, paused."""
    return {"event": "reprompt", "question": question, "reason": reason, "text": text}


def say(text: str, kind: str) -> Event:
    """Something spoken that is not a question (kind: intro, notice, summary, stopped)."""
    return {"event": "say", "kind": kind, "text": text}


def result(data: dict[str, Any]) -> Event:
    return {"event": "result", "result": data}


def error(code: str, message: str) -> Event:
    return {"event": "error", "code": code, "message": message}
