"""1. Dialog turn latency in text mode: an answer handed over → the next question emitted."""

from __future__ import annotations

import os
import time
from collections import Counter
from typing import Any

from assistant.dialog.consultation import DialogConfig
from assistant.dialog.events import Emit, Event
from assistant.protocol.model import Protocol
from assistant.screen import Screen
from assistant.session import SpeechOutput, run_consultation
from assistant.speech.interfaces import SilentSpeaker
from bench.report import Row, Section, at_most
from bench.scenarios import Patient, Script, make_scripts
from bench.stats import Summary, ms

TARGET = 0.020  # s, p95
NEXT_QUESTION = frozenset({"ask", "confirm"})


class TurnTimer:
    """The last sink: stamps the next question after each hand-over, and the result."""

    def __init__(self, patient: Patient) -> None:
        self.patient = patient
        self.turns: list[float] = []  # s, hand-over → next ask/confirm
        self.to_result: list[float] = []  # s, last answer → result event
        self._stamped: float | None = None

    def __call__(self, event: Event) -> None:
        now = time.perf_counter()
        given = self.patient.handed_over
        if given is None or given == self._stamped:
            return
        if event["event"] in NEXT_QUESTION:
            self.turns.append(now - given)
            self._stamped = given
        elif event["event"] == "result":
            self.to_result.append(now - given)
            self._stamped = given


def run_one(protocol: Protocol, script: Script, devnull: Any) -> tuple[TurnTimer, str | None]:
    """One consultation through session.run_consultation, with the CLI's sinks."""
    patient = Patient(script)
    timer = TurnTimer(patient)
    sinks: list[Emit] = [patient, Screen(devnull, echo=True), SpeechOutput(SilentSpeaker()),
                         timer]
    outcome = run_consultation(protocol, patient, sinks, DialogConfig())
    result = outcome.consultation.result
    ended = None if result is None else ("referral" if result.referral else result.profile)
    return timer, ended


def measure(protocol: Protocol, consultations: int) -> Section:
    scripts = make_scripts(protocol, consultations)
    turns: list[float] = []
    results: list[float] = []
    ended: Counter[str] = Counter()
    wrong = 0
    with open(os.devnull, "w", encoding="utf-8") as devnull:
        run_one(protocol, scripts[0], devnull)  # warm-up: first-call caches (grammars)
        for script in scripts:
            timer, profile = run_one(protocol, script, devnull)
            turns += timer.turns
            results += timer.to_result
            ended[profile or "unfinished"] += 1
            wrong += profile != script.profile
    turn, result = Summary.of(turns), Summary.of(results)
    coverage = ", ".join(f"{k}: {v}" for k, v in sorted(ended.items()))
    rows: list[Row] = [
        Row("dialog turn p50 (text)", ms(turn.p50)),
        at_most("dialog turn p95 (text)", turn.p95, TARGET, ms(turn.p95), "≤ 20 ms"),
        Row("dialog turn max (text)", ms(turn.max)),
        Row("last answer → result p95", ms(result.p95)),
    ]
    method = (
        f"{consultations} whole consultations ({coverage}; {wrong} ended elsewhere than "
        f"scripted), {turn.n} turns, through `assistant.session.run_consultation` with the "
        "CLI's sinks (screen to /dev/null, speech output muted). A listener hands over each "
        "answer — phrased as people say them, with `herhaal`, `help`, `terug`, `pauze`/`verder` "
        "and not-understood answers mixed in — and stamps `perf_counter()`; the last sink "
        "stamps the next `ask` or `confirm` event. One consultation is run first as a warm-up "
        "(the grammar cache). The last answer → `result` event (classification, report data, "
        "summary) is shown separately.")
    return Section("dialog", "Dialog turn latency (text mode)", method, rows)
