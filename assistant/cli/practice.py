"""`assistant practice`: a practice's records on its own PostgreSQL server — `init` makes the
schema, the roles' groups and their grants; `add-therapist NAME` makes a therapist's role;
`log` shows the access log (NEN 7513) of the records, on a server or in a SQLite file."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from assistant.cli.common import EXIT_DONE, ParserT, add_db_option, parse_date
from assistant.errors import RecordsError
from assistant.invocation import command
from assistant.protocol.model import Protocol
from assistant.records.location import Location, resolve_db
from assistant.records.rows import validate_patient_id
from assistant.records.server import PracticeServer


def add_practice_parser(sub: argparse._SubParsersAction[ParserT]) -> None:
    """The `practice` command and its three subcommands."""
    practice = sub.add_parser(
        "practice", help="de praktijkserver inrichten, therapeuten toevoegen, het toegangslog",
        description="Gegevens van de hele praktijk op een eigen PostgreSQL-server.")
    steps = practice.add_subparsers(dest="step", metavar="STAP", required=True)
    init = steps.add_parser(
        "init", help="maak of werk de database, de groepen en hun rechten bij",
        description="Maakt de tabellen (of werkt ze bij na een update), de groepen "
                    "nekpijn_therapists en nekpijn_admins en hun rechten. Draai als de "
                    "eigenaar van de database, opnieuw na elke update van de assistent.")
    add_db_option(init)
    init.set_defaults(handler=cmd_init)
    add = steps.add_parser(
        "add-therapist", help="maak een eigen rol voor een therapeut",
        description="Maakt een rol waarmee een therapeut inlogt. Zonder --password-stdin "
                    "krijgt die een wachtwoord dat eenmalig wordt getoond.")
    add.add_argument("name", metavar="NAAM", help="de naam van de rol (zoals anna_jansen)")
    add.add_argument("--admin", action="store_true",
                     help="mag ook patiënten wissen en het toegangslog lezen")
    how = add.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true",
                     help="lees het wachtwoord als één regel van stdin")
    how.add_argument("--certificate-only", action="store_true",
                     help="geen wachtwoord: de server vraagt een clientcertificaat")
    add_db_option(add)
    add.set_defaults(handler=cmd_add_therapist)
    log = steps.add_parser("log", help="wie wanneer welke patiëntgegevens las of schreef")
    log.add_argument("--patient", metavar="ID", help="alleen deze patiënt")
    log.add_argument("--since", type=parse_date, metavar="JJJJ-MM-DD", help="vanaf deze dag")
    log.add_argument("--json", action="store_true", help="uitvoer als JSON")
    add_db_option(log)
    log.set_defaults(handler=cmd_log)


def _server(where: Location | None) -> PracticeServer:
    found = resolve_db(where)
    if not isinstance(found, PracticeServer):
        raise RecordsError("dit is alleen voor een praktijkserver; geef het adres met --db "
                           "postgresql://ROL@SERVER/DATABASE (of in ASSISTANT_DB)")
    return found


def cmd_init(args: argparse.Namespace, protocol: Protocol) -> int:
    from assistant.records import practice

    server = _server(args.db)
    revision = practice.init(server)
    print(f"De praktijkserver {server.shown} is ingericht (schema {revision}).")
    print("Voeg elke therapeut toe met: "
          f"{command(f'practice add-therapist NAAM --db {server.shown}')}")
    return EXIT_DONE


def cmd_add_therapist(args: argparse.Namespace, protocol: Protocol) -> int:
    from assistant.records import practice

    server = _server(args.db)
    practice.check_role_name(args.name)
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if len(password) < practice.MIN_PASSWORD:
            raise RecordsError(f"het wachtwoord is te kort: gebruik minstens "
                               f"{practice.MIN_PASSWORD} tekens", option="password-stdin")
    made = practice.add_therapist(server, args.name, password=password, admin=args.admin,
                                  certificate_only=args.certificate_only)
    group = "beheerder en therapeut" if args.admin else "therapeut"
    print(f"Rol {args.name} gemaakt ({group}) op {server.shown}.")
    if made is not None:
        print(f"Wachtwoord (wordt niet nog eens getoond; geef het alleen aan {args.name}): "
              f"{made}")
    address = server.with_role(args.name).shown
    print(f"{args.name} werkt met: --db {address} (of ASSISTANT_DB={address})")
    return EXIT_DONE


def _local(at: str) -> str:
    """A log row's time (UTC, ISO 8601) as this computer's clock shows it."""
    try:
        return datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:  # not a time (edited by hand): as it is
        return at


def cmd_log(args: argparse.Namespace, protocol: Protocol) -> int:
    from assistant.records import practice
    from assistant.records.store import Store

    if args.patient is not None:
        validate_patient_id(args.patient)
    with Store.open(resolve_db(args.db), write=False) as store:
        rows = practice.read_log(store, patient=args.patient, since=args.since)
        shown = store.shown
    if args.json:
        print(json.dumps([{"at": r.at, "who": r.who, "patient": r.patient, "action": r.action}
                          for r in rows], ensure_ascii=False, indent=2))
        return EXIT_DONE
    if not rows:
        print(f"Het toegangslog van {shown} heeft geen regels"
              + (" die hierbij passen." if args.patient or args.since else "."))
        return EXIT_DONE
    print(f"Toegangslog van {shown}:")
    for row in rows:
        print(f"{_local(row.at)}  {row.who:<16} {row.patient:<20} {row.what}")
    return EXIT_DONE
