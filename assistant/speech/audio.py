"""Audio devices through sounddevice (PortAudio), WAV files, and resampling.

`sounddevice` is imported lazily, inside the functions that need it: importing it loads
PortAudio and the ALSA configuration, which costs start-up time and fails where libportaudio2
is missing (text mode must still work there).
"""

from __future__ import annotations

import os
import queue
import threading
import time
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, BinaryIO, Literal, Self

import numpy as np
import numpy.typing as npt

from assistant.errors import AudioError as AudioError
from assistant.errors import os_reason

Kind = Literal["input", "output"]
Samples = npt.NDArray[np.float32]  # mono, in [-1, 1]

DEFAULT_RATES = (16000, 48000, 44100, 22050)  # Hz, tried in this order
PLAY_BLOCK_SECONDS = 0.02  # s per write: how quickly stop() takes effect
QUEUE_SECONDS = 10.0  # s of microphone audio kept when nobody reads
FULL_SCALE = 32768.0  # int16 full scale


def _sounddevice() -> Any:
    """The sounddevice module, or AudioError when PortAudio cannot be loaded."""
    try:
        import sounddevice
    except OSError:
        raise AudioError("PortAudio ontbreekt; installeer libportaudio2 "
                         "(sudo apt-get install libportaudio2)") from None
    except ImportError:
        raise AudioError("sounddevice ontbreekt; installeer het (pip install sounddevice)"
                         ) from None
    return sounddevice


def _label(kind: Kind) -> str:
    return "Microfoon" if kind == "input" else "Luidspreker"


@dataclass(frozen=True)
class Device:
    """A PortAudio device."""

    index: int
    name: str
    default_rate: int  # Hz


def _device(info: Any) -> Device:
    return Device(int(info["index"]), str(info["name"]), int(info["default_samplerate"]))


def find_device(spec: str | int | None, kind: Kind) -> Device:
    """The device for `spec`: None = the default, an int = index, a str = (part of) a name."""
    sd = _sounddevice()
    label = _label(kind)
    channels = f"max_{kind}_channels"
    try:
        infos = [dict(info, index=i) for i, info in enumerate(sd.query_devices())]
    except sd.PortAudioError as exc:
        raise AudioError(f"{label}: PortAudio kan de apparaten niet opsommen ({exc})") from None
    usable = [info for info in infos if info[channels] > 0]
    if spec is None:
        index = sd.default.device[0 if kind == "input" else 1]
        found = [info for info in usable if info["index"] == index]
        if not found:
            raise AudioError(f"Geen standaard-{label.lower()} gevonden")
        return _device(found[0])
    if isinstance(spec, int):
        found = [info for info in usable if info["index"] == spec]
    else:
        found = ([info for info in usable if info["name"] == spec]
                 or [info for info in usable if info["name"].lower() == spec.lower()]
                 or [info for info in usable if spec.lower() in info["name"].lower()])
    if len(found) == 1 or (found and found[0]["name"] == spec):
        return _device(found[0])
    if len(found) > 1:
        names = ", ".join(f"'{info['name']}'" for info in found[:3])
        more = " …" if len(found) > 3 else ""
        raise AudioError(f"{label} '{spec}' is niet eenduidig: {names}{more}")
    raise AudioError(f"{label} '{spec}' niet gevonden")


def supported_rate(device: Device, kind: Kind, preferred: Sequence[int] = DEFAULT_RATES) -> int:
    """The first of `preferred`, then the device's default rate, that the device accepts (Hz)."""
    sd = _sounddevice()
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    dtype = "int16" if kind == "input" else "float32"
    rates = list(dict.fromkeys([*preferred, device.default_rate]))
    for rate in rates:
        try:
            check(device=device.index, channels=1, dtype=dtype, samplerate=rate)
        except (sd.PortAudioError, ValueError):
            continue
        return rate
    listed = ", ".join(str(rate) for rate in rates)
    raise AudioError(f"{_label(kind)} '{device.name}' ondersteunt geen van de frequenties "
                     f"{listed} Hz")


def resample(samples: npt.ArrayLike, from_rate: int, to_rate: int) -> Samples:
    """Mono float32 samples at `to_rate` (Hz), by linear interpolation."""
    data = np.asarray(samples, dtype=np.float32).reshape(-1)
    if from_rate == to_rate or len(data) == 0:
        return data
    length = round(len(data) * to_rate / from_rate)
    positions = np.arange(length, dtype=np.float64) * (from_rate / to_rate)
    return np.interp(positions, np.arange(len(data)), data).astype(np.float32)


