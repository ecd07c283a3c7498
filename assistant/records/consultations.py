"""The consultations and evaluations tables: stored intakes, the follow-up measurements taken
against them, and everything of a patient as JSON (export). Part of `Store`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from assistant.errors import Advice, Hint, RecordsError
from assistant.records.database import now
from assistant.records.failures import sqlite_errors
from assistant.records.patients import PatientTables
from assistant.records.rows import (
    ConsultationRow,
    EvaluationRow,
    consultation_row,
    evaluation_row,
    validate_patient_id,
    validate_psk_activities,
)


def _score(value: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10:
        raise RecordsError(f"{what} moet een heel getal van 0 tot en met 10 zijn, niet {value!r}")
    return value


class ConsultationTables(PatientTables):
    """The patients' intakes and measurements."""

    # --- consultations ------------------------------------------------------------------------

    @sqlite_errors
    def add_consultation(self, patient: str, day: date, findings: dict[str, Any],
                         result: dict[str, Any], chosen_exercises: list[str], *,
                         exercise_frequencies: Mapping[str, str] | None = None) -> int:
        """Store an intake (with the frequencies changed at the choice); return its id."""
        values = self._consultation_values(patient, day, findings, result, chosen_exercises,
                                           exercise_frequencies)
        with self._transaction() as conn:
            return self._insert_consultation(conn, values)

    def _consultation_values(self, patient: str, day: date, findings: dict[str, Any],
                             result: dict[str, Any], chosen_exercises: Sequence[str],
                             exercise_frequencies: Mapping[str, str] | None,
                             ) -> dict[str, Any]:
        values = {"patient": patient, "date": day.isoformat(),
                  "findings": json.dumps(findings, ensure_ascii=False),
                  "result": json.dumps(result, ensure_ascii=False),
                  "chosen_exercises": json.dumps(list(chosen_exercises), ensure_ascii=False),
                  "exercise_frequencies": json.dumps(dict(exercise_frequencies or {}),
                                                     ensure_ascii=False),
                  "created": now()}
        if self.schema_version < 3:  # opened with the migrations of an older version (tests)
            del values["exercise_frequencies"]
        return values

    def _insert_consultation(self, conn: sqlite3.Connection, values: dict[str, Any]) -> int:
        values["patient"] = self._ensure_patient(conn, values["patient"])
        cursor = conn.execute(
            f"INSERT INTO consultations ({', '.join(values)})"
            f" VALUES ({', '.join('?' * len(values))})", tuple(values.values()))
        return int(cursor.lastrowid or 0)

    @sqlite_errors
    def consultations(self, patient: str, *, skip_damaged: bool = False,
                      ) -> list[ConsultationRow]:
        """The patient's intakes, oldest first. A damaged row (RecordsCorrupt naming the file and
        the row) fails the read, or with `skip_damaged` is passed over into `self.skipped`:
        for readers only (history, export), never before storing anything."""
        validate_patient_id(patient)
        version = self.schema_version
        rows = self._conn.execute(
            "SELECT id, patient, date, findings, result, chosen_exercises, created, "
            # a file of an older schema opened read-only is not migrated: the defaults then
            + ("psk_activities" if version >= 2 else "'[]'") + ", "
            + ("exercise_frequencies" if version >= 3 else "'{}'") +
            " FROM consultations WHERE patient = ? COLLATE NOCASE"
            " ORDER BY date, id", (patient,))
        return self._rows("consultations", rows, consultation_row, skip_damaged)

    def latest_consultation(self, patient: str, *, skip_damaged: bool = False,
                            ) -> ConsultationRow | None:
        """The patient's latest intake (RecordsCorrupt as `consultations`, unless skipped)."""
        rows = self.consultations(patient, skip_damaged=skip_damaged)
        return rows[-1] if rows else None

    @sqlite_errors
    def set_psk_activities(self, consultation: int, activities: Sequence[str]) -> None:
        """Name the PSK's three activities for an intake (at its baseline measurement)."""
        checked = validate_psk_activities(activities)
        with self._transaction() as conn:
            conn.execute("UPDATE consultations SET psk_activities = ? WHERE id = ?",
                         (json.dumps(list(checked), ensure_ascii=False), consultation))

    # --- evaluations --------------------------------------------------------------------------

    @sqlite_errors
    def add_evaluation(self, patient: str, day: date, nprs: int, psk: tuple[int, int, int],
                       neuro_worse: bool = False, *, consultation: int | None = None) -> int:
        """Store a measurement, attached to the intake `consultation` (default: the patient's
        latest); return its id."""
        if len(psk) != 3:
            raise RecordsError(f"de PSK heeft drie scores nodig, niet {len(psk)}")
        scores = (_score(nprs, "NPRS"), *(_score(s, "PSK") for s in psk))
        found = self.consultations(patient)
        intake = (found[-1] if found else None) if consultation is None else next(
            (c for c in found if c.id == consultation), None)
        if intake is None:
            raise RecordsError(f"patiënt {patient} heeft nog geen intake; doe eerst de intake",
                               Advice(Hint.WITH_PATIENT, patient=patient, lead=" "))
        if day < intake.date:
            raise RecordsError(f"de datum {day.isoformat()} ligt voor de intake "
                               f"({intake.date.isoformat()})")
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO evaluations (patient, consultation, date, nprs, psk1, psk2, psk3,"
                " neuro_worse, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (intake.patient, intake.id, day.isoformat(), *scores,
                 int(bool(neuro_worse)),
                 now()))
        return int(cursor.lastrowid or 0)

    @sqlite_errors
    def evaluations(self, patient: str, consultation: int | None = None, *,
                    skip_damaged: bool = False) -> list[EvaluationRow]:
        """The patient's measurements in date order (of one intake, when given); a damaged
        row as in `consultations`."""
        validate_patient_id(patient)
        query = ("SELECT e.id, e.patient, e.consultation, e.date, e.nprs, e.psk1, e.psk2,"
                 " e.psk3, e.neuro_worse, e.created, c.date FROM evaluations e"
                 " LEFT JOIN consultations c ON c.id = e.consultation"
                 " WHERE e.patient = ? COLLATE NOCASE")
        params: tuple[Any, ...] = (patient,)
        if consultation is not None:
            query += " AND e.consultation = ?"
            params += (consultation,)
        rows = self._conn.execute(query + " ORDER BY e.date, e.id", params)
        return self._rows("evaluations", rows, evaluation_row, skip_damaged)

    # --- export -------------------------------------------------------------------------------

    @sqlite_errors
    def export(self, patient: str) -> dict[str, Any]:
        """Everything stored about the patient, JSON-ready. A damaged row is passed over,
        named in `damaged` ([{"table", "id", "reason"}], only when there is one) and in
        `self.skipped`."""
        if not self.has_patient(patient):
            raise RecordsError(f"onbekende patiënt: {patient}")
        self.skipped = []
        data: dict[str, Any] = {
            "patient": self._stored_id(self._conn, patient),
            "consultations": [
                {"id": c.id, "date": c.date.isoformat(), "findings": c.findings,
                 "result": c.result, "chosen_exercises": list(c.chosen_exercises),
                 "exercise_frequencies": dict(c.exercise_frequencies),
                 "psk_activities": list(c.psk_activities), "created": c.created}
                for c in self.consultations(patient, skip_damaged=True)
            ],
            "evaluations": [
                {"id": e.id, "consultation": e.consultation, "date": e.date.isoformat(),
                 "nprs": e.nprs, "psk": list(e.psk), "neuro_worse": e.neuro_worse,
                 "created": e.created}
                for e in self.evaluations(patient, skip_damaged=True)
            ],
        }
        if self.skipped:  # "reason": what is wrong; a front end adds what to do
            data["damaged"] = [{"table": d.table, "id": d.row, "reason": d.message}
                               for d in self.skipped]
        return data
