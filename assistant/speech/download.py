"""Downloading a known Vosk model (fetch the zip, check its size and SHA-256, unpack it safely)
or a known Piper voice (its .onnx and .onnx.json, each checked).

The only module of the assistant that uses the network (`assistant model download`, run by hand;
no patient data is sent). Every failure is a `ModelError` with one Dutch line for the user;
nothing is left behind.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import IO

from assistant import __version__
from assistant.errors import ModelError
from assistant.speech.manifest import KnownModel, KnownVoice, VoiceFile, is_safe_relative
from assistant.speech.model_location import ENV_MODEL, missing_files

CHUNK = 64 * 1024  # bytes per read
MAX_UNPACK_RATIO = 20  # unpacked bytes allowed per zip byte (against zip bombs)
USER_AGENT = f"nekpijn-assistent/{__version__}"

Progress = Callable[[int, int], None]  # (bytes done, bytes total): called after every chunk


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
        inside = is_safe_relative(name) and (base / name).resolve().is_relative_to(base)
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


def download_voice(voice: KnownVoice, dest_dir: Path, *, progress: Progress | None = None,
                   url: str | None = None, timeout: float = 30) -> Path:
    """Fetch and check a Piper voice (its .onnx and .onnx.json) into `dest_dir/<name>/`;
    returns the .onnx file. `url`: another address of the .onnx (its .onnx.json beside it).
    Nothing is left behind on failure: both files are checked in a temporary folder first."""
    target = dest_dir / voice.name
    if target.exists() or target.is_symlink():
        raise ModelError(f"{target} bestaat al; verwijder die map om opnieuw te downloaden")
    folder: Path | None = None
    onnx_url = url or voice.onnx.url
    config_url = f"{url}.json" if url else voice.config.url
    done_before = 0

    def overall(done: int, total: int) -> None:
        if progress is not None:
            progress(done_before + done, voice.size)

    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f".{voice.name}-", suffix=".part", dir=dest_dir))
        onnx = folder / f"{voice.name}.onnx"
        _fetch_file(voice.name, voice.onnx, onnx_url, onnx, overall, timeout,
                    voice_hint(voice, target))
        done_before = voice.onnx.size
        _fetch_file(voice.name, voice.config, config_url, folder / f"{onnx.name}.json", overall,
                    timeout, voice_hint(voice, target))
        folder.chmod(0o755)  # mkdtemp made it private
        if target.exists():
            raise ModelError(f"{target} bestaat al; verwijder die map om opnieuw te downloaden")
        os.rename(folder, target)
        folder = None
    except OSError as exc:
        raise ModelError(f"kan niet schrijven in {dest_dir}: {_os_reason(exc)}") from None
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    return target / f"{voice.name}.onnx"


def voice_hint(voice: KnownVoice, target: Path) -> str:
    """How to install `voice` by hand (the end of the one-line download error)."""
    return (f"download {voice.onnx.url} en {voice.config.url} op een andere computer en zet ze "
            f"in {target}, of zet ASSISTANT_PIPER_VOICE op het .onnx-bestand")


def _fetch_file(name: str, expected: VoiceFile, url: str, path: Path, progress: Progress,
                timeout: float, hint: str) -> None:
    """Stream `url` into `path`, checking its size and the digests recorded."""
    import http.client
    import urllib.request

    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    done = 0

    def wrong_size(actual: str) -> ModelError:
        return ModelError(f"download van {path.name} heeft de verkeerde grootte: {actual} bytes"
                          f" in plaats van {expected.size}")

    with path.open("wb") as out:
        try:
            request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            with urllib.request.urlopen(request, timeout=timeout) as response:
                length = response.headers.get("Content-Length")
                if length is not None and length.strip().isdigit() and \
                        int(length) != expected.size:
                    raise wrong_size(length.strip())
                while chunk := response.read(CHUNK):
                    done += len(chunk)
                    if done > expected.size:
                        raise wrong_size(f"meer dan {expected.size}")
                    sha256.update(chunk)
                    md5.update(chunk)
                    _write(out, chunk, path)
                    progress(done, expected.size)
        except ValueError:
            raise ModelError(f"ongeldig adres: {url}") from None
        except (OSError, http.client.HTTPException) as exc:
            raise ModelError(f"kon {name} niet downloaden van {url} ({_network_reason(exc)});"
                             f" geen internet? {hint}") from None
    if done != expected.size:
        raise wrong_size(str(done))
    if (expected.sha256 and sha256.hexdigest() != expected.sha256) or (
            expected.md5 and md5.hexdigest() != expected.md5):
        raise ModelError(f"de controlesom van {path.name} klopt niet: het bestand is beschadigd"
                         " of niet de verwachte stem")