def _to_int16(samples: npt.ArrayLike) -> npt.NDArray[np.int16]:
    data = np.asarray(samples)
    if data.dtype == np.int16:
        return data.astype("<i2").reshape(-1)
    scaled = np.clip(data.astype(np.float64).reshape(-1), -1.0, 1.0) * (FULL_SCALE - 1)
    return np.round(scaled).astype("<i2")


def read_wav(path: str | os.PathLike[str]) -> tuple[Samples, int]:
    """Float32 mono samples in [-1, 1] and the rate (Hz) of a 16-bit PCM WAV file."""
    try:
        with wave.open(os.fspath(path), "rb") as wav:
            width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError):
        raise AudioError(f"'{path}' is geen geldig WAV-bestand (16-bit PCM); zet het om met: "
                         f"sox '{path}' -b 16 -e signed uit.wav") from None
    except OSError as exc:
        raise AudioError(f"'{path}' niet te lezen ({os_reason(exc)})") from None
    if width != 2:
        raise AudioError(f"'{path}' is geen 16-bit WAV-bestand ({8 * width}-bit); zet het om "
                         f"met: sox '{path}' -b 16 uit.wav")
    pcm = np.frombuffer(frames, dtype="<i2").astype(np.float32) / FULL_SCALE
    usable = len(pcm) - len(pcm) % channels
    mono = pcm[:usable].reshape(-1, channels).mean(axis=1, dtype=np.float32)
    return mono.astype(np.float32), rate


