"""Where a Vosk model is: the search order, and what makes a folder a model.

Search order (`locate_model`): `--model DIR`, `ASSISTANT_VOSK_MODEL`, the assistant's models
folder (the caller says which: the front end knows where this installation keeps its files),
then vosk's own folders (`VOSK_MODEL_PATH`, /usr/share/vosk, ~/.cache/vosk), Dutch models first.
A folder named by the user that is no model is a `ModelError` with one Dutch line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from assistant.errors import ModelError, os_reason
from assistant.speech.manifest import KnownModel

SYSTEM_VOSK_DIR = Path("/usr/share/vosk")
ENV_MODEL = "ASSISTANT_VOSK_MODEL"
ENV_VOSK_PATH = "VOSK_MODEL_PATH"
MODEL_MARKERS = ("am/final.mdl", "conf/model.conf")  # either one: the folder is a model
DUTCH_PATTERN = "vosk-model*-nl*"


@dataclass(frozen=True)
class ModelLocation:
    """Where `locate_model` found a model, and through which step of the search order."""

    path: Path
    source: str  # "option" (the model option given), "ASSISTANT_VOSK_MODEL", "models/" or "vosk"


def is_model_dir(path: Path) -> bool:
    """Whether `path` looks like a Vosk model folder (False when it cannot be read)."""
    try:
        return path.is_dir() and any((path / marker).is_file() for marker in MODEL_MARKERS)
    except OSError:
        return False


def is_folder(path: Path) -> bool:
    """Whether `path` is a folder (False when it cannot be read)."""
    try:
        return path.is_dir()
    except OSError:
        return False


def missing_files(path: Path, files: Iterable[str]) -> list[str]:
    """Those of `files` that are not files inside `path`."""
    return [name for name in files if not (path / name).is_file()]


def vosk_model_dirs() -> list[Path]:
    """vosk's own model folders, in vosk's order."""
    dirs = []
    env = os.environ.get(ENV_VOSK_PATH, "").strip()
    if env:
        dirs.append(Path(env))
    dirs.append(SYSTEM_VOSK_DIR)
    with suppress(RuntimeError):  # no home directory
        dirs.append(Path.home() / ".cache" / "vosk")
    return dirs


def locate_model(explicit: Path | None, *, models_dir: Path | None,
                 vosk_dirs: Sequence[Path] | None = None) -> ModelLocation | None:
    """The model to use and where it was found; None when there is none. `models_dir`: the
    assistant's models folder (None: there is none to search); `vosk_dirs`: vosk's folders
    (None: `vosk_model_dirs()`)."""
    if explicit is not None:
        return ModelLocation(_checked(explicit), "option")
    env = os.environ.get(ENV_MODEL, "").strip()
    if env:
        return ModelLocation(_checked(Path(env), ENV_MODEL), ENV_MODEL)
    found = _first_model([] if models_dir is None else [models_dir])
    if found is not None:
        return ModelLocation(found, "models/")
    found = _first_model(vosk_model_dirs() if vosk_dirs is None else vosk_dirs)
    return None if found is None else ModelLocation(found, "vosk")


def find_model(explicit: Path | None, *, models_dir: Path | None,
               vosk_dirs: Sequence[Path] | None = None) -> Path | None:
    """The model folder to use (see `locate_model`); None if none."""
    location = locate_model(explicit, models_dir=models_dir, vosk_dirs=vosk_dirs)
    return None if location is None else location.path


def installed_copies(model: KnownModel, *, models_dir: Path,
                     vosk_dirs: Sequence[Path] | None = None) -> list[Path]:
    """Folders named after `model` in the assistant's models folder and vosk's folders."""
    dirs = [models_dir, *(vosk_model_dirs() if vosk_dirs is None else vosk_dirs)]
    return [d / model.name for d in dirs if is_folder(d / model.name)]


def _checked(path: Path, env: str | None = None) -> Path:
    """`path` when it is a model folder; else ModelError naming what is wrong and the fix,
    about the model option (`option` "model"), or starting with `env`, the variable that
    named the folder."""

    def refused(text: str) -> ModelError:
        return ModelError(f"{env}: {text}") if env is not None else ModelError(text, option="model")

    try:
        exists, is_file = path.exists(), path.is_file()
    except OSError as exc:
        raise refused(f"{path} is niet te lezen ({os_reason(exc)})") from None
    if not exists:
        raise refused(f"map {path} bestaat niet")
    if is_file:
        unpack = "; pak het eerst uit" if path.suffix.lower() == ".zip" else ""
        raise refused(f"{path} is een bestand, geen map met een model{unpack}")
    try:
        markers = [(path / marker).is_file() for marker in MODEL_MARKERS]
    except OSError as exc:
        raise refused(f"{path} is niet te lezen ({os_reason(exc)})") from None
    if not any(markers):
        inside = next((c for c in _subfolders(path) if is_model_dir(c)), None)
        hint = f"; het model staat in {inside}" if inside is not None else ""
        raise refused(f"{path} is geen Vosk-model ({' of '.join(MODEL_MARKERS)} ontbreekt){hint}")
    return path


def _first_model(dirs: Sequence[Path]) -> Path | None:
    """The first model folder inside `dirs`: Dutch-named ones first, then any."""
    candidates = [child for d in dirs for child in _subfolders(d)]
    dutch = [c for c in candidates if fnmatch(c.name, DUTCH_PATTERN)]
    others = [c for c in candidates if c not in dutch]
    return next((c for c in [*dutch, *others] if is_model_dir(c)), None)


def _subfolders(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if is_folder(p) and not p.name.startswith("."))
    except OSError:
        return []
