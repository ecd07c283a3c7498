"""Checking a Vosk model folder (its files, then a real load with vosk), and keeping Kaldi's
messages on file descriptor 2 out of the terminal while vosk loads or decodes."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from assistant.speech.manifest import KnownModel
from assistant.speech.model_location import MODEL_MARKERS, is_model_dir, missing_files


def verify(path: Path, model: KnownModel | None) -> list[str]:
    """Problems with the model in `path` (empty = usable): missing files, else vosk's load."""
    if not path.is_dir():
        return [f"map {path} bestaat niet"]
    if model is not None:
        missing = missing_files(path, model.files)
    else:
        missing = [] if is_model_dir(path) else [" of ".join(MODEL_MARKERS)]
    if missing:
        return [f"ontbreekt: {name}" for name in missing]
    failure = load_failure(path)
    return [] if failure is None else [failure]


def load_failure(path: Path) -> str | None:
    """Why vosk cannot load the model in `path`; None when it loads."""
    try:
        import vosk
    except (ImportError, OSError) as exc:
        return f"vosk is niet te laden ({' '.join(str(exc).split())})"
    vosk.SetLogLevel(-1)  # still prints ERROR lines on fd 2: those are captured below
    with captured_fd2() as kaldi_lines, ignoring_failed_del():
        try:
            loaded = vosk.Model(str(path))
        except Exception:
            loaded = None
        failed = loaded is None
        del loaded
    if not failed:
        return None
    reason = kaldi_error(kaldi_lines)
    return "vosk kan het model niet laden" + (f": {reason}" if reason else "")


def kaldi_error(lines: Sequence[str]) -> str:
    """The last Kaldi ERROR message, without its prefix and shortened to its first sentence."""
    errors = [line for line in lines if line.startswith("ERROR")]
    if not errors:
        return ""
    message = re.sub(r"^ERROR \(.*?:\d+\)\s*", "", errors[-1]).strip()
    return message.split(". ")[0].rstrip(".")[:200]


@contextmanager
def captured_fd2() -> Iterator[list[str]]:
    """Collect what C code writes to file descriptor 2 (vosk logs there) instead of showing it."""
    lines: list[str] = []
    if sys.stderr is not None:
        with suppress(Exception):
            sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:
        yield lines
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            lines.extend(sink.read().decode("utf-8", "replace").splitlines())


@contextmanager
def ignoring_failed_del() -> Iterator[None]:
    """Silence the AttributeError vosk.Model.__del__ raises when its __init__ failed early."""
    previous = sys.unraisablehook

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        if not isinstance(unraisable.exc_value, AttributeError):
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous
