"""The records' rows as values: what a stored intake, measurement and journal are, the checks of
what goes in (patient ids, PSK activities), and the reading of what comes out.

A stored value of the wrong form (a file edited by hand: an impossible date, JSON of the wrong
shape, an unknown profile or exercise) is read as RecordsCorrupt naming the file, the table and
the row, never as something else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final, Literal, TypeVar, cast

from assistant.errors import Advice, Hint, RecordsCorrupt, RecordsError
from assistant.protocol.followup import PSK_ACTIVITY_MAX, activity_name

JournalStatus = Literal["open", "finished", "abandoned"]
JOURNAL_STATUSES: Final = ("open", "finished", "abandoned")
PATIENT_ID = re.compile(r"(?=.*[A-Za-z0-9])[A-Za-z0-9._-]{1,64}")  # not '.' or '..'
PROFILES: Final = ("A", "B", "C", "D")  # the result's treatment profile (DESIGN.md "Result")
R = TypeVar("R")


@dataclass(frozen=True)
class ConsultationRow:
    """A stored intake."""

    id: int
    patient: str
    date: date
    findings: dict[str, Any]
    result: dict[str, Any]  # the result JSON (DESIGN.md "Result")
    chosen_exercises: tuple[str, ...]
    created: str  # UTC timestamp, ISO 8601
    psk_activities: tuple[str, ...] = ()  # the PSK's three activities, or () if not named
    # the frequencies changed at the choice (code → Dutch words); the others are the defaults
    exercise_frequencies: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EvaluationRow:
    """A stored follow-up measurement."""

    id: int
    patient: str
    consultation: int
    date: date
    nprs: int  # 0–10, pain
    psk: tuple[int, int, int]  # 0–10 each, 10 = the activity is impossible
    neuro_worse: bool
    created: str

    @property
    def psk_mean(self) -> float:
        return sum(self.psk) / 3


@dataclass(frozen=True)
class Forgotten:
    """What `Store.forget` erased."""

    intakes: int
    measurements: int
    journals: tuple[int, ...]  # the ids of the patient's journals (their lock files go too)
    found: bool  # anything of the patient was stored
    not_compacted: RecordsError | None = None  # why the file could not be compacted (None: it was)


@dataclass(frozen=True)
class JournalRow:
    """An intake in progress (or ended), for resuming after a crash."""

    id: int
    patient: str | None
    date: date
    started: str
    status: JournalStatus


# --- what goes in ---------------------------------------------------------------------------


def validate_patient_id(patient: str) -> str:
    """The id itself when it is valid (1–64 of A–Z a–z 0–9 - _ ., at least one letter or
    digit: '.' and '..' are no ids), else RecordsError. Ids compare case-insensitively."""
    if not isinstance(patient, str) or not PATIENT_ID.fullmatch(patient):
        raise RecordsError(
            f"ongeldige patiënt-id {patient!r}: gebruik 1 tot 64 tekens: letters zonder accent "
            "(a-z), cijfers, '-', '_' of '.', met minstens één letter of cijfer")
    return patient


def validate_psk_activities(activities: Sequence[str]) -> tuple[str, ...]:
    """Three different activity names, each as `activity_name` takes it; a RecordsError in
    Dutch otherwise."""
    example = "(bijvoorbeeld: traplopen,autorijden,lezen)"
    if len(activities) != 3 or not all(a.strip() for a in activities):
        raise RecordsError(f"de PSK heeft drie activiteiten nodig, elk met een naam {example}")
    names = []
    for given in activities:
        name = activity_name(given)
        if name is None:
            shown = "".join(c if c.isprintable() else "?" for c in given.strip()[:20])
            raise RecordsError(f"PSK-activiteit '{shown}' is geen naam van hooguit "
                               f"{PSK_ACTIVITY_MAX} tekens met letters {example}")
        names.append(name)
    if len({n.casefold() for n in names}) != 3:
        raise RecordsError(f"de PSK heeft drie verschillende activiteiten nodig {example}")
    return tuple(names)


# --- what comes out -------------------------------------------------------------------------


class _Bad(ValueError):
    """A stored value of the wrong form (turned into RecordsCorrupt by `parsed`)."""


def parsed(path: str | Path, table: str, row: Sequence[Any],
           parse: Callable[[Sequence[Any]], R]) -> R:
    """A stored row read by `parse`; RecordsCorrupt naming the file (or server: `path` as shown),
    the table and the row when a
    value has the wrong form (an impossible date, JSON of the wrong shape: edited by hand)."""
    try:
        return parse(row)
    except (_Bad, TypeError, ValueError, IndexError) as exc:
        shown = str(exc) if isinstance(exc, _Bad) else type(exc).__name__
        what = {"consultations": "de intake", "evaluations": "de meting",
                "journal": "de onderbroken intake"}.get(table, "de rij")
        raise RecordsCorrupt(f"{path}: {what} met nummer {row[0]} (tabel {table}) is beschadigd "
                             f"({shown}); herstel of verwijder die rij, of zet het bestand opzij",
                             Advice(Hint.CHOOSE_DB, what="een ander", lead=" en "),
                             table=table, row=int(row[0])) from None


def _day(text: object) -> date:
    if not isinstance(text, str):
        raise _Bad(f"datum {text!r} is geen tekst")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Bad(f"onmogelijke datum {text!r}") from None


def _json(text: object, kind: type, what: str) -> Any:
    try:
        value = json.loads(text) if isinstance(text, str | bytes) else None
    except (ValueError, RecursionError):
        raise _Bad(f"{what} is geen geldige JSON") from None
    if not isinstance(value, kind):
        raise _Bad(f"{what} heeft de verkeerde vorm")
    return value


def _words(text: object, what: str) -> tuple[str, ...]:
    value = _json(text, list, what)
    if not all(isinstance(v, str) for v in value):
        raise _Bad(f"{what} heeft de verkeerde vorm")
    return tuple(value)


def _loaded(text: str) -> Any:
    """The JSON value of `text`, or None when it is none (a value edited by hand)."""
    try:
        return json.loads(text)
    except (ValueError, TypeError, RecursionError):
        return None


def journal_entry(text: str) -> dict[str, Any]:
    """A journal entry; one of the wrong shape (edited by hand) as an entry no replay knows,
    so the journal is set aside intact (JournalMismatch), not read as something else."""
    value = _loaded(text)
    return value if isinstance(value, dict) else {"kind": "damaged", "payload": text}


def consultation_row(row: Sequence[Any]) -> ConsultationRow:
    """A `consultations` row (id, patient, date, findings, result, chosen_exercises, created,
    psk_activities, exercise_frequencies) as read by `parsed`."""
    result = _json(row[4], dict, "result")
    if result.get("profile") not in (None, *PROFILES):
        raise _Bad(f"onbekend behandelprofiel {result.get('profile')!r}")
    chosen = _words(row[5], "chosen_exercises")
    unknown = sorted(set(chosen) - set(_exercise_codes()))
    if unknown:
        raise _Bad(f"onbekende oefening {unknown[0]!r}")
    return ConsultationRow(
        id=int(row[0]), patient=str(row[1]), date=_day(row[2]),
        findings=_json(row[3], dict, "findings"), result=result,
        chosen_exercises=chosen, created=str(row[6]),
        psk_activities=_words(row[7], "psk_activities"), exercise_frequencies=_frequencies(row[8]))


def _exercise_codes() -> tuple[str, ...]:
    """The exercise library's codes (a stored choice names only these)."""
    from assistant.protocol.exercise_loader import load_library  # loaded once, when needed

    return load_library().codes


