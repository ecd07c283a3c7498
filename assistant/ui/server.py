"""Serving the screen: uvicorn on 127.0.0.1 only, on a socket bound before anything else (so the
port, and with it the allowed Host and Origin, is known), without an access log (no patient
data in logs). `serve` runs in the foreground until Ctrl-C, SIGTERM or SIGHUP; `running` runs it
on a thread for tests and the benchmark.

Connections are bounded, so that idle ones (a thousand opened and left, by a bug or on purpose)
never use up the process's file descriptors: at most MAX_CONNECTIONS (fewer under a low fd
limit) are open; a new one beyond that closes the oldest idle one (or itself, when every one is
busy); one that sends nothing is closed after IDLE_TIMEOUT. The soft fd limit is raised to the
hard one where the OS allows (`raise_fd_limit`), and running out of descriptors anyway is said in
one line at most every LOG_EVERY seconds, not in a traceback per attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING, Any, Final

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from assistant.errors import Advice, Hint, UsageError
from assistant.protocol.model import Protocol
from assistant.speech.interfaces import Speaker
from assistant.ui.app import create_app
from assistant.ui.engine import Engine
from assistant.ui.hub import EventHub
from assistant.ui.records_view import RecordsView
from assistant.ui.security import Secrets
from assistant.ui.voices import ScreenVoices

if TYPE_CHECKING:
    from assistant.records.location import Location
    from assistant.speech.voice import VoiceListener

HOST: Final = "127.0.0.1"
GRACE: Final = 2  # s that open pages get to close at shutdown
REUSE_ADDRESS: Final = os.name == "posix"
BACKLOG: Final = 64  # pending connections the kernel holds; also asyncio's accepts per turn
MAX_CONNECTIONS: Final = 100  # open at once: a few pages with their streams need a dozen
FD_RESERVE: Final = 64  # descriptors kept for everything else (records file, audio, modules)
IDLE_TIMEOUT: Final = 5  # s a connection may stay open without a request
LOG_EVERY: Final = 10.0  # s between two lines about running out of descriptors
OUT_OF_DESCRIPTORS: Final = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS,
                                       errno.ENOMEM})


def raise_fd_limit() -> str | None:
    """Raise the soft limit of open files to the hard limit (POSIX; Windows has no such limit
    to raise). One line to say so when it cannot be raised; None when it was, or need not be."""
    try:
        import resource
    except ImportError:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # macOS reports an unlimited hard limit but refuses more than OPEN_MAX (10240)
    wanted = [hard] if hard != resource.RLIM_INFINITY else [1 << 20, 10240]
    for target in wanted:
        if soft != resource.RLIM_INFINITY and soft >= target:
            return None
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            continue
        return None
    return (f"Let op: het maximum aantal open bestanden ({soft}) kon niet worden verhoogd; "
            f"het scherm houdt hooguit {connection_cap()} verbindingen tegelijk open.")


def connection_cap() -> int:
    """How many connections may be open at once under the process's fd limit now."""
    try:
        import resource
    except ImportError:
        return MAX_CONNECTIONS
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(8, min(MAX_CONNECTIONS, soft - FD_RESERVE))


class _Connection(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a bound on open connections and a clock on idle ones
    (see the module's docstring). `cap` is set per server (build)."""

    cap = MAX_CONNECTIONS
    active = 0.0  # the loop's time of the last data received

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.active = self.loop.time()
        if len(self.connections) > self.cap:
            idle = [c for c in self.connections
                    if c is not self and isinstance(c, _Connection) and c.idle]
            victim = min(idle, key=lambda c: c.active) if idle else self
            victim.connections.discard(victim)
            victim.transport.close()
            if victim is self:
                return
        # uvicorn starts the keep-alive clock after a response; a connection that never
        # sends a request is given the same time
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler)

    def data_received(self, data: bytes) -> None:
        self.active = self.loop.time()
        super().data_received(data)

    @property
    def idle(self) -> bool:
        """Between requests: no request under way (and none half-received but its head)."""
        return ((self.cycle is None or self.cycle.response_complete)
                and self.conn.their_state is h11.IDLE)


class _QuietAccept:
    """The loop's exception handler: running out of descriptors in accept() is said in one
    line at most every LOG_EVERY seconds (asyncio logs a traceback for every attempt, many a
    second); anything else goes to asyncio's own handler."""

    def __init__(self) -> None:
        self.said = -LOG_EVERY

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, OSError) and exc.errno in OUT_OF_DESCRIPTORS:
            now = time.monotonic()
            if now - self.said >= LOG_EVERY:
                self.said = now
                print("Het scherm heeft te veel open verbindingen of bestanden; nieuwe "
                      "verbindingen wachten even.", file=sys.stderr, flush=True)
            return
        loop.default_exception_handler(context)


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
        raise UsageError(f"de poort is niet vrij ({exc.strerror}); kies een andere",
                         Advice(Hint.OMIT_PORT, lead=" of "), option=f"port {port}") from None
    sock.listen(BACKLOG)
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

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        asyncio.get_running_loop().set_exception_handler(_QuietAccept())
        await super().serve(sockets)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """uvicorn's handlers for SIGINT and SIGTERM, and SIGHUP (the terminal closed) taken as
        SIGTERM: else the handler of the command line would raise inside the event loop, with
        a traceback."""
        hangup = getattr(signal, "SIGHUP", None)
        if hangup is None or threading.current_thread() is not threading.main_thread():
            with super().capture_signals():
                yield
            return

        def hung_up(sig: int, frame: FrameType | None) -> None:
            self.handle_exit(signal.SIGTERM, frame)

        previous = signal.signal(hangup, hung_up)
        try:
            with super().capture_signals():
                yield
        finally:
            signal.signal(hangup, previous)


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


def build(protocol: Protocol, *, port: int = 0, db: Location | None = None,
          speaker: Speaker | None = None, voice: VoiceListener | None = None,
          voices: ScreenVoices | None = None) -> Screen:
    """Bind the socket and put the screen together (not yet serving). `voices`: the voices
    the page may choose (`speaker` is one of them when voices.live)."""
    sock = bind(port)
    keys = Secrets(sock.getsockname()[1])
    engine = Engine(protocol, EventHub(), db=db, speaker=speaker, voice=voice)
    app = create_app(engine, RecordsView(protocol, db), keys, voices)
    cap = connection_cap()
    protocol_class = type("Connection", (_Connection,), {"cap": cap})
    config = uvicorn.Config(app, host=HOST, port=keys.port, access_log=False,
                            log_level="warning", lifespan="off", http=protocol_class,
                            backlog=BACKLOG, limit_concurrency=cap + 1,
                            timeout_keep_alive=IDLE_TIMEOUT,
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
def running(protocol: Protocol, *, db: Location | None = None, speaker: Speaker | None = None,
            voices: ScreenVoices | None = None) -> Iterator[Screen]:
    """The screen served on a thread on a free port (tests, the benchmark); stopped after."""
    screen = build(protocol, db=db, speaker=speaker, voices=voices)
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
