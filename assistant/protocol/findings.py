"""Findings: what the intake found, validated, and which of them a decision needs."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Final, Literal

RED_FLAG_CATEGORIES: Final = (
    "fracture", "dislocation", "spinal_cord", "infection", "tumour", "systemic",
)
ADL_IMPACTS: Final = ("none", "mild", "severe")
NORMAL_COURSE_MAX_WEEKS: Final = 6  # "in de eerste zes weken"
LONG_ABSENCE_WEEKS: Final = 4  # "langer dan vier weken"

AdlImpact = Literal["none", "mild", "severe"]
Value = bool | str | float | tuple[str, ...]


class FindingsError(ValueError):
    """Findings are invalid or incomplete; the (Dutch) message names the key."""


@dataclass(frozen=True)
class Findings:
    """What the intake found. None means: not asked (yet)."""

    red_flags: tuple[str, ...] | None = None
    neurological_signs: bool | None = None
    adl_impact: AdlImpact | None = None
    weeks_since_onset: float | None = None
    improving: bool | None = None
    recurrent: bool | None = None
    psychosocial_dominant: bool | None = None
    work_related: bool | None = None
    trauma_related: bool | None = None
    work_absence_weeks: float | None = None

    def get(self, key: str) -> Value | None:
        value: Value | None = getattr(self, key)
        return value

    def with_value(self, key: str, value: Value | None) -> Findings:
        """A copy with one finding set (or cleared with None)."""
        if key not in FINDING_KEYS:
            raise KeyError(key)
        changes: dict[str, Any] = {key: value}
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The findings-file form: only the keys that are known."""
        out: dict[str, Any] = {}
        for key in FINDING_KEYS:
            value = getattr(self, key)
            if value is None:
                continue
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, float) and value.is_integer():
                value = int(value)
            out[key] = value
        return out


FINDING_KEYS: Final = tuple(f.name for f in fields(Findings))
_BOOLEANS: Final = frozenset(
    {"neurological_signs", "improving", "recurrent", "psychosocial_dominant", "work_related",
     "trauma_related"}
)


def _weeks(key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FindingsError(f"'{key}' moet een aantal weken zijn, geen {json_type(value)}")
    if not math.isfinite(value) or value < 0:
        raise FindingsError(f"'{key}' moet 0 of meer weken zijn, niet {value}")
    return float(value)


def json_type(value: object) -> str:
    """The JSON name of a value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "waar/onwaar"
    if isinstance(value, int | float):
        return "getal"
    if isinstance(value, str):
        return "tekst"
    if isinstance(value, list):
        return "lijst"
    return "object"


def parse_findings(data: object) -> Findings:
    """Validate a findings object (parsed JSON). Missing keys stay None."""
    if not isinstance(data, Mapping):
        raise FindingsError(f"de bevindingen moeten een JSON-object zijn, geen {json_type(data)}")
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in FINDING_KEYS:
            raise FindingsError(f"onbekende sleutel '{key}'")
        if key == "red_flags":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise FindingsError("'red_flags' moet een lijst van alarmsignalen zijn")
            for flag in value:
                if flag not in RED_FLAG_CATEGORIES:
                    raise FindingsError(
                        f"onbekend alarmsignaal '{flag}' in 'red_flags' "
                        f"(bekend: {', '.join(RED_FLAG_CATEGORIES)})")
            values[key] = tuple(sorted(set(value), key=RED_FLAG_CATEGORIES.index))
        elif key in _BOOLEANS:
            if not isinstance(value, bool):
                raise FindingsError(f"'{key}' moet true of false zijn, geen {json_type(value)}")
            values[key] = value
        elif key == "adl_impact":
            if value not in ADL_IMPACTS:
                raise FindingsError(f"'adl_impact' moet een van {', '.join(ADL_IMPACTS)} zijn, "
                                    f"niet {json.dumps(value)}")
            values[key] = value
        else:
            values[key] = _weeks(key, value)
    return Findings(**values)


def needed_keys(f: Findings) -> list[str]:
    """The findings the decision needs, in the order the intake asks them.

    Which keys are needed depends on the answers already known: a red flag makes everything
    else irrelevant; grade III does not need the course; a course already abnormal through its
    duration does not need improvement or recurrence; absence only matters when the pain is
    work-related.
    """
    keys = ["red_flags"]
    if f.red_flags is None or f.red_flags:
        return keys
    keys.append("neurological_signs")
    if f.neurological_signs is None:
        return keys
    if not f.neurological_signs:
        keys += ["adl_impact", "weeks_since_onset"]
        if f.weeks_since_onset is None:
            return keys
        if f.weeks_since_onset <= NORMAL_COURSE_MAX_WEEKS:
            keys.append("improving")
            if f.improving is None:
                return keys
            if f.improving:
                keys.append("recurrent")
                if f.recurrent is None:
                    return keys
        normal = f.weeks_since_onset <= NORMAL_COURSE_MAX_WEEKS and f.improving and not f.recurrent
        if not normal:
            keys += ["psychosocial_dominant", "trauma_related"]
    else:
        keys.append("trauma_related")
    keys.append("work_related")
    if f.work_related:
        keys.append("work_absence_weeks")
    return keys


def missing_keys(f: Findings) -> list[str]:
    """Needed findings that are still unknown (empty when a decision can be made)."""
    return [key for key in needed_keys(f) if f.get(key) is None]


def require_complete(f: Findings) -> None:
    """Raise FindingsError naming the first needed key that is missing."""
    missing = missing_keys(f)
    if missing:
        raise FindingsError(f"sleutel '{missing[0]}' ontbreekt (nodig voor de beslissing)")
