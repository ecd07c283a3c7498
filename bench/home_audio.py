"""The session to take home (issue 26): how long `exercises --audio` takes to make a file of a
two-exercise session, how big it is per format, and whether the file lasts what the live
session lasts: the same two exercises guided live, on the real clock, through PortAudio into
ALSA's file plugin paced like a sound card, timed from start to end."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
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


def _record(root: Path, home: Path, suffix: str) -> tuple[float, float, int]:
    """(wall s to make it, its duration s, its size in bytes) of `exercises --audio`."""
    import soundfile

    target = home / f"sessie{suffix}"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "assistant", "exercises", "--codes", CODES,
                           "--audio", str(target)], env=_env(home), cwd=root, text=True,
                          capture_output=True, timeout=600, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip())
    info = soundfile.info(str(target))
    return wall, float(info.frames) / info.samplerate, target.stat().st_size


def _live(root: Path, home: Path) -> float:
    """Seconds the live session takes on the real clock, speech played in real time."""
    from tests.audio_probe import PacedReader, asoundrc

    (home / ".asoundrc").write_text(asoundrc(home))
    os.mkfifo(home / "paced.fifo")
    reader = PacedReader(home / "paced.fifo")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "assistant", "exercises", "--codes", CODES,
                           "--text", "--output-device", "paced"], env=_env(home), cwd=root,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=3600, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip())
    del reader
    return wall


def measure(root: Path, live: bool = True) -> Section:
    section = Section(
        "home_audio", "The session to take home (audio file)",
        f"`assistant exercises --codes {CODES} --audio FILE` (the two shortest exercises of "
        "profile A's menu) in a subprocess with a private HOME and an empty speech cache, the "
        "espeak-ng voice through pyttsx3 (no Piper voice is installed here), once per format; "
        "wall time from start to the file written; duration as libsndfile decodes it. Live: "
        f"`assistant exercises --codes {CODES} --text` on the real clock, stdin closed (no "
        "commands), its speech played through PortAudio into ALSA's file plugin whose pipe is "
        "emptied at a sound card's pace (48 kHz), timed from start to exit. The recording "
        "says its own four introduction lines instead of the live four (the phone's pause "
        "button instead of the spoken commands).")
    made: dict[str, tuple[float, float, int]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-home-") as tmp:
        for suffix in FORMATS:
            home = Path(tmp) / suffix.strip(".")
            home.mkdir()
            made[suffix] = _record(root, home, suffix)
        live_seconds = None
        if live:
            home = Path(tmp) / "live"
            home.mkdir()
            live_seconds = _live(root, home)
    duration = made[".ogg"][1]
    section.rows += [
        Row("home audio: making a two-exercise session (.ogg)",
            f"{made['.ogg'][0]:.1f} s for {duration / 60:.1f} min"),
        Row("home audio: size per minute (.ogg / .mp3 / .wav)",
            " / ".join(f"{made[s][2] / 1e6 / (made[s][1] / 60):.2f} MB" for s in FORMATS)),
    ]
    if live_seconds is not None:
        section.rows.append(at_most("home audio: file − live session duration",
                                    abs(duration - live_seconds), TARGET,
                                    f"{duration - live_seconds:+.1f} s", f"≤ {TARGET:.0f} s"))
    section.details = markdown_table(
        ["format", "made in", "duration", "size"],
        [[s, f"{w:.1f} s", f"{d:.1f} s", f"{b / 1e6:.2f} MB"] for s, (w, d, b) in made.items()])
    if live_seconds is not None:
        section.details += (f"\n\nLive session: {live_seconds:.1f} s from start to exit "
                            f"(the process's start included); the file: {duration:.1f} s.")
    return section


if __name__ == "__main__":
    result = measure(Path(__file__).resolve().parents[1])
    for row in result.rows:
        print(f"{row.measure}: {row.value} {row.target} {row.status}")
    print(result.details)
