"""The course of a treatment in pictures: NPRS and PSK against weeks since the intake.

`write_chart` draws a PNG (matplotlib, Agg, imported only here and only when drawing);
`terminal_chart` is the same story as text, one row per evaluation.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Final

from assistant.files import write_private
from assistant.records.rows import EvaluationRow
from assistant.text import format_number

REVIEW_WEEKS: Final = 6  # 'indien er geen verbetering is opgetreden na zes weken'
SCALE_MAX: Final = 10
BAR_WIDTH: Final = 10
FULL, HALF, EMPTY = "█", "▌", "·"
NPRS_COLOUR: Final = "#c0392b"
PSK_COLOUR: Final = "#2471a3"


def weeks_since(day: date, intake_date: date) -> float:
    return (day - intake_date).days / 7


def bar(value: float) -> str:
    """A 0–10 value as a bar of ten cells, to the nearest half cell: 6 → ██████····."""
    halves = round(max(0.0, min(float(SCALE_MAX), value)) * 2)
    cells = FULL * (halves // 2) + (HALF if halves % 2 else "")
    return cells + EMPTY * (BAR_WIDTH - len(cells))


def terminal_chart(evaluations: Sequence[EvaluationRow], intake_date: date) -> str:
    """One row per evaluation: weeks, date, NPRS and PSK mean as bars; a line marks 6 weeks."""
    if not evaluations:
        return "Nog geen metingen.\n"
    lines = [f"{'week':>5}  {'datum':<10}  {'NPRS':<13}  PSK (gemiddeld)"]
    marked = False
    for e in sorted(evaluations, key=lambda e: (e.date, e.id)):
        weeks = weeks_since(e.date, intake_date)
        if not marked and weeks >= REVIEW_WEEKS:
            lines.append(f"{'':>5}  ── {REVIEW_WEEKS} weken: evaluatie ──")
            marked = True
        mean = round(e.psk_mean, 1)
        arm = "  arm erger" if e.neuro_worse else ""
        lines.append(f"{format_number(round(weeks, 1)):>5}  {e.date.isoformat()}  "
                     f"{e.nprs:>2} {bar(e.nprs)}  {format_number(mean):>4} {bar(mean)}{arm}")
    return "\n".join(lines) + "\n"


def _import_matplotlib() -> None:
    """Import matplotlib whatever MPLBACKEND says: we draw on the Agg canvas ourselves, and
    matplotlib refuses to import at all when that variable names a backend it does not know
    (MPLBACKEND=bogus). The variable is set back for anything else in this process."""
    saved = os.environ.pop("MPLBACKEND", None)
    try:
        import matplotlib  # noqa: F401
    finally:
        if saved is not None:
            os.environ["MPLBACKEND"] = saved


def write_chart(path: Path, evaluations: Sequence[EvaluationRow], intake_date: date) -> Path:
    """Draw the PNG: NPRS and PSK mean (the three PSK scores faint) per week since the intake,
    a 0–10 axis and a line at six weeks. Written atomically, mode 0600."""
    _import_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = sorted(evaluations, key=lambda e: (e.date, e.id))
    weeks = [weeks_since(e.date, intake_date) for e in rows]
    fig = Figure(figsize=(7.5, 4.2), dpi=120, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for i in range(3):
        ax.plot(weeks, [e.psk[i] for e in rows], color=PSK_COLOUR, alpha=0.25, linewidth=1,
                linestyle="--", marker=".", label="PSK per activiteit" if i == 0 else None)
    ax.plot(weeks, [e.psk_mean for e in rows], color=PSK_COLOUR, linewidth=2.2, marker="s",
            label="PSK gemiddeld")
    ax.plot(weeks, [e.nprs for e in rows], color=NPRS_COLOUR, linewidth=2.2, marker="o",
            label="Pijn (NPRS)")
    for w, e in zip(weeks, rows, strict=True):
        if e.neuro_worse:
            ax.annotate("arm erger", (w, e.nprs), textcoords="offset points", xytext=(0, -9),
                        ha="center", va="top", fontsize=8, color=NPRS_COLOUR, zorder=5,
                        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white",
                              "edgecolor": NPRS_COLOUR, "linewidth": 0.6})
    ax.axvline(REVIEW_WEEKS, color="0.35", linestyle=":", linewidth=1.5)
    ax.text(REVIEW_WEEKS, SCALE_MAX - 0.2, f" {REVIEW_WEEKS} weken: evaluatie",
            color="0.3", fontsize=9, va="top", ha="left")
    last = max([*weeks, REVIEW_WEEKS + 1.0])
    ax.set_xlim(-0.3, last + 0.5)
    ax.set_ylim(0, SCALE_MAX + 0.3)
    ax.set_yticks(range(SCALE_MAX + 1))
    ax.set_xlabel("Weken sinds de intake")
    ax.set_ylabel("Score (0 = geen, 10 = ergst / onmogelijk)")
    ax.set_title(f"Verloop sinds de intake van {intake_date.isoformat()}")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=8,
              frameon=False)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return write_private(path, buffer.getvalue())
