"""Typed answers at any moment, also while the assistant listens for speech."""

from __future__ import annotations

import queue
import threading
from typing import Protocol, TextIO

from assistant.speech.interfaces import Correction


class TypedLines(Protocol):
    """Lines typed (or sent by the screen's page) while the assistant listens: what a
    VoiceListener checks between audio blocks and what the guided session takes commands from."""

    @property
    def closed(self) -> bool:
        """The input has ended: no line will come any more."""
        ...

    def poll(self) -> str | Correction | None:
        """A line (or the screen's correction), or None when nothing is waiting (or the input
        has ended); never blocks."""
        ...

    def wait(self, timeout: float | None) -> str | Correction | None:
        """A line (or a correction) within `timeout` s (None: as long as it takes); None when
        nothing came."""
        ...


class LineQueue:
    """Lines in order on a queue, the end of the input as None: `poll()` never blocks, `wait()`
    waits at most its timeout. Filled by a subclass (a reader thread, the screen's page)."""

    def __init__(self) -> None:
        self._lines: queue.Queue[str | Correction | None] = queue.Queue()
        self.closed = False

    def _take(self, line: str | Correction | None) -> str | Correction | None:
        """What was taken from the queue, as returned: None (the end) marks the input closed;
        an empty line is no line."""
        if line is None:
            self.closed = True
        return line or None

    def poll(self) -> str | Correction | None:
        """A line, or None when nothing is waiting (or the input has ended)."""
        if self.closed:
            return None
        try:
            return self._take(self._lines.get_nowait())
        except queue.Empty:
            return None

    def wait(self, timeout: float | None) -> str | Correction | None:
        """A line within `timeout` s (None: as long as it takes); None when nothing came (or the
        input has ended: see `closed`)."""
        if self.closed:
            return None
        try:
            line = self._lines.get(timeout=timeout) if timeout != 0 else self._lines.get_nowait()
        except queue.Empty:
            return None
        return self._take(line)


class KeyboardInput(LineQueue):
    """Reads lines from a stream on a background thread; `poll()` never blocks."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: TextIO) -> None:
        try:
            for line in stream:
                self._lines.put(line.strip())
        except (OSError, ValueError):
            pass
        self._lines.put(None)
