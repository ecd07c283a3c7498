"""Understanding: the Dutch answer parser on the corpus (bench/corpus.tsv): the intake's
questions through `interpret`, and the measurement's 0–10 scores (NPRS, PSK) through
`read_score`, as the dialogs read them."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.dialog.intents import interpret
from assistant.dialog.readings import Between, Command, Doubt, Intent, Unclear, Understood
from assistant.dialog.scores import SCALE, read_score
from assistant.protocol.dialog_texts import UNCLEAR_REASONS
from assistant.protocol.model import Protocol
from bench.report import Row, Section, at_least, at_most, markdown_table

CORPUS = Path(__file__).with_name("corpus.tsv")
TODAY = date(2026, 11, 30)  # the consultation date the calendar rows ('sinds september') assume
TARGET = 0.99
COMMANDS = frozenset({"repeat", "back", "help", "pause", "resume", "stop"})
CHOICES = frozenset({"none", "mild", "severe", "left", "right", "both", "not_recorded",
                     "positive", "negative", "not_done"})
UNIT_DAYS = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}
_DURATION = re.compile(r"^(readback:)?(\d+(?:\.\d+)?):(days|weeks|months|years)$")
KINDS = ("yes/no", "doubt", "choice", "duration", "command", "between", "ask again",
         "read back")
# The measurement's score questions (assistant.protocol.dialog_texts.MEASUREMENTS): their rows
# expect score:<n> or readback:score:<n> (a score taken from a longer phrase), doubt, none or
# ask:<reason>; load_scores() gives them, load_corpus() the intake's rows.
SCORE_QUESTIONS = frozenset({"nprs", "psk1", "psk2", "psk3"})
_SCORE = re.compile(r"^(readback:)?score:(\d|10)$")

Reading = Intent


class CorpusError(ValueError):
    """A malformed corpus line; the message names the line."""


@dataclass(frozen=True)
class Case:
    line: int
    question: str
    utterance: str
    expected: str

    @property
    def kind(self) -> str:
        if self.question in SCORE_QUESTIONS:
            return "score"
        if self.expected in ("yes", "no"):
            return "yes/no"
        if self.expected in ("doubt", "between"):
            return self.expected
        if self.expected == "none" or self.expected.startswith("ask:"):
            return "ask again"
        if self.expected.startswith("readback:"):
            return "read back"  # a duration worked out, or a corrected choice
        return {"cmd": "command", "choice": "choice"}.get(self.expected.split(":")[0],
                                                          "duration")


def expected_intent(expected: str) -> Reading | None:
    """The reading an expectation stands for; CorpusError when it is not well-formed.
    'none': not understood; 'ask:<reason>': asked again with that reason; 'readback:3:weeks':
    a duration worked out and read back."""
    if expected in ("yes", "no"):
        return Understood(expected == "yes")
    if expected == "doubt":
        return Doubt()
    if expected == "between":
        return Between()
    if expected == "none":
        return None
    kind, _, value = expected.partition(":")
    if kind == "cmd" and value in COMMANDS:
        return Command(value)
    if kind == "choice" and value in CHOICES:
        return Understood(value)
    if kind == "readback" and value.startswith("choice:") and value[7:] in CHOICES:
        return Understood(value[7:], read_back=True)  # a corrected choice
    if kind == "ask" and value in UNCLEAR_REASONS:
        return Unclear(value)
    match = _DURATION.match(expected)
    if match:
        return Understood(float(match[2]) * UNIT_DAYS[match[3]] / 7.0, read_back=bool(match[1]))
    raise CorpusError(f"not an expectation: {expected!r}")


def expected_score(expected: str) -> Reading | None:
    """The reading a score row's expectation stands for: 'score:6' (a plain score),
    'readback:score:6' (taken from a longer phrase: read back), 'doubt', 'none' (not a score)
    or 'ask:<reason>' (whole_number, out_of_range); CorpusError otherwise."""
    match = _SCORE.match(expected)
    if match:
        return Understood(float(match[2]), read_back=bool(match[1]))
    if expected in ("doubt", "none") or (expected.startswith("ask:")
                                         and expected[4:] in UNCLEAR_REASONS):
        return expected_intent(expected)
    raise CorpusError(f"not a score expectation: {expected!r}")


def expectation(case: Case) -> Reading | None:
    """The reading `case` expects, for an intake question or a score."""
    if case.question in SCORE_QUESTIONS:
        return expected_score(case.expected)
    return expected_intent(case.expected)


def _rows(path: Path) -> list[Case]:
    """Every row of the corpus, intake and scores (comments, blank lines, header skipped)."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("question\t"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise CorpusError(f"{path.name}:{number}: expected 3 tab-separated fields")
        case = Case(number, *fields)
        try:
            expectation(case)
        except CorpusError as exc:
            raise CorpusError(f"{path.name}:{number}: {exc}") from None
        cases.append(case)
    return cases


