"""10. Intake length: how many answers the therapist gives, and how long the whole intake takes
spoken, for a textbook patient of each kind (issue 25 measures the consultation's length before
it shortens it; text mode and voice run the same dialog).

The spoken time is the intake's own prompts synthesised with espeak-ng (through pyttsx3, the
product's voice at its default rate), each once as it is said, plus a fixed 1.5 s per answer
(the therapist's reply and the end of speech); no audio device is needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.dialog.events import SPOKEN, Ask, Confirm, Event
from assistant.intake.run import run_consultation
from assistant.protocol.model import Protocol
from assistant.speech.interfaces import Utterance
from bench.report import Row, Section

ANSWER_SECONDS = 1.5  # s per answer: the reply and the end of speech (issue 25)
MAX_ANSWERS = 120  # more means a script that answers a question wrongly, asked again
NO = "nee"
SCREENED = {"age_years": "47", "trauma_related": NO}  # red flags and precautions: "nee"
ARM_FREE = {"neuro_reflexes": NO, "neuro_weakness": NO, "neuro_sensory": NO}
COURSE = {"adl_impact": "een beetje", "weeks_since_onset": "drie weken", "improving": "ja",
          "recurrent": NO, "has_work": "ja", "work_related": NO, "work_absence_weeks": "geen"}
CLEARED_TRAUMA = {"trauma_related": "ja", "trauma_weeks_ago": "drie weken",
                  "fracture_ruled_out": NO, "cs_simple_rear_end": "ja", "cs_rotation_45": "ja"}
ARM_SIGNS = {"neuro_reflexes": "ja", "neuro_weakness": NO, "neuro_sensory": "ja",
             "arm_side": "links", "radicular_test": "positief", "referred_for_arm_signs": NO}
PATIENTS: dict[str, dict[str, str]] = {
    "grade I–II, no trauma, no arm complaints": {**SCREENED, **ARM_FREE, **COURSE},
    "grade II after a cleared trauma": {**SCREENED, **CLEARED_TRAUMA, **ARM_FREE, **COURSE},
    "grade III after a cleared trauma, arm complaints": {
        **SCREENED, **CLEARED_TRAUMA, **ARM_SIGNS, **COURSE},
}


@dataclass
class Therapist:
    """Answers each question by its id (a screening question "nee" unless named), "ja" to a
    read-back, one exercise at the choice; a listener and an event sink at once."""

    answers: Mapping[str, str]
    given: int = 0
    _reply: str | None = None

    def __call__(self, event: Event) -> None:
        if isinstance(event, Ask):
            self._reply = ("veertien" if event.question == "exercise_choice"
                           else self.answers.get(event.question, NO))
        elif isinstance(event, Confirm):
            self._reply = "ja"

    def listen(self, grammar: Sequence[str]) -> Utterance | None:
        reply, self._reply = self._reply, None
        if reply is not None:
            self.given += 1
            if self.given > MAX_ANSWERS:  # a question the script answers wrong, asked forever
                raise AssertionError(f"more than {MAX_ANSWERS} answers: the script is wrong")
        return None if reply is None else Utterance(reply)


def spoken_seconds(texts: Sequence[str]) -> float:
    """The length of `texts` spoken by espeak-ng through pyttsx3, s."""
    from assistant.speech.tts import Pyttsx3Synthesizer

    synthesizer = Pyttsx3Synthesizer()
    total = 0.0
    for text in texts:
        samples, rate = synthesizer.synthesize(text)
        total += len(samples) / rate
    return total


def measure(protocol: Protocol) -> Section:
    rows: list[Row] = []
    lines: list[str] = []
    for name, answers in PATIENTS.items():
        events: list[Event] = []
        therapist = Therapist(answers)
        outcome = run_consultation(protocol, therapist, [therapist, events.append])
        result = outcome.consultation.result
        assert result is not None, name
        said = [e.text for e in events if isinstance(e, SPOKEN) and getattr(e, "aloud", True)]
        asked = sum(1 for e in events if isinstance(e, Ask))
        prompts = spoken_seconds(said)
        total = prompts + ANSWER_SECONDS * therapist.given
        kind = result.profile or "verwijzing"
        rows.append(Row(f"answers given, {name}", str(therapist.given)))
        rows.append(Row(f"whole intake spoken, {name}",
                        f"{total / 60:.1f} min ({prompts:.0f} s prompts)"))
        lines.append(f"- {name}: profile {kind}, {asked} questions asked, "
                     f"{therapist.given} answers given (read-backs and the choice of exercises "
                     f"included), {len(said)} prompts spoken in {prompts:.0f} s, with "
                     f"{ANSWER_SECONDS} s per answer {total / 60:.1f} min.")
    method = (
        "Each patient is answered by question id in text mode (the voice dialog is the same "
        "dialog): every red flag and precaution \"nee\", the answers below, \"ja\" to every "
        "read-back, one exercise at the choice. Answers given counts every reply the "
        "therapist types or says, read-backs and the choice included. Spoken: every prompt "
        "the dialog speaks (questions, section intros, read-backs, the conclusion) "
        "synthesised with espeak-ng through pyttsx3 at its default rate, summed, plus "
        f"{ANSWER_SECONDS} s per answer.")
    return Section("length", "Intake length (answers and spoken time)", method, rows,
                   details="\n".join(lines),
                   notes="Issue 25 aims at ≤ 16 answers and ≤ 3 minutes spoken for the first "
                         "patient; these are the figures before it.")
