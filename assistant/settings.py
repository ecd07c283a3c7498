"""The practice's details (therapist, practice, AGB code, phone) that sign the referral letter
and head the reports: a small TOML file in the user's config folder.

Where: `$ASSISTANT_CONFIG` (a file path) when set, else `settings.toml` in
`platformdirs.user_config_dir("nekpijn-assistent", appauthor=False)`. The file is written
atomically (0600); a damaged file is an InputError (one Dutch line, exit 2) and is never
overwritten.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Final

import platformdirs

from assistant.errors import Advice, Hint, InputError, OutputError, UsageError, os_reason
from assistant.files import write_private

ENV_CONFIG: Final = "ASSISTANT_CONFIG"
APP_DIR: Final = "nekpijn-assistent"
SETTINGS_NAME: Final = "settings.toml"
MAX_LENGTH: Final = 100  # characters in one field
MAX_BYTES: Final = 64 * 1024  # a settings file is a few hundred bytes
AGB_PATTERN: Final = re.compile(r"[0-9]{8}")  # ASCII digits: a code other systems read
PHONE_PATTERN: Final = re.compile(r"\+?[0-9 ()-]+")

# field → its Dutch label
LABELS: Final = {
    "therapist": "Naam fysiotherapeut",
    "practice": "Praktijk",
    "agb": "AGB-code",
    "phone": "Telefoon",
}


@dataclass(frozen=True)
class PracticeSettings:
    """The practice's details; None when not set. Values are checked (`check_value`)."""

    therapist: str | None = None
    practice: str | None = None
    agb: str | None = None  # 8 digits
    phone: str | None = None

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    def rows(self) -> list[tuple[str, str]]:
        """(Dutch label, value) of every field that is set, in the order of LABELS."""
        return [(LABELS[name], value) for name in LABELS
                if (value := getattr(self, name)) is not None]

    def updated(self, changes: Mapping[str, str]) -> PracticeSettings:
        """These settings with `changes` (field → new text) checked and applied; an empty text
        clears the field. UsageError about the field (its `option`) on a bad value."""
        checked: dict[str, str | None] = {}
        for name, text in changes.items():
            checked[name] = check_value(name, text) if text.strip() else None
        return replace(self, **checked)


def check_value(name: str, text: str) -> str:
    """Field `name`'s value, trimmed: printable, at most MAX_LENGTH characters; `agb` exactly 8
    digits; `phone` digits with spaces, '+', '-', '(' or ')'. UsageError with the field's name
    as its `option` (a front end names the field its own way)."""
    value = " ".join(text.split())
    if any(not ch.isprintable() for ch in value):
        raise UsageError("gebruik alleen gewone tekens", option=name)
    if len(value) > MAX_LENGTH:
        raise UsageError(f"te lang; hoogstens {MAX_LENGTH} tekens", option=name)
    if name == "agb":
        value = value.replace(" ", "")
        if not AGB_PATTERN.fullmatch(value):
            raise UsageError("een AGB-code is 8 cijfers, zoals 04123456", option=name)
    if name == "phone":
        digits = sum(ch.isdigit() for ch in value)
        if not PHONE_PATTERN.fullmatch(value) or not 6 <= digits <= 15:
            raise UsageError("geef een telefoonnummer, zoals 030 123 45 67", option=name)
    return value


def settings_path(env: Mapping[str, str] | None = None) -> Path:
    """The settings file: $ASSISTANT_CONFIG, else settings.toml in the user's config folder."""
    env = os.environ if env is None else env
    explicit = env.get(ENV_CONFIG)
    if explicit:
        return Path(explicit).expanduser()
    return Path(platformdirs.user_config_dir(APP_DIR, appauthor=False)) / SETTINGS_NAME


def _damaged(path: Path, why: str) -> InputError:
    return InputError(f"het instellingenbestand {path} is beschadigd ({why}); herstel het, of "
                      "verwijder het", Advice(Hint.SET_DETAILS, lead=" en "))


def _read_small_file(path: Path) -> bytes | None:
    """The bytes of a regular file of at most MAX_BYTES, else None: a FIFO, a device such as
    /dev/zero or a huge file is not read at all (opened without waiting for a writer, then
    checked; never read to its end). OSError (FileNotFoundError) as os.open raises it."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        with os.fdopen(os.dup(fd), "rb") as source:
            raw = source.read(MAX_BYTES + 1)
    finally:
        os.close(fd)
    return None if len(raw) > MAX_BYTES else raw


def load_settings(path: Path | None = None) -> PracticeSettings:
    """The saved settings; empty when there is no file. InputError when the file cannot be
    read or is damaged (not TOML, an unknown key, a value of the wrong type or form)."""
    path = settings_path() if path is None else path
    try:
        raw = _read_small_file(path)
    except FileNotFoundError:
        return PracticeSettings()
    except OSError as exc:
        raise InputError(f"kan het instellingenbestand {path} niet lezen: "
                         f"{os_reason(exc)}") from None
    if raw is None:
        raise InputError(f"het instellingenbestand {path} is geen gewoon bestand (of groter dan "
                         f"{MAX_BYTES // 1024} kB); kies een bestand met {ENV_CONFIG}")
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        raise _damaged(path, "geen geldige TOML") from None
    except RecursionError:  # [[[[…]]]]: no settings file nests
        raise _damaged(path, "te diep geneste gegevens") from None
    values: dict[str, str] = {}
    for key, value in data.items():
        if key not in LABELS:
            raise _damaged(path, f"onbekende sleutel '{key}'")
        if not isinstance(value, str):
            raise _damaged(path, f"'{key}' moet tekst zijn")
        try:
            values[key] = check_value(key, value)
        except UsageError as exc:
            raise _damaged(path, f"'{key}': {exc.message}") from None
    return PracticeSettings(**values)


def _toml_string(value: str) -> str:
    """A TOML basic string (values are printable: only quotes and backslashes need escaping)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def save_settings(settings: PracticeSettings, path: Path | None = None) -> Path:
    """Write the settings atomically (0600, a new folder 0700); OutputError when that fails."""
    path = settings_path() if path is None else path
    lines = ["# Nekpijn-assistent: de gegevens van de praktijk (assistant settings).", ""]
    lines += [f"{name} = {_toml_string(value)}" for name in LABELS
              if (value := getattr(settings, name)) is not None]
    try:
        return write_private(path, "\n".join(lines) + "\n")
    except OSError as exc:
        raise OutputError(f"kan de instellingen niet bewaren in {path}: "
                          f"{os_reason(exc)}") from None
