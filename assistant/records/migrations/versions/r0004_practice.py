"""A practice's records: who stored each row (`recorded_by`), and the access log (NEN 7513).

On PostgreSQL `recorded_by` and the log's `who` and `at` are filled in by the server
(`session_user`, the role that logged in, which SET ROLE does not change; the time there);
`assistant practice init` grants a therapist's role the other columns only, so nobody records
under another name. The server itself logs every change of a journal's status (a colleague
may finish or set aside an interrupted intake: not unseen), and refuses to erase the answers of
an open journal but to a role that may erase patients. On SQLite the operating-system user
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
    who = sa.text("session_user") if postgres else None
    for table in ("consultations", "evaluations", "journal", "journal_entries"):
        op.add_column(table, sa.Column("recorded_by", sa.Text, server_default=who))
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.Text, nullable=False,
                  server_default=sa.text(UTC_NOW) if postgres else None),
        sa.Column("who", sa.Text, nullable=False, server_default=who),
        sa.Column("patient", sa.Text, sa.CheckConstraint("length(patient) BETWEEN 1 AND 64"),
                  nullable=False),
        sa.Column("action", sa.Text, sa.CheckConstraint(
            "action IN ('read', 'export', 'intake', 'measure', 'journal', 'forget')"),
                  nullable=False),
    )
    op.create_index("access_log_patient", "access_log", ["patient", "at"])
    if postgres:
        _server_rules()
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER access_log_no_{event.lower()} BEFORE {event} ON "
                       "access_log BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END")
    set_user_version(4)


def _server_rules() -> None:
    """PostgreSQL: the log append-only for every role (the owner too), one patient per id
    whatever its letter case, a journal's status change logged by the server, and no
    erasing of an open journal's answers but by a role that may erase patients."""
    op.execute("CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql "
               "AS $$ BEGIN RAISE EXCEPTION 'access_log is append-only' USING ERRCODE = "
               "'42501'; END $$")
    op.execute("CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
               "ON access_log FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()")
    op.execute("CREATE UNIQUE INDEX patients_id_any_case ON patients (lower(id))")
    op.execute("CREATE FUNCTION journal_status_logged() RETURNS trigger LANGUAGE plpgsql "
               "SECURITY DEFINER SET search_path = public, pg_temp AS $$ BEGIN "
               "IF NEW.patient IS NOT NULL THEN "
               "INSERT INTO access_log (patient, action) VALUES (NEW.patient, 'journal'); "
               "END IF; RETURN NULL; END $$")
    op.execute("CREATE TRIGGER journal_status_logged AFTER UPDATE OF status ON journal "
               "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) "
               "EXECUTE FUNCTION journal_status_logged()")
    op.execute("CREATE FUNCTION journal_answers_kept() RETURNS trigger LANGUAGE plpgsql "
               "SECURITY DEFINER SET search_path = public, pg_temp AS $$ BEGIN "
               "IF (SELECT status FROM journal WHERE id = OLD.journal) = 'open' AND NOT "
               "has_table_privilege(session_user, 'public.patients', 'DELETE') THEN "
               "RAISE EXCEPTION 'the answers of an open journal are kept' USING ERRCODE = "
               "'42501'; END IF; RETURN OLD; END $$")
    op.execute("CREATE TRIGGER journal_answers_kept BEFORE DELETE ON journal_entries "
               "FOR EACH ROW EXECUTE FUNCTION journal_answers_kept()")
