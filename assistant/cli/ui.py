"""`assistant ui`: the therapist's screen, a local web page on 127.0.0.1 (DESIGN.md "The
therapist's screen"). The first line on stdout is its URL with the access token; the default
browser opens it unless --no-browser. Ctrl-C stops it; an intake in progress keeps its journal.
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from pathlib import Path

from assistant.cli.common import (
    EXIT_DONE,
    ParserT,
    add_speech_flags,
    speech_options,
    speech_output,
    voice_listener,
)
from assistant.protocol.model import Protocol


def parse_port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"geen poort van 0 tot en met 65535: {text!r}")
    return value


def add_ui_parser(sub: argparse._SubParsersAction[ParserT]) -> None:
    """The `ui` command and its flags."""
    ui = sub.add_parser(
        "ui", help="het scherm voor de fysiotherapeut: een lokale webpagina",
        description="Start het scherm voor de fysiotherapeut in de browser, alleen op deze "
                    "computer (127.0.0.1). De eerste regel is het adres met de toegangscode.")
    ui.add_argument("--port", type=parse_port, default=0, metavar="N",
                    help="de poort (standaard: een vrije poort)")
    ui.add_argument("--no-browser", action="store_true", help="open de browser niet")
    mode = ui.add_mutually_exclusive_group()
    mode.add_argument("--text", action="store_true",
                      help="alleen klikken en typen op de pagina, geen microfoon")
    mode.add_argument("--voice", action="store_true", help="spraakbediening afdwingen")
    ui.add_argument("--mute", action="store_true", help="geen gesproken uitvoer")
    ui.add_argument("--db", type=Path, metavar="PAD",
                    help="het bestand met de patiëntgegevens (standaard: ASSISTANT_DB of de "
                         "gebruikersmap)")
    add_speech_flags(ui)
    ui.set_defaults(handler=cmd_ui)


def cmd_ui(args: argparse.Namespace, protocol: Protocol) -> int:
    """Bind, print the URL, open the browser and serve until Ctrl-C."""
    from assistant.ui.server import build, serve

    options = speech_options(args)
    voice = None if args.text else voice_listener(args, options, protocol)
    speaker = speech_output(args, options)
    try:
        screen = build(protocol, port=args.port, db=args.db, speaker=speaker, voice=voice)
        print(screen.url, flush=True)
        print("Stop met Ctrl-C. Een intake die loopt, blijft bewaard om te hervatten.",
              file=sys.stderr, flush=True)
        if not args.no_browser:
            webbrowser.open(screen.url)
        serve(screen)
    finally:
        speaker.close()
        if voice is not None:
            voice.close()
    print("Het scherm is gestopt.", file=sys.stderr)
    return EXIT_DONE
