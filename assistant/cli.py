"""Command line: `assistant intake | classify | diagram` (DESIGN.md "Contracts").

Exit codes: 0 done; 1 the consultation did not finish (stopped; answers kept); 2 bad input or a
missing prerequisite, with one line that names the problem.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from assistant import __version__, streams
from assistant.cli_common import (
    EXIT_DONE,
    EXIT_UNFINISHED,
    EXIT_USAGE,
    GuardedSink,
    UsageError,
    add_speech_flags,
    check_folder,
    open_output,
    parse_date,
    parse_psk,
    parse_score,
    speech_options,
    speech_output,
    text_listener,
    voice_listener,
)
from assistant.dialog.answers_file import FindingsAnswerer
from assistant.dialog.consultation import DialogConfig
from assistant.dialog.diagram import mermaid, session_mermaid
from assistant.dialog.evaluation import run_evaluation
from assistant.dialog.events import Emit
from assistant.dialog.yes_no import ask_resume, offer_baseline
from assistant.errors import (
    AssistantError,
    InputError,
    InternalError,
    OutputError,
    RecordsError,
    describe,
    os_reason,
)
from assistant.exercises_cli import add_exercises_parser, parse_codes
from assistant.intake_guard import keeping_answers
from assistant.intake_records import IntakeRecords, describe_resume
from assistant.model_cli import add_model_parser
from assistant.protocol import FindingsError, classify, load_protocol
from assistant.protocol.findings import Findings, parse_findings, require_complete
from assistant.protocol.model import Protocol
from assistant.records_cli import add_records_parsers
from assistant.report import render_report, to_json_text, write_report
from assistant.screen import EventLog, Screen
from assistant.session import Fanout, Outcome, SpeechOutput, run_consultation
from assistant.sheet import render_sheet
from assistant.speech.interfaces import Listener
from assistant.speech.text import StreamListener

if TYPE_CHECKING:
    pass

class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: fout: {message} (zie --help)\n")


def _read_findings(path: Path) -> Findings:
    """A findings file: UTF-8 (a byte-order mark, as Notepad writes, is fine) holding JSON."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"bevindingenbestand niet gevonden: {path}") from None
    except OSError as exc:
        raise InputError(f"bevindingenbestand niet te lezen: {path} ({os_reason(exc)})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: geen UTF-8-tekst; sla het bestand op als UTF-8") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: geen geldige JSON (regel {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise InputError(f"{path}: de JSON is te diep genest voor een bevindingenbestand"
                         ) from None
    except ValueError:  # an integer beyond Python's limit on digits
        raise InputError(f"{path}: een getal met te veel cijfers voor een bevindingenbestand"
                         ) from None
    try:
        findings = parse_findings(data)
        require_complete(findings)
    except FindingsError as exc:
        raise FindingsError(f"{path}: {exc}") from None
    return findings


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"geen positief getal: {text!r}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:  # also refuses nan
        raise argparse.ArgumentTypeError(f"geen getal van 0 tot en met 1: {text!r}")
    return value


def cmd_classify(args: argparse.Namespace, protocol: Protocol) -> int:
    findings = _read_findings(args.findings)
    print(to_json_text(classify(findings, protocol).to_json()), end="")
    return EXIT_DONE


def cmd_doctor(args: argparse.Namespace, protocol: Protocol) -> int:
    from assistant.doctor import run_doctor

    ready = run_doctor(protocol, speech_options(args), print)
    return EXIT_DONE if ready else EXIT_USAGE


def cmd_diagram(args: argparse.Namespace, protocol: Protocol) -> int:
    print(session_mermaid() if args.exercises else mermaid(), end="")
    return EXIT_DONE


def _baseline(args: argparse.Namespace) -> tuple[int, tuple[int, int, int]] | None:
    """--nprs and --psk: the baseline measurement given on the command line."""
    if args.nprs is None and args.psk is None:
        return None
    if args.nprs is None or args.psk is None:
        raise UsageError("--nprs en --psk horen bij elkaar (de beginmeting)")
    if args.patient is None:
        raise UsageError("--nprs en --psk horen bij --patient (de beginmeting wordt bewaard)")
    return args.nprs, args.psk


def _open_records(args: argparse.Namespace, *, journaled: bool) -> IntakeRecords | None:
    """The records for this intake. Without --patient or --resume they only keep the journal,
    so their absence is a notice, not an error."""
    try:
        return IntakeRecords.open(args.db, args.patient, args.date, resume=args.resume,
                                  journaled=journaled)
    except RecordsError as exc:
        if args.patient is not None or args.resume:
            raise
        print(f"Geen dagboek voor hervatten: {exc}.", file=sys.stderr)
        return None


def _confirm_resume(records: IntakeRecords, args: argparse.Namespace,
                    protocol: Protocol) -> bool:
    """Name the interrupted intake and ask before continuing it (--yes: without asking; a
    script, with no one to ask, needs --yes)."""
    found = describe_resume(records)
    if not args.yes and not streams.stdin_is_tty():
        raise UsageError(f"er is een onderbroken intake ({found}); voeg --yes toe om hem "
                         "zonder vraag te hervatten")
    print(f"Onderbroken intake gevonden: {found}.", flush=True)
    if not args.yes:
        listener = StreamListener(streams.stdin(), "› ", sys.stdout)
        if not ask_resume(listener, Screen(sys.stdout, echo=False), protocol):
            print("Niet hervat. De onderbroken intake blijft bewaard.")
            return False
    print(f"Intake wordt hervat ({records.standing_answers} antwoorden).")
    return True


def _store_intake(records: IntakeRecords, outcome: Outcome, listener: Listener, emit: Emit,
                  protocol: Protocol, baseline: tuple[int, tuple[int, int, int]] | None, *,
                  interactive: bool) -> None:
    """Store the finished intake under the patient's id, with the baseline measurement."""
    consultation = outcome.consultation
    result, voice = consultation.result, consultation.config.voice
    saved = records.finish(consultation.findings, result, outcome.chosen_exercises,
                           len(consultation.history))
    if saved is None or result is None or result.profile is None:
        return
    print(saved)
    if baseline is None and interactive and offer_baseline(listener, emit, protocol,
                                                           voice=voice):
        measured = run_evaluation(listener, emit, result.profile, protocol, baseline=True,
                                  voice=voice)
        if measured is not None:
            baseline = measured.nprs, measured.psk
    if baseline is not None:
        print(records.baseline(*baseline))


def cmd_intake(args: argparse.Namespace, protocol: Protocol) -> int:
    if args.resume and args.answers:
        raise UsageError("--resume gaat niet samen met --answers")
    answers = _read_findings(args.answers) if args.answers else None
    if args.exercises is not None and answers is None:
        raise UsageError("--exercises hoort bij --answers (anders kiest u ze in het gesprek)")
    exercises = parse_codes(args.exercises, protocol, "--exercises") if args.exercises else ()
    if args.report is not None:
        check_folder(args.report, "--report")
    baseline = _baseline(args)
    with ExitStack() as stack:
        records = _open_records(args, journaled=answers is None)
        if records is not None:
            stack.callback(records.close)
            if records.resumed is not None and not _confirm_resume(records, args, protocol):
                return EXIT_UNFINISHED
        with keeping_answers(records, args.db):
            outcome = _run_intake(args, protocol, stack, records, answers, exercises, baseline)
    day = records.day if records is not None else args.date
    consultation = outcome.consultation
    chosen, result = outcome.chosen_exercises, consultation.result
    report = render_report(protocol=protocol, answers=outcome.answers,
                           findings=consultation.findings, result=result,
                           day=day, chosen=chosen, from_file=answers is not None)
    sheet = None
    if chosen and result is not None:
        sheet = render_sheet(protocol.library, chosen, day=day,
                             warning=result.exercise_warning)
    if consultation.result is not None:
        print("\n" + report, end="")
    if args.report is not None:
        try:
            paths = write_report(args.report, report=report,
                                 findings=answers or consultation.findings,
                                 result=result, chosen=chosen, sheet=sheet)
        except OSError as exc:
            raise OutputError(f"--report: kan niet schrijven in {args.report}: "
                              f"{os_reason(exc)}") from None
        print(f"Verslag geschreven: {', '.join(str(p) for p in paths)}")
    return EXIT_DONE if consultation.result is not None else EXIT_UNFINISHED


def _run_intake(args: argparse.Namespace, protocol: Protocol, stack: ExitStack,
                records: IntakeRecords | None, answers: Findings | None,
                exercises: tuple[str, ...],
                baseline: tuple[int, tuple[int, int, int]] | None) -> Outcome:
    """Open the input and the outputs, run the consultation and store it."""
    options = speech_options(args)
    sinks: list[Emit] = []
    listener: Listener | None = None
    voice = False
    if answers is not None:
        answerer = FindingsAnswerer(answers, protocol, exercises)
        sinks.append(answerer)
        listener = answerer
    elif not args.text:
        voice_input = voice_listener(args, options, protocol)
        if voice_input is not None:
            stack.callback(voice_input.close)
            listener, voice = voice_input, True
    if listener is None:
        listener = text_listener()
    if args.events is not None:
        sinks.append(GuardedSink(EventLog(open_output(stack, args.events)),
                                 f"--events {args.events}"))
    sinks.append(Screen(sys.stdout, echo=answers is not None or voice
                        or not streams.stdin_is_tty()))
    speaker = speech_output(args, options)
    if args.barge_in and voice and not args.mute:
        from assistant.speech.voice import BargeIn, VoiceListener

        assert isinstance(listener, VoiceListener)
        speaker = BargeIn(speaker, listener)
    stack.callback(speaker.close)
    sinks.append(SpeechOutput(speaker))
    outcome = run_consultation(
        protocol, listener, sinks, DialogConfig(
            voice=voice, confirm_below=args.confirm_below,
            confirm_red_flag_no_below=args.confirm_red_flag_below),
        journal=records.journal if records else None,
        resume=records.resume if records else ())
    chosen, result = outcome.chosen_exercises, outcome.consultation.result
    if exercises and result is not None and chosen is None:
        outside = [c for c in exercises if c not in result.exercises]
        raise UsageError(f"--exercises: {', '.join(outside)} staat niet in het oefenmenu "
                         "van deze uitkomst" if result.exercises else
                         "--exercises: bij een verwijzing worden geen oefeningen gekozen")
    if records is not None:
        _store_intake(records, outcome, listener, Fanout(sinks), protocol,
                      baseline, interactive=answers is None)
    return outcome


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="assistant",
        description="Nekpijn-assistent: de intake volgens de KNGF-richtlijn Nekpijn (2016).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="OPDRACHT",
                                parser_class=_Parser)

    intake = sub.add_parser("intake", help="de intake: vragen, classificatie en behandelplan")
    mode = intake.add_mutually_exclusive_group()
    mode.add_argument("--text", action="store_true",
                      help="antwoorden via het toetsenbord (of stdin), een per regel")
    mode.add_argument("--voice", action="store_true", help="spraakbediening afdwingen")
    intake.add_argument("--mute", action="store_true", help="geen gesproken uitvoer")
    intake.add_argument("--answers", type=Path, metavar="BESTAND.json",
                        help="neem de antwoorden uit een bevindingenbestand (niet interactief)")
    intake.add_argument("--patient", metavar="ID",
                        help="bewaar de intake onder deze pseudonieme id (voor de follow-up); "
                             "een onderbroken intake van deze patiënt wordt hervat")
    intake.add_argument("--resume", action="store_true",
                        help="hervat de laatst onderbroken intake (zonder --patient: de "
                             "laatste zonder id); de assistent noemt hem en vraagt eerst")
    intake.add_argument("--yes", action="store_true",
                        help="hervat een onderbroken intake zonder te vragen (nodig als de "
                             "invoer geen terminal is)")
    intake.add_argument("--db", type=Path, metavar="PAD",
                        help="het bestand met de patiëntgegevens (standaard: ASSISTANT_DB of "
                             "de gebruikersmap)")
    intake.add_argument("--nprs", type=parse_score, metavar="0..10",
                        help="met --patient: de pijnscore van de beginmeting")
    intake.add_argument("--psk", type=parse_psk, metavar="A,B,C",
                        help="met --patient: de drie PSK-scores van de beginmeting (0..10)")
    intake.add_argument("--exercises", metavar="F14,F55",
                        help="met --answers: kies deze oefeningen na het profiel (standaard: "
                             "geen)")
    intake.add_argument("--events", type=Path, metavar="BESTAND",
                        help="schrijf de gebeurtenissen als JSON-regels naar BESTAND")
    intake.add_argument("--report", type=Path, metavar="MAP",
                        help="schrijf report.md, result.json en findings.json in MAP")
    intake.add_argument("--date", type=parse_date, default=date.today(),
                        metavar="JJJJ-MM-DD", help="datum van de consultatie (standaard: vandaag)")
    intake.add_argument("--audio-in", type=Path, metavar="BESTAND.wav",
                        help="luister naar een WAV-bestand in plaats van de microfoon")
    intake.add_argument("--timeout", type=_positive, default=8.0, metavar="SECONDEN",
                        help="stilte waarna de vraag opnieuw komt (standaard: 8)")
    intake.add_argument("--confirm-below", type=_fraction, default=0.5, metavar="0..1",
                        help="bevestig elk antwoord dat met minder zekerheid is verstaan")
    intake.add_argument("--confirm-red-flag-below", type=_fraction, default=0.8, metavar="0..1",
                        help="bevestig een 'nee' op een alarmsignaal onder deze zekerheid")
    intake.add_argument("--barge-in", action="store_true",
                        help="stop met praten zodra u begint te spreken (alleen met een headset)")
    add_speech_flags(intake)
    intake.set_defaults(handler=cmd_intake)

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. The one place that turns an error into an exit code and one line on
    stderr (DESIGN.md "Errors and exit codes"): never a traceback."""
    try:
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
        streams.error_line("\nassistant: onderbroken.")
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
    streams.error_line(exc.line())
    return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
