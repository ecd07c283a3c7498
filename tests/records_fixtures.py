"""Shared set-up for the records tests: a stored intake for a patient in a given profile, a
provisional one, and a records file held locked by another process."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
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


def add_intake(db: Path, patient: str, profile: str, day: date = INTAKE_DAY,
               chosen: tuple[str, ...] = ("F1", "F14")) -> int:
    """Store an intake the way the intake command will: findings, the classified result and
    the exercises `chosen`."""
    findings = parse_findings(FINDINGS[profile])
    result = classify(findings, load_protocol()).to_json()
    expected = None if profile == "IV" else profile
    assert result["profile"] == expected
    with Store.open(db) as store:
        return store.add_consultation(patient, day, findings.to_json(), result, list(chosen))


def add_provisional_intake(db: Path, patient: str, unknown: list[str]) -> None:
    """A profile-B intake whose red flags `unknown` could not be ruled out ("weet ik niet")."""
    findings = parse_findings({**FINDINGS["B"], "red_flags_unknown": unknown})
    result = classify(findings, load_protocol()).to_json()
    assert result["provisional"] is True and result["unresolved"] == unknown
    with Store.open(db) as store:
        store.add_consultation(patient, INTAKE_DAY, findings.to_json(), result, [])


@contextmanager
def locked(db: Path, *, readers_too: bool) -> Iterator[None]:
    """Another process holds the records file: for writing, or (exclusive) for reading too."""
    take = ("c.execute('PRAGMA locking_mode = EXCLUSIVE'); c.execute('BEGIN EXCLUSIVE');"
            " c.execute('SELECT COUNT(*) FROM patients').fetchone()" if readers_too
            else "c.execute('BEGIN IMMEDIATE')")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys\n"
         f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n{take}\n"
         "print('held', flush=True)\nsys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline() == "held\n"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
