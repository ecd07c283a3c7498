"""The guided session as one audio file to take home (issue 26).

The live session's own machine (dialog/exercise_session.py) runs on a virtual clock, with no
commands to hear; what it says goes through the same speaker as a live session (the chosen
voice, the disk cache, sentence by sentence) but is played into a `Track` instead of onto a
loudspeaker, and every wait (a step, a hold, a rest) is written as silence. So the file says
and counts exactly what the live session says and counts, and lasts what it lasts. Its texts
are the live ones with the recording's own ([session.recording]: SessionTexts.for_recording)
for what only makes sense in the practice: spoken commands (nobody hears 'pauze' at home), the
arm the therapist points at, 'vandaag'.

Encoded by libsndfile (the `soundfile` package): Opus in an OGG container (.ogg, .opus), MP3
(.mp3) or 16-bit WAV (.wav), mono.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from assistant.dialog.events import Emit, Event, ExerciseStart
from assistant.dialog.exercise_session import ExerciseSession, SessionOutcome
from assistant.errors import UsageError
from assistant.intake.program import Program
from assistant.intake.run import Fanout, SpeechOutput
from assistant.protocol.model import Protocol
from assistant.speech.audio import resample, write_wav
from assistant.speech.interfaces import Speaker, Utterance
from assistant.speech.tts import Playback

# suffix → (libsndfile format, subtype, sample rate in Hz or None for the voice's own)
FORMATS: Final = {
    ".ogg": ("OGG", "OPUS", 48000),  # Opus decodes at 48 kHz on every player
    ".opus": ("OGG", "OPUS", 48000),
    ".mp3": ("MP3", "MPEG_LAYER_III", 22050),  # a rate every MP3 player knows
    ".wav": ("WAV", "PCM_16", None),
}
FORMAT_NAMES: Final = ".mp3, .ogg, .opus of .wav"
NO_VOICE_RATE: Final = 22050  # Hz of a track nothing was played into
SILENCE_BLOCK: Final = 10.0  # s of silence per block handed to the encoder


def format_of(path: Path) -> tuple[str, str, int | None]:
    """The format for `path`'s suffix; UsageError (option --audio) for any other suffix."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        if path.name.lower() in FORMATS:  # '.mp3': a suffix without a name
            raise UsageError(f"geef het bestand een naam, bijvoorbeeld sessie{path.name}",
                             option="audio") from None
        raise UsageError(f"'{path.name}': kies een geluidsbestand op {FORMAT_NAMES}",
                         option="audio") from None


class Track:
    """Mono audio laid out on a virtual clock: what is played is placed where the clock
    stands and moves it on by its length; `advance` (a wait) leaves silence. It is the
    session's Clock and the speaker's Playback at once."""

    fast = True

    def __init__(self) -> None:
        self.time = 0.0  # s from the start
        self.rate: int | None = None  # Hz of the first audio played (the voice's)
        self.parts: list[tuple[float, npt.NDArray[np.float32]]] = []  # (start s, samples)

    @property
    def own_rate(self) -> int:
        """Hz of the voice (of the first audio played; nothing played: NO_VOICE_RATE)."""
        return self.rate or NO_VOICE_RATE

    # --- Clock ---
    def now(self) -> float:
        return self.time

    def advance(self, seconds: float) -> None:
        self.time += max(0.0, seconds)

    # --- Playback ---
    def play(self, samples: npt.ArrayLike, rate: int) -> bool:
        self.rate = self.rate or rate
        data = resample(samples, rate, self.rate)
        self.parts.append((self.time, data))
        self.time += len(data) / self.rate
        return True

    def stop(self) -> None:
        return None

    def close(self) -> None:
        return None

    def blocks(self, rate: int | None = None) -> Iterator[npt.NDArray[np.float32]]:
        """The whole track at `rate` Hz (None: the voice's own) as consecutive blocks: each
        sentence, and the silence between (at most SILENCE_BLOCK s each), so a long session
        is never held whole in memory; they add up to the clock's time, to the sample."""
        own = self.own_rate
        out_rate = rate or own
        total, written = round(self.time * out_rate), 0
        for start, data in self.parts:
            at = min(round(start * out_rate), total)
            yield from _silence(at - written, out_rate)
            written = max(written, at)
            piece = resample(data, own, out_rate)[written - at:][:total - written]
            written += len(piece)
            yield piece
        yield from _silence(total - written, out_rate)


def _silence(frames: int, rate: int) -> Iterator[npt.NDArray[np.float32]]:
    """`frames` of silence, in blocks of at most SILENCE_BLOCK s."""
    step = round(SILENCE_BLOCK * rate)
    for done in range(0, max(0, frames), step):
        yield np.zeros(min(step, frames - done), dtype=np.float32)


