"""Patient records for follow-up: where they live, the SQLite store, the history chart."""

from assistant.records.location import resolve_db_path
from assistant.records.store import (
    ConsultationRow,
    EvaluationRow,
    JournalRow,
    RecordsError,
    Store,
    validate_patient_id,
)

__all__ = [
    "ConsultationRow",
    "EvaluationRow",
    "JournalRow",
    "RecordsError",
    "Store",
    "resolve_db_path",
    "validate_patient_id",
]
