"""Patient records for follow-up: where they live, the SQLite store, the history chart."""

from assistant.errors import RecordsError
from assistant.records.location import resolve_db_path
from assistant.records.rows import (
    ConsultationRow,
    EvaluationRow,
    JournalRow,
    validate_patient_id,
)
from assistant.records.store import Store

__all__ = [
    "ConsultationRow",
    "EvaluationRow",
    "JournalRow",
    "RecordsError",
    "Store",
    "resolve_db_path",
    "validate_patient_id",
]
