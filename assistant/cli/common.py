"""What the commands share: exit codes, the usage error, reading a findings file, number flags,
speech flags and opening speech I/O."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import signal
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO, TypeVar

from assistant.cli import streams
from assistant.cli.hints import cli_text
from assistant.cli.model_folder import models_dir, speech_cache_dir
from assistant.dialog.events import Emit, Event
from assistant.errors import EXIT_DONE as EXIT_DONE
from assistant.errors import EXIT_UNFINISHED as EXIT_UNFINISHED
from assistant.errors import EXIT_USAGE as EXIT_USAGE
from assistant.errors import FindingsError, InputError, OutputError, RecordsError, os_reason
from assistant.errors import UsageError as UsageError
from assistant.files import check_overwritable, make_private_dirs
from assistant.protocol.findings import ArmSide, Findings, require_complete
from assistant.protocol.findings_json import parse_findings
from assistant.protocol.model import Protocol
from assistant.records.location import ENV_DB, Location, location
from assistant.speech.interfaces import Listener, SilentSpeaker, Speaker
from assistant.speech.setup import SpeechOptions, Unavailable, open_listener, open_speaker
from assistant.speech.text import StreamListener

if TYPE_CHECKING:
    from collections.abc import Callable

    from assistant.speech.tts import Playback
    from assistant.speech.voice import VoiceListener

# The parser class of the subcommands (the app uses its own, with Dutch errors).
ParserT = TypeVar("ParserT", bound=argparse.ArgumentParser)

MIN_SPEECH_RATE, MAX_SPEECH_RATE = 40, 400  # words per minute (espeak-ng's default is 175)


def add_speech_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, metavar="MAP", help="map met het Vosk-spraakmodel")
    parser.add_argument("--input-device", metavar="NAAM|NUMMER", help="de microfoon")
    parser.add_argument("--output-device", metavar="NAAM|NUMMER", help="de luidspreker")
    parser.add_argument("--tts-voice", metavar="STEM",
                        help="de stem voor spraakuitvoer: een Piper-stem (.onnx-bestand, map "
                             "of naam in de modellenmap) of een pyttsx3-stem")
    parser.add_argument("--speech-rate", type=parse_speech_rate, metavar="WOORDEN/MIN",
                        help=f"spreektempo van de spraakuitvoer ({MIN_SPEECH_RATE} tot en met "
                             f"{MAX_SPEECH_RATE} woorden per minuut)")
    parser.add_argument("--no-enhance", dest="enhance", action="store_false",
                        help="luister zonder ruisonderdrukking en automatische versterking")


def open_output(stack: ExitStack, path: Path) -> TextIO:
    """A file for the event log, closed with the stack (a failure to write it is reported
    where it happens, not a second time at the close). It holds every answer and note, so a
    file is made 0600 (an existing one is made so too) and the folders it makes 0700; the
    records file and its side files (`-wal`, `-shm`) are refused (check_overwritable)."""
    check_overwritable(path, stream=True)
    try:
        make_private_dirs(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        if stat.S_ISREG(os.fstat(fd).st_mode):
            with suppress(OSError):
                os.chmod(path, 0o600)
        out = os.fdopen(fd, "w", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"kan niet schrijven naar {path}: {os_reason(exc)}") from None

    def close() -> None:
        with suppress(OSError):
            out.close()

    stack.callback(close)
    return out


def check_folder(path: Path, option: str) -> None:
    """Refuse, before anything starts, an output folder that cannot be made or written: a path
    under a regular file ('--report afile/sub'), or in a folder that is read-only."""
    for part in (path, *path.parents):
        if not part.exists():
            continue
        if not part.is_dir():
            what = "is geen map" if part == path else f"is een bestand, dus {path} kan er niet in"
            raise UsageError(f"{option}: {part} {what}; kies een map")
        try:
            with tempfile.TemporaryFile(dir=part):
                return
        except OSError as exc:
            raise UsageError(f"{option}: kan niet schrijven in {part} ({os_reason(exc)}); "
                             "kies een andere map") from None


class GuardedSink:
    """A sink (the event log) whose write failures (a full disk) become an OutputError naming
    the file; stdout has its own guard (streams.ScreenStream)."""

    def __init__(self, sink: Emit, what: str) -> None:
        self.sink = sink
        self.what = what

    def __call__(self, event: Event) -> None:
        try:
            self.sink(event)
        except BrokenPipeError:  # the reader went away: main ends quietly
            raise
        except OSError as exc:
            raise OutputError(f"kan niet schrijven naar {self.what}: {os_reason(exc)}") from None


def speech_options(args: argparse.Namespace) -> SpeechOptions:
    """The speech flags as options; UsageError for a recording to hear in text mode (it would
    be silently passed over)."""
    if getattr(args, "audio_in", None) is not None and getattr(args, "text", False):
        raise UsageError("--audio-in gaat niet samen met --text: een opname is spraak")
    return SpeechOptions(
        model=args.model, models_dir=models_dir(), input_device=args.input_device,
        output_device=args.output_device,
        audio_in=getattr(args, "audio_in", None), timeout=getattr(args, "timeout", 8.0),
        tts_voice=args.tts_voice, speech_rate=args.speech_rate, cache_dir=speech_cache_dir(),
        enhance=getattr(args, "enhance", True),
    )


def speech_output(args: argparse.Namespace, options: SpeechOptions,
                  protocol: Protocol | None = None, *, playback: Playback | None = None,
                  on_error: Callable[[str], None] | None = None) -> Speaker:
    """The speaker, or silence with a one-line notice (exit 2 when --voice insists, or when
    it plays into `playback`: the recording of --audio). One line on stderr says which voice
    speaks and why; the protocol's own sentences (and only those) may be kept in the speech
    cache on disk; `on_error` hears a sentence that could not be said."""
    from assistant.speech.speech_cache import fixed_sentences

    fixed = fixed_sentences(protocol) if protocol is not None else frozenset()
    return speaker_or_silence(args, lambda: open_speaker(
        options, fixed, notice=sys.stderr, playback=playback, on_error=on_error),
        insist="--audio" if playback is not None else None)


def speaker_or_silence(args: argparse.Namespace, open_: Callable[[], Speaker],
                       insist: str | None = None) -> Speaker:
    """What `open_` opens, silence with --mute, or silence with a one-line notice when there
    is no speech output (UsageError when --voice, or the option `insist`, needs it)."""
    if args.mute:
        return SilentSpeaker()
    try:
        return open_()
    except Unavailable as exc:
        option = insist or ("--voice" if args.voice else None)
        if option is not None:
            raise UsageError(f"{option}: geen spraakuitvoer: {cli_text(exc)}") from None
        print(f"Geen spraakuitvoer: {cli_text(exc)}.", file=sys.stderr)
        return SilentSpeaker()


def text_listener() -> Listener:
    """Answers from the keyboard or a script on stdin (UsageError when stdin is closed)."""
    interactive = streams.stdin_is_tty() and sys.stdout.isatty()
    return StreamListener(streams.stdin(), "› " if interactive else "", sys.stdout)


def voice_listener(args: argparse.Namespace, options: SpeechOptions,
                    protocol: Protocol) -> VoiceListener | None:
    """The voice listener, or None (text mode) with a one-line notice why."""
    from assistant.dialog.vocabulary import all_phrases, core_words  # ~15 ms: voice only

    try:
        return open_listener(options, core_words(protocol), all_phrases(protocol), sys.stdin,
                             sys.stderr)
    except Unavailable as exc:
        if args.voice:
            raise UsageError(f"--voice: {cli_text(exc)}") from None
        if getattr(args, "audio_in", None) is not None:  # a recording to hear: not the keyboard
            raise UsageError(f"--audio-in: {cli_text(exc)}") from None
        print(f"Tekstmodus: {cli_text(exc)}.", file=sys.stderr)
        return None


def parse_speech_rate(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not MIN_SPEECH_RATE <= value <= MAX_SPEECH_RATE:
        raise argparse.ArgumentTypeError(
            f"geen spreektempo van {MIN_SPEECH_RATE} tot en met {MAX_SPEECH_RATE} woorden per "
            f"minuut: {text!r}")
    return value


ARM_SIDE_WORDS: dict[str, ArmSide] = {"links": "left", "rechts": "right", "beide": "both"}


def parse_side(text: str) -> ArmSide:
    """The exercise arm in Dutch: links, rechts or beide."""
    side = ARM_SIDE_WORDS.get(text.strip().lower())
    if side is None:
        raise argparse.ArgumentTypeError(f"geen oefenarm: kies links, rechts of beide, niet "
                                         f"{text!r}")
    return side


FIRST_YEAR: Final = 1900  # no consultation is older; calendar answers count back from it
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DUTCH_DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")


def records_location(text: str) -> Location:
    """`--db`: a records file, or a practice server's address (postgresql://…)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("geef een bestand of het adres van de praktijkserver")
    try:
        return location(text)
    except RecordsError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def add_db_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """The one `--db` of every command that uses the records."""
    parser.add_argument("--db", type=records_location, metavar="PAD|URL",
                        help=f"het bestand met de patiëntgegevens, of het adres van de "
                             f"praktijkserver (postgresql://ROL@SERVER/DATABASE); standaard: "
                             f"{ENV_DB} of de gebruikersmap")


