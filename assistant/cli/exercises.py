"""`assistant exercises`: the guided session (voice or text), the library (--list), the sheet."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Final

from assistant.cli import streams
from assistant.cli.common import (
    EXIT_DONE,
    EXIT_UNFINISHED,
    GuardedSink,
    ParserT,
    UsageError,
    add_db_option,
    add_speech_flags,
    file_name,
    open_output,
    parse_date,
    parse_side,
    speech_options,
    speech_output,
    stopping_as_ctrl_c,
    voice_listener,
)
from assistant.clock import clock_from_env
from assistant.dialog.choice_parsing import parse_choice, read_frequency
from assistant.dialog.events import Emit, Event, ExerciseStart
from assistant.dialog.exercise_session import ExerciseSession
from assistant.errors import OutputError, os_reason
from assistant.files import check_writable, write_private
from assistant.intake.program import Program, patient_program
from assistant.intake.run import Fanout, SpeechOutput
from assistant.output.screen import EventLog, Screen
from assistant.output.sheet import render_sheet
from assistant.protocol.exercises import Patient, adapted, excluded
from assistant.protocol.findings import PRECAUTIONS
from assistant.protocol.model import Protocol
from assistant.speech.commands import CommandSource, KeyboardCommands, VoiceCommands
from assistant.speech.interfaces import Speaker
from assistant.speech.keyboard import KeyboardInput
from assistant.text import format_minutes, printable

if TYPE_CHECKING:
    from collections.abc import Callable

    from assistant.speech.tts import Playback

# --precautions in the therapist's words (the first one is offered), and the findings' own keys
# (findings.PRECAUTIONS: every one has its words here, tests/test_exercises_cli.py checks it).
PRECAUTION_NAMES: Final = {
    "osteoporosis": ("osteoporose", "botontkalking"),
    "corticosteroids": ("prednison", "corticosteroiden", "corticosteroïden"),
    "rheumatoid_arthritis": ("reuma", "ra"),
    "anticoagulants": ("antistolling", "bloedverdunners"),
}
PRECAUTION_WORDS: Final = {
    **{key: key for key in PRECAUTIONS},
    **{word: key for key, words in PRECAUTION_NAMES.items() for word in words},
}
PRECAUTION_CHOICES: Final = tuple(PRECAUTION_NAMES.get(key, (key,))[0] for key in PRECAUTIONS)


def parse_precautions(text: str) -> frozenset[str]:
    """'osteoporose, reuma' → {'osteoporosis', 'rheumatoid_arthritis'}; 'geen' → none."""
    words = [w.strip().lower() for w in text.replace(";", ",").split(",") if w.strip()]
    if words == ["geen"]:
        return frozenset()
    if "geen" in words:
        raise argparse.ArgumentTypeError("'geen' gaat niet samen met een voorzorg; geef geen, of "
                                         "de voorzorgen")
    unknown = [w for w in words if w not in PRECAUTION_WORDS]
    if unknown or not words:
        raise argparse.ArgumentTypeError(
            f"onbekende voorzorg {unknown[0] if unknown else text!r}: kies uit "
            f"{', '.join(PRECAUTION_CHOICES)} (of geen)")
    return frozenset(PRECAUTION_WORDS[w] for w in words)


def parse_frequency(text: str) -> tuple[str, str]:
    """'F14=elke avond' → ('F14', 'elke avond'); the code is checked against the program,
    the words against the choice's frequencies, later."""
    code, sep, words = text.partition("=")
    if not sep or not code.strip() or not words.strip():
        raise argparse.ArgumentTypeError(
            f"schrijf --frequency als F14=elke avond, niet '{shown(text)}'")
    if "=" in words:
        raise argparse.ArgumentTypeError("geef één oefening per --frequency, bijvoorbeeld "
                                         "--frequency F14='elke avond' --frequency F55='om de dag'")
    return code.strip(), words


def shown(text: str, limit: int = 40) -> str:
    """What the user typed, safe to print in an error line: no control characters, short."""
    clean_text = printable(text)
    return clean_text if len(clean_text) <= limit else clean_text[:limit] + "…"


def _frequencies(pairs: list[tuple[str, str]], codes: tuple[str, ...],
                 protocol: Protocol) -> dict[str, str]:
    """The --frequency options as code → words (UsageError for a code not in the program,
    a code given twice, or words the choice does not know)."""
    allowed = protocol.library.choice.frequencies
    frequencies: dict[str, str] = {}
    for code, words in pairs:
        known = parse_codes(code, protocol, "--frequency")
        if len(known) != 1:
            raise UsageError("--frequency: geef één oefening per --frequency, bijvoorbeeld "
                             "--frequency F14='elke avond'")
        if known[0] not in codes:
            raise UsageError(f"--frequency: {known[0]} is geen van de gekozen oefeningen "
                             f"({', '.join(codes)})")
        if known[0] in frequencies:
            raise UsageError(f"--frequency: {known[0]} staat er twee keer; geef één keer hoe "
                             "vaak")
        phrase = read_frequency(words, allowed, protocol.vocabulary)
        if phrase is None:
            raise UsageError(f"--frequency: '{shown(words)}' ken ik niet; kies uit "
                             f"{', '.join(allowed)}")
        frequencies[known[0]] = phrase
    return frequencies


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
            raise UsageError(f"{option}: onbekende oefening '{shown(part.strip())}' "
                             f"(bekend: {', '.join(library.codes)})")
        codes += [c for c in choice.codes if c not in codes]
    if not codes:
        raise UsageError(f"{option}: geen oefeningen genoemd (bijvoorbeeld {option} F14,F55)")
    return tuple(codes)


