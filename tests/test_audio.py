"""assistant.speech.audio: pure tests (WAV, resampling, device lookup against a fake PortAudio)
and real audio through PortAudio and ALSA's `file` plugin, without a sound card."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import wave
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from assistant.speech.audio import (
    AudioError,
    Device,
    WavSource,
    find_device,
    read_wav,
    resample,
    supported_rate,
    write_wav,
)
from tests.audio_probe import RAW_RATE, TONE_RATE, asoundrc, tone

ROOT = Path(__file__).resolve().parent.parent
PROBE = Path(__file__).resolve().parent / "audio_probe.py"


def dominant(samples: np.ndarray, rate: int) -> float:
    """The strongest frequency (Hz), to 1/len resolution."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)), n=8 * len(samples)))
    return float(np.argmax(spectrum) * rate / (8 * len(samples)))


def best_correlation(a: np.ndarray, b: np.ndarray, max_lag: int = 4) -> float:
    """The highest correlation coefficient of `a` and `b` shifted by up to `max_lag` samples."""
    n = min(len(a), len(b)) - max_lag
    return max(max(float(np.corrcoef(a[lag:lag + n], b[:n])[0, 1]),
                   float(np.corrcoef(a[:n], b[lag:lag + n])[0, 1])) for lag in range(max_lag + 1))


# --- resampling -----------------------------------------------------------------------------

def test_resample_same_rate_is_identity() -> None:
    samples = tone(440, 0.1)
    out = resample(samples, TONE_RATE, TONE_RATE)
    assert out.dtype == np.float32
    assert np.array_equal(out, samples)


@pytest.mark.parametrize(("n", "src", "dst"), [
    (22050, 22050, 16000), (1000, 16000, 48000), (333, 44100, 16000), (7, 48000, 44100),
    (1, 16000, 48000), (0, 22050, 16000)])
def test_resample_length(n: int, src: int, dst: int) -> None:
    out = resample(np.ones(n, dtype=np.float32), src, dst)
    assert len(out) == round(n * dst / src)
    assert out.dtype == np.float32
    assert np.allclose(out, 1.0)


def test_resample_keeps_the_pitch() -> None:
    out = resample(tone(440, 0.5), TONE_RATE, RAW_RATE)
    assert abs(dominant(out, RAW_RATE) - 440) < 2


def test_resample_interpolates_linearly() -> None:
    ramp = np.arange(100, dtype=np.float32)
    out = resample(ramp, 1000, 4000)
    assert np.allclose(out[:397], np.arange(397) / 4)


# --- WAV files ------------------------------------------------------------------------------

def test_wav_round_trip(tmp_path: Path) -> None:
    samples = tone(440, 0.2, rate=16000)
    write_wav(tmp_path / "a.wav", samples, 16000)
    back, rate = read_wav(tmp_path / "a.wav")
    assert rate == 16000
    assert back.dtype == np.float32
    assert np.max(np.abs(back - samples)) <= 1.5 / 32768
    with wave.open(str(tmp_path / "a.wav")) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)


def test_write_wav_clips_and_takes_int16(tmp_path: Path) -> None:
    write_wav(tmp_path / "loud.wav", np.array([2.0, -2.0, 0.0]), 8000)
    assert np.allclose(read_wav(tmp_path / "loud.wav")[0], [32767 / 32768, -32767 / 32768, 0])
    write_wav(tmp_path / "pcm.wav", np.array([1000, -1000], dtype=np.int16), 8000)
    assert np.allclose(read_wav(tmp_path / "pcm.wav")[0] * 32768, [1000, -1000])


