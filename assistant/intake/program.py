"""The exercises chosen at an intake, as a program for a guided session or a sheet: the codes,
profile D's warning, the ones for insufficient effect, and the patient they adapt to. Shared by
`assistant exercises --patient` and the therapist's screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.records.location import Location
    from assistant.records.rows import ConsultationRow, EvaluationRow

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from assistant.dialog.exercise_session import SessionConfig
from assistant.errors import Advice, Hint, UsageError
from assistant.protocol.exercises import Library, Patient
from assistant.protocol.model import Protocol


@dataclass(frozen=True)
class Program:
    """The exercises to do, profile D's caution when it applies, and the patient they adapt
    to (profile, precautions, exercise arm, frequencies)."""

    codes: tuple[str, ...]
    warning: str | None = None
    later: tuple[str, ...] = ()  # D: the nerve glides, for when the therapy helps too little
    patient: Patient = field(default_factory=Patient)

    def session_config(self, library: Library) -> SessionConfig:
        """What a guided session through this program needs to know."""
        return SessionConfig(warning=self.warning, patient=self.patient,
                             cautions=library.cautions_for(self.patient))


def known_frequencies(given: Mapping[str, object], codes: tuple[str, ...],
                      protocol: Protocol) -> dict[str, str]:
    """The frequencies of `given` (as stored) that are one of the choice's phrases, for one
    of `codes`; anything else (an old or altered record) is left out: the default holds."""
    allowed = protocol.library.choice.frequencies
    return {code: words for code, words in given.items()
            if code in codes and isinstance(words, str) and words in allowed}


def patient_program(patient: str, db: Location | None, protocol: Protocol) -> Program:
    """The exercises chosen at the patient's latest intake, with its menu's warning, the ones
    for insufficient effect and the arm side (UsageError when there are none to do, and when
    the patient was referred at the intake or since: see `_ended`)."""
    from assistant.records.location import resolve_db
    from assistant.records.rows import validate_patient_id
    from assistant.records.store import Store

    validate_patient_id(patient)
    with Store.open(resolve_db(db), write=False) as store:
        consultation = store.latest_consultation(patient)
        rows = [] if consultation is None else store.evaluations(patient, consultation.id)
    if consultation is None:
        raise UsageError(f"geen intake gevonden voor '{patient}'", option="patient")
    if consultation.result.get("referral"):
        raise UsageError(f"'{consultation.patient}' is bij de intake verwezen (graad IV): "
                         "volgens de richtlijn eerst naar de huisarts, zonder oefenprogramma",
                         option="patient")
    codes = tuple(consultation.chosen_exercises)
    if not codes:
        raise UsageError(f"bij de intake van '{patient}' zijn geen oefeningen gekozen",
                         Advice(Hint.CHOOSE_CODES), option="patient")
    profile = consultation.result.get("profile")
    if profile and rows:
        _ended(protocol, consultation, profile, rows)
    of_intake = Patient.from_intake(
        consultation.findings, profile,
        known_frequencies(consultation.exercise_frequencies, codes, protocol))
    if not profile:
        return Program(codes, patient=of_intake)
    chosen_profile = protocol.profile(profile)
    return Program(codes, chosen_profile.exercise_warning,
                   chosen_profile.exercises_if_insufficient, of_intake)


def _ended(protocol: Protocol, consultation: ConsultationRow, profile: str,
           rows: Sequence[EvaluationRow]) -> None:
    """UsageError when the latest measurement's advice (as `assistant followup` gives it)
    ends the treatment: referred back to the GP (D: the arm worse), or stopped for want of
    improvement. A programme at home, or a recording that says "blijf actief, ook met wat
    pijn", would contradict it; a new intake starts a new programme."""
    from assistant.records.render import followup_for

    latest = rows[-1].date
    outcome = followup_for(protocol, consultation, profile, latest, rows,
                           consultation.psk_activities)
    if outcome.referred_on is not None:  # it stands once given
        raise UsageError(f"'{consultation.patient}' is bij de meting van "
                         f"{outcome.referred_on.isoformat()} "
                         "terugverwezen naar de huisarts: geen oefenprogramma meer; na een "
                         "nieuwe intake weer", option="patient")
    if "stop_and_contact_gp" in outcome.actions:
        raise UsageError(f"'{consultation.patient}' is bij de meting van {latest.isoformat()} "
                         "gestopt met de behandeling, met contact met de huisarts: geen "
                         "oefenprogramma zolang dat advies geldt", option="patient")
