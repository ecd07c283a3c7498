"""A practice's records server: setting it up (`assistant practice init`), a role per
therapist (`add-therapist`), and reading the access log (`log`, both engines).

The roles (PostgreSQL):
- the owner: the role that runs `practice init` (the practice's database administrator, or the
  server's superuser). It owns the tables and runs the migrations. Nobody works with it.
- THERAPISTS (no login): every therapist's role is a member. It reads and adds intakes,
  measurements and journals, and adds access-log rows; it may not delete a patient's records,
  read the access log, or change or delete a log row. It cannot set `recorded_by` or the log's
  `who` and `at`: it is granted the other columns only, and the server fills those in.
- ADMINS (no login): the practice's admin (`add-therapist --admin`) is a therapist who may also
  erase a patient (`forget`) and read the access log. Not even this role may change the log.
A trigger refuses UPDATE, DELETE and TRUNCATE on the log for every role, the owner included
(migration r0004).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlalchemy import Connection, create_engine, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from assistant.errors import RecordsDenied, RecordsError
from assistant.records.migrate import current_revision, upgrade
from assistant.records.schema import ACTIONS, access_log
from assistant.records.server import CONNECT_TIMEOUT, PracticeServer, server_error
from assistant.records.store import APP_NAME, Store

THERAPISTS: Final = "nekpijn_therapists"
ADMINS: Final = "nekpijn_admins"
ROLE_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")
VERIFIER: Final = re.compile(r"SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+")
MIN_PASSWORD: Final = 12  # characters of a password given with --password-stdin
PASSWORD_BYTES: Final = 18  # a made-up password: 24 URL-safe characters

# What a therapist's role may do, table by table (columns: INSERT of those columns only)
THERAPIST_GRANTS: Final = (
    "GRANT SELECT, INSERT (id, created) ON patients TO {t}",
    "GRANT SELECT, INSERT (patient, date, findings, result, chosen_exercises, created, "
    "psk_activities, exercise_frequencies) ON consultations TO {t}",
    "GRANT UPDATE (psk_activities) ON consultations TO {t}",
    "GRANT SELECT, INSERT (patient, consultation, date, nprs, psk1, psk2, psk3, neuro_worse, "
    "created) ON evaluations TO {t}",
    "GRANT SELECT, INSERT (patient, date, started, status), UPDATE (status) ON journal TO {t}",
    # a finished intake's answers are erased from its journal (they are in its report)
    "GRANT SELECT, INSERT (journal, seq, payload), DELETE ON journal_entries TO {t}",
    "GRANT INSERT (patient, action) ON access_log TO {t}",
    "GRANT SELECT ON alembic_version TO {t}",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {t}",
)
ADMIN_GRANTS: Final = (
    "GRANT {t} TO {a}",
    "GRANT DELETE ON patients, consultations, evaluations, journal, journal_entries TO {a}",
    "GRANT SELECT ON access_log TO {a}",
)


@dataclass(frozen=True)
class LogRow:
    """One access-log row: when (UTC, ISO 8601), who, which patient, what (schema.ACTIONS)."""

    at: str
    who: str
    patient: str
    action: str

    @property
    def what(self) -> str:
        return ACTIONS.get(self.action, self.action)


def _connect(server: PracticeServer) -> Connection:
    engine = create_engine(server.url(), poolclass=NullPool, connect_args={
        "connect_timeout": CONNECT_TIMEOUT, "application_name": APP_NAME})
    try:
        return engine.connect()
    except SQLAlchemyError as exc:
        raise server_error(server.shown, exc) from None


def init(server: PracticeServer) -> str:
    """Make or update the practice's schema (Alembic, as the connecting role, which becomes
    the tables' owner), the two group roles and their grants; run again after an update of
    the assistant. Idempotent. The revision the database is at."""
    conn = _connect(server)
    try:
        revision = current_revision(conn)
        conn.rollback()
        upgrade(conn, revision)
        with conn.begin():
            database = conn.execute(text("SELECT current_database()")).scalar_one()
            for role in (THERAPISTS, ADMINS):
                if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                                {"r": role}).first() is None:
                    conn.execute(text(f"CREATE ROLE {role} NOLOGIN"))
            conn.execute(text("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC"))
            conn.execute(text(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC'))
            conn.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO {THERAPISTS}'))
            conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {THERAPISTS}"))
            for grant in (*THERAPIST_GRANTS, *ADMIN_GRANTS):
                conn.execute(text(grant.format(t=THERAPISTS, a=ADMINS)))
            found = current_revision(conn)
        return str(found)
    except SQLAlchemyError as exc:
        raise server_error(server.shown, exc) from None
    finally:
        conn.close()


def check_role_name(name: str) -> str:
    """A therapist's role name: lower-case letters, digits and '_' (not starting with a digit),
    at most 63; RecordsError otherwise."""
    if not ROLE_NAME.fullmatch(name) or name in (THERAPISTS, ADMINS) or name.startswith("pg_"):
        raise RecordsError(f"ongeldige naam voor een therapeut {name!r}: gebruik kleine letters, "
                           "cijfers en '_' (bijvoorbeeld anna_jansen), niet beginnend met een "
                           "cijfer")
    return name


def add_therapist(server: PracticeServer, name: str, *, password: str | None,
                  admin: bool = False, certificate_only: bool = False) -> str | None:
    """Create the login role `name` in THERAPISTS (and ADMINS with `admin`). Its password is
    `password`, or a made-up one (returned, to be handed over once), or none with
    `certificate_only` (the server's pg_hba.conf then asks for a client certificate). The
    password is sent as a SCRAM-SHA-256 verifier made here (libpq's PQencryptPasswordConn),
    never as plain text. RecordsError when the role exists or the name is not usable."""
    check_role_name(name)
    made = None
    if password is None and not certificate_only:
        made = password = secrets.token_urlsafe(PASSWORD_BYTES)
    conn = _connect(server)
    try:
        with conn.begin():
            if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                            {"r": name}).first() is not None:
                raise RecordsError(f"de rol {name} bestaat al op {server.shown}")
            groups = THERAPISTS + (f", {ADMINS}" if admin else "")
            secret = ""
            if password is not None:
                raw = conn.connection.driver_connection
                verifier = raw.pgconn.encrypt_password(  # type: ignore[union-attr]
                    password.encode(), name.encode(), b"scram-sha-256").decode()
                assert VERIFIER.fullmatch(verifier), "libpq made no SCRAM verifier"
                secret = f" PASSWORD '{verifier}'"
            conn.exec_driver_sql(f"CREATE ROLE {name} LOGIN{secret} IN ROLE {groups}")
    except SQLAlchemyError as exc:
        raise server_error(server.shown, exc) from None
    finally:
        conn.close()
    return made


def read_log(store: Store, *, patient: str | None = None, since: date | None = None,
             ) -> list[LogRow]:
    """The access log, oldest first: of one patient (case-insensitively) and from a day on
    when asked. On a server only ADMINS may read it (RecordsDenied otherwise)."""
    from assistant.records.patients import same_patient

    query = select(access_log.c.at, access_log.c.who, access_log.c.patient,
                   access_log.c.action).order_by(access_log.c.id)
    if patient is not None:
        query = query.where(same_patient(access_log.c.patient, patient))
    if since is not None:
        query = query.where(access_log.c.at >= since.isoformat())
    try:
        with store._transaction(write=False) as conn:
            rows = [(str(a), str(b), str(c), str(d)) for a, b, c, d in conn.execute(query)]
    except SQLAlchemyError as exc:
        error = store._failure(exc)
        if isinstance(error, RecordsDenied):
            raise RecordsDenied(f"alleen de beheerder van de praktijk mag het toegangslog van "
                                f"{store.shown} lezen") from None
        raise error from None
    return [LogRow(*row) for row in rows]
