"""Whole consultations to drive the real dialog with: every profile (A–D) and referral (through a
red flag, or a trauma the Canadian C-spine rule does not clear), traumas the rule clears,
traumas too long ago for the rule, precautions, answers phrased as people say them, with doubt
('weet ik niet'), repeats, help, misunderstandings, 'terug' and pauses mixed in.

`Patient` is a listener and an event sink at once (like the CLI's `--answers` answerer): it sees
which question is open and answers it from its findings, through the same parser as anyone.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.dialog.answer_checks import longer_than
from assistant.dialog.events import Answer, Ask, Confirm, Event
from assistant.protocol.model import AnswerType, Protocol, Question
from assistant.speech.interfaces import Utterance

PROFILES = ("A", "B", "C", "D", "referral")
YES = ("ja", "ja hoor", "jawel", "klopt", "dat klopt", "jazeker", "eh ja", "ja inderdaad")
NO = ("nee", "nee hoor", "neen", "nee helemaal niet", "uhm nee", "niet", "nee nooit")
DOUBT = ("weet ik niet", "niet getest", "misschien", "ik denk het niet", "geen idee",
         "dat weet ik niet", "niet nagevraagd", "ik twijfel")
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
# The age, asked first: adults under 65, so the age itself decides nothing (a minor, or 65 and
# older after a trauma, would change the plan: DESIGN.md rule 11).
AGES = ("47", "zevenenveertig", "35 jaar", "52", "achtentwintig", "61 jaar oud", "40", "33")
# When the accident was: recent (the C-spine rule applies) or long ago (it does not, rule 12).
# (what is said, weeks): the neck pain began after the accident, so the script's neck pain is
# never longer than the time since it (the intake asks that again).
RECENT = (("drie dagen", 3 / 7), ("twee weken", 2.0), ("een week", 1.0), ("tien dagen", 10 / 7),
          ("vier weken", 4.0), ("gisteren", 1 / 7), ("twaalf weken", 12.0))
OLD = (("twee jaar", 2 * 365.25 / 7), ("een half jaar", 182.625 / 7),
       ("vijf maanden", 5 * 30.4375 / 7), ("drie jaar geleden", 3 * 365.25 / 7))
INTERJECTIONS = ("herhaal", "help", "blauw", "wat zei u")  # each leads to the question again
BONE = ("pr_osteoporosis", "pr_corticosteroids", "pr_rheumatoid_arthritis")  # trauma → fracture
# After a trauma: how the Canadian C-spine rule goes. "cleared" lets the intake go on; the
# others refer (a high-risk factor, no low-risk factor, no 45° rotation, or a bone precaution
# before the trauma, for which the rule is not asked at all).
TRAUMA_ROUTES = ("high_risk", "no_low_risk", "no_rotation", "precaution")
BACK_AFTER = ("neuro_sensory", "adl_impact", "weeks_since_onset", "trauma_related")


@dataclass
class Script:
    """One consultation: the answers it gives and the profile it should end in."""

    profile: str
    answers: dict[str, str]  # question id → utterance
    red_flag: str | None = None  # the red-flag question answered yes (referral)
    interject: dict[str, str] = field(default_factory=dict)  # question id → said before it
    back_after: str | None = None  # say 'terug' once after answering this question
    pause_at: str | None = None  # say 'pauze' then 'verder' at this question
    trauma: str | None = None  # None: no trauma; else "cleared", "old" or one of TRAUMA_ROUTES
    precautions: tuple[str, ...] = ()  # the precaution questions answered yes
    # question id → doubts said before its answer, one each time it is asked; two on a red
    # flag and the answer is never reached: the sign is recorded as unknown (provisional)
    doubt: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def provisional(self) -> bool:
        """The result should be provisional: a red flag doubted twice, and no referral."""
        twice = any(len(d) >= 2 and q.startswith("rf_") for q, d in self.doubt.items())
        return twice and self.profile != "referral"


def _no_factor(question: Question) -> str:
    """The answer that does not give the finding ('nee', or 'ja' when asked the other way)."""
    return "nee" if question.yes_means else "ja"


def _factor(question: Question) -> str:
    return "ja" if question.yes_means else "nee"


def _c_spine(protocol: Protocol, route: str, rng: random.Random) -> dict[str, str]:
    """Answers to the three steps of the Canadian C-spine rule for a trauma `route`."""
    high = protocol.section_questions("c_spine_high")
    # the low-risk factors of the history, then midline tenderness, examined
    low = [*protocol.section_questions("c_spine_low"),
           *protocol.section_questions("c_spine_tenderness")]
    (rotation,) = protocol.section_questions("c_spine_rotation")
    answers = {q.id: rng.choice(NO) for q in high}
    if route == "high_risk":  # not the age item: the age, known, answers it (never asked)
        answers[rng.choice([q for q in high if q.answered_by is None]).id] = rng.choice(YES)
    # the low-risk section ends at the first low-risk factor: the ones before it are absent
    factor = len(low) if route == "no_low_risk" else rng.randrange(len(low))
    for i, question in enumerate(low):
        answers[question.id] = _factor(question) if i == factor else _no_factor(question)
    answers[rotation.id] = "nee" if route == "no_rotation" else rng.choice(YES)
    return answers


def _accident(rng: random.Random, when: tuple[tuple[str, float], ...], onset: str,
              onset_weeks: float) -> tuple[str, str, float]:
    """When the accident was, and the neck pain's duration in words and weeks: the pain is no
    longer than the time since the accident. A pain longer than every time offered becomes
    twelve weeks, since an accident twelve weeks ago (still a course over six weeks)."""
    fits = [said for said, weeks in when if not longer_than(onset_weeks, weeks)]
    if fits:
        return rng.choice(fits), onset, onset_weeks
    return "twaalf weken", "twaalf weken", 12.0


def make_scripts(protocol: Protocol, count: int, seed: int = 6) -> list[Script]:
    """`count` consultations, cycling through the profiles and referral. Referrals alternate
    between a red flag (each in turn) and a trauma the C-spine rule does not clear (each route
    in turn); other profiles have a trauma the rule clears now and then, precautions, and doubt
    ("weet ik niet") on a red flag or another yes/no question."""
    rng = random.Random(seed)
    red_flags = [q.id for q in protocol.section_questions("red_flags")]
    precautions = [q.id for q in protocol.section_questions("precautions")]
    neuro = [q.id for q in protocol.section_questions("neurological")]
    examined = [q.id for q in protocol.section_questions("examination")]
    other_yes_no = [q.id for q in protocol.questions if q.type is AnswerType.YES_NO
                    and q.section != "red_flags"]
    scripts = []
    for n in range(count):
        profile = PROFILES[n % len(PROFILES)]
        answers = {q: rng.choice(NO) for q in [*red_flags, *precautions, *neuro, *examined]}
        red_flag, trauma = None, None
        if profile == "referral":
            k = n // len(PROFILES)
            if k % 2 == 0:
                red_flag = red_flags[(k // 2) % len(red_flags)]
                answers[red_flag] = rng.choice(YES)
            else:
                trauma = TRAUMA_ROUTES[(k // 2) % len(TRAUMA_ROUTES)]
        elif rng.random() < 0.3:  # now and then a trauma too long ago for the rule
            trauma = "old" if rng.random() < 0.3 else "cleared"
        said = [q for q in precautions if rng.random() < 0.1]
        if trauma == "precaution":
            said.append(rng.choice(BONE))
        elif trauma not in (None, "old"):  # a bone precaution would refer before the rule
            said = [q for q in said if q not in BONE]
        for question in said:
            answers[question] = rng.choice(YES)
        # arm complaints: the gate to the arm signs (now and then complaints without signs)
        answers["arm_complaints"] = rng.choice(YES if profile == "D" or rng.random() < 0.2
                                               else NO)
        if profile == "D":  # one or more arm signs, a radicular test, referred for it or not
            answers[rng.choice(neuro)] = rng.choice(YES)
        answers["arm_side"] = rng.choice(["links", "rechts", "de rechterkant", "de linkerarm"])
        answers["radicular_test"] = rng.choice(["positief", "negatief", "niet gedaan"])
        answers["referred_for_arm_signs"] = rng.choice(YES if rng.random() < 0.3 else NO)
        answers["adl_impact"] = rng.choice(IMPACT[rng.choice(list(IMPACT))])
        short = profile == "A" or rng.random() < 0.5
        onset, onset_weeks = rng.choice(SHORT if short else LONG)
        answers["weeks_since_onset"] = onset
        improving = profile == "A" or rng.random() < 0.4
        answers["improving"] = rng.choice(YES if improving else NO)
        recurrent = profile != "A" and short and improving
        answers["recurrent"] = rng.choice(YES if recurrent else NO)
        answers["psychosocial_dominant"] = rng.choice(YES if profile == "C" else NO)
        answers["age_years"] = rng.choice(AGES)
        # right after a vascular or spinal-cord flag (found, or doubted twice): no deficit now;
        # in a referral now and then a "ja" (112); elsewhere a "ja" would refer a doubted flag
        deficit = profile == "referral" and rng.random() < 0.2
        answers["acute_deficit_now"] = rng.choice(YES if deficit else NO)
        answers["trauma_related"] = rng.choice(NO if trauma is None else YES)
        if trauma is not None:
            answers["trauma_weeks_ago"], onset, onset_weeks = _accident(
                rng, OLD if trauma == "old" else RECENT, onset, onset_weeks)
            answers["weeks_since_onset"] = onset
        # a cleared trauma is now and then one a doctor ruled out with imaging (no rule asked)
        imaged = trauma == "cleared" and rng.random() < 0.3
        answers["fracture_ruled_out"] = rng.choice(YES if imaged else NO)
        if trauma not in (None, "old") and not imaged:  # (the rule comes before the
            # precautions: with a bone precaution it clears the neck, the precaution refers)
            answers.update(_c_spine(protocol, "cleared" if trauma == "precaution" else trauma,
                                    rng))
        works = rng.random() < 0.8
        work = works and rng.random() < 0.6
        answers["has_work"] = rng.choice(YES if works else NO)
        answers["work_related"] = rng.choice(YES if work else NO)
        # sick leave no longer than the neck pain (a longer one is asked again)
        answers["work_absence_weeks"] = rng.choice([a for a, weeks in ABSENCE
                                                    if weeks <= onset_weeks])
        doubt: dict[str, tuple[str, ...]] = {}
        if rng.random() < 0.25:  # doubt on a red flag, then "nee" (or doubt again: unknown)
            flag = rng.choice([q for q in red_flags if q != red_flag])
            doubt[flag] = tuple(rng.sample(DOUBT, 2 if rng.random() < 0.4 else 1))
        if rng.random() < 0.15:  # doubt elsewhere: the help, then the answer
            doubt[rng.choice(other_yes_no)] = (rng.choice(DOUBT),)
        asked = [q.id for q in protocol.questions]
        interject = {q: rng.choice(INTERJECTIONS) for q in asked if rng.random() < 0.08}
        scripts.append(Script(
            profile, answers, red_flag, interject,
            back_after=rng.choice(BACK_AFTER) if rng.random() < 0.3 else None,
            pause_at=rng.choice(asked) if rng.random() < 0.1 else None,
            trauma=trauma, precautions=tuple(q for q in precautions if q in said),
            doubt=doubt))
    return scripts


def coverage(scripts: Sequence[Script]) -> str:
    """What the scripts exercise beyond the profiles, in a phrase for the method text."""
    routes: Counter[str] = Counter(s.trauma for s in scripts if s.trauma is not None)
    referred = sum(routes[r] for r in TRAUMA_ROUTES)
    doubted = [s for s in scripts if s.doubt]
    return (f"{routes['cleared']} with a trauma the Canadian C-spine rule clears, "
            f"{routes['old']} with a trauma too long ago for the rule, {referred} "
            f"referred after a trauma ({routes['high_risk']} with a high-risk factor, "
            f"{routes['no_low_risk']} without a low-risk factor, {routes['no_rotation']} not "
            f"rotating 45°, {routes['precaution']} with a bone precaution), "
            f"{sum(bool(s.precautions) for s in scripts)} with a precaution, {len(doubted)} with "
            f"doubt (`weet ik niet`, `niet getest`, …), {sum(s.provisional for s in scripts)} of "
            "which end provisional (a red flag doubted twice)")


def checklist_reply(ask: Ask, answers: Mapping[str, str],
                    doubted: Container[str] = ()) -> str:
    """A checklist as a therapist answers it from the answers per sign: "een voor een" when a
    sign is to be doubted (then each sign is asked and answered on its own), else the numbers
    of the signs answered yes, or "geen"."""
    signs = [sign["id"] for sign in ask.signs]
    if any(sign in doubted for sign in signs):
        return "een voor een"
    present = [str(n) for n, sign in enumerate(signs, 1) if answers.get(sign) in YES]
    return " en ".join(present) or "geen"


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
        self._doubted: dict[str, int] = {}  # question id → doubts said

    def __call__(self, event: Event) -> None:
        if isinstance(event, Ask) and event.signs:
            self._question = event.question
            self._queue = [checklist_reply(event, self.script.answers, self.script.doubt)]
        elif isinstance(event, Ask):
            self._question = event.question
            self._queue = self._replies(event.question)
        elif isinstance(event, Confirm):
            self._queue = ["ja"]
        elif isinstance(event, Answer):
            self._answered.add(event.question)

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
        doubts = script.doubt.get(question, ())
        said = self._doubted.get(question, 0)
        if said < len(doubts):  # the question comes again after a doubt
            return [*replies, doubts[said]]
        return [*replies, script.answers[question]]

    def listen(self, grammar: Sequence[str]) -> Utterance | None:
        if not self._queue:
            return None
        text = self._queue.pop(0)
        question = self._question
        if question is not None:
            doubts = self.script.doubt.get(question, ())
            said = self._doubted.get(question, 0)
            if said < len(doubts) and text == doubts[said]:  # counted once it is said
                self._doubted[question] = said + 1
        self.handed_over = self.clock()
        return Utterance(text)


def spoken_events(events: Sequence[dict[str, Any]]) -> list[str]:
    """The texts a SpeechOutput would say, in order."""
    from assistant.dialog.events import SPOKEN_KINDS

    return [e["text"] for e in events if e["event"] in SPOKEN_KINDS]
