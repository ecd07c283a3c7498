"""The results as rows with targets, a terminal table, and docs/benchmarks.md."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from bench.machine import Machine

Status = Literal["met", "missed", "info", "skipped"]
COMMAND = ".venv/bin/python -m bench"


@dataclass(frozen=True)
class Row:
    """One figure; `target` is empty for figures without one."""

    measure: str
    value: str
    target: str = ""
    status: Status = "info"


def at_most(measure: str, value: float, limit: float, shown: str, target: str) -> Row:
    """A figure whose target is an upper bound."""
    return Row(measure, shown, target, "met" if value <= limit else "missed")


def at_least(measure: str, value: float, limit: float, shown: str, target: str) -> Row:
    """A figure whose target is a lower bound."""
    return Row(measure, shown, target, "met" if value >= limit else "missed")


@dataclass
class Section:
    """One measurement: how it was measured (Markdown), its rows, and details (Markdown)."""

    key: str
    title: str
    method: str
    rows: list[Row] = field(default_factory=list)
    details: str = ""
    notes: str = ""  # what a miss means, what was fixed


def _mark(status: Status) -> str:
    return {"met": "met", "missed": "**missed**", "info": "", "skipped": "skipped"}[status]


def table(sections: Sequence[Section]) -> str:
    """The figures as a plain-text table for the terminal."""
    rows = [(s.title, r) for s in sections for r in s.rows]
    width = max([len(r.measure) for _, r in rows] + [10])
    vwidth = max([len(r.value) for _, r in rows] + [5])
    lines = [f"{'measure':<{width}}  {'value':>{vwidth}}  target      status",
             "-" * (width + vwidth + 26)]
    for _, r in rows:
        lines.append(f"{r.measure:<{width}}  {r.value:>{vwidth}}  {r.target:<10}  "
                     f"{'' if r.status == 'info' else r.status}".rstrip())
    return "\n".join(lines)


def markdown_table(header: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    """A Markdown table (cells have their '|' escaped)."""
    def cells(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.replace("|", "\\|") for v in values) + " |"
    return "\n".join([cells(header), cells(["---"] * len(header)), *map(cells, body)])


def render(machine: Machine, sections: Sequence[Section], *, seconds: float,
           options: str) -> str:
    """docs/benchmarks.md: method, machine, date, figures with targets, how to reproduce."""
    figures = markdown_table(
        ["measure", "value", "target", ""],
        [[r.measure, r.value, r.target, _mark(r.status)] for s in sections for r in s.rows])
    missed = [r for s in sections for r in s.rows if r.status == "missed"]
    verdict = ("All targets met." if not missed else
               "Missed: " + "; ".join(f"{r.measure} ({r.value}, target {r.target})"
                                      for r in missed) + ". See the sections below.")
    parts = [
        "# Benchmarks",
        "",
        f"Written by `{COMMAND}{options}` on {machine.when}; do not edit by hand, run it "
        "again. Figures are measured, not estimated, unless a row says so. They are a benchmark, "
        "not a test: nothing in CI fails when a machine is slow.",
        "",
        "## Machine",
        "",
        markdown_table(["", ""], [
            ["CPU", machine.cpu], ["cores", str(machine.cores)],
            ["RAM", f"{machine.ram_gb:.1f} GB"], ["OS", machine.os],
            ["Python", machine.python], ["espeak-ng", machine.espeak],
            ["commit", machine.commit], ["date", machine.when],
            ["bench run time", f"{seconds:.0f} s"],
        ]),
        "",
        "## Figures",
        "",
        figures,
        "",
        verdict,
        "",
    ]
    for number, section in enumerate(sections, 1):
        parts += [f"## {number}. {section.title}", "", "**Method.** " + section.method, ""]
        if section.details:
            parts += [section.details, ""]
        if section.notes:
            parts += [section.notes, ""]
    parts += [
        "## How to reproduce",
        "",
        "```",
        f"{COMMAND}            # everything, a few minutes on 2 cores; rewrites this file",
        f"{COMMAND} --quick    # fewer runs, for trying things (writes nothing unless --write)",
        f"{COMMAND} --only understanding,dialog --no-write",
        "./assistant.sh test && .venv/bin/python -m bench   # on a fresh machine: install, "
        "check, measure",
        "```",
        "",
        "A Vosk model enables the recognition section: `assistant model download`, or "
        "`ASSISTANT_VOSK_MODEL=/path/to/model`. Speech output needs espeak-ng and "
        "libportaudio2 (`./assistant.sh` installs them); it plays through the ALSA `file` "
        "plugin of a private `~/.asoundrc`, so no sound card is needed.",
        "",
    ]
    return "\n".join(parts)
