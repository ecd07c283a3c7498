"""5. Understanding: the Dutch answer parser on the corpus (bench/corpus.tsv)."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from assistant.dialog.intents import Answer, Command, Intent, interpret, is_doubt, parse_command
from assistant.protocol.model import AnswerType, Protocol, Question, Vocabulary
from bench.report import Row, Section, at_least, markdown_table

CORPUS = Path(__file__).with_name("corpus.tsv")
TARGET = 0.99
COMMANDS = frozenset({"repeat", "back", "help", "pause", "resume", "stop"})
CHOICES = frozenset({"none", "mild", "severe"})
UNIT_DAYS = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?):(days|weeks|months|years)$")
KINDS = ("yes/no", "doubt", "choice", "duration", "command", "reject")


@dataclass(frozen=True)
class Doubt:
    """Doubt on a yes/no question ('weet ik niet', 'niet getest'): not an answer and never a
    "nee", but not a rejection either — the dialog says the sign is not ruled out (a red flag:
    asked once more, then recorded as unknown) instead of 'Dat begreep ik niet'."""


Reading = Intent | Doubt


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
        if self.expected in ("yes", "no"):
            return "yes/no"
        if self.expected == "doubt":
            return "doubt"
        if self.expected == "none":
            return "reject"
        return {"cmd": "command", "choice": "choice"}.get(self.expected.split(":")[0],
                                                          "duration")


def expected_intent(expected: str) -> Reading | None:
    """The intent (or doubt) an expectation stands for; CorpusError when it is not
    well-formed."""
    if expected in ("yes", "no"):
        return Answer(expected == "yes")
    if expected == "doubt":
        return Doubt()
    if expected == "none":
        return None
    kind, _, value = expected.partition(":")
    if kind == "cmd" and value in COMMANDS:
        return Command(value)
    if kind == "choice" and value in CHOICES:
        return Answer(value)
    match = _DURATION.match(expected)
    if match:
        return Answer(float(match[1]) * UNIT_DAYS[match[2]] / 7.0)
    raise CorpusError(f"not an expectation: {expected!r}")


def load_corpus(path: Path = CORPUS) -> list[Case]:
    """The corpus rows (comments, blank lines and the header skipped)."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("question\t"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise CorpusError(f"{path.name}:{number}: expected 3 tab-separated fields")
        try:
            expected_intent(fields[2])
        except CorpusError as exc:
            raise CorpusError(f"{path.name}:{number}: {exc}") from None
        cases.append(Case(number, *fields))
    return cases


def read(text: str, question: Question, vocab: Vocabulary) -> Reading | None:
    """How the dialog takes `text` as the answer to `question`, in its order: a command, else
    (on a yes/no question) doubt, else an answer, else None (not understood)."""
    command = parse_command(text, vocab)
    if command is not None:
        return command
    if question.type is AnswerType.YES_NO and is_doubt(text, vocab):
        return Doubt()
    return interpret(text, question, vocab)


def matches(got: Reading | None, want: Reading | None) -> bool:
    """Equal intents; durations (floats) to 1e-9 weeks."""
    if isinstance(got, Answer) and isinstance(want, Answer):
        if isinstance(want.value, float) and isinstance(got.value, float):
            return math.isclose(got.value, want.value, abs_tol=1e-9)
        return type(got.value) is type(want.value) and got.value == want.value
    return got == want


def shown(intent: Reading | None) -> str:
    if intent is None:
        return "not understood"
    if isinstance(intent, Doubt):
        return "doubt"
    if isinstance(intent, Command):
        return f"command {intent.name}"
    if isinstance(intent.value, float):
        return f"{intent.value:.4g} weeks"
    return repr(intent.value)


def evaluate(protocol: Protocol, cases: list[Case]) -> list[tuple[Case, Reading | None]]:
    """The misses: each case whose reading differs from its expectation, with what was read."""
    misses = []
    for case in cases:
        got = read(case.utterance, protocol.question(case.question), protocol.vocabulary)
        if not matches(got, expected_intent(case.expected)):
            misses.append((case, got))
    return misses


def measure(protocol: Protocol) -> Section:
    cases = load_corpus()
    misses = evaluate(protocol, cases)
    total: Counter[str] = Counter(c.kind for c in cases)
    missed: Counter[str] = Counter(c.kind for c, _ in misses)
    accuracy = 1 - len(misses) / len(cases)
    rows: list[Row] = [at_least("parser accuracy (corpus)", accuracy, TARGET,
                                f"{100 * accuracy:.1f} % of {len(cases)}", "≥ 99 %")]
    for kind in KINDS:
        n = total[kind]
        rows.append(Row(f"  {kind}", f"{100 * (1 - missed[kind] / n):.1f} % of {n}"))
    if misses:
        details = "Misses (utterance, question, expected, parsed):\n\n" + markdown_table(
            ["line", "question", "utterance", "expected", "parsed"],
            [[str(c.line), c.question, c.utterance, c.expected, shown(got)]
             for c, got in misses])
    else:
        details = "No misses."
    method = (
        f"The parser of `assistant.dialog.intents` against the real protocol questions on the "
        f"{len(cases)} utterances of `bench/corpus.tsv` (question id, utterance, expected), "
        "read in the dialog's order: a command, else on a yes/no question doubt (`is_doubt`), "
        "else `interpret`. Lower case without punctuation as a recogniser writes them, fillers "
        "(`eh`, `uhm`, `nou`), number words, `een week of drie`, `anderhalve maand`, yes/no "
        "variants on the red flags, precautions and the Canadian C-spine rule, doubt on a "
        "yes/no question (`weet ik niet`, `niet getest`, `misschien`, `ik denk het niet`: "
        "never a \"nee\"), the three impact choices, durations in days/weeks/months/years, the "
        "global commands, and answers that must be rejected (vague, hedged, contradictory or "
        "off-topic; doubt on a duration is rejected too). Durations must match to 1e-9 weeks. "
        "Accuracy by kind (rejections count as right only when nothing was understood, and "
        "doubt only when read as doubt).")
    return Section("understanding", "Understanding (Dutch answer parser)", method, rows,
                   details)
