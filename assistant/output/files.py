"""Private files for patient data: written atomically (complete or absent), mode 0600; and
the one JSON form of what the assistant writes (indented, UTF-8, a final newline)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_private(path: Path, data: bytes | str) -> Path:
    """Write `data` to `path` atomically with mode 0600; a new folder is made 0700."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mkstemp: 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def to_json_text(data: Any) -> str:
    """JSON as the assistant writes it: indented, non-ASCII kept, ending in a newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
