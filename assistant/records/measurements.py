"""The rules a follow-up measurement keeps, for the command line and the screen alike: the
intake it belongs to, the PSK's three activities fixed at the first measurement, and one
measurement a day unless asked for again."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from assistant.errors import Advice, Hint, RecordsError, UsageError
from assistant.records.rows import ConsultationRow, EvaluationRow

if TYPE_CHECKING:
    from assistant.records.store import Store


def finished_intake(store: Store, patient: str, *, skip_damaged: bool = False,
                    ) -> ConsultationRow:
    """The patient's latest finished intake (RecordsError naming the fix when there is none;
    RecordsCorrupt for a damaged one, or with `skip_damaged` the latest readable one, the damaged
    in `store.skipped`, and the first of them raised when none is readable)."""
    consultation = store.latest_consultation(patient, skip_damaged=skip_damaged)
    if consultation is None and store.skipped:
        raise store.skipped[0]
    if consultation is None:
        running = store.journal_find_open(patient)
        if running is not None:  # begun, by this therapist or a colleague: not a new intake
            raise RecordsError(f"de intake van patiënt {patient} is nog niet af (begonnen op "
                               f"{running.date.isoformat()})",
                               Advice(Hint.RESUME, patient=running.patient,
                                      db=store.path or store.shown, lead="; "))
        if store.has_patient(patient):
            raise RecordsError(f"patiënt {patient} heeft geen afgeronde intake in {store.shown}")
        raise RecordsError(f"onbekende patiënt: {patient} (niet in {store.shown}); doe eerst de "
                           "intake", Advice(Hint.WITH_PATIENT, patient=patient, lead=" "))
    return consultation


def fixed_activities(consultation: ConsultationRow, given: tuple[str, ...] | None,
                measured: bool) -> tuple[str, ...]:
    """The PSK's activities of this treatment: as named before, or `--psk-activities` at the
    first measurement (stored with it). Other names later are refused, and so are names after
    measurements without them: the scores would no longer compare."""
    named = consultation.psk_activities
    if given is None or [g.casefold() for g in given] == [n.casefold() for n in named]:
        return named
    if named:
        raise RecordsError(f"de PSK-activiteiten liggen vast sinds de beginmeting: "
                           f"{', '.join(named)}", Advice(Hint.OMIT_PSK_ACTIVITIES))
    if measured:
        raise RecordsError("er zijn al metingen zonder namen; de activiteiten worden bij de "
                           "eerste meting genoemd", option="psk-activities")
    return tuple(given)


def one_a_day(patient: str, day: date, earlier: list[EvaluationRow], *, again: bool) -> None:
    """A second measurement on a day that has one is refused unless --again asks for it: run
    twice by mistake, it would silently count as another measurement of the same session."""
    same_day = [row for row in earlier if row.date == day]
    if not same_day or again:
        return
    last = same_day[-1]
    raise UsageError(f"patiënt {patient} heeft op {day.isoformat()} al een meting (pijn "
                     f"{last.nprs}, PSK {'/'.join(str(s) for s in last.psk)}); nog een meting "
                     "op die dag", Advice(Hint.ADD_AGAIN, lead=": "))
