"""Intake length: how many answers the therapist gives, and how long the whole intake takes
spoken, for a textbook patient of each kind, in text mode and by voice (the same dialog; by
voice a red-flag checklist answered "geen" is read back, one answer more). Issue 25 shortened
it: the complaint first, the checklists, the arm gate, one examination block.

The spoken time is the intake's own prompts synthesised with espeak-ng (through pyttsx3, the
product's voice at its default rate), each once as it is said, plus a fixed 1.5 s per answer
(the therapist's reply and the end of speech); no audio device is needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.dialog.consultation import DialogConfig
from assistant.dialog.events import SPOKEN, Ask, Confirm, Event, ResultEvent
from assistant.intake.run import run_consultation
from assistant.protocol.model import Protocol
from assistant.speech.interfaces import Utterance
from bench.report import Row, Section, at_most
from bench.scenarios import checklist_reply

ANSWER_SECONDS = 1.5  # s per answer: the reply and the end of speech (issue 25)
MAX_ANSWERS = 120  # more means a script that answers a question wrongly, asked again
NO = "nee"
SCREENED = {"age_years": "47", "trauma_related": NO}  # red flags and precautions: "nee"
ARM_FREE = {"arm_complaints": NO}
COURSE = {"adl_impact": "een beetje", "weeks_since_onset": "drie weken", "improving": "ja",
          "recurrent": NO, "has_work": "ja", "work_related": NO, "work_absence_weeks": "geen"}
CLEARED_TRAUMA = {"trauma_related": "ja", "trauma_weeks_ago": "drie weken",
                  "fracture_ruled_out": NO, "cs_simple_rear_end": "ja", "cs_rotation_45": "ja"}
ARM_SIGNS = {"arm_complaints": "ja", "neuro_reflexes": "ja", "neuro_weakness": NO,
             "neuro_sensory": "ja",
             "arm_side": "links", "radicular_test": "positief", "referred_for_arm_signs": NO}
FIRST = "grade I–II, no trauma, no arm complaints"  # issue 25's target patient
PATIENTS: dict[str, dict[str, str]] = {
    "grade I–II, no trauma, no arm complaints": {**SCREENED, **ARM_FREE, **COURSE},
    "grade II after a cleared trauma": {**SCREENED, **CLEARED_TRAUMA, **ARM_FREE, **COURSE},
    "grade III after a cleared trauma, arm complaints": {
        **SCREENED, **CLEARED_TRAUMA, **ARM_SIGNS, **COURSE},
}


@dataclass
class Therapist:
    """Answers each question by its id (a screening question "nee" unless named), a checklist
    with the numbers of the signs named "ja" or else "geen", "ja" to a read-back, one exercise
    at the choice; a listener and an event sink at once."""

    answers: Mapping[str, str]
    given: int = 0
    in_intake: int | None = None  # the answers given until the result
    _reply: str | None = None

    def __call__(self, event: Event) -> None:
        if isinstance(event, ResultEvent):
            self.in_intake = self.given
        if isinstance(event, Ask) and event.signs:
            self._reply = checklist_reply(event, self.answers)
        elif isinstance(event, Ask):
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
    for (name, answers), voice in ((p, v) for p in PATIENTS.items() for v in (False, True)):
        events: list[Event] = []
        therapist = Therapist(answers)
        outcome = run_consultation(protocol, therapist, [therapist, events.append],
                                   DialogConfig(voice=voice))
        result = outcome.consultation.result
        assert result is not None, name
        # the intake: until the result and its spoken summary (the choice of exercises follows)
        end = next(i for i, e in enumerate(events) if isinstance(e, ResultEvent)) + 2
        said = [e.text for e in events[:end]
                if isinstance(e, SPOKEN) and getattr(e, "aloud", True)]
        asked = sum(1 for e in events[:end] if isinstance(e, Ask))
        prompts = spoken_seconds(said)
        assert therapist.in_intake is not None
        total = prompts + ANSWER_SECONDS * therapist.in_intake
        kind = result.profile or "verwijzing"
        mode = "by voice" if voice else "text mode"
        answered = f"answers given, {name}, {mode}"
        rows.append(at_most(answered, therapist.in_intake, 16, str(therapist.in_intake), "≤ 16")
                    if name == FIRST else Row(answered, str(therapist.in_intake)))
        if voice:  # what is spoken is the same text in both modes but the read-back
            spoken = f"whole intake spoken, {name}"
            shown = f"{total / 60:.1f} min ({prompts:.0f} s prompts)"
            rows.append(at_most(spoken, total, 180, shown, "≤ 3.0 min") if name == FIRST
                        else Row(spoken, shown))
        lines.append(f"- {name}, {mode}: profile {kind}, {asked} questions asked, "
                     f"{therapist.in_intake} answers given until the result (read-backs "
                     f"included; {therapist.given} with the choice of exercises and its "
                     f"read-back), {len(said)} prompts spoken in {prompts:.0f} s, with "
                     f"{ANSWER_SECONDS} s per answer {total / 60:.1f} min.")
    method = (
        "Each patient is answered by question id, in text mode and by voice (the same dialog, "
        "with the voice's read-backs): each checklist (precautions, red flags) \"geen\", the "
        "examination's red flags \"nee\", the answers below, \"ja\" to every read-back, one "
        "exercise at the choice. Answers given counts every reply the "
        "therapist types or says until the result, read-backs included. Spoken: every prompt "
        "the dialog speaks (questions, section intros, read-backs, the conclusion) "
        "synthesised with espeak-ng through pyttsx3 at its default rate, summed, plus "
        f"{ANSWER_SECONDS} s per answer.")
    return Section("length", "Intake length (answers and spoken time)", method, rows,
                   details="\n".join(lines),
                   notes="Issue 25 aims at ≤ 16 answers and ≤ 3 minutes spoken for the first "
                         "patient, until the result. Before it (red flags first, every sign "
                         "its own question), counted with the choice of exercises and its "
                         "read-back: 34 answers (32 until the result) and 3.7 min; 43 and "
                         "4.8 min after a cleared trauma; 46 and 5.1 min with arm signs as "
                         "well. The trauma patients answer the C-spine rule's history items one "
                         "by one: each is a step of the rule, read back where it decides.")
