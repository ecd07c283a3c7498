"""How the user starts the assistant, for the commands its messages suggest and the name its
help and error lines give it.

After the quick start the command is `./assistant.sh` (Linux, macOS) or `.\\assistant.ps1`
(Windows), which set `ASSISTANT_COMMAND`; installed as a tool (`uv tool install .`) it is
`assistant`; inside the activated `.venv` it may be `python -m assistant`. A message that says
"ga verder met '…'" must name what works as typed.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Final

ENV_COMMAND: Final = "ASSISTANT_COMMAND"
DEFAULT_COMMAND: Final = "assistant"
_PACKAGE: Final = Path(__file__).resolve().parent


def program() -> str:
    """The assistant's name as it was started: the launcher (`./assistant.sh`), `python -m
    assistant`, the console script as typed (`assistant`, `.venv/bin/assistant`), else
    `assistant` (as when another program, such as the tests, calls it)."""
    named = os.environ.get(ENV_COMMAND, "").strip()
    if named:
        return named
    started = sys.argv[0] if sys.argv and sys.argv[0] else ""
    if not started:
        return DEFAULT_COMMAND
    path = Path(started)
    try:
        if path.name == "__main__.py" and path.resolve().parent == _PACKAGE:
            return f"{_as_typed(sys.executable)} -m assistant"
    except (OSError, RuntimeError):
        return DEFAULT_COMMAND
    stem = path.name.removesuffix(".exe")
    if stem.removesuffix("-script.py") != DEFAULT_COMMAND:
        return DEFAULT_COMMAND
    return _as_typed(started)


def _as_typed(executable: str) -> str:
    """How to type `executable` here: its bare name when that is what PATH finds, else the path
    (relative when it lies under the current folder)."""
    path = Path(executable)
    try:
        found = shutil.which(path.name)
        if found is not None and Path(found).resolve() == path.resolve():
            return path.name
        if not path.is_absolute():
            return executable if os.sep in executable else f".{os.sep}{executable}"
        relative = path.relative_to(Path.cwd())
    except (OSError, ValueError, RuntimeError):
        return executable
    return f".{os.sep}{relative}"


def python_module(module: str) -> str:
    """The command that runs `module` with the assistant's own Python (`./.venv/bin/python -m
    sounddevice`): the system's `python` lacks the assistant's packages."""
    return f"{_as_typed(sys.executable)} -m {module}"


def command(arguments: str) -> str:
    """The command line to type for `arguments` ('intake --resume' →
    './assistant.sh intake --resume' when started through assistant.sh)."""
    return f"{program()} {arguments}"
