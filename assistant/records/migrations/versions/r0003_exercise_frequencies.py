"""The frequencies the therapist changed at the choice of exercises (code → words).

Revision ID: r0003
Revises: r0002
"""

from __future__ import annotations

from assistant.records.migrations import add_json_column, set_user_version

revision = "r0003"
down_revision = "r0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_json_column("consultations", "exercise_frequencies", "{}")
    set_user_version(3)
