"""The intake journal: every answer is written to the records store the moment it is given, as
its event, so an interrupted intake (a phone call, a crash, a flat battery) resumes with
nothing lost (resume.py applies the events again). The records store ends the journal of a
stored intake with a `stored` event (Store.finish_intake, in the same transaction)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Final, Literal, Protocol

from assistant.dialog.consultation import AnswerRecord, unit_answers
from assistant.dialog.events import (
    Answer,
    Back,
    JournalEvent,
    Stored,
    event_from_json,
)
from assistant.dialog.exercise_choice import QUESTION as CHOICE_QUESTION
from assistant.errors import JournalMismatch, RecordsServerGone
from assistant.intake.pending import PendingAnswers

EndStatus = Literal["finished", "abandoned"]


class JournalStore(Protocol):
    """What the journal needs of the records store."""

    def journal_append(self, journal_id: int, payload: dict[str, Any]) -> None: ...

    def journal_close(self, journal_id: int,
                      status: Literal["open", "finished", "abandoned"]) -> None: ...


class IntakeJournal:
    """Follows the consultation's answers as events (dialog/events.py): a new answer is appended
    as its `answer` event with what was heard, a 'terug' as `back`, the choice of exercises as
    its `answer`. Each append is durable before it returns."""

    def __init__(self, store: JournalStore, journal_id: int,
                 standing: Sequence[str] = (), pending: PendingAnswers | None = None,
                 entries: int = 0) -> None:
        self.store = store
        self.id = journal_id
        self.standing = list(standing)  # the questions whose journaled answers still stand
        self.pending = pending  # on a practice's server: where an answer waits when it is gone
        self.entries = entries  # how many entries the journal holds (a kept answer's place)

    def sync(self, history: Sequence[AnswerRecord]) -> None:
        """Bring the journal up to date with the consultation's answers (a checklist is one
        answer, its value per sign: dialog/consultation.unit_answers)."""
        answers = unit_answers(history)
        while len(self.standing) > len(answers):
            self._append(Back(self.standing.pop()))
        while len(self.standing) < len(answers):
            answer = answers[len(self.standing)]
            self._append(answer)
            self.standing.append(answer.question)

    def choice(self, answer: Answer) -> None:
        """The confirmed choice of exercises: its `answer` event (the codes, and the
        frequencies the therapist changed)."""
        self._append(answer)

    def close(self, status: EndStatus) -> None:
        self.store.journal_close(self.id, status)

    def _append(self, event: JournalEvent) -> None:
        """Append the event; when the practice's server is gone, keep it on this computer
        (pending.py) and stop the intake (RecordsServerGone: intake/guard.py says how to go
        on)."""
        payload = event.to_json()
        try:
            self.store.journal_append(self.id, payload)
        except RecordsServerGone:
            if self.pending is None:
                raise
            self.pending.keep(self.id, self.entries + 1, payload)
            self.entries += 1
            raise
        self.entries += 1


def journal_events(entries: Sequence[Mapping[str, Any]]) -> list[JournalEvent]:
    """A journal's entries as the events they are (dialog/events.py), read once for every
    use: the replay, the answers that stand, the screen. An entry of an earlier version
    ({"kind": "answer" | "back" | "choice" | "stored", …}) is read as the same event.
    JournalMismatch when an entry is no journal event or has the wrong shape (edited by hand):
    such a journal is set aside intact, not replayed into an error."""
    events: list[JournalEvent] = []
    standing: list[str] = []  # to name the answer an earlier version's 'back' took back
    for entry in entries:
        try:
            event = (event_from_json(entry) if "event" in entry
                     else _earlier_entry(entry, standing))
        except (KeyError, TypeError, ValueError):
            raise JournalMismatch(f"een regel van de verkeerde vorm in het dagboek: "
                                  f"{shown_entry(entry)}"
                                  ) from None
        if not isinstance(event, Answer | Back | Stored):
            raise JournalMismatch(f"onbekende regel in het dagboek: {shown_entry(entry)}")
        if isinstance(event, Answer) and event.question == CHOICE_QUESTION:
            event = _choice_in_words(event, entry)
        elif isinstance(event, Answer):
            standing.append(event.question)
        elif isinstance(event, Back) and standing:
            standing.pop()
        events.append(event)
    return events


def standing_answers(events: Sequence[JournalEvent]) -> list[Answer]:
    """The journaled answers that still stand (each `back` takes the last one back), in the
    order given; the choice of exercises is no answer here."""
    standing: list[Answer] = []
    for event in events:
        if isinstance(event, Answer) and event.question != CHOICE_QUESTION:
            standing.append(event)
        elif isinstance(event, Back) and standing:
            standing.pop()
    return standing


def _earlier_entry(entry: Mapping[str, Any], standing: Sequence[str]) -> JournalEvent:
    """An entry of an earlier version as its event (KeyError, TypeError or ValueError when it
    has the wrong shape)."""
    kind = entry["kind"]
    if kind == "answer":
        return Answer(_word(entry["question"]), None, entry["value"],
                      _word(entry.get("note", "")), heard=_word(entry.get("heard", "")))
    if kind == "back":
        return Back(standing[-1] if standing else "")
    if kind == "choice":
        return Answer(CHOICE_QUESTION, None, list(_list(entry["codes"])),
                      frequencies=_frequencies(entry.get("frequencies")))
    if kind == "stored":
        stored = entry.get("consultation")
        return Stored(stored if type(stored) is int else None)
    raise ValueError(f"onbekende soort {kind!r}")


SHOWN_ENTRY: Final = 120  # characters of a journal entry quoted in a message


def shown_entry(entry: object) -> str:
    """A journal entry as a message quotes it: its repr, cut to SHOWN_ENTRY characters (an entry
    edited by hand can be megabytes)."""
    text = repr(entry)
    return text if len(text) <= SHOWN_ENTRY else f"{text[:SHOWN_ENTRY]}…"


def _choice_in_words(event: Answer, entry: Mapping[str, Any]) -> Answer:
    """The choice of exercises with its codes and frequencies as words (JournalMismatch
    otherwise)."""
    try:
        return replace(event, value=[_word(code) for code in _list(event.value)],
                       frequencies=_frequencies(event.frequencies))
    except TypeError:
        raise JournalMismatch(f"een regel van de verkeerde vorm in het dagboek: "
                              f"{shown_entry(entry)}"
                              ) from None


def _list(value: object) -> list[object]:
    if not isinstance(value, list | tuple):
        raise TypeError(f"{value!r} is no list")
    return list(value)


def _word(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is no word")
    return value


def _frequencies(entry: object) -> dict[str, str]:
    """A choice entry's "frequencies" (absent in an entry of an earlier version: {})."""
    if entry is None:
        return {}
    if not isinstance(entry, dict):
        raise TypeError(f"frequencies is no object: {entry!r}")
    return {_word(code): _word(words) for code, words in entry.items()}
