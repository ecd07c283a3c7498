"""What the page says as input: the queue with the keyboard's interface, its listener and its
session commands, and the page feeding a voice listener (voice, keyboard and clicks feed one
dialog)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, cast

from assistant.protocol import load_protocol
from assistant.speech.commands import KeyboardCommands
from assistant.speech.interfaces import Utterance
from assistant.speech.keyboard import KeyboardInput
from assistant.speech.voice import VoiceListener
from assistant.ui.engine import Engine
from assistant.ui.hub import EventHub
from assistant.ui.page_input import PageInput, PageListener, Prompting
from tests.ui_screen import PROFILE_A_ASKED, PROFILE_A_SAID

PROTOCOL = load_protocol()


def test_the_page_input_keeps_order_and_ends() -> None:
    page = PageInput()
    assert page.poll() is None and page.wait(0) is None and page.wait(0.01) is None
    page.put("  ja ")
    page.put("nee")
    assert page.poll() == "ja"
    assert page.wait(None) == "nee"
    page.close()
    assert page.wait(None) is None and page.closed
    assert page.poll() is None and page.wait(5) is None  # ended: never blocks again


def test_the_listener_blocks_until_the_page_says_something() -> None:
    page = PageInput()
    listener = PageListener(page)
    threading.Timer(0.05, page.put, args=("fors",)).start()
    heard = listener.listen(["fors", "geen"])
    assert isinstance(heard, Utterance) and heard.text == "fors" and heard.source == "text"
    assert page.grammar == ["fors", "geen"]
    page.close()
    assert listener.listen([]) is None  # the end of the input: the dialog stops


def test_the_session_commands_wait_with_a_timeout() -> None:
    page = PageInput()
    commands = KeyboardCommands(page)
    started = time.monotonic()
    assert commands.wait([], 0.05) is None
    assert time.monotonic() - started >= 0.04
    page.put("pauze")
    said = commands.wait([], None)
    assert said is not None and said.text == "pauze" and not commands.ended
    page.close()
    assert commands.wait([], None) is None and commands.ended


def _open_prompt(hub: EventHub, answered: set[int]) -> int:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        prompts = [m["seq"] for m in hub.messages() if m["type"] == "prompt"]
        if prompts and prompts[-1] not in answered:
            return int(prompts[-1])
        time.sleep(0.01)
    raise AssertionError("no prompt opened")


def test_a_prompt_closes_once_anything_was_heard() -> None:
    """The microphone answered (or the input was typed): a click on that prompt arriving
    later is refused, so it cannot answer the next question."""
    page = PageInput()

    class Heard:
        def listen(self, grammar: Any) -> Utterance | None:
            assert page.prompt == 7  # open while the dialog listens
            return Utterance("nee", 1.0, "voice")

    listener = Prompting(Heard(), page, lambda: 7)
    heard = listener.listen(["ja", "nee"])
    assert isinstance(heard, Utterance) and heard.text == "nee"
    assert page.prompt is None and not page.answer(7, ["ja"])
    assert page.poll() is None  # nothing was sent


class _Silence:
    """A microphone that hears nothing."""

    rate = 16000
    ended = False

    def read(self, timeout: float) -> None:
        time.sleep(min(timeout, 0.005))

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None


class _Decoder:
    def accept(self, audio: bytes) -> bool:
        return False

    def result(self) -> str:
        return "{}"

    def partial(self) -> str:
        return "{}"

    def final_result(self) -> str:
        return "{}"


class _Recognizer:
    has_unknown_token = True

    def unknown_words(self, phrases: Any) -> list[str]:
        return []

    def decoder(self, grammar: Any, rate: int) -> _Decoder:
        return _Decoder()


def test_clicks_reach_the_dialog_through_the_voice_listener(tmp_path: Path) -> None:
    """With --voice the page is the voice listener's keyboard: a click is heard between two
    blocks of audio, as a typed answer is."""
    voice = VoiceListener(cast(Any, _Recognizer()), _Silence(), None, timeout=30)
    page = PageInput()
    voice.keyboard = cast(KeyboardInput, page)
    page.put("nee")
    heard = voice.listen(["ja", "nee"])
    assert isinstance(heard, Utterance) and heard.text == "nee" and heard.source == "text"
    hub = EventHub()
    engine = Engine(PROTOCOL, hub, db=tmp_path / "records.sqlite3", voice=voice)
    engine.start_intake(None, resume=False)
    answered: set[int] = set()
    for text in PROFILE_A_SAID[:2]:  # the age, the duration: each to the prompt shown
        prompt = _open_prompt(hub, answered)
        answered.add(prompt)
        engine.say(text, prompt)
    deadline = time.monotonic() + 10
    while len([m for m in hub.messages() if m.get("event", {}).get("event") == "answer"]) < 2:
        assert time.monotonic() < deadline, hub.messages()[-3:]
        time.sleep(0.01)
    started = time.monotonic()
    engine.shutdown()  # the voice listener hears 'stop' from the page: no wait for the mic
    assert time.monotonic() - started < 2
    assert engine.intake.answers == PROFILE_A_ASKED[:2]
    stopped = [m["event"] for m in hub.messages() if m.get("event", {}).get("event") == "say"
               and m["event"]["kind"] == "stopped"]
    assert stopped  # the dialog said it stopped: the answers are kept
    heard_events = [m["event"] for m in hub.messages() if m.get("event", {}).get("event")
                    == "heard"]
    assert [e["text"] for e in heard_events] == [*PROFILE_A_SAID[:2], "stop"]
    assert {e["source"] for e in heard_events} == {"text"}
