"""Guided exercise session: a spoken or typed command handed over → the session's reaction
emitted; and how long the logic of a whole profile-B session takes with a fast clock."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Sequence
from typing import Any

from assistant.clock import FastClock
from assistant.dialog.events import Emit, Event
from assistant.dialog.exercise_session import ExerciseSession, SessionConfig
from assistant.intake.run import Fanout, SpeechOutput
from assistant.output.screen import Screen
from assistant.protocol.model import Protocol
from assistant.speech.interfaces import SilentSpeaker, Utterance
from bench.report import Row, Section, at_most, markdown_table
from bench.stats import Summary, median, ms

TARGET = 0.020  # s, p95 (as a dialog turn)
PROFILES = ("A", "B", "C", "D")
REACTIONS = frozenset({"say", "reprompt", "exercise"})  # what a command is answered with
RATE = 0.02  # chance of a command at each wait of a running session
# What is said while the session counts, with weights. Not 'verder' (outside a pause it does
# nothing, so there is no reaction to time); 'stop' ends some sessions instead.
ACTIVE = (("pauze", 3.0), ("herhaal", 3.0), ("volgende", 1.0), ("langzamer", 1.5),
          ("sneller", 1.5), ("wat zei u", 1.0))
IN_PAUSE = (("verder", 8.0), ("herhaal", 1.0), ("wat zei u", 1.0))  # all answered in a pause


class TimedCommands:
    """A command source that says a command now and then, from a seeded random plan, and
    stamps `perf_counter()` when it hands one over (as the dialog's listener does)."""

    def __init__(self, rng: random.Random, stop_after: int | None = None,
                 rate: float = RATE) -> None:
        self.rng = rng
        self.rate = rate
        self.stop_after = stop_after  # say 'stop' as the command after this many
        self.said: list[str] = []
        self.handed_over: float | None = None
        self.waits = 0

    @property
    def ended(self) -> bool:
        return False

    def _pick(self, choices: Sequence[tuple[str, float]]) -> str:
        return self.rng.choices([c for c, _ in choices], [w for _, w in choices])[0]

    def wait(self, grammar: Sequence[str], timeout: float | None) -> Utterance | None:
        self.waits += 1
        if timeout is None:  # paused: waits as long as it takes
            text = self._pick(IN_PAUSE)
        elif self.rng.random() < self.rate:
            stop = self.stop_after is not None and len(self.said) >= self.stop_after
            text = "stop" if stop else self._pick(ACTIVE)
        else:
            return None
        self.said.append(text)
        self.handed_over = time.perf_counter()
        return Utterance(text)


class ReactionTimer:
    """The last sink: stamps the first reaction (something said, a re-prompt, the next
    exercise) after each command handed over."""

    def __init__(self, commands: TimedCommands) -> None:
        self.commands = commands
        self.reactions: list[tuple[str, float]] = []  # (command, s)
        self.events = 0
        self._stamped: float | None = None

    def __call__(self, event: Event) -> None:
        now = time.perf_counter()
        self.events += 1
        given = self.commands.handed_over
        if given is None or given == self._stamped or event.kind not in REACTIONS:
            return
        self.reactions.append((self.commands.said[-1], now - given))
        self._stamped = given


def sinks(protocol: Protocol, devnull: Any, last: Emit) -> list[Emit]:
    """The CLI's sinks for `assistant exercises --mute` (screen to `devnull`), then `last`."""
    return [Screen(devnull, echo=True, release=protocol.library.session.release),
            SpeechOutput(SilentSpeaker()), last]


def run_session(protocol: Protocol, profile: str, commands: TimedCommands, devnull: Any,
                clock: FastClock | None = None) -> tuple[ReactionTimer, bool]:
    """The real ExerciseSession through a profile's whole menu, with a fast clock; the timer
    and whether the session was stopped."""
    chosen = protocol.profile(profile)
    library = protocol.library
    timer = ReactionTimer(commands)
    session = ExerciseSession(
        [library.exercise(c) for c in chosen.exercises], library.session, protocol.vocabulary,
        Fanout(sinks(protocol, devnull, timer)), commands, clock or FastClock(),
        SessionConfig(warning=chosen.exercise_warning))
    return timer, session.run().stopped


def measure(protocol: Protocol, sessions: int, whole_runs: int = 5) -> Section:
    rng = random.Random(11)
    reactions: list[tuple[str, float]] = []
    stopped = 0
    with open(os.devnull, "w", encoding="utf-8") as devnull:
        run_session(protocol, "B", TimedCommands(random.Random(0)), devnull)  # warm-up
        for n in range(sessions):
            stop_after = rng.randrange(5, 40) if n % 5 == 4 else None
            commands = TimedCommands(random.Random(rng.random()), stop_after)
            timer, was_stopped = run_session(protocol, PROFILES[n % len(PROFILES)], commands,
                                             devnull)
            reactions += timer.reactions
            stopped += was_stopped
        walls: list[float] = []
        events = minutes = 0.0
        for _ in range(whole_runs):
            clock = FastClock()
            quiet = TimedCommands(random.Random(0), rate=0.0)
            started = time.perf_counter()
            timer, _ = run_session(protocol, "B", quiet, devnull, clock)
            walls.append(time.perf_counter() - started)
            events, minutes = timer.events, clock.now() / 60
    latency = Summary.of([s for _, s in reactions])
    wall = median(walls)
    exercises = len(protocol.profile("B").exercises)
    rows: list[Row] = [
        Row("exercise command → reaction p50", ms(latency.p50)),
        at_most("exercise command → reaction p95", latency.p95, TARGET, ms(latency.p95),
                "≤ 20 ms"),
        Row("exercise command → reaction max", ms(latency.max)),
        Row("whole profile-B session, fast clock", f"{ms(wall)}, {events:.0f} events"),
    ]
    by_command: dict[str, list[float]] = {}
    for text, seconds in reactions:
        by_command.setdefault(text, []).append(seconds)
    breakdown = markdown_table(
        ["command", "n", "p50", "p95", "max"],
        [[text, str(len(v)), ms(Summary.of(v).p50), ms(Summary.of(v).p95), ms(max(v))]
         for text, v in sorted(by_command.items(), key=lambda kv: -len(kv[1]))])
    method = (
        f"{sessions} guided sessions through the whole exercise menu of profiles A–D in turn "
        "(14 or 24 exercises), the real `assistant.dialog.exercise_session.ExerciseSession` "
        "with a fast clock (`FastClock`: waits take no time) and the sinks of `assistant "
        "exercises --mute` (screen to /dev/null, speech output muted). The command source "
        f"says a command at a wait with a chance of {RATE:.0%} — `pauze`, `herhaal`, "
        "`volgende`, `langzamer`, `sneller` or something not understood; in a pause `verder` "
        "mostly — and stamps `perf_counter()` as it hands it over; every fifth session says "
        f"`stop` after 5 to 39 commands, if it lasts that long ({stopped} stopped). The last sink "
        "stamps the session's first reaction "
        "after it: a `say` (the notice, the next words), a `reprompt` (not understood) or an "
        "`exercise` event. One session is run first as a warm-up. Then a whole profile-B "
        f"session ({exercises} exercises) without commands, the median wall time of "
        f"{whole_runs} runs: the session's own logic, which with a real clock takes "
        f"{minutes:.0f} minutes.")
    details = (f"{latency.n} commands. By command:\n\n{breakdown}")
    return Section("exercises", "Guided exercise session", method, rows, details)