def test_read_wav_mixes_stereo_to_mono(tmp_path: Path) -> None:
    frames = np.array([[16384, -8192]] * 10, dtype="<i2")  # left 0.5, right -0.25
    with wave.open(str(tmp_path / "st.wav"), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(22050)
        wav.writeframes(frames.tobytes())
    samples, rate = read_wav(tmp_path / "st.wav")
    assert rate == 22050
    assert len(samples) == 10
    assert np.allclose(samples, 0.125)


def test_read_wav_errors_name_the_file(tmp_path: Path) -> None:
    with wave.open(str(tmp_path / "8bit.wav"), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(8000)
        wav.writeframes(bytes(100))
    (tmp_path / "text.wav").write_text("geen geluid")
    with pytest.raises(AudioError, match=r"8bit\.wav' is geen 16-bit WAV-bestand \(8-bit\)"):
        read_wav(tmp_path / "8bit.wav")
    with pytest.raises(AudioError, match=r"text\.wav' is geen geldig WAV-bestand"):
        read_wav(tmp_path / "text.wav")
    with pytest.raises(AudioError, match=r"weg\.wav' niet te lezen"):
        read_wav(tmp_path / "weg.wav")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng on PATH")
def test_read_wav_of_dutch_espeak(tmp_path: Path) -> None:
    subprocess.run(["espeak-ng", "-v", "nl", "-w", str(tmp_path / "nee.wav"), "nee hoor"],
                   check=True, capture_output=True)
    samples, rate = read_wav(tmp_path / "nee.wav")
    assert rate == 22050
    assert 0.3 < len(samples) / rate < 3
    assert np.max(np.abs(samples)) > 0.1


# --- WavSource ------------------------------------------------------------------------------

def test_wav_source_fast_blocks_then_silence(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_FAST_CLOCK", "1")
    pcm = (np.arange(2500) % 1000 + 1).astype("<i2")  # 2.5 blocks of 50 ms at 20 kHz
    write_wav(tmp_path / "in.wav", pcm, 20000)
    with WavSource(tmp_path / "in.wav") as source:
        assert source.rate == 20000
        started = time.monotonic()
        blocks = [source.read(timeout=0) for _ in range(6)]
        assert time.monotonic() - started < 0.05
        assert source.ended
    assert all(isinstance(b, bytes) and len(b) == 2000 for b in blocks)
    heard = np.frombuffer(b"".join(b for b in blocks if b), dtype="<i2")
    assert np.array_equal(heard[:2500], pcm)
    assert not heard[2500:].any()  # the rest of block 3, then silence: no end of input


def test_wav_source_paces_in_real_time(tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_FAST_CLOCK", raising=False)
    write_wav(tmp_path / "in.wav", tone(440, 0.5, rate=16000), 16000)
    source = WavSource(tmp_path / "in.wav", block_seconds=0.02)
    assert source.read(timeout=0.001) is None  # the first block takes 20 ms to "record"
    started = time.monotonic()
    blocks = [source.read(timeout=1.0) for _ in range(5)]
    elapsed = time.monotonic() - started
    assert all(b is not None and len(b) == 640 for b in blocks)
    assert 0.07 < elapsed < 0.5
    source.flush()  # nothing is lost: the file does not run while nobody listens
    assert source.read(timeout=1.0) == _int16(tone(440, 0.5, rate=16000))[5 * 640:6 * 640]
    source.close()


def _int16(samples: np.ndarray) -> bytes:
    return bytes(np.round(np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


# --- device lookup against a fake PortAudio -------------------------------------------------

class FakePortAudioError(Exception):
    pass


DEVICES = [
    {"name": "USB Microphone: Audio (hw:1,0)", "max_input_channels": 1,
     "max_output_channels": 0, "default_samplerate": 48000.0},
    {"name": "HDA Intel PCH: ALC3246 Analog (hw:0,0)", "max_input_channels": 2,
     "max_output_channels": 2, "default_samplerate": 44100.0},
    {"name": "HDA Intel PCH: HDMI 0 (hw:0,3)", "max_input_channels": 0,
     "max_output_channels": 8, "default_samplerate": 44100.0},
    {"name": "default", "max_input_channels": 32, "max_output_channels": 32,
     "default_samplerate": 44100.0},
]


def fake_sounddevice(monkeypatch: pytest.MonkeyPatch, default: tuple[int, int] = (3, 3),
                     rates: frozenset[int] = frozenset({16000, 44100})) -> None:
    def check(device: int, channels: int, dtype: str, samplerate: float) -> None:
        if samplerate not in rates:
            raise FakePortAudioError("Invalid sample rate [PaErrorCode -9997]")

    module = SimpleNamespace(query_devices=lambda: DEVICES, PortAudioError=FakePortAudioError,
                             default=SimpleNamespace(device=list(default)),
                             check_input_settings=check, check_output_settings=check)
    monkeypatch.setitem(sys.modules, "sounddevice", module)


def test_find_device_by_default_index_and_name(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_sounddevice(monkeypatch)
    assert find_device(None, "input") == Device(3, "default", 44100)
    assert find_device(1, "output").name == "HDA Intel PCH: ALC3246 Analog (hw:0,0)"
    assert find_device("default", "output").index == 3
    assert find_device("usb", "input").index == 0  # unique case-insensitive part of a name
    assert find_device("hw:0,3", "output").index == 2


def test_find_device_errors_name_the_device(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_sounddevice(monkeypatch)
    with pytest.raises(AudioError, match=r"^Luidspreker 'hw:9' niet gevonden$"):
        find_device("hw:9", "output")
    with pytest.raises(AudioError, match=r"^Luidspreker 'USB' niet gevonden$"):
        find_device("USB", "output")  # the USB device only records
    with pytest.raises(AudioError, match=r"^Microfoon '2' niet gevonden$"):
        find_device(2, "input")
    with pytest.raises(AudioError, match=r"^Luidspreker 'HDA' is niet eenduidig: 'HDA Intel"):
        find_device("HDA", "output")


def test_find_device_without_a_default(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_sounddevice(monkeypatch, default=(-1, -1))
    with pytest.raises(AudioError, match=r"^Geen standaard-microfoon gevonden$"):
        find_device(None, "input")


def test_supported_rate_order_and_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_sounddevice(monkeypatch, rates=frozenset({44100, 48000}))
    device = Device(3, "default", 44100)
    assert supported_rate(device, "input") == 48000
    assert supported_rate(device, "output", (22050,)) == 44100  # the device's own rate


def test_supported_rate_none_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_sounddevice(monkeypatch, rates=frozenset({8000}))
    with pytest.raises(AudioError, match=r"^Microfoon 'default' ondersteunt geen van de "
                                         r"frequenties 16000, 48000, 44100, 22050 Hz$"):
        supported_rate(Device(3, "default", 44100), "input")


def test_missing_portaudio_says_what_to_install(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sounddevice.py").write_text("raise OSError('PortAudio library not found')\n")
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(AudioError, match="installeer libportaudio2"):
        find_device(None, "output")


# --- real audio: PortAudio -> ALSA file plugin, in a subprocess -----------------------------

def _speech(folder: Path) -> np.ndarray:
    """Dutch speech ("nee hoor", espeak-ng + sox) as S16 16 kHz mono; a tone without them."""
    if shutil.which("espeak-ng") and shutil.which("sox"):
        subprocess.run(["espeak-ng", "-v", "nl", "-w", str(folder / "nee.wav"), "nee hoor"],
                       check=True, capture_output=True)
        subprocess.run(["sox", str(folder / "nee.wav"), "-r", str(RAW_RATE), "-c", "1", "-b",
                        "16", "-e", "signed-integer", "-t", "raw", str(folder / "heard.raw")],
                       check=True, capture_output=True)
        return np.fromfile(folder / "heard.raw", dtype="<i2")
    pcm = np.round(tone(440, 0.6, rate=RAW_RATE) * 32767).astype("<i2")
    pcm.tofile(folder / "heard.raw")
    return pcm


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """Run tests/audio_probe.py once with HOME holding the ALSA config; its figures."""
    if not sys.platform.startswith("linux"):
        pytest.skip("real-audio tests drive ALSA's file plugin: they run on Linux only")
    folder = tmp_path_factory.mktemp("alsa")
    (folder / ".asoundrc").write_text(asoundrc(folder))
    os.mkfifo(folder / "paced.fifo")
    _speech(folder)
    env = dict(os.environ, HOME=str(folder), XDG_CONFIG_HOME=str(folder / "xdg"),
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    env.pop("ALSA_CONFIG_PATH", None)
    done = subprocess.run([sys.executable, str(PROBE), str(folder)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    results: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if "skip" in results:
        pytest.skip(results["skip"])
    return folder, results


def figures(rig: tuple[Path, dict[str, Any]], scenario: str) -> dict[str, Any]:
    found: dict[str, Any] = rig[1][scenario]
    assert "error" not in found, found.get("error")
    return found


@pytest.mark.audio
def test_played_tones_arrive_in_the_alsa_file(rig: tuple[Path, dict[str, Any]]) -> None:
    found = figures(rig, "play_default")
    assert found["returned"] == [True, True]
    assert found["rate"] == TONE_RATE  # the stream opened at the audio's rate; ALSA converts
    assert found["first_sample_latency"] < 0.2
    played = np.fromfile(rig[0] / "played.raw", dtype="<i2") / 32768
    loud = np.abs(played) > 0.05
    first, last = np.argmax(loud), len(loud) - np.argmax(loud[::-1])
    heard = played[first:last]
    windows = heard[:len(heard) // 160 * 160].reshape(-1, 160)  # 10 ms each
    sounding = np.sqrt((windows ** 2).mean(axis=1)) > 0.1
    assert abs(sounding.sum() * 0.01 - 0.8) <= 0.03  # 0.5 s + 0.3 s of tone, nothing lost
    assert abs(dominant(heard[:7000], RAW_RATE) - 440) < 2
    assert abs(dominant(heard[-4000:], RAW_RATE) - 660) < 2
    expected = resample(tone(440, 0.5), TONE_RATE, RAW_RATE)
    for start in (0, 3000, 6000):  # 60 ms windows: ALSA's converter drifts ~1 sample in 3000
        window = slice(start, start + 1000)
        assert best_correlation(heard[window], expected[window]) > 0.99


@pytest.mark.audio
def test_player_resamples_to_the_stream_rate(rig: tuple[Path, dict[str, Any]]) -> None:
    found = figures(rig, "play_exact")
    assert found["returned"] is True
    assert found["rate"] == RAW_RATE
    played = np.fromfile(rig[0] / "exact.raw", dtype="<i2").astype(np.float64)
    expected = resample(tone(440, 0.5), TONE_RATE, RAW_RATE) * 32767.0
    assert len(played) >= len(expected)
    assert np.max(np.abs(played[:len(expected)] - expected)) <= 2  # LSB: ALSA's float->S16
    assert not played[len(expected):].any()  # then only the silent tail


@pytest.mark.audio
def test_microphone_hears_the_alsa_infile(rig: tuple[Path, dict[str, Any]]) -> None:
    found = figures(rig, "microphone")
    assert found["rate"] == RAW_RATE
    assert found["block_bytes"] == [2 * RAW_RATE // 20]  # 50 ms blocks of int16
    assert found["overflows"] == 0
    assert found["after_flush_bytes"] == 2 * RAW_RATE // 20  # still capturing after flush()
    heard = np.fromfile(rig[0] / "heard.raw", dtype="<i2")
    captured = np.fromfile(rig[0] / "mic.raw", dtype="<i2")
    assert np.array_equal(captured[:len(heard)], heard)  # sample for sample


@pytest.mark.audio
def test_stop_cuts_playback_short(rig: tuple[Path, dict[str, Any]]) -> None:
    found = figures(rig, "play_paced")
    assert found["full_returned"] is True
    assert found["full_seconds"] > 0.4  # 0.6 s of tone at a sound card's pace: play() blocks
    assert found["stopped_returned"] is False
    assert found["stop_to_return"] < 0.15  # ~60 ms here, 40 of them ALSA flushing the pipe
    assert found["stopped_play_seconds"] < 1.0  # of a 5 s tone
    assert found["again_returned"] is True  # the stream restarts after an abort


@pytest.mark.audio
def test_device_errors_name_the_device(rig: tuple[Path, dict[str, Any]]) -> None:
    found = figures(rig, "errors")
    assert found["unknown_output"] == "Luidspreker 'geen-zo-apparaat' niet gevonden"
    assert found["unknown_input"] == "Microfoon 'hw:9' niet gevonden"
    assert found["unknown_index"] == "Microfoon '999' niet gevonden"
    assert found["impossible_rates"] == (
        f"Luidspreker '{found['default_name']}' ondersteunt geen van de frequenties "
        "1000000, 2000000, 3000000 Hz")
    assert found["fallback_rate"] == found["default_rate"]
