"""The screen by voice hears as the command line does (issue 24's 'hears' drift): a model
without [unk] reads every screening answer back, and a question none of whose answers the
model knows goes to the keyboard at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from assistant.protocol import load_protocol
from assistant.speech.voice import VoiceListener
from assistant.ui.engine import Engine
from assistant.ui.hub import EventHub

PROTOCOL = load_protocol()


class KnowsOnlyJa:
    """A recogniser whose model knows 'ja' and nothing else, without [unk]."""

    has_unknown_token = False

    def unknown_words(self, phrases: Sequence[str]) -> list[str]:
        return [w for p in phrases for w in p.split() if w != "ja"]


def test_the_screen_by_voice_gets_the_same_hearing_as_the_command_line() -> None:
    voice = VoiceListener(cast(Any, KnowsOnlyJa()), cast(Any, object()))
    config = Engine(PROTOCOL, EventHub(), voice=voice)._config(date(2026, 12, 7))
    assert config.voice and config.confirm_screening
    assert config.hears is not None
    assert config.hears(["ja", "nee"]) and not config.hears(["links", "rechts"])
    typed = Engine(PROTOCOL, EventHub())._config(date(2026, 12, 7))
    assert not typed.voice and typed.hears is None and not typed.confirm_screening
