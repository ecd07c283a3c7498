"""A practice's records server: setting it up (`assistant practice init`), a role per
therapist (`add-therapist`), and reading the access log (`log`, both engines).

The roles (PostgreSQL):
- the owner: the role that runs `practice init` (the practice's database administrator, or the
  server's superuser). It owns the tables and runs the migrations. Nobody works with it.
- `<database>_therapists` (no login; `groups`): every therapist's role is a member. It reads
  and adds intakes, measurements and journals, and adds access-log rows; it may not delete a
  patient's records, read the access log, or change or delete a log row. It cannot set
  `recorded_by` or the log's `who` and `at`: it is granted the other columns only, and the
  server fills those in (`session_user`: SET ROLE does not change it).
- `<database>_admins` (no login): the practice's admin (`add-therapist --admin`) is a
  therapist who may also erase a patient (`forget`) and read the access log. Not even this
  role may change the log.
A trigger refuses UPDATE, DELETE and TRUNCATE on the log for every role, the owner included
(migration r0004). The groups are named after the database, so the therapists of one
practice's database get no access to another's on the same server (`REVOKE … FROM PUBLIC`).

What the log cannot see: a therapist who reads the tables with another program (psql) with
their own role. Writes are still signed by the server (`recorded_by`, the journal's status
changes in the log); for reads, turn on the server's own statement log (README).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from assistant.errors import RecordsDenied, RecordsError
from assistant.records.migrate import REVISIONS, current_revision, has_tables, upgrade
from assistant.records.schema import ACTIONS, access_log
from assistant.records.server import PracticeServer, connect_args, server_error
from assistant.records.store import APP_NAME, Store

ROLE_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")
DATABASE_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,40}")
# names PostgreSQL keeps for itself, even quoted
RESERVED_ROLES: Final = ("public", "none", "current_role", "current_user", "session_user",
                         # and pg_hba.conf's own words
                         "all", "sameuser", "samerole", "replication")
VERIFIER: Final = re.compile(r"SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+")
MIN_PASSWORD: Final = 12  # characters of a password given with --password-stdin
PASSWORD_BYTES: Final = 18  # a made-up password: 24 URL-safe characters
INIT_LOCK: Final = 0x6E656B70696A6E  # advisory lock of `init` ("nekpijn"): one at a time

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


def groups(database: str) -> tuple[str, str]:
    """The therapists' and the admins' group of the practice database `database`."""
    return f"{database}_therapists", f"{database}_admins"


def _check_database_name(server: PracticeServer) -> str:
    if not DATABASE_NAME.fullmatch(server.database):
        raise RecordsError(f"de database heet {server.database!r}: geef de praktijk een "
                           "database met een naam van kleine letters, cijfers en '_' (zoals "
                           "nekpijn), die de groepen van de therapeuten ook dragen")
    return server.database


def _connect(server: PracticeServer) -> Connection:
    engine = create_engine(server.url(), poolclass=NullPool,
                           connect_args=connect_args(APP_NAME))
    try:
        return engine.connect()
    except SQLAlchemyError as exc:
        raise server_error(server.shown, exc) from None


def init(server: PracticeServer) -> str:
    """Make or update the practice's schema (Alembic, as the connecting role, which becomes
    the tables' owner), the two group roles and their grants; run again after an update of
    the assistant. Idempotent; two at once wait for each other (an advisory lock). The
    revision the database is at. RecordsError when the database holds tables that are not
    ours, RecordsDenied when the role is not the database's owner."""
    therapists, admins = groups(_check_database_name(server))
    conn = _connect(server)
    try:
        conn.execute(select(func.pg_advisory_lock(INIT_LOCK)))
        conn.commit()
        revision = current_revision(conn)
        conn.rollback()
        if revision is not None and revision not in REVISIONS:
            raise RecordsError(f"de database van {server.shown} komt van een nieuwere versie "
                               f"van de assistent (schema {revision}); werk de assistent bij")
        if revision is None and has_tables(conn):
            raise RecordsError(f"de database van {server.shown} bevat al tabellen die niet van "
                               "de assistent zijn; kies een lege database")
        upgrade(conn, revision)
        with conn.begin():
            database = conn.execute(text("SELECT current_database()")).scalar_one()
            for role in (therapists, admins):
                if not _role_exists(conn, role):
                    conn.execute(text(f"CREATE ROLE {role} NOLOGIN"))
            conn.execute(text("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC"))
            conn.execute(text(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC'))
            conn.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO {therapists}'))
            conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {therapists}"))
            for grant in (*THERAPIST_GRANTS, *ADMIN_GRANTS):
                conn.execute(text(grant.format(t=therapists, a=admins)))
            found = current_revision(conn)
        return str(found)
    except SQLAlchemyError as exc:
        raise _owner_only(server, exc, "de praktijkserver inrichten; gebruik die rol") from None
    finally:
        conn.close()


def _role_exists(conn: Connection, name: str) -> bool:
    return conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                        {"r": name}).first() is not None


def _owner_only(server: PracticeServer, exc: SQLAlchemyError, what: str) -> RecordsError:
    """The server's failure in one line; a refusal says that only the owner may `what`."""
    error = server_error(server.shown, exc)
    if isinstance(error, RecordsDenied):
        return RecordsDenied(f"alleen de eigenaar van de database van {server.shown} kan {what}")
    return error


def check_role_name(name: str) -> str:
    """A therapist's role name: lower-case letters, digits and '_' (not starting with a digit),
    at most 63; RecordsError otherwise."""
    if name in RESERVED_ROLES or name.startswith("pg_") or name.endswith(
            ("_therapists", "_admins")):
        raise RecordsError(f"{name!r} is een gereserveerde naam; kies een andere naam voor de "
                           "therapeut (bijvoorbeeld anna_jansen)")
    if not ROLE_NAME.fullmatch(name):
        raise RecordsError(f"ongeldige naam voor een therapeut {name!r}: gebruik kleine letters, "
                           "cijfers en '_' (bijvoorbeeld anna_jansen), niet beginnend met een "
                           "cijfer")
    return name


def add_therapist(server: PracticeServer, name: str, *, password: str | None,
                  admin: bool = False, certificate_only: bool = False) -> str | None:
    """Create the login role `name` in the database's therapists' group (and its admins'
    with `admin`). Its password is
    `password`, or a made-up one (returned, to be handed over once), or none with
    `certificate_only` (the server's pg_hba.conf then asks for a client certificate). The
    password is sent as a SCRAM-SHA-256 verifier made here (libpq's PQencryptPasswordConn),
    never as plain text. RecordsError when the role exists or the name is not usable."""
    check_role_name(name)
    therapists, admins = groups(_check_database_name(server))
    made = None
    if password is None and not certificate_only:
        made = password = secrets.token_urlsafe(PASSWORD_BYTES)
    conn = _connect(server)
    try:
        with conn.begin():
            if _role_exists(conn, name):
                raise RecordsError(f"de rol {name} bestaat al op {server.shown}")
            member_of = therapists + (f", {admins}" if admin else "")
            secret = ""
            if password is not None:
                raw = conn.connection.driver_connection
                verifier = raw.pgconn.encrypt_password(  # type: ignore[union-attr]
                    password.encode(), name.encode(), b"scram-sha-256").decode()
                assert VERIFIER.fullmatch(verifier), "libpq made no SCRAM verifier"
                secret = f" PASSWORD '{verifier}'"
            role = conn.dialect.identifier_preparer.quote(name)  # "user", "select" …
            conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN{secret} IN ROLE {member_of}")
    except SQLAlchemyError as exc:
        raise _owner_only(server, exc, "therapeuten toevoegen (de rol die `practice init` "
                                       "deed)") from None
    finally:
        conn.close()
    return made


def read_log(store: Store, *, patient: str | None = None, since: date | None = None,
             ) -> list[LogRow]:
    """The access log, oldest first: of one patient (case-insensitively) and from a day on
    when asked. On a server only the admins may read it (RecordsDenied otherwise)."""
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
