"""What the page says (clicks and typed answers) as input to the dialogs: a queue with the
keyboard's poll()/wait()/closed interface, a Listener on it, and a CommandSource for the guided
exercise session."""

from __future__ import annotations

import queue
from collections.abc import Sequence

from assistant.speech.interfaces import Utterance


class PageInput:
    """Utterances sent by the page, in order; `close()` ends the input (the dialog then stops,
    as at the end of typed input). The same interface as speech.keyboard.KeyboardInput, so a
    VoiceListener takes it as its `keyboard`."""

    def __init__(self) -> None:
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.closed = False
        self.grammar: Sequence[str] = ()  # what the dialog listens for now (a recogniser's)

    def put(self, text: str) -> None:
        """One utterance from the page (a click or a typed answer)."""
        self._lines.put(text.strip())

    def close(self) -> None:
        """No more input: the dialog waiting on it gets the end of the input."""
        self._lines.put(None)

    def _take(self, line: str | None) -> str | None:
        if line is None:
            self.closed = True
            self._lines.put(None)  # every later wait sees the end as well
        return line or None

    def poll(self) -> str | None:
        """An utterance, or None when nothing was sent (or the input has ended)."""
        if self.closed:
            return None
        try:
            return self._take(self._lines.get_nowait())
        except queue.Empty:
            return None

    def wait(self, timeout: float | None) -> str | None:
        """An utterance within `timeout` s (None: as long as it takes); None when nothing came
        or the input has ended (see `closed`)."""
        if self.closed:
            return None
        try:
            line = self._lines.get(timeout=timeout) if timeout != 0 else self._lines.get_nowait()
        except queue.Empty:
            return None
        return self._take(line)


class VoiceKeyboard:
    """The page as a VoiceListener's keyboard. The voice listener listens to the microphone
    until it hears something, whatever the keyboard does; so once the page's input has ended
    (the screen stops), this says `stop` to it: the dialog stops at once, as at the end of
    typed input, and an intake keeps its journal."""

    def __init__(self, page: PageInput, stop: str = "stop") -> None:
        self.page = page
        self.stop = stop
        self._stopped = False

    @property
    def closed(self) -> bool:
        return self.page.closed

    def poll(self) -> str | None:
        line = self.page.poll()
        if line is None and self.page.closed and not self._stopped:
            self._stopped = True
            return self.stop
        return line

    def wait(self, timeout: float | None) -> str | None:
        return self.page.wait(timeout)


class PageListener:
    """A Listener on the page alone (no microphone): each utterance is typed text."""

    def __init__(self, page: PageInput) -> None:
        self.page = page

    def listen(self, grammar: Sequence[str]) -> Utterance | None:
        self.page.grammar = grammar
        while True:
            line = self.page.wait(None)
            if line is not None:
                return Utterance(line, 1.0, "text")
            if self.page.closed:
                return None


class PageCommands:
    """The guided session's commands from the page (pauze, verder, volgende, stop …)."""

    def __init__(self, page: PageInput) -> None:
        self.page = page

    @property
    def ended(self) -> bool:
        return self.page.closed

    def wait(self, grammar: Sequence[str], timeout: float | None) -> Utterance | None:
        line = self.page.wait(timeout)
        return Utterance(line, 1.0, "text") if line else None
