"""Typed answers at any moment, also while the assistant listens for speech."""

from __future__ import annotations

import queue
import threading
from typing import TextIO


class KeyboardInput:
    """Reads lines from a stream on a background thread; `poll()` never blocks."""

    def __init__(self, stream: TextIO) -> None:
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.closed = False
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: TextIO) -> None:
        try:
            for line in stream:
                self._lines.put(line.strip())
        except (OSError, ValueError):
            pass
        self._lines.put(None)

    def poll(self) -> str | None:
        """A typed line, or None when nothing was typed (or the input has ended)."""
        try:
            line = self._lines.get_nowait()
        except queue.Empty:
            return None
        if line is None:
            self.closed = True
        return line or None

    def wait(self, timeout: float | None) -> str | None:
        """A typed line within `timeout` s (None: as long as it takes); None when nothing came
        (or the input has ended: see `closed`)."""
        if self.closed:
            return None
        try:
            line = self._lines.get(timeout=timeout) if timeout != 0 else self._lines.get_nowait()
        except queue.Empty:
            return None
        if line is None:
            self.closed = True
        return line or None
