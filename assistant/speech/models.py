"""Vosk speech models: the manifest of known models; finding, downloading and verifying one.

Search order (`find_model`): `--model DIR`, `ASSISTANT_VOSK_MODEL`, the models folder (the
clone's `models/`, or `models` in the user's data folder when installed as a tool), then vosk's
own folders (`VOSK_MODEL_PATH`, /usr/share/vosk, ~/.cache/vosk), Dutch models first.
Every failure is a `ModelError` with one Dutch line for the user.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import stat
import sys
import tempfile
import tomllib
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath
from typing import IO, Any, TextIO

from assistant import __version__
from assistant.errors import ModelError as ModelError
from assistant.errors import os_reason


def _models_dir() -> Path:
    """The clone's models/ when running from a clone; installed as a package (uv tool
    install), `models` in the user's data folder."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file():
        return root / "models"
    from assistant.records.location import app_data_dir

    return app_data_dir() / "models"


REPO_MODELS_DIR = _models_dir()
MANIFEST = Path(__file__).with_name("manifest.toml")  # the known models, shipped in the package
SYSTEM_VOSK_DIR = Path("/usr/share/vosk")
DEFAULT_MODEL = "vosk-model-small-nl-0.22"
ENV_MODEL = "ASSISTANT_VOSK_MODEL"
ENV_VOSK_PATH = "VOSK_MODEL_PATH"
MODEL_MARKERS = ("am/final.mdl", "conf/model.conf")  # either one: the folder is a model
DUTCH_PATTERN = "vosk-model*-nl*"
CHUNK = 64 * 1024  # bytes per read
MAX_UNPACK_RATIO = 20  # unpacked bytes allowed per zip byte (against zip bombs)
USER_AGENT = f"nekpijn-assistent/{__version__}"

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


@dataclass(frozen=True)
class KnownModel:
    """A model listed in the manifest (assistant/speech/manifest.toml)."""

    name: str  # folder name after unpacking
    url: str  # where the zip is published
    size: int  # bytes of the zip
    sha256: str  # lowercase hex of the zip; "" = not recorded
    files: tuple[str, ...]  # paths that must exist inside the model folder


@dataclass(frozen=True)
class ModelLocation:
    """Where `find_model` found a model, and through which step of the search order."""

    path: Path
    source: str  # "--model", "ASSISTANT_VOSK_MODEL", "models/" or "vosk"


# --- manifest -------------------------------------------------------------------------------

_FIELDS = ("name", "url", "size", "sha256", "files")
_FOLDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def manifest_path() -> Path:
    """The manifest of known models, shipped in the package."""
    return MANIFEST


def load_manifest(path: Path | None = None) -> tuple[KnownModel, ...]:
    """The known models, validated (unknown or malformed keys are an error)."""
    path = manifest_path() if path is None else path
    data = _read_toml(path)
    unknown = sorted(set(data) - {"model"})
    if unknown:
        raise ModelError(f"{path}: onbekende sleutel '{unknown[0]}'")
    entries = data.get("model", [])
    if not isinstance(entries, list):
        raise ModelError(f"{path}: 'model' moet een lijst van [[model]]-tabellen zijn")
    models = tuple(_parse_entry(entry, f"{path}: model {i + 1}") for i, entry in
                   enumerate(entries))
    names = [m.name for m in models]
    for name in names:
        if names.count(name) > 1:
            raise ModelError(f"{path}: model '{name}' staat er meer dan eens in")
    return models


def known_model(name: str, models: Sequence[KnownModel]) -> KnownModel:
    """The manifest entry called `name`."""
    for model in models:
        if model.name == name:
            return model
    known = ", ".join(m.name for m in models) or "geen"
    raise ModelError(f"onbekend model: {name} (bekend: {known})")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"modellenlijst niet gevonden: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"modellenlijst niet te lezen: {path} ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"{path}: geen geldige TOML ({exc})") from None


