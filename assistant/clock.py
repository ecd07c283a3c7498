"""Time for the guided exercises: the real clock, or a fast one (ASSISTANT_FAST_CLOCK=1) whose
waits take no time at all (tests and demos)."""

from __future__ import annotations

import os
import time
from typing import Protocol

FAST_CLOCK_ENV = "ASSISTANT_FAST_CLOCK"


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic scale."""
        ...

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass without input (a fast clock jumps; a real one has already waited)."""
        ...

    @property
    def fast(self) -> bool:
        """Waits do not really wait."""
        ...


class RealClock:
    fast = False

    def now(self) -> float:
        return time.monotonic()

    def advance(self, seconds: float) -> None:
        return None


class FastClock:
    """Virtual time: it moves only when a wait asks it to."""

    fast = True

    def __init__(self, start: float = 0.0) -> None:
        self.time = start

    def now(self) -> float:
        return self.time

    def advance(self, seconds: float) -> None:
        self.time += max(0.0, seconds)


def clock_from_env() -> Clock:
    """The fast clock when ASSISTANT_FAST_CLOCK is set to 1, else the real one."""
    return FastClock() if os.environ.get(FAST_CLOCK_ENV) == "1" else RealClock()
