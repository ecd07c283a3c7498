"""The command line (`assistant …`): app.py parses and dispatches, one module per command
family; the one place that turns errors into exit codes is app.main."""

from assistant.cli.app import main

__all__ = ["main"]