def load_corpus(path: Path = CORPUS) -> list[Case]:
    """The rows of the intake's questions."""
    return [c for c in _rows(path) if c.question not in SCORE_QUESTIONS]


def load_scores(path: Path = CORPUS) -> list[Case]:
    """The rows of the measurement's 0–10 scores (NPRS, PSK)."""
    return [c for c in _rows(path) if c.question in SCORE_QUESTIONS]


def read(text: str, question_id: str, protocol: Protocol) -> Reading | None:
    """How the dialog takes `text` as the answer to the question, on the corpus's date (a
    score question as the measurement reads it)."""
    if question_id in SCORE_QUESTIONS:  # off the scale: asked again, as the dialog does
        score = read_score(text, protocol.vocabulary)
        if isinstance(score, Understood) and not (isinstance(score.value, float)
                                              and score.value in SCALE):
            return Unclear("out_of_range")
        return score
    return interpret(text, protocol.question(question_id), protocol.vocabulary, TODAY)


def matches(got: Reading | None, want: Reading | None) -> bool:
    """The same reading: answers of equal value (durations to 1e-9 weeks) and both read back
    or neither; the note is not compared (the unit tests do that)."""
    if isinstance(got, Understood) and isinstance(want, Understood):
        if got.read_back != want.read_back:
            return False
        if isinstance(want.value, float) and isinstance(got.value, float):
            return math.isclose(got.value, want.value, abs_tol=1e-9)
        return type(got.value) is type(want.value) and got.value == want.value
    return got == want


def misread(got: Reading | None, want: Reading | None) -> bool:
    """A defect: an answer taken that is not the expected one (a wrong value, or an answer where
    none was expected), or a command that was not said. Asking again is only a cost."""
    if isinstance(got, Understood):
        return not (isinstance(want, Understood) and matches(got, want))
    return isinstance(got, Command) and got != want


def shown(intent: Reading | None, unit: bool = True) -> str:
    """A reading in words; `unit`: a number is a duration in weeks (not a score)."""
    if intent is None:
        return "not understood"
    if isinstance(intent, Doubt | Between):
        return type(intent).__name__.lower()
    if isinstance(intent, Unclear):
        return f"ask again: {intent.reason}"
    if isinstance(intent, Command):
        return f"command {intent.name}"
    back = " (read back)" if intent.read_back else ""
    if isinstance(intent.value, float):
        return f"{intent.value:.4g}{' weeks' if unit else ''}{back}"
    return repr(intent.value)


def evaluate(protocol: Protocol, cases: list[Case]) -> list[tuple[Case, Reading | None]]:
    """The misses: each case whose reading differs from its expectation, with what was read."""
    misses = []
    for case in cases:
        got = read(case.utterance, case.question, protocol)
        if not matches(got, expectation(case)):
            misses.append((case, got))
    return misses


