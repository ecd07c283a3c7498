"""Piper, a local neural voice (rhasspy/piper, the `piper-tts` package): where a voice is, and
a synthesizer that speaks sentence by sentence. A voice is an ONNX file `<name>.onnx` with its
configuration `<name>.onnx.json` beside it.

Search order (`locate_voice`): `--tts-voice` naming an .onnx file, a folder holding one, or a
voice installed in the models folder by name; `ASSISTANT_PIPER_VOICE`; then the assistant's
models folder, Dutch voices only (an English voice would read Dutch text badly). None found:
the caller speaks with pyttsx3 (espeak-ng), the portable default.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import TtsError

ENV_VOICE = "ASSISTANT_PIPER_VOICE"
DEFAULT_VOICE = "nl_BE-nathalie-medium"  # what `model download` fetches for speech
WORDS_PER_MINUTE = 175  # Piper's own pace, about espeak-ng's default: --speech-rate scales it
SENTENCE_PAUSE = 0.2  # s of silence between sentences when a text is synthesised whole
DUTCH = "nl"


@dataclass(frozen=True)
class VoiceLocation:
    """A Piper voice file and through which step of the search order it was found."""

    path: Path  # the .onnx file
    source: str  # "option", "ASSISTANT_PIPER_VOICE" or "models/"

    @property
    def name(self) -> str:
        return self.path.name.removesuffix(".onnx")


def config_of(onnx: Path) -> Path:
    return onnx.with_name(onnx.name + ".json")


def is_voice_file(path: Path) -> bool:
    """An .onnx file with its .onnx.json beside it."""
    try:
        return path.suffix == ".onnx" and path.is_file() and config_of(path).is_file()
    except OSError:
        return False


def voice_in(folder: Path) -> Path | None:
    """The voice file in `folder` (the first by name), or None."""
    try:
        return next((p for p in sorted(folder.glob("*.onnx")) if is_voice_file(p)), None)
    except OSError:
        return None


def voice_language(onnx: Path) -> str:
    """The voice's language code from its configuration ("nl_BE"); "" when unknown."""
    try:
        config = json.loads(config_of(onnx).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    language = config.get("language", {}) if isinstance(config, dict) else {}
    code = language.get("code", "") if isinstance(language, dict) else ""
    if not code and isinstance(config, dict):
        code = str(config.get("espeak", {}).get("voice", ""))
    return str(code)


def is_dutch(onnx: Path) -> bool:
    return voice_language(onnx).lower().replace("-", "_").split("_")[0] == DUTCH


def installed_voices(models_dir: Path | None) -> list[Path]:
    """The voice files in the models folder's subfolders (and the folder itself)."""
    if models_dir is None:
        return []
    found: list[Path] = []
    try:
        folders = [models_dir, *sorted(p for p in models_dir.iterdir() if p.is_dir()
                                       and not p.name.startswith("."))]
    except OSError:
        return []
    for folder in folders:
        try:
            found += [p for p in sorted(folder.glob("*.onnx")) if is_voice_file(p)]
        except OSError:
            continue
    return found


def explicit_voice(value: str, models_dir: Path | None) -> Path | None:
    """The voice file a `--tts-voice` value names (a file, a folder, or an installed voice's
    name); None when it names none (then it is a pyttsx3 voice). A path that exists but holds
    no voice is a TtsError."""
    path = Path(value).expanduser()
    if path.exists() or value.endswith(".onnx"):  # else a name ('gmw/nl' is pyttsx3's)
        if is_voice_file(path):
            return path
        if path.is_dir() and (inside := voice_in(path)) is not None:
            return inside
        raise TtsError(f"{value}: geen Piper-stem (een .onnx-bestand met zijn .onnx.json "
                       "ernaast)", option="tts-voice")
    return next((p for p in installed_voices(models_dir) if p.name == f"{value}.onnx"), None)


def locate_voice(tts_voice: str | None, *, models_dir: Path | None) -> VoiceLocation | None:
    """The Piper voice to speak with (see the module's search order), or None."""
    if tts_voice:
        found = explicit_voice(tts_voice, models_dir)
        return None if found is None else VoiceLocation(found, "option")
    env = os.environ.get(ENV_VOICE, "").strip()
    if env:
        path = Path(env).expanduser()
        found = path if is_voice_file(path) else voice_in(path) if path.is_dir() else None
        if found is None:
            raise TtsError(f"{ENV_VOICE}: {env} is geen Piper-stem (een .onnx-bestand met "
                           "zijn .onnx.json ernaast)")
        return VoiceLocation(found, ENV_VOICE)
    dutch = [p for p in installed_voices(models_dir) if is_dutch(p)]
    return VoiceLocation(dutch[0], "models/") if dutch else None


class PiperSynthesizer:
    """A Piper voice, loaded once; synthesises a text sentence by sentence (`sentences`) or
    whole (`synthesize`). `rate`: words per minute (None: the voice's own pace)."""

    streams_sentences = True  # AudioSpeaker plays the first sentence while the next is made

    def __init__(self, path: Path, rate: int | None = None) -> None:
        try:
            from piper import PiperVoice, SynthesisConfig
        except ImportError as exc:  # not installed, or onnxruntime missing
            raise TtsError(f"Piper is niet te laden ({exc}); installeer piper-tts") from None
        try:
            self._voice: Any = PiperVoice.load(path)
        except Exception as exc:  # onnxruntime and json raise what they raise
            reason = " ".join(str(exc).split())[:160] or type(exc).__name__
            raise TtsError(f"Piper-stem {path} laadt niet ({reason})") from None
        self.path = path
        self.name = path.name.removesuffix(".onnx")
        self.language = voice_language(path)
        self.rate = rate
        stat = path.stat()
        self.voice = f"piper:{self.name}:{stat.st_size}:{stat.st_mtime_ns}"  # the cache's id
        self.sample_rate = int(self._voice.config.sample_rate)
        self._config = SynthesisConfig(
            length_scale=None if rate is None else WORDS_PER_MINUTE / rate)

    def sentences(self, text: str) -> Iterator[tuple[np.ndarray, int]]:
        """The audio of each sentence of `text` as soon as it is made; TtsError on failure."""
        try:
            chunks = self._voice.synthesize(text, syn_config=self._config)
            for chunk in chunks:
                yield np.asarray(chunk.audio_float_array, dtype=np.float32), self.sample_rate
        except TtsError:
            raise
        except Exception as exc:
            reason = " ".join(str(exc).split())[:160] or type(exc).__name__
            raise TtsError(f"Piper faalde ({reason})") from None

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        """The whole text, its sentences joined by a short pause."""
        return join(list(self.sentences(text)), self.sample_rate)


def join(parts: Sequence[tuple[np.ndarray, int]], rate: int) -> tuple[np.ndarray, int]:
    """Sentences' audio as one, SENTENCE_PAUSE apart; TtsError when there is none."""
    if not parts:
        raise TtsError("er kwam geen geluid uit Piper")
    pause = np.zeros(round(SENTENCE_PAUSE * rate), dtype=np.float32)
    pieces: list[np.ndarray] = []
    for i, (samples, _) in enumerate(parts):
        if i:
            pieces.append(pause)
        pieces.append(samples)
    return np.concatenate(pieces), rate


def verify_voice(onnx: Path, sizes: Sequence[tuple[Path, int, str, str]] = ()) -> list[str]:
    """Problems with the voice in `onnx` (empty = usable): its files, the `sizes` recorded
    ((file, bytes, sha256, md5): the manifest's, "" = not recorded), a real load and synthesis
    with Piper, and its language (Dutch)."""
    import hashlib

    if not is_voice_file(onnx):
        return [f"{onnx} is geen Piper-stem (een .onnx-bestand met zijn .onnx.json ernaast)"]
    problems = []
    for path, size, sha256, md5 in sizes:
        try:
            actual = path.stat().st_size
        except OSError:
            problems.append(f"ontbreekt: {path.name}")
            continue
        if actual != size:
            problems.append(f"{path.name} is {actual} bytes in plaats van {size}")
            continue
        digests = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
        with path.open("rb") as data:
            while block := data.read(1 << 20):
                for digest in digests:
                    digest.update(block)
        if (sha256 and digests[0].hexdigest() != sha256) or (
                md5 and digests[1].hexdigest() != md5):
            problems.append(f"de controlesom van {path.name} klopt niet")
    if problems:
        return problems
    try:
        PiperSynthesizer(onnx).synthesize("ja")
    except TtsError as exc:
        return [str(exc)]
    if not is_dutch(onnx):
        return [f"geen Nederlandse stem (taal: {voice_language(onnx) or 'onbekend'})"]
    return []
