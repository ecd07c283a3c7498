"""`python -m assistant`. assistant.cli stays light and takes Ctrl-C over before the rest of the
program is imported: one line and exit 1, never a traceback (assistant/cli/__init__.py)."""

import sys

from assistant.cli import main

sys.exit(main())
