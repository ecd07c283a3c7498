"""The first schema: patients, their intakes and measurements, the intake journal.

Revision ID: r0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assistant.records.migrations import json_check, set_user_version

revision = "r0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("created", sa.Text, nullable=False),
    )
    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient", sa.Text, sa.ForeignKey("patients.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("date", sa.Text, nullable=False),
        sa.Column("findings", sa.Text, json_check("findings"), nullable=False),
        sa.Column("result", sa.Text, json_check("result"), nullable=False),
        sa.Column("chosen_exercises", sa.Text, json_check("chosen_exercises"), nullable=False),
        sa.Column("created", sa.Text, nullable=False),
    )
    op.create_index("consultations_patient", "consultations", ["patient", "date"])
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient", sa.Text, sa.ForeignKey("patients.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("consultation", sa.Integer,
                  sa.ForeignKey("consultations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("date", sa.Text, nullable=False),
        sa.Column("nprs", sa.Integer, sa.CheckConstraint("nprs BETWEEN 0 AND 10"),
                  nullable=False),
        sa.Column("psk1", sa.Integer, sa.CheckConstraint("psk1 BETWEEN 0 AND 10"),
                  nullable=False),
        sa.Column("psk2", sa.Integer, sa.CheckConstraint("psk2 BETWEEN 0 AND 10"),
                  nullable=False),
        sa.Column("psk3", sa.Integer, sa.CheckConstraint("psk3 BETWEEN 0 AND 10"),
                  nullable=False),
        sa.Column("neuro_worse", sa.Integer, sa.CheckConstraint("neuro_worse IN (0, 1)"),
                  nullable=False, server_default="0"),
        sa.Column("created", sa.Text, nullable=False),
    )
    op.create_index("evaluations_patient", "evaluations", ["patient", "date"])
    op.create_table(
        "journal",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient", sa.Text),
        sa.Column("date", sa.Text, nullable=False),
        sa.Column("started", sa.Text, nullable=False),
        sa.Column("status", sa.Text,
                  sa.CheckConstraint("status IN ('open', 'finished', 'abandoned')"),
                  nullable=False, server_default="open"),
    )
    op.create_table(
        "journal_entries",
        sa.Column("journal", sa.Integer, sa.ForeignKey("journal.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("payload", sa.Text, json_check("payload"), nullable=False),
    )
    set_user_version(1)
