"""Nekpijn-assistent: an offline voice assistant for the KNGF neck-pain intake."""

import sys as _sys

__version__ = "0.1.0"

# Started as the program itself (`python -m assistant`, whose argv[0] is "-m" while the package
# is found, or the console script `assistant`): Ctrl-C from this first line on, while the rest
# is imported, ends it with one line and exit 1, never a traceback (assistant/cli/__init__.py).
# Imported by another program (the tests), nothing changes.
if _sys.argv[:1] == ["-m"] or (
        _sys.argv and _sys.argv[0].replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".exe")
        .removesuffix("-script.py") == "assistant"):
    from assistant.cli import quiet_interrupts as _quiet_interrupts

    _quiet_interrupts()
