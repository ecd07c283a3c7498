"""The consultations and evaluations tables: stored intakes, the follow-up measurements taken
against them, and everything of a patient as JSON (export). Part of `Store`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, literal, select, update

from assistant.errors import Advice, Hint, RecordsError
from assistant.records.database import now
from assistant.records.failures import records_errors
from assistant.records.patients import PatientTables, same_patient
from assistant.records.rows import (
    ConsultationRow,
    EvaluationRow,
    consultation_row,
    evaluation_row,
    validate_patient_id,
    validate_psk_activities,
)
from assistant.records.schema import consultations, evaluations


def _score(value: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10:
        raise RecordsError(f"{what} moet een heel getal van 0 tot en met 10 zijn, niet {value!r}")
    return value


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


class ConsultationTables(PatientTables):
    """The patients' intakes and measurements."""

    # --- consultations ------------------------------------------------------------------------

    @records_errors
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
        return {"patient": patient, "date": day.isoformat(), "findings": _json(findings),
                "result": _json(result), "chosen_exercises": _json(list(chosen_exercises)),
                "exercise_frequencies": _json(dict(exercise_frequencies or {})),
                "created": now(), **self._author()}

    def _insert_consultation(self, conn: Connection, values: dict[str, Any]) -> int:
        values = {**values, "patient": self._ensure_patient(conn, values["patient"])}
        stored = conn.execute(insert(consultations).values(**values)
                              .returning(consultations.c.id)).scalar_one()
        self._log_access(conn, values["patient"], "intake")
        return int(stored)

    @records_errors
    def consultations(self, patient: str, *, skip_damaged: bool = False,
                      ) -> list[ConsultationRow]:
        """The patient's intakes, oldest first. A damaged row (RecordsCorrupt naming the file and
        the row) fails the read, or with `skip_damaged` is passed over into `self.skipped`:
        for readers only (history, export), never before storing anything."""
        validate_patient_id(patient)
        c = consultations.c
        with self._transaction(write=False) as conn:
            rows = conn.execute(select(
                c.id, c.patient, c.date, c.findings, c.result, c.chosen_exercises, c.created,
                # a file of an older schema read where it cannot be migrated: the defaults
                *(c[name] if name not in self.absent else literal(default)
                  for name, default in (("psk_activities", "[]"),
                                        ("exercise_frequencies", "{}"))))
                .where(same_patient(c.patient, patient)).order_by(c.date, c.id)).all()
        if rows:
            self._logged_read(patient)
        return self._rows("consultations", rows, consultation_row, skip_damaged)

    def latest_consultation(self, patient: str, *, skip_damaged: bool = False,
                            ) -> ConsultationRow | None:
        """The patient's latest intake (RecordsCorrupt as `consultations`, unless skipped)."""
        rows = self.consultations(patient, skip_damaged=skip_damaged)
        return rows[-1] if rows else None

    @records_errors
    def set_psk_activities(self, consultation: int, activities: Sequence[str]) -> None:
        """Name the PSK's three activities for an intake (at its baseline measurement)."""
        checked = validate_psk_activities(activities)
        with self._transaction() as conn:
            patient = conn.execute(
                update(consultations).where(consultations.c.id == consultation)
                .values(psk_activities=_json(list(checked)))
                .returning(consultations.c.patient)).scalar()
            if patient is not None:
                self._log_access(conn, str(patient), "measure")

    # --- evaluations --------------------------------------------------------------------------

    @records_errors
    def add_evaluation(self, patient: str, day: date, nprs: int, psk: tuple[int, int, int],
                       neuro_worse: bool = False, *, consultation: int | None = None) -> int:
        """Store a measurement, attached to the intake `consultation` (default: the patient's
        latest); return its id."""
        if len(psk) != 3:
            raise RecordsError(f"de PSK heeft drie scores nodig, niet {len(psk)}")
        nprs = _score(nprs, "NPRS")
        psk1, psk2, psk3 = (_score(s, "PSK") for s in psk)
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
            stored = conn.execute(insert(evaluations).values(
                patient=intake.patient, consultation=intake.id, date=day.isoformat(),
                nprs=nprs, psk1=psk1, psk2=psk2, psk3=psk3, neuro_worse=int(bool(neuro_worse)),
                created=now(), **self._author()).returning(evaluations.c.id)).scalar_one()
            self._log_access(conn, intake.patient, "measure")
        return int(stored)

    @records_errors
    def evaluations(self, patient: str, consultation: int | None = None, *,
                    skip_damaged: bool = False) -> list[EvaluationRow]:
        """The patient's measurements in date order (of one intake, when given); a damaged
        row as in `consultations`."""
        validate_patient_id(patient)
        e, c = evaluations.c, consultations.c
        query = (select(e.id, e.patient, e.consultation, e.date, e.nprs, e.psk1, e.psk2, e.psk3,
                        e.neuro_worse, e.created, c.date)
                 .select_from(evaluations.outerjoin(consultations, c.id == e.consultation))
                 .where(same_patient(e.patient, patient)))
        if consultation is not None:
            query = query.where(e.consultation == consultation)
        with self._transaction(write=False) as conn:
            rows = conn.execute(query.order_by(e.date, e.id)).all()
        if rows:
            self._logged_read(patient)
        return self._rows("evaluations", rows, evaluation_row, skip_damaged)

    # --- export -------------------------------------------------------------------------------

    @records_errors
    def export(self, patient: str) -> dict[str, Any]:
        """Everything stored about the patient, JSON-ready. A damaged row is passed over,
        named in `damaged` ([{"table", "id", "reason"}], only when there is one) and in
        `self.skipped`."""
        if not self.has_patient(patient):
            raise RecordsError(f"onbekende patiënt: {patient}")
        self.skipped = []
        self._reading_for = "export"  # its reads are one export in the log
        try:
            return self._exported(patient)
        finally:
            self._reading_for = None

    def _exported(self, patient: str) -> dict[str, Any]:
        with self._transaction(write=False) as conn:
            stored_id = self._stored_id(conn, patient)
        data: dict[str, Any] = {
            "patient": stored_id,
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
