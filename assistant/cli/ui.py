"""`assistant ui`: the therapist's screen, a local web page on 127.0.0.1 (DESIGN.md "The
therapist's screen"). The first line on stdout is its URL with the access token, on the screen's
own random name under localhost (security.py); the default browser opens it unless --no-browser.
Ctrl-C, SIGTERM and SIGHUP stop it; an intake in progress keeps its journal. The soft limit of
open files is raised first (server.raise_fd_limit), with one line when it cannot be. The speech
flags choose the voice it starts with; the page may choose another (ui/voices.py).
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import sys
import tempfile
import webbrowser
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.cli.common import (
    EXIT_DONE,
    ParserT,
    add_db_option,
    add_speech_flags,
    speaker_or_silence,
    speech_options,
    stopping_as_ctrl_c,
    voice_listener,
    whole_number,
)
from assistant.protocol.model import Protocol
from assistant.speech.interfaces import SilentSpeaker, Speaker

if TYPE_CHECKING:
    from assistant.ui.server import Screen
    from assistant.ui.voices import ScreenVoices


def parse_port(text: str) -> int:
    return whole_number(text, 0, 65535, "poort")


@contextmanager
def private_launcher(url: str) -> Iterator[Path]:
    """A local HTML file that sends the browser on to `url` (with its access token), readable
    by this user alone (0600 in a 0700 temporary folder), deleted afterwards: the browser is
    given the file's name, so the token is never on a command line (which every user of the
    computer can read), as Jupyter does it."""
    folder = Path(tempfile.mkdtemp(prefix="nekpijn-ui-"))  # 0700
    try:
        page = folder / "open.html"
        target = html.escape(url, quote=True)
        text = (f'<!doctype html>\n<html lang="nl"><head><meta charset="utf-8">'
                f'<meta http-equiv="refresh" content="0;url={target}">'
                f"<title>Nekpijn-assistent</title></head><body>"
                f'<p><a href="{target}">Open de Nekpijn-assistent</a></p></body></html>\n')
        descriptor = os.open(page, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
        yield page
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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
    add_db_option(ui)
    add_speech_flags(ui)
    ui.set_defaults(handler=cmd_ui)


def screen_speaker(args: argparse.Namespace, voices: ScreenVoices) -> Speaker:
    """The screen's speaker, opened as every command opens one (common.speaker_or_silence)
    but through the screen's voices, so the page shows the voice and can choose another. One
    line says which voice."""
    speaker = speaker_or_silence(args, voices.open_live)
    if voices.line is not None and not isinstance(speaker, SilentSpeaker):
        print(voices.line, file=sys.stderr)
    return speaker


def cmd_ui(args: argparse.Namespace, protocol: Protocol) -> int:
    """Bind, print the URL, open the browser and serve until Ctrl-C."""
    from assistant.speech.speech_cache import fixed_sentences
    from assistant.ui.server import build, raise_fd_limit, serve
    from assistant.ui.voices import ScreenVoices

    options = speech_options(args)
    voice = None if args.text else voice_listener(args, options, protocol)
    voices = ScreenVoices(options, fixed_sentences(protocol))
    speaker = screen_speaker(args, voices)
    stack = ExitStack()
    screen: Screen | None = None
    try:
        stack.enter_context(stopping_as_ctrl_c())
        limited = raise_fd_limit()
        screen = build(protocol, port=args.port, db=args.db, speaker=speaker, voice=voice,
                       voices=voices)
        print(screen.url, flush=True)
        if limited is not None:
            print(limited, file=sys.stderr, flush=True)
        if sys.platform == "darwin":  # the address's name ends in .localhost (security.py)
            print("Gebruik Chrome, Edge of Firefox: Safari opent adressen op .localhost niet.",
                  file=sys.stderr, flush=True)
        print("Stop met Ctrl-C. Een intake die loopt, blijft bewaard om te hervatten.",
              file=sys.stderr, flush=True)
        if not args.no_browser:
            launcher = stack.enter_context(private_launcher(screen.url))
            webbrowser.open(launcher.as_uri())
            print("Opent de browser niet, of meldt die dat het bestand niet bestaat? Open dan "
                  "het adres hierboven.", file=sys.stderr, flush=True)
        serve(screen)
    finally:
        stack.close()
        # the page may have chosen another voice: the engine's speaker is the one open now
        (speaker if screen is None else screen.engine.speaker).close()
        if voice is not None:
            voice.close()
    print("Het scherm is gestopt.", file=sys.stderr)
    return EXIT_DONE
