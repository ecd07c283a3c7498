"""What every front end does around a consultation once it has run: store the finished intake
under the patient's id with the baseline measurement, and put an error into the event stream.
The command line (`assistant intake`) and the therapist's screen (`assistant ui`) share these,
so both run one flow."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress

from assistant.dialog.evaluation import run_evaluation
from assistant.dialog.events import Emit, ErrorEvent
from assistant.dialog.yes_no import offer_baseline
from assistant.errors import AssistantError, InternalError, describe
from assistant.intake.records import IntakeRecords
from assistant.intake.run import Outcome
from assistant.protocol.findings import Findings
from assistant.protocol.model import Protocol
from assistant.speech.interfaces import Listener

Notify = Callable[[str], None]  # one line for the therapist (print on the command line)
Baseline = tuple[int, tuple[int, int, int]]  # NPRS, the three PSK scores


def store_intake(records: IntakeRecords, outcome: Outcome, listener: Listener, emit: Emit,
                 protocol: Protocol, baseline: Baseline | None, activities: tuple[str, ...],
                 given: Findings | None, notify: Notify = print) -> None:
    """Store the finished intake under the patient's id, then offer the baseline measurement
    through `listener` (unless given, or the answers came from a file) and store it. What is
    stored is told through `notify`, one line each. RecordsError when storing fails."""
    consultation = outcome.consultation
    result, voice = consultation.result, consultation.config.voice
    saved = records.finish(given or consultation.findings, result, outcome.chosen_exercises,
                           len(consultation.history))  # a findings file is kept as given
    if saved is None or result is None:
        return
    if result.profile is None:
        if baseline is not None or activities:
            notify("Geen beginmeting bewaard: bij graad IV volgt geen behandeling.")
        return
    notify(saved)
    if baseline is None and given is None and offer_baseline(listener, emit, protocol,
                                                           voice=voice):
        measured = run_evaluation(listener, emit, result.profile, protocol, baseline=True,
                                  voice=voice, activities=activities, name_activities=True)
        if measured is not None:
            baseline = measured.nprs, measured.psk
            activities = activities or measured.psk_activities
    if activities:  # named on the command line or at the baseline: kept with the intake
        records.name_activities(activities)
    if baseline is not None:
        notify(records.baseline(*baseline, activities))
    elif activities:
        notify(f"PSK-activiteiten opgeslagen: {', '.join(activities)}.")


def report_error(sinks: Iterable[Emit], exc: BaseException) -> None:
    """The error goes into the event stream too (DESIGN.md "Events": `error`), so a tool
    following the events sees why the intake ended; a sink that fails now is passed over."""
    code = exc.code if isinstance(exc, AssistantError) else InternalError.code
    event = ErrorEvent(code, describe(exc))
    for sink in sinks:
        with suppress(Exception):
            sink(event)
