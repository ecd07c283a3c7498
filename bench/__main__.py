"""`python -m bench`: run the benchmarks, print the figures, rewrite docs/benchmarks.md."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from assistant.protocol import load_protocol
from bench import (
    dialog,
    exercises,
    home_audio,
    length,
    practice,
    processes,
    recognition,
    speech,
    stand_in,
    ui,
    understanding,
)
from bench.machine import describe
from bench.report import Section, render, table

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
PARTS = ("dialog", "practice", "exercises", "startup", "speech", "memory", "understanding",
         "recognition", "stand_in", "length", "ui", "home_audio")


def _turn_p95(sections: Sequence[Section], key: str, measure: str) -> float | None:
    """A figure from an earlier section, in seconds (for the composed voice latency)."""
    for section in sections:
        for row in section.rows:
            if section.key == key and row.measure == measure and row.value.endswith(" ms"):
                return float(row.value.removesuffix(" ms")) / 1000
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="fewer consultations and start-up runs; writes no doc unless --write")
    parser.add_argument("--write", action="store_true", help="write the doc even with --quick")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--only", metavar="A,B", help=f"some of: {','.join(PARTS)}")
    parser.add_argument("--output", type=Path, default=DOC, help=f"default: {DOC}")
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else set(PARTS)
    if only - set(PARTS):
        parser.error(f"unknown part(s): {', '.join(sorted(only - set(PARTS)))}")
    consultations, runs, sessions = (50, 3, 12) if args.quick else (500, 15, 100)
    protocol = load_protocol()
    started = time.perf_counter()
    sections: list[Section] = []

    def step(name: str) -> None:
        print(f"bench: {name} …", file=sys.stderr, flush=True)

    if "dialog" in only:
        step(f"dialog turns, {consultations} consultations")
        sections.append(dialog.measure(protocol, consultations))
    if "practice" in only:
        step(f"the records on a practice's PostgreSQL server beside SQLite: journal appends, "
             f"{practice.INTAKES} concurrent intakes, the access log's cost")
        sections.append(practice.measure())
    if "exercises" in only:
        step(f"guided exercise sessions, {sessions} sessions")
        sections.append(exercises.measure(protocol, sessions))
    if "startup" in only or "memory" in only:
        step(f"start-up and memory, {runs} runs per mode")
        startup, memory = processes.measure(protocol, ROOT, runs)
        if "startup" in only:
            sections.append(startup)
    if "speech" in only:
        step("speech output, every prompt")
        sections.append(speech.measure(protocol))
    if "memory" in only:
        sections.append(memory)
    if "understanding" in only:
        step("understanding corpus")
        sections.append(understanding.measure(protocol))
    if "recognition" in only:
        step("recognition")
        section = recognition.measure(
            protocol, _turn_p95(sections, "dialog", "dialog turn p95 (text)"),
            _turn_p95(sections, "speech", "prompt → first sample, warm p95"))
        sections.append(section)
        if section.rows and section.rows[0].status == "skipped":
            print(f"bench: recognition {section.details}", file=sys.stderr)
    if "stand_in" in only:
        step("the real decoder with the stand-in model")
        sections.append(stand_in.measure(  # a voice intake journals every answer
            _turn_p95(sections, "dialog", "dialog turn p95 (text, journaled)"),
            _turn_p95(sections, "speech", "prompt → first sample, warm p95")))
    if "length" in only:
        step("intake length: answers and spoken time")
        sections.append(length.measure(protocol))
    if "ui" in only:
        step("the therapist's screen in headless Chromium")
        sections.append(ui.measure(ROOT, 1 if args.quick else ui.ROUNDS))
    if "home_audio" in only:
        step("the session to take home: the file, and the live session on the real clock "
             "(about 10 minutes)")
        sections.append(home_audio.measure(ROOT, live=not args.quick))
    seconds = time.perf_counter() - started
    print(table(sections))
    missed = [r for s in sections for r in s.rows if r.status == "missed"]
    print(f"\n{len(missed)} target(s) missed" + (": " + ", ".join(r.measure for r in missed)
                                                 if missed else "") + f"; {seconds:.0f} s")
    write = not args.no_write and (not args.quick or args.write)
    if write:
        options = "" if only == set(PARTS) and not args.quick else " " + " ".join(
            (["--quick"] if args.quick else []) + ([f"--only {args.only}"] if args.only else []))
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(render(describe(ROOT), sections, seconds=seconds,
                                      options=options), encoding="utf-8")
        print(f"written: {args.output}")
    return 0



if __name__ == "__main__":
    sys.exit(main())
