"""`assistant model list | download | verify`: the speech models (DESIGN.md "Contracts").

Exit codes: 0 done; 2 a failure (a ModelError, which `assistant.cli.app` turns into one line on
stderr). Handlers take `(args, protocol)` like the other commands and ignore the protocol.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from assistant.cli import model_folder
from assistant.cli.common import ParserT
from assistant.cli.hints import cli_text
from assistant.errors import EXIT_DONE, ModelError
from assistant.invocation import command
from assistant.speech.download import download, download_voice
from assistant.speech.manifest import (
    DEFAULT_MODEL,
    KnownModel,
    KnownVoice,
    known_model,
    known_voice,
    load_manifest,
    load_voices,
)
from assistant.speech.model_check import verify
from assistant.speech.model_location import (
    ENV_MODEL,
    find_model,
    installed_copies,
    locate_model,
    missing_files,
)


def _doctor_hint() -> str:
    return f"'{command('doctor')}' controleert het"


def _no_model() -> str:
    return (f"geen spraakmodel gevonden; haal het op met '{command('model download')}'"
            f" of zet {ENV_MODEL}")



def add_model_parser(sub: argparse._SubParsersAction[ParserT]) -> None:
    """Add `model list | download | verify` to the main command's subparsers."""
    parser = sub.add_parser("model",
                            help="spraakmodellen en stemmen: tonen, downloaden, controleren",
                            description="Vosk-spraakmodellen en Piper-stemmen tonen, downloaden "
                                        "en controleren.")
    actions = parser.add_subparsers(dest="model_command", required=True, metavar="ACTIE")

    listing = actions.add_parser("list", help="bekende modellen, waar ze staan, welk in gebruik")
    listing.set_defaults(handler=cmd_list)

    fetch = actions.add_parser("download", help="download en installeer een spraakmodel")
    fetch.add_argument("name", nargs="?", default=DEFAULT_MODEL, metavar="NAAM",
                       help=f"een bekend model of een bekende stem (zie 'model list'; standaard: "
                            f"{DEFAULT_MODEL})")
    fetch.add_argument("--url", metavar="URL",
                       help="haal het zip-bestand van dit adres (bijvoorbeeld een lokale kopie)")
    fetch.add_argument("--dir", type=Path, metavar="MAP",
                       help="installeer in MAP (standaard: de modellenmap van de assistent)")
    fetch.set_defaults(handler=cmd_download)

    check = actions.add_parser("verify", help="controleer een spraakmodel (bestanden en laden)")
    check.add_argument("path", nargs="?", type=Path, metavar="MAP",
                       help="de modelmap, of een Piper-stem (.onnx, map of naam; standaard: "
                            "het model dat de assistent zou gebruiken)")
    check.set_defaults(handler=cmd_verify)


def cmd_list(args: argparse.Namespace, protocol: object = None) -> int:
    """Print the known models, where each is installed, and the model in use."""
    for model in load_manifest():
        copies = installed_copies(model, models_dir=model_folder.models_dir())
        where = ", ".join(str(p) for p in copies) if copies else "niet geïnstalleerd"
        print(f"{model.name}  ({_mb(model.size)} MB)  {where}")
    location = locate_model(None, models_dir=model_folder.models_dir())
    if location is None:
        print(f"In gebruik: geen ({_no_model()})")
    else:
        print(f"In gebruik: {location.path} (via {location.source})")
    _list_voices()
    return EXIT_DONE


def _list_voices() -> None:
    """The known Piper voices, where each is installed, and the voice that speaks."""
    from assistant.errors import TtsError
    from assistant.speech.piper_voice import DEFAULT_VOICE, locate_voice

    folder = model_folder.models_dir()
    for voice in load_voices():
        onnx = folder / voice.name / f"{voice.name}.onnx"
        where = str(onnx) if onnx.is_file() else "niet geïnstalleerd"
        print(f"{voice.name}  (stem, {voice.language}, {_mb(voice.size)} MB)  {where}")
    try:
        location = locate_voice(None, models_dir=folder)
    except TtsError as exc:
        print(f"Stem: {cli_text(exc)}")
        return
    if location is None:
        print("Stem: espeak-ng via pyttsx3 (geen Piper-stem; "
              f"'{command('model download ' + DEFAULT_VOICE)}')")
    else:
        print(f"Stem: Piper {location.path} (via {location.source})")


def cmd_download(args: argparse.Namespace, protocol: object = None) -> int:
    """Download, check and unpack a known model (or fetch a known voice)."""
    voice = known_voice(args.name, load_voices())
    if voice is not None:
        return _download_voice(voice, args)
    model = known_model(args.name, load_manifest())
    dest = model_folder.models_dir() if args.dir is None else args.dir
    target = dest / model.name
    if target.exists():
        return _already_there(model, target)
    path = _with_progress(f"{model.name} ({_mb(model.size)} MB) van {args.url or model.url}",
                          lambda bar: download(model, dest, progress=bar, url=args.url))
    print(f"Spraakmodel staat nu in {path}; {_doctor_hint()}.")
    if not _is_found(path):
        print(f"Let op: de assistent zoekt niet in {dest}; zet {ENV_MODEL}={path}")
    return EXIT_DONE


def _with_progress(what: str, fetch: Callable[[TextProgress], Path]) -> Path:
    """Say what is downloaded, then fetch it with a progress bar on stderr."""
    print(f"Downloaden: {what}", flush=True)
    bar = TextProgress(sys.stderr)
    try:
        return fetch(bar)
    finally:
        bar.finish()


