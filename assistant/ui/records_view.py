"""The records as the screen shows them: the patients (each behind a random handle, so no id is
ever in a URL), interrupted intakes, a patient's history with the chart, and the follow-up
entry, through the same store, rules and texts as `assistant followup` and `history`."""

from __future__ import annotations

import secrets
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final, TypeVar

from assistant.errors import RecordsCorrupt, RecordsError, UsageError
from assistant.intake.records import IntakeRecords
from assistant.intake.resume import describe_resume
from assistant.protocol.followup import Followup
from assistant.protocol.model import Protocol
from assistant.records.chart import write_chart
from assistant.records.location import Location, resolve_db
from assistant.records.measurements import finished_intake as latest_intake
from assistant.records.measurements import fixed_activities, one_a_day
from assistant.records.render import followup_for, followup_lines, history_json, intake_lines
from assistant.records.rows import validate_patient_id
from assistant.records.store import Store
from assistant.ui.hints import screen_text

T = TypeVar("T")
# what reading one patient's rows raises when a row is damaged (an impossible date, JSON of the
# wrong shape): the store's RecordsError (RecordsCorrupt), or, where the store does not check
# the row, the error of the code that reads it
DAMAGED: Final = (RecordsError, ValueError, TypeError, KeyError, AttributeError, IndexError)


def _undamaged(read: Callable[[], T], whose: str, db: Location) -> T:
    """`read()`, with a damaged row said as RecordsCorrupt (one Dutch line naming the patient
    and the file); the store's own RecordsError as it is."""
    try:
        return read()
    except RecordsError:
        raise
    except DAMAGED[1:]:
        raise RecordsCorrupt(f"de gegevens van {whose} in {db} zijn beschadigd en kunnen "
                             "niet worden getoond") from None


