"""A practice's records: who stored each row (`recorded_by`), and the access log (NEN 7513).

On PostgreSQL `recorded_by` and the log's `who` and `at` are filled in by the server
(`current_user`, the time there); `assistant practice init` grants a therapist's role the
other columns only, so nobody records under another name. On SQLite the operating-system user
is written. Triggers refuse to change or delete a log row on both engines (on PostgreSQL for
the owner too; SQLite's file owner could drop them: a single laptop's log is evidence, not a
safe).

Revision ID: r0004
Revises: r0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assistant.records.migrations import set_user_version

revision = "r0004"
down_revision = "r0003"
branch_labels = None
depends_on = None

UTC_NOW = "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    who = sa.text("current_user") if postgres else None
    for table in ("consultations", "evaluations", "journal", "journal_entries"):
        op.add_column(table, sa.Column("recorded_by", sa.Text, server_default=who))
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.Text, nullable=False,
                  server_default=sa.text(UTC_NOW) if postgres else None),
        sa.Column("who", sa.Text, nullable=False, server_default=who),
        sa.Column("patient", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
    )
    op.create_index("access_log_patient", "access_log", ["patient", "at"])
    if postgres:  # for every role, the owner included (grants keep therapists out already)
        op.execute("CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql "
                   "AS $$ BEGIN RAISE EXCEPTION 'access_log is append-only' USING ERRCODE = "
                   "'42501'; END $$")
        op.execute("CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                   "ON access_log FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER access_log_no_{event.lower()} BEFORE {event} ON "
                       "access_log BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END")
    set_user_version(4)
