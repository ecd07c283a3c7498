"""`assistant exercises`: the guided session (voice or text), the library (--list), the sheet."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from assistant.cli import streams
from assistant.cli.common import (
    EXIT_DONE,
    EXIT_UNFINISHED,
    GuardedSink,
    ParserT,
    UsageError,
    add_speech_flags,
    open_output,
    parse_date,
    parse_side,
    speech_options,
    speech_output,
    voice_listener,
)
from assistant.clock import clock_from_env
from assistant.dialog.events import Emit
from assistant.dialog.exercise_choice import parse_choice
from assistant.dialog.exercise_session import ExerciseSession, SessionConfig
from assistant.intake.run import Fanout, SpeechOutput
from assistant.output.files import write_private
from assistant.output.screen import EventLog, Screen
from assistant.output.sheet import render_sheet
from assistant.protocol.findings import ARM_SIDES, ArmSide
from assistant.protocol.model import Protocol
from assistant.speech.commands import CommandSource, KeyboardCommands, VoiceCommands
from assistant.speech.keyboard import KeyboardInput


@dataclass(frozen=True)
class Program:
    """The exercises to do, profile D's caution when it applies, and the exercise arm."""

    codes: tuple[str, ...]
    warning: str | None = None
    later: tuple[str, ...] = ()  # D: the nerve glides, for when the therapy helps too little
    arm_side: ArmSide | None = None  # of the one-arm exercises; None: not known


def parse_codes(text: str, protocol: Protocol, option: str = "--codes") -> tuple[str, ...]:
    """'F14,f55, 26a' → ('F14', 'F55', 'F26a'): each part read as the spoken choice is (so
    'veertien' works too); an unknown code is a usage error."""
    library = protocol.library
    codes: list[str] = []
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        choice = parse_choice(part, protocol.vocabulary, library.choice.none)
        if choice is None or not choice.codes or not set(choice.codes) <= set(library.codes):
            raise UsageError(f"{option}: onbekende oefening '{part.strip()}' "
                             f"(bekend: {', '.join(library.codes)})")
        codes += [c for c in choice.codes if c not in codes]
    if not codes:
        raise UsageError(f"{option}: geen oefeningen genoemd (bijvoorbeeld {option} F14,F55)")
    return tuple(codes)


def patient_program(patient: str, db: Path | None, protocol: Protocol) -> Program:
    """The exercises chosen at the patient's latest intake, with its menu's warning, the ones
    for insufficient effect and the arm side (UsageError when there are none to do)."""
    from assistant.records.location import resolve_db_path
    from assistant.records.store import Store, validate_patient_id

    validate_patient_id(patient)
    with Store.open(resolve_db_path(db), write=False) as store:
        consultation = store.latest_consultation(patient)
    if consultation is None:
        raise UsageError(f"--patient: geen intake gevonden voor '{patient}'")
    if consultation.result.get("referral"):
        raise UsageError(f"--patient: '{consultation.patient}' is bij de intake verwezen "
                         "(graad IV): volgens de richtlijn eerst naar de huisarts, zonder "
                         "oefenprogramma")
    codes = tuple(consultation.chosen_exercises)
    if not codes:
        raise UsageError(f"--patient: bij de intake van '{patient}' zijn geen oefeningen "
                         "gekozen; kies ze met --codes")
    stored_side = consultation.findings.get("arm_side")
    arm_side: ArmSide | None = stored_side if stored_side in ARM_SIDES else None
    profile = consultation.result.get("profile")
    if not profile:
        return Program(codes, arm_side=arm_side)
    chosen_profile = protocol.profile(profile)
    return Program(codes, chosen_profile.exercise_warning,
                   chosen_profile.exercises_if_insufficient, arm_side)


def program_from_args(args: argparse.Namespace, protocol: Protocol) -> Program:
    """The exercises chosen by --patient, --profile and/or --codes; the arm by --side, else
    the patient's intake."""
    program = _chosen_program(args, protocol)
    if args.side is not None:
        return replace(program, arm_side=args.side)
    return program


def _chosen_program(args: argparse.Namespace, protocol: Protocol) -> Program:
    if args.patient is not None:
        if args.codes or args.profile:
            raise UsageError("--patient gaat niet samen met --codes of --profile")
        return patient_program(args.patient, args.db, protocol)
    warning = None
    codes: tuple[str, ...] = ()
    later: tuple[str, ...] = ()
    if args.profile is not None:
        profile = protocol.profile(args.profile)
        codes, warning = profile.exercises, profile.exercise_warning
        later = profile.exercises_if_insufficient
    if args.codes is not None:
        chosen = parse_codes(args.codes, protocol)
        outside = [c for c in chosen if codes and c not in (*codes, *later)]
        if outside:
            raise UsageError(f"--codes: {', '.join(outside)} staat niet in het menu van "
                             f"profiel {args.profile}")
        codes = chosen
    return Program(codes, warning, later)


