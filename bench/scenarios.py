"""Whole consultations to drive the real dialog with: every profile (A–D) and referral, answers
phrased as people say them, with repeats, help, misunderstandings, 'terug' and pauses mixed in.

`Patient` is a listener and an event sink at once (like the CLI's `--answers` answerer): it sees
which question is open and answers it from its findings, through the same parser as anyone.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.dialog.events import Event
from assistant.protocol.model import Protocol
from assistant.speech.interfaces import Utterance

PROFILES = ("A", "B", "C", "D", "referral")
YES = ("ja", "ja hoor", "jawel", "klopt", "dat klopt", "jazeker", "eh ja", "ja inderdaad")
NO = ("nee", "nee hoor", "neen", "nee helemaal niet", "uhm nee", "niet", "nee nooit")
IMPACT = {"none": ("geen", "helemaal geen", "geen invloed"),
          "mild": ("een beetje", "licht", "nauwelijks", "weinig"),
          "severe": ("fors", "heel veel", "erg veel", "flink")}
SHORT = (("drie weken", 3.0), ("een week of vier", 4.0), ("tien dagen", 10 / 7),
         ("twee weken", 2.0), ("vijf weken", 5.0), ("zes weken", 6.0), ("een maand", 30.4375 / 7))
LONG = (("anderhalve maand", 1.5 * 30.4375 / 7), ("twee maanden", 2 * 30.4375 / 7),
        ("acht weken", 8.0), ("een half jaar", 182.625 / 7), ("twaalf weken", 12.0),
        ("al meer dan zes weken", 6 + 1 / 7))
ABSENCE = (("geen", 0.0), ("nee geen verzuim", 0.0), ("twee weken", 2.0),
           ("zes weken", 6.0), ("een week of drie", 3.0))
INTERJECTIONS = ("herhaal", "help", "blauw", "wat zei u")  # each leads to the question again


@dataclass
class Script:
    """One consultation: the answers it gives and the profile it should end in."""

    profile: str
    answers: dict[str, str]  # question id → utterance
    red_flag: str | None = None  # the question answered yes (referral)
    interject: dict[str, str] = field(default_factory=dict)  # question id → said before it
    back_after: str | None = None  # say 'terug' once after answering this question
    pause_at: str | None = None  # say 'pauze' then 'verder' at this question


def make_scripts(protocol: Protocol, count: int, seed: int = 6) -> list[Script]:
    """`count` consultations, cycling through the profiles and referral."""
    rng = random.Random(seed)
    red_flags = [q.id for q in protocol.section_questions("red_flags")]
    neuro = [q.id for q in protocol.section_questions("neurological")]
    scripts = []
    for n in range(count):
        profile = PROFILES[n % len(PROFILES)]
        answers = {q: rng.choice(NO) for q in [*red_flags, *neuro]}
        red_flag = None
        if profile == "referral":
            red_flag = red_flags[(n // len(PROFILES)) % len(red_flags)]
            answers[red_flag] = rng.choice(YES)
        if profile == "D":
            answers[rng.choice(neuro)] = rng.choice(YES)
        answers["adl_impact"] = rng.choice(IMPACT[rng.choice(list(IMPACT))])
        short = profile == "A" or rng.random() < 0.5
        answers["weeks_since_onset"] = rng.choice(SHORT if short else LONG)[0]
        improving = profile == "A" or rng.random() < 0.4
        answers["improving"] = rng.choice(YES if improving else NO)
        recurrent = profile != "A" and short and improving
        answers["recurrent"] = rng.choice(YES if recurrent else NO)
        answers["psychosocial_dominant"] = rng.choice(YES if profile == "C" else NO)
        answers["trauma_related"] = rng.choice(YES if rng.random() < 0.3 else NO)
        work = rng.random() < 0.5
        answers["work_related"] = rng.choice(YES if work else NO)
        answers["work_absence_weeks"] = rng.choice(ABSENCE)[0]
        asked = [q.id for q in protocol.questions]
        interject = {q: rng.choice(INTERJECTIONS) for q in asked if rng.random() < 0.08}
        scripts.append(Script(
            profile, answers, red_flag, interject,
            back_after=rng.choice(["neuro_sensory", "adl_impact", "weeks_since_onset"])
            if rng.random() < 0.3 else None,
            pause_at=rng.choice(asked) if rng.random() < 0.1 else None))
    return scripts


class Patient:
    """Answers the open question from a Script; stamps when it hands each utterance over."""

    def __init__(self, script: Script, clock: Callable[[], float] = time.perf_counter) -> None:
        self.script = script
        self.clock = clock
        self.handed_over: float | None = None  # clock() when the last utterance was returned
        self._queue: list[str] = []
        self._question: str | None = None
        self._answered: set[str] = set()
        self._interjected: set[str] = set()
        self._went_back = False
        self._paused = False

    def __call__(self, event: Event) -> None:
        kind = event["event"]
        if kind == "ask":
            self._question = event["question"]
            self._queue = self._replies(event["question"])
        elif kind == "confirm":
            self._queue = ["ja"]
        elif kind == "answer":
            self._answered.add(event["question"])

    def _replies(self, question: str) -> list[str]:
        script = self.script
        if question not in script.answers:  # not an intake question (e.g. after the result)
            return []  # the input ends there
        replies: list[str] = []
        if (script.back_after is not None and script.back_after in self._answered
                and not self._went_back and question != script.back_after):
            self._went_back = True
            return ["terug"]
        if question == script.pause_at and not self._paused:
            self._paused = True
            replies += ["pauze", "verder"]
        if question in script.interject and question not in self._interjected:
            self._interjected.add(question)
            replies.append(script.interject[question])
        return [*replies, script.answers[question]]

    def listen(self, grammar: Sequence[str]) -> Utterance | None:
        if not self._queue:
            return None
        text = self._queue.pop(0)
        self.handed_over = self.clock()
        return Utterance(text)


def spoken_events(events: Sequence[dict[str, Any]]) -> list[str]:
    """The texts a SpeechOutput would say, in order."""
    from assistant.session import SPOKEN_EVENTS

    return [e["text"] for e in events if e["event"] in SPOKEN_EVENTS]
