"""The screen by voice hears as the command line does (issue 24's 'hears' drift): both build
the dialog through the intake's flow (intake/flow.dialog_config), so by voice a model without
[unk] reads every screening answer back, and a question none of whose answers the model knows
goes to the keyboard at once."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from typing import Any, cast

import pytest

from assistant.dialog.consultation import DialogConfig
from assistant.dialog.events import Emit
from assistant.intake.flow import IntakeFlow, dialog_config
from assistant.intake.run import IntakeOutcome
from assistant.protocol import load_protocol
from assistant.speech.interfaces import Listener, Utterance
from assistant.speech.voice import VoiceListener
from assistant.ui.engine import Engine
from assistant.ui.hub import EventHub

PROTOCOL = load_protocol()


class KnowsOnlyJa:
    """A recogniser whose model knows 'ja' and nothing else, without [unk]."""

    has_unknown_token = False

    def unknown_words(self, phrases: Sequence[str]) -> list[str]:
        return [w for p in phrases for w in p.split() if w != "ja"]


class Ended:
    """Input that has ended at once (the intake stops at its first question)."""

    def listen(self, grammar: Sequence[str]) -> Utterance | None:
        return None


def _screen_intake(voice: VoiceListener | None,
                   monkeypatch: pytest.MonkeyPatch) -> tuple[list[DialogConfig], EventHub]:
    """Start an intake on the screen; the dialog config its flow runs with, and the hub."""
    seen: list[DialogConfig] = []
    real_run = IntakeFlow.run

    def run(flow: IntakeFlow, listener: Listener, sinks: Sequence[Emit],
            config: DialogConfig) -> IntakeOutcome:
        seen.append(config)
        return real_run(flow, Ended(), sinks, config)

    monkeypatch.setattr(IntakeFlow, "run", run)
    hub = EventHub()
    engine = Engine(PROTOCOL, hub, voice=voice, today=lambda: date(2026, 12, 7))
    engine.start_intake(None, resume=False)
    deadline = time.monotonic() + 10
    while engine.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not engine.running
    return seen, hub


def test_the_screen_by_voice_gets_the_same_dialog_as_the_command_line(
        monkeypatch: pytest.MonkeyPatch) -> None:
    voice = VoiceListener(cast(Any, KnowsOnlyJa()), cast(Any, object()))
    seen, hub = _screen_intake(voice, monkeypatch)
    assert seen == [dialog_config(date(2026, 12, 7), voice=voice)]  # as `intake --voice`
    config = seen[0]
    assert config.voice and config.confirm_screening
    assert config.hears is not None
    assert config.hears(["ja", "nee"]) and not config.hears(["links", "rechts"])
    # the age has no answer the model knows: it goes to the keyboard at once, as on the CLI
    events = [m["event"] for m in hub.messages() if m["type"] == "event"]
    assert events[0]["event"] == "ask" and events[0]["question"] == "age_years"
    assert events[1]["event"] == "reprompt" and events[1]["reason"] == "keyboard"


def test_the_screen_by_keyboard_gets_the_typed_dialog(monkeypatch: pytest.MonkeyPatch) -> None:
    seen, _ = _screen_intake(None, monkeypatch)
    assert seen == [dialog_config(date(2026, 12, 7))]
    assert not seen[0].voice and seen[0].hears is None and not seen[0].confirm_screening
