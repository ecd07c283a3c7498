"""The manifest of known Vosk models and Piper voices (assistant/speech/manifest.toml): read,
validated, looked up.

Every failure is a `ModelError` with one Dutch line for the user.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Protocol, TypeVar

from assistant.errors import ModelError

MANIFEST = Path(__file__).with_name("manifest.toml")  # the known models, shipped in the package
DEFAULT_MODEL = "vosk-model-small-nl-0.22"

_FIELDS = ("name", "url", "size", "sha256", "files")
_FOLDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MD5 = re.compile(r"[0-9a-f]{32}")
_VOICE_FIELDS = ("name", "language", "url", "size", "sha256", "md5", "config_url",
                 "config_size", "config_sha256", "config_md5")


@dataclass(frozen=True)
class KnownModel:
    """A model listed in the manifest (assistant/speech/manifest.toml)."""

    name: str  # folder name after unpacking
    url: str  # where the zip is published
    size: int  # bytes of the zip
    sha256: str  # lowercase hex of the zip; "" = not recorded
    files: tuple[str, ...]  # paths that must exist inside the model folder


@dataclass(frozen=True)
class VoiceFile:
    """One file of a Piper voice, as published."""

    url: str
    size: int  # bytes
    sha256: str  # lowercase hex; "" = not recorded
    md5: str  # lowercase hex as rhasspy/piper-voices publishes it; "" = not recorded


@dataclass(frozen=True)
class KnownVoice:
    """A Piper voice listed in the manifest: its .onnx and its .onnx.json."""

    name: str  # installed as <models>/<name>/<name>.onnx
    language: str  # "nl_BE"
    onnx: VoiceFile
    config: VoiceFile

    @property
    def size(self) -> int:
        return self.onnx.size + self.config.size


def manifest_path() -> Path:
    """The manifest of known models, shipped in the package."""
    return MANIFEST


def load_manifest(path: Path | None = None) -> tuple[KnownModel, ...]:
    """The known models, validated (unknown or malformed keys are an error)."""
    path = manifest_path() if path is None else path
    data = _read_toml(path)
    unknown = sorted(set(data) - {"model", "voice"})
    if unknown:
        raise ModelError(f"{path}: onbekende sleutel '{unknown[0]}'")
    return _tables(data, "model", "model", path, _parse_entry)


def load_voices(path: Path | None = None) -> tuple[KnownVoice, ...]:
    """The known Piper voices, validated."""
    path = manifest_path() if path is None else path
    return _tables(_read_toml(path), "voice", "stem", path, _parse_voice)


class _Named(Protocol):
    @property
    def name(self) -> str: ...


_T = TypeVar("_T", bound=_Named)


def _tables(data: dict[str, Any], key: str, label: str, path: Path,
            parse: Callable[[object, str], _T]) -> tuple[_T, ...]:
    """The manifest's [[key]] tables, each parsed; ModelError for a table list that is none,
    or a name that is there twice (`label`: the Dutch word for one)."""
    entries = data.get(key, [])
    if not isinstance(entries, list):
        raise ModelError(f"{path}: '{key}' moet een lijst van [[{key}]]-tabellen zijn")
    parsed = tuple(parse(entry, f"{path}: {label} {i + 1}") for i, entry in enumerate(entries))
    names = [p.name for p in parsed]
    for name in names:
        if names.count(name) > 1:
            raise ModelError(f"{path}: {label} '{name}' staat er meer dan eens in")
    return parsed


def known_voice(name: str, voices: Sequence[KnownVoice]) -> KnownVoice | None:
    """The manifest's voice called `name`, or None."""
    return next((v for v in voices if v.name == name), None)


def known_model(name: str, models: Sequence[KnownModel]) -> KnownModel:
    """The manifest entry called `name`."""
    for model in models:
        if model.name == name:
            return model
    known = ", ".join(m.name for m in models) or "geen"
    raise ModelError(f"onbekend model: {name} (bekend: {known})")


def is_safe_relative(name: str) -> bool:
    """A relative path that stays inside its folder (no absolute path, drive or '..')."""
    if not name or "\\" in name or re.match(r"[A-Za-z]:", name):
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"modellenlijst niet gevonden: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"modellenlijst niet te lezen: {path} ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"{path}: geen geldige TOML ({exc})") from None


def _table(entry: object, where: str, fields: Sequence[str]) -> tuple[dict[str, Any], str]:
    """A manifest table with exactly `fields`, and its folder name (ModelError otherwise)."""
    if not isinstance(entry, dict):
        raise ModelError(f"{where}: geen tabel")
    unknown = sorted(set(entry) - set(fields))
    if unknown:
        raise ModelError(f"{where}: onbekende sleutel '{unknown[0]}'")
    missing = [key for key in fields if key not in entry]
    if missing:
        raise ModelError(f"{where}: sleutel '{missing[0]}' ontbreekt")
    name = entry["name"]
    if not isinstance(name, str) or not _FOLDER_NAME.fullmatch(name):
        raise ModelError(f"{where}: 'name' moet een mapnaam zijn")
    return entry, name


def _parse_entry(entry: object, where: str) -> KnownModel:
    entry, name = _table(entry, where, _FIELDS)
    where = f"{where} ({name})"
    return KnownModel(name=name, url=_url(entry["url"], where), size=_size(entry["size"], where),
                      sha256=_sha256(entry["sha256"], where), files=_files(entry["files"], where))


def _parse_voice(entry: object, where: str) -> KnownVoice:
    table, name = _table(entry, where, _VOICE_FIELDS)
    language = table["language"]
    where = f"{where} ({name})"
    if not isinstance(language, str) or not language:
        raise ModelError(f"{where}: 'language' moet een taalcode zijn")

    def file(prefix: str) -> VoiceFile:
        md5 = table[f"{prefix}md5"]
        if not isinstance(md5, str) or not (md5 == "" or _MD5.fullmatch(md5)):
            raise ModelError(f"{where}: '{prefix}md5' moet leeg zijn of 32 kleine hex-tekens")
        return VoiceFile(_url(table[f"{prefix}url"], where), _size(table[f"{prefix}size"], where),
                         _sha256(table[f"{prefix}sha256"], where), md5)

    return KnownVoice(name, language, file(""), file("config_"))


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
        if not isinstance(item, str) or not is_safe_relative(item):
            raise ModelError(f"{where}: 'files' bevat een ongeldig pad: {item!r}")
    return tuple(value)
