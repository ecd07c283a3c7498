"""What the page says (clicks and typed answers) as input to the dialogs: a queue of lines as
the keyboard's (speech.keyboard.LineQueue), a Listener on it, and the page as a voice
listener's keyboard. The guided session takes its commands from it as from the keyboard
(speech.commands.KeyboardCommands)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from assistant.speech.interfaces import Correction, Input, Listener, Utterance
from assistant.speech.keyboard import LineQueue


class PageInput(LineQueue):
    """Utterances sent by the page, in order; `close()` ends the input (the dialog then stops,
    as at the end of typed input). Lines as the keyboard's, so a VoiceListener takes it as its
    `keyboard` (through VoiceKeyboard)."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.grammar: Sequence[str] = ()  # what the dialog listens for now (a recogniser's)
        self.prompt: int | None = None  # the prompt the page may answer now (see answer())

    def put(self, text: str) -> None:
        """One utterance from the page (a click or a typed answer)."""
        self._lines.put(text.strip())

    def open_prompt(self, publish: Callable[[], int]) -> int | None:
        """The dialog listens: when nothing is waiting to be heard, a new prompt opens (its id
        from `publish`, which tells the pages) and the page may answer it once. None when
        utterances are still waiting: the page may not slip in between."""
        with self._lock:
            if not self._lines.empty():
                self.prompt = None
                return None
            self.prompt = publish()
            return self.prompt

    def close_prompt(self, prompt: int | None) -> None:
        """The dialog heard something (from the page or the microphone): `prompt` is over."""
        with self._lock:
            if self.prompt is not None and self.prompt == prompt:
                self.prompt = None

    def answer(self, prompt: object, lines: Sequence[str | Correction]
               | Callable[[], Sequence[str | Correction]]) -> bool:
        """Send `lines` (or what the callable gives, worked out while the prompt is held) as
        the answer to `prompt`, once: False, and nothing sent, when `prompt` is not the one
        open now (already answered, or another question is on screen). A line may be a
        correction (change an earlier answer) instead of text."""
        with self._lock:
            if self.prompt is None or isinstance(prompt, bool) or prompt != self.prompt:
                return False
            given = lines() if callable(lines) else lines
            self.prompt = None
            for line in given:
                self._lines.put(line.strip() if isinstance(line, str) else line)
            return True

    def close(self) -> None:
        """No more input: the dialog waiting on it gets the end of the input."""
        self._lines.put(None)

    def _take(self, line: str | Correction | None) -> str | Correction | None:
        if line is None:
            self._lines.put(None)  # the end stays in the queue: no prompt opens after it
        return super()._take(line)


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

    def poll(self) -> str | Correction | None:
        line = self.page.poll()
        if line is None and self.page.closed and not self._stopped:
            self._stopped = True
            return self.stop
        return line

    def wait(self, timeout: float | None) -> str | Correction | None:
        return self.page.wait(timeout)


class Prompting:
    """A Listener that opens a prompt on the page at every listen (the page answers that
    prompt, once) and closes it once something was heard."""

    def __init__(self, inner: Listener, page: PageInput, publish: Callable[[], int]) -> None:
        self.inner = inner
        self.page = page
        self.publish = publish

    def listen(self, grammar: Sequence[str]) -> Input | None:
        prompt = self.page.open_prompt(self.publish)
        try:
            return self.inner.listen(grammar)
        finally:
            self.page.close_prompt(prompt)


class PageListener:
    """A Listener on the page alone (no microphone): each utterance is typed text."""

    def __init__(self, page: PageInput) -> None:
        self.page = page

    def listen(self, grammar: Sequence[str]) -> Input | None:
        self.page.grammar = grammar
        while True:
            line = self.page.wait(None)
            if isinstance(line, Correction):
                return line
            if line is not None:
                return Utterance(line, 1.0, "text")
            if self.page.closed:
                return None

