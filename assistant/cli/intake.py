"""`assistant intake`: the consultation from the command line — its flags, the records and the
journal it resumes, the input and the outputs, the report and the baseline measurement."""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.cli import streams
from assistant.cli.common import (
    EXIT_DONE,
    EXIT_UNFINISHED,
    GuardedSink,
    ParserT,
    UsageError,
    add_db_option,
    add_speech_flags,
    check_folder,
    fraction,
    open_output,
    parse_date,
    parse_psk,
    parse_psk_activities,
    parse_score,
    positive,
    read_findings,
    speech_options,
    speech_output,
    text_listener,
    voice_listener,
)
from assistant.cli.exercises import parse_codes
from assistant.cli.hints import cli_text, intake_command, patient_flag
from assistant.cli.settings import how_to_set
from assistant.dialog.answers_file import FindingsAnswerer
from assistant.dialog.events import Emit
from assistant.dialog.yes_no import ask_resume
from assistant.errors import Advice, Hint, InputError, IntakeAlreadyStored
from assistant.files import check_overwritable
from assistant.intake.filing import unfinished_report
from assistant.intake.flow import IntakeFlow, IntakeStart, Scores, dialog_config
from assistant.intake.guard import go_on
from assistant.intake.resume import describe_resume
from assistant.intake.run import Fanout, IntakeOutcome, SpeechOutput
from assistant.invocation import command
from assistant.output.report import SHEET_FILE, earlier_report
from assistant.output.report_content import Baseline
from assistant.output.report_text import render_summary
from assistant.output.screen import EventLog, Screen
from assistant.protocol.findings import Findings
from assistant.protocol.model import Protocol
from assistant.records.location import check_reports_dir, resolve_db
from assistant.records.render import intake_lines
from assistant.settings import PracticeSettings, load_settings
from assistant.speech.interfaces import Listener
from assistant.speech.text import StreamListener

if TYPE_CHECKING:
    from assistant.speech.voice import VoiceListener


def add_intake_parser(sub: argparse._SubParsersAction[ParserT]) -> None:
    """The `intake` command and its flags."""
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
    add_db_option(intake)
    intake.add_argument("--nprs", type=parse_score, metavar="0..10",
                        help="met --patient: de pijnscore van de beginmeting")
    intake.add_argument("--psk", type=parse_psk, metavar="A,B,C",
                        help="met --patient: de drie PSK-scores van de beginmeting (0..10)")
    intake.add_argument("--psk-activities", type=parse_psk_activities, metavar="A,B,C",
                        help="met --patient: de drie activiteiten van de PSK, zoals "
                             "traplopen,autorijden,lezen")
    intake.add_argument("--exercises", metavar="F14,F55",
                        help="met --answers: kies deze oefeningen na het profiel (standaard: "
                             "geen)")
    intake.add_argument("--events", type=Path, metavar="BESTAND",
                        help="schrijf de gebeurtenissen als JSON-regels naar BESTAND")
    intake.add_argument("--report", type=Path, metavar="MAP",
                        help="schrijf het verslag (report.html, report.txt, report.md), "
                             "result.json en findings.json in MAP (standaard: een nieuwe map "
                             "in de gegevensmap)")
    intake.add_argument("--date", type=parse_date, default=date.today(),
                        metavar="JJJJ-MM-DD", help="datum van de consultatie (standaard: vandaag)")
    intake.add_argument("--audio-in", type=Path, metavar="BESTAND.wav",
                        help="luister naar een WAV-bestand in plaats van de microfoon")
    intake.add_argument("--timeout", type=positive, default=8.0, metavar="SECONDEN",
                        help="stilte waarna de vraag opnieuw komt (standaard: 8)")
    intake.add_argument("--confirm-below", type=fraction, default=0.5, metavar="0..1",
                        help="bevestig elk antwoord dat met minder zekerheid is verstaan")
    intake.add_argument("--confirm-red-flag-below", type=fraction, default=0.8, metavar="0..1",
                        help="bevestig een 'nee' op een alarmsignaal onder deze zekerheid")
    intake.add_argument("--barge-in", action="store_true",
                        help="stop met praten zodra u begint te spreken (alleen met een headset)")
    add_speech_flags(intake)
    intake.set_defaults(handler=cmd_intake)



