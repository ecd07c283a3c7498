"""Recognition with a real Vosk model. No model can be downloaded where this was written, so
these run only where one is installed: `assistant model download`, or ASSISTANT_VOSK_MODEL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.cli.model_folder import models_dir
from assistant.dialog.phrases import accepted_phrases
from assistant.speech.audio import resample, write_wav
from assistant.speech.model_location import find_model
from assistant.speech.recognizer import VoskRecognizer, parse_result
from tests.harness import PROTOCOL

RATE = 16000  # Hz
MODEL = find_model(None, models_dir=models_dir())
pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(MODEL is None, reason="no Vosk model installed: run 'assistant model "
                       "download' or set ASSISTANT_VOSK_MODEL to run the recognition tests"),
]


@pytest.fixture(scope="module")
def recognizer() -> VoskRecognizer:
    assert MODEL is not None
    return VoskRecognizer(MODEL)


def spoken(text: str) -> np.ndarray:
    """`text` said by the TTS, at 16 kHz."""
    from assistant.speech.tts import Pyttsx3Synthesizer

    samples, rate = Pyttsx3Synthesizer().synthesize(text)
    return resample(samples, rate, RATE)


def recognise(recognizer: VoskRecognizer, text: str, phrases: list[str]) -> str | None:
    pcm = (np.clip(spoken(text), -1, 1) * 32767).astype("<i2")
    pad = np.zeros(RATE // 2, "<i2")
    audio = np.concatenate([pad, pcm, pad]).tobytes()
    decoder = recognizer.decoder(phrases, RATE)
    for start in range(0, len(audio), 3200):
        decoder.accept(audio[start:start + 3200])
    heard = parse_result(decoder.final_result())
    return heard.text if heard else None


def test_the_model_knows_the_core_answer_words(recognizer: VoskRecognizer) -> None:
    core = ["ja", "nee", "geen", "fors", "weken", "dagen", "herhaal", "terug", "stop"]
    assert recognizer.unknown_words(core) == []


@pytest.mark.parametrize("answer", ["ja", "nee", "stop", "herhaal"])
def test_yes_no_and_commands_are_recognised(recognizer: VoskRecognizer, answer: str) -> None:
    first_flag = next(q for q in PROTOCOL.questions if q.red_flag)  # the age comes before it
    phrases = accepted_phrases(PROTOCOL.vocabulary, first_flag)
    assert recognise(recognizer, answer, phrases) == answer


def test_impact_choice_is_recognised(recognizer: VoskRecognizer) -> None:
    phrases = accepted_phrases(PROTOCOL.vocabulary, PROTOCOL.question("adl_impact"))
    assert recognise(recognizer, "fors", phrases) == "fors"


def test_referral_by_voice_from_a_wav_file(tmp_path: Path) -> None:
    gap = np.zeros(RATE, np.float32)
    # the age; no to the first two red flags; yes to the third (the spinal cord), confirmed; a
    # deficit now, confirmed: 112, and the intake ends at once with the referral
    said = ["zevenenveertig", "nee", "nee", "ja", "ja", "ja", "ja"]
    write_wav(tmp_path / "answers.wav",
              np.concatenate([gap, *(part for word in said for part in (spoken(word), gap))]),
              RATE)
    events = tmp_path / "events.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "intake", "--voice", "--mute", "--audio-in",
         str(tmp_path / "answers.wav"), "--model", str(MODEL), "--events", str(events)],
        capture_output=True, text=True, timeout=120, check=False, input="",
        env={**os.environ, "ASSISTANT_FAST_CLOCK": "1"})
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in events.read_text("utf-8").splitlines()]
    result = next(e["result"] for e in results if e["event"] == "result")
    assert result["grade"] == "IV" and result["referral"] is True
    assert result["urgency"] == "emergency"
