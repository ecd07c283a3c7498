"""Serving the screen: uvicorn on 127.0.0.1 only, on a socket bound before anything else (so the
port, and with it the allowed Host and Origin, is known), without an access log (no patient
data in logs). `serve` runs in the foreground until Ctrl-C; `Running` runs it on a thread for
tests and the benchmark."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Final

import uvicorn

from assistant.errors import UsageError
from assistant.protocol.model import Protocol
from assistant.speech.interfaces import Speaker
from assistant.ui.app import create_app
from assistant.ui.engine import Engine
from assistant.ui.hub import EventHub
from assistant.ui.records_view import RecordsView
from assistant.ui.security import Secrets

if TYPE_CHECKING:
    from assistant.speech.voice import VoiceListener

HOST: Final = "127.0.0.1"
GRACE: Final = 2  # s that open pages get to close at shutdown
REUSE_ADDRESS: Final = os.name == "posix"


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:`port` (0: a free port). UsageError when it is taken.
    On POSIX with SO_REUSEADDR, so the same port is free again at once after a stop (not on
    Windows: there it would let another program take a port in use)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if REUSE_ADDRESS:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"--port {port}: de poort is niet vrij ({exc.strerror}); kies een "
                         "andere of laat --port weg") from None
    sock.listen(64)
    return sock


class _Server(uvicorn.Server):
    """Ctrl-C first ends the dialog's input (an intake keeps its journal), then the server."""

    def __init__(self, config: uvicorn.Config, engine: Engine) -> None:
        super().__init__(config)
        self.engine = engine

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # on a thread of its own: the signal may interrupt this thread inside a lock
        threading.Thread(target=self.engine.stop_input, daemon=True).start()
        super().handle_exit(sig, frame)


@dataclass
class Screen:
    """The parts of one running screen."""

    keys: Secrets
    engine: Engine
    server: _Server
    sock: socket.socket

    @property
    def url(self) -> str:
        return self.keys.url()


def build(protocol: Protocol, *, port: int = 0, db: Path | None = None,
          speaker: Speaker | None = None, voice: VoiceListener | None = None) -> Screen:
    """Bind the socket and put the screen together (not yet serving)."""
    sock = bind(port)
    keys = Secrets(sock.getsockname()[1])
    engine = Engine(protocol, EventHub(), db=db, speaker=speaker, voice=voice)
    app = create_app(engine, RecordsView(protocol, db), keys)
    config = uvicorn.Config(app, host=HOST, port=keys.port, access_log=False,
                            log_level="warning", lifespan="off",
                            timeout_graceful_shutdown=GRACE, server_header=False)
    return Screen(keys, engine, _Server(config, engine), sock)


def serve(screen: Screen) -> None:
    """Serve until Ctrl-C (or a stop); then end the dialog and wait for it briefly."""
    try:
        screen.server.run(sockets=[screen.sock])
    except KeyboardInterrupt:  # uvicorn raises the caught Ctrl-C again once it has stopped
        pass
    finally:
        screen.engine.shutdown()
        screen.sock.close()


@contextlib.contextmanager
def running(protocol: Protocol, *, db: Path | None = None,
            speaker: Speaker | None = None) -> Iterator[Screen]:
    """The screen served on a thread on a free port (tests, the benchmark); stopped after."""
    screen = build(protocol, db=db, speaker=speaker)
    thread = threading.Thread(target=serve, args=(screen,), name="ui-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not screen.server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield screen
    finally:
        screen.engine.stop_input()
        screen.server.should_exit = True
        thread.join(10)
