"""Shared set-up for the records tests: a stored intake for a patient in a given profile."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from assistant.protocol import classify, load_protocol, parse_findings
from assistant.records.store import Store

BASE: dict[str, Any] = {
    "red_flags": [], "precautions": [], "neurological_signs": False, "adl_impact": "severe",
    "weeks_since_onset": 3,
    "improving": True, "recurrent": False, "psychosocial_dominant": False,
    "trauma_related": False, "work_related": False, "work_absence_weeks": 0,
}
FINDINGS: dict[str, dict[str, Any]] = {
    "A": BASE,
    "B": {**BASE, "weeks_since_onset": 10},
    "C": {**BASE, "weeks_since_onset": 10, "psychosocial_dominant": True},
    "D": {**BASE, "neurological_signs": True, "radicular_test": "positive",
          "referred_for_arm_signs": False},
    "IV": {**BASE, "red_flags": ["fracture"]},
}
INTAKE_DAY = date(2024, 3, 4)
# What a grade-III findings file holds besides the arm signs: the radicular test, the referral
# and, as for every patient, the impact and the course.
GRADE_III_FILE: dict[str, Any] = {
    "radicular_test": "positive", "referred_for_arm_signs": False, "adl_impact": "mild",
    "weeks_since_onset": 3, "improving": True, "recurrent": False,
}


def add_intake(db: Path, patient: str, profile: str, day: date = INTAKE_DAY) -> int:
    """Store an intake the way the intake command will: findings and the classified result."""
    findings = parse_findings(FINDINGS[profile])
    result = classify(findings, load_protocol()).to_json()
    expected = None if profile == "IV" else profile
    assert result["profile"] == expected
    with Store.open(db) as store:
        return store.add_consultation(patient, day, findings.to_json(), result, ["F1", "F14"])
