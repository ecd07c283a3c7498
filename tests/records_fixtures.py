"""Shared set-up for the records tests: the test's own records on either engine (and a count
in them), a stored intake for a patient in a given profile, a provisional one, a records file
held locked by another process, and a file as a version of the assistant before Alembic made
it (its schema steps, frozen here)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Final

from sqlalchemy import text

from assistant.protocol import classify, load_protocol, parse_findings
from assistant.records.location import Location, resolve_db
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

# The schema steps of the versions before Alembic (records/store.py's MIGRATIONS up to schema
# 3), exactly as released: entry i took a file from `PRAGMA user_version` i to i + 1. Frozen:
# files they made are in use, and records/migrate.py brings them up to date.
LEGACY_STEPS: Final[list[tuple[str, ...]]] = [
    (
        """CREATE TABLE patients (
            id TEXT PRIMARY KEY,
            created TEXT NOT NULL
        )""",
        """CREATE TABLE consultations (
            id INTEGER PRIMARY KEY,
            patient TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
            date TEXT NOT NULL,
            findings TEXT NOT NULL CHECK (json_valid(findings)),
            result TEXT NOT NULL CHECK (json_valid(result)),
            chosen_exercises TEXT NOT NULL CHECK (json_valid(chosen_exercises)),
            created TEXT NOT NULL
        )""",
        "CREATE INDEX consultations_patient ON consultations(patient, date)",
        """CREATE TABLE evaluations (
            id INTEGER PRIMARY KEY,
            patient TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
            consultation INTEGER NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
            date TEXT NOT NULL,
            nprs INTEGER NOT NULL CHECK (nprs BETWEEN 0 AND 10),
            psk1 INTEGER NOT NULL CHECK (psk1 BETWEEN 0 AND 10),
            psk2 INTEGER NOT NULL CHECK (psk2 BETWEEN 0 AND 10),
            psk3 INTEGER NOT NULL CHECK (psk3 BETWEEN 0 AND 10),
            neuro_worse INTEGER NOT NULL DEFAULT 0 CHECK (neuro_worse IN (0, 1)),
            created TEXT NOT NULL
        )""",
        "CREATE INDEX evaluations_patient ON evaluations(patient, date)",
        """CREATE TABLE journal (
            id INTEGER PRIMARY KEY,
            patient TEXT,
            date TEXT NOT NULL,
            started TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'finished', 'abandoned'))
        )""",
        """CREATE TABLE journal_entries (
            journal INTEGER NOT NULL REFERENCES journal(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            payload TEXT NOT NULL CHECK (json_valid(payload)),
            PRIMARY KEY (journal, seq)
        )""",
    ),
    (  # 2: the three PSK activities named at the baseline, scored again at each evaluation
        """ALTER TABLE consultations ADD COLUMN psk_activities TEXT NOT NULL DEFAULT '[]'
            CHECK (json_valid(psk_activities))""",
    ),
    (  # 3: the frequencies the therapist changed at the choice of exercises (code → words)
        """ALTER TABLE consultations ADD COLUMN exercise_frequencies TEXT NOT NULL DEFAULT '{}'
            CHECK (json_valid(exercise_frequencies))""",
    ),
]


def legacy_file(path: Path, version: int) -> None:
    """Make the records file `path` as the version of the assistant with schema `version`
    (1-3) made it: WAL, each step in one transaction, then `PRAGMA user_version`."""
    assert 1 <= version <= len(LEGACY_STEPS), version
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        for target, steps in enumerate(LEGACY_STEPS[:version], start=1):
            conn.execute("BEGIN IMMEDIATE")
            for statement in steps:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
    finally:
        conn.close()


def legacy_intake(path: Path, patient: str, day: date, findings: dict[str, Any],
                  result: dict[str, Any], chosen: list[str]) -> int:
    """Store an intake in a file made by `legacy_file` as that version did (raw SQLite, the
    columns of schema 1, which every later one has); return its id."""
    created = "2024-01-01T00:00:00+00:00"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT OR IGNORE INTO patients (id, created) VALUES (?, ?)",
                     (patient, created))
        stored = conn.execute(
            "INSERT INTO consultations (patient, date, findings, result, chosen_exercises,"
            " created) VALUES (?, ?, ?, ?, ?, ?)",
            (patient, day.isoformat(), json.dumps(findings, ensure_ascii=False),
             json.dumps(result, ensure_ascii=False), json.dumps(chosen), created)).lastrowid
        conn.execute("COMMIT")
    finally:
        conn.close()
    assert stored is not None
    return stored


def records() -> Location:
    """The test's own records (ASSISTANT_DB, tests/conftest.py): a SQLite file, or under
    `--records-engine postgresql` a practice server's database."""
    return resolve_db(None)


def count(sql: str, **params: object) -> int:
    """What `sql` (a SELECT COUNT with :named parameters) finds in the test's own records, on
    either engine."""
    with Store.open(records()) as store:
        return int(store._conn.execute(text(sql), params).scalar_one())


def add_intake(db: Location, patient: str, profile: str, day: date = INTAKE_DAY,
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
