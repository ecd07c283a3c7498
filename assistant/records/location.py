"""Where the records database lives: `--db`, else `ASSISTANT_DB`, else the user's data folder."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Final

ENV_DB: Final = "ASSISTANT_DB"
APP_DIR: Final = "nekpijn-assistent"
DB_NAME: Final = "records.sqlite3"


def user_data_dir(
    platform: str | None = None, env: Mapping[str, str] | None = None, home: Path | None = None,
) -> Path:
    """The platform's folder for per-user application data (without our own sub-folder).

    Linux and other Unix: `$XDG_DATA_HOME`, else `~/.local/share`; Windows: `%LOCALAPPDATA%`;
    macOS: `~/Library/Application Support`.
    """
    platform = sys.platform if platform is None else platform
    env = os.environ if env is None else env
    home = Path.home() if home is None else home
    if platform.startswith("win"):
        local = env.get("LOCALAPPDATA")
        return Path(local) if local else home / "AppData" / "Local"
    if platform == "darwin":
        return home / "Library" / "Application Support"
    xdg = env.get("XDG_DATA_HOME")
    # The XDG spec: a relative path is invalid and must be ignored.
    return Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"


def resolve_db_path(
    explicit: Path | None,
    *,
    platform: str | None = None,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> Path:
    """The records file: `explicit` (--db), else $ASSISTANT_DB, else the user data folder."""
    if explicit is not None:
        return explicit.expanduser()
    env = os.environ if env is None else env
    from_env = env.get(ENV_DB)
    if from_env:
        return Path(from_env).expanduser()
    return user_data_dir(platform, env, home) / APP_DIR / DB_NAME
