"""The three PSK activities named at the baseline, scored again at each evaluation.

Revision ID: r0002
Revises: r0001
"""

from __future__ import annotations

from assistant.records.migrations import add_json_column, set_user_version

revision = "r0002"
down_revision = "r0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_json_column("consultations", "psk_activities", "[]")
    set_user_version(2)