def _frequencies(text: str) -> dict[str, str]:
    """The stored frequencies; anything but an object of words (edited by hand) counts as
    none changed."""
    value = _loaded(text)
    if not isinstance(value, dict):
        return {}
    return {str(code): words for code, words in value.items() if isinstance(words, str)}


def evaluation_row(row: Sequence[Any]) -> EvaluationRow:
    """An `evaluations` row (id, patient, consultation, date, nprs, psk1–3, neuro_worse, created,
    and the date of its intake or None) as read by `parsed`."""
    day = _day(row[3])
    if len(row) > 10 and row[10] is not None and day < _day(row[10]):
        raise _Bad(f"meting van {day.isoformat()} ligt vóór de intake van {row[10]}")
    return EvaluationRow(
        id=int(row[0]), patient=str(row[1]), consultation=int(row[2]), date=day,
        nprs=int(row[4]), psk=(int(row[5]), int(row[6]), int(row[7])),
        neuro_worse=bool(row[8]), created=str(row[9]))


def journal_row(row: Sequence[Any]) -> JournalRow:
    """A `journal` row (id, patient, date, started, status) as read by `parsed`."""
    status = str(row[4])
    if status not in JOURNAL_STATUSES:
        raise _Bad(f"status {status!r}")
    return JournalRow(int(row[0]), None if row[1] is None else str(row[1]), _day(row[2]),
                      str(row[3]), cast(JournalStatus, status))
