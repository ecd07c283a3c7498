"""Running the CLI in-process for the error tests: stdin as given, a short wait on a locked
records file, and the one-line check every error must pass."""

from __future__ import annotations

import io
import sys

import pytest

from assistant.cli import main
from assistant.records import store as store_module


class Terminal(io.StringIO):
    """Typed input at a terminal."""

    def isatty(self) -> bool:
        return True


def run(argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        stdin: str | io.StringIO = "") -> tuple[int, str, str]:
    """The command in-process (so the lock's wait can be short); its code, stdout, stderr."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin) if isinstance(stdin, str) else stdin)
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.2)
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    """stderr is exactly one line, never a traceback."""
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()