def _baseline(args: argparse.Namespace) -> Scores | None:
    """--nprs and --psk: the baseline measurement given on the command line."""
    if args.nprs is None and args.psk is None:
        return None
    if args.nprs is None or args.psk is None:
        raise UsageError("--nprs en --psk horen bij elkaar (de beginmeting)")
    if args.patient is None:
        raise UsageError("--nprs en --psk horen bij --patient (de beginmeting wordt bewaard)")
    return args.nprs, args.psk


def _activities(args: argparse.Namespace) -> tuple[str, ...]:
    """--psk-activities: the PSK's activities, named before the baseline."""
    if args.psk_activities is not None and args.patient is None:
        raise UsageError("--psk-activities hoort bij --patient (de beginmeting wordt bewaard)")
    return args.psk_activities or ()


def _confirm_resume(flow: IntakeFlow, args: argparse.Namespace, protocol: Protocol) -> bool:
    """Name the interrupted intake and ask before continuing it (--yes: without asking; a
    script, with no one to ask, needs --yes)."""
    assert flow.records is not None
    found = describe_resume(flow.records)
    if not args.yes and not streams.stdin_is_tty():
        raise UsageError(f"er is een onderbroken intake ({found}); voeg --yes toe om hem "
                         "zonder vraag te hervatten")
    print(f"Onderbroken intake gevonden: {found}.", flush=True)
    if not args.yes:
        listener = StreamListener(streams.stdin(), "› ", sys.stdout)
        if not ask_resume(listener, Screen(sys.stdout, echo=False), protocol):
            print("Niet hervat. De onderbroken intake blijft bewaard.")
            return False
    count = flow.records.standing_answers
    print(f"Intake wordt hervat ({count} {'antwoord' if count == 1 else 'antwoorden'}).")
    return True


def cmd_intake(args: argparse.Namespace, protocol: Protocol) -> int:
    """Check every flag first, run the intake's flow (intake/flow.py: records and journal open
    around it), store it with its baseline, write the report and show its summary; only then
    is the journal closed (a run cut off before that is finished by the next: _finish_stored)."""
    answers, exercises, baseline = _checked_flags(args, protocol)
    settings = _practice_settings()
    start = IntakeStart(args.db, args.patient, args.date, resume=args.resume,
                        journaled=answers is None)
    try:
        flow = IntakeFlow.open(protocol, start, notify=print)
    except IntakeAlreadyStored as exc:
        return _already_stored(exc, args, protocol)
    if flow.unjournaled is not None:
        print(cli_text(flow.unjournaled), file=sys.stderr)
    with flow, ExitStack() as stack:
        if flow.finishing:
            return _finish_stored(args, protocol, stack, flow, baseline, settings)
        if flow.resuming and not _confirm_resume(flow, args, protocol):
            return EXIT_UNFINISHED
        _warn_same_day(flow)
        with flow.guarded():
            outcome = _run_intake(args, protocol, stack, flow, answers, exercises, baseline)
            if flow.stopped_with_answers(outcome):
                print(f"Ga later verder met '{intake_command(_continue(flow, args))}'.")
            measured = flow.measured()  # the finished intake's baseline, for the report
        _report(args, flow, outcome, answers, baseline=measured, settings=settings)
        flow.done()  # the report is written: the journal is closed
    return EXIT_DONE if outcome.consultation.result is not None else EXIT_UNFINISHED


def _continue(flow: IntakeFlow, args: argparse.Namespace) -> Advice:
    """How to continue (or finish) this intake: its command is `hints.intake_command`."""
    assert flow.records is not None
    return go_on(Hint.RESTART, flow.records, args.db)


def _warn_same_day(flow: IntakeFlow) -> None:
    """An intake of a patient who has one stored on the same day already: one line on stderr
    naming it (the new one is a second intake, not a replacement)."""
    earlier = flow.records.same_day() if flow.records is not None else None
    if earlier is None:
        return
    print(f"Let op: patiënt {earlier.patient} heeft al een intake van "
          f"{earlier.date.isoformat()}{_stored_at(earlier.created)}; deze wordt een tweede "
          f"(zie '{command(f'history {patient_flag(earlier.patient)}')}').", file=sys.stderr)


