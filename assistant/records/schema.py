"""The records' tables as SQLAlchemy Core sees them (the newest schema), on SQLite and
PostgreSQL alike. The schema itself is made and changed only by the Alembic migrations in
`records/migrations/`; this module describes their result for the queries.

Every date and timestamp is ISO 8601 text and every JSON value is text, on both engines, so a
row reads the same wherever it was stored (rows.py). `recorded_by` is who stored a row: the
database role on PostgreSQL (its default, `current_user`, which a therapist's role cannot set
otherwise), the operating-system user on SQLite.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import Column, FetchedValue, ForeignKey, Integer, MetaData, Table, Text

metadata = MetaData()

patients = Table(
    "patients", metadata,
    Column("id", Text, primary_key=True),
    Column("created", Text, nullable=False),
)

consultations = Table(
    "consultations", metadata,
    Column("id", Integer, primary_key=True),
    Column("patient", Text, ForeignKey("patients.id", ondelete="CASCADE"), nullable=False),
    Column("date", Text, nullable=False),
    Column("findings", Text, nullable=False),
    Column("result", Text, nullable=False),
    Column("chosen_exercises", Text, nullable=False),
    Column("created", Text, nullable=False),
    Column("psk_activities", Text, nullable=False),
    Column("exercise_frequencies", Text, nullable=False),
    Column("recorded_by", Text),
)

evaluations = Table(
    "evaluations", metadata,
    Column("id", Integer, primary_key=True),
    Column("patient", Text, ForeignKey("patients.id", ondelete="CASCADE"), nullable=False),
    Column("consultation", Integer, ForeignKey("consultations.id", ondelete="CASCADE"),
           nullable=False),
    Column("date", Text, nullable=False),
    Column("nprs", Integer, nullable=False),
    Column("psk1", Integer, nullable=False),
    Column("psk2", Integer, nullable=False),
    Column("psk3", Integer, nullable=False),
    Column("neuro_worse", Integer, nullable=False),
    Column("created", Text, nullable=False),
    Column("recorded_by", Text),
)

journal = Table(
    "journal", metadata,
    Column("id", Integer, primary_key=True),
    Column("patient", Text),
    Column("date", Text, nullable=False),
    Column("started", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("recorded_by", Text),
)

journal_entries = Table(
    "journal_entries", metadata,
    Column("journal", Integer, ForeignKey("journal.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("payload", Text, nullable=False),
    Column("recorded_by", Text),
)

# NEN 7513: one row per read or write of a patient's records; never changed or deleted
access_log = Table(
    "access_log", metadata,
    # the server numbers the rows (a therapist's role may insert the patient and action only)
    Column("id", Integer, primary_key=True, autoincrement=False, server_default=FetchedValue()),
    Column("at", Text, nullable=False),  # UTC, ISO 8601 to the second
    Column("who", Text, nullable=False),  # the database role, or the OS user on SQLite
    Column("patient", Text, nullable=False),
    Column("action", Text, nullable=False),  # ACTIONS
    implicit_returning=False,  # a therapist's role may add a row, not read one back
)

TABLES: Final = ("patients", "consultations", "evaluations", "journal", "journal_entries",
                 "access_log")

# The access log's actions: what was done with the patient's records.
ACTIONS: Final = {
    "read": "gelezen",            # history, follow-up, the screen's patient page
    "export": "geëxporteerd",
    "intake": "intake vastgelegd",
    "measure": "meting vastgelegd",
    "journal": "lopende intake geopend",
    "forget": "gewist",
}
