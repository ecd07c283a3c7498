"""What the figures were measured on: CPU, cores, RAM, OS, Python, and the versions that matter."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int
    ram_gb: float
    os: str
    python: str
    espeak: str
    when: str  # local date and time of the run, ISO format
    commit: str


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _os() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return f"{line.split('=', 1)[1].strip(chr(34))}, Linux {platform.release()}"
    except OSError:
        pass
    return platform.platform()


def _run(args: list[str], cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=10, cwd=cwd)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return done.stdout.strip().splitlines()[0] if done.stdout.strip() else "?"


def describe(root: Path) -> Machine:
    commit = _run(["git", "rev-parse", "--short", "HEAD"], root)
    dirty = _run(["git", "status", "--porcelain", "--untracked-files=no"], root)
    return Machine(
        cpu=_cpu(), cores=os.cpu_count() or 1, ram_gb=_ram_gb(), os=_os(),
        python=f"{platform.python_implementation()} {sys.version.split()[0]}",
        espeak=_run(["espeak-ng", "--version"]),
        when=datetime.now().astimezone().isoformat(timespec="seconds"),
        commit=commit + (" (with uncommitted changes)" if dirty not in ("", "?") else ""),
    )
