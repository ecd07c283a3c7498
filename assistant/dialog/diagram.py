"""The consultation state machine as a Mermaid state diagram, drawn from its own table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.dialog.consultation_table import RESULT, STATES, STOPPED, TRANSITIONS


def _label(conditions: Sequence[Any], unless: Sequence[Any], otherwise: bool) -> str:
    parts = [c.__name__ for c in conditions] + [f"not {c.__name__}" for c in unless]
    if parts:
        return " and ".join(parts)
    return "otherwise" if otherwise else ""


def mermaid() -> str:
    """`stateDiagram-v2` text: one arrow per row of the table; `stop` is allowed everywhere."""
    lines = ["stateDiagram-v2", f"    [*] --> {STATES[0]}"]
    conditional_sources: set[str] = set()
    for row in TRANSITIONS:
        if row["trigger"] == "stop":
            continue
        conditions, unless = row.get("conditions", []), row.get("unless", [])
        label = _label(conditions, unless, row["source"] in conditional_sources)
        if conditions or unless:
            conditional_sources.add(row["source"])
        arrow = f"    {row['source']} --> {row['dest']}"
        lines.append(f"{arrow}: {label}" if label else arrow)
    lines += [
        f"    note right of {STOPPED}: stop, from any question",
        f"    {RESULT} --> [*]",
        f"    {STOPPED} --> [*]",
    ]
    return "\n".join(lines) + "\n"


def session_mermaid() -> str:
    """The guided exercise session's machine as `stateDiagram-v2`: one arrow per source of each
    row, labelled with its trigger and condition (`stop` from every active state is a note)."""
    from assistant.dialog.exercise_session import STATES as SESSION_STATES
    from assistant.dialog.exercise_session import TRANSITIONS as SESSION_TRANSITIONS

    lines = ["stateDiagram-v2", f"    [*] --> {SESSION_STATES[0]}"]
    for row in SESSION_TRANSITIONS:
        if row["trigger"] == "stop":
            continue
        sources = row["source"] if isinstance(row["source"], list) else [row["source"]]
        label = row["trigger"]
        if row.get("conditions"):
            label += f" [{row['conditions']}]"
        if row.get("unless"):
            label += f" [not {row['unless']}]"
        for source in sources:
            lines.append(f"    {source} --> {row['dest'] or source}: {label}")
    lines += ["    note right of stopped: stop, from every state until the closing words",
              "    done --> [*]", "    stopped --> [*]"]
    return "\n".join(lines) + "\n"
