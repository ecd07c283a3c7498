"""Whole voice consultations: the dialog with a voice listener (scripted decoder) and a speaker.

The audio source stands in for a live microphone: the assistant's own voice leaks into it while
it speaks, and the user's answer follows. The listener must drop the echo (no self-hearing),
alternate speaking and listening, re-ask on silence and confirm what is doubtful."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant.dialog.consultation import DialogConfig
from assistant.dialog.phrases import accepted_phrases, command_phrases
from assistant.dialog.vocabulary import core_words
from assistant.intake.run import SpeechOutput
from assistant.intake.run import run_consultation as run_intake_dialog
from assistant.speech.interfaces import Utterance
from assistant.speech.voice import VoiceListener
from tests.fakes import ScriptedRecognizer, silence, tone
from tests.harness import (
    PROTOCOL,
    RED_FLAG_QUESTIONS,
    SCREENED_BY_ID,
    JsonEvent,
    asked,
    collect,
    intake,
    of,
    profile,
    result_of,
    run_consultation,
    run_intake,
)
from tests.live_room import SPOKEN_AGE as AGE
from tests.live_room import LiveRoom, answer_audio, run_voice, voice_script


def test_a_whole_voice_consultation() -> None:
    answers = voice_script(profile("A", {"age_years": AGE, "recurrent": "nee hoor",
                                         "exercise_choice": "veertien en zeventien"},
                                   strict=True)).heard
    events, room, recognizer = run_voice(answers)
    assert of(events, "answer")[-1]["value"] == ["F14", "F17"]
    r = result_of(events)
    assert (r["grade"], r["course"], r["profile"]) == ("I", "normal", "A")
    heard = of(events, "heard")
    assert {h["source"] for h in heard} == {"voice"} and len(heard) == len(answers)
    # every decoder received the user's answer up to its end, never the assistant's own voice
    speech = len(silence(0.2) + tone(0.5))
    for decoder in recognizer.decoders:
        assert decoder.fed > speech and answer_audio().startswith(decoder.audio)
    assert room.echo_dropped > 0
    # speak, then listen: no listening starts before the question has been said
    first_listen = room.timeline.index("listen")
    assert room.timeline[:first_listen] == ["say"]  # the first question: the age
    # and after the age: the complaint's intro and its first question, then listen
    assert room.timeline[first_listen:first_listen + 4] == ["listen", "say", "say", "listen"]
    assert room.timeline.count("listen") == len(answers)


def test_grammar_per_question_reaches_the_decoder() -> None:
    # the duration in words a grammar holds ("vandaag", the harness's default, is typed);
    # the red flags heard by voice are asked one by one; the input ends at work
    script = voice_script(intake(SCREENED_BY_ID, {
        "age_years": AGE, "weeks_since_onset": "drie weken", "adl_impact": "fors",
        "has_work": None}, strict=True))
    _, _, recognizer = run_voice(script.heard)
    impact = recognizer.grammars[script.turn("adl_impact")]
    assert "fors" in impact and "ja" not in impact and "herhaal" in impact
    age = recognizer.grammars[script.turn("age_years")]
    first_flag = recognizer.grammars[script.turn(RED_FLAG_QUESTIONS[0])]
    assert AGE in age and "herhaal" in age and "ja" not in age and "fors" not in age
    assert "nee hoor" in first_flag and "fors" not in first_flag
    onset = recognizer.grammars[script.turn("weeks_since_onset")]
    assert "drie weken" in onset and "fors" not in onset
    # a checklist's grammar: none, one by one, and the names of its signs
    red_flags = recognizer.grammars[script.turn("red_flags")]
    assert {"geen van alle", "een voor een", "koorts"} <= set(red_flags)
    assert "fors" not in red_flags


def test_silence_reasks_and_out_of_grammar_is_ignored() -> None:
    turns = [answer_audio(), silence(3.0), answer_audio(), answer_audio()]
    # after the age, the duration of the complaint (issue 25)
    events, _, _ = run_voice([(AGE, 0.95), ("", 1.0), ("blauw", 0.9), ("drie weken", 0.95)],
                             turns, timeout=1.0)
    reasons = [r["reason"] for r in of(events, "reprompt")]
    assert reasons == ["silence", "not_understood"]
    assert of(events, "heard")[1]["text"] == "[unk]"  # after the age
    assert of(events, "answer")[1]["question"] == "weeks_since_onset"
    assert of(events, "answer")[1]["value"] == 3
    assert asked(events)[1:4] == [asked(events)[1]] * 3


def test_doubtful_red_flag_no_is_confirmed_by_voice() -> None:
    # the first red flag: a doubtful "nee", confirmed; the second: "ja", confirmed; then the
    # screening asks every other red flag, and the duration for the letter
    first, second = RED_FLAG_QUESTIONS[:2]
    events, _, _ = run_voice(voice_script(intake(SCREENED_BY_ID, {
        "age_years": AGE, first: Utterance("nee", 0.6, "voice"), second: "ja",
        "weeks_since_onset": "drie weken"}, confirms={first: Utterance("ja", 0.97, "voice")},
        strict=True)).heard)
    confirms = of(events, "confirm")
    label = PROTOCOL.section_questions("red_flags")[0].label  # read back as the sign
    assert confirms[0]["value"] is False and confirms[0]["text"].startswith(f"Dus geen: {label}.")
    assert confirms[1]["value"] is True and "alarmsignaal" in confirms[1]["text"]
    assert result_of(events)["referral"] is True


def test_a_speaker_that_fails_mid_consultation_only_turns_speech_off() -> None:
    import numpy as np

    from assistant.speech.audio import AudioError
    from assistant.speech.tts import AudioSpeaker

    class BrokenPlayer:
        plays = 0

        def play(self, samples: np.ndarray, rate: int) -> bool:
            self.plays += 1
            raise AudioError("Luidspreker 'usb' speelt niet af (device unplugged)")

        def stop(self) -> None: ...

        def close(self) -> None: ...

    class Synth:
        def synthesize(self, text: str) -> tuple[np.ndarray, int]:
            return np.zeros(160, np.float32), 16000

    notices: list[str] = []
    player = BrokenPlayer()
    speaker = AudioSpeaker(Synth(), player, on_error=notices.append)  # type: ignore[arg-type]
    _, events = run_intake(intake(SCREENED_BY_ID, {
        RED_FLAG_QUESTIONS[0]: "ja", "weeks_since_onset": "drie weken"}, strict=True),
        also=[SpeechOutput(speaker)])
    assert result_of(events)["referral"] is True
    assert player.plays == 1
    assert notices == ["Spraakuitvoer gestopt: Luidspreker 'usb' speelt niet af "
                       "(device unplugged)."]


@dataclass
class TalkingRoom(LiveRoom):
    """The user starts answering while the assistant is still asking."""

    speaking_turns: set[int] = field(default_factory=set)  # which prompts get interrupted
    said: int = 0
    stopped: int = 0
    answer: bytes = b""

    def say(self, text: str) -> None:
        self.timeline.append("say")
        self.said += 1
        if self.said in self.speaking_turns:
            self.queued = self.answer  # the user talks over the prompt
            deadline = time.monotonic() + 2
            while not self.stopped and time.monotonic() < deadline:
                time.sleep(0.005)

    def stop(self) -> None:
        self.stopped += 1

    def flush(self) -> None:
        self.timeline.append("flush")
        self.queued = b""


def test_barge_in_cuts_the_prompt_and_keeps_the_answer() -> None:
    from assistant.speech.voice import BargeIn

    answer = tone(0.6) + silence(0.8)
    room = TalkingRoom(turns=[], speaking_turns={1}, answer=answer)  # the age question
    recognizer = ScriptedRecognizer([(AGE, 0.95)])
    listener = VoiceListener(recognizer, room, timeout=1.0)
    speaker = BargeIn(room, listener, speech_start=0.1)
    events: list[JsonEvent] = []
    run_intake_dialog(PROTOCOL, listener, [collect(events), SpeechOutput(speaker)],
                DialogConfig(voice=True))
    assert room.stopped == 1 and speaker.interrupted == 1  # the first question was cut off
    assert of(events, "answer")[0]["value"] == 47  # and its answer was still heard
    assert answer.startswith(recognizer.decoders[0].audio[:len(tone(0.1))])


def _knows_no_impact_words(phrases: object) -> bool:
    """A model that knows every answer but those of the impact question (een beetje, fors)."""
    return "fors" not in phrases  # type: ignore[operator]


def test_a_question_the_model_cannot_hear_goes_to_the_keyboard_at_once() -> None:
    events = run_consultation(intake(SCREENED_BY_ID, {  # the input ends after the impact
        "adl_impact": ["", "", "", "", "fors"], "arm_complaints": None}, strict=True),
        DialogConfig(voice=True, hears=_knows_no_impact_words))
    impact = "adl_impact"
    notices = [r for r in of(events, "reprompt") if r["question"] == impact]
    # said once, aloud, right after the question; silence then asks nothing again
    assert [r["reason"] for r in notices] == ["keyboard"]
    assert "kent het spraakmodel niet" in notices[0]["text"] and "aloud" not in notices[0]
    assert asked(events).count(impact) == 1
    answer = [a for a in of(events, "answer") if a["question"] == impact]
    assert [a["value"] for a in answer] == ["severe"]
    # a question the model knows is asked as before: its silence asks again
    assert not [r for r in of(events, "reprompt") if r["question"] != impact]


def test_a_listener_hears_a_phrase_only_when_the_model_knows_all_its_words() -> None:
    class Words(ScriptedRecognizer):
        def unknown_words(self, phrases: Iterable[str]) -> list[str]:
            return sorted({w for p in phrases for w in p.split()} - {"ja", "nee", "een"})

    listener = VoiceListener(Words([]), LiveRoom([]))
    assert listener.hears(["fors", "een beetje", "nee"])
    assert not listener.hears(["fors", "een beetje"])
    assert VoiceListener(ScriptedRecognizer([]), LiveRoom([])).hears(["fors"])


def test_the_intake_command_sends_a_question_its_model_cannot_hear_to_the_keyboard(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The wiring, end to end: `assistant intake` with a model that knows the core words but
    not links, rechts or beide says so at the side of the arm signs, once, aloud. (Every
    other question has an answer of core words: 'nee' or 'nul' for none, for instance.)"""
    import assistant.cli.common as common
    from tests.in_process import run as run_cli

    side = PROTOCOL.question("arm_side")
    lacking = {w for p in accepted_phrases(PROTOCOL.vocabulary, side) for w in p.split()}
    lacking -= core_words(PROTOCOL) | {w for p in command_phrases(PROTOCOL.vocabulary)
                                       for w in p.split()}  # a model refused otherwise

    class LacksSideWords(ScriptedRecognizer):
        has_unknown_token = True

        def unknown_words(self, phrases: Iterable[str]) -> list[str]:
            return sorted({w for p in phrases for w in p.split()} & lacking)

    script = voice_script(intake(SCREENED_BY_ID, {  # reduced reflexes: grade III
        "age_years": AGE, "weeks_since_onset": "drie weken", "neuro_reflexes": "ja",
        "neuro_weakness": "nee", "neuro_sensory": "nee", "arm_side": None}, strict=True)).heard
    room = LiveRoom([answer_audio() for _ in script])
    listener = VoiceListener(LacksSideWords(script), room, timeout=1.0)
    monkeypatch.setattr(common, "open_listener", lambda *args: listener)
    events = tmp_path / "events.jsonl"
    code, _, _ = run_cli(["intake", "--mute", "--events", str(events)], capsys, monkeypatch)
    lines = [json.loads(line) for line in events.read_text("utf-8").splitlines()]
    notices = [e for e in lines if e["event"] == "reprompt" and e["reason"] == "keyboard"]
    assert code == 1  # the room falls silent at that question: stopped, answers kept
    assert [n["question"] for n in notices] == ["arm_side"]
    assert "kent het spraakmodel niet" in notices[0]["text"] and "aloud" not in notices[0]