def reasked(got: Reading | None) -> bool:
    """The dialog asks the question again (not understood, doubt, between, unclear)."""
    return not isinstance(got, Understood | Command)


def measure(protocol: Protocol) -> Section:
    cases = load_corpus() + load_scores()
    misses = evaluate(protocol, cases)
    misreadings = [(c, got) for c, got in misses if misread(got, expectation(c))]
    total: Counter[str] = Counter(c.kind for c in cases)
    missed: Counter[str] = Counter(c.kind for c, _ in misses)
    answers = [c for c in cases if isinstance(expectation(c), Understood)]
    readings = {c.line: read(c.utterance, c.question, protocol) for c in cases}
    reask_all = sum(reasked(readings[c.line]) for c in cases)
    reask_meant = sum(reasked(readings[c.line]) for c in answers)
    accuracy = 1 - len(misses) / len(cases)
    read_back = sum(c.kind == "read back" or c.expected.startswith("readback:") for c in answers)
    rows: list[Row] = [
        at_most("misreadings (an answer taken that was not meant)", len(misreadings), 0,
                f"{len(misreadings)} of {len(cases)}", "0"),
        at_least("parser accuracy (corpus)", accuracy, TARGET,
                 f"{100 * accuracy:.1f} % of {len(cases)}", "≥ 99 %"),
        Row("re-ask rate where an answer was meant (a cost)",
            f"{100 * reask_meant / len(answers):.1f} % ({reask_meant} of {len(answers)})"),
        Row("asked again, whole corpus (doubt, between, unclear, not understood)",
            f"{100 * reask_all / len(cases):.1f} % ({reask_all} of {len(cases)})"),
        Row("read-back rate (answers confirmed before they count)",
            f"{100 * read_back / len(answers):.1f} % of {len(answers)} answers"),
    ]
    for kind in (*KINDS, "score"):
        n = total[kind]
        rows.append(Row(f"  {kind}", f"{100 * (1 - missed[kind] / n):.1f} % of {n}"))
    if misses:
        details = "Misses (utterance, question, expected, parsed):\n\n" + markdown_table(
            ["line", "question", "utterance", "expected", "parsed", "misreading"],
            [[str(c.line), c.question, c.utterance, c.expected,
              shown(got, c.question not in SCORE_QUESTIONS),
              "**yes**" if (c, got) in misreadings else "no (asked again)"]
             for c, got in misses])
    else:
        details = "No misses."
    method = (
        f"The parser of `assistant.dialog.intents` (`interpret`, as the dialog calls it, on the "
        f"consultation date {TODAY.isoformat()}) against the real protocol questions on the "
        f"{len(cases)} utterances of `bench/corpus.tsv` (question id, utterance, expected). "
        "Lower case without punctuation as a recogniser writes them, and as therapists type "
        "them: fillers, number words, shorthand ('j', 'neee', '3 wk'), an answer followed by "
        "its explanation ('ja, een kop-staartbotsing'), doubt ('weet ik niet', 'niet getest', "
        "'nee, ik denk het niet'), between-choices ('matig'), corrections ('vijf weken, eh, "
        "drie weken': the last amount, read back), calendar answers ('sinds september': read "
        "back), ranges and repeats (asked again with their reason), the global commands, and "
        "answers that must not be taken; and the measurement's 0–10 scores (NPRS, PSK) as "
        "`read_score` reads them: plain ('zes', '6/10'), read back when taken from a longer "
        "phrase ('ik zou zeggen een zes'), asked again for fractions, big numbers, ordinals, "
        "times and counts ('drie kwart', '2 miljoen', 'tweede', '6 uur'). A **misreading** is "
        "an answer taken that was not meant (a defect; target 0); a **re-ask** is the question "
        "asked again (a cost, reported). Durations must match to 1e-9 weeks, and read back "
        "exactly when expected.")
    return Section("understanding", "Understanding (Dutch answer parser)", method, rows,
                   details)