def _stored_at(created: str) -> str:
    try:
        return f" (opgeslagen om {datetime.fromisoformat(created).astimezone():%H:%M})"
    except ValueError:
        return ""


def _finish_stored(args: argparse.Namespace, protocol: Protocol, stack: ExitStack,
                   flow: IntakeFlow, baseline: Scores | None,
                   settings: PracticeSettings | None) -> int:
    """The journal found holds an intake that was stored, its run cut off (a kill, a closed
    window, a full disk) before its report was written: finish it and store no second one.
    Its answers are replayed into the report, the baseline offered as after an intake
    (unless measured already or given), the report written, then the journal closed."""
    with flow.guarded():
        outcome = flow.rebuilt(dialog_config(flow.day))
        which = (f"De intake van patiënt {flow.patient}" if flow.patient is not None
                 else "De intake zonder patiënt-id") + f" ({flow.day.isoformat()})"
        print(f"{which} was al opgeslagen; het verslag wordt nu geschreven.", flush=True)
        if flow.patient is not None:
            listener, sinks, _ = _io(args, protocol, stack, None, ())
            flow.take_baseline(outcome, listener, Fanout(sinks), given=baseline,
                               activities=_activities(args))
        measured = flow.measured()
    _report(args, flow, outcome, None, baseline=measured, settings=settings, finished=which)
    flow.done()
    return EXIT_DONE


def _checked_flags(args: argparse.Namespace, protocol: Protocol) -> tuple[
        Findings | None, tuple[str, ...], Scores | None]:
    """The findings file, the exercises to choose and the baseline given, all checked before
    the first question (UsageError or InputError otherwise)."""
    if args.resume and args.answers:
        raise UsageError("--resume gaat niet samen met --answers")
    if args.answers and (args.voice or args.text):
        raise UsageError(f"--{'voice' if args.voice else 'text'} gaat niet samen met --answers "
                         "(de antwoorden komen uit het bestand)")
    answers = read_findings(args.answers) if args.answers else None
    if args.exercises is not None and answers is None:
        raise UsageError("--exercises hoort bij --answers (anders kiest u ze in het gesprek)")
    exercises = parse_codes(args.exercises, protocol, "--exercises") if args.exercises else ()
    if args.events is not None:  # the records file or its log (-wal): refused before opening
        check_overwritable(args.events, stream=True)
    if args.report is None:  # the default folder: found unwritable now, not after the answers
        check_reports_dir()
    else:
        check_folder(args.report, "--report")
        found = earlier_report(args.report)
        if found is not None and not unfinished_report(args.report):  # a cut-off write: again
            raise UsageError(f"--report: in {args.report} staat al een verslag ({found}); kies "
                             "een nieuwe map, dan blijft het eerdere bewaard")
    baseline = _baseline(args)
    _activities(args)
    if args.date > date.today():
        raise UsageError(f"--date: {args.date.isoformat()} ligt in de toekomst; een intake is "
                         "van vandaag of eerder")
    return answers, exercises, baseline


def _already_stored(exc: IntakeAlreadyStored, args: argparse.Namespace,
                    protocol: Protocol) -> int:
    """The interrupted intake to resume was stored already: say so, show what was stored
    (records/render.intake_lines) and make no second one."""
    line = cli_text(exc)
    print(f"{line[:1].upper()}{line[1:]}.")
    from assistant.records.store import Store

    with Store.open(resolve_db(args.db), write=False) as store:
        stored = next((c for c in store.consultations(exc.patient, skip_damaged=True)
                       if c.id == exc.consultation), None)
    if stored is not None:
        print("\n".join(intake_lines(stored, protocol)))
    return EXIT_DONE


def _practice_settings() -> PracticeSettings | None:
    """The practice's details for the report and the letter; a settings file that cannot be
    read is named on stderr in one line, and the intake goes on without it (blank lines)."""
    try:
        return load_settings()
    except InputError as exc:
        print(f"Instellingen niet gebruikt: {cli_text(exc)}.", file=sys.stderr)
        return None