def _parse_entry(entry: object, where: str) -> KnownModel:
    if not isinstance(entry, dict):
        raise ModelError(f"{where}: geen tabel")
    unknown = sorted(set(entry) - set(_FIELDS))
    if unknown:
        raise ModelError(f"{where}: onbekende sleutel '{unknown[0]}'")
    missing = [key for key in _FIELDS if key not in entry]
    if missing:
        raise ModelError(f"{where}: sleutel '{missing[0]}' ontbreekt")
    name = entry["name"]
    if not isinstance(name, str) or not _FOLDER_NAME.fullmatch(name):
        raise ModelError(f"{where}: 'name' moet een mapnaam zijn")
    where = f"{where} ({name})"
    return KnownModel(name=name, url=_url(entry["url"], where), size=_size(entry["size"], where),
                      sha256=_sha256(entry["sha256"], where), files=_files(entry["files"], where))


def _url(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise ModelError(f"{where}: 'url' moet een http(s)-adres zijn")
    return value


def _size(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ModelError(f"{where}: 'size' moet een positief aantal bytes zijn")
    return value


def _sha256(value: object, where: str) -> str:
    if not isinstance(value, str) or not (value == "" or _SHA256.fullmatch(value)):
        raise ModelError(f"{where}: 'sha256' moet leeg zijn of 64 kleine hex-tekens")
    return value


def _files(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ModelError(f"{where}: 'files' moet een niet-lege lijst van paden zijn")
    for item in value:
        if not isinstance(item, str) or not _is_safe_relative(item):
            raise ModelError(f"{where}: 'files' bevat een ongeldig pad: {item!r}")
    return tuple(value)


def _is_safe_relative(name: str) -> bool:
    """A relative path that stays inside its folder (no absolute path, drive or '..')."""
    if not name or "\\" in name or re.match(r"[A-Za-z]:", name):
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


# --- finding --------------------------------------------------------------------------------

def is_model_dir(path: Path) -> bool:
    """Whether `path` looks like a Vosk model folder (False when it cannot be read)."""
    try:
        return path.is_dir() and any((path / marker).is_file() for marker in MODEL_MARKERS)
    except OSError:
        return False


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


def locate_model(explicit: Path | None, *, models_dir: Path | None = None,
                 vosk_dirs: Sequence[Path] | None = None) -> ModelLocation | None:
    """The model to use and where it was found; None when there is none."""
    if explicit is not None:
        return ModelLocation(_checked(explicit, "--model"), "--model")
    env = os.environ.get(ENV_MODEL, "").strip()
    if env:
        return ModelLocation(_checked(Path(env), ENV_MODEL), ENV_MODEL)
    found = _first_model([REPO_MODELS_DIR if models_dir is None else models_dir])
    if found is not None:
        return ModelLocation(found, "models/")
    found = _first_model(vosk_model_dirs() if vosk_dirs is None else vosk_dirs)
    return None if found is None else ModelLocation(found, "vosk")


def find_model(explicit: Path | None, *, models_dir: Path | None = None,
               vosk_dirs: Sequence[Path] | None = None) -> Path | None:
    """The model folder to use (see the module docstring for the order); None if none."""
    location = locate_model(explicit, models_dir=models_dir, vosk_dirs=vosk_dirs)
    return None if location is None else location.path


def installed_copies(model: KnownModel, *, models_dir: Path | None = None,
                     vosk_dirs: Sequence[Path] | None = None) -> list[Path]:
    """Folders named after `model` in the repository's models/ and vosk's folders."""
    dirs = [REPO_MODELS_DIR if models_dir is None else models_dir,
            *(vosk_model_dirs() if vosk_dirs is None else vosk_dirs)]
    return [d / model.name for d in dirs if is_folder(d / model.name)]


def is_folder(path: Path) -> bool:
    """Whether `path` is a folder (False when it cannot be read)."""
    try:
        return path.is_dir()
    except OSError:
        return False


def _checked(path: Path, origin: str) -> Path:
    """`path` when it is a model folder; else ModelError naming what is wrong and the fix."""
    try:
        exists, is_file = path.exists(), path.is_file()
    except OSError as exc:
        raise ModelError(f"{origin}: {path} is niet te lezen ({os_reason(exc)})") from None
    if not exists:
        raise ModelError(f"{origin}: map {path} bestaat niet")
    if is_file:
        unpack = "; pak het eerst uit" if path.suffix.lower() == ".zip" else ""
        raise ModelError(f"{origin}: {path} is een bestand, geen map met een model{unpack}")
    try:
        markers = [(path / marker).is_file() for marker in MODEL_MARKERS]
    except OSError as exc:
        raise ModelError(f"{origin}: {path} is niet te lezen ({os_reason(exc)})") from None
    if not any(markers):
        inside = next((c for c in _subfolders(path) if is_model_dir(c)), None)
        hint = f"; het model staat in {inside}" if inside is not None else ""
        raise ModelError(f"{origin}: {path} is geen Vosk-model"
                         f" ({' of '.join(MODEL_MARKERS)} ontbreekt){hint}")
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


# --- downloading ----------------------------------------------------------------------------

def download(model: KnownModel, dest_dir: Path, *, progress: Progress | None = None,
             url: str | None = None, timeout: float = 30) -> Path:
    """Fetch, check and unpack `model` into `dest_dir/<name>`; returns that folder.

    Nothing is left behind on failure: the zip and the unpacked files live in temporary
    entries of `dest_dir` until the checked folder is renamed into place.
    """
    target = dest_dir / model.name
    if target.exists() or target.is_symlink():
        raise ModelError(f"{target} bestaat al; verwijder die map om opnieuw te downloaden")
    part: Path | None = None
    unpacked: Path | None = None
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        part = _temp_file(dest_dir, model.name)
        _fetch(model, url or model.url, part, target, progress, timeout)
        unpacked = Path(tempfile.mkdtemp(prefix=f".{model.name}-", suffix=".unpack",
                                         dir=dest_dir))
        root = _unpack(part, unpacked, model)
        _move_into_place(root, target, unpacked)
    except OSError as exc:  # local disk errors; network errors are converted in _fetch
        raise ModelError(f"kan niet schrijven in {dest_dir}: {_os_reason(exc)}") from None
    finally:
        _remove(part, unpacked)
    return target


def offline_hint(model: KnownModel, target: Path) -> str:
    """How to install `model` by hand (the end of the one-line download error)."""
    return (f"download {model.url} op een andere computer en pak het uit tot {target}, "
            f"of zet {ENV_MODEL} op de uitgepakte map")


def _temp_file(dest_dir: Path, name: str) -> Path:
    handle, path = tempfile.mkstemp(prefix=f".{name}-", suffix=".zip.part", dir=dest_dir)
    os.close(handle)
    return Path(path)


def _fetch(model: KnownModel, url: str, part: Path, target: Path, progress: Progress | None,
           timeout: float) -> None:
    """Stream `url` into `part`, checking its size and (if known) its SHA-256."""
    import http.client  # here, not at the top: every start would pay for them (~13 ms)
    import urllib.request

    digest = hashlib.sha256()
    done = 0
    with part.open("wb") as out:
        try:
            request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            with urllib.request.urlopen(request, timeout=timeout) as response:
                _check_announced_size(model, response.headers.get("Content-Length"))
                while chunk := response.read(CHUNK):
                    done += len(chunk)
                    if done > model.size:
                        raise _size_error(model, f"meer dan {model.size}")
                    digest.update(chunk)
                    _write(out, chunk, part)
                    if progress is not None:
                        progress(done, model.size)
        except ValueError:
            raise ModelError(f"ongeldig adres: {url}") from None
        except (OSError, http.client.HTTPException) as exc:
            where = "" if url == model.url else f" van {url}"
            raise ModelError(f"kon {model.name} niet downloaden{where} ({_network_reason(exc)});"
                             f" geen internet? {offline_hint(model, target)}") from None
    if done != model.size:
        raise _size_error(model, str(done))
    if model.sha256 and digest.hexdigest() != model.sha256:
        raise ModelError(f"de SHA-256 van {model.name} klopt niet: het bestand is beschadigd"
                         " of niet het verwachte model")


def _check_announced_size(model: KnownModel, length: str | None) -> None:
    if length is not None and length.strip().isdigit() and int(length) != model.size:
        raise _size_error(model, length.strip())


def _size_error(model: KnownModel, actual: str) -> ModelError:
    return ModelError(f"download van {model.name} heeft de verkeerde grootte: {actual} bytes"
                      f" in plaats van {model.size}")


def _write(out: IO[bytes], chunk: bytes, part: Path) -> None:
    try:
        out.write(chunk)
    except OSError as exc:
        raise ModelError(f"kan niet schrijven naar {part}: {_os_reason(exc)}") from None


def _network_reason(exc: BaseException) -> str:
    import http.client
    import urllib.error

    if isinstance(exc, urllib.error.HTTPError):
        with suppress(Exception):
            exc.close()
        return f"HTTP {exc.code}"
    cause: object = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(cause, socket.gaierror):
        return "servernaam onbekend"
    if isinstance(cause, ConnectionRefusedError):
        return "verbinding geweigerd"
    if isinstance(cause, TimeoutError):
        return "geen antwoord binnen de tijd"
    if isinstance(cause, ConnectionError | http.client.HTTPException):
        return "verbinding verbroken"
    if isinstance(cause, OSError):
        return _os_reason(cause)
    return " ".join(str(cause).split()) or type(cause).__name__


def _os_reason(exc: OSError) -> str:
    return exc.strerror or " ".join(str(exc).split()) or type(exc).__name__


def _unpack(archive: Path, into: Path, model: KnownModel) -> Path:
    """Extract `archive` into `into` after checking every member; returns the model folder."""
    try:
        with zipfile.ZipFile(archive) as zf:
            _check_members(zf.infolist(), into, model)
            zf.extractall(into)
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise ModelError(f"download van {model.name} is geen geldig zip-bestand") from None
    root = _model_root(into)
    missing = missing_files(root, model.files)
    if missing:
        raise ModelError(f"zip-bestand van {model.name} bevat geen volledig model"
                         f" (ontbreekt: {', '.join(missing)})")
    return root


def _check_members(members: Iterable[zipfile.ZipInfo], into: Path, model: KnownModel) -> None:
    base = into.resolve()
    total = 0
    for info in members:
        name = info.filename
        inside = _is_safe_relative(name) and (base / name).resolve().is_relative_to(base)
        if not inside or stat.S_ISLNK(info.external_attr >> 16):
            raise ModelError(f"zip-bestand van {model.name} bevat een onveilig pad: {name!r}")
        total += info.file_size
    if total > MAX_UNPACK_RATIO * model.size:
        raise ModelError(f"zip-bestand van {model.name} pakt onverwacht groot uit"
                         f" ({total} bytes)")


def _model_root(unpacked: Path) -> Path:
    """The zip's single top folder, or the unpacked folder itself when there is none."""
    entries = [p for p in unpacked.iterdir() if p.name != "__MACOSX"]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return unpacked


def _move_into_place(root: Path, target: Path, unpacked: Path) -> None:
    if target.exists():
        raise ModelError(f"{target} bestaat al; verwijder die map om opnieuw te downloaden")
    if root == unpacked:
        root.chmod(0o755)  # mkdtemp made it private
    os.rename(root, target)


def _remove(part: Path | None, unpacked: Path | None) -> None:
    if part is not None:
        with suppress(OSError):
            part.unlink(missing_ok=True)
    if unpacked is not None:
        shutil.rmtree(unpacked, ignore_errors=True)


# --- verifying ------------------------------------------------------------------------------

def missing_files(path: Path, files: Iterable[str]) -> list[str]:
    """Those of `files` that are not files inside `path`."""
    return [name for name in files if not (path / name).is_file()]


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


# --- progress -------------------------------------------------------------------------------

class TextProgress:
    """Download progress: a redrawn bar on a terminal, else one line per quarter."""

    def __init__(self, stream: TextIO, *, tty: bool | None = None, width: int = 30) -> None:
        self.stream = stream
        self.tty = _is_tty(stream) if tty is None else tty
        self.width = width  # characters inside the brackets
        self._shown = -1  # last percentage drawn (terminal) or quarter printed (lines)
        self._open_line = False

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        percent = min(100, done * 100 // total)
        if self.tty:
            self._draw(percent, done, total)
        elif percent // 25 > max(self._shown, 0):
            self._shown = percent // 25
            self.stream.write(f"download: {percent}% {_mb(done)}/{_mb(total)} MB\n")
            self.stream.flush()

    def finish(self) -> None:
        """End a bar left open (after a failure or interruption)."""
        if self._open_line:
            self.stream.write("\n")
            self.stream.flush()
            self._open_line = False

    def _draw(self, percent: int, done: int, total: int) -> None:
        if percent == self._shown:
            return
        self._shown = percent
        filled = self.width * percent // 100
        bar = "#" * filled + " " * (self.width - filled)
        self.stream.write(f"\r[{bar}] {percent}% {_mb(done)}/{_mb(total)} MB")
        self._open_line = True
        if percent == 100:
            self.finish()
        self.stream.flush()


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f}"


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