class NoCommands:
    """A session source that never hears anything: a recording goes on by itself."""

    ended = True

    def wait(self, grammar: Sequence[str], timeout: float | None) -> Utterance | None:
        return None


@dataclass(frozen=True)
class HomeAudio:
    """An encoded session: the file's bytes, how long it lasts (s), what was done, and where
    each exercise starts in it (code → s from the start; the sheet prints it)."""

    data: bytes
    seconds: float
    outcome: SessionOutcome
    starts: dict[str, float]


def check_recordable(program: Program, protocol: Protocol) -> None:
    """UsageError (option --audio) when the patient's precautions leave out every exercise
    of `program`: a recording would hold nothing but its introduction."""
    left_out = protocol.library.left_out(program.codes, program.patient)
    if len(left_out) == len(program.codes):
        raise UsageError(f"de voorzorgen van deze patiënt laten {', '.join(left_out)} vervallen: "
                         "er is niets op te nemen", option="audio")


def record_session(program: Program, protocol: Protocol, path: Path,
                   make_speaker: Callable[[Playback, Callable[[str], None]], Speaker],
                   sinks: Sequence[Emit] = ()) -> HomeAudio:
    """The guided session of `program` as the audio file `path` will hold (its suffix gives
    the format, format_of). `make_speaker(playback, on_error)` opens the speaker that plays
    into `playback` and tells `on_error` of a sentence it could not say (setup.open_speaker);
    `sinks` see the session's events too. UsageError (option --audio) for an unknown suffix,
    a program whose every exercise the patient's precautions leave out, or a sentence that
    could not be said (the file would miss it); the speaker's own errors pass through."""
    rate = format_of(path)[2]
    check_recordable(program, protocol)
    library = protocol.library
    track = Track()
    failed: list[str] = []
    starts: dict[str, float] = {}

    def mark(event: Event) -> None:
        if isinstance(event, ExerciseStart):
            starts.setdefault(event.code, track.now())

    speaker = make_speaker(track, failed.append)
    try:
        session = ExerciseSession(
            [library.exercise(c) for c in program.codes], library.session.for_recording(),
            protocol.vocabulary, Fanout([mark, *sinks, SpeechOutput(speaker)]), NoCommands(),
            track, program.session_config(library))
        outcome = session.run()
    finally:
        speaker.close()
    if failed:
        what = "één zin kon" if len(failed) == 1 else f"{len(failed)} zinnen konden"
        raise UsageError(f"de opname is niet gemaakt: {what} de stem niet uitspreken",
                         option="audio")
    out_rate = rate or track.own_rate
    return HomeAudio(encode(track.blocks(out_rate), out_rate, path),
                     round(track.time * out_rate) / out_rate, outcome, starts)


def encode(blocks: Iterable[npt.NDArray[np.float32]], rate: int, path: Path) -> bytes:
    """The mono `blocks` (`rate` Hz) encoded as `path`'s suffix says (format_of), through a
    file in a private temporary folder: libsndfile then writes by itself (through a Python
    stream, an interrupt inside its writes went unnoticed and left a damaged file), block by
    block. Without libsndfile (`soundfile` does not load) a .wav is still written, by the
    standard library; any other format is a UsageError saying to choose .wav. A failing
    encoder or too little memory is a UsageError too (one Dutch line)."""
    kind, subtype, _ = format_of(path)
    with tempfile.TemporaryDirectory(prefix="assistant-audio-") as folder:
        target = Path(folder) / f"sessie{path.suffix.lower()}"
        try:
            import soundfile  # ~40 ms (libsndfile): only when a file is written
        except (ImportError, OSError) as exc:  # OSError: the package without its library
            if kind != "WAV":
                raise UsageError(f"een {path.suffix}-bestand maken lukt niet: libsndfile "
                                 f"laadt niet ({exc}); kies .wav", option="audio") from None
            write_wav(target, np.clip(np.concatenate([np.zeros(0, np.float32), *blocks]),
                                      -1.0, 1.0), rate)
        else:
            try:
                with soundfile.SoundFile(str(target), "w", rate, 1, subtype,
                                         format=kind) as out:
                    for block in blocks:
                        out.write(np.clip(block, -1.0, 1.0))
            except MemoryError:
                raise UsageError("te weinig geheugen om het geluidsbestand te maken; kies een "
                                 "kortere sessie", option="audio") from None
            except (RuntimeError, ValueError) as exc:  # soundfile.LibsndfileError and kin
                raise UsageError(f"het geluidsbestand maken lukt niet ({exc})",
                                 option="audio") from None
        return target.read_bytes()
