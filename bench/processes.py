"""Start-up (process start → first question printed), import times, and peak memory of
whole `assistant intake` processes, each in a private HOME with no speech model."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from assistant.protocol.model import Protocol
from bench.report import Row, Section, at_most, markdown_table
from bench.stats import median, ms

STARTUP_TARGET = 1.0  # s, median
MEMORY_TARGET = 150 * 1024 * 1024  # bytes, peak RSS
TIMEOUT = 60.0  # s for one process
MODEL_ENV = ("ASSISTANT_VOSK_MODEL", "VOSK_MODEL_PATH")

ANSWERS = {  # findings version 2. Profile B after a trauma the Canadian C-spine rule clears,
    # with a precaution (anticoagulants), work-related with sick leave: every section but one
    # (recurrence) is asked
    "red_flags": [], "precautions": ["anticoagulants"], "trauma_related": True,
    "c_spine_rule": {"high_risk": False, "low_risk": True, "rotation_45": True},
    "neurological_signs": False, "adl_impact": "severe", "weeks_since_onset": 8,
    "improving": False, "recurrent": False, "psychosocial_dominant": False,
    "work_related": True, "work_absence_weeks": 5,
}


@dataclass(frozen=True)
class Mode:
    """One way of starting the intake."""

    name: str
    args: tuple[str, ...]


MODES = (
    Mode("text", ("intake", "--text", "--mute")),
    Mode("voice without model", ("intake", "--mute")),
)


@dataclass(frozen=True)
class Run:
    first_question: float  # s from Popen to the first question's line on stdout
    max_rss: int  # bytes, peak resident set size of the process
    code: int


def private_env(home: Path) -> dict[str, str]:
    """The environment for a measured process: its own HOME, no model, no colours."""
    env = {k: v for k, v in os.environ.items() if k not in MODEL_ENV}
    env.update(HOME=str(home), NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    return env


def _wait(process: subprocess.Popen[bytes]) -> tuple[int, int]:
    """Exit code and peak RSS (bytes) of a child, from wait4's rusage."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss * 1024  # Linux: kilobytes