def _download_voice(voice: KnownVoice, args: argparse.Namespace) -> int:
    dest = model_folder.models_dir() if args.dir is None else args.dir
    target = dest / voice.name
    if target.exists():
        print(f"{voice.name} staat al in {target}; "
              f"'{command('model verify ' + voice.name)}' controleert de stem.")
        return EXIT_DONE
    path = _with_progress(f"stem {voice.name} ({_mb(voice.size)} MB) van "
                          f"{args.url or voice.onnx.url}",
                          lambda bar: download_voice(voice, dest, progress=bar, url=args.url))
    print(f"Stem staat nu in {path}; {_doctor_hint()}.")
    if args.dir is not None:
        print(f"Let op: de assistent zoekt niet in {dest}; zet ASSISTANT_PIPER_VOICE={path}")
    return EXIT_DONE


def _already_there(model: KnownModel, target: Path) -> int:
    missing = missing_files(target, model.files)
    if missing:
        raise ModelError(f"{target} bestaat al maar is onvolledig (ontbreekt:"
                         f" {', '.join(missing)}); verwijder die map en download opnieuw")
    print(f"{model.name} staat al in {target}; {_doctor_hint()}.")
    return EXIT_DONE


def _is_found(path: Path) -> bool:
    try:
        found = find_model(None, models_dir=model_folder.models_dir())
    except ModelError:
        return False
    return found is not None and found.resolve() == path.resolve()


def cmd_verify(args: argparse.Namespace, protocol: object = None) -> int:
    """Check a model folder: expected files, then a real load with vosk (or a voice: its
    files, sizes and digests, a real load and synthesis with Piper, its language)."""
    if args.path is not None and (voice := _voice_path(args.path)) is not None:
        return _verify_voice(voice)
    path: Path | None = (args.path if args.path is not None
                         else find_model(None, models_dir=model_folder.models_dir()))
    if path is None:
        raise ModelError(_no_model())
    model = next((m for m in load_manifest() if m.name == path.resolve().name), None)
    problems = verify(path, model) or _vocabulary_problems(path)
    if problems:
        raise ModelError(f"spraakmodel {path} is niet bruikbaar: {'; '.join(problems)}")
    unchecked = "" if model is not None and model.sha256 else (
        " Alleen de bestanden en het laden zijn gecontroleerd: de SHA-256 van het zip-bestand"
        " is nog niet vastgelegd uit een betrouwbare bron.")
    print(f"Spraakmodel in orde: {path}.{unchecked}")
    return EXIT_DONE


def _voice_path(value: Path) -> Path | None:
    """The voice file `value` names: an .onnx, a folder holding one, or an installed voice's
    name; None when it is no voice (then it is a model folder)."""
    from assistant.speech.piper_voice import installed_voices, voice_in

    if value.suffix == ".onnx":
        return value
    if value.is_dir():
        return voice_in(value)
    named = [p for p in installed_voices(model_folder.models_dir()) if p.name == f"{value}.onnx"]
    return named[0] if named else None


def _verify_voice(onnx: Path) -> int:
    from assistant.speech.piper_voice import config_of, verify_voice

    name = onnx.name.removesuffix(".onnx")
    voice = known_voice(name, load_voices())
    sizes = [] if voice is None else [
        (onnx, voice.onnx.size, voice.onnx.sha256, voice.onnx.md5),
        (config_of(onnx), voice.config.size, voice.config.sha256, voice.config.md5)]
    problems = verify_voice(onnx, sizes)
    if problems:
        raise ModelError(f"stem {onnx} is niet bruikbaar: {'; '.join(problems)}")
    checked = "grootte en MD5 zoals gepubliceerd, " if voice is not None and voice.onnx.md5 else ""
    print(f"Stem in orde: {onnx} ({checked}laadt en spreekt).")
    return EXIT_DONE


def _vocabulary_problems(path: Path) -> list[str]:
    """The core words (dialog/vocabulary.py) the loaded model lacks, as one problem."""
    from assistant.dialog.vocabulary import core_words
    from assistant.protocol import load_protocol
    from assistant.speech.recognizer import VoskRecognizer
    from assistant.speech.setup import vocabulary_problem

    recognizer = VoskRecognizer(path)
    try:
        problem = vocabulary_problem(recognizer.unknown_words(core_words(load_protocol())))
    finally:
        recognizer.close()
    return [] if problem is None else [cli_text(problem)]


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f}"


class TextProgress:
    """Download progress (a `speech.download.Progress`): a redrawn bar on a terminal, else one
    line per quarter."""

    def __init__(self, stream: TextIO, *, tty: bool | None = None, width: int = 30) -> None:
        self.stream = stream
        self.tty = _is_tty(stream) if tty is None else tty
        self.width = width  # characters inside the brackets
        self._shown = -1  # last percentage drawn (terminal) or quarter printed (lines)
        self._open_line = False

    def __call__(self, done: int, total: int) -> None:
        """`done` of `total` bytes have arrived."""
        if total <= 0:
            return
        percent = min(100, done * 100 // total)
        if self.tty:
            self._draw(percent, done, total)
        elif percent // 25 > max(self._shown, 0):
            self._shown = percent // 25
            self.stream.write(f"download: {percent}% {_mb(done)}/{_mb(total)} MB\n")
            self.stream.flush()

    def finish(self) -> None:
        """End a bar left open (after a failure or interruption)."""
        if self._open_line:
            self.stream.write("\n")
            self.stream.flush()
            self._open_line = False

    def _draw(self, percent: int, done: int, total: int) -> None:
        if percent == self._shown:
            return
        self._shown = percent
        filled = self.width * percent // 100
        bar = "#" * filled + " " * (self.width - filled)
        self.stream.write(f"\r[{bar}] {percent}% {_mb(done)}/{_mb(total)} MB")
        self._open_line = True
        if percent == 100:
            self.finish()
        self.stream.flush()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
