"""The command line (`assistant …`): app.py parses and dispatches, one module per command
family; the one place that turns errors into exit codes is app.main.

This module is the console script's entry (`assistant = "assistant.cli:main"`) and what
`python -m assistant` calls. It stays small and imports nothing heavy, so that Ctrl-C during
start-up, while the rest of the program is imported, is caught at once: one line, exit 1, no
traceback (DESIGN.md "Errors and exit codes"). app.main lets Ctrl-C raise KeyboardInterrupt
again once it can handle it (a live intake keeps its answers).
"""

from __future__ import annotations

import os
import sys

# Not `from typing import …`: importing typing takes long enough for a Ctrl-C to land in it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import FrameType
    from typing import Any

# The C module under `signal`: `signal` itself imports enum, which takes long enough for a
# Ctrl-C to land in it before the handler is installed.
_signal: Any = __import__("_signal")

EXIT_UNFINISHED = 1  # as assistant.errors.EXIT_UNFINISHED (not imported: it must stay light)
_exit_code = EXIT_UNFINISHED
_say_line = True


def _quit_quietly(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C while nothing can be lost (start-up, shutdown): one line, and out at once."""
    if _say_line:
        try:
            from assistant.invocation import program

            name = program()
        except BaseException:  # half-imported: any name will do
            name = "assistant"
        try:  # noqa: SIM105 (contextlib is slow to import, and this runs during start-up)
            os.write(2, f"\n{name}: onderbroken.\n".encode(errors="replace"))
        except OSError:
            pass
    os._exit(_exit_code)


def quiet_interrupts(exit_code: int = EXIT_UNFINISHED, *, say: bool = True) -> None:
    """From now on Ctrl-C ends the process with `exit_code` (and one line when `say`)."""
    global _exit_code, _say_line
    _exit_code, _say_line = exit_code, say
    try:
        _signal.signal(_signal.SIGINT, _quit_quietly)
    except (ValueError, OSError):  # not the main thread: leave Python's handler
        return


def raising_interrupts() -> None:
    """Ctrl-C raises KeyboardInterrupt again, if quiet_interrupts had taken it over."""
    try:
        if _signal.getsignal(_signal.SIGINT) is _quit_quietly:
            _signal.signal(_signal.SIGINT, _signal.default_int_handler)
    except (ValueError, OSError):
        return


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command (`argv`, default the process's own arguments) and return its exit
    code. Without `argv` this is the process itself (the console script, `python -m
    assistant`): Ctrl-C before the command runs, or after it ended, only ends the process."""
    own_process = argv is None
    if own_process:
        quiet_interrupts()
    try:
        from assistant.cli.app import main as run_command

        code = run_command(argv)
    except KeyboardInterrupt:  # the quiet handler not installed, or between handlers
        from assistant.invocation import program

        print(f"\n{program()}: onderbroken.", file=sys.stderr)
        return EXIT_UNFINISHED
    if own_process:
        quiet_interrupts(code, say=False)  # the command is done: its exit code stands
    return code


__all__ = ["main"]