def _report(args: argparse.Namespace, flow: IntakeFlow, outcome: IntakeOutcome,
            answers: Findings | None, *, baseline: Baseline | None,
            settings: PracticeSettings | None, finished: str | None = None) -> None:
    """Write the report (html, txt, md), the result and the sheet, into --report or else a new
    folder in the user's data folder, then show the summary and where it was written. Without
    --report an intake that stopped is written only when no journal keeps its answers. When
    writing fails, a stored intake's error says the command that writes it later;
    `finished`: which stored intake's report this is ('De intake van patiënt P (date)'),
    written by a later run."""
    again = _continue(flow, args) if flow.report_pending else None
    filed = flow.file(outcome, settings=settings, baseline=baseline, given=answers,
                      folder=args.report, again=again)
    report = filed.report
    print(render_summary(report), end="")
    if filed.folder is None:
        return
    if finished is not None:
        print(f"{finished} was al opgeslagen; het verslag is nu geschreven in {filed.folder}")
    else:
        print(f"Verslag geschreven in {filed.folder}")
    print("  report.html om te printen, report.txt voor het EPD"
          + (f", {SHEET_FILE} voor de patiënt" if filed.sheet else ""))
    if report.letter_unsigned:
        print(f"De verwijsbrief heeft lege regels voor uw naam en praktijk. Stel ze één keer "
              f"in met: {how_to_set()}")


def _run_intake(args: argparse.Namespace, protocol: Protocol, stack: ExitStack,
                flow: IntakeFlow, answers: Findings | None, exercises: tuple[str, ...],
                baseline: Scores | None) -> IntakeOutcome:
    """Open the input and the outputs, run the consultation and store it."""
    listener, sinks, voice = _io(args, protocol, stack, answers, exercises)
    outcome = flow.run(listener, sinks, dialog_config(
        flow.day, voice=voice, given=answers, confirm_below=args.confirm_below,
        confirm_red_flag_no_below=args.confirm_red_flag_below))
    chosen, result = outcome.chosen_exercises, outcome.consultation.result
    if exercises and result is not None and chosen is None:
        outside = [c for c in exercises
                   if c not in (*result.exercises, *result.exercises_if_insufficient)]
        raise UsageError(f"--exercises: {', '.join(outside)} staat niet in het oefenmenu "
                         "van deze uitkomst" if result.exercises else
                         "--exercises: bij een verwijzing worden geen oefeningen gekozen")
    flow.store(outcome, answers)
    flow.take_baseline(outcome, listener, Fanout(sinks), given=baseline,
                       activities=_activities(args), from_file=answers is not None)
    return outcome


def _io(args: argparse.Namespace, protocol: Protocol, stack: ExitStack,
        answers: Findings | None, exercises: tuple[str, ...],
        ) -> tuple[Listener, list[Emit], VoiceListener | None]:
    """The intake's input (the findings file, the microphone or the keyboard), its outputs
    (the event log, the screen, the speaker), closed with `stack`, and the voice listener
    when the answers are spoken."""
    options = speech_options(args)
    sinks: list[Emit] = []
    listener: Listener | None = None
    voice: VoiceListener | None = None
    if answers is not None:
        answerer = FindingsAnswerer(answers, protocol, exercises)
        sinks.append(answerer)
        listener = answerer
    elif not args.text:
        voice = voice_listener(args, options, protocol)
        if voice is not None:
            stack.callback(voice.close)
            listener = voice
    if listener is None:
        listener = text_listener()
    if args.events is not None:
        sinks.append(GuardedSink(EventLog(open_output(stack, args.events)),
                                 f"--events {args.events}"))
    sinks.append(Screen(sys.stdout, echo=answers is not None or voice is not None
                        or not streams.stdin_is_tty(), protocol=protocol))
    speaker = speech_output(args, options, protocol)
    if args.barge_in and voice is not None and not args.mute:
        from assistant.speech.voice import BargeIn

        speaker = BargeIn(speaker, voice)
    stack.callback(speaker.close)
    sinks.append(SpeechOutput(speaker))
    return listener, sinks, voice
