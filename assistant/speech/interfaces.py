"""The speech layer's interfaces. The dialog depends on two: a source of utterances
(`Listener`, and `HearingListener` for one that declares what its recogniser can hear) and a
`Speaker`. Voice input is put together from the others: a `Recognizer` making a `Decoder` per
question, fed by an `AudioSource`. Each declares its capabilities here, so no caller probes for
them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    import numpy as np

Source = Literal["voice", "text"]


@dataclass(frozen=True)
class Utterance:
    """What was heard or typed."""

    text: str
    confidence: float = 1.0  # 0..1; typed text is certain
    source: Source = "text"


@dataclass(frozen=True)
class Correction:
    """A typed command from a screen, not speech: change the answer to `question` (its id).
    The dialog takes the answers back to it (dialog/consultation.Consultation.change)."""

    question: str


@dataclass(frozen=True)
class Given:
    """A typed answer to `question` (its id), not words: a findings file's value, taken as it
    is (nothing to parse, nothing read back: dialog/consultation.Consultation.give)."""

    question: str
    value: object


Input = Utterance | Correction | Given  # what a listener gives: words, or a typed command


class Listener(Protocol):
    """A source of utterances."""

    def listen(self, grammar: Sequence[str]) -> Input | None:
        """The next utterance (or a screen's correction); `grammar` lists the phrases that
        can answer now.

        None means the input has ended (treated as 'stop').
        """
        ...


class HearingListener(Listener, Protocol):
    """A listener that declares what its recogniser can hear (the voice listener)."""

    @property
    def forces_grammar(self) -> bool:
        """Whether any speech, noise too, becomes a grammar word (a model without [unk])."""
        ...

    def hears(self, phrases: Sequence[str]) -> bool:
        """Whether the recogniser knows every word of at least one of `phrases`."""
        ...


class Decoder(Protocol):
    """One utterance's decoding: what vosk's KaldiRecognizer offers (and a scripted fake)."""

    def accept(self, audio: bytes) -> bool:
        """Feed 16-bit mono audio; True when the decoder found an end of speech."""
        ...

    def result(self) -> str:
        """The result JSON after an end of speech."""
        ...

    def final_result(self) -> str:
        """The result JSON for everything fed so far."""
        ...

    def partial(self) -> str:
        """The partial result JSON so far (`{"partial": "nee"}`)."""
        ...


class Recognizer(Protocol):
    """A loaded speech model: makes a decoder for one question's grammar, and says which words
    it knows."""

    @property
    def has_unknown_token(self) -> bool:
        """Whether the model knows [unk]; without it a grammar forces any speech onto the
        nearest grammar word, with full confidence."""
        ...

    def unknown_words(self, phrases: Iterable[str]) -> list[str]:
        """The words of `phrases` the model lacks, sorted (empty: it knows them all)."""
        ...

    def decoder(self, phrases: Sequence[str], rate: int) -> Decoder:
        """A decoder restricted to `phrases`, for audio at `rate` Hz."""
        ...


class AudioSource(Protocol):
    """A microphone, or a WAV file standing in for one."""

    rate: int  # Hz

    @property
    def ended(self) -> bool:
        """Whether the input has ended for good (a file played to its end; never a
        microphone): silence then means the end of the input, not a pause."""
        ...

    def read(self, timeout: float) -> bytes | np.ndarray | None:
        """The next block of 16-bit mono audio, or None when none came within `timeout`."""
        ...

    def flush(self) -> None:
        """Drop everything captured so far."""
        ...

    def close(self) -> None:
        """Release the device or file."""
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

    def take_late(self) -> float:
        """s that speaking took beyond its sound (synthesis, the device starting) since last
        asked; a guided session takes it off its next waits to keep time (0: none)."""
        ...


class SilentSpeaker:
    """Speech output off (--mute, or no speech engine)."""

    def say(self, text: str) -> None:
        return None

    def stop(self) -> None:
        return None

    def close(self) -> None:
        return None

    def take_late(self) -> float:
        return 0.0