def file_name(text: str) -> Path:
    """A file to write, as typed: a name that ends in a folder separator ('blad/') names a
    folder, not a file (Path would drop the slash and write a file called 'blad')."""
    if not text.strip():
        raise argparse.ArgumentTypeError("geef een bestandsnaam")
    if text.endswith(("/", os.sep)):
        raise argparse.ArgumentTypeError(f"'{text}' is een map; geef een bestandsnaam")
    return Path(text)


def parse_date(text: str) -> date:
    """A date as JJJJ-MM-DD or, as Dutch practices write it, DD-MM-JJJJ; nothing else."""
    text = text.strip()
    iso, dutch = _ISO_DATE.fullmatch(text), _DUTCH_DATE.fullmatch(text)
    try:
        if iso:
            day = date(int(iso[1]), int(iso[2]), int(iso[3]))
        elif dutch:
            day = date(int(dutch[3]), int(dutch[2]), int(dutch[1]))
        else:
            day = None
    except ValueError:
        day = None
    if day is not None and day.year >= FIRST_YEAR:
        return day
    raise argparse.ArgumentTypeError(f"geen datum als JJJJ-MM-DD of DD-MM-JJJJ vanaf "
                                     f"{FIRST_YEAR}: {text!r}")


def whole_number(text: str, low: int, high: int, what: str) -> int:
    """`text` as a whole number from `low` to `high`; else ArgumentTypeError naming `what`."""
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"geen {what} van {low} tot en met {high}: {text!r}")
    return value


