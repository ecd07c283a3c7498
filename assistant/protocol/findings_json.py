"""Reading a findings file: a parsed JSON object (version 2, with the version-3 additions)
checked key by key into `Findings`. Every fault is a FindingsError in Dutch naming the key."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from assistant.errors import FindingsError
from assistant.protocol.findings import (
    BOOLEAN_FINDINGS,
    C_SPINE_KEYS,
    CHOICE_FINDINGS,
    DEFICIT_FLAGS,
    FINDING_KEYS,
    LIST_FINDINGS,
    MAX_AGE,
    MAX_WEEKS,
    PRECAUTIONS,
    RED_FLAG_CATEGORIES,
    CSpineRule,
    Findings,
)


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


def _known_items(data: object, not_an_object: str, known: Collection[str],
                 prefix: str = "") -> Iterator[tuple[str, object]]:
    """The (key, value) pairs of a JSON object, each key checked against `known` as it comes;
    `not_an_object` starts the error when `data` is no object ('… moet een object zijn'),
    `prefix` goes before a key the error names ('c_spine_rule.')."""
    if not isinstance(data, Mapping):
        raise FindingsError(f"{not_an_object}, geen {json_type(data)}")
    for key, value in data.items():
        if key not in known:
            raise FindingsError(f"onbekende sleutel '{prefix}{key}'")
        yield key, value


def _weeks(key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FindingsError(f"'{key}' moet een aantal weken zijn, geen {json_type(value)}")
    if not 0 <= value <= MAX_WEEKS:  # NaN and the infinities too; a huge int is compared exactly
        raise FindingsError(f"'{key}' moet 0 tot {int(MAX_WEEKS)} weken zijn")
    return float(value)


def _members(key: str, value: object, known: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FindingsError(f"'{key}' moet een lijst zijn (mogelijk: {', '.join(known)})")
    for member in value:
        if member not in known:
            raise FindingsError(f"onbekende waarde '{member}' in '{key}' "
                                f"(bekend: {', '.join(known)})")
    return tuple(sorted(set(value), key=known.index))


def _age(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FindingsError(f"'age_years' moet een leeftijd in hele jaren zijn, "
                            f"geen {json_type(value)}")
    if isinstance(value, float) and not value.is_integer():
        raise FindingsError("'age_years' moet een heel aantal jaren zijn")
    if not 0 <= value <= MAX_AGE:
        raise FindingsError(f"'age_years' moet 0 tot {MAX_AGE} jaar zijn")
    return int(value)


def _boolean(key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise FindingsError(f"'{key}' moet true of false zijn, geen {json_type(value)}")
    return value


def _c_spine(value: object) -> CSpineRule:
    parts = {key: _boolean(f"c_spine_rule.{key}", part) for key, part in _known_items(
        value, "'c_spine_rule' moet een object zijn", C_SPINE_KEYS, "c_spine_rule.")}
    return CSpineRule(**parts)


def parse_findings(data: object) -> Findings:
    """Validate a findings object (parsed JSON, version 2). Missing keys stay None.

    Raises FindingsError (Dutch, naming the key) on an unknown key or a wrong type or range."""
    values: dict[str, Any] = {}
    for key, value in _known_items(data, "de bevindingen moeten een JSON-object zijn",
                                   FINDING_KEYS):
        if key in LIST_FINDINGS:
            values[key] = _members(key, value, LIST_FINDINGS[key])
        elif key == "red_flags_unknown":
            values[key] = _members(key, value, RED_FLAG_CATEGORIES)
        elif key == "precautions_unknown":
            values[key] = _members(key, value, PRECAUTIONS)
        elif key == "age_years":
            values[key] = _age(value)
        elif key == "c_spine_rule":
            values[key] = _c_spine(value)
        elif key in BOOLEAN_FINDINGS:
            values[key] = _boolean(key, value)
        elif key in CHOICE_FINDINGS:
            if value not in CHOICE_FINDINGS[key]:
                raise FindingsError(f"'{key}' moet een van {', '.join(CHOICE_FINDINGS[key])} "
                                    f"zijn, niet {json.dumps(value)[:40]}")
            values[key] = value
        else:
            values[key] = _weeks(key, value)
    for found, unknown in (("red_flags", "red_flags_unknown"),
                           ("precautions", "precautions_unknown")):
        both = [c for c in values.get(found, ()) if c in values.get(unknown, ())]
        if both:
            raise FindingsError(f"'{both[0]}' staat in '{found}' en in '{unknown}': "
                                "gevonden of onbekend, niet allebei")
    _check_consistent(values)
    return Findings(**values)


def _check_consistent(values: Mapping[str, Any]) -> None:
    """Keys that say the same thing twice must agree: the arm signs with neurological_signs,
    and no work-related neck pain without work."""
    signs, neuro = values.get("arm_signs"), values.get("neurological_signs")
    if signs is not None and neuro is not None and bool(signs) != neuro:
        raise FindingsError("'arm_signs' en 'neurological_signs' spreken elkaar tegen: "
                            "tekenen in de lijst horen bij neurological_signs true")
    if (signs or values.get("arm_side") is not None) and neuro is False:
        raise FindingsError("'arm_side' of 'arm_signs' hoort alleen bij neurological_signs true")
    bilateral = bool(values.get("neurological_signs")) and values.get("arm_side") == "both"
    if values.get("acute_deficit_now") is not None and not bilateral \
            and not DEFICIT_FLAGS.intersection((*values.get("red_flags", ()),
                                                *values.get("red_flags_unknown", ()))):
        raise FindingsError("'acute_deficit_now' hoort alleen bij een rode vlag 'vascular' of "
                            "'spinal_cord' in 'red_flags' of 'red_flags_unknown', of bij "
                            "armklachten aan beide kanten")
    if values.get("trauma_weeks_ago") is not None and not values.get("trauma_related"):
        raise FindingsError("'trauma_weeks_ago' hoort alleen bij trauma_related true")
    if values.get("has_work") is False and values.get("work_related"):
        raise FindingsError("'work_related' is true maar 'has_work' is false: werkgerelateerde "
                            "nekpijn vraagt werk")
    if values.get("has_work") is False and values.get("work_absence_weeks"):
        raise FindingsError("'work_absence_weeks' is meer dan 0 maar 'has_work' is false: "
                            "verzuim vraagt werk")
