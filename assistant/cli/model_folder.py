"""Where this installation keeps its speech models (the front end decides; the speech layer is
told): the clone's `models/` when running from a clone, else `models` in the user's data folder
(installed as a package with `uv tool install`); and where synthesised prompts are cached."""

from __future__ import annotations

from pathlib import Path


def models_dir() -> Path:
    """The assistant's models folder (it need not exist yet)."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file():
        return root / "models"
    from assistant.records.location import app_data_dir

    return app_data_dir() / "models"


def speech_cache_dir() -> Path:
    """The folder of synthesised fixed prompts: `speech` in the user's cache folder
    (platformdirs: `~/.cache/nekpijn-assistent/speech` on Linux)."""
    import platformdirs

    from assistant.records.location import APP_DIR

    return Path(platformdirs.user_cache_dir(APP_DIR, appauthor=False)) / "speech"
