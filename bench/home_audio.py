"""The session to take home (issue 26): how long `exercises --audio` takes to make a file of a
two-exercise session, how big it is per format, and whether the file lasts what the live
session lasts: the same two exercises guided live, on the real clock, through PortAudio into
ALSA's file plugin paced like a sound card, timed from start to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.report import Row, Section, at_most, markdown_table

CODES = "F30,F34"  # the two shortest exercises of profile A's menu (about 10 min together)
FORMATS = (".ogg", ".mp3", ".wav")
TARGET = 1.0  # s: the file lasts what the live session lasts, to the second
PACED_RATE = 48000 * 4 * 2  # bytes/s of the paced pipe (S32_LE, stereo, 48 kHz)


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / "xdg"),
               XDG_CACHE_HOME=str(home / "cache"), ASSISTANT_DB=str(home / "db.sqlite"))
    env.pop("ALSA_CONFIG_PATH", None)
    env.pop("ASSISTANT_FAST_CLOCK", None)
    return env


def _said(events: Path) -> list[str]:
    """The sentences an event log says, in order."""
    lines = [json.loads(line) for line in events.read_text("utf-8").splitlines()]
    return [e["text"] for e in lines if e["event"] == "say"]


def _record(root: Path, home: Path, suffix: str) -> tuple[float, float, int, list[str]]:
    """(wall s to make it, its duration s, its size in bytes, what it says) of `exercises
    --audio`."""
    import soundfile

    target, events = home / f"sessie{suffix}", home / "sessie.jsonl"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "assistant", "exercises", "--codes", CODES,
                           "--audio", str(target), "--events", str(events)], env=_env(home),
                          cwd=root, text=True, capture_output=True, timeout=600, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip())
    info = soundfile.info(str(target))
    return (wall, float(info.frames) / info.samplerate, target.stat().st_size,
            _said(events))


def _own_lines(recorded: list[str], live: list[str]) -> tuple[float, int]:
    """How much longer (s) the recording's own lines are than the live ones they stand for
    (its introduction, set-up and program lines; espeak-ng through pyttsx3, as both speak),
    and how many sentences differ."""
    from collections import Counter

    from assistant.speech.tts import Pyttsx3Synthesizer

    synthesizer = Pyttsx3Synthesizer()

    def seconds(texts: Counter[str]) -> float:
        total = 0.0
        for text, n in texts.items():
            samples, rate = synthesizer.synthesize(text)
            total += n * len(samples) / rate
        return total

    only_recorded = Counter(recorded) - Counter(live)
    only_live = Counter(live) - Counter(recorded)
    return (seconds(only_recorded) - seconds(only_live),
            sum(only_recorded.values()) + sum(only_live.values()))


def _live(root: Path, home: Path) -> tuple[float, float, list[str]]:
    """(s from the first sentence to the session's end, s from start to exit) of the live
    session on the real clock, its speech played in real time; the session's own span is
    read from its event log (a pipe read as it is written: the first `say`, then `done`)."""
    from tests.audio_probe import PacedReader, asoundrc

    (home / ".asoundrc").write_text(asoundrc(home))
    os.mkfifo(home / "paced.fifo")
    os.mkfifo(home / "events.fifo")
    reader = PacedReader(home / "paced.fifo")
    stamps: dict[str, float] = {}
    said: list[str] = []

    def follow() -> None:
        with (home / "events.fifo").open(encoding="utf-8") as events:
            for line in events:
                event = json.loads(line)
                if event["event"] in ("say", "done"):
                    stamps.setdefault(event["event"], time.perf_counter())
                if event["event"] == "say":
                    said.append(event["text"])

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "assistant", "exercises", "--codes", CODES,
                           "--text", "--output-device", "paced", "--events",
                           str(home / "events.fifo")], env=_env(home), cwd=root,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=3600, check=False)
    wall = time.perf_counter() - started
    follower.join(10)
    if done.returncode != 0 or "done" not in stamps:
        raise RuntimeError(done.stderr.strip() or "no 'done' event")
    del reader
    return stamps["done"] - stamps["say"], wall, said


def measure(root: Path, live: bool = True) -> Section:
    section = Section(
        "home_audio", "The session to take home (audio file)",
        f"`assistant exercises --codes {CODES} --audio FILE` (the two shortest exercises of "
        "profile A's menu) in a subprocess with a private HOME and an empty speech cache, the "
        "espeak-ng voice through pyttsx3 (no Piper voice is installed here), once per format; "
        "wall time from start to the file written; duration as libsndfile decodes it. Live: "
        f"`assistant exercises --codes {CODES} --text` on the real clock, stdin closed (no "
        "commands), its speech played through PortAudio into ALSA's file plugin whose pipe is "
        "emptied at a sound card's pace (48 kHz), timed from its first sentence to its `done` "
        "event (its event log is a pipe the bench reads as it is written). The recording "
        "says its own introduction, set-up and program lines instead of the live ones (the "
        "phone's pause button instead of spoken commands, no 'vandaag'), so the two differ "
        "by those lines by design: the sentences only one of them says (from the event logs) "
        "are synthesised once more and their difference in length is taken off before the "
        "file is compared with the live session.")
    made: dict[str, tuple[float, float, int, list[str]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-home-") as tmp:
        for suffix in FORMATS:
            home = Path(tmp) / suffix.strip(".")
            home.mkdir()
            made[suffix] = _record(root, home, suffix)
        live_run = None
        if live:
            home = Path(tmp) / "live"
            home.mkdir()
            live_run = _live(root, home)
    duration = made[".ogg"][1]
    section.rows += [
        Row("home audio: making a two-exercise session (.ogg)",
            f"{made['.ogg'][0]:.1f} s for {duration / 60:.1f} min"),
        Row("home audio: size per minute (.ogg / .mp3 / .wav)",
            " / ".join(f"{made[s][2] / 1e6 / (made[s][1] / 60):.2f} MB" for s in FORMATS)),
    ]
    section.details = markdown_table(
        ["format", "made in", "duration", "size"],
        [[s, f"{w:.1f} s", f"{d:.1f} s", f"{b / 1e6:.2f} MB"]
         for s, (w, d, b, _) in made.items()])
    if live_run is not None:
        live_seconds, process_seconds, live_said = live_run
        own, differing = _own_lines(made[".ogg"][3], live_said)
        gap = duration - own - live_seconds
        section.rows.append(at_most(
            "home audio: file − live session, the recording's own lines aside", abs(gap),
            TARGET, f"{gap:+.1f} s", f"≤ {TARGET:.0f} s"))
        section.details += (
            f"\n\nLive session: {live_seconds:.1f} s from its first sentence to its end "
            f"({process_seconds:.1f} s from the process's start to its exit); the file: "
            f"{duration:.1f} s, of which {own:+.1f} s are the recording's own lines ({differing}"
            " sentences differ). Before the live session made up for the time speaking takes "
            "beyond its sound (synthesis, the device starting and its tail; AudioSpeaker."
            "take_late, taken off its next wait), the same session ran 16.8 s longer live than "
            "its file (579.2 s from the process's start to its exit; the file 562.5 s).")
    return section


if __name__ == "__main__":
    result = measure(Path(__file__).resolve().parents[1])
    for row in result.rows:
        print(f"{row.measure}: {row.value} {row.target} {row.status}")
    print(result.details)
