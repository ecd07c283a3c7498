"""A live intake that fails part-way keeps its answers.

Every answer is in the journal the moment it is given (journal.py). Whatever goes wrong after
that, a full disk, a lost microphone, a locked records file or a bug, the journal stays open
and the one line on stderr says how to go on; only a journal that does not fit this protocol
(JournalMismatch) is set aside intact (never erased), and an empty one is closed so that
no later --resume takes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.records.location import Location

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from assistant.errors import (
    Advice,
    AssistantError,
    Hint,
    IntakeInterrupted,
    IntakeStopped,
    JournalMismatch,
    Part,
    RecordsError,
    UsageError,
    describe,
)
from assistant.intake.records import IntakeRecords


def go_on(hint: Hint, records: IntakeRecords, db: Location | None) -> Advice:
    """How to continue (Hint.RESUME) or finish (Hint.RESTART) this intake: by its patient's
    id, or the one without an id; in `db`, the records file given (None: the default)."""
    return Advice(hint, patient=records.patient, db=db)


@contextmanager
def keeping_answers(records: IntakeRecords | None, db: Location | None) -> Iterator[None]:
    """Run the intake; a failure after an answer was journaled becomes IntakeInterrupted (or
    IntakeStopped for Ctrl-C) naming the failure, the answers kept and how to resume (advice:
    Hint.RESUME). A failure before any answer is left as it was, with its journal closed.
    After the intake was stored (its report or baseline not done), the line says how to finish
    it (Hint.RESTART): the journal stays open, marked stored, and the next run writes the
    report."""
    try:
        yield
    except JournalMismatch as exc:
        aside = "het dagboek blijft ongewijzigd staan"
        if records is not None:
            try:
                records.abandon()
                aside = "het dagboek is onveranderd apart gezet in het gegevensbestand"
            except RecordsError:
                pass  # still open, still whole: nothing is erased either way
        patient = records.patient if records is not None else None
        if records is not None and records.stored and patient is not None:
            # the intake is in the records already: a new one would be a second
            raise UsageError("de opgeslagen intake kan niet opnieuw worden opgebouwd voor het "
                             "verslag: ", exc, f"; {aside}; de intake zelf staat in het dossier",
                             Advice(Hint.SEE_HISTORY, patient=patient, lead=". ")) from None
        raise UsageError(exc, f"; {aside}", Advice(Hint.START_NEW, patient=patient, db=db)
                         ) from None
    except KeyboardInterrupt:
        if records is not None and records.stored and not records.closed:
            raise IntakeStopped("de intake is opgeslagen, het verslag nog niet",
                                replace(go_on(Hint.RESTART, records, db), lead=": "),
                                ", dan wordt het alsnog geschreven") from None
        kept = records.settle() if records is not None else 0
        if records is None or kept == 0:
            raise
        raise IntakeStopped(_kept(kept), go_on(Hint.RESUME, records, db)) from None
    except Exception as exc:
        _interrupted(records, db, exc)


def _interrupted(records: IntakeRecords | None, db: Location | None, exc: Exception) -> None:
    """The failure `exc` as IntakeInterrupted (wrapping it: its own advice is kept): the
    answers kept and how to go on; a stored intake (its report or baseline not done yet): how
    to finish it."""
    failure: Part = exc if isinstance(exc, AssistantError) else describe(exc)
    if records is not None and records.stored and not records.closed:
        raise IntakeInterrupted("de intake is opgeslagen, maar niet afgerond: ", failure,
                                go_on(Hint.RESTART, records, db),
                                ", dan wordt het verslag alsnog geschreven") from exc
    kept = records.settle() if records is not None else 0
    if records is None or kept == 0:
        raise exc
    raise IntakeInterrupted("de intake is afgebroken: ", failure, f". {_kept(kept)}",
                            go_on(Hint.RESUME, records, db)) from exc


def _kept(answers: int | None) -> str:
    if answers is None:
        return "De gegeven antwoorden staan in het dagboek"
    if answers == 1:
        return "Het ene antwoord is bewaard"
    return f"De {answers} antwoorden zijn bewaard"