def cmd_exercises(args: argparse.Namespace, protocol: Protocol) -> int:
    if args.json and not args.list:
        raise UsageError("--json hoort bij --list")
    if args.list:
        return _list(args, protocol)
    if args.patient is None and args.codes is None and args.profile is None:
        raise UsageError("kies de oefeningen met --codes, --profile of --patient "
                         "(of toon ze met --list)")
    program = program_from_args(args, protocol)
    if args.sheet is not None:
        html = render_sheet(protocol.library, program.codes, day=args.date,
                            warning=program.warning, later=program.later,
                            arm_side=program.arm_side)
        try:
            write_private(args.sheet, html)
        except OSError as exc:
            raise UsageError(f"--sheet: kan niet schrijven naar {args.sheet}: "
                             f"{exc.strerror}") from None
        print(f"Oefenblad geschreven: {args.sheet}")
        return EXIT_DONE
    return _guide(args, protocol, program)


def _list(args: argparse.Namespace, protocol: Protocol) -> int:
    library = protocol.library
    codes = (program_from_args(args, protocol).codes
             if args.codes or args.profile or args.patient else library.codes)
    exercises = [library.exercise(c) for c in codes]
    if args.json:
        print(json.dumps([e.to_json() for e in exercises], ensure_ascii=False, indent=2))
    else:
        for e in exercises:
            print(f"{e.code:5} {e.therapist_name}, huiswerkfilmpje {e.video}")
    return EXIT_DONE


def _guide(args: argparse.Namespace, protocol: Protocol, program: Program) -> int:
    options = speech_options(args)
    with ExitStack() as stack:
        commands: CommandSource | None = None
        voice = False
        if not args.text:
            listener = voice_listener(args, options, protocol)
            if listener is not None:
                stack.callback(listener.close)
                commands, voice = VoiceCommands(listener), True
        if commands is None:
            commands = KeyboardCommands(KeyboardInput(streams.stdin()))
        sinks: list[Emit] = []
        if args.events is not None:
            sinks.append(GuardedSink(EventLog(open_output(stack, args.events)),
                                     f"--events {args.events}"))
        sinks.append(Screen(sys.stdout, echo=voice or not streams.stdin_is_tty(),
                            release=protocol.library.session.release))
        speaker = speech_output(args, options)
        stack.callback(speaker.close)
        sinks.append(SpeechOutput(speaker))
        library = protocol.library
        session = ExerciseSession(
            [library.exercise(c) for c in program.codes], library.session, protocol.vocabulary,
            Fanout(sinks), commands, clock_from_env(),
            SessionConfig(warning=program.warning, arm_side=program.arm_side))
        outcome = session.run()
    return EXIT_UNFINISHED if outcome.stopped else EXIT_DONE


def add_exercises_parser(sub: argparse._SubParsersAction[ParserT]) -> None:
    """Add `exercises` to the main command's subparsers."""
    parser = sub.add_parser(
        "exercises", help="begeleide oefensessie, de oefenbibliotheek, of het oefenblad",
        description="Begeleid de patiënt door de huisoefeningen: elke oefening wordt "
                    "voorgelezen, herhalingen en vasthouden worden geteld. Zeg of typ: "
                    "volgende, herhaal, pauze, verder, langzamer, sneller, stop.")
    parser.add_argument("--codes", metavar="F14,F55", help="deze oefeningen, in deze volgorde")
    parser.add_argument("--profile", choices=["A", "B", "C", "D"],
                        help="het hele oefenmenu van dit behandelprofiel (met --codes: een "
                             "keuze daaruit)")
    parser.add_argument("--patient", metavar="ID",
                        help="de oefeningen die bij de intake van deze patiënt zijn gekozen")
    parser.add_argument("--side", type=parse_side, metavar="links|rechts|beide",
                        help="de oefenarm bij de oefeningen met één arm (standaard: uit de "
                             "intake van --patient, anders de arm die de fysiotherapeut "
                             "aanwijst)")
    parser.add_argument("--db", type=Path, metavar="PAD",
                        help="het bestand met de patiëntgegevens (standaard: ASSISTANT_DB of "
                             "de gebruikersmap)")
    parser.add_argument("--list", action="store_true", help="toon de oefeningen in plaats van "
                                                            "ze te doen")
    parser.add_argument("--json", action="store_true", help="met --list: als JSON")
    parser.add_argument("--sheet", type=Path, metavar="BESTAND.html",
                        help="schrijf het oefenblad voor thuis (om te printen)")
    parser.add_argument("--date", type=parse_date, default=date.today(), metavar="JJJJ-MM-DD",
                        help="datum op het oefenblad (standaard: vandaag)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--text", action="store_true", help="opdrachten via het toetsenbord")
    mode.add_argument("--voice", action="store_true", help="spraakbediening afdwingen")
    parser.add_argument("--mute", action="store_true", help="geen gesproken uitvoer")
    parser.add_argument("--events", type=Path, metavar="BESTAND",
                        help="schrijf de gebeurtenissen als JSON-regels naar BESTAND")
    parser.add_argument("--audio-in", type=Path, metavar="BESTAND.wav",
                        help="luister naar een WAV-bestand in plaats van de microfoon")
    add_speech_flags(parser)
    parser.set_defaults(handler=cmd_exercises)
