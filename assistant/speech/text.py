"""Text input: one answer per line from a stream; scripted input for tests and demos."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TextIO

from assistant.speech.interfaces import Utterance


class StreamListener:
    """Reads one answer per line (stdin in text mode); end of input → None.

    With `prompt` (an interactive terminal), the prompt is written to `out` before each line.
    """

    def __init__(self, stream: TextIO, prompt: str = "", out: TextIO | None = None) -> None:
        self._stream = stream
        self._prompt = prompt
        self._out = out

    def listen(self, grammar: Sequence[str]) -> Utterance | None:
        if self._prompt and self._out is not None:
            self._out.write(self._prompt)
            self._out.flush()
        try:
            line = self._stream.readline()
        except KeyboardInterrupt:  # Ctrl-C: stop, and keep what was answered
            return None
        if not line:
            return None
        return Utterance(line.strip())


class ScriptedListener:
    """Gives a fixed list of utterances, then ends (tests, demos)."""

    def __init__(self, inputs: Iterable[str | Utterance]) -> None:
        self._inputs = [u if isinstance(u, Utterance) else Utterance(u) for u in inputs]
        self.grammars: list[Sequence[str]] = []

    def listen(self, grammar: Sequence[str]) -> Utterance | None:
        self.grammars.append(grammar)
        return self._inputs.pop(0) if self._inputs else None
