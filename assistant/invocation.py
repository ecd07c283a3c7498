"""How the user starts the assistant, for the commands its messages suggest.

After the quick start the command is `./assistant.sh` (Linux, macOS) or `.\\assistant.ps1`
(Windows), which set `ASSISTANT_COMMAND`; installed as a tool (`uv tool install .`) it is
`assistant`. A message that says "ga verder met '…'" must name what works as typed.
"""

from __future__ import annotations

import os
from typing import Final

ENV_COMMAND: Final = "ASSISTANT_COMMAND"
DEFAULT_COMMAND: Final = "assistant"


def command(arguments: str) -> str:
    """The command line to type for `arguments` ('intake --resume' →
    './assistant.sh intake --resume' when started through assistant.sh)."""
    name = os.environ.get(ENV_COMMAND, "").strip() or DEFAULT_COMMAND
    return f"{name} {arguments}"
