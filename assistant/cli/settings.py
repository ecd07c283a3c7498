"""`assistant settings`: show or set the practice's details (name, practice, AGB code, phone)
that sign the referral letter and head the reports."""

from __future__ import annotations

import argparse

from assistant.cli.common import EXIT_DONE, ParserT
from assistant.errors import UsageError
from assistant.invocation import command
from assistant.protocol.model import Protocol
from assistant.settings import LABELS, load_settings, save_settings, settings_path

# flag destination → settings field
FLAGS = {"naam": "therapist", "praktijk": "practice", "agb": "agb", "telefoon": "phone"}


def how_to_set() -> str:
    """The command that sets the practice's details, as the user starts the assistant."""
    return command('settings --naam "…" --praktijk "…" --agb 12345678 --telefoon "…"')


def add_settings_parser(sub: argparse._SubParsersAction[ParserT]) -> None:
    """The `settings` command and its flags."""
    settings = sub.add_parser(
        "settings", help="de gegevens van de praktijk tonen of instellen (voor de verwijsbrief)")
    settings.add_argument("--naam", metavar="NAAM", help="uw naam, als fysiotherapeut")
    settings.add_argument("--praktijk", metavar="NAAM", help="de naam van de praktijk")
    settings.add_argument("--agb", metavar="12345678", help="uw AGB-code (8 cijfers)")
    settings.add_argument("--telefoon", metavar="NUMMER", help="het telefoonnummer")
    settings.epilog = 'Een lege waarde ("") wist dat gegeven.'
    settings.set_defaults(handler=cmd_settings)


def cmd_settings(args: argparse.Namespace, protocol: Protocol) -> int:
    """Show the settings, or change the fields given (checked first; a damaged file is never
    overwritten: InputError). The file is written atomically."""
    path = settings_path()
    current = load_settings(path)
    changes = {FLAGS[flag]: value for flag, value in vars(args).items()
               if flag in FLAGS and value is not None}
    if changes:
        try:
            current = current.updated(changes)
        except UsageError as exc:  # about a field: named by its flag
            flag = next(f for f, name in FLAGS.items() if name == exc.option)
            raise UsageError(*exc.parts, option=flag) from None
        save_settings(current, path)
        print(f"Opgeslagen in {path}.")
    if current.is_empty:
        print("Er zijn nog geen gegevens van de praktijk ingesteld.")
        print(f"Stel ze in met: {how_to_set()}")
        return EXIT_DONE
    shown = dict(current.rows())
    for label in LABELS.values():
        print(f"{label}: {shown.get(label, '(niet ingesteld)')}")
    if not changes:
        print(f"Bestand: {path}")
    return EXIT_DONE