def program_from_args(args: argparse.Namespace, protocol: Protocol) -> Program:
    """The exercises chosen by --patient, --profile and/or --codes; the arm by --side, the
    frequencies by --frequency, else the patient's intake."""
    program = _chosen_program(args, protocol)
    patient = program.patient
    if args.side is not None:
        patient = replace(patient, arm_side=args.side)
    if args.frequency:
        patient = replace(patient, frequencies={
            **(patient.frequencies or {}),
            **_frequencies(args.frequency, program.codes, protocol)})
    return replace(program, patient=patient)


def _chosen_program(args: argparse.Namespace, protocol: Protocol) -> Program:
    if args.patient is not None:
        if args.codes or args.profile or args.precautions is not None:
            raise UsageError("--patient gaat niet samen met --codes, --profile of "
                             "--precautions (die komen uit de intake)")
        return patient_program(args.patient, args.db, protocol)
    warning = None
    codes: tuple[str, ...] = protocol.library.codes  # (only --list gets here without a choice)
    later: tuple[str, ...] = ()
    if args.profile is not None:
        profile = protocol.profile(args.profile)
        codes, warning = profile.exercises, profile.exercise_warning
        later = profile.exercises_if_insufficient
    if args.codes is not None:
        chosen = parse_codes(args.codes, protocol)
        outside = [c for c in chosen if args.profile and c not in (*codes, *later)]
        if outside:
            raise UsageError(f"--codes: {', '.join(outside)} staat niet in het menu van "
                             f"profiel {args.profile}")
        codes = chosen
    return Program(codes, warning, later,
                   Patient(args.profile, args.precautions or frozenset()))


def cmd_exercises(args: argparse.Namespace, protocol: Protocol) -> int:
    if args.json and not args.list:
        raise UsageError("--json hoort bij --list")
    if args.list and (args.audio is not None or args.sheet is not None):
        raise UsageError("--list gaat niet samen met --audio of --sheet")
    if args.list:
        return _list(args, protocol)
    if args.patient is None and args.codes is None and args.profile is None:
        if args.precautions is not None or args.frequency:
            raise UsageError("--precautions en --frequency horen bij --codes, --profile of "
                             "--patient")
        raise UsageError("kies de oefeningen met --codes, --profile of --patient "
                         "(of toon ze met --list)")
    if args.audio is not None and args.mute:
        raise UsageError("--audio gaat niet samen met --mute: de opname is gesproken")
    _check_outputs(args)
    program = program_from_args(args, protocol)
    if args.sheet is None and args.audio is None:
        return _guide(args, protocol, program)
    starts = None if args.audio is None else _write_audio(args, protocol, program)
    if args.sheet is not None:
        html = render_sheet(protocol.library, program.codes, day=args.date,
                            warning=program.warning, later=program.later,
                            patient=program.patient,
                            audio=None if args.audio is None else printable(
                                args.audio.name.encode("utf-8", "replace").decode("utf-8")),
                            audio_starts=starts)
        _write(args.sheet, html, "--sheet")
        print(f"Oefenblad geschreven: {args.sheet}")
    return EXIT_DONE


def _check_outputs(args: argparse.Namespace) -> None:
    """Before any work: --audio, --sheet and --events name different files (one would
    silently replace the other), and each can be written where it is named."""
    named = [(option, path) for option, path in
             (("--audio", args.audio), ("--sheet", args.sheet), ("--events", args.events))
             if path is not None]
    seen: dict[Path, str] = {}
    for option, path in named:
        key = path.resolve()
        if key in seen:
            raise UsageError(f"{seen[key]} en {option} noemen hetzelfde bestand ({path}); "
                             "kies voor elk een eigen naam")
        seen[key] = option
    for option, path in named:
        if option == "--events":
            continue  # a stream (a pipe is fine): checked when it is opened
        if option == "--audio":
            from assistant.intake.session_audio import format_of

            format_of(path)
            if path.is_file():
                raise UsageError(f"--audio: {path} bestaat al (misschien van een andere "
                                 "patiënt); kies een andere naam of verwijder het eerst")
        try:
            check_writable(path)  # before the minute of speech, not after
        except OutputError as exc:
            raise UsageError(f"{option}: {exc}") from None


def _write(path: Path, data: bytes | str, option: str, *, replace: bool = True) -> None:
    """Write a patient file (0600, atomically); UsageError naming `option` when it cannot,
    or (`replace=False`) when a file appeared there meanwhile."""
    try:
        write_private(path, data, replace=replace)
    except FileExistsError:
        raise UsageError(f"{option}: {path} bestaat intussen (misschien van een andere "
                         "patiënt); de opname is niet bewaard: kies een andere naam") from None
    except OSError as exc:
        raise UsageError(f"{option}: kan niet schrijven naar {path}: {os_reason(exc)}"
                         ) from None


