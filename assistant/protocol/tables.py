"""Strict reading of TOML tables: every key known and consumed; faults name their place."""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable, Mapping, Set
from importlib import resources
from typing import Any, TypeVar

from assistant.errors import ProtocolError as ProtocolError

T = TypeVar("T")


class Table:
    """A TOML table read strictly: every key must be known and consumed."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, Mapping):
            raise ProtocolError(f"{where}: expected a table")
        self.data: Mapping[str, Any] = data
        self.where = where

    def check_keys(self, allowed: set[str]) -> None:
        unknown = sorted(set(self.data) - allowed)
        if unknown:
            raise ProtocolError(f"{self.where}: unknown key '{unknown[0]}'")

    def text(self, key: str, *, optional: bool = False, empty_ok: bool = False) -> str:
        value = self.data.get(key)
        if value is None and optional:
            return ""
        if not isinstance(value, str) or (not value.strip() and not empty_ok):
            raise ProtocolError(f"{self.where}.{key}: missing or empty text")
        return value.strip()

    def template(self, key: str, placeholders: Set[str] = frozenset()) -> str:
        """A text with exactly these {placeholders}, no more and no fewer."""
        text = self.text(key)
        found = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        if found != placeholders:
            raise ProtocolError(f"{self.where}.{key}: placeholders {sorted(found)} are not "
                                f"{sorted(placeholders)}")
        return text

    def texts(self, key: str, *, optional: bool = False) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None and optional:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ProtocolError(f"{self.where}.{key}: expected a list of non-empty texts")
        return tuple(v.strip() for v in value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise ProtocolError(f"{self.where}.{key}: expected true or false")
        return value

    def table(self, key: str) -> Table:
        return Table(self.data.get(key), f"{self.where}.{key}")

    def tables(self, key: str) -> list[Table]:
        value = self.data.get(key)
        if not isinstance(value, list) or not value:
            raise ProtocolError(f"{self.where}.{key}: expected a non-empty list of tables")
        return [Table(v, f"{self.where}.{key}[{i}]") for i, v in enumerate(value)]

    def items(self) -> list[tuple[str, Table]]:
        return [(k, Table(v, f"{self.where}.{k}")) for k, v in self.data.items()]


def load_packaged(name: str, parse: Callable[[Mapping[str, Any]], T]) -> T:
    """Parse a data file shipped in this package; a TOML syntax error is a ProtocolError."""
    text = resources.files("assistant.protocol").joinpath(name).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(f"{name}: not valid TOML ({exc})") from None
    return parse(data)
