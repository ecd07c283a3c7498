"""The two narrow interfaces the dialog depends on: a source of utterances and a speaker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

Source = Literal["voice", "text"]


@dataclass(frozen=True)
class Utterance:
    """What was heard or typed."""

    text: str
    confidence: float = 1.0  # 0..1; typed text is certain
    source: Source = "text"


class Listener(Protocol):
    """A source of utterances."""

    def listen(self, grammar: Sequence[str]) -> Utterance | None:
        """The next utterance; `grammar` lists the phrases that can answer now.

        None means the input has ended (treated as 'stop').
        """
        ...


class Speaker(Protocol):
    """A sink for speech."""

    def say(self, text: str) -> None:
        """Speak `text` (returns when done, or at once when speech is off)."""
        ...

    def stop(self) -> None:
        """Cut off what is being said (from another thread)."""
        ...

    def close(self) -> None:
        """Release the output device."""
        ...


class SilentSpeaker:
    """Speech output off (--mute, or no speech engine)."""

    def say(self, text: str) -> None:
        return None

    def stop(self) -> None:
        return None

    def close(self) -> None:
        return None