def write_wav(path: str | os.PathLike[str] | BinaryIO, samples: npt.ArrayLike,
              rate: int) -> None:
    """Write mono samples (float in [-1, 1], or int16) as a 16-bit PCM WAV file at `rate` Hz
    (to a path, or to a binary file open for writing)."""
    target: str | BinaryIO = os.fspath(path) if isinstance(path, str | os.PathLike) else path
    with wave.open(target, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(_to_int16(samples).tobytes())


class _ClosedOnExit:
    """A device or file that `with` closes on the way out."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class Player(_ClosedOnExit):
    """Plays mono audio on an output device; stop() from another thread cuts it off.

    The stream is opened on the first play() and kept open (started and stopped per call)
    until close(); later audio at another rate is resampled to the stream's rate.
    """

    def __init__(self, device: str | int | None = None, rate: int | None = None) -> None:
        self.device = find_device(device, "output")
        self.wanted_rate = rate  # Hz to open the stream at; None = that of the first audio
        self.rate: int | None = None  # Hz of the open stream
        self.first_sample_latency: float | None = None  # s from play() to the first block
        self.underflows = 0  # blocks PortAudio reported as played late
        self._stream: Any = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def _open(self, rate: int) -> tuple[Any, int]:
        """The open stream and its rate (Hz); opened at the first rate the device accepts."""
        if self._stream is not None and self.rate is not None:
            return self._stream, self.rate
        sd = _sounddevice()
        chosen = supported_rate(self.device, "output", [self.wanted_rate or rate, *DEFAULT_RATES])
        try:
            self._stream = sd.OutputStream(device=self.device.index, samplerate=chosen,
                                           channels=1, dtype="float32")
        except sd.PortAudioError as exc:
            raise AudioError(f"Luidspreker '{self.device.name}' gaat niet open ({exc})") from None
        self.rate = chosen
        return self._stream, chosen

    def play(self, samples: npt.ArrayLike, rate: int) -> bool:
        """Play `samples` (mono, `rate` Hz); True when played, False when stop() cut it off."""
        started = time.monotonic()
        sd = _sounddevice()
        with self._lock:
            self._stop.clear()
            stream, stream_rate = self._open(rate)
            data = resample(samples, rate, stream_rate)
            if len(data) == 0:
                return True
            # one buffer of silence after the sound: ALSA's rate conversion (plughw) drops the
            # last partial period when the stream stops, which would clip the end of a word
            tail = np.zeros(round(stream_rate * float(stream.latency)), dtype=np.float32)
            data = np.concatenate([data, tail])
            try:
                return self._write(stream, data, stream_rate, started)
            except sd.PortAudioError as exc:
                self._discard()
                raise AudioError(f"Luidspreker '{self.device.name}' speelt niet af ({exc})"
                                 ) from None

    def _write(self, stream: Any, data: Samples, rate: int, started: float) -> bool:
        """Hand `data` to PortAudio in small blocks, then wait until it has been played."""
        if not stream.active:
            stream.start()
        capacity = stream.write_available  # frames the empty buffer holds
        block = max(1, int(rate * PLAY_BLOCK_SECONDS))
        self.first_sample_latency = None
        for start in range(0, len(data), block):
            if self._stop.is_set():
                stream.abort()
                return False
            if stream.write(data[start:start + block]):
                self.underflows += 1
            if self.first_sample_latency is None:
                self.first_sample_latency = time.monotonic() - started
        buffered = max(0, capacity - stream.write_available)  # frames still to be heard
        if self._stop.wait(buffered / rate):
            stream.abort()
            return False
        stream.stop()
        return True

    def stop(self) -> None:
        """Cut off the current play() (thread-safe; no effect when nothing plays)."""
        self._stop.set()

    def _discard(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.close(ignore_errors=True)

    def close(self) -> None:
        """Stop playing and release the device."""
        self.stop()
        with self._lock:
            self._discard()


class Microphone(_ClosedOnExit):
    """Mono 16-bit capture; each block is `bytes` of int16 little-endian samples.

    Blocks wait in a queue holding up to QUEUE_SECONDS; when nobody reads, newer blocks are
    dropped (counted in `dropped`) until flush() or read() makes room.
    """

    ended = False  # a microphone's input never ends: its silence is a pause

    def __init__(self, device: str | int | None = None, block_seconds: float = 0.05) -> None:
        sd = _sounddevice()
        self.device = find_device(device, "input")
        self.rate = supported_rate(self.device, "input")  # Hz
        self.block_seconds = block_seconds  # s per block
        self.overflows = 0  # blocks PortAudio reported as overflowed (samples lost)
        self.dropped = 0  # blocks thrown away because the queue was full
        self._queue: queue.Queue[bytes] = queue.Queue(
            maxsize=max(1, round(QUEUE_SECONDS / block_seconds)))
        self._stream: Any = None
        try:
            self._stream = sd.RawInputStream(
                device=self.device.index, samplerate=self.rate, channels=1, dtype="int16",
                blocksize=max(1, round(self.rate * block_seconds)), callback=self._callback)
            self._stream.start()
        except sd.PortAudioError as exc:
            self.close()
            raise AudioError(f"Microfoon '{self.device.name}' gaat niet open ({exc})") from None

    def _callback(self, data: Any, frames: int, when: Any, status: Any) -> None:
        if status.input_overflow:
            self.overflows += 1
        try:
            self._queue.put_nowait(bytes(data))
        except queue.Full:
            self.dropped += 1

    def read(self, timeout: float) -> bytes | None:
        """The next block, or None when none came within `timeout` seconds."""
        try:
            return self._queue.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None

    def flush(self) -> None:
        """Discard everything captured so far (e.g. the assistant's own voice)."""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def close(self) -> None:
        """Stop capturing and release the device."""
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.abort(ignore_errors=True)
            stream.close(ignore_errors=True)


class WavSource(_ClosedOnExit):
    """A WAV file standing in for a microphone: the same blocks (`bytes` of int16 LE), paced
    in real time unless ASSISTANT_FAST_CLOCK=1, then endless silence after the file ends.

    The file's time only passes while someone reads (it stands for what the user says when
    listened to), so flush() has nothing to drop.
    """

    def __init__(self, path: str | os.PathLike[str], block_seconds: float = 0.05) -> None:
        samples, self.rate = read_wav(path)  # Hz
        self.block_seconds = block_seconds  # s per block
        self.fast = os.environ.get("ASSISTANT_FAST_CLOCK") == "1"  # no real-time pacing
        self._frames = max(1, round(self.rate * block_seconds))  # samples per block
        self._pcm = _to_int16(samples).tobytes()
        self._position = 0  # bytes delivered
        self._due = 0.0  # time.monotonic() at which the next block is ready

    @property
    def ended(self) -> bool:
        """True once the whole file has been delivered."""
        return self._position >= len(self._pcm)

    def read(self, timeout: float) -> bytes | None:
        """The next block, or None when it is not ready within `timeout` seconds."""
        if not self.fast:
            now = time.monotonic()
            if self._due < now - self.block_seconds:  # nobody read for a while: start afresh
                self._due = now + self.block_seconds
            wait = self._due - now
            if wait > timeout:
                time.sleep(max(0.0, timeout))
                return None
            if wait > 0:
                time.sleep(wait)
            self._due += self.block_seconds
        size = 2 * self._frames
        block = self._pcm[self._position:self._position + size]
        self._position += size
        return block + bytes(size - len(block))

    def flush(self) -> None:
        """Nothing to drop: the file does not advance while nobody reads."""

    def close(self) -> None:
        """Release the samples."""
        self._pcm = b""
        self._position = 0
