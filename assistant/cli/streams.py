"""The standard streams, made safe before anything is read or written.

Whatever the locale (`LC_ALL=C`, `PYTHONIOENCODING=ascii`), a character the terminal cannot show
("ë") is replaced, never a crash. A closed stdout is refused in one line; a closed stderr goes
to nowhere. A screen that cannot be written (a full disk) is found before the program ends, so
Python's own shutdown never prints a traceback about it.
"""

from __future__ import annotations

import io
import os
import sys
from typing import TextIO

from assistant.errors import OutputError, UsageError, os_reason

STDOUT_CLOSED = ("de standaarduitvoer (stdout) is gesloten; start de assistent in een terminal, "
                 "of leid de uitvoer om naar een bestand (> uitvoer.txt)")
STDIN_CLOSED = ("de invoer (stdin) is gesloten, dus er kan geen antwoord komen; start de "
                "assistent in een terminal, of geef de antwoorden via een bestand "
                "(< antwoorden.txt)")


def prepare() -> None:
    """Make stdin, stdout and stderr tolerant of characters their encoding lacks, and stdout's
    write failures an OutputError; OutputError when stdout is closed."""
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (for the process)
    if sys.stdout is None:
        raise OutputError(STDOUT_CLOSED)
    _tolerant(sys.stdin)
    _tolerant(sys.stderr)
    sys.stdout = _screen(sys.stdout)


class ScreenStream(io.TextIOWrapper):
    """The process's stdout, whose write failures (a full disk, a closed pipe end that is not
    a pipe) are an OutputError naming stdout instead of an OSError from anywhere."""

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except BrokenPipeError:  # the reader went away: main ends quietly
            raise
        except OSError as exc:
            raise _stdout_error(exc) from None

    def flush(self) -> None:
        try:
            super().flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _stdout_error(exc) from None


def _stdout_error(exc: OSError) -> OutputError:
    discard_stdout()  # what is still buffered goes nowhere, so the exit does not fail on it
    return OutputError(f"kan niet schrijven naar de standaarduitvoer (stdout): {os_reason(exc)}")


def _screen(stream: TextIO) -> TextIO:
    """The process's own stdout as a ScreenStream (a test's captured stdout is left alone)."""
    if isinstance(stream, ScreenStream) or not isinstance(stream, io.TextIOWrapper):
        return stream
    try:
        if stream.fileno() != 1:
            _tolerant(stream)
            return stream
        stream.flush()
    except (OSError, ValueError):
        return stream
    encoding, line_buffering = stream.encoding, stream.line_buffering
    return ScreenStream(stream.detach(), encoding=encoding, errors="replace",
                        line_buffering=line_buffering)


def _tolerant(stream: TextIO | None) -> None:
    if isinstance(stream, io.TextIOWrapper) and stream.errors in ("strict", "surrogateescape"):
        try:
            stream.reconfigure(errors="replace")
        except (OSError, ValueError):  # a stream that is already closed
            return


def stdin() -> TextIO:
    """The keyboard or script, or UsageError when stdin is closed."""
    if sys.stdin is None or sys.stdin.closed:
        raise UsageError(STDIN_CLOSED)
    return sys.stdin


def stdin_is_tty() -> bool:
    """Whether answers come from a person at a terminal (not a script or a closed stdin)."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except ValueError:  # closed
        return False


def flush_stdout() -> None:
    """Write out what is buffered for stdout; OutputError when that fails (a full disk)."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _stdout_error(exc) from None


def discard_stdout() -> None:
    """Send whatever stdout still holds to nowhere (the reader went away, or the disk is full),
    so that the end of the program does not fail on it a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):  # not a real file (a test's capture)
        return


def error_line(line: str) -> None:
    """Write one line on stderr, if stderr can take it at all."""
    try:
        print(line, file=sys.stderr, flush=True)
    except (AttributeError, OSError, ValueError):
        return
