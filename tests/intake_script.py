"""Answer scripts keyed by question id: a listener that watches the dialog's events, sees which
question is asked (or which answer is read back for ja/nee) and answers it from a dict.

A script names what is said to each question, not where it comes in the intake, so a question
inserted, dropped or moved breaks only a script that does not cover it, with a message naming
the question. `ScriptDriver` is both the dialog's listener and one of its event sinks.

A checklist (one ask for a whole screening section, with its `signs`) is answered from the
script's replies to its signs, as a therapist would: "geen" when every sign is "nee", the
numbers of the signs that are "ja" when each is a plain "ja" or "nee", and otherwise (doubt,
words beside the answer, a voice confidence, a read-back scripted for a sign) "een voor een",
after which each sign is asked, and answered, on its own. The script may also name the
checklist itself (its id: "red_flags", "precautions"). The gate "arm_complaints", when not
named, is answered from the three arm signs: "nee" when all are "nee", else "ja".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeAlias

from assistant.dialog.events import Answer, Ask, Confirm, Event, Reprompt
from assistant.protocol.model import Protocol
from assistant.speech.interfaces import Utterance

# What is said once: typed text, an utterance (voice: a confidence), or None: the input ends
# there (which the dialog takes as 'stop').
Reply: TypeAlias = str | Utterance | None
# A script's value: one reply, said every time the question is asked; or a list, one reply each
# time it is asked, in turn (asked once more than listed: the test fails).
Said: TypeAlias = Reply | list[Reply]


MAX_SAME = 12  # the same question this often in a row: the script loops
ARM_GATE = "arm_complaints"  # "nee": the arm signs are not examined
ARM_SIGNS = ("neuro_reflexes", "neuro_weakness", "neuro_sensory")


class UnscriptedQuestion(AssertionError):
    """The dialog asked something the script does not answer (or more often than it lists)."""


@dataclass(frozen=True)
class IntakeScript:
    """What is said to each question.

    `answers`: question id (or the findings key it fills, as in an ask event's "finding") →
    what is said. `defaults`: section id → the reply to every question of that section the
    answers do not name ('nee' to every red flag). `confirms`: question id → what is said when
    its answer is read back for ja/nee, or the findings key the read-back confirms ("red_flags":
    all of them read back as a whole, by voice); a read-back not named: "ja". `strict`: after
    the run, every answer named must have been used up (`leftovers`)."""

    answers: Mapping[str, Said] = field(default_factory=dict)
    defaults: Mapping[str, Reply] = field(default_factory=dict)
    confirms: Mapping[str, Said] = field(default_factory=dict)
    strict: bool = False

    def describe(self) -> str:
        """The script in a failure message: its answers, defaults and read-back replies."""
        parts = [f"answers={dict(self.answers)!r}"]
        if self.defaults:
            parts.append(f"defaults={dict(self.defaults)!r}")
        if self.confirms:
            parts.append(f"confirms={dict(self.confirms)!r}")
        return "IntakeScript(" + ", ".join(parts) + ")"


def script(*parts: Mapping[str, Said], defaults: Mapping[str, Reply] | None = None,
           confirms: Mapping[str, Said] | None = None, strict: bool = False) -> IntakeScript:
    """An IntakeScript from dicts of answers merged left to right (a later one overrides)."""
    answers: dict[str, Said] = {}
    for part in parts:
        answers.update(part)
    return IntakeScript(answers, dict(defaults or {}), dict(confirms or {}), strict)


@dataclass
class _Cursor:
    """How often each key of a mapping has been used."""

    used: dict[str, int] = field(default_factory=dict)

    def take(self, key: str, said: Said) -> tuple[bool, Reply]:
        """The next reply of `said` under `key`: (False, None) when a list is used up."""
        n = self.used.get(key, 0)
        self.used[key] = n + 1
        if not isinstance(said, list):
            return True, said
        if n >= len(said):
            return False, None
        return True, said[n]

    def leftovers(self, scripted: Mapping[str, Said]) -> dict[str, Said]:
        """What `scripted` holds that was never said: keys never asked, unused list tails."""
        out: dict[str, Said] = {}
        for key, said in scripted.items():
            n = self.used.get(key, 0)
            if n == 0:
                out[key] = said
            elif isinstance(said, list) and n < len(said):
                out[key] = said[n:]
        return out


class ScriptDriver:
    """The listener (and an event sink) that answers a dialog from an IntakeScript.

    Pass it as the listener and as one of the sinks. At each listen it answers what the events
    last asked: an ask (or a reprompt of it) from the answers, a confirm (until an answer or a
    new ask follows; reprompts keep it waiting) from the confirm replies. Something unscripted
    raises UnscriptedQuestion naming the question id and the script. `said` records every reply
    given, in order (None: the input ended), `listened` what each answered."""

    def __init__(self, intake: IntakeScript, protocol: Protocol) -> None:
        self.script = intake
        self.sections = {q.id: q.section for q in protocol.questions}
        self.said: list[Reply] = []
        # at each listen, in order: what it answered ("ask" or "confirm", the question id)
        self.listened: list[tuple[str, str]] = []
        self._waiting: tuple[str, str, str | None] | None = None  # (ask|confirm, id, finding)
        self._signs: tuple[str, ...] = ()  # the signs of the checklist asked (its ask's)
        self._answers = _Cursor()
        self._confirms = _Cursor()

    def __call__(self, event: Event) -> None:
        if isinstance(event, Ask):
            self._waiting = ("ask", event.question, event.finding)
            self._signs = tuple(sign["id"] for sign in event.signs)
        elif isinstance(event, Confirm):
            self._waiting = ("confirm", event.question, event.finding)
        elif isinstance(event, Reprompt):
            if self._waiting is None or self._waiting[1] != event.question:
                self._waiting = ("ask", event.question, None)
        elif isinstance(event, Answer):
            self._waiting = None

    def listen(self, grammar: Sequence[str]) -> Utterance | None:
        reply = self._reply()
        self.said.append(reply)
        if reply is None or isinstance(reply, Utterance):
            return reply
        return Utterance(reply)

    def _reply(self) -> Reply:
        if self._waiting is None:
            self._fail("the dialog listens with no question asked")
        mode, question, finding = self._waiting
        self.listened.append((mode, question))
        if self.listened[-MAX_SAME:].count((mode, question)) == MAX_SAME:
            self._fail(f"{question!r} was asked {MAX_SAME} times in a row (the same reply "
                       "each time, never taken?)")
        if mode == "confirm":
            key = question if question in self.script.confirms else finding or question
            said: Said = self.script.confirms.get(key, "ja")
            found, reply = self._confirms.take(key, said)
            if not found:
                self._fail(f"the read-back of {question!r} came more often than its "
                           f"{len(said) if isinstance(said, list) else 1} scripted replies")
            return reply
        named = question if question in self.script.answers else finding
        if self._signs and question not in self.script.answers:
            return self._checklist_reply()
        if question == ARM_GATE and named not in self.script.answers:
            return self._gate_reply()
        if named is not None and named in self.script.answers:
            said = self.script.answers[named]
            found, reply = self._answers.take(named, said)
            if not found:
                self._fail(f"question {question!r} was asked more often than the "
                           f"{len(said) if isinstance(said, list) else 1} replies scripted "
                           f"for {named!r}")
            return reply
        section = self.sections.get(question)
        if section is not None and section in self.script.defaults:
            return self.script.defaults[section]
        self._fail(f"question {question!r} (finding {finding!r}, section {section!r}) is not "
                   "in the script")

    def _sign_reply(self, sign: str) -> tuple[bool, Reply]:
        """What the script says to one sign: (named in the answers, the reply)."""
        if sign in self.script.answers:
            said = self.script.answers[sign]
            return True, said[0] if isinstance(said, list) and said else \
                None if isinstance(said, list) else said
        section = self.sections.get(sign)
        if section is not None and section in self.script.defaults:
            return False, self.script.defaults[section]
        self._fail(f"sign {sign!r} of a checklist is not in the script")

    def _checklist_reply(self) -> Reply:
        replies = {sign: self._sign_reply(sign) for sign in self._signs}
        plain = all(reply in ("ja", "nee") and not (named and isinstance(
            self.script.answers[sign], list) and len(self.script.answers[sign]) > 1)
            and sign not in self.script.confirms for sign, (named, reply) in replies.items())
        if not plain:
            return "een voor een"
        for sign, (named, _) in replies.items():
            if named:
                self._answers.take(sign, self.script.answers[sign])
        present = [str(i) for i, (_, reply) in enumerate(replies.values(), 1) if reply == "ja"]
        return " en ".join(present) if present else "geen"

    def _gate_reply(self) -> Reply:
        signs = [sign for sign in ARM_SIGNS if sign in self.script.answers]
        if not signs and ARM_GATE in self.script.defaults:
            return self.script.defaults[ARM_GATE]
        if not signs:
            self._fail("the gate 'arm_complaints' and the arm signs are not in the script")
        if len(signs) == len(ARM_SIGNS) and all(self.script.answers[s] == "nee" for s in signs):
            for sign in signs:
                self._answers.take(sign, self.script.answers[sign])
            return "nee"
        return "ja"

    def _fail(self, why: str) -> NoReturn:
        raise UnscriptedQuestion(f"{why}; script: {self.script.describe()}")

    def leftovers(self) -> dict[str, Any]:
        """The script's answers and read-back replies that were never said (keys prefixed
        'confirm:' for read-backs)."""
        out: dict[str, Any] = dict(self._answers.leftovers(self.script.answers))
        for key, said in self._confirms.leftovers(self.script.confirms).items():
            out[f"confirm:{key}"] = said
        return out

    def check(self) -> None:
        """With a strict script: fail when anything scripted was never said."""
        if self.script.strict:
            left = self.leftovers()
            assert not left, (f"scripted but never asked: {left!r}; "
                              f"script: {self.script.describe()}")