def _write_audio(args: argparse.Namespace, protocol: Protocol,
                 program: Program) -> dict[str, float]:
    """The guided session as an audio file to take home (intake/session_audio.py), in the
    voice the speech flags choose; where each exercise starts in it (code → s). A sentence
    the voice cannot say stops it (the file would miss it), and an existing file is never
    replaced (it may be another patient's): exit 2, nothing written."""
    from assistant.intake.session_audio import check_recordable, record_session

    check_recordable(program, protocol)  # before the event log is opened

    def make_speaker(playback: Playback, on_error: Callable[[str], None]) -> Speaker:
        return speech_output(args, speech_options(args), protocol, playback=playback,
                             on_error=on_error)

    def progress(event: Event) -> None:
        if isinstance(event, ExerciseStart):
            print(f"Opname: oefening {event.number} van {event.total} ({event.code}) …",
                  file=sys.stderr)

    with ExitStack() as stack:
        stack.enter_context(stopping_as_ctrl_c())  # a closed terminal leaves no audio behind
        sinks: list[Emit] = [progress]
        if args.events is not None:  # what the recording says, as a live session's events
            sinks.append(GuardedSink(EventLog(open_output(stack, args.events)),
                                     f"--events {args.events}"))
        home = record_session(program, protocol, args.audio, make_speaker, sinks)
    _write(args.audio, home.data, "--audio", replace=False)
    print(f"Opname geschreven: {args.audio} ({format_minutes(home.seconds)}, "
          f"{len(home.outcome.completed)} oefening"
          f"{'' if len(home.outcome.completed) == 1 else 'en'})")
    return home.starts


def _list(args: argparse.Namespace, protocol: Protocol) -> int:
    """The library, or the program's exercises, each with how often and, for a patient
    (--profile, --precautions, --patient), the cautions said with it and its steps as that
    patient hears them."""
    library = protocol.library
    program = program_from_args(args, protocol)
    cautions = library.cautions_for(program.patient)
    entries = []
    for code in program.codes:
        exercise = library.exercise(code)
        entry = adapted(exercise, cautions).to_json()  # as this patient hears it
        entry["dosage"]["frequency"] = program.patient.frequency(exercise)
        entry["cautions"] = [line for c in cautions if c.whole_session or c.concerns(exercise)
                             for line in c.patient]
        entry["left_out"] = excluded(exercise, cautions) is not None  # not done by this patient
        entries.append(entry)
    if args.json:
        print(json.dumps(entries, ensure_ascii=False, indent=2))
    else:
        for entry in entries:
            name = library.exercise(entry["code"]).therapist_name
            print(f"{entry['code']:5} {name}, huiswerkfilmpje {entry['video']}; "
                  f"{entry['dosage']['frequency']}")
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
        typed_at_terminal = False
        if commands is None:
            commands = KeyboardCommands(KeyboardInput(streams.stdin()))
            typed_at_terminal = streams.stdin_is_tty()  # Ctrl-D there means stop
        sinks: list[Emit] = []
        if args.events is not None:
            sinks.append(GuardedSink(EventLog(open_output(stack, args.events)),
                                     f"--events {args.events}"))
        sinks.append(Screen(sys.stdout, echo=voice or not streams.stdin_is_tty(),
                            release=protocol.library.session.release))
        speaker = speech_output(args, options, protocol)
        stack.callback(speaker.close)
        sinks.append(SpeechOutput(speaker))
        library = protocol.library
        session = ExerciseSession(
            [library.exercise(c) for c in program.codes], library.session, protocol.vocabulary,
            Fanout(sinks), commands, clock_from_env(),
            replace(program.session_config(library), stop_when_input_ends=typed_at_terminal),
            late=speaker.take_late)
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
    parser.add_argument("--precautions", type=parse_precautions,
                        metavar=",".join(PRECAUTION_CHOICES),
                        help="voorzorgen van de patiënt: voegt de veiligheidsregels toe die "
                             "daarbij horen (met --patient: uit de intake)")
    parser.add_argument("--frequency", type=parse_frequency, action="append",
                        metavar="F14='elke avond'",
                        help="hoe vaak een oefening gedaan wordt, in plaats van de standaard "
                             "(herhaalbaar; zie --list --json)")
    add_db_option(parser)
    parser.add_argument("--list", action="store_true", help="toon de oefeningen in plaats van "
                                                            "ze te doen")
    parser.add_argument("--json", action="store_true", help="met --list: als JSON")
    parser.add_argument("--sheet", type=file_name, metavar="BESTAND.html",
                        help="schrijf het oefenblad voor thuis (om te printen)")
    parser.add_argument("--audio", type=file_name, metavar="BESTAND.mp3",
                        help="schrijf de begeleide sessie als geluidsbestand voor thuis "
                             "(.mp3, .ogg/.opus of .wav), in de gekozen stem; met --sheet "
                             "noemt het oefenblad het bestand")
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
