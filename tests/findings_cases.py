"""One findings case by keyword and its classified result, for the rules tests and the views.

`findings(**overrides)` is a complete profile-A findings file (a JSON-shaped dict) changed by
the overrides; `run(**overrides)` is that file classified by the shipped protocol, as the
result's JSON dict."""

from __future__ import annotations

from typing import Any

from assistant.protocol import classify, load_protocol, parse_findings

CLEARED = {"high_risk": False, "low_risk": True, "rotation_45": True}


def findings(**overrides: Any) -> dict[str, Any]:
    """A complete profile-A case, changed by `overrides` (None removes a key). A trauma comes
    with a C-spine rule that clears the neck unless `c_spine_rule` is given."""
    data: dict[str, Any] = {
        "red_flags": [], "precautions": [], "neurological_signs": False, "adl_impact": "mild",
        "weeks_since_onset": 3, "improving": True, "recurrent": False,
        "psychosocial_dominant": False, "work_related": False, "trauma_related": False,
        "work_absence_weeks": 0,
    }
    data.update(overrides)
    if data.get("trauma_related") and "c_spine_rule" not in overrides:
        data["c_spine_rule"] = CLEARED
    if data.get("neurological_signs"):  # grade III: the radicular test, not referred for it
        data.setdefault("radicular_test", "positive")
        data.setdefault("referred_for_arm_signs", False)
    return {k: v for k, v in data.items() if v is not None}


def run(**overrides: Any) -> dict[str, Any]:
    """The result JSON of `findings(**overrides)` classified by the shipped protocol.

    Raises `FindingsError` when the changed case is not a valid findings file."""
    result: dict[str, Any] = classify(parse_findings(findings(**overrides)),
                                      load_protocol()).to_json()
    return result