class Handles:
    """Random, per-run handles for patient ids: /patient/<handle> names no patient."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_handle: dict[str, str] = {}
        self._by_patient: dict[str, str] = {}

    def handle(self, patient: str) -> str:
        key = patient.casefold()
        with self._lock:
            if key not in self._by_patient:
                handle = secrets.token_urlsafe(9)
                self._by_patient[key], self._by_handle[handle] = handle, patient
            return self._by_patient[key]

    def patient(self, handle: str) -> str | None:
        with self._lock:
            return self._by_handle.get(handle)


@dataclass(frozen=True)
class Interrupted:
    """An interrupted intake that can be resumed: whose, and in words (describe_resume);
    `stored`: the handle of the patient's page when the intake was stored already (an earlier
    version was cut off between storing it and closing its journal): nothing to resume."""

    patient: str | None
    described: str
    stored: str | None = None


class RecordsView:
    """Reads and writes the records file (`db`: --db, else ASSISTANT_DB or the user folder);
    each call opens and closes it, so it is never held open between requests."""

    def __init__(self, protocol: Protocol, db: Location | None) -> None:
        self.protocol = protocol
        self.db = db
        self.handles = Handles()

    def asks_arm(self, profile: str | None) -> bool:
        """Whether the follow-up asks if the arm got worse: only where the guideline looks at
        it (profile D: refer back to the GP when worse), as `assistant followup` allows it."""
        return bool(profile) and self.protocol.profile(str(profile)).closure_plan.refer_gp_if_worse

    @property
    def path(self) -> Location:
        return resolve_db(self.db)

    def _read(self) -> Store | None:
        where = self.path
        if isinstance(where, Path) and not where.exists():
            return None
        return Store.open(where, write=False)

    def _existing(self) -> Store:
        """The store to read a patient's records from (UsageError when there is none yet)."""
        store = self._read()
        if store is None:
            raise UsageError("er zijn nog geen patiëntgegevens")
        return store

    def patients(self) -> list[tuple[str, str]]:
        """(id, handle) of every patient, in the store's order."""
        store = self._read()
        if store is None:
            return []
        with store:
            return [(p, self.handles.handle(p)) for p in store.patients()]

    def interrupted(self) -> tuple[list[Interrupted], list[str]]:
        """The intakes that can be resumed: the last one without an id, and each patient's
        (one stored already marked `stored`); and whose could not be read, with the damaged
        row where the store names it (the others are still shown)."""
        store = self._read()
        if store is None:
            return [], []
        found: list[Interrupted] = []
        damaged: list[str] = []
        with store:
            for patient in [None, *store.journal_patients()]:
                try:
                    row = store.journal_find_open(patient)
                    if row is None:
                        continue
                    records = IntakeRecords(store, row.patient, row.date, None,
                                            store.journal_entries(row.id), row)
                    stored = store.journal_stored(row)
                    found.append(Interrupted(
                        row.patient, describe_resume(records),
                        self.handles.handle(stored.patient) if stored is not None else None))
                except RecordsCorrupt as exc:
                    whose = patient or "de intake zonder patiënt-id"
                    damaged.append(f"{whose} (rij {exc.row} van tabel {exc.table})"
                                   if exc.table else whose)
                except DAMAGED:
                    damaged.append(patient or "de intake zonder patiënt-id")
        return found, damaged

    def history(self, patient: str) -> dict[str, Any]:
        """The history JSON (render.history_json) plus `lines`: the latest intake in words,
        and `skipped`: a line for each damaged row passed over (as `assistant history` does:
        the rest is shown). RecordsError for an unknown patient; RecordsCorrupt when no intake
        of the patient can be read."""
        def read() -> dict[str, Any]:
            with self._existing() as store:
                consultation = latest_intake(store, patient, skip_damaged=True)
                rows = store.evaluations(patient, consultation.id, skip_damaged=True)
                earlier = [(c, store.evaluations(patient, c.id, skip_damaged=True))
                           for c in store.consultations(patient, skip_damaged=True)
                           if c.id != consultation.id]
                skipped = [f"Overgeslagen: {screen_text(d)}." for d in store.skipped]
            data = history_json(consultation.patient, consultation, rows, earlier)
            data["lines"] = intake_lines(consultation, self.protocol)
            data["skipped"] = skipped
            return data
        return _undamaged(read, f"patiënt {patient}", self.path)

    def chart(self, patient: str) -> bytes:
        """The chart of the latest intake's measurements as PNG bytes (records/chart.py)."""
        def read() -> bytes:
            with self._existing() as store:  # damaged rows passed over, as on the page
                consultation = latest_intake(store, patient, skip_damaged=True)
                rows = store.evaluations(patient, consultation.id, skip_damaged=True)
            with tempfile.TemporaryDirectory() as folder:
                return write_chart(Path(folder) / "chart.png", rows,
                                   consultation.date).read_bytes()
        return _undamaged(read, f"patiënt {patient}", self.path)

    def followup(self, patient: str, nprs: int, psk: tuple[int, int, int], *,
                 neuro_worse: bool = False, activities: tuple[str, ...] | None = None,
                 day: date | None = None, again: bool = False) -> tuple[Followup, list[str]]:
        """Record today's measurement against the patient's latest intake and say what the
        guideline advises now, as `assistant followup` does: the Followup and its lines.
        RecordsError or UsageError as there (a referral, the arm worse outside profile D or on
        the intake day, a second measurement on a day that has one without `again`, other PSK
        activities than those named before)."""
        validate_patient_id(patient)
        day = day or date.today()
        with Store.open(self.path) as store:
            consultation = latest_intake(store, patient)
            patient = consultation.patient
            profile = consultation.result.get("profile")
            if not profile:
                raise UsageError(f"patiënt {patient} is verwezen (graad IV): volgens de "
                                 "richtlijn is er geen vervolgbehandeling")
            if day < consultation.date:
                raise UsageError(f"de datum {day.isoformat()} ligt voor de intake "
                                 f"({consultation.date.isoformat()})")
            if neuro_worse and not self.asks_arm(profile):
                raise UsageError(f"'arm erger' hoort bij profiel D (klachten in de arm); patiënt "
                                 f"{patient} heeft profiel {profile}")
            if neuro_worse and day == consultation.date:
                raise UsageError("'arm erger': een meting op de dag van de intake is de "
                                 "beginmeting; er is nog niets om mee te vergelijken")
            earlier = store.evaluations(patient, consultation.id)
            one_a_day(patient, day, earlier, again=again)
            first = not earlier
            named = fixed_activities(consultation, activities or None, not first)
            store.add_evaluation(patient, day, nprs, psk, neuro_worse)
            if named and not consultation.psk_activities:
                store.set_psk_activities(consultation.id, named)
            rows = store.evaluations(patient, consultation.id)
        outcome = followup_for(self.protocol, consultation, profile, day, rows, named)
        return outcome, followup_lines(outcome)


def score(value: Any, what: str) -> int:
    """A score 0–10 from a form (UsageError naming `what` otherwise)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise UsageError(f"{what}: geef een heel getal van 0 tot en met 10")
    try:
        number = int(value)
    except ValueError:
        number = -1
    if not 0 <= number <= 10:
        raise UsageError(f"{what}: geef een heel getal van 0 tot en met 10")
    return number
