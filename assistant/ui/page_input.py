"""What the page says (clicks and typed answers) as input to the dialogs: a queue of lines as
the keyboard's (speech.keyboard.LineQueue), a Listener on it, and the page as a voice
listener's keyboard. The guided session takes its commands from it as from the keyboard
(speech.commands.KeyboardCommands).

A line is text, a correction (change an earlier answer) or a typed answer (a checklist's
choices: speech.interfaces.Given). The keyboard's queue holds text and corrections only, so a
typed answer waits beside it (`take_given`), an empty line on the queue waking the listener
(an empty line is no line)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence

from assistant.speech.interfaces import Correction, Given, Input, Listener, Utterance
from assistant.speech.keyboard import LineQueue

Line = str | Correction | Given  # what the page sends to the dialog


class PageInput(LineQueue):
    """Utterances sent by the page, in order; `close()` ends the input (the dialog then stops,
    as at the end of typed input). Lines as the keyboard's, so a VoiceListener takes it as its
    `keyboard` (through VoiceKeyboard)."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.grammar: Sequence[str] = ()  # what the dialog listens for now (a recogniser's)
        self.prompt: int | None = None  # the prompt the page may answer now (see answer())
        self._given: deque[Given] = deque()  # typed answers, in order (see take_given())

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

    def answer(self, prompt: object,
               lines: Sequence[Line] | Callable[[], Sequence[Line]]) -> bool:
        """Send `lines` (or what the callable gives, worked out while the prompt is held) as
        the answer to `prompt`, once: False, and nothing sent, when `prompt` is not the one
        open now (already answered, or another question is on screen). A line may be a
        correction (change an earlier answer) or a typed answer instead of text."""
        with self._lock:
            if self.prompt is None or isinstance(prompt, bool) or prompt != self.prompt:
                return False
            given = lines() if callable(lines) else lines
            self.prompt = None
            for line in given:
                if isinstance(line, Given):
                    self._given.append(line)
                    self._lines.put("")  # wakes the listener: it takes the typed answer
                else:
                    self._lines.put(line.strip() if isinstance(line, str) else line)
            return True

    def given_waiting(self) -> bool:
        """Whether a typed answer waits to be taken."""
        return bool(self._given)

    def take_given(self) -> Given | None:
        """The first typed answer the page sent and the dialog has not taken, or None."""
        try:
            return self._given.popleft()
        except IndexError:
            return None

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
        if line is None and self.page.given_waiting():
            # the voice listener passes a correction on as it is; Prompting takes the typed
            # answer in its place (a voice listener's keyboard gives text or corrections only)
            return Correction(TYPED)
        if line is None and self.page.closed and not self._stopped:
            self._stopped = True
            return self.stop
        return line

    def wait(self, timeout: float | None) -> str | Correction | None:
        return self.page.wait(timeout)


TYPED = "\x00typed"  # no question's id: the correction that stands for a typed answer


class Prompting:
    """A Listener that opens a prompt on the page at every listen (the page answers that
    prompt, once) and closes it once something was heard; a typed answer the page sent is
    what was heard (whatever the inner listener gave for it)."""

    def __init__(self, inner: Listener, page: PageInput, publish: Callable[[], int]) -> None:
        self.inner = inner
        self.page = page
        self.publish = publish

    def listen(self, grammar: Sequence[str]) -> Input | None:
        prompt = self.page.open_prompt(self.publish)
        try:
            heard = self.inner.listen(grammar)
        finally:
            self.page.close_prompt(prompt)
        given = self.page.take_given()
        return heard if given is None else given


class PageListener:
    """A Listener on the page alone (no microphone): each utterance is typed text."""

    def __init__(self, page: PageInput) -> None:
        self.page = page

    def listen(self, grammar: Sequence[str]) -> Input | None:
        self.page.grammar = grammar
        while True:
            line = self.page.wait(None)
            given = self.page.take_given()
            if given is not None:
                return given
            if isinstance(line, Correction):
                return line
            if line is not None:
                return Utterance(line, 1.0, "text")
            if self.page.closed:
                return None