def start_once(python: str, root: Path, mode: Mode, first_line: str, home: Path) -> Run:
    """Start the intake, wait for the first question on stdout, then end its input."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [python, "-m", "assistant", *mode.args], cwd=root, env=private_env(home),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None and process.stdin is not None
    seen = threading.Event()
    at: list[float] = []

    def read(stream: IO[bytes]) -> None:
        for line in stream:
            if not at and line.decode("utf-8", "replace").strip() == first_line:
                at.append(time.perf_counter())
                seen.set()
        seen.set()

    reader = threading.Thread(target=read, args=(process.stdout,), daemon=True)
    reader.start()
    if not seen.wait(TIMEOUT):
        process.kill()
    process.stdin.close()  # end of input: the consultation stops (exit 1)
    code, rss = _wait(process)
    reader.join(5)
    if not at:
        raise RuntimeError(f"{mode.name}: the first question never appeared (exit {code})")
    return Run(at[0] - started, rss, code)


def whole_consultation(python: str, root: Path, home: Path) -> tuple[int, int, float]:
    """`intake --text --mute --answers FILE` to its end: exit code, peak RSS, seconds."""
    answers = home / "answers.json"
    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        process = subprocess.Popen(
            [python, "-m", "assistant", "intake", "--text", "--mute", "--answers", str(answers),
             "--report", str(home / "report")],
            cwd=root, env=private_env(home), stdin=subprocess.DEVNULL, stdout=sink,
            stderr=sink)
        code, rss = _wait(process)
    return code, rss, time.perf_counter() - started


_IMPORT = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)$")


# What a start imports: assistant.cli itself loads the program lazily (Ctrl-C during start-up is
# caught before the imports), so the breakdown is of the program it then loads.
PROGRAM = "assistant.cli.app"


def import_times(python: str, root: Path, module: str = PROGRAM,
                 runs: int = 5) -> list[tuple[str, int, int]]:
    """(module, self µs, cumulative µs) of `python -X importtime -c 'import module'`, the
    median of each over `runs` runs, heaviest cumulative first."""
    samples: dict[str, list[tuple[int, int]]] = {}
    for _ in range(runs):
        done = subprocess.run([python, "-X", "importtime", "-c", f"import {module}"], cwd=root,
                              capture_output=True, text=True, check=True)
        for line in done.stderr.splitlines():
            match = _IMPORT.match(line)
            if match:
                samples.setdefault(match[4], []).append((int(match[1]), int(match[2])))
    rows = [(name, round(median([s for s, _ in v])), round(median([c for _, c in v])))
            for name, v in samples.items()]
    return sorted(rows, key=lambda r: -r[2])


def loaded_modules(python: str, root: Path, names: Sequence[str]) -> list[str]:
    """Which of `names` a text-mode start imports (the heavy ones must stay lazy)."""
    code = (f"import sys, {PROGRAM}; "
            f"print(' '.join(n for n in {list(names)!r} if n in sys.modules))")
    done = subprocess.run([python, "-c", code], cwd=root, capture_output=True, text=True,
                          check=True)
    return done.stdout.split()


HEAVY = ("numpy", "sounddevice", "vosk", "pyttsx3", "matplotlib", "urllib.request",
         "http.client", "sqlite3")


HOT_SPOTS = (
    "**Hot spots fixed** (found by this benchmark, commit 18d8cfe): voice mode imported numpy "
    "and the whole audio stack (`assistant.speech.audio`, ~0.17 s) before finding that there "
    "is no speech model; `voice_setup.open_listener` now looks for the model first, so the "
    "fallback to text starts as fast as `--text` (first question 305 → 110 ms at the time). "
    "`assistant.speech.models` imported `urllib.request` and `http.client` on every start; "
    "they are now imported by the download only (−13 ms). Any module listed above as heavy "
    "and imported on the text path is a candidate for the same treatment.")


def measure(protocol: Protocol, root: Path, runs: int) -> tuple[Section, Section]:
    python = sys.executable
    first = protocol.section_questions(protocol.sections[0].id)[0].text
    results: dict[str, list[Run]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-home-") as tmp:
        home = Path(tmp)
        start_once(python, root, MODES[0], first, home)  # warm the OS file cache
        for _ in range(runs):
            for mode in MODES:
                results.setdefault(mode.name, []).append(
                    start_once(python, root, mode, first, home))
        code, whole_rss, whole_seconds = whole_consultation(python, root, home)
    imports = import_times(python, root)
    heavy = loaded_modules(python, root, HEAVY)

    startup_rows: list[Row] = []
    for mode in MODES:
        times = [r.first_question for r in results[mode.name]]
        startup_rows.append(at_most(f"start-up → first question ({mode.name})", median(times),
                                    STARTUP_TARGET, ms(median(times)), "≤ 1 s"))
        startup_rows.append(Row(f"  slowest of {len(times)}", ms(max(times))))
    total = imports[0][2] if imports else 0
    startup_rows.append(Row(f"import {PROGRAM} (cumulative)", ms(total / 1e6)))
    top = markdown_table(["module", "self", "cumulative"],
                         [[name, ms(s / 1e6), ms(c / 1e6)] for name, s, c in imports[:10]])
    startup = Section(
        "startup", "Start-up", (
            f"`python -m assistant intake --text --mute` and `python -m assistant intake "
            "--mute` (voice mode; without a model it falls back to text with a notice) as "
            f"subprocesses, stdin a pipe, a private HOME and no `ASSISTANT_VOSK_MODEL`; the time "
            "from `Popen` to the first question's line on stdout; then stdin is closed (the "
            f"consultation stops). Median of {runs} runs each, after one warm-up run (OS file "
            f"cache). Import breakdown: `python -X importtime -c 'import {PROGRAM}'`, the "
            "median of 5 runs, top 10 by cumulative time."),
        startup_rows,
        "Top 10 imports by cumulative time:\n\n" + top + "\n\nHeavy modules a text-mode start "
        f"imports: {', '.join(heavy) or 'none'} (checked: {', '.join(HEAVY)}).",
        HOT_SPOTS)
    memory_rows = [
        at_most("peak RSS, whole consultation (--answers)", whole_rss, MEMORY_TARGET,
                f"{whole_rss / 2**20:.0f} MB", "≤ 150 MB"),
    ]
    for mode in MODES:
        rss = max(r.max_rss for r in results[mode.name])
        memory_rows.append(at_most(f"peak RSS, start ({mode.name})", rss, MEMORY_TARGET,
                                   f"{rss / 2**20:.0f} MB", "≤ 150 MB"))
    memory = Section(
        "memory", "Memory", (
            "Peak resident set size (`ru_maxrss` from `os.wait4` of each child) of a whole "
            "`intake --text --mute --answers FILE --report DIR` consultation (profile B after "
            "a trauma the Canadian C-spine rule clears, with a precaution, work-related; every "
            f"section but one asked; exit {code}, {whole_seconds:.2f} s) "
            "and the largest of the start-up runs above (the process ends after the first "
            "question)."),
        memory_rows)
    return startup, memory