def parse_score(text: str) -> int:
    return whole_number(text, 0, 10, "heel getal")


def parse_psk(text: str) -> tuple[int, int, int]:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"de PSK is drie scores, zoals 6,5,7: {text!r}")
    a, b, c = (parse_score(p) for p in parts)
    return a, b, c


def parse_psk_activities(text: str) -> tuple[str, ...]:
    """'traplopen,autorijden,lezen': the PSK's three activities, comma-separated."""
    from assistant.errors import RecordsError
    from assistant.records.rows import validate_psk_activities

    try:
        return validate_psk_activities(text.split(","))
    except RecordsError as exc:
        raise argparse.ArgumentTypeError(cli_text(exc)) from None


class _DuplicateKey(ValueError):
    """A JSON object names a key twice (json keeps the last one silently)."""


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    twice = next((key for key in keys if keys.count(key) > 1), None)
    if twice is not None:
        raise _DuplicateKey(twice)
    return dict(pairs)


MAX_FINDINGS_BYTES = 1_000_000  # a findings file is a few hundred bytes; /dev/zero is not one


def read_findings(path: Path) -> Findings:
    """A findings file: UTF-8 (a byte-order mark, as Notepad writes, is fine) holding JSON, at
    most MAX_FINDINGS_BYTES."""
    try:
        with path.open("rb") as source:
            raw = source.read(MAX_FINDINGS_BYTES + 1)
        if len(raw) > MAX_FINDINGS_BYTES:
            raise InputError(f"{path}: te groot voor een bevindingenbestand")
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"bevindingenbestand niet gevonden: {path}") from None
    except OSError as exc:
        raise InputError(f"bevindingenbestand niet te lezen: {path} ({os_reason(exc)})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: geen UTF-8-tekst; sla het bestand op als UTF-8") from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: geen geldige JSON (regel {exc.lineno}, kolom {exc.colno})"
                         ) from None
    except _DuplicateKey as exc:
        raise InputError(f"{path}: de sleutel '{exc}' staat er twee keer in") from None
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


def positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"geen positief getal: {text!r}")
    return value


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:  # also refuses nan
        raise argparse.ArgumentTypeError(f"geen getal van 0 tot en met 1: {text!r}")
    return value


@contextmanager
def stopping_as_ctrl_c() -> Iterator[None]:
    """SIGTERM (and SIGHUP: the terminal window closed) stop as Ctrl-C does: the screen, so
    the intake keeps its journal and the launcher file with the token is removed (uvicorn
    raises the signal again once it has stopped), and a recording, so its temporary file is
    removed. The handler turns the signal into KeyboardInterrupt."""
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {name: signal.signal(getattr(signal, name), interrupt) for name in names}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)
