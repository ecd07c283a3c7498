"""Command line: `assistant intake | classify | diagram | doctor | model | followup | history |
forget | export | exercises | ui | settings | practice` (DESIGN.md "Contracts"); each
command's flags live in its own module (intake.py, exercises.py, records.py, model.py,
doctor.py, ui.py, settings.py, practice.py), and `main` here is the one place errors become
exit codes and one line (hints.py words them).

Exit codes: 0 done; 1 the consultation did not finish (stopped; answers kept); 2 bad input or a
missing prerequisite, with one line that names the problem.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant import __version__
from assistant.cli import raising_interrupts, streams
from assistant.cli.common import (
    EXIT_DONE,
    EXIT_UNFINISHED,
    EXIT_USAGE,
    add_speech_flags,
    read_findings,
    speech_options,
)
from assistant.cli.exercises import add_exercises_parser
from assistant.cli.hints import error_line
from assistant.cli.intake import add_intake_parser
from assistant.cli.model import add_model_parser
from assistant.cli.parser import DutchParser
from assistant.cli.practice import add_practice_parser
from assistant.cli.records import add_records_parsers
from assistant.cli.settings import add_settings_parser
from assistant.cli.ui import add_ui_parser
from assistant.dialog.diagram import mermaid, session_mermaid
from assistant.errors import (
    AssistantError,
    InternalError,
    OutputError,
    describe,
)
from assistant.files import to_json_text
from assistant.invocation import program
from assistant.protocol import classify, load_protocol
from assistant.protocol.model import Protocol

# The parser of the main command and, through its subparsers, of every subcommand: Dutch help
# and Dutch one-line errors with exit 2 (assistant/cli/parser.py).
_Parser = DutchParser


def cmd_classify(args: argparse.Namespace, protocol: Protocol) -> int:
    findings = read_findings(args.findings)
    print(to_json_text(classify(findings, protocol).to_json()), end="")
    return EXIT_DONE


def cmd_doctor(args: argparse.Namespace, protocol: Protocol) -> int:
    from assistant.cli.doctor import run_doctor

    ready = run_doctor(protocol, speech_options(args), print)
    return EXIT_DONE if ready else EXIT_USAGE


def cmd_diagram(args: argparse.Namespace, protocol: Protocol) -> int:
    print(session_mermaid() if args.exercises else mermaid(), end="")
    return EXIT_DONE


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=program(),  # as started: ./assistant.sh, python -m assistant, assistant
        description="Nekpijn-assistent: de intake volgens de KNGF-richtlijn Nekpijn (2016).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="OPDRACHT",
                                title="opdrachten", parser_class=_Parser)

    add_intake_parser(sub)

    classify_cmd = sub.add_parser("classify", help="classificeer een bevindingenbestand (JSON)")
    classify_cmd.add_argument("--findings", type=Path, required=True, metavar="BESTAND.json")
    classify_cmd.set_defaults(handler=cmd_classify)

    diagram = sub.add_parser("diagram", help="het verloop van de intake als Mermaid-diagram")
    diagram.add_argument("--exercises", action="store_true",
                         help="het verloop van de begeleide oefensessie")
    diagram.set_defaults(handler=cmd_diagram)

    doctor = sub.add_parser("doctor", help="controleer model, microfoon, luidspreker en stem")
    add_speech_flags(doctor)
    doctor.set_defaults(handler=cmd_doctor)

    add_model_parser(sub)
    add_records_parsers(sub)
    add_exercises_parser(sub)
    add_ui_parser(sub)
    add_settings_parser(sub)
    add_practice_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. The one place that turns an error into an exit code and one line on
    stderr (DESIGN.md "Errors and exit codes"): never a traceback."""
    try:
        raising_interrupts()  # from here on Ctrl-C is handled below (a live intake keeps it)
        streams.prepare()
        args = build_parser().parse_args(argv)
        code: int = args.handler(args, load_protocol())
        streams.flush_stdout()
        return code
    except SystemExit:  # argparse: --help, --version, or a bad flag (its line is written)
        try:
            streams.flush_stdout()
        except OutputError as exc:
            raise SystemExit(_fail(exc)) from None
        raise
    except AssistantError as exc:
        return _fail(exc)
    except KeyboardInterrupt:
        streams.error_line(f"\n{program()}: onderbroken.")
        return EXIT_UNFINISHED
    except BrokenPipeError:  # the reader went away (`assistant … | head`): end quietly
        streams.discard_stdout()
        return EXIT_UNFINISHED
    except Exception as exc:  # the promise: one line, never a traceback
        return _fail(InternalError(describe(exc)))


def _fail(exc: AssistantError) -> int:
    try:
        streams.flush_stdout()  # what was said before the error stays before it
    except BrokenPipeError:
        streams.discard_stdout()
    except OutputError:
        pass
    streams.error_line(error_line(exc))
    return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
